"""Language: langdetect (seeded, on a bounded sample) checked against Arabic-script evidence.

langdetect alone confuses Arabic with Persian on short or digit-heavy text. Persian, Urdu and Sorani are
written with letters that Arabic does not use, so their absence is strong evidence: on Arabic-script text
without those letters, langdetect's Persian/Urdu mass counts as Arabic.
"""

from __future__ import annotations

import re

from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException

from builder.document import Doc, Drop
from builder.stages.base import Stage

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
CUES = {  # letters of other Arabic-script languages that Arabic does not use
    "ur": re.compile(r"[ٹڈڑںھے]"),
    "ckb": re.compile(r"[ڕڵۆێ]"),
    "fa": re.compile(r"[پچژگکی]"),
}
ARABIC_SCRIPT_LANGS = ("ar", "fa", "ur")
CUE_SHARE = 0.01


class LanguageFilter(Stage):
    name = "language"

    def __init__(self, keep: list[str] = ("ar",), min_score: float = 0.5, sample_chars: int = 1500, seed: int = 0):
        self.keep = set(keep)
        self.min_score = min_score
        self.sample_chars = sample_chars
        self.seed = seed
        self._factory = None

    def detect(self, text: str) -> tuple[str, float]:
        sample = text[: self.sample_chars]
        arabic = len(ARABIC_SCRIPT.findall(sample))
        latin = len(LATIN.findall(sample))
        probs = self.langdetect(sample)
        if arabic + latin == 0:
            return "unknown", 0.0
        if arabic / (arabic + latin) >= 0.5:
            for lang, cue in CUES.items():
                if len(cue.findall(sample)) >= max(1, CUE_SHARE * arabic):
                    return lang, max(probs.get(lang, 0.0), 0.9)
            return "ar", sum(probs.get(lang, 0.0) for lang in ARABIC_SCRIPT_LANGS) or arabic / (arabic + latin)
        if not probs:
            return "unknown", 0.0
        lang = max(probs, key=probs.get)
        return lang, probs[lang]

    def langdetect(self, sample: str) -> dict[str, float]:
        if self._factory is None:  # loading the profiles takes a second: once per process
            detector_factory.init_factory()
            self._factory = detector_factory._factory
            self._factory.set_seed(self.seed)
        detector = self._factory.create()
        detector.append(sample)
        try:
            return {p.lang: p.prob for p in detector.get_probabilities()}
        except LangDetectException:
            return {}

    def process(self, doc: Doc) -> Doc | Drop:
        doc.lang, score = self.detect(doc.text)
        doc.lang_score = round(score, 4)
        if doc.lang not in self.keep:
            return Drop(f"lang_{doc.lang}", f"score {doc.lang_score}")
        if score < self.min_score:
            return Drop("low_lang_score", f"{doc.lang} {doc.lang_score}")
        return doc
