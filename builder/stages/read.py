"""Readers: scraped pages in any supported format -> raw documents, and input files -> shards.

A reader handles a set of file extensions and yields one `Doc` per page, or a `Rejected` record for input
it cannot use (a malformed JSON line, an undecodable file, a field of the wrong type, a page over the size cap).
Adding a format is one more `Reader` subclass registered in `READERS` (WARC was added that way).

Shards are cut by size, not by file: a big JSONL, Parquet or WARC file becomes several pieces (ranges of records)
of equal size, as many as `input.shard_bytes` needs rounded up to a multiple of `input.piece_multiple`, so 1, 2 or 4
workers finish a file's pieces together; small files are grouped, so `executor.workers=N` keeps N cores busy on
any input. The plan depends only on the input and those two settings (never on the number of workers: a build
resumed with other workers reuses its finished shards), and a record's id only on its file and position, so any
plan gives the same output rows and values (the Parquet bytes of a big output can differ: the writer's row batches,
and so a column's encoding, follow the shards).
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import pyarrow.parquet as pq

from builder.config import InputConfig
from builder.document import Doc, Drop, stable_id
from builder.stages.base import Stage, StageStats

log = logging.getLogger(__name__)

PREVIEW_CHARS = 500  # of a rejected record's text kept in its reject row


@dataclass(frozen=True)
class Rejected:
    """Input that never became a document; it still leaves a reject row."""

    source_file: str
    position: int
    drop: Drop
    raw: str = ""

    def reject_row(self, stage: str, drop: Drop) -> dict[str, Any]:
        doc = Doc(id=stable_id(self.source_file, self.position), source_file=self.source_file, text=self.raw)
        return doc.reject_row(stage, drop)


# --- decoding ------------------------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_ASCII = bytes(range(128))
# UTF-8 with a few bad bytes is still UTF-8: kept (bad bytes replaced) while valid non-ASCII characters outnumber
# the bad sequences this many times. Arabic in cp1256 read as UTF-8 is almost all bad sequences: at most 0.04
# valid characters per bad one on 2,000 masrawy articles.
_VALID_PER_INVALID = 2


@dataclass(frozen=True)
class Decoded:
    text: str
    replaced: int = 0  # invalid UTF-8 sequences replaced by U+FFFD


def decode(data: bytes, fallbacks: list[str]) -> Decoded | None:
    """A BOM decides; else UTF-8, with a few invalid bytes replaced; a legacy code page only when UTF-8 is
    clearly wrong and the result looks like running text; None for what is no text at all."""
    for bom, encoding in _BOMS:  # UTF-32's BOM begins with UTF-16's: longest first
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding))
            except UnicodeDecodeError:
                break
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    valid_non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - replaced
    if valid_non_ascii >= _VALID_PER_INVALID * replaced and _looks_like_text(text):
        return Decoded(text, replaced)
    for encoding in fallbacks:
        try:
            legacy = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(legacy) and 0.05 <= legacy.count(" ") / max(len(legacy), 1) <= 0.35:
            return Decoded(legacy)
    return None


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for c in text[:100_000] if ord(c) < 32 and c not in "\r\n\t")
    return controls < 0.01 * max(min(len(text), 100_000), 1)


# --- shards --------------------------------------------------------------------------------------------

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


class Reader:
    extensions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: InputConfig, stats: StageStats | None = None):
        self.fields = dict(config.fields)  # our name -> the input's name
        self.fallback_encodings = list(config.fallback_encodings)
        self.max_page_bytes = config.max_page_bytes
        self.stats = stats or StageStats("read")

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        raise NotImplementedError

    def pieces(self, path: Path, rel: str, shard_bytes: int, multiple: int = 1) -> list[Piece]:
        """How to cut this file into pieces of about `shard_bytes` (see `balanced_cuts`); one piece unless the
        format can do better."""
        return [Piece(rel)]

    def decode(self, data: bytes) -> str | None:
        decoded = decode(data, self.fallback_encodings)
        if decoded is not None and decoded.replaced:
            self.stats.notes["utf8_invalid_bytes_replaced"] += 1
        return decoded.text if decoded is not None else None

    def too_large(self, rel: str, position: int, size: int, where: str = "") -> Rejected:
        detail = f"{where}{size:,} bytes, over input.max_page_bytes={self.max_page_bytes:,}"
        return Rejected(rel, position, Drop("page_too_large", detail))

    def record_to_doc(self, record: Any, rel: str, position: int) -> Doc | Rejected:
        """Map one structured record (JSON object, Parquet row) through the configured field names."""
        if not isinstance(record, dict):
            return Rejected(rel, position, Drop("not_an_object", type(record).__name__), _preview(record))
        values = {}
        for ours, theirs in self.fields.items():
            value = record.get(theirs)
            if value is not None and not isinstance(value, str):
                if ours == "published" and hasattr(value, "isoformat"):
                    value = value.isoformat()
                else:
                    detail = f"{theirs} is {type(value).__name__}, expected string"
                    return Rejected(rel, position, Drop("bad_field_type", detail), _preview(record))
            values[ours] = value
        values = {k: values.get(k) for k in ("text", "html", "url", "title", "published", "outlet")}
        if values["text"] is None and values["html"] is None:
            return Rejected(rel, position, Drop("no_text", "record has neither text nor html"), _preview(record))
        if not (values["text"] or values["html"] or "").strip():
            return Rejected(rel, position, Drop("empty", "text is blank"), _preview(record))
        size = len(values["text"] or values["html"] or "")
        if size > self.max_page_bytes:
            return self.too_large(rel, position, size)
        return Doc(
            id=stable_id(rel, position),
            source_file=rel,
            text=values["text"] or "",
            html=values["html"] if not values["text"] else None,
            url=values["url"],
            title=values["title"],
            outlet_hint=values["outlet"],
            published_hint=values["published"],
        )


def _preview(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)[:PREVIEW_CHARS]


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


class PageFileReader(Reader):
    """One page per file: plain text or HTML."""

    extensions = (".txt", ".html", ".htm")

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        rel = piece.file
        size = path.stat().st_size
        if size > self.max_page_bytes:
            yield self.too_large(rel, 0, size)
            return
        content = self.decode(path.read_bytes())
        if content is None:
            yield Rejected(rel, 0, Drop("undecodable", "not UTF-8 nor a configured fallback encoding"))
        elif not content.strip():
            yield Rejected(rel, 0, Drop("empty", "file is blank"))
        elif path.suffix.lower() == ".txt":
            yield Doc(id=stable_id(rel, 0), source_file=rel, text=content)
        else:
            yield Doc(id=stable_id(rel, 0), source_file=rel, html=content)


class WarcReader(Reader):
    """Web archives: every HTTP response with an HTML or text body is a page; other records are not pages
    (requests, metadata, images) and are counted as such. Pieces start at record boundaries (each record of a
    .warc.gz is its own gzip member, so a reader can seek there)."""

    extensions = (".warc", ".warc.gz")

    def pieces(self, path: Path, rel: str, shard_bytes: int, multiple: int = 1) -> list[Piece]:
        size = path.stat().st_size
        if size <= shard_bytes:
            return [Piece(rel)]
        from warcio.archiveiterator import ArchiveIterator

        def record_starts() -> Iterator[tuple[int, int, int]]:
            try:
                with path.open("rb") as fh:
                    records = ArchiveIterator(fh)
                    for position, _ in enumerate(records):
                        offset = records.get_record_offset()
                        yield position, offset, offset
            except Exception as err:  # a corrupt archive: the reader reports it when it gets there
                log.debug("%s: stopped planning: %s", rel, err)

        return pieces_at(rel, balanced_cuts(thinned(record_starts(), shard_bytes), size, shard_bytes, multiple),
                         seekable=True)

    def read(self, path: Path, piece: Piece) -> Iterator[Doc | Rejected]:
        from warcio.archiveiterator import ArchiveIterator

        rel = piece.file
        with path.open("rb") as fh:
            fh.seek(piece.offset)
            for position, record in enumerate(ArchiveIterator(fh), start=piece.start):
                if not piece.holds(position):
                    break
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                kind = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if "html" not in kind and "text" not in kind:
                    yield Rejected(rel, position, Drop("not_a_page", f"{url}: {kind or 'no content type'}"))
                    continue
                body = record.content_stream().read(self.max_page_bytes + 1)
                if len(body) > self.max_page_bytes:
                    yield self.too_large(rel, position, len(body), f"{url}: more than ")
                    continue
                if getattr(record.raw_stream, "limit", 0):  # the archive ends inside this record
                    yield Rejected(rel, position, Drop("unreadable_file", f"{url}: the archive is cut short here"))
                    return
                content = self.decode(body)
                if content is None:
                    yield Rejected(rel, position, Drop("undecodable", url))
                elif not content.strip():
                    yield Rejected(rel, position, Drop("empty", url))
                elif "html" in kind:
                    yield Doc(id=stable_id(rel, position), source_file=rel, html=content, url=url)
                else:
                    yield Doc(id=stable_id(rel, position), source_file=rel, text=content, url=url)


READERS: tuple[type[Reader], ...] = (JsonlReader, ParquetReader, PageFileReader, WarcReader)


def reader_for(name: str) -> type[Reader] | None:
    lower = name.lower()
    return next((r for r in READERS if lower.endswith(r.extensions)), None)


def plan_shards(root: Path, config: InputConfig) -> tuple[list[Shard], Counter]:
    """Cut the input into shards of about `input.shard_bytes`: big files into equal pieces (a multiple of
    `input.piece_multiple` of them), small files grouped in order (page files also at most `input.files_per_shard`
    to a shard).

    Returns the shards and a count of ignored files by extension (reported, never silently skipped).
    """
    if root.is_file():
        paths, base = [root], root.parent
    else:
        paths, base = sorted(p for p in root.rglob("*") if p.is_file()), root
    ignored: Counter = Counter()
    groups: list[list[Piece]] = []
    size = 0
    for p in paths:
        rel = p.relative_to(base).as_posix()
        if any(part.startswith(".") for part in p.relative_to(base).parts):
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
    return [Shard(i, tuple(g)) for i, g in enumerate(groups)], ignored


def input_base(root: Path) -> Path:
    return root.parent if root.is_file() else root


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
