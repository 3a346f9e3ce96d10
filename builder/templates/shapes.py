"""Line shapes: a line's match key with the parts that change from page to page masked as slots.

One site prints "محمد علي - القاهرة" on one page and "سارة أحمد - الجيزة" on the next; both are the shape
"{name} - {city}". Dates, times, numbers, URLs, listed cities, agencies and outlets, and the person after a byline
cue are slots (conf/data/template_shapes.yaml), and so is the page's own headline repeated inside a line. A line
also has looser *candidate* shapes, where free text after a fixed prefix, before a fixed suffix or between a fixed
start and end is one `{text}` slot, so "المصدر: <any headline>" or "<any name> | <outlet>" is one shape too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from re import _parser as sre_parse

from builder.arabic import deleted_positions, match_key
from builder.lists import WordLists, alternation, read_yaml, word_lists
from builder.rules import expand, rule_fragments
from builder.templates.openings import lookahead, needs_digit

TEXT = "{text}"
TITLE_WORDS = 3  # a page's title this long, repeated inside a line, is a slot
_LETTER = re.compile(r"[^\W\d_]")
_SLOT = re.compile(r"^\W*\{[a-z]+\}\W*$")


@dataclass(frozen=True)
class ShapeLimits:
    """How loose a candidate shape may be: the fixed part's length and the free text's."""

    max_fixed_words: int = 4  # words before the delimiter of a prefix (after it for a suffix)
    max_free_words: int = 20  # free text after a fixed prefix with a word in it: a headline, not a paragraph
    max_name_words: int = 4  # free text next to a fixed part made only of slots ("<name> - {city}")
    frame_words: int = 2  # fixed words at each end of a framed line ("ظهرت المقالة {text} أولاً على موقع")


@dataclass(frozen=True)
class Masked:
    """A line's full shape, its tokens, and the slot values it carried, as printed (for the metadata)."""

    shape: str
    tokens: tuple[str, ...]
    values: tuple[tuple[str, str], ...]
    literal: tuple[bool, ...]  # per token: a word of the line itself, not a slot

    @property
    def literal_words(self) -> int:
        """Words of the line itself, dates, names and places aside: what makes a line read like a sentence."""
        return sum(self.literal)


@lru_cache(maxsize=1 << 16)
def is_literal(token: str) -> bool:
    """A word of the line itself: a letter, and not a slot. Cached: a site's lines repeat the same tokens."""
    return bool(_LETTER.search(token)) and not _SLOT.match(token)


def key_positions(line: str) -> list[int]:
    """Where each character of `match_key(line)` sits in `line` (and the line's end)."""
    dropped = set(deleted_positions(line))
    return [i for i in range(len(line) + 1) if i not in dropped]


