"""Folders of page files: one page per .txt (text) or .html/.htm (HTML) file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from builder.document import Doc, Drop, stable_id
from builder.readers.base import Reader, Rejected
from builder.readers.plan import Piece


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
