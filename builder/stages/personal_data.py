"""Personal data: e-mail addresses and public IP addresses replaced, as FineWeb-2 does in every language, and
phone numbers in the formats of the Arabic world when asked; each replacement is a `personal_data.<kind>` row of
`removed` (the replaced value's shape, never the value: that column is published) and counted in the stage's notes
(the card shows the counts only).

The placeholders are reserved for documentation (RFC 2606 example.com, RFC 5737 192.0.2.0/24, RFC 3849
2001:db8::/32; "+000" is no country's code): nobody's address or number, and none of them matches again, so the
stage is idempotent. FineWeb-2 / datatrove's PIIFormatter cycle through several placeholders, among them public IPs
that merely did not answer a ping; one fixed placeholder per kind keeps the output independent of document order.

Phone numbers run across dates, scores, prices, law numbers and ids, so the pattern is strict: a number is groups
of digits (ASCII, Arabic-Indic or Eastern) joined by one space, dash or dot, and its digits must fully match a
country's shape after "+"/"00" and a country code, or a local mobile shape (conf/data/personal_data.yaml); a shape
that other numbers share (a landline) counts only after a phone cue ("هاتف", "للتواصل"), and no number counts after
an id cue ("الرقم القومي", "القضية"). Contact boxes as a whole ("للتواصل مع الكاتب: ...") are furniture, cut by the
cleaner's `contact.*` rules (conf/data/boilerplate.yaml) before this stage runs.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from builder.arabic import match_key
from builder.config import PersonalDataConfig
from builder.document import Doc, Removal
from builder.lists import read_yaml
from builder.stages.base import Stage
from builder.stats import StageStats

RULE = "personal_data"  # the audit's rule ids: personal_data.email, personal_data.ip, personal_data.phone

# An address as mail software accepts it in running text (ASCII letters, digits and ._%+- before the @, a dotted
# host with a letter TLD). Arabic glued to it ("علىname@x.com") is no part of it, hence the ASCII look-arounds.
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
                   r"@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])")
# Candidates only: ipaddress decides what is an address (no octet over 255, no leading zero) and whether it is public.
# Four dotted groups of 1-3 digits, no digit or dot before them; written to open with the first digit (the look-behind
# after it), so the regex engine skips to the digits of a text instead of trying every position: 5x faster.
IPV4 = re.compile(r"[0-9](?<![0-9.][0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![0-9]|\.[0-9])")
IPV6 = re.compile(r"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z_:.])")

ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")  # one for one: positions hold
# A run of digit groups and what may join them, not glued to Latin letters or to a URL's or price's symbols; the
# groups a number can be are chosen inside it (a year before a phone number is its own group).
RUN = re.compile(r"(?<![0-9A-Za-z_=#@&%$?+])[(+]*[0-9](?:[0-9 \u00a0().\-–+]*[0-9])?\)?(?![0-9A-Za-z_%@=&٪])")
GROUP = re.compile(r"\+?[0-9]+")
JOIN = re.compile(r"[ \u00a0]?(?:[-–.]|\(|\))?[ \u00a0]?")  # one space, dash or dot; a bracket around a trunk 0
MAX_GROUPS = 7


def shape_of(value: str) -> str:
    """What the audit keeps of a replaced value: its shape, every letter an x and every digit a 0
    ("a.b@mail.com" -> "x.x@xxxx.xxx"). The `removed` column is published with the corpus, so the value itself
    must not be in it either; the shape still shows what kind of string was taken out and where it stood."""
    return "".join("0" if ch.isdigit() else "x" if ch.isalpha() else ch for ch in value)


def is_public_ip(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_global
    except ValueError:
        return False


class PhoneShapes:
    """The phone shapes of conf/data/personal_data.yaml as three regexes over a number's digits, and its cues."""

    def __init__(self, formats_file: str):
        data = read_yaml(formats_file)
        countries = "|".join(f"{c['code']}0?(?:{c['national']})" for c in data["countries"])
        self.international = re.compile(rf"(?:\+|00)(?:{countries})")
        self.mobile = re.compile("|".join(f"(?:{s['shape']})" for s in data["local"] if not s.get("cue")))
        self.cued = re.compile("|".join(f"(?:{s['shape']})" for s in data["local"] if s.get("cue")))

        def words(key: str) -> str:
            return "|".join(re.escape(w) for w in sorted({match_key(w) for w in data[key]}, key=lambda w: (-len(w), w)))

        # a cue starts a word, maybe after the proclitics (و ف, ب ل ك, ال): "بالهاتف", "وللتواصل"
        self.cues = re.compile(rf"(?<!\w)(?:[وف]?[بلك]?(?:ال)?)(?:(?P<phone>{words('phone_cues')})|"
                               rf"(?P<id>{words('id_cues')}))")

    def cue_before(self, text: str) -> str | None:
        """'phone', 'id' or None: the nearest cue in `text` (what comes just before a number)."""
        cues = list(self.cues.finditer(match_key(text)))
        return cues[-1].lastgroup if cues else None

    def shape(self, digits: str) -> str | None:
        """Which shape a number's digits ("+" kept) have: 'phone', 'cued' (a phone after a phone cue) or None."""
        if digits[0] == "+" or digits.startswith("00"):
            return "phone" if self.international.fullmatch(digits) else None
        return "phone" if self.mobile.fullmatch(digits) else "cued" if self.cued.fullmatch(digits) else None


