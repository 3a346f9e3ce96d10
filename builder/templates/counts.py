"""Counting line shapes per site: on how many distinct pages each shape sits in the lead or at the bottom edge.

A page counts a shape once per edge. Copies of one story on a site (an update, a re-post) count as one page,
so a story the site ran five times does not look like its template. Memory is bounded: a site keeps its most
frequent shapes only (`max_shapes`), cut back whenever it holds four times that many; a template line is among
the most frequent by definition.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from builder.arabic import FULL_STOPS, SENTENCE_END, WORD, dedup_key, has_words, in_broken_sentence, words_in
from builder.config import CleanConfig, TemplatesConfig
from builder.schema import COUNT_SCHEMA, MERGED_COUNT_SCHEMA
from builder.site import site_of
from builder.templates.shapes import Masked, ShapeMasker

TOP, BOTTOM = "top", "bottom"
PREFIX, SUFFIX = "prefix", "suffix"  # furniture glued before a body line's first sentence, after its last
CLOCK_SLOTS = frozenset({"{time}", "{date}"})  # what a prefix without a delimiter may be: "10:45 ص "
FRAGMENT_LINES = 2  # the long lines (Edges.prose_words) at each end of a page whose glued prefix / suffix counts
SITE = "site"  # the row that holds a site's page count
EXAMPLE_CHARS = 200
_DELIMITED = re.compile(r"[-–—_|/:•·«»()]")
VARIANTS = 2  # distinct lines remembered per shape: enough to tell a shape whose free text varies from one line


def page_lines(text: str) -> list[str]:
    return [stripped for line in text.split("\n") if (stripped := line.strip())]


def is_prose(line: str, words: int) -> bool:
    """A paragraph: `words` words or more, ending like a sentence."""
    return line.rstrip(' "»”)').endswith(SENTENCE_END) and has_words(line, words)


def edge_zones(lines: list[str], prose_words: int) -> tuple[int, int]:
    """(first prose line, one past the last): the lead zone is the lines above the first, the bottom zone the
    lines below the last; a page with no prose line is all edge."""
    first = next((i for i, line in enumerate(lines) if is_prose(line, prose_words)), None)
    if first is None:
        return len(lines), 0
    return first, next(i for i in range(len(lines) - 1, first - 1, -1) if is_prose(lines[i], prose_words)) + 1


def zone_depths(lines: list[str], edge_lines: int, prose_words: int, max_lines: int) -> tuple[int, int]:
    """How many lines from the top and from the bottom are edge: to the first (last) prose paragraph, at least
    `edge_lines`, at most `max_lines`."""
    top_end, bottom_start = edge_zones(lines, prose_words)
    return (max(edge_lines, min(top_end, max_lines)), max(edge_lines, min(len(lines) - bottom_start, max_lines)))


def zones(i: int, n: int, depths: tuple[int, int]) -> tuple[str, ...]:
    """The edges line i of n sits at: within the lead's depth from the top, the bottom's from the bottom, both or
    neither."""
    return tuple(z for z, near in ((TOP, i < depths[0]), (BOTTOM, n - 1 - i < depths[1])) if near)


_FRAGMENT_DELIMITER = re.compile(r"[:\-–—|/]+")
_SPACED_WORD = re.compile(r"\S+\s+")
_SENTENCE_BREAK = re.compile(r"[.!?؟…]+[\s\u200f]+(?=\S)")
_CLOSING_MARK = re.compile(r"(?:[\s\u200f]*\([^()]{1,40}\)\.?|[\s\u200f]+[-–—]+\s*[^\s\-–—][^\-–—]{0,30})[\s\u200f]*$")


@dataclass(frozen=True)
class Edges:
    """Where a page's edges end and what may be glued to its body lines (TemplatesConfig's values)."""

    lines: int = TemplatesConfig.edge_lines
    prose_words: int = TemplatesConfig.zone_prose_words
    max_lines: int = TemplatesConfig.max_zone_lines
    prefix_words: int = TemplatesConfig.glued_prefix_words
    suffix_words: int = TemplatesConfig.glued_suffix_words
    min_rest: int = TemplatesConfig.glued_min_rest

    @classmethod
    def of(cls, cfg: TemplatesConfig) -> Edges:
        return cls(cfg.edge_lines, cfg.zone_prose_words, cfg.max_zone_lines, cfg.glued_prefix_words,
                   cfg.glued_suffix_words, cfg.glued_min_rest)

    def depths(self, lines: list[str]) -> tuple[int, int]:
        return zone_depths(lines, self.lines, self.prose_words, self.max_lines)

    def glued(self, lines: list[str], top: Iterable[int] = (), bottom: Iterable[int] = (), title: str | None = None
              ) -> list[tuple[int, str, str]]:
        """(line, PREFIX or SUFFIX, piece) for the pieces that may be glued furniture: prefixes of the page's first
        long lines (and of the lines `top` names), suffixes of its last long lines (and of `bottom`'s)."""
        def long(order: Iterable[int]) -> list[int]:  # the first FRAGMENT_LINES long lines in this order
            return list(itertools.islice((i for i in order if has_words(lines[i], self.prose_words)), FRAGMENT_LINES))

        heads = sorted({*long(range(len(lines))), *top})
        tails = sorted({*long(range(len(lines) - 1, -1, -1)), *bottom})
        return [*((i, PREFIX, p) for i in heads for p in prefixes(lines[i], self.prefix_words, self.min_rest)),
                *((i, SUFFIX, p) for i in tails
                  for p in suffixes(lines[i], self.suffix_words, self.min_rest, title, self.prefix_words))]


def glued_shape(masker: ShapeMasker, zone: str, piece: str, title: str | None) -> Masked | None:
    """The shape of a glued piece, or None when it cannot be furniture: a prefix without a delimiter that is more
    than a time stamp ("الحكومة المصرية", "القاهرة" opening a sentence), a tail that ends like a sentence (the
    last sentence). An unmarked prefix (`ShapeMasker.unmarked`) is neither when the clock slots need a digit: it is
    not masked at all, and most prefixes, a line's first words, are."""
    if zone == PREFIX and masker.digit_slots >= CLOCK_SLOTS and masker.unmarked(piece):
        return None
    masked = masker.mask(piece.strip(), title)
    if not masked.tokens:
        return None
    if zone == PREFIX and not any(map(masker.is_delimiter, masked.tokens)) and \
            not all(t in CLOCK_SLOTS for t in masked.tokens):
        return None
    if zone == SUFFIX and "(" not in piece and piece.rstrip().endswith(FULL_STOPS) and "{title}" not in masked.tokens:
        return None
    return masked


def prefixes(line: str, max_words: int, min_rest: int) -> list[str]:
    """Pieces of the line's start that may be furniture glued to it: up to a delimiter within its first
    `max_words` words ("سبق- وكالات: ", "القاهرة - "), or its first one to three words ("10:45 ص "), each with
    `min_rest` words or more after it. Longest first."""
    out = []  # a head ends in a delimiter or a space, so the words after it are the rest's: read up to min_rest
    for m in _FRAGMENT_DELIMITER.finditer(line):
        head = line[:m.end()]
        if has_words(head, max_words + 1):
            break
        if m.end() < len(line) and not line[m.end()].isspace():
            continue  # inside a word or a number ("05:35", "COVID-19")
        end = m.end() + len(line[m.end():]) - len(line[m.end():].lstrip())
        if has_words(head, 1) and has_words(line[m.end():], min_rest):
            out.append(line[:end])
    for w in itertools.islice(_SPACED_WORD.finditer(line), 3):
        if has_words(line[w.end():], min_rest):
            out.append(line[:w.end()])
    return sorted(set(out), key=lambda p: (-len(p), p))


def suffixes(line: str, max_words: int, min_rest: int, title: str | None = None, lead_words: int = 6) -> list[str]:
    """Pieces of the line's end that may be furniture glued to it: what follows one of its sentence ends within the
    last `max_words` words ("رابط الخبر: ..."), a closing mark ("(كونا)", "- أ ف ب"), or, when the line ends with
    the page's own headline (a back-link), the headline with up to `lead_words` words before it. Longest first."""
    before: dict[str, int] = {}  # piece -> words of the line before it
    seen, at, total = 0, 0, None  # the line's words counted only when it has a sentence break: most have none
    for m in _SENTENCE_BREAK.finditer(line):  # a break ends in a space: the words before and after it add up
        seen, at = seen + len(WORD.findall(line, at, m.end())), m.end()
        total = words_in(line) if total is None else total
        if total - seen <= max_words:
            before[line[at:]] = seen
    out = []
    if (mark := closing_mark(line)) is not None:
        out.append(line[mark:])
    title = (title or "").strip()
    if len(title.split()) >= 3 and line.rstrip().endswith(title):
        for w in list(re.finditer(r"\S+", line[:line.rstrip().rfind(title)]))[::-1][:lead_words]:
            if w.group().endswith(SENTENCE_END):
                break  # the body's sentence: the back-link starts after it
            out.append(line[w.start():])
    for s in out:
        before.setdefault(s, len(WORD.findall(line, 0, len(line) - len(s))))
    return sorted({s for s, words in before.items() if s.strip() and words >= min_rest}, key=lambda p: (-len(p), p))


def closing_mark(line: str) -> int | None:
    """Where the line's closing mark (`_CLOSING_MARK`) starts, if it has one. It holds the line's last "(" or last
    dash, with only dashes and spacing before it in the mark: the regex is searched from there, not along the
    whole paragraph."""
    at = min((i for i in (line.rfind("("), line.rfind("-"), line.rfind("–"), line.rfind("—")) if i >= 0), default=-1)
    if at < 0:
        return None
    while at and (line[at - 1] in "-–—\u200f" or line[at - 1].isspace()):
        at -= 1
    return m.start() if (m := _CLOSING_MARK.search(line, at)) else None


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

    def add(self, key: tuple[str, str], pages: int, example: str | int, cap: int, lines: Sequence[int],
            words: int) -> None:
        self.shapes[key] = self.shapes.get(key, 0) + pages  # not Counter's __missing__: a Python call per new key
        if words >= self.words.get(key, 0):
            self.words[key] = words
        self.examples.setdefault(key, example)
        known = self.lines.get(key, ())
        if len(known) < VARIANTS or any(h < known[-1] for h in lines):  # else the smallest stay as they are
            self.lines[key] = tuple(sorted({*known, *lines}))[:VARIANTS]  # the smallest: any order
        if len(self.shapes) > 4 * cap:
            self.prune(cap)


class ShapeCounter:
    """One shard's pages -> per site, the pages each (edge, shape) appears on."""

    def __init__(self, masker: ShapeMasker, edge_lines: int, max_shapes: int, max_line_words: int,
                 fragment_words: int = CleanConfig.fragment_words, edges: Edges | None = None):
        self.masker = masker
        self.fragment_words = fragment_words  # the cleaner's: a line this short inside a sentence is part of it
        self.max_line_words = max_line_words
        self.edges = edges or Edges(lines=edge_lines)
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
        title = row.get("title")
        on_page: dict[tuple[str, str], tuple[str, int]] = {}
        depths = self.edges.depths(lines)
        for i, line in enumerate(lines):
            edges = zones(i, len(lines), depths)
            if not edges or not may_be_furniture(lines, i, self.max_line_words, self.fragment_words):
                continue
            masked = self.masker.mask(line, title)
            for shape in self.masker.candidates(masked):
                for zone in edges:
                    on_page.setdefault((zone, shape), (line, masked.literal_words))
        for _, zone, piece in self.edges.glued(lines, title=title):
            if masked := glued_shape(self.masker, zone, piece, title):
                on_page.setdefault((zone, masked.shape), (piece.strip(), masked.literal_words))
        hashes: dict[str, tuple[int]] = {}  # a line has a shape per candidate and edge: hashed once
        for key, (line, words) in on_page.items():
            if line not in hashes:
                hashes[line] = (line_hash(line),)
            counts.add(key, 1, line[:EXAMPLE_CHARS], self.max_shapes, hashes[line], words)

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
