"""Repair and normalise text without changing its spelling: mojibake, ftfy, NFKC, controls, tatweel."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from builder.arabic import Translation
from builder.config import RepairConfig
from builder.document import Doc
from builder.stages.base import Stage

# Bidi marks and embeddings, zero-width space/joiner, BOM, Arabic letter mark. ZWNJ (U+200C) is kept:
# it is spelling in Persian and Urdu, which the language stage needs to see.
_CONTROLS = dict.fromkeys([0x200B, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A), 0x0640])
_DROP_CONTROLS = Translation(_CONTROLS)
# A tatweel that follows no letter is a dash ("كتب ـ محمد"), not a stretched letter: keep it as one.
_DASH_TATWEEL = re.compile(r"(?<![\u0620-\u064A\u066E-\u06D3\u0640])\u0640+")
# What ftfy can act on: C0/C1 controls, the letters that mojibake leaves from Latin-1 and the other code pages
# (Latin extended, Greek, Cyrillic, box drawing; a no-break space alone is no sign), ligatures, full-width forms,
# surrogates, odd line breaks, HTML entities. Plain Arabic text has none, and skipping ftfy there changes nothing
# (checked on 9,000 documents of the eval corpora) while ftfy is most of this stage's time.
_FTFY_CAN_FIX = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xa1-\xff\u0100-\u02ff\u0370-\u04ff\u2028\u2029\u206a-\u206f"
                           r"\u2500-\u257f\ufb00-\ufb06\ufeff\uff00-\uffef\ufff9-\ufffc\ud800-\udfff]|&#?\w+;")
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

    def __init__(self, config: RepairConfig | None = None):
        config = config or RepairConfig()
        self.fix_cp1256 = config.fix_cp1256
        self.ftfy = config.ftfy
        self.nfkc = config.nfkc

    def process(self, doc: Doc) -> Doc:
        doc.text = self.repair(doc.text)
        if doc.title:
            doc.title = self.repair(doc.title).replace("\n", " ").strip()
        return doc

    def repair(self, text: str) -> str:
        if self.fix_cp1256 and len(_MOJIBAKE.findall(text)) >= 3:  # no match spans lines: else no line has 3
            text = "\n".join(fix_cp1256_mojibake(line) for line in text.split("\n"))
        if self.ftfy and _FTFY_CAN_FIX.search(text):
            text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        text = _DROP_CONTROLS(_DASH_TATWEEL.sub("-", text))
        lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        return "\n".join(line for line in lines if line)
