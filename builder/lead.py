"""A lead's head read as typed tokens: what each piece between separators is, from the shared word lists.

"عبد الله الشريف- سبق- الرياض: أعلنت ..." is a person, an outlet and a city before the story; "كتب/ سامي حسن -"
a byline cue and a name; "القاهرة (أ ش أ) -" a city and an agency. A first-match regex gives the pieces the
roles of its groups whatever they are (a person as the dateline's city, "كتب" as a place); a token is typed by
what it is: a listed city or country, a listed agency (its registry id), a listed outlet or a "<X> نيوز" site,
a desk word (وكالات، متابعة، خاص), a byline cue with or without its name, a person (a listed given name and one
to four more words), a date or a clock. The cleaner cuts a run of such tokens glued before the first sentence
when no rule claims it; the metadata stage types every name a rule captured, so each goes to the field it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from builder.arabic import match_key, original_index
from builder.config import ListsConfig
from builder.document import Removal
from builder.lists import Agency, WordLists, alternation, name_key, read_yaml, word_lists
from builder.rules import expand, line_key, rule_fragments

# between tokens: a dash, slash, colon, pipe, comma, brackets or quotes (with the spaces around them)
_SEPARATOR = re.compile(r"(?:\s*(?:[-–—_]+|/|:|\||،|,|[()«»\[\]\"“”]))+\s*")
_ARABIC_WORD = re.compile(r"[\u0621-\u064A]{2,}")
_JOIN = re.compile(r"[-–—_/]")  # the separators that join a lead's parts (a quote or a bracket may hold a word)
_END = re.compile(r"[-–—_:]")  # the separators that close a lead's head
_SPACE_OR_DOT = re.compile(r"[\s.]")
_NEWS_SITE = re.compile(r"^[\u0621-\u064A]{2,}(?:\s[\u0621-\u064A]{2,})?\s+نيوز$")
HEAD_CHARS = 120  # a lead's head of tokens is at most this long
MIN_SENTENCE_WORDS = 3  # Arabic words of the sentence after it


# "سكاي نيوز عربية - أ ف ب", "الجزيرة + وكالات", "رويترز، أ ف ب": a credit naming several sources
SOURCE_SEPARATOR = re.compile(r"\s+[-–—/]\s+|\s*[+،,()]\s*|\s+و(?=\s)")


class AgencyNames:
    """Agency names and abbreviations (match key) -> agency id."""

    def __init__(self, agencies: tuple[Agency, ...]):
        self.ids = {name_key(n): a.id for a in agencies for n in a.names}
        names = alternation([n for a in agencies for n in a.names])
        # "محمد محروس وأ ش أ": a reporter and the agency the story came through, in one byline
        self.trailing = re.compile(rf"(?:\s*[-–—،,]\s*|\s+و\s*)(?:{names})\s*$")

    def lookup(self, name: str) -> str | None:
        """The id of an agency name however it is spaced: "وكالة الأناضول", "أ.ف.ب", "اف ب", "أش أ"."""
        return self.lookup_key(name_key(name))

    def lookup_key(self, key: str) -> str | None:
        """`lookup` of a name's `name_key`."""
        compact = _SPACE_OR_DOT.sub("", key)
        return self.ids.get(key) or self.ids.get(key.removeprefix("وكاله ").strip()) or (
            self.ids.get(compact) if len(compact) <= 4 else None)

    def split_off(self, name: str) -> tuple[str, str | None]:
        """A byline without the agency that closes it, and that agency as printed."""
        m = self.trailing.search(match_key(name))
        if m is None:
            return name, None
        cut = original_index(name, m.start())
        agency = name[cut:].strip(" ،,-–—")
        return name[:cut].strip(), agency if self.lookup(agency) else agency.removeprefix("و").strip()

    def find(self, source: str) -> str | None:
        """The agency a credit names, alone or among other sources."""
        return self.lookup(source) or next(
            (agency for part in SOURCE_SEPARATOR.split(source) if (agency := self.lookup(part))), None)


class Token(NamedTuple):
    kind: str  # date, city, agency, outlet, desk, cue, byline (a name after a cue), person (a name alone)
    text: str  # as printed in the line
    value: str  # the agency's id, the person's name without the cue; else the text


