"""Applying a site's learned template to its documents: edge lines of a learned shape are cut and audited.

Only the lead and the bottom edge are touched: the lines from each end to the first (last) prose paragraph
(`Edges.depths`: at least `edge_lines`), and a run of template lines that continues past them; a line in the
body stays whatever its shape. A line there that is a headline of the corpus (another document's title) is
furniture by that evidence, and a short learned line heading a run of headline-like lines that ends at other
furniture or the page's end is cut with the run (a related-headlines block); a run of corpus headlines inside
the body is cut with its short heading too. A learned prefix or suffix glued to one of the first or last long
lines ("سبق- وكالات: ", " رابط الخبر: ...") is cut from it, the line kept. The longest line is never cut, so a
document never loses its body. Every cut is audited in `removed`. The fields a cut carries (date, city, byline
name, credit) reach the document through the metadata stage's own extraction, when it has no value of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyarrow as pa

from builder.arabic import FULL_STOPS, WORD, has_words, match_key
from builder.config import CleanConfig
from builder.document import Removal
from builder.site import site_of
from builder.stages.metadata import MetadataExtractor, Span
from builder.templates.counts import BOTTOM, PREFIX, SUFFIX, TOP, Edges, glued_shape, line_hash, may_be_furniture
from builder.templates.shapes import ShapeMasker

RULE_PREFIX = "template."
HEADLINE = "{headline}"  # the detail of a line cut as a headline of the corpus or a line of a related block
METADATA_FIELDS = ("published", "dateline", "byline", "credit")
_BLANKS = re.compile(r"\n{3,}")




class TemplateBook:
    """The learned shapes, per site and edge."""

    def __init__(self, shapes: dict[str, dict[str, frozenset[str]]]):
        self.shapes = shapes

    @classmethod
    def from_table(cls, table: pa.Table) -> TemplateBook:
        grouped: dict[str, dict[str, set[str]]] = {}
        for row in table.select(["site", "zone", "shape"]).to_pylist():
            grouped.setdefault(row["site"], {}).setdefault(row["zone"], set()).add(row["shape"])
        return cls({site: {zone: frozenset(s) for zone, s in zones.items()} for site, zones in grouped.items()})

    def get(self, site: str, zone: str) -> frozenset[str]:
        return self.shapes.get(site, {}).get(zone, frozenset())


def headline_key(line: str) -> int | None:
    """A title's (or a line's) hash as the corpus's titles are kept: its match key, 3 words or more."""
    key = " ".join(match_key(line).split())
    return line_hash(key) if len(key.split()) >= 3 else None