class ShapeMasker:
    """Masks lines into shapes with one combined regex over the match key, left to right."""

    def __init__(self, shapes_file: str = "template_shapes.yaml", rules_file: str = "boilerplate.yaml",
                 limits: ShapeLimits | None = None, lists: WordLists | None = None):
        data = read_yaml(shapes_file)
        fragments = rule_fragments(read_yaml(rules_file), lists or word_lists())
        fragments["function_word"] = alternation(data["function_word"])
        fragments["name_word"] = expand(match_key(data["name_word"]), fragments)
        # what the slots' openings and digits are read from (openings.py): a name word as any text, for the lists in
        # its lookahead are most of the patterns' text, and a part that matches more only ever lets more through
        outline = fragments | {"name_word": "(?s:.)+"}
        parts, parsed, self.slots = [], [], []
        for slot, pattern in data["slots"].items():
            body = expand(match_key(pattern), fragments).replace("(?P<v>", f"(?P<{slot}_v>")
            parts.append(f"(?P<{slot}>{body})")
            parsed.append((body, sre_parse.parse(expand(match_key(pattern), outline))))
            self.slots.append(slot)
        self.digit_slots = frozenset(f"{{{slot}}}" for slot, (_, p) in zip(self.slots, parsed, strict=True)
                                     if needs_digit(p))  # as tokens: "{date}"
        # slots start a word (one test here, not in each) that one of their openings starts (openings.py)
        self.regex = re.compile(r"(?<!\w)" + lookahead(parsed) + "(?:" + "|".join(parts) + ")")
        self._value = {slot: f"{slot}_v" for slot in self.slots if f"{slot}_v" in self.regex.groupindex}
        delimiters = re.escape(data["delimiters"])
        dashes = re.escape(data["dashes"])
        self.delimiter_chars = frozenset(data["delimiters"] + "-")
        # a shape's tokens: each delimiter, each run of dashes (as "-"), each run of other non-space characters
        self._token = re.compile(rf"[{delimiters}]|[{dashes}]+|[^\s{delimiters}{dashes}]+")
        self._dash = re.compile(f"[{dashes}]")
        self._dashes = frozenset(data["dashes"])
        self._marked = re.compile(rf"[{delimiters}{dashes}\d]")
        self.limits = limits or ShapeLimits()

    def mask(self, line: str, title: str | None = None) -> Masked:
        """The line's shape; the page's own headline inside it (a back-link line) is the slot {title}."""
        key = match_key(line)
        spans = self._title_span(key, title)
        title_span = spans[0] if spans else None
        found: list[tuple[str, int, int]] = []
        for m in self.regex.finditer(key):  # matches never overlap: only the title's span can
            slot = m.lastgroup
            if slot is None:
                continue
            value = self._value.get(slot)
            start, end = m.span(value) if value and m.group(value) else m.span()
            if end <= start or (title_span and start < title_span[1] and title_span[0] < end):
                continue
            slot = "name" if slot == "person" else slot
            spans.append((start, end, slot))
            if slot not in ("number", "url", "time"):  # no field of the metadata
                found.append((slot, start, end))
        where = (key_positions(line) if len(key) != len(line) else range(len(line) + 1)) if found else []
        values = [(slot, line[where[start]:where[end]].strip()) for slot, start, end in found]
        if spans:
            out, at = [], 0
            for start, end, slot in sorted(spans):
                out += [key[at:start], f"{{{slot}}}"]
                at = end
            out.append(key[at:])
            key = "".join(out)
        tokens = self._token.findall(key)
        if self._dash.search(key):
            tokens = ["-" if t[0] in self._dashes else t for t in tokens]
        tokens = tuple(tokens)
        return Masked(" ".join(tokens), tokens, tuple(values), tuple(map(is_literal, tokens)))

    @staticmethod
    def _title_span(key: str, title: str | None) -> list[tuple[int, int, str]]:
        wanted = _title_key(title or "")
        at = key.find(wanted) if wanted else -1
        return [(at, at + len(wanted), "title")] if at >= 0 else []

    def unmarked(self, line: str) -> bool:
        """The line's key has no delimiter, dash or digit: its shape has no delimiter token and no slot of
        `digit_slots`, found without masking it. Read on the line itself: the key deletes no delimiter, dash or
        digit and makes none (its digits are ASCII forms of digits `\\d` already matches)."""
        return self._marked.search(line) is None

    def is_delimiter(self, token: str) -> bool:
        return len(token) == 1 and token in self.delimiter_chars

    def candidates(self, masked: Masked) -> list[str]:
        """The full shape, then the looser ones: fixed prefix + {text}, {text} + fixed suffix, framed {text}."""
        tokens, literal, lim = masked.tokens, masked.literal, self.limits
        shapes = [masked.shape]
        n = len(tokens)
        # where the delimiters are (is_delimiter: the set holds single characters); most lines have none
        at = [] if self.delimiter_chars.isdisjoint(tokens) else \
            [i for i, t in enumerate(tokens) if t in self.delimiter_chars]

        def free_ok(start: int, end: int, fixed_literal: int) -> bool:
            words = end - start - sum(start <= i < end for i in at)
            limit = lim.max_free_words if fixed_literal else lim.max_name_words
            return 0 < words <= limit and any(literal[start:end])

        if at and at[0] < min(n - 1, lim.max_fixed_words + 1) and free_ok(at[0] + 1, n, any(literal[:at[0] + 1])):
            shapes.append(" ".join([*tokens[:at[0] + 1], TEXT]))
        if at and at[-1] > max(0, n - 2 - lim.max_fixed_words) and free_ok(0, at[-1], any(literal[at[-1]:])):
            shapes.append(" ".join([TEXT, *tokens[at[-1]:]]))
        k = lim.frame_words
        if n >= 2 * k + 1 and any(literal[:k]) and any(literal[n - k:]) and free_ok(k, n - k, True):
            shapes.append(" ".join([*tokens[:k], TEXT, *tokens[n - k:]]))
        return list(dict.fromkeys(shapes))


@lru_cache(maxsize=1024)
def _title_key(title: str) -> str:
    """A title as found inside a line's key (one space between words), or "" when too short to be a slot."""
    words = match_key(title).split()
    return " ".join(words) if len(words) >= TITLE_WORDS else ""


@cache
def masker(shapes_file: str = "template_shapes.yaml", rules_file: str = "boilerplate.yaml",
           limits: ShapeLimits | None = None, lists: WordLists | None = None) -> ShapeMasker:
    """One masker per process and setting: compiling the word lists takes a moment."""
    return ShapeMasker(shapes_file, rules_file, limits, lists)