class Lexicon:
    """The typed word lists: cities and countries, agencies (-> id), outlets, given names, cue and desk words."""

    def __init__(self, lists: WordLists, rules_file: str = "boilerplate.yaml"):
        data = read_yaml(rules_file)
        fragments = rule_fragments(data, lists)
        own = data.get("fragments", {})
        self.cities = {name_key(c) for c in [*lists.places.all_cities, *lists.places.countries]}
        self.agencies = AgencyNames(lists.agencies)
        self.outlets = {name_key(n) for o in lists.outlets for n in (*o.printed, *o.bare)}
        self.first_names = {name_key(n) for n in own.get("first_name", [])}
        self.cues = {name_key(w) for w in (*own["byline_verb"].split("|"), *own["credit_role"].split("|"))}
        self.not_in_names = {name_key(w) for w in own["not_in_name"]}
        self.region = re.compile(rf"^(?:{match_key(own['region'])})\s+")
        self.desk = {name_key(w) for w in own.get("desk", "").split("|")}
        self.date = re.compile(expand(r"(?:في\s+)?(?:{datetime}|{short_date}|{time})", fragments))
        self.cue_name = re.compile(rf"^({alternation(sorted(self.cues))})\s+(?:من\s+)?(.+)$")

    def is_person(self, key: str) -> bool:
        words = key.split()
        if not 2 <= len(words) <= 5 or not all(_ARABIC_WORD.fullmatch(w) and w not in self.not_in_names for w in words):
            return False
        return any(" ".join(words[:n]) in self.first_names for n in (1, 2) if n < len(words))

    def kind(self, text: str) -> Token | None:
        """What a piece between separators is, or None (a word of the story)."""
        return next(iter(self.readings(text)), None)

    def readings(self, text: str) -> list[Token]:
        """Everything a piece may be, most likely first ("قنا" is Qatar's agency and an Egyptian city)."""
        key = name_key(text)
        if not key:
            return []
        out = []
        if (agency := self.agencies.lookup_key(key)) is not None:
            out.append(Token("agency", text, agency))
        if self.region.sub("", key) in self.cities:
            out.append(Token("city", text, text))
        if key in self.outlets or _NEWS_SITE.match(key):
            out.append(Token("outlet", text, text))
        if key in self.desk:
            out.append(Token("desk", text, text))
        if key in self.cues:
            out.append(Token("cue", text, text))
        if (m := self.cue_name.match(key)) and self.is_name(m.group(2)):
            out.append(Token("byline", text, text[original_index(text, m.start(2)):].strip()))
        if self.is_person(key):
            out.append(Token("person", text, text))
        return out

    def is_name(self, key: str) -> bool:
        """After a cue, any one to five words of letters is a name ("كتب/ سامي حسن", "بقلم زين العابدين")."""
        words = key.split()
        return 1 <= len(words) <= 5 and all(_ARABIC_WORD.fullmatch(w) and w not in self.not_in_names for w in words)

    def tokens(self, line: str) -> tuple[list[Token], list[int]]:
        """The run of typed tokens that opens `line`, each followed by a separator, and where in the line the text
        after each token's separator starts."""
        key = line_key(line)
        tokens: list[Token] = []
        cuts: list[int] = []
        pos = 0
        while pos < min(len(key), HEAD_CHARS):
            if (m := self.date.match(key, pos)) and (sep := _SEPARATOR.match(key, m.end())):
                token = Token("date", line[original_index(line, pos):original_index(line, m.end())], "")
            else:
                sep = _SEPARATOR.search(key, pos)
                if sep is not None and sep.start() == pos:
                    break
                piece = line[original_index(line, pos):original_index(line, sep.start())] if sep else ""
                token = self.kind(piece) if sep else None
                cued = bool(tokens) and tokens[-1].kind == "cue"
                if cued and ((token is None and self.is_name(name_key(piece))) or (token and token.kind == "person")):
                    token = Token("byline", piece, piece.strip())
                elif token is None and sep and _JOIN.search(sep.group()) and self.before_place(key, sep.end()) and \
                        self.is_name(name_key(piece)):
                    token = Token("outlet", piece, piece.strip())  # an unlisted outlet: "نبض الإمارات - دبي:"
            if token is None:
                if tokens and _JOIN.search(key[:pos][-3:]) and (glued := self.glued_name(line, pos, tokens[-1])):
                    tokens.append(glued[0])
                    cuts.append(glued[1])
                break
            tokens.append(token)
            pos = sep.end()
            cuts.append(original_index(line, pos))
        return tokens, cuts

    def before_place(self, key: str, pos: int) -> bool:
        """The piece after `pos` is a listed city or agency, ended by a separator: what stands before it in a
        lead is the source ("<outlet> - <city>:")."""
        sep = _SEPARATOR.search(key, pos)
        return sep is not None and sep.start() > pos and bool(_END.search(sep.group())) and \
            (t := self.kind(key[pos:sep.start()])) is not None and t.kind in ("city", "agency")

    def glued_name(self, line: str, pos: int, last: Token) -> tuple[Token, int] | None:
        """A listed outlet or agency that ends the run with only a space before the sentence ("متابعة/ الرافد نيوز
        أعلنت ..."), or a city after a person ("سعيد عثمان - دبي أعلن ...")."""
        key = match_key(line)
        words = list(re.finditer(r"\S+", key[pos:pos + 60]))
        for n in range(min(4, len(words) - MIN_SENTENCE_WORDS), 0, -1):
            end = pos + words[n - 1].end()
            token = self.kind(line[original_index(line, pos):original_index(line, end)])
            after_person = last.kind in ("person", "byline")
            if token and (token.kind in ("outlet", "agency") or (token.kind == "city" and after_person)):
                return token, original_index(line, end)
        return None

    def head(self, line: str) -> Removal | None:
        """A run of typed tokens glued before the lead's first sentence, as the span the cleaner cuts, with the
        fields each token gives; None unless the run says who or where, and a sentence follows it."""
        tokens, cuts = self.tokens(line)
        while tokens and tokens[-1].kind == "cue":  # a cue whose name is the sentence's first word
            tokens.pop()
            cuts.pop()
        if not tokens:
            return None
        cut = cuts[-1]
        kinds = {t.kind for t in tokens}
        # a name, an outlet, a place or a date alone may open a sentence or a subtitle ("محمد صلاح: ...", the rules
        # read a lone place or outlet before a dash); two places are a match or a route ("مصر - السعودية: ...")
        if (len(tokens) == 1 and kinds <= {"person", "outlet", "city", "date"}) or kinds == {"city"}:
            return None
        if len(_ARABIC_WORD.findall(match_key(line[cut:]))) < MIN_SENTENCE_WORDS:
            return None
        return Removal(f"{role(kinds)}.lead_tokens", line[:cut], fields(tokens))