class TemplateApplier:
    def __init__(self, book: TemplateBook, masker: ShapeMasker, edge_lines: int, max_line_words: int,
                 metadata: MetadataExtractor, fragment_words: int = CleanConfig.fragment_words,
                 edges: Edges | None = None, titles: frozenset[int] = frozenset(), block_max_words: int = 25,
                 heading_max_words: int = 5):
        self.book = book
        self.fragment_words = fragment_words
        self.max_line_words = max_line_words
        self.masker = masker
        self.edges = edges or Edges(lines=edge_lines)
        self.titles = titles  # headline_key of every title in the corpus
        self.block_max_words = block_max_words
        self.heading_max_words = heading_max_words
        self.metadata = metadata
        self.lines_removed: Counter[str] = Counter()  # per site
        self.docs_changed: Counter[str] = Counter()

    def headline_like(self, line: str) -> bool:
        """Short, and not ending like a sentence: another story's headline, as a related block lists it."""
        return (not line.rstrip().endswith(FULL_STOPS) and has_words(line, 2)
                and not has_words(line, self.block_max_words + 1))

    def corpus_headline(self, line: str) -> bool:
        return bool(self.titles) and self.headline_like(line) and headline_key(line) in self.titles

    def apply(self, row: dict[str, Any]) -> int:
        """Cut the template lines (and glued pieces) of `row` in place; the number of cuts."""
        site = site_of(row)
        top, bottom = self.book.get(site, TOP), self.book.get(site, BOTTOM)
        prefix, suffix = self.book.get(site, PREFIX), self.book.get(site, SUFFIX)
        if not (top or bottom or prefix or suffix or self.titles) or not row.get("text"):
            return 0
        parts = row["text"].split("\n")
        lines = [i for i, p in enumerate(parts) if p.strip()]
        texts = [parts[i].strip() for i in lines]
        n = len(texts)
        keep = max(range(n), key=lambda k: len(texts[k]), default=-1)
        masked: dict[int, Any] = {}
        title = row.get("title")
        cut, depths = self.lines_cut(texts, keep, top, bottom, masked, title)
        glued, rest = self.glued(texts, cut, prefix, suffix, title, depths)
        if rest:  # a line that lost its glued piece may now end a paragraph: the lines below it are judged again
            texts = [rest.get(k, text) for k, text in enumerate(texts)]
            masked.clear()
            cut, _ = self.lines_cut(texts, keep, top, bottom, masked, title)
        if not cut and not glued:
            return 0
        removals: list[tuple[int, Removal, str]] = []
        for k in sorted(cut):
            values = masked[k].values if k in masked else ()
            removals.append((k, self.removal(site, texts[k], values), cut[k]))
        for k, piece, shape in glued:
            removals.append((k, self.removal(site, piece.strip(), shape.values), shape.shape))
        for k, text in rest.items():
            parts[lines[k]] = text
        removals.sort(key=lambda r: r[0])  # stable: a line's prefix before its suffix
        dropped = {lines[k] for k in cut}
        row["text"] = _BLANKS.sub("\n\n", "\n".join(p for i, p in enumerate(parts) if i not in dropped)).strip()
        row["removed"] = [*(row.get("removed") or []),
                          *({"rule": r.rule, "text": r.text, "detail": detail} for _, r, detail in removals)]
        row["n_words"] = len(WORD.findall(match_key(row["text"])))
        self.fill_metadata(row, [r for _, r, _ in removals])
        self.lines_removed[site] += len(removals)
        self.docs_changed[site] += 1
        return len(removals)

    def lines_cut(self, texts: list[str], keep: int, top: frozenset[str], bottom: frozenset[str],
                  masked: dict[int, Any], title: str | None) -> tuple[dict[int, str], tuple[int, int]]:
        """Line -> the shape it is cut as (HEADLINE for a corpus headline or a block's line), from each edge to
        the first (last) prose paragraph and on while lines are cut; and the two zones' depths."""
        n = len(texts)

        def shape_at(k: int, shapes: frozenset[str]) -> str | None:
            if k == keep:
                return None
            if self.corpus_headline(texts[k]):
                return HEADLINE
            if not shapes or not may_be_furniture(texts, k, self.max_line_words, self.fragment_words):
                return None
            if k not in masked:
                masked[k] = self.masker.mask(texts[k], title)
            return next((s for s in self.masker.candidates(masked[k]) if s in shapes), None)

        cut: dict[int, str] = {}
        depths = self.edges.depths(texts)
        for order, shapes, depth in ((range(n), top, depths[0]), (range(n - 1, -1, -1), bottom, depths[1])):
            previous_cut = True
            for at, k in enumerate(order):
                if at >= depth and not previous_cut:
                    break
                shape = cut.get(k) or shape_at(k, shapes)
                previous_cut = shape is not None
                if shape:
                    cut[k] = shape
        self.blocks(texts, cut, keep)
        return cut, depths

    def blocks(self, texts: list[str], cut: dict[int, str], keep: int) -> None:
        """Related-headline blocks, cut in place: a short cut line followed by headline-like lines up to other
        furniture or the page's end; and inside the body, a run of headline-like lines holding corpus headlines
        at least half the time, with the short line that heads it."""
        n = len(texts)
        for k in sorted(cut):
            if len(WORD.findall(texts[k])) > self.heading_max_words or cut[k] == HEADLINE:
                continue
            j = k + 1
            while j < n and j != keep and (j in cut or self.headline_like(texts[j])):
                j += 1
            end = j if j == n else max((i + 1 for i in range(k + 1, j) if i in cut), default=k + 1)
            cut.update({i: HEADLINE for i in range(k + 1, end) if i not in cut})
        if not self.titles:
            return

        def free(j: int) -> bool:
            return 0 <= j < n and j not in cut and j != keep

        k = 0
        while k < n:
            if k in cut or not self.corpus_headline(texts[k]):
                k += 1
                continue
            start = end = k
            while free(start - 1) and self.headline_like(texts[start - 1]):
                start -= 1
            while free(end + 1) and self.headline_like(texts[end + 1]):
                end += 1
            run = range(start, end + 1)
            known = sum(map(self.corpus_headline, (texts[i] for i in run)))
            if known * 2 >= len(run) and (len(run) >= 2 or start - 1 in cut or end + 1 in cut):
                heading = start - 1
                if free(heading) and len(WORD.findall(texts[heading])) <= self.heading_max_words:
                    cut[heading] = HEADLINE
                cut.update(dict.fromkeys(run, HEADLINE))
            k = end + 1

    def glued(self, texts: list[str], cut: dict[int, str], prefix: frozenset[str], suffix: frozenset[str],
              title: str | None, depths: tuple[int, int]) -> tuple[list[tuple[int, str, Any]], dict[int, str]]:
        """The learned prefixes and suffixes glued to the first or last long lines left or to a line of the edge
        zones, (line, piece, its shape) each, the longest learned piece of each kind per line; and what those
        lines keep."""
        if not (prefix or suffix):
            return [], {}
        left = [k for k in range(len(texts)) if k not in cut]
        n = len(texts)
        top = [i for i, k in enumerate(left) if k < depths[0]]
        bottom = [i for i, k in enumerate(left) if n - 1 - k < depths[1]]
        pieces: list[tuple[int, str, Any]] = []
        rest: dict[int, str] = {}
        done: set[tuple[int, str]] = set()
        for i, zone, piece in self.edges.glued([texts[k] for k in left], top, bottom, title):
            k, shapes = left[i], prefix if zone == PREFIX else suffix
            line = rest.get(k, texts[k])
            if (k, zone) in done or not shapes or not (line.startswith(piece) if zone == PREFIX
                                                       else line.endswith(piece)):
                continue
            shape = glued_shape(self.masker, zone, piece, title)
            if shape is None or shape.shape not in shapes:
                continue
            done.add((k, zone))
            pieces.append((k, piece, shape))
            rest[k] = (line[len(piece):] if zone == PREFIX else line[:len(line) - len(piece)]).strip()
        return pieces, rest

    @staticmethod
    def removal(site: str, line: str, values: tuple[tuple[str, str], ...]) -> Removal:
        fields: dict[str, str] = {}
        for slot, value in values:
            fields.setdefault(slot, value)
        return Removal(RULE_PREFIX + site, line, fields)

    def fill_metadata(self, row: dict[str, Any], removals: list[Removal]) -> None:
        """The metadata stage reads the cut lines as it reads the rules' cuts: a line with a city as a dateline,
        one with a source as a credit, any other as a date line; its fields fill only what the row lacks."""
        spans = [Span("dateline" if "city" in r.fields else "credit" if "source" in r.fields else "published",
                      dict(r.fields)) for r in removals if r.fields]
        if not spans or all(row.get(f) is not None for f in METADATA_FIELDS):
            return
        found = self.metadata.read(spans)
        for name in METADATA_FIELDS:
            if row.get(name) is None and getattr(found, name) is not None:
                row[name] = getattr(found, name)


def site_stats(applier: TemplateApplier) -> dict[str, dict[str, int]]:
    return {site: {"lines": applier.lines_removed[site], "docs": applier.docs_changed[site]}
            for site in sorted(applier.lines_removed)}


def is_template_rule(rule: str) -> bool:
    return rule.startswith(RULE_PREFIX)

