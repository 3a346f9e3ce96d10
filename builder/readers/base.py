"""What every reader shares: the `Reader` contract, the reject record, and structured record -> document.

A reader handles a set of file extensions and yields one `Doc` per page, or a `Rejected` record for input it cannot
use (a malformed JSON line, an undecodable file, a body of the wrong type, a page over the size cap). Adding a
format is one more `Reader` subclass in its own module, registered in `builder.readers.READERS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from builder.config import InputConfig
from builder.document import Doc, Drop, stable_id
from builder.readers.decode import decode
from builder.readers.plan import Piece
from builder.stats import StageStats

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
        """How to cut this file into pieces of about `shard_bytes` (see `plan.balanced_cuts`); one piece unless the
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
        """Map one structured record (JSON object, Parquet row) through the configured field names. A body (text,
        html) of the wrong type rejects the record; any other field of the wrong type is dropped, noted as
        `field_dropped:<field>` when the page is kept: a scraper's numeric title should not cost the article."""
        if not isinstance(record, dict):
            return Rejected(rel, position, Drop("not_an_object", type(record).__name__), preview(record))
        values, dropped = {}, []
        for ours, theirs in self.fields.items():
            value = record.get(theirs)
            if value is not None and not isinstance(value, str):
                if ours in ("text", "html"):  # the body: without it there is no document
                    detail = f"{theirs} is {type(value).__name__}, expected string"
                    return Rejected(rel, position, Drop("bad_field_type", detail), preview(record))
                value = published_text(value) if ours == "published" else None
                if value is None:  # an optional field the page does without: dropped, and counted if kept
                    dropped.append(ours)
            values[ours] = value
        values = {k: values.get(k) for k in ("text", "html", "url", "title", "published", "outlet", "section")}
        if values["text"] is None and values["html"] is None:
            return Rejected(rel, position, Drop("no_text", "record has neither text nor html"), preview(record))
        if not (values["text"] or values["html"] or "").strip():
            return Rejected(rel, position, Drop("empty", "text is blank"), preview(record))
        size = len(values["text"] or values["html"] or "")
        if size > self.max_page_bytes:
            return self.too_large(rel, position, size)
        self.stats.notes.update(f"field_dropped:{name}" for name in dropped)
        return Doc(
            id=stable_id(rel, position),
            source_file=rel,
            text=values["text"] or "",
            html=values["html"] if not values["text"] else None,
            url=values["url"],
            title=values["title"],
            outlet_hint=values["outlet"],
            published_hint=values["published"],
            section_hint=values["section"],
        )


def published_text(value: Any) -> str | None:
    """A publication time that is no string, as the ISO text the metadata stage parses: a date or datetime (a
    Parquet timestamp) as it is; an epoch number as UTC, in seconds, or milliseconds when over 1e11 (in seconds,
    the year 5138). None for anything else."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000 if abs(value) > 1e11 else value, UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # out of datetime's range, or NaN
        return None


def preview(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)[:PREVIEW_CHARS]
