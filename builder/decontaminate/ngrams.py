"""Word n-grams as 64-bit hashes, for the evaluation items and the documents alike."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain

import numpy as np
import xxhash

from builder.arabic import WORD, match_key

MAX_N = 64  # decontaminate.ngram may be at most this


def key_words(text: str) -> list[str]:
    """The words n-grams are made of: the dedup key's (`dedup_key`: spelling variants, digits and punctuation
    flattened), with Latin script lower-cased; found on the match key directly, not joined and split again."""
    return WORD.findall(match_key(text).lower())


@lru_cache(maxsize=1 << 18)  # news vocabulary is Zipfian: most lookups are hits
def word_hash(word: str) -> int:
    return xxhash.xxh3_64_intdigest(word.encode())


# An odd multiplier per position in the window: a window's hash is sum(hash(word_j) * POSITION_j) mod 2^64, so the
# same words in another order hash apart, and every window of a text is hashed in n vectorised steps.
POSITION = np.array([xxhash.xxh3_64_intdigest(f"ngram position {j}".encode()) | 1 for j in range(MAX_N)],
                    dtype=np.uint64)


def ngram_table(texts: list[list[str]], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window of n consecutive words of every text, hashed: (hash, text, window) arrays, texts in order and
    windows in order within each. The texts' words are hashed as one array, so the cost per text is its words, not
    n numpy calls; a text of fewer than n words has no window."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    total = int(lengths.sum())
    counts = np.maximum(lengths - n + 1, 0)
    if total < n or not counts.any():
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    w = np.fromiter(map(word_hash, chain.from_iterable(texts)), dtype=np.uint64, count=total)  # no Python frame
    h = np.zeros(total - n + 1, dtype=np.uint64)
    for j in range(n):
        h += w[j:j + len(h)] * POSITION[j]  # wraps mod 2^64, as meant
    owner = np.repeat(np.arange(len(texts)), counts)
    window = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return h[(np.cumsum(lengths) - lengths)[owner] + window], owner, window  # windows that cross no text boundary


def ngram_hashes(words: list[str], n: int) -> np.ndarray:
    """One uint64 per window of n consecutive words of one text."""
    return ngram_table([words], n)[0]
