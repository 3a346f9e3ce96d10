"""JSON lines, plain or gzipped: one record per line, mapped through `input.fields`."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from builder.document import Doc, Drop
from builder.readers.base import PREVIEW_CHARS, Reader, Rejected
from builder.readers.plan import Piece, balanced_cuts, pieces_at, thinned

log = logging.getLogger(__name__)


def _lines(fh: BinaryIO, cap: int) -> Iterator[bytes | int]:
    """The file's lines; a line longer than `cap` is skipped in bounded chunks and given as its length."""
    while line := fh.readline(cap + 1):
        if len(line) <= cap or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
            size += len(more)
        yield size + len(more)


def _line_starts(fh: BinaryIO, rel: str, end: list[int] | None = None) -> Iterator[tuple[int, int, int]]:
    """(line number, byte offset, offset) of every line start after the first; `end` gets the bytes read. A
    truncated gzip ends the scan: the reader reports it when it gets there."""
    position, offset, line_start = 0, 0, True
    try:
        for chunk in iter(lambda: fh.readline(1 << 24), b""):
            if line_start and offset:  # a piece starts at a line start, never inside a long line
                yield position, offset, offset
            offset += len(chunk)
            line_start = chunk.endswith(b"\n")
            position += line_start
    except (OSError, EOFError) as err:
        log.debug("%s: stopped planning at byte %d: %s", rel, offset, err)
    if end is not None:
        end[0] = offset


class JsonlReader(Reader):
    extensions = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")

    def pieces(self, path: Path, rel: str, shard_bytes: int, multiple: int = 1) -> list[Piece]:
        """Cut at line starts into equal pieces (of uncompressed text). A plain file's size is known, so the scan
        stops at the last cut; a gzip stream's is not, so it is read through once, keeping a few line starts per
        shard as candidates; it cannot seek either, so its pieces are skipped to by reading (cheap next to
        processing them)."""
        gz = path.name.endswith(".gz")
        if path.stat().st_size <= (shard_bytes // 8 if gz else shard_bytes):
            return [Piece(rel)]
        if not gz:
            with path.open("rb") as fh:
                cuts = balanced_cuts(_line_starts(fh, rel), path.stat().st_size, shard_bytes, multiple)
            return pieces_at(rel, cuts, seekable=True)
        end = [0]
        with gzip.open(path, "rb") as fh:
            candidates = thinned(_line_starts(fh, rel, end), shard_bytes)
        return pieces_at(rel, balanced_cuts(candidates, end[0], shard_bytes, multiple), seekable=False)

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        rel, gz = piece.file, path.name.endswith(".gz")
        with path.open("rb") as raw, (gzip.GzipFile(fileobj=raw) if gz else contextlib.nullcontext(raw)) as fh:
            raw.seek(0 if gz else piece.offset)
            position = 0 if gz else piece.start
            for line in _lines(fh, self.max_page_bytes):
                if piece.stop is not None and position >= piece.stop:
                    break
                if position >= piece.start:
                    yield from self.parse(line, rel, position)
                position += 1

    def parse(self, raw: bytes | int, rel: str, position: int) -> Iterator[Doc | Rejected]:
        if isinstance(raw, int):
            yield self.too_large(rel, position, raw, f"line {position + 1}: ")
            return
        if not raw.strip():
            return
        line = self.decode(raw)
        if line is None:
            yield Rejected(rel, position, Drop("undecodable", f"line {position + 1}"))
            return
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as err:  # RecursionError: nested deeper than Python goes
            yield Rejected(rel, position, Drop("malformed_json", f"line {position + 1}: {err}"), line[:PREVIEW_CHARS])
            return
        yield self.record_to_doc(record, rel, position)
