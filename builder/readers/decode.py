"""Bytes -> text: a BOM decides, else UTF-8 (a few bad bytes replaced), else a legacy code page such as cp1256
when UTF-8 is clearly wrong. Every reader decodes through here, so a page reads the same in any format."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
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
