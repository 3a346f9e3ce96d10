"""Quality: Arabic-aware heuristics with FineWeb-2's arb_Arab thresholds; each failed rule is its own reason."""

from __future__ import annotations

import re

from builder.arabic import WORD, match_key
from builder.document import Doc, Drop
from builder.rules import load_yaml
from builder.stages.base import Stage

_LETTER = re.compile(r"[^\W\d_]")


class QualityFilter(Stage):
    name = "quality"

    def __init__(self, stopwords_file: str = "stopwords_ar.yaml", min_words: int = 50, min_stopwords: int = 2,
                 min_avg_word_length: float = 2.0, max_avg_word_length: float = 9.0,
                 min_alpha_words_ratio: float = 0.787, max_duplicate_line_fraction: float = 0.304):
        words = load_yaml(stopwords_file)["stopwords"]
        self.stop_marks = [w for w in words if not WORD.fullmatch(w)]  # punctuation such as the Arabic comma
        self.stopwords = {match_key(w) for w in words if WORD.fullmatch(w)}
        self.min_words = min_words
        self.min_stopwords = min_stopwords
        self.min_avg = min_avg_word_length
        self.max_avg = max_avg_word_length
        self.min_alpha = min_alpha_words_ratio
        self.max_dup_lines = max_duplicate_line_fraction

    def process(self, doc: Doc) -> Doc | Drop:
        words = WORD.findall(match_key(doc.text))
        doc.n_words = len(words)
        if len(words) < self.min_words:
            return Drop("too_few_words", f"{len(words)} < {self.min_words}")
        stops = sum(w in self.stopwords for w in words) + sum(doc.text.count(m) for m in self.stop_marks)
        if stops < self.min_stopwords:
            return Drop("too_few_stopwords", f"{stops} < {self.min_stopwords}")
        avg = sum(map(len, words)) / len(words)
        if not self.min_avg <= avg <= self.max_avg:
            return Drop("avg_word_length", f"{avg:.2f} outside {self.min_avg}-{self.max_avg}")
        alpha = sum(bool(_LETTER.search(w)) for w in words) / len(words)
        if alpha < self.min_alpha:
            return Drop("too_few_alpha_words", f"{alpha:.3f} < {self.min_alpha}")
        lines = [line for line in doc.text.split("\n") if line.strip()]
        dup = 1 - len(set(lines)) / len(lines)
        if dup > self.max_dup_lines:
            return Drop("duplicate_lines", f"{dup:.3f} > {self.max_dup_lines}")
        return doc
