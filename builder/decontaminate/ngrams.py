"""Word n-grams as 64-bit hashes, for the evaluation items and the documents alike."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xxhash

from builder.arabic import dedup_key

MAX_N = 64  # decontaminate.ngram may be at most this


def key_words(text: str) -> list[str]:
    """The words n-grams are made of: the dedup key's (spelling variants, digits and punctuation flattened), with
    Latin script lower-cased."""
    return dedup_key(text).lower().split()


@lru_cache(maxsize=1 << 18)  # news vocabulary is Zipfian: most lookups are hits
def word_hash(word: str) -> int:
    return xxhash.xxh3_64_intdigest(word.encode())


# An odd multiplier per position in the window: a window's hash is sum(hash(word_j) * POSITION_j) mod 2^64, so the
# same words in another order hash apart, and every window of a text is hashed in n vectorised steps.
POSITION = np.array([xxhash.xxh3_64_intdigest(f"ngram position {j}".encode()) | 1 for j in range(MAX_N)],
                    dtype=np.uint64)


def ngram_hashes(words: list[str], n: int) -> np.ndarray:
    """One uint64 per window of n consecutive words (none when there are fewer than n)."""
    windows = len(words) - n + 1
    if windows <= 0:
        return np.empty(0, dtype=np.uint64)
    w = np.fromiter((word_hash(x) for x in words), dtype=np.uint64, count=len(words))
    h = np.zeros(windows, dtype=np.uint64)
    for j in range(n):
        h += w[j:j + windows] * POSITION[j]  # wraps mod 2^64, as meant
    return h
