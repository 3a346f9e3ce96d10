"""Repair and normalise text without changing its spelling: mojibake, ftfy, NFKC, controls, tatweel."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from builder.document import Doc
from builder.stages.base import Stage

# Bidi marks and embeddings, zero-width space/joiner, BOM, Arabic letter mark. ZWNJ (U+200C) is kept:
# it is spelling in Persian and Urdu, which the language stage needs to see.
_CONTROLS = dict.fromkeys([0x200B, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A), 0x0640])
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# UTF-8 Arabic read as Windows-1256 turns every letter into ط or ظ plus a second character.
_MOJIBAKE = re.compile(r"[طظ][\u0080-\u00ff\u0600-\u06ff\u2000-\u206f\u0152-\u0192]")


def fix_cp1256_mojibake(line: str) -> str:
    """Undo UTF-8 bytes decoded as Windows-1256, when the line carries that signature and round-trips."""
    if len(_MOJIBAKE.findall(line)) < 3:
        return line
    try:
        fixed = line.encode("cp1256").decode("utf-8")
    except UnicodeError:
        return line
    return fixed


class Repair(Stage):
    name = "repair"

    def __init__(self, fix_cp1256: bool = True, ftfy: bool = True, nfkc: bool = True):
        self.fix_cp1256 = fix_cp1256
        self.ftfy = ftfy
        self.nfkc = nfkc

    def process(self, doc: Doc) -> Doc:
        doc.text = self.repair(doc.text)
        if doc.title:
            doc.title = self.repair(doc.title).replace("\n", " ").strip()
        return doc

    def repair(self, text: str) -> str:
        if self.fix_cp1256:
            text = "\n".join(fix_cp1256_mojibake(line) for line in text.split("\n"))
        if self.ftfy:
            text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(_CONTROLS)
        lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        return "\n".join(line for line in lines if line)
