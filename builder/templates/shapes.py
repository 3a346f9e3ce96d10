"""Line shapes: a line's match key with the parts that change from page to page masked as slots.

One site prints "محمد علي - القاهرة" on one page and "سارة أحمد - الجيزة" on the next; both are the shape
"{name} - {city}". Dates, times, numbers, URLs, listed cities, agencies and outlets, and the person after a byline
cue are slots (conf/data/template_shapes.yaml). A line also has looser *candidate* shapes, where free text after
a fixed prefix, before a fixed suffix or between a fixed start and end is one `{text}` slot, so a back-link
line that repeats each page's headline ("ظهرت المقالة <headline> أولاً على <site>") is one shape too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from builder.arabic import match_key, original_index
from builder.rules import alternation, expand, load_yaml, word_list_fragments

TEXT = "{text}"
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

    @property
    def literal_words(self) -> int:
        return literal_words(self.tokens)


def literal_words(tokens: tuple[str, ...] | list[str]) -> int:
    """Words of the line itself, not slots: what makes a shape read like a sentence."""
    return sum(1 for t in tokens if _LETTER.search(t) and not _SLOT.match(t))


class ShapeMasker:
    """Masks lines into shapes with one combined regex over the match key, left to right."""

    def __init__(self, shapes_file: str = "template_shapes.yaml", rules_file: str = "boilerplate.yaml",
                 limits: ShapeLimits | None = None):
        data = load_yaml(shapes_file)
        rules = load_yaml(rules_file)
        own = {k: alternation(v) if isinstance(v, list) else match_key(v)
               for k, v in rules.get("fragments", {}).items()}
        fragments = {**word_list_fragments(), **own}
        fragments["function_word"] = alternation(data["function_word"])
        fragments["name_word"] = expand(match_key(data["name_word"]), fragments)
        parts, self.slots = [], []
        for slot, pattern in data["slots"].items():
            body = expand(match_key(pattern), fragments).replace("(?P<v>", f"(?P<{slot}_v>")
            parts.append(f"(?P<{slot}>{body})")
            self.slots.append(slot)
        self.regex = re.compile("|".join(parts))
        delimiters = re.escape(data["delimiters"])
        dashes = re.escape(data["dashes"])
        self.delimiter_chars = frozenset(data["delimiters"] + "-")
        self._spacing = re.compile(rf"\s*(?:([{delimiters}])|[{dashes}]+)\s*")
        self.limits = limits or ShapeLimits()

    def _space(self, m: re.Match) -> str:
        return f" {m.group(1) or '-'} "

    def mask(self, line: str) -> Masked:
        key = match_key(line)
        values: list[tuple[str, str]] = []
        out, at = [], 0
        for m in self.regex.finditer(key):
            slot = m.lastgroup
            if slot is None:
                continue
            start, end = (m.span(f"{slot}_v") if f"{slot}_v" in m.groupdict() and m.group(f"{slot}_v") else m.span())
            if end <= start:
                continue
            out.append(key[at:start])
            out.append(f"{{{slot}}}" if slot != "person" else "{name}")
            at = end
            if slot != "number" and slot != "url":
                value = line[original_index(line, start):original_index(line, end)].strip()
                values.append(("name" if slot == "person" else slot, value))
        out.append(key[at:])
        spaced = self._spacing.sub(self._space, "".join(out))
        tokens = tuple(spaced.split())
        return Masked(" ".join(tokens), tokens, tuple(values))

    def is_delimiter(self, token: str) -> bool:
        return len(token) == 1 and token in self.delimiter_chars

    def candidates(self, masked: Masked) -> list[str]:
        """The full shape, then the looser ones: fixed prefix + {text}, {text} + fixed suffix, framed {text}."""
        tokens, lim = masked.tokens, self.limits
        shapes = [masked.shape]
        n = len(tokens)

        def free_ok(free: tuple[str, ...], fixed: tuple[str, ...]) -> bool:
            words = sum(1 for t in free if not self.is_delimiter(t))
            limit = lim.max_free_words if literal_words(fixed) else lim.max_name_words
            return 0 < words <= limit and literal_words(free) > 0

        first = next((i for i in range(min(n - 1, lim.max_fixed_words + 1)) if self.is_delimiter(tokens[i])), None)
        if first is not None and free_ok(tokens[first + 1:], tokens[:first + 1]):
            shapes.append(" ".join([*tokens[:first + 1], TEXT]))
        last = next((j for j in range(n - 1, max(0, n - 2 - lim.max_fixed_words), -1)
                     if self.is_delimiter(tokens[j])), None)
        if last is not None and last > 0 and free_ok(tokens[:last], tokens[last:]):
            shapes.append(" ".join([TEXT, *tokens[last:]]))
        k = lim.frame_words
        if n >= 2 * k + 1:
            head, middle, tail = tokens[:k], tokens[k:n - k], tokens[n - k:]
            if literal_words(head) and literal_words(tail) and free_ok(middle, head):
                shapes.append(" ".join([*head, TEXT, *tail]))
        return list(dict.fromkeys(shapes))


@cache
def masker(shapes_file: str = "template_shapes.yaml", rules_file: str = "boilerplate.yaml",
           limits: ShapeLimits | None = None) -> ShapeMasker:
    """One masker per process and setting: compiling the word lists takes a moment."""
    return ShapeMasker(shapes_file, rules_file, limits)
