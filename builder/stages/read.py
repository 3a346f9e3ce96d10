"""Readers: scraped pages in any supported format -> raw documents, and input files -> shards.

A reader handles a set of file extensions and yields one `Doc` per page, or a `Rejected` record for input
it cannot use (a malformed JSON line, an undecodable file, a field of the wrong type). Adding a format
is one more `Reader` subclass registered in `READERS` (WARC was added that way).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pyarrow.parquet as pq

from builder.config import InputConfig
from builder.document import Doc, Drop, stable_id
from builder.stages.base import Stage, StageStats

log = logging.getLogger(__name__)


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


def decode(data: bytes, fallbacks: list[str]) -> str | None:
    """UTF-8 first; a legacy Arabic code page only when the result looks like running text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in fallbacks:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        spaces = text.count(" ") / max(len(text), 1)
        controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t") / max(len(text), 1)
        if 0.05 <= spaces <= 0.35 and controls < 0.01:
            return text
    return None


class Reader:
    extensions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: InputConfig):
        self.fields = dict(config.fields)  # our name -> the input's name
        self.fallback_encodings = list(config.fallback_encodings)

    def read(self, path: Path, rel: str) -> Iterator[Doc | Rejected]:
        raise NotImplementedError

    def record_to_doc(self, record: Any, rel: str, position: int) -> Doc | Rejected:
        """Map one structured record (JSON object, Parquet row) through the configured field names."""
        if not isinstance(record, dict):
            return Rejected(rel, position, Drop("not_an_object", type(record).__name__), json.dumps(record)[:500])
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
    return json.dumps(record, ensure_ascii=False, default=str)[:500]


class JsonlReader(Reader):
    extensions = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")

    def read(self, path: Path, rel: str) -> Iterator[Doc | Rejected]:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            for position, raw in enumerate(fh):
                if not raw.strip():
                    continue
                line = decode(raw, self.fallback_encodings)
                if line is None:
                    yield Rejected(rel, position, Drop("undecodable", f"line {position + 1}"))
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    yield Rejected(rel, position, Drop("malformed_json", f"line {position + 1}: {err}"), line[:500])
                    continue
                yield self.record_to_doc(record, rel, position)


class ParquetReader(Reader):
    extensions = (".parquet",)

    def read(self, path: Path, rel: str) -> Iterator[Doc | Rejected]:
        position = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for record in batch.to_pylist():
                yield self.record_to_doc(record, rel, position)
                position += 1


class PageFileReader(Reader):
    """One page per file: plain text or HTML."""

    extensions = (".txt", ".html", ".htm")

    def read(self, path: Path, rel: str) -> Iterator[Doc | Rejected]:
        content = decode(path.read_bytes(), self.fallback_encodings)
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
    (requests, metadata, images) and are counted as such."""

    extensions = (".warc", ".warc.gz")

    def read(self, path: Path, rel: str) -> Iterator[Doc | Rejected]:
        from warcio.archiveiterator import ArchiveIterator

        with path.open("rb") as fh:
            for position, record in enumerate(ArchiveIterator(fh)):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                kind = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if "html" not in kind and "text" not in kind:
                    yield Rejected(rel, position, Drop("not_a_page", f"{url}: {kind or 'no content type'}"))
                    continue
                content = decode(record.content_stream().read(), self.fallback_encodings)
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


@dataclass(frozen=True)
class Shard:
    index: int
    files: tuple[str, ...]  # paths relative to the input root


def plan_shards(root: Path, files_per_shard: int) -> tuple[list[Shard], Counter]:
    """Split the input into shards: each structured file is a shard; page files are grouped.

    Returns the shards and a count of ignored files by extension (reported, never silently skipped).
    """
    if root.is_file():
        paths, base = [root], root.parent
    else:
        paths, base = sorted(p for p in root.rglob("*") if p.is_file()), root
    ignored: Counter = Counter()
    structured, pages = [], []
    for p in paths:
        rel = p.relative_to(base).as_posix()
        if any(part.startswith(".") for part in p.relative_to(base).parts):
            continue
        reader = reader_for(p.name)
        if reader is None:
            ignored[p.suffix or p.name] += 1
        elif reader is PageFileReader:
            pages.append(rel)
        else:
            structured.append(rel)
    groups = [(f,) for f in structured]  # JSONL, Parquet and WARC files: one shard each
    groups += [tuple(pages[i : i + files_per_shard]) for i in range(0, len(pages), files_per_shard)]
    return [Shard(i, g) for i, g in enumerate(groups)], ignored


def input_base(root: Path) -> Path:
    return root.parent if root.is_file() else root


class ReadStage(Stage):
    """The first stage: one input per record or page file; what no reader could use is dropped with its reason."""

    name = "read"

    def process(self, item: Doc | Rejected) -> Doc | Drop:
        return item.drop if isinstance(item, Rejected) else item


def read_items(shard: Shard, root: Path, config: InputConfig) -> Iterator[Doc | Rejected]:
    """Every record of every file of a shard; a file that breaks mid-way ends with an `unreadable_file` item."""
    base = input_base(root)
    for rel in shard.files:
        items = reader_for(rel)(config).read(base / rel, rel)
        while True:
            try:
                item = next(items)
            except StopIteration:
                break
            except (OSError, EOFError, ValueError) as err:  # truncated gzip, corrupt Parquet, ...
                yield Rejected(rel, -1, Drop("unreadable_file", f"{type(err).__name__}: {err}"))
                break
            yield item


def read_shard(shard: Shard, root: Path, config: InputConfig, stats: StageStats,
               rejects: list[dict]) -> Iterator[Doc]:
    return ReadStage().run(read_items(shard, root, config), stats, rejects)
