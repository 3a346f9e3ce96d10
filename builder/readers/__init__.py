"""Readers: scraped pages in any supported format -> raw documents, and input files -> shards.

One module per input format turns a file (or a piece of one) into documents and nothing else: `jsonl` (JSON lines
as .jsonl, .jl, .ndjson, and .json which may be an array), `parquet`, `warc`, `pages` (.txt/.html files). Beside
them: `decode` (bytes -> text), `plan` (files -> shards), `base` (the contract they share). This module registers
the formats and runs the read stage over a shard.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from builder.config import InputConfig
from builder.document import Doc, Drop
from builder.readers.base import Reader, Rejected
from builder.readers.decode import Decoded, decode
from builder.readers.jsonl import JsonlReader, JsonReader
from builder.readers.pages import PageFileReader
from builder.readers.parquet import ParquetReader
from builder.readers.plan import Piece, Shard, balanced_cuts, input_base, plan_shards
from builder.readers.warc import WarcReader
from builder.stages.base import Stage
from builder.stats import StageStats

__all__ = ["READERS", "Decoded", "Piece", "ReadStage", "Reader", "Rejected", "Shard", "balanced_cuts", "decode",
           "input_base", "plan_shards", "read_items", "read_shard", "reader_for"]

READERS: tuple[type[Reader], ...] = (JsonlReader, JsonReader, ParquetReader, PageFileReader, WarcReader)


def reader_for(name: str) -> type[Reader] | None:
    lower = name.lower()
    return next((r for r in READERS if lower.endswith(r.extensions)), None)


class ReadStage(Stage):
    """The first stage: one input per record or page file; what no reader could use is dropped with its reason."""

    name = "read"

    def process(self, item: Doc | Rejected) -> Doc | Drop:
        return item.drop if isinstance(item, Rejected) else item


def read_items(shard: Shard, root: Path, config: InputConfig, stats: StageStats) -> Iterator[Doc | Rejected]:
    """Every record of every piece of a shard. No file can stop the build: whatever breaks a reader (a truncated
    gzip, a corrupt Parquet or WARC) ends that piece with an `unreadable_file` item after what was read."""
    base = input_base(root)
    for piece in shard.pieces:
        items = reader_for(piece.file)(config, stats).read(base / piece.file, piece)
        while True:
            try:
                item = next(items)
            except StopIteration:
                break
            except Exception as err:  # the boundary with arbitrary bytes: any failure is the file's
                yield Rejected(piece.file, -1 - piece.start, Drop("unreadable_file", f"{type(err).__name__}: {err}"))
                break
            yield item


def read_shard(shard: Shard, root: Path, config: InputConfig, stats: StageStats,
               rejects: list[dict]) -> Iterator[Doc]:
    return ReadStage().run(read_items(shard, root, config, stats), stats, rejects)
