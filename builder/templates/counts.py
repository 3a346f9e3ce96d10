"""Counting line shapes per site: on how many distinct pages each shape sits in the lead or at the bottom edge.

A page counts a shape once per edge. Copies of one story on a site (an update, a re-post) count as one page,
so a story the site ran five times does not look like its template. Memory is bounded: a site keeps its most
frequent shapes only (`max_shapes`), cut back whenever it holds four times that many; a template line is among
the most frequent by definition.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from builder.arabic import dedup_key, in_broken_sentence
from builder.config import CleanConfig
from builder.schema import COUNT_SCHEMA, MERGED_COUNT_SCHEMA
from builder.site import site_of
from builder.templates.shapes import ShapeMasker

TOP, BOTTOM = "top", "bottom"
SITE = "site"  # the row that holds a site's page count
EXAMPLE_CHARS = 200
_DELIMITED = re.compile(r"[-–—_|/:•·«»()]")
VARIANTS = 2  # distinct lines remembered per shape: enough to tell a shape whose free text varies from one line


def page_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def zones(i: int, n: int, edge_lines: int) -> tuple[str, ...]:
    """The edges line i of n sits at: within `edge_lines` of the top, of the bottom, both or neither."""
    return tuple(z for z, near in ((TOP, i < edge_lines), (BOTTOM, n - 1 - i < edge_lines)) if near)


def may_be_furniture(lines: list[str], i: int, max_words: int,
                     fragment_words: int = CleanConfig.fragment_words) -> bool:
    """Line i is neither a paragraph (more than `max_words` words: the costliest to mask, too) nor a piece of a
    sentence a scraper broke across lines: a short undelimited line (a linked word) after a line that runs on,
    with more text after it, as the cleaner judges it (stages/clean.py)."""
    line = lines[i]
    if line.count(" ") >= max_words:
        return False
    return not (in_broken_sentence(lines, i, fragment_words) and not _DELIMITED.search(line))


def line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode(), digest_size=8).digest(), "big", signed=True)


def story_key(lines: list[str]) -> str:
    """What copies of one story share: their longest line."""
    longest = max(lines, key=len, default="")
    return hashlib.blake2b(dedup_key(longest).encode(), digest_size=8).hexdigest()


@dataclass
class SiteCounts:
    pages: int = 0
    shapes: Counter = field(default_factory=Counter)  # (zone, shape) -> pages
    # the first line seen with the shape; in merged counts, the number of the shard whose counts hold it
    examples: dict[tuple[str, str], str | int] = field(default_factory=dict)
    lines: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)  # up to VARIANTS line hashes
    words: Counter = field(default_factory=Counter)  # the most words of its own a line of the shape had

    def prune(self, keep: int) -> None:
        """Keep the `keep` most frequent shapes (ties by zone and shape: deterministic)."""
        top = sorted(self.shapes.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
        self.shapes = Counter(dict(top))
        self.examples = {k: self.examples[k] for k in self.shapes if k in self.examples}
        self.lines = {k: self.lines[k] for k in self.shapes if k in self.lines}
        self.words = Counter({k: self.words[k] for k in self.shapes if k in self.words})

    def variants(self, key: tuple[str, str]) -> int:
        """Distinct lines seen with the shape (counted up to VARIANTS)."""
        return len(self.lines.get(key, ()))

    def add(self, key: tuple[str, str], pages: int, example: str | int, cap: int, lines: Iterable[int],
            words: int) -> None:
        self.shapes[key] += pages
        self.words[key] = max(self.words[key], words)
        self.examples.setdefault(key, example)
        self.lines[key] = tuple(sorted({*self.lines.get(key, ()), *lines}))[:VARIANTS]  # the smallest: any order
        if len(self.shapes) > 4 * cap:
            self.prune(cap)


class ShapeCounter:
    """One shard's pages -> per site, the pages each (edge, shape) appears on."""

    def __init__(self, masker: ShapeMasker, edge_lines: int, max_shapes: int, max_line_words: int,
                 fragment_words: int = CleanConfig.fragment_words):
        self.masker = masker
        self.fragment_words = fragment_words  # the cleaner's: a line this short inside a sentence is part of it
        self.max_line_words = max_line_words
        self.edge_lines = edge_lines
        self.max_shapes = max_shapes
        self.sites: dict[str, SiteCounts] = {}
        self.seen: set[tuple[str, str]] = set()
        self.copies = 0  # pages skipped as another copy of a story already counted for their site

    def add(self, row: Mapping[str, Any]) -> None:
        lines = page_lines(row.get("text") or "")
        if not lines:
            return
        site = site_of(row)
        story = (site, story_key(lines))
        if story in self.seen:
            self.copies += 1
            return
        self.seen.add(story)
        counts = self.sites.setdefault(site, SiteCounts())
        counts.pages += 1
        on_page: dict[tuple[str, str], tuple[str, int]] = {}
        for i, line in enumerate(lines):
            edges = zones(i, len(lines), self.edge_lines)
            if not edges or not may_be_furniture(lines, i, self.max_line_words, self.fragment_words):
                continue
            masked = self.masker.mask(line, row.get("title"))
            for shape in self.masker.candidates(masked):
                for zone in edges:
                    on_page.setdefault((zone, shape), (line, masked.literal_words))
        for key, (line, words) in on_page.items():
            counts.add(key, 1, line[:EXAMPLE_CHARS], self.max_shapes, (line_hash(line),), words)

    def add_all(self, rows: Iterable[Mapping[str, Any]]) -> ShapeCounter:
        for row in rows:
            self.add(row)
        return self

    def table(self) -> pa.Table:
        return counts_table(self.sites, self.max_shapes)


