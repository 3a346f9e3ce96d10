"""Input files -> shards, cut by size, not by file.

A big JSONL, Parquet or WARC file becomes several pieces (ranges of records) of equal size, as many as
`input.shard_bytes` needs rounded up to a multiple of `input.piece_multiple`, so 1, 2 or 4 workers finish a file's
pieces together; small files are grouped, so `executor.workers=N` keeps N cores busy on any input. The plan depends
only on the input and those two settings (never on the number of workers: a build resumed with other workers reuses
its finished shards), and a record's id only on its file and position, so any plan gives the same output rows and
values (the Parquet bytes of a big output can differ: the writer's row batches, and so a column's encoding, follow
the shards). Each format says where its files may be cut (`Reader.pieces`); this module turns cut points into pieces
and pieces into shards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.config import InputConfig


@dataclass(frozen=True)
class Piece:
    """Records [start, stop) of one input file (stop None: to the end). `offset` is where record `start`
    begins in the file, when the format can seek there (plain JSONL, WARC); else the reader skips to it."""

    file: str  # path relative to the input root
    start: int = 0
    stop: int | None = None
    offset: int = 0

    def holds(self, position: int) -> bool:
        return position >= self.start and (self.stop is None or position < self.stop)


@dataclass(frozen=True)
class Shard:
    index: int
    pieces: tuple[Piece, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.file for p in self.pieces))


CANDIDATES_PER_SHARD = 64  # where a scan reads the whole file (gzip, WARC): cut points kept per shard's worth


def thinned(candidates: Iterable[tuple[int, int, int]], shard_bytes: int) -> list[tuple[int, int, int]]:
    """Every candidate cut at least shard_bytes / CANDIDATES_PER_SHARD bytes after the last one kept: enough to
    cut equal pieces, few enough to hold for a file of any size."""
    step = max(shard_bytes // CANDIDATES_PER_SHARD, 1)
    kept, next_mark = [], step
    for candidate in candidates:
        if candidate[2] >= next_mark:
            kept.append(candidate)
            next_mark = candidate[2] + step
    return kept


def balanced_cuts(candidates: Iterable[tuple[int, int, int]], total: int, shard_bytes: int,
                  multiple: int) -> list[tuple[int, int]]:
    """Cut points (first record, its offset) for pieces of equal size: ceil(total / shard_bytes) pieces rounded up
    to a multiple of `multiple`. `candidates` are (record, offset, bytes before it) where a piece may start, in
    order; each cut is the first candidate at or past its share of `total` (records bigger than a share give
    fewer pieces). No cuts when the file fits in one shard."""
    if total <= shard_bytes:
        return []
    n = -(-total // shard_bytes)
    n += -n % max(multiple, 1)
    cuts, k = [], 1
    for position, offset, at in candidates:
        if k >= n:
            break
        if position > (cuts[-1][0] if cuts else 0) and at * n >= k * total:  # no empty piece
            cuts.append((position, offset))
            while k < n and at * n >= k * total:
                k += 1
    return cuts


def pieces_at(rel: str, cuts: list[tuple[int, int]], seekable: bool) -> list[Piece]:
    """The pieces between cut points (first record, its byte offset), the first from the file's start; a file that
    cannot seek (gzip) gets offset 0 and is skipped through."""
    starts = [(0, 0), *cuts]
    stops = [position for position, _ in cuts] + [None]
    return [Piece(rel, start, stop, offset if seekable else 0)
            for (start, offset), stop in zip(starts, stops, strict=True)]


def input_files(root: Path) -> list[tuple[Path, str]]:
    """Every file of the input (a file, or a folder's files but hidden ones), in order, with its relative path."""
    if root.is_file():
        return [(root, root.name)]
    return [(p, p.relative_to(root).as_posix()) for p in sorted(p for p in root.rglob("*") if p.is_file())
            if not any(part.startswith(".") for part in p.relative_to(root).parts)]


def plan_shards(root: Path, config: InputConfig, only: set[str] | None = None,
                first: int = 0) -> tuple[list[Shard], Counter]:
    """Cut the input into shards of about `input.shard_bytes`: big files into equal pieces (a multiple of
    `input.piece_multiple` of them), small files grouped in order (page files also at most `input.files_per_shard`
    to a shard). `only`: plan these files (relative paths) alone, as shards numbered from `first`: the files a
    build gained since its last run form new shards, and no earlier shard changes.

    Returns the shards and a count of ignored files by extension (reported, never silently skipped).
    """
    from builder.readers import reader_for  # here, not at the top: every format imports this module's pieces

    ignored: Counter = Counter()
    groups: list[list[Piece]] = []
    size = 0
    for p, rel in input_files(root):
        if only is not None and rel not in only:
            continue
        reader = reader_for(p.name)
        if reader is None:
            ignored[p.suffix or p.name] += 1
            continue
        try:
            file_bytes = p.stat().st_size
            pieces = reader(config).pieces(p, rel, config.shard_bytes, config.piece_multiple)
        except OSError:  # unreadable: one piece, and the reader reports why
            file_bytes, pieces = 0, [Piece(rel)]
        if len(pieces) > 1:  # a big file: its pieces are shards of their own
            groups += [[piece] for piece in pieces]
            size = config.shard_bytes
            continue
        full = groups and (size + file_bytes > config.shard_bytes or len(groups[-1]) >= config.files_per_shard)
        if not groups or full:
            groups.append([])
            size = 0
        groups[-1].append(pieces[0])
        size += file_bytes
    return [Shard(first + i, tuple(g)) for i, g in enumerate(groups)], ignored


def input_base(root: Path) -> Path:
    return root.parent if root.is_file() else root
