"""Parquet: one record per row, mapped through `input.fields`; cut at row groups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from builder.document import Doc
from builder.readers.base import Reader, Rejected
from builder.readers.plan import Piece, balanced_cuts, pieces_at


class ParquetReader(Reader):
    extensions = (".parquet",)

    def pieces(self, path: Path, rel: str, shard_bytes: int, multiple: int = 1) -> list[Piece]:
        """Runs of row groups of equal size (uncompressed); `offset` is the first row group."""
        try:
            meta = pq.ParquetFile(path).metadata
        except Exception:  # a corrupt file: one piece, and the reader reports why
            return [Piece(rel)]
        candidates, size, row = [], 0, 0
        for g in range(meta.num_row_groups):
            candidates.append((row, g, size))
            group = meta.row_group(g)
            size += group.total_byte_size
            row += group.num_rows
        return pieces_at(rel, balanced_cuts(candidates, size, shard_bytes, multiple), seekable=True)

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        file = pq.ParquetFile(path)
        groups, rows = [], piece.start
        for g in range(piece.offset, file.metadata.num_row_groups):
            if piece.stop is not None and rows >= piece.stop:
                break
            groups.append(g)
            rows += file.metadata.row_group(g).num_rows
        position = piece.start
        for batch in file.iter_batches(batch_size=256, row_groups=groups):
            for record in batch.to_pylist():
                yield self.record_to_doc(record, piece.file, position)
                position += 1
