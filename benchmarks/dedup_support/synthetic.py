"""A seeded synthetic Arabic corpus whose near-copies have a known true word-5-gram Jaccard to their original.

Words are drawn by frequency from a vocabulary counted at run time on a real corpus (`vocabulary`; nothing
is stored), in match-key form, so the dedup key of a synthetic text is the text itself and the Jaccard we
compute here is exactly the one MinHash estimates. Three kinds of document:

original  words drawn independently by frequency, 30-1500 of them (log-normal, median about 180)
copy      an original after k random word edits (substitution, insertion or deletion, equally likely), k chosen
          for a target Jaccard drawn uniformly from [0.5, 1]; one copy in ten is exact
quoting   a fresh document with a passage of another original spliced in (true Jaccard about 0.05-0.35):
          a hard negative that shares text with an original but is not a copy of it

Run on its own: `python benchmarks/dedup_support/synthetic.py --out DIR [--docs N] [--seed S]` writes the
JSONL shards and `truth.json`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from builder.arabic import dedup_key

ARABIC_WORD = re.compile(r"[\u0621-\u064A]{2,}")
NGRAM = 5


def shingle_set(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    """Word n-grams as the builder makes them: a text shorter than n words is one shingle."""
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: list[str], b: list[str], n: int = NGRAM) -> float:
    sa, sb = shingle_set(a, n), shingle_set(b, n)
    return len(sa & sb) / len(sa | sb)


def vocabulary(texts: Iterable[str], size: int = 30_000) -> tuple[list[str], np.ndarray]:
    """The `size` most frequent all-Arabic-letter words of the texts' match keys, with their frequencies."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(w for w in dedup_key(text).split() if ARABIC_WORD.fullmatch(w))
    top = counts.most_common(size)
    weights = np.array([c for _, c in top], dtype=float)
    return [w for w, _ in top], weights / weights.sum()


@dataclass
class Synthetic:
    texts: list[str] = field(default_factory=list)
    family: list[int] = field(default_factory=list)  # documents of one family are true duplicates
    copies: list[tuple[int, int, float, float]] = field(default_factory=list)  # original, copy, jaccard, edit rate
    quotes: list[tuple[int, int, float]] = field(default_factory=list)  # original, quoting document, jaccard

    def truth(self) -> dict:
        return {"family": self.family, "copies": self.copies, "quotes": self.quotes}


class Generator:
    def __init__(self, words: list[str], weights: np.ndarray, seed: int):
        self.words = np.array(words, dtype=object)
        self.cdf = np.cumsum(weights)
        self.rng = np.random.default_rng(seed)

    def draw(self, n: int) -> list[str]:
        return list(self.words[np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.cdf) - 1)])

    def length(self) -> int:
        return int(np.clip(self.rng.lognormal(np.log(180), 0.6), 30, 1500))

    def edit(self, words: list[str], rate: float) -> list[str]:
        """`rate * len` edits at distinct random positions, applied from the end so positions stay valid."""
        out = list(words)
        k = round(rate * len(words))
        for i in sorted(self.rng.choice(len(words), size=min(k, len(words)), replace=False), reverse=True):
            op = self.rng.integers(3)
            if op == 0:
                out[i] = self.draw(1)[0]
            elif op == 1:
                out.insert(i, self.draw(1)[0])
            elif len(out) > NGRAM:
                del out[i]
        return out

    def copy_rate(self) -> float:
        """Edit rate for a target Jaccard J: a shingle survives if none of its 5 words is edited, so about
        s = (1 - p)^5 of them are shared and J = s / (2 - s)."""
        if self.rng.random() < 0.1:
            return 0.0
        target = self.rng.uniform(0.5, 1.0)
        return 1 - (2 * target / (1 + target)) ** (1 / NGRAM)

    def quoting(self, original: list[str]) -> list[str]:
        share = self.rng.uniform(0.1, 0.5)
        size = max(NGRAM, int(share * len(original)))
        start = int(self.rng.integers(0, max(1, len(original) - size + 1)))
        own = self.draw(max(NGRAM, len(original) - size))
        at = int(self.rng.integers(0, len(own) + 1))
        return own[:at] + original[start : start + size] + own[at:]


def generate(words: list[str], weights: np.ndarray, n_docs: int, seed: int = 0) -> Synthetic:
    """About n_docs documents: half the originals get 1-3 copies, one in twenty is quoted by a fresh document."""
    gen = Generator(words, weights, seed)
    docs: list[list[str]] = []
    family: list[int] = []
    copies, quotes = [], []
    while len(docs) < n_docs:
        original, fam = gen.draw(gen.length()), len(docs)
        docs.append(original)
        family.append(fam)
        for _ in range(int(gen.rng.integers(1, 4)) if gen.rng.random() < 0.5 else 0):
            rate = gen.copy_rate()
            copy = gen.edit(original, rate)
            copies.append((fam, len(docs), jaccard(original, copy), rate))
            docs.append(copy)
            family.append(fam)
        if gen.rng.random() < 0.05:
            quote = gen.quoting(original)
            quotes.append((fam, len(docs), jaccard(original, quote)))
            family.append(len(docs))
            docs.append(quote)
    order = gen.rng.permutation(len(docs))
    where = np.argsort(order)
    return Synthetic(
        texts=[" ".join(docs[i]) for i in order],
        family=[int(where[family[i]]) for i in order],
        copies=[(int(where[a]), int(where[b]), round(j, 4), round(r, 4)) for a, b, j, r in copies],
        quotes=[(int(where[a]), int(where[b]), round(j, 4)) for a, b, j in quotes],
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dedup_support.corpora import egypt_records, write_jsonl_shards

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    words, weights = vocabulary(r["body"] for r in egypt_records(30_000))
    corpus = generate(words, weights, args.docs, args.seed)
    ids = write_jsonl_shards([{"text": t} for t in corpus.texts], args.out, args.shards, "synthetic")
    (args.out.parent / f"{args.out.name}-truth.json").write_text(json.dumps({"ids": ids, **corpus.truth()}))


if __name__ == "__main__":
    main()
