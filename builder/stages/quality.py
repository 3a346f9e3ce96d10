"""Quality: Arabic-aware heuristics with FineWeb-2's arb_Arab thresholds; each failed rule is its own reason.

The thresholds come from FineWeb-2's per-language filter config for arb_Arab (huggingface/fineweb-2,
configs/arb_Arab.yml); the checks follow the Gopher quality and repetition filters and the FineWeb filter,
computed on the match key's words so spelling variants do not hide a repetition. Lines are paragraphs.

Every signal is kept in the `quality_signals` column, on kept and rejected rows alike, so a threshold judged wrong
for news is re-applied with `datasets.filter` instead of a rebuild; `quality.action=tag` keeps every document and
names the check it failed in `quality_verdict`. Paragraph fractions are not separate signals: lines are paragraphs.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

from builder.arabic import SENTENCE_END, WORD, code_points, match_key
from builder.config import ACTIONS, QualityConfig
from builder.document import Doc, Drop
from builder.lists import read_yaml
from builder.schema import DUP_NGRAM_SIZES, QUALITY_SIGNALS, TOP_NGRAM_SIZES
from builder.stages.base import Stage
from builder.stages.language import ARABIC_SCRIPT, char_table
from builder.stats import StageStats

_LETTER = re.compile(r"[^\W\d_]")
STOP_CHARS = (*SENTENCE_END, "”", "»", '"', "'", ")", ":", "؛")  # FineWeb-2's terminal punctuation, in Arabic
_IS_LETTER, _IS_ARABIC = char_table(_LETTER), char_table(ARABIC_SCRIPT)


def word_ids(words: list[str]) -> list[int]:
    """The words as integer ids, in order of first use: n-grams of numbers hash and compare faster than of strings."""
    vocab = dict(zip(dict.fromkeys(words), itertools.count()))
    return list(map(vocab.__getitem__, words))


def repeated_ngrams(ids: list[int], sizes: Iterable[int]) -> Iterator[tuple[int, list[list[int]]]]:
    """For each n of `sizes`, shortest first: the start positions of the n-grams seen more than once, one group
    per n-gram, each group ascending (its first position is where the n-gram is first seen). Only the shortest
    size's n-grams are all made (one integer each: the ids in base len(ids), never two n-grams on one number);
    a repeated n-gram extends a repeated (n-1)-gram, so each longer size only regroups the few positions whose
    shorter n-gram repeats by the word that follows it (news repeats little: on the 5k egypt_news documents,
    21 of a document's 188 bigrams)."""
    sizes = sorted(sizes)
    keys, base = ids, len(ids)
    for k in range(1, sizes[0]):
        keys = list(map(operator.add, map(base.__mul__, keys), ids[k:]))
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))  # first positions
    seen_before = map(operator.ne, map(first.__getitem__, keys), range(len(keys)))  # the loop in C
    at: dict[int, list[int]] = {}
    for i in itertools.compress(range(len(keys)), seen_before):
        at.setdefault(keys[i], [first[keys[i]]]).append(i)
    groups = list(at.values())
    for n in range(sizes[0], sizes[-1] + 1):
        if n > sizes[0]:
            finer: list[list[int]] = []
            for group in groups:
                if len(group) == 2:  # most: the two n-grams are equal or not
                    if group[1] + n <= len(ids) and ids[group[0] + n - 1] == ids[group[1] + n - 1]:
                        finer.append(group)
                    continue
                by_next: dict[int, list[int]] = {}
                for i in group:
                    if i + n <= len(ids):
                        by_next.setdefault(ids[i + n - 1], []).append(i)
                finer += [g for g in by_next.values() if len(g) > 1]
            groups = finer
        if n in sizes:
            yield n, groups


def top_ngram_fraction(words: list[str], groups: list[list[int]], n: int, text_chars: int) -> float:
    """Characters covered by the most frequent n-gram (if repeated), over the text's characters (of equally
    frequent n-grams, the one seen first); `groups`: the repeated n-grams' positions (`repeated_ngrams`)."""
    if not groups:
        return 0.0
    top = min(groups, key=lambda g: (-len(g), g[0]))
    return (sum(map(len, words[top[0] : top[0] + n])) + n - 1) * len(top) / text_chars


def covered_chars(words: list[str], starts: Iterable[int], n: int) -> int:
    """Characters (a word and its space) of the words in the n-grams starting at `starts`, each word once."""
    return sum(len(words[j]) + 1 for j in {j for i in starts for j in range(i, i + n)})


def duplicate_ngram_fraction(words: list[str], groups: list[list[int]], n: int, text_chars: int) -> float:
    """Characters in n-grams seen before (counting each word once), over the text's characters; `groups`: the
    repeated n-grams' positions (`repeated_ngrams`)."""
    repeats = [i for g in groups for i in g[1:]]
    return covered_chars(words, repeats, n) / text_chars if repeats and text_chars else 0.0


def alpha_words(key: str, words: list[str]) -> int:
    """How many of the words hold a letter. A word of word characters without one is all decimal digits and
    underscores, and str.isdecimal is exactly what re calls a digit: without an underscore in the text, no regex
    runs per word."""
    if "_" in key:
        return sum(bool(_LETTER.search(w)) for w in words)
    return len(words) - sum(map(str.isdecimal, words))


def letter_ratio(text: str) -> float | None:
    """Arabic-script letters over all letters (None: no letter)."""
    codes = code_points(text)
    letters = int(np.count_nonzero(_IS_LETTER[codes]))
    return int(np.count_nonzero(_IS_ARABIC[codes])) / letters if letters else None