def role(kinds: set[str]) -> str:
    """The span's class, for the audit and the segmenter: a dateline when it names a place, else a byline, a
    credit, a date."""
    for kind, cls in (("city", "dateline"), ("byline", "byline"), ("person", "byline"), ("agency", "credit"),
                      ("outlet", "credit"), ("desk", "credit"), ("date", "published")):
        if kind in kinds:
            return cls
    return "credit"


def fields(tokens: list[Token]) -> dict[str, str]:
    """The first city, person, source (an agency before an outlet) and date of a run, as printed."""
    out: dict[str, str] = {}
    for t in tokens:
        name = {"city": "city", "person": "name", "byline": "name", "date": "date"}.get(t.kind)
        if name and name not in out:
            out[name] = t.value.strip() if name == "name" else t.text.strip()
    source = next((t for t in tokens if t.kind == "agency"), None) or next(
        (t for t in tokens if t.kind == "outlet"), None)
    if source is not None:
        out["source"] = source.text.strip()
    return out


def lexicon(lists: WordLists | None = None, rules_file: str = "boilerplate.yaml") -> Lexicon:
    """One lexicon per process, word lists and rules file (the cleaner and the metadata stage share it)."""
    return _lexicon((lists or word_lists()).files, rules_file)


@cache
def _lexicon(files: ListsConfig, rules_file: str) -> Lexicon:
    return Lexicon(word_lists(files), rules_file)