def phone_spans(text: str, shapes: PhoneShapes, cue_chars: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each phone number in `text`, left to right."""
    ascii_text = text.translate(ASCII_DIGITS)
    for run in RUN.finditer(ascii_text):
        groups = list(GROUP.finditer(ascii_text, run.start(), run.end()))
        joins = [ascii_text[a.end():b.start()] for a, b in itertools.pairwise(groups)]
        i = 0
        while i < len(groups):
            found = None
            if i == 0 or " " in joins[i - 1] or "\u00a0" in joins[i - 1]:
                for j in range(min(len(groups), i + MAX_GROUPS), i, -1):
                    if (span := _number(ascii_text, groups, joins, i, j, shapes, cue_chars)) is not None:
                        found = j, span
                        break
            if found is None:
                i += 1
                continue
            i, span = found
            yield span


def _number(text: str, groups: list[re.Match], joins: list[str], i: int, j: int, shapes: PhoneShapes,
            cue_chars: int) -> tuple[int, int] | None:
    """The span of groups i..j-1 if they make one phone number: whole groups of two digits or more (but a "+1",
    a bracketed trunk 0 and the first digit after a country code, "+212 6 12 34 56 78"), joined as a number is,
    ending where a space ends it, with a phone's digits."""
    if j < len(groups) and not (" " in joins[j - 1] or "\u00a0" in joins[j - 1]):
        return None
    if any(JOIN.fullmatch(joins[k]) is None or "+" in groups[k + 1].group() for k in range(i, j - 1)):
        return None
    short = set()  # where a one-digit group may stand: after a country code, and after its bracketed trunk 0
    if groups[i].group().startswith(("+", "00")):
        short = {i + 1, i + 2} if i + 1 < j and groups[i + 1].group() == "0" and joins[i].endswith("(") else {i + 1}
    if any(len(groups[k].group()) < 2 and k not in short for k in range(i, j)):
        return None
    start, end = groups[i].start(), groups[j - 1].end()
    shape = shapes.shape("".join(g.group() for g in groups[i:j]))
    if shape is None:
        return None
    cue = shapes.cue_before(text[max(0, start - cue_chars):start])
    if cue == "id" or (shape == "cued" and cue != "phone"):
        return None
    if text[start - 1:start] == "(" and text[start:end].count(")") > text[start:end].count("("):
        start -= 1  # "(+966) 50 ..." / "(02) 2345 ...": the bracket goes with the number
    return start, end


def email_spans(text: str) -> Iterator[tuple[int, int]]:
    return (m.span() for m in EMAIL.finditer(text)) if "@" in text else iter(())


def ipv4_spans(text: str) -> Iterator[tuple[int, int]]:
    return (m.span() for m in IPV4.finditer(text) if is_public_ip(m.group()))


def ipv6_spans(text: str) -> Iterator[tuple[int, int]]:
    if "::" not in text and text.count(":") < 7:  # an address has "::" or seven colons
        return iter(())
    return (m.span() for m in IPV6.finditer(text) if is_public_ip(m.group()))


class PersonalData(Stage):
    """Replaces the personal data in a document's text, kind by kind: e-mails, then IPs, then phone numbers."""

    name = "personal_data"

    def __init__(self, config: PersonalDataConfig | None = None):
        c = config or PersonalDataConfig()
        # (kind, where it is in a text, what replaces it), in the order they are applied
        self.finders: list[tuple[str, Callable[[str], Iterable[tuple[int, int]]], str]] = []
        if c.emails:
            self.finders.append(("email", email_spans, c.email_replacement))
        if c.ips:
            self.finders += [("ip", ipv4_spans, c.ipv4_replacement), ("ip", ipv6_spans, c.ipv6_replacement)]
        if c.phones:
            shapes, cue_chars = PhoneShapes(c.formats_file), c.cue_chars
            self.finders.append(("phone", lambda text: phone_spans(text, shapes, cue_chars), c.phone_replacement))
        self.notes: Counter = Counter()

    def run(self, docs: Iterable[Doc], stats: StageStats, rejects: list[dict]) -> Iterator[Doc]:
        self.notes = stats.notes  # the replacements per kind, counted where the stage's counts are
        return super().run(docs, stats, rejects)

    def process(self, doc: Doc) -> Doc:
        doc.text, found = self.anonymise(doc.text)
        for kind, value, _ in found:
            doc.removed.append(Removal(f"{RULE}.{kind}", shape_of(value)))
            self.notes[f"replaced:{kind}"] += 1
        return doc

    def anonymise(self, text: str, context: int = 40) -> tuple[str, list[tuple[str, str, str]]]:
        """The text with every kind replaced in turn, and per replacement its kind, the value and the text around
        it (`context` characters either side: what a person judging the replacements reads)."""
        found = []
        for kind, find, replacement in self.finders:
            out, at = [], 0
            for start, end in find(text):
                if text[start:end] == replacement:  # not twice
                    continue
                out += [text[at:start], replacement]
                found.append((kind, text[start:end], text[max(0, start - context):end + context]))
                at = end
            text = "".join([*out, text[at:]])
        return text, found
