"""JSON lines, plain or gzipped: one record per line, mapped through `input.fields`; and .json files, which
scrapers write either as JSON lines or as one JSON array of records."""

from __future__ import annotations

import codecs
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


def _open(path: Path) -> BinaryIO:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")


def _is_array(path: Path) -> bool:
    """Whether the file's first byte after a BOM and white space is `[`: one JSON array, not JSON lines (whose
    records are objects). A file that cannot be read says no: the line reader reports it."""
    try:
        with _open(path) as fh:
            head = fh.read(1 << 16).removeprefix(codecs.BOM_UTF8)
            while head and not head.lstrip():
                head = fh.read(1 << 16)
    except (OSError, EOFError):
        return False
    return head.lstrip().startswith(b"[")


class JsonlReader(Reader):
    extensions = (".jsonl", ".jsonl.gz", ".jl", ".jl.gz", ".ndjson", ".ndjson.gz")

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


class JsonReader(JsonlReader):
    """.json(.gz): JSON lines, or one JSON array of records. An array cannot be cut nor read a record at a time
    with the standard library, so it is read whole, one piece, and may be at most `input.max_page_bytes`."""

    extensions = (".json", ".json.gz")

    def pieces(self, path: Path, rel: str, shard_bytes: int, multiple: int = 1) -> list[Piece]:
        return [Piece(rel)] if _is_array(path) else super().pieces(path, rel, shard_bytes, multiple)

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        if not _is_array(path):
            yield from super().read(path, piece)
            return
        rel = piece.file
        with _open(path) as fh:
            data = fh.read(self.max_page_bytes + 1)
        if len(data) > self.max_page_bytes:
            detail = (f"a JSON array is read whole and this one is over input.max_page_bytes={self.max_page_bytes:,}"
                      " bytes: write it as JSON lines (one record a line), which have no such limit")
            yield Rejected(rel, 0, Drop("json_array_too_large", detail))
            return
        text = self.decode(data)
        if text is None:
            yield Rejected(rel, 0, Drop("undecodable", "JSON array file"))
            return
        try:
            records = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:
            yield Rejected(rel, 0, Drop("malformed_json", f"JSON array: {err}"), text[:PREVIEW_CHARS])
            return
        for position, record in enumerate(records):
            if piece.holds(position):
                yield self.record_to_doc(record, rel, position)
