"""Quality: Arabic-aware heuristics with FineWeb-2's arb_Arab thresholds; each failed rule is its own reason.

The thresholds come from FineWeb-2's per-language filter config for arb_Arab (huggingface/fineweb-2,
configs/arb_Arab.yml); the checks follow the Gopher quality and repetition filters and the FineWeb filter,
computed on the match key's words so spelling variants do not hide a repetition. Lines are paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter

from builder.arabic import SENTENCE_END, WORD, match_key
from builder.config import QualityConfig
from builder.document import Doc, Drop
from builder.lists import read_yaml
from builder.stages.base import Stage

_LETTER = re.compile(r"[^\W\d_]")
STOP_CHARS = (*SENTENCE_END, "”", "»", '"', "'", ")", ":", "؛")  # FineWeb-2's terminal punctuation, in Arabic


class NGrams:
    """A text's words as integer ids, and its n-grams as one integer each (the (n-1)-gram's times the vocabulary
    size plus the last word's id: one number per n-gram, never two n-grams on one), built up from the shorter ones
    and kept for the next n. Counting and looking up numbers is what the repetition checks spend their time on,
    and numbers hash and compare faster than tuples of strings."""

    def __init__(self, words: list[str]):
        vocab: dict[str, int] = {}
        self.words = words
        self.ids = [vocab.setdefault(w, len(vocab)) for w in words]
        self.size = len(vocab)
        self.keys = {1: self.ids}

    def of(self, n: int) -> list[int]:
        """One number per n-gram, in order of their first word."""
        if n not in self.keys:
            shorter, ids, size = self.of(n - 1), self.ids, self.size
            self.keys[n] = [k * size + ids[i] for i, k in enumerate(shorter[: max(len(ids) - n + 1, 0)], start=n - 1)]
        return self.keys[n]


def top_ngram_fraction(grams: NGrams, n: int, text_chars: int) -> float:
    """Characters covered by the most frequent n-gram (if repeated), over the text's characters (of equally
    frequent n-grams, the one seen first)."""
    keys = grams.of(n)
    if not keys:
        return 0.0
    key, count = Counter(keys).most_common(1)[0]
    if count <= 1:
        return 0.0
    at = keys.index(key)
    return (sum(map(len, grams.words[at : at + n])) + n - 1) * count / text_chars


def duplicate_ngram_fraction(grams: NGrams, n: int, text_chars: int) -> float:
    """Characters in n-grams seen before (counting each word once), over the text's characters."""
    words, keys = grams.words, grams.of(n)
    seen, covered = set(), [False] * len(words)
    for i, key in enumerate(keys):
        if key in seen:
            for j in range(i, i + n):
                covered[j] = True
        else:
            seen.add(key)
    return sum(len(w) + 1 for w, c in zip(words, covered, strict=True) if c) / text_chars


class QualityFilter(Stage):
    name = "quality"

    def __init__(self, config: QualityConfig | None = None):
        c = config or QualityConfig()
        words = read_yaml(c.stopwords_file)["stopwords"]
        self.stop_marks = [w for w in words if not WORD.fullmatch(w)]  # punctuation such as the Arabic comma
        self.stopwords = {match_key(w) for w in words if WORD.fullmatch(w)}
        self.min_words = c.min_words
        self.min_stopwords = c.min_stopwords
        self.min_avg = c.min_avg_word_length
        self.max_avg = c.max_avg_word_length
        self.min_alpha = c.min_alpha_words_ratio
        self.max_dup_lines = c.max_duplicate_line_fraction
        self.min_line_punct = c.min_line_punct_ratio
        self.line_punct_min_lines = c.line_punct_min_lines
        self.max_new_line = c.max_new_line_ratio
        self.top_ngrams = {int(n): f for n, f in c.max_top_ngram_fraction.items()}
        self.dup_ngrams = {int(n): f for n, f in c.max_duplicate_ngram_fraction.items()}

    def process(self, doc: Doc) -> Doc | Drop:
        key = match_key(doc.text)
        words = WORD.findall(key)
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
        lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
        dup = 1 - len(set(lines)) / len(lines)
        if dup > self.max_dup_lines:
            return Drop("duplicate_lines", f"{dup:.3f} > {self.max_dup_lines}")
        punct = sum(line.endswith(STOP_CHARS) for line in lines) / len(lines)
        if len(lines) >= self.line_punct_min_lines and punct < self.min_line_punct:
            return Drop("line_punct_ratio", f"{punct:.3f} < {self.min_line_punct}")
        new_lines = (len(lines) - 1) / len(words)
        if new_lines > self.max_new_line:
            return Drop("list_ratio", f"{new_lines:.3f} > {self.max_new_line}")
        chars, grams = len(key), NGrams(words)
        for n, limit in sorted(self.top_ngrams.items()):
            if (frac := top_ngram_fraction(grams, n, chars)) > limit:
                return Drop(f"top_{n}_gram", f"{frac:.3f} > {limit}")
        for n, limit in sorted(self.dup_ngrams.items()):
            if (frac := duplicate_ngram_fraction(grams, n, chars)) > limit:
                return Drop(f"duplicated_{n}_grams", f"{frac:.3f} > {limit}")
            if frac == 0:  # no repeated n-gram means no repeated longer one either
                break
        return doc
