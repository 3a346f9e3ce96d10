"""Applying a site's learned template to its documents: edge lines of a learned shape are cut and audited.

Only the lead and the bottom edge are touched (`edge_lines` from each end, and a run of template lines that
continues past them); a line in the body stays whatever its shape. The longest line is never cut, so a document
never loses its body. The fields a cut line carries (date, city, byline name, credit) reach the document
through the metadata stage's own extraction, when the document has no value of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyarrow as pa

from builder.arabic import WORD, match_key
from builder.config import CleanConfig
from builder.document import Removal
from builder.site import site_of
from builder.stages.metadata import MetadataExtractor, Span
from builder.templates.counts import BOTTOM, TOP, may_be_furniture
from builder.templates.shapes import ShapeMasker

RULE_PREFIX = "template."
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


class TemplateApplier:
    def __init__(self, book: TemplateBook, masker: ShapeMasker, edge_lines: int, max_line_words: int,
                 metadata: MetadataExtractor, fragment_words: int = CleanConfig.fragment_words):
        self.book = book
        self.fragment_words = fragment_words
        self.max_line_words = max_line_words
        self.masker = masker
        self.edge_lines = edge_lines
        self.metadata = metadata
        self.lines_removed: Counter[str] = Counter()  # per site
        self.docs_changed: Counter[str] = Counter()

    def apply(self, row: dict[str, Any]) -> int:
        """Cut the template lines of `row` in place; the number of lines cut."""
        site = site_of(row)
        top, bottom = self.book.get(site, TOP), self.book.get(site, BOTTOM)
        if not (top or bottom) or not row.get("text"):
            return 0
        parts = row["text"].split("\n")
        lines = [i for i, p in enumerate(parts) if p.strip()]
        texts = [parts[i].strip() for i in lines]
        keep = max(range(len(lines)), key=lambda k: len(texts[k]), default=-1)
        masked: dict[int, Any] = {}

        def shape_at(k: int, shapes: frozenset[str]) -> str | None:
            if not shapes or k == keep or not may_be_furniture(texts, k, self.max_line_words, self.fragment_words):
                return None
            if k not in masked:
                masked[k] = self.masker.mask(texts[k], row.get("title"))
            return next((s for s in self.masker.candidates(masked[k]) if s in shapes), None)

        cut: dict[int, str] = {}
        for order, shapes in ((range(len(lines)), top), (range(len(lines) - 1, -1, -1), bottom)):
            previous_cut = True
            for depth, k in enumerate(order):
                if depth >= self.edge_lines and not previous_cut:
                    break
                shape = cut.get(k) or shape_at(k, shapes)
                previous_cut = shape is not None
                if shape:
                    cut[k] = shape
        if not cut:
            return 0
        removals = [self.removal(site, parts[lines[k]].strip(), masked[k].values) for k in sorted(cut)]
        dropped = {lines[k] for k in cut}
        row["text"] = _BLANKS.sub("\n\n", "\n".join(p for i, p in enumerate(parts) if i not in dropped)).strip()
        row["removed"] = [*(row.get("removed") or []),
                          *({"rule": r.rule, "text": r.text, "detail": cut[k]} for k, r in zip(sorted(cut), removals,
                                                                                             strict=True))]
        row["n_words"] = len(WORD.findall(match_key(row["text"])))
        self.fill_metadata(row, removals)
        self.lines_removed[site] += len(removals)
        self.docs_changed[site] += 1
        return len(removals)

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

