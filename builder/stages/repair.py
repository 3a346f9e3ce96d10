"""Repair and normalise text without changing its spelling: mojibake, ftfy, NFKC, controls, tatweel."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from builder.arabic import LINE_END, SENTENCE_END, WORD, Translation
from builder.config import RepairConfig
from builder.document import Doc
from builder.stages.base import Stage

# Bidi marks and embeddings, zero-width space/joiner, BOM, Arabic letter mark. ZWNJ (U+200C) is kept:
# it is spelling in Persian and Urdu, which the language stage needs to see.
_CONTROLS = dict.fromkeys([0x200B, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A), 0x0640])
_DROP_CONTROLS = Translation(_CONTROLS)
_ANY_CONTROL = re.compile("[" + "".join(map(chr, sorted(_CONTROLS))) + "]")
# A tatweel that follows no letter is a dash ("كتب ـ محمد"), not a stretched letter: keep it as one.
_DASH_TATWEEL = re.compile(r"(?<![\u0620-\u064A\u066E-\u06D3\u0640])\u0640+")
# What ftfy can act on: C0/C1 controls, the letters that mojibake leaves from Latin-1 and the other code pages
# (Latin extended, Greek, Cyrillic, box drawing; a no-break space alone is no sign), ligatures, full-width forms,
# surrogates, odd line breaks, HTML entities. Plain Arabic text has none, and skipping ftfy there changes nothing
# (checked on 9,000 documents of the eval corpora) while ftfy is most of this stage's time. The guillemets « » are
# Arabic news's own quotation marks, no sign of mojibake alone (one document in five has them; ftfy changed none of
# 4,326 such egypt_news documents): mojibake of Arabic always brings Ø or Ù, which are in the range.
_FTFY_CAN_FIX = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xa1-\xaa\xac-\xba\xbc-\xff\u0100-\u02ff\u0370-\u04ff"
                           r"\u2028\u2029\u206a-\u206f\u2500-\u257f\ufb00-\ufb06\ufeff\uff00-\uffef\ufff9-\ufffc\ud800-\udfff]|&#?\w+;")
# A run of spaces of any kind becomes one space. A lone " " is such a run already: matching only the runs that
# differ (a space of another kind first, or two or more) leaves sub a few replacements, not one per word.
_SPACE_CHARS = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
_SPACES = re.compile(rf"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]{_SPACE_CHARS}*| {_SPACE_CHARS}+")
# UTF-8 Arabic read as Windows-1256 turns every letter into ط or ظ plus a second character.
_MOJIBAKE = re.compile(r"[طظ][\u0080-\u00ff\u0600-\u06ff\u2000-\u206f\u0152-\u0192]")
# ...and that second character is always one whose byte continues a UTF-8 sequence (80-BF). Plain Arabic has ط or
# ظ before a letter in most documents, which _MOJIBAKE counts: a text is looked at line by line only when it has 3
# of these (a line that round-trips has only these pairs, so every line fix_cp1256_mojibake would fix has 3).
_CONTINUED = re.compile("[طظ][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1256")) + "]")
# A list item ("1- مصر", "2) الأردن", "• تونس") is a line of its own even when spaced like inline text.
_LIST_ITEM = re.compile(r"^\s*(?:\d+\s*[-–.)]|[•▪◦*\-–])")
# Marks no line of its own starts or ends with: a comma, a full stop or a closing quote that the sentence goes on
# with; an opening quote or bracket it was cut after.
_GOES_ON = re.compile(r"^(?:[،,؛;.:)»\]”]|[\"'](?=[\s.،,:]|$))")
_OPENS = re.compile(r"(?:^|(?<![.!?؟…])\s)[\"'“]$|[«(\[]$")  # a quote after ". " closes a sentence


def opens(line: str) -> bool:
    """The line ends on an opening quote or bracket (`_OPENS`). A match is two characters at most, at the end or
    before a final newline: the search starts there, not at every character of the line (a lookbehind still sees
    the character before)."""
    return _OPENS.search(line, max(0, len(line) - 3)) is not None
_ENDS = (*SENTENCE_END, ":")  # a piece that ends like this ends its sentence
_PADDED = 0.8  # a page whose lines nearly all end (or start) with a space pads them: such spaces show nothing


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
        self.rejoin_words = config.rejoin_words

    def process(self, doc: Doc) -> Doc:
        doc.text = self.repair(doc.text)
        if doc.title:
            doc.title = self.repair(doc.title).replace("\n", " ").strip()
        return doc

    def repair(self, text: str) -> str:
        if self.fix_cp1256 and len(_CONTINUED.findall(text)) >= 3:  # no match spans lines: else no line has 3
            text = "\n".join(fix_cp1256_mojibake(line) for line in text.split("\n"))
        if self.ftfy and _FTFY_CAN_FIX.search(text):
            text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
        if self.nfkc and not unicodedata.is_normalized("NFKC", text):  # the check is a tenth of the normalising
            text = unicodedata.normalize("NFKC", text)
        if "\u0640" in text:  # one document in five has a tatweel
            text = _DASH_TATWEEL.sub("-", text)
        if _ANY_CONTROL.search(text):  # a search is a tenth of a translation, and most texts have none
            text = _DROP_CONTROLS(text)
        # _SPACES matches no line break: one pass over the text spaces its lines as a pass per line would
        raw = _SPACES.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = (line.strip() for line in rejoin_fragments(raw, self.rejoin_words))
        return "\n".join(line for line in lines if line)


def rejoin_fragments(lines: list[str], max_words: int) -> list[str]:
    """Join back a short line a link broke out of a sentence ("ونقلت وكالة أنباء \nالبحرين\n عن ..."): the line
    before runs on (no end mark), the piece ends no sentence, and both breaks show they stood inline. A space at a
    break is the evidence, so this runs before spaces are trimmed (a page that pads nearly every line gives none);
    so is a line ending on an opening quote, or starting on a comma, a full stop or a closing quote, which no line
    of its own does; with that at the far break, the near one needs only a line before of a few words. A list item
    stays a line."""
    if max_words <= 0 or len(lines) < 3:
        return lines
    filled = [line for line in lines if line.strip()]
    trailing = sum(line.endswith(" ") for line in filled) > _PADDED * len(filled)
    leading = sum(line.startswith(" ") for line in filled) > _PADDED * len(filled)

    def spaced(left: str, right: str) -> bool:
        return (left.endswith(" ") and not trailing) or (right.startswith(" ") and not leading)

    def runs_on(line: str) -> bool:
        end = line.rstrip()
        return not end.endswith(LINE_END) or opens(end)

    def fragment(before: str, piece: str, after: str) -> bool:
        # the cheap tests first: most lines before a piece end their sentence
        if not (before.strip() and after.strip() and runs_on(before)) or piece.rstrip().endswith(_ENDS):
            return False
        if not 0 < len(WORD.findall(piece)) <= max_words or _LIST_ITEM.match(piece) or _LIST_ITEM.match(after):
            return False
        far = spaced(piece, after) or bool(_GOES_ON.match(after.lstrip()))
        near = spaced(before, piece) or opens(before.rstrip())
        return far and (near or (bool(_GOES_ON.match(after.lstrip())) and len(WORD.findall(before)) >= 3))

    out: list[str] = []
    i = 0
    while i < len(lines):
        piece = lines[i]
        if out and i + 1 < len(lines) and fragment(out[-1], piece, lines[i + 1]):
            before = out[-1]
            glue = "" if before.endswith(" ") or piece.startswith(" ") or opens(before) else " "
            out[-1] = before + glue + piece + lines[i + 1]  # the far break has its space or its mark already
            i += 2
            continue
        out.append(piece)
        i += 1
    return out
