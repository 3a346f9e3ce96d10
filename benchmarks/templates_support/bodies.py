"""Clean article bodies from the real corpora in ../shared/eval, read at run time and never written into the
repository (their licences forbid copying the text).

A body is used only if it looks free of its own furniture, because whatever furniture it carried would count as
body in the gold. The filter (`clean_paragraphs`): after HTML-unescaping and dropping blank / no-break-space lines,
3 to 12 paragraphs, each of at least 8 words, 80 to 1,200 words in all, at least 90% of the letters Arabic; no
paragraph with a read-also / related / click / link / hashtag / mention / copyright / photo / source / byline /
agency / CNN-BBC marker; no paragraph that opens with "(" or ends with ")"; a last paragraph of at least 12 words
(agency sign-offs are short); no paragraph with ":" or a dash among its first six words (where a
dateline or byline sits, also mid-body where a second story starts). Titles: 3 to 25 words on one line.

Selection is deterministic: candidates are ordered by a seeded hash within each (corpus, outlet), the outlets
taken in turn, and `BodyPool.take` hands each one out once.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

EVAL = Path("/work/shared/eval")
EGYPT = EVAL / "egypt_news_2013_newscred" / "by_outlet"
ANT_MULTI = EVAL / "ant_corpus_multisource" / "ant_multisource_v2.1.jsonl.gz"
ANT_JAWHARA = EVAL / "ant_corpus_jawharafm" / "ant_jawharafm_v1.1.jsonl.gz"
ENGLISH_OUTLETS = {"englishAhram", "englishFjp"}
EGYPT_ROWS_PER_OUTLET = 2500  # the first rows of each outlet file: enough candidates, and a fast read

MARKERS = re.compile(
    r"اقرأ|إقرأ|اقرا|متعلقة|ذات صلة|اضغط|إضغط|للمزيد|لمزيد|http|www\.|\.com|@|#|©|CNN|BBC|رويترز|فرانس برس|"
    r"أ ف ب|أ\.ف\.ب|د ب أ|أ ش أ|الأناضول|وكالات|بقلم|كتب:|كتبت:|تابعونا|تابعوا|صورة|الصورة|المصدر:|هذا المقال|"
    r"شارك|تحرير|مراسل|\|"
)
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Body:
    """One article: its headline and its paragraphs, and where it came from (corpus, row key)."""

    title: str
    paragraphs: tuple[str, ...]
    source: str


def _lines(text: str) -> list[str]:
    text = html.unescape(text).replace("\xa0", " ").replace("\r", "\n")
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def clean_paragraphs(title: str, body: str) -> tuple[str, tuple[str, ...]] | None:
    """The (title, paragraphs) of a body that passes the filter in the module docstring, else None."""
    title_lines = _lines(title or "")
    paras = _lines(body or "")
    if len(title_lines) != 1 or not 3 <= len(title_lines[0].split()) <= 25 or not 3 <= len(paras) <= 12:
        return None
    words = [len(p.split()) for p in paras]
    if min(words) < 8 or not 80 <= sum(words) <= 1200 or words[-1] < 12:
        return None
    joined = " ".join(paras)
    letters = len(LETTER.findall(joined))
    if not letters or len(ARABIC_LETTER.findall(joined)) / letters < 0.9:
        return None
    if any(MARKERS.search(p) or p.startswith("(") or p.endswith(")") for p in paras):
        return None
    for p in paras:  # a dateline or byline sits in a paragraph's first words, mid-body too (a second story)
        head = " ".join(p.split()[:6])
        if ":" in head or re.search(r"\s[-–—]\s|[-–—]\s|\s[-–—]", head):
            return None
    return title_lines[0], tuple(paras)


def _rows() -> Iterator[tuple[str, str, str]]:
    """(source key, title, body) from the three corpora, Arabic outlets only."""
    for path in sorted(EGYPT.glob("*.jsonl.gz")):
        outlet = path.name.removesuffix(".jsonl.gz")
        if outlet in ENGLISH_OUTLETS:
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for i, row in enumerate(map(json.loads, islice(fh, EGYPT_ROWS_PER_OUTLET))):
                yield f"egypt/{outlet}/{i}", row.get("title") or "", row.get("body") or ""
    for name, path in (("ant_multi", ANT_MULTI), ("ant_jawhara", ANT_JAWHARA)):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for i, row in enumerate(map(json.loads, fh)):
                yield f"{name}/{row.get('src')}/{i}", row.get("title") or "", row.get("text") or ""


class BodyPool:
    """Every clean body of the corpora in a seeded order; `take` hands out each body once, `headlines` gives
    titles of rows that are never used as bodies (for related-headline blocks)."""

    def __init__(self, seed: int = 0) -> None:
        clean: list[Body] = []
        spare: list[str] = []
        seen: set[str] = set()
        for source, title, body in _rows():
            got = clean_paragraphs(title, body)
            key = hashlib.sha1("\n".join(got[1]).encode()).hexdigest() if got else None
            if got and key not in seen and got[0] not in seen:
                seen.update((key, got[0]))
                clean.append(Body(got[0], got[1], source))
            elif title.strip() and "\n" not in title.strip():
                spare.append(" ".join(html.unescape(title).split()))

        def order(key: str) -> str:
            return hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()

        groups: dict[str, list[Body]] = {}
        for body in sorted(clean, key=lambda b: order(b.source)):
            groups.setdefault(body.source.rsplit("/", 1)[0], []).append(body)
        # round robin over (corpus, outlet), so every outlet's writing shows up in every size of the benchmark
        ranked = [(i, name, b) for name, group in groups.items() for i, b in enumerate(group)]
        self.bodies = [b for _, _, b in sorted(ranked, key=lambda t: (t[0], t[1]))]
        self.spare_titles = sorted({t for t in spare if 4 <= len(t.split()) <= 18 and t not in seen}, key=order)
        self._next = 0
        self._next_title = 0

    def take(self) -> Body:
        if self._next >= len(self.bodies):
            raise RuntimeError(f"only {len(self.bodies)} clean bodies in the corpora")
        self._next += 1
        return self.bodies[self._next - 1]

    def headlines(self, n: int) -> list[str]:
        out = [self.spare_titles[(self._next_title + i) % len(self.spare_titles)] for i in range(n)]
        self._next_title += n
        return out