def thresholds(quality: dict) -> dict[str, str]:
    """Each signal's threshold, as the card prints it beside the signal's distribution ("" where none applies),
    from the composed `quality` settings."""
    q = quality
    punct = f"≥ {q['min_line_punct_ratio']} (from {q['line_punct_min_lines']} lines)" if q["min_line_punct_ratio"] \
        else "off"
    return {"stop_words": f"≥ {q['min_stopwords']}",
            "avg_word_length": f"{q['min_avg_word_length']} - {q['max_avg_word_length']}",
            "alpha_words_ratio": f"≥ {q['min_alpha_words_ratio']}", "arabic_letter_ratio": "",
            "dup_line_frac": f"≤ {q['max_duplicate_line_fraction']}", "line_punct_ratio": punct,
            "new_line_ratio": f"≤ {q['max_new_line_ratio']}",
            **{f"top_{n}_gram_frac": f"≤ {v}" for n, v in q["max_top_ngram_fraction"].items()},
            **{f"dup_{n}_gram_frac": f"≤ {v}" for n, v in q["max_duplicate_ngram_fraction"].items()}}


class QualityFilter(Stage):
    """Measures every signal (the `quality_signals` column, kept on rejects too), then applies the checks in
    order: the first failed one drops the document (`action: drop`) or becomes its `quality_verdict` (`tag`)."""

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
        if c.action not in ACTIONS:
            raise ValueError(f"quality.action must be one of {', '.join(ACTIONS)}, not {c.action!r}")
        for kind, ns in (("top", self.top_ngrams), ("dup", self.dup_ngrams)):
            if unkept := [n for n in ns if f"{kind}_{n}_gram_frac" not in QUALITY_SIGNALS]:
                raise ValueError(f"quality checks {kind} n-grams of n={unkept}, which no quality_signals column "
                                 "holds (builder/schema.py QUALITY_SIGNALS)")
        self.tag = c.action == "tag"
        self.notes: Counter = Counter()

    def run(self, docs: Iterable[Doc], stats: StageStats, rejects: list[dict]) -> Iterator[Doc]:
        self.notes = stats.notes  # tagged documents per verdict, counted where the stage's counts are
        return super().run(docs, stats, rejects)

    def process(self, doc: Doc) -> Doc | Drop:
        key = match_key(doc.text)
        words = WORD.findall(key)
        doc.n_words = len(words)
        lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
        doc.quality_signals = self.signals(doc.text, key, words, lines)
        drop = self.verdict(doc.quality_signals, len(words), len(lines))
        if drop is None:
            return doc
        if self.tag:
            doc.quality_verdict = drop.reason
            self.notes[f"tagged:{drop.reason}"] += 1
            return doc
        return drop

    def signals(self, text: str, key: str, words: list[str], lines: list[str]) -> dict[str, float | None]:
        """Every signal of QUALITY_SIGNALS; None where its denominator is empty (no word, no line)."""
        n = len(words)
        chars = len(key)
        fractions = {}
        for size, groups in repeated_ngrams(word_ids(words), {*TOP_NGRAM_SIZES, *DUP_NGRAM_SIZES}):
            if size in TOP_NGRAM_SIZES:
                fractions[f"top_{size}_gram_frac"] = top_ngram_fraction(words, groups, size, chars) if n else None
            if size in DUP_NGRAM_SIZES:
                fractions[f"dup_{size}_gram_frac"] = duplicate_ngram_fraction(words, groups, size, chars) if n else None
        return {
            "stop_words": sum(map(self.stopwords.__contains__, words)) + sum(text.count(m) for m in self.stop_marks),
            "avg_word_length": sum(map(len, words)) / n if n else None,
            "alpha_words_ratio": alpha_words(key, words) / n if n else None,
            "arabic_letter_ratio": letter_ratio(text),
            "dup_line_frac": 1 - len(set(lines)) / len(lines) if lines else None,
            "line_punct_ratio": sum(line.endswith(STOP_CHARS) for line in lines) / len(lines) if lines else None,
            "new_line_ratio": (len(lines) - 1) / n if n else None,
            **fractions,
        }

    def verdict(self, s: dict[str, float | None], n_words: int, n_lines: int) -> Drop | None:
        """The first check the signals fail, in FineWeb-2's order, as the drop it means; None when all pass."""
        if n_words < self.min_words or not n_words:  # no word: no other signal to compare
            return Drop("too_few_words", f"{n_words} < {self.min_words}")
        if s["stop_words"] < self.min_stopwords:
            return Drop("too_few_stopwords", f"{s['stop_words']} < {self.min_stopwords}")
        if not self.min_avg <= (avg := s["avg_word_length"]) <= self.max_avg:
            return Drop("avg_word_length", f"{avg:.2f} outside {self.min_avg}-{self.max_avg}")
        if (alpha := s["alpha_words_ratio"]) < self.min_alpha:
            return Drop("too_few_alpha_words", f"{alpha:.3f} < {self.min_alpha}")
        if (dup := s["dup_line_frac"]) > self.max_dup_lines:
            return Drop("duplicate_lines", f"{dup:.3f} > {self.max_dup_lines}")
        if n_lines >= self.line_punct_min_lines and (punct := s["line_punct_ratio"]) < self.min_line_punct:
            return Drop("line_punct_ratio", f"{punct:.3f} < {self.min_line_punct}")
        if (new_lines := s["new_line_ratio"]) > self.max_new_line:
            return Drop("list_ratio", f"{new_lines:.3f} > {self.max_new_line}")
        for n, limit in sorted(self.top_ngrams.items()):
            if (frac := s[f"top_{n}_gram_frac"]) > limit:
                return Drop(f"top_{n}_gram", f"{frac:.3f} > {limit}")
        for n, limit in sorted(self.dup_ngrams.items()):
            if (frac := s[f"dup_{n}_gram_frac"]) > limit:
                return Drop(f"duplicated_{n}_grams", f"{frac:.3f} > {limit}")
        return None
