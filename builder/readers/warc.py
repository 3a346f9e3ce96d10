"""Web archives (.warc, .warc.gz): every HTTP response with an HTML or text body is a page."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from builder.document import Doc, Drop, stable_id
from builder.readers.base import Reader, Rejected
from builder.readers.plan import Piece, balanced_cuts, pieces_at, thinned

log = logging.getLogger(__name__)


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
