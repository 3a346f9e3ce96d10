"""The match key: the spelling-blind form of Arabic text that rules and dedup compare.

Stored text keeps its spelling and digits; rules, outlet names and duplicate hashes all look at the key,
where diacritics and tatweel are gone, alef forms are one letter, ى/ی are ي, ة is ه, ک is ك and every
digit is ASCII. The key only deletes or replaces single characters, so a position in the key maps back
to the original text (`original_index`).

Every other "key" in the builder starts from `match_key` and flattens one thing more, for one comparison:

- `dedup_key` (here): words only, one space between them. Two texts with the same dedup key are exact copies.
- `rules.name_key`: a name without the brackets, dashes and quotes around it, for outlet and agency lookup.
- `rules.shape_key`: a line without the decoration a site puts around furniture (pipes, bullets, brackets), so
  "| اقرأ أيضاً |" meets the rule for "اقرأ أيضاً".
- `html_meta.site_key`: a site name in lower case, words only, to find it in a <title>.
- `dedup.keys.title_key`: a headline's dedup key, for blocking edited versions of one article.
- `templates.shapes`: a line with its variable parts (names, dates, cities, the headline) masked as slots.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_DROP = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]  # harakat, Quranic marks, tatweel
_DROP += [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_REPLACE = {
    "آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا",
    "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك",
}
_REPLACE.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_REPLACE.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits

KEY_TABLE = {cp: None for cp in _DROP} | {ord(k): v for k, v in _REPLACE.items()}
_DELETED = re.compile("[" + "".join(re.escape(chr(cp)) for cp, to in KEY_TABLE.items() if to is None) + "]")

WORD = re.compile(r"\w+")


@lru_cache(maxsize=1 << 14)
def words_in(text: str) -> int:
    """How many words (`WORD` runs) a line has. Cached: the stages and template phases ask it of the same lines
    again and again (is it prose, a fragment, long enough), and a paragraph costs a list of its words each time."""
    return len(WORD.findall(text))


@lru_cache(maxsize=64)
def _words_up_to(n: int) -> re.Pattern:
    """A text's start up to the first character of its n-th word (n >= 1)."""
    return re.compile(rf"\W*(?:{WORD.pattern}\W+){{{n - 1}}}\w")


def has_words(text: str, n: int) -> bool:
    """`len(WORD.findall(text)) >= n`, reading only as far as the n-th word, in one regex call: a whole document's
    word list is what a check for "at least one word" cost, and a generator over the words costs a step a word."""
    return n <= 0 or _words_up_to(n).match(text) is not None

# How a line ends. A headline never ends in a full stop; a sentence ends in one of SENTENCE_END; the cleaner also
# takes a colon or a closing quote as an end (a line that introduces or closes a quote is not a broken fragment);
# the quality check counts FineWeb-2's terminal punctuation. One base, the differences named where they are used.
FULL_STOPS = (".", "…", "。")
SENTENCE_END = (*FULL_STOPS, "!", "?", "؟")
LINE_END = (*SENTENCE_END, ":", "»", '"', "”")


def in_broken_sentence(lines: list[str], i: int, max_words: int) -> bool:
    """Line i is a short piece of a sentence a scraper broke across lines (a linked name: "ذكرت وكالة \n رويترز
    \n أن ..."): at most `max_words` words, after a line of 8 words or more that runs on (no end mark), with a
    line after it. The cleaner and the template phase spare such a line."""
    return (0 < i < len(lines) - 1 and words_in(lines[i]) <= max_words
            and not lines[i - 1].endswith(LINE_END) and words_in(lines[i - 1]) >= 8)


def code_points(text: str) -> np.ndarray:
    """The text's code points as a uint32 array, for one vectorised table lookup per text."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class Translation:
    """`text.translate(table)` for a table of single characters and deletions, in the forms that are fast to apply:
    `str.translate` with a list looks a code point up by index, not by hashing it (past the list's end a code point
    is left as it is: none there is in the table), and a long text goes through numpy as code points in one
    vectorised lookup. Both give exactly what `text.translate(table)` gives."""

    NUMPY_CHARS = 128  # from about this length numpy's fixed cost is paid back

    def __init__(self, table: dict[int, str | None]):
        if any(to is not None and len(to) != 1 for to in table.values()) or max(table, default=0) >= 0x10000:
            raise ValueError("a Translation maps code points below U+10000 to one character or to nothing")
        self.list: list[int | str | None] = list(range(max(table, default=0) + 1))
        self.codes = np.arange(0x110000, dtype=np.uint32)
        self.keep = np.ones(0x110000, dtype=bool)
        for cp, to in table.items():
            self.list[cp] = to
            if to is None:
                self.keep[cp] = False
            else:
                self.codes[cp] = ord(to)
        self.deletes = not self.keep.all()

    def __call__(self, text: str) -> str:
        if len(text) < self.NUMPY_CHARS:
            return text.translate(self.list)
        codes = code_points(text)
        if self.deletes:
            codes = codes[self.keep[codes]]
        return self.codes[codes].tobytes().decode("utf-32-le", "surrogatepass")


_KEY = Translation(KEY_TABLE)


def match_key(text: str) -> str:
    return _KEY(text)


def original_index(text: str, key_index: int) -> int:
    """Position in `text` of the character at `key_index` in `match_key(text)` (len(text) at the end): the index
    moved past each deleted character at or before it."""
    at = key_index
    for deleted in deleted_positions(text):
        if deleted > at:
            break
        at += 1
    return min(at, len(text))


def deleted_positions(text: str) -> list[int]:
    """Where the characters `match_key` deletes sit in `text`, in order: the regex engine finds the few there are
    faster than a test per character."""
    return [m.start() for m in _DELETED.finditer(text)]


def dedup_key(text: str) -> str:
    """The key with punctuation and spacing differences flattened: what an exact copy shares."""
    return " ".join(WORD.findall(match_key(text)))


PROCLITICS = (("و", "ف"), ("ب", "ل", "ك"), ("ال",))  # peeled in this order, at most one of each group


@lru_cache(maxsize=1 << 17)
def word_forms(token: str) -> tuple[str, ...]:
    """A key token and the forms left after peeling the common proclitics (و ف, then ب ل ك, then ال).
    Cached: news vocabulary is Zipfian, and stance and template matching ask for the same words again and again."""
    forms = [token]
    for prefixes in PROCLITICS:
        base = forms[-1]
        for p in prefixes:
            if base.startswith(p) and len(base) - len(p) >= 2:
                forms.append(base[len(p):])
                break
    return tuple(forms)
