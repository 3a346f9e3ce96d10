"""Word lists as regex tries against the longest-first alternation they replaced, in one run.

    python benchmarks/name_lists.py OUT [OUT ...]

OUT is a finished build folder (its `.build/work/docs/` shards are read). The template masker is built twice, once
with every word list (months, agencies, cities, outlets, first names, function words) as the longest-first
alternation of names it was before 2026-12-02 (the named baseline) and once as `builder.lists.alternation` makes
them now; both mask the same edge lines (the first and last four lines of each page, as the template counts do).
Prints one JSON object per build: the lines, the best of three passes for each, the speed-up, and whether every
masked result (shape, tokens, slot values) is the same.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

import builder.lists as lists
from builder.arabic import match_key
from builder.templates import shapes
from builder.templates.counts import page_lines


def longest_first(names: list[str]) -> str:
    """The baseline: every name in turn, the longest first."""
    keys = sorted({match_key(str(n)) for n in names}, key=len, reverse=True)
    return "|".join(lists._name_pattern(k) for k in keys)


def masker_with(alternation: Callable[[list[str]], str]) -> shapes.ShapeMasker:
    saved = lists.alternation, shapes.alternation
    lists.alternation = shapes.alternation = alternation
    try:
        return shapes.ShapeMasker(lists=lists.WordLists())  # a WordLists of its own: fragments built anew
    finally:
        lists.alternation, shapes.alternation = saved


def edge_lines(out: Path) -> list[tuple[str, str | None]]:
    lines = []
    for f in sorted((out / ".build" / "work" / "docs").glob("*.parquet")):
        for row in pq.read_table(f, columns=["text", "title"]).to_pylist():
            page = page_lines(row["text"] or "")
            lines += [(line, row["title"]) for line in page[:4] + page[-4:] if line.count(" ") < 40]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("builds", type=Path, nargs="+")
    args = parser.parse_args()
    maskers = {"longest_first": masker_with(longest_first), "trie": masker_with(lists.alternation)}
    for out in args.builds:
        lines = edge_lines(out)
        best, masked = {}, {}
        for _ in range(3):
            for name, masker in maskers.items():
                started = time.perf_counter()
                masked[name] = [masker.mask(line, title) for line, title in lines]
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
        seconds = {k: round(v, 2) for k, v in best.items()}
        print(json.dumps({"build": out.name, "lines": len(lines), "best_of_3_seconds": seconds,
                          "speedup": round(best["longest_first"] / best["trie"], 2),
                          "same_masks": masked["longest_first"] == masked["trie"]}))


if __name__ == "__main__":
    main()
