"""Candidate pairs: documents that share an LSH band bucket, or a (site, title) or URL block.

Every pair of a bucket is a candidate, not only each member with the bucket's first: a true pair behind an
unrelated first member is still compared. The work is bounded: in a bucket larger than `window + 1` (a
template shared by hundreds of pages) each member is paired with the `window` members that follow it in the
bucket's order (row order for bands, publication time for blocks), so a bucket of k members costs at most
k * window pairs; such buckets are counted in the task's stats as `buckets_bounded`.
"""

from __future__ import annotations

import numpy as np

_MIX = np.uint64(0x100000001B3)
NO_PAIRS = np.zeros((0, 2), dtype=np.int64)


def band_keys(sig: np.ndarray, band: int, rows: int) -> np.ndarray:
    """A 64-bit key per document for one band (FNV-style fold of its rows; collisions are verified away)."""
    key = np.full(len(sig), 0xCBF29CE484222325, dtype=np.uint64)
    for column in sig[:, band * rows : (band + 1) * rows].T:
        key = (key ^ column.astype(np.uint64)) * _MIX
    return key


def run_pairs(order: np.ndarray, sorted_keys: np.ndarray, window: int) -> tuple[np.ndarray, int]:
    """Pairs within runs of equal keys in `sorted_keys` (the keys of `order`, grouped): each member with the
    next `window` members of its run. Returns the pairs and how many runs were longer than `window + 1`."""
    found = []
    for d in range(1, window + 1):
        same = np.flatnonzero(sorted_keys[d:] == sorted_keys[:-d])
        if not len(same):  # no run is longer than d, so none is longer than any larger d either
            break
        found.append(np.stack([order[same], order[same + d]], axis=1))
    bounded = 0
    if len(sorted_keys) > window + 1:
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
        bounded = int((np.diff(starts) > window + 1).sum())
    return (np.concatenate(found) if found else NO_PAIRS), bounded


def bucket_pairs(key: np.ndarray, row: np.ndarray, window: int, time: np.ndarray | None = None
                 ) -> tuple[np.ndarray, int]:
    """Pairs of `row`s with equal `key`s (a band's bucket or a block), each with its next `window` in the
    bucket's order: row order, or publication time then row order when `time` is given."""
    order = np.lexsort((row, key) if time is None else (row, time, key))
    return run_pairs(row[order], key[order], window)


def unique_pairs(parts: list[np.ndarray]) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    if not parts:
        return NO_PAIRS
    found = np.concatenate(parts)
    found.sort(axis=1)
    packed = np.unique((found[:, 0] << 32) | found[:, 1])  # one int64 per pair: row numbers stay below 2**31
    return np.stack([packed >> 32, packed & 0xFFFFFFFF], axis=1)