def counts_table(sites: dict[str, SiteCounts], keep: int, merged: bool = False) -> pa.Table:
    """One row per site (its page count) and per (zone, shape) kept; `merged` counts name their example's shard."""
    example = "example_shard" if merged else "example"
    rows = []
    for site in sorted(sites):
        counts = sites[site]
        counts.prune(keep)
        rows.append({"site": site, "zone": SITE, "shape": "", "pages": counts.pages, example: None, "lines": [],
                     "words": 0})
        rows += [{"site": site, "zone": zone, "shape": shape, "pages": n, example: counts.examples.get((zone, shape)),
                  "lines": list(counts.lines.get((zone, shape), ())), "words": counts.words[(zone, shape)]}
                 for (zone, shape), n in sorted(counts.shapes.items(), key=lambda kv: (-kv[1], kv[0]))]
    return pa.Table.from_pylist(rows, schema=MERGED_COUNT_SCHEMA if merged else COUNT_SCHEMA)


def site_share(site: str, parts: int) -> int:
    """Which of `parts` merge tasks counts this site (a stable hash: the same on every run and machine)."""
    return xxhash.xxh64_intdigest(site.encode()) % parts


def of_share(table: pa.Table, part: int, parts: int) -> pa.Table:
    """The rows of the sites that fall to merge task `part`."""
    mine = [site for site in pc.unique(table["site"]).to_pylist() if site_share(site, parts) == part]
    return table.filter(pc.is_in(table["site"], value_set=pa.array(mine, pa.string())))


MERGE_COLUMNS = [n for n in COUNT_SCHEMA.names if n != "example"]  # what the merge sums: not the example lines


def merge(tables: Iterable[pa.Table], keep: int) -> dict[str, SiteCounts]:
    """Shard counts summed per site, in shard order, each site cut back to `keep`; a site's result depends on its
    own rows only, so the sites can be merged in separate tasks. A shape's example is the number of the first
    shard that printed it, not the line: a line for each of a million shapes would be most of the task's memory,
    and only the learned shapes need theirs (`examples`)."""
    sites: dict[str, SiteCounts] = {}
    for shard, table in enumerate(tables):
        for site, zone, shape, pages, lines, words in zip(*(table[n].to_pylist() for n in MERGE_COLUMNS),
                                                          strict=True):
            counts = sites.get(site) or sites.setdefault(site, SiteCounts())
            if zone == SITE:
                counts.pages += pages
            else:
                counts.add((zone, shape), pages, shard, keep, lines, words)
    for counts in sites.values():
        counts.prune(keep)
    return sites


def read_merged(tables: Iterable[pa.Table]) -> dict[str, SiteCounts]:
    """Merged counts back from their tables (`counts_table(..., merged=True)`), as `merge` returned them."""
    sites: dict[str, SiteCounts] = {}
    for table in tables:
        for site, zone, shape, pages, shard, lines, words in zip(
                *(table[n].to_pylist() for n in MERGED_COUNT_SCHEMA.names), strict=True):
            counts = sites.get(site) or sites.setdefault(site, SiteCounts())
            if zone == SITE:
                counts.pages = pages
            else:
                key = (zone, shape)
                counts.shapes[key], counts.words[key], counts.examples[key] = pages, words, shard
                counts.lines[key] = tuple(lines)
    return sites


def examples(wanted: Iterable[tuple[str, str, str, int]], read: Callable[[int], pa.Table]) -> dict:
    """(site, zone, shape) -> its example line, for the (site, zone, shape, shard) asked: each shard read once."""
    by_shard: dict[int, set[tuple[str, str, str]]] = {}
    for site, zone, shape, shard in wanted:
        by_shard.setdefault(shard, set()).add((site, zone, shape))
    found = {}
    for shard, keys in sorted(by_shard.items()):
        table = read(shard)
        for key in zip(*(table[n].to_pylist() for n in ("site", "zone", "shape", "example")), strict=True):
            if key[:3] in keys:
                found[key[:3]] = key[3] or ""
    return found
