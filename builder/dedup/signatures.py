"""MinHash signatures (datasketch, in bulk) and the LSH banding derived from the threshold, in one place."""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import version

import numpy as np
import pyarrow as pa
import xxhash
from datasketch import MinHash
from scipy.integrate import quad

from builder.config import NearDupConfig
from builder.errors import BuildError

PARAMS_KEY = b"builder.minhash"


def shingles(key: str, n: int) -> list[bytes]:
    words = key.split()
    return sorted({" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))})


SHINGLE_HASH = "xxh64 per word, polynomial fold over the n-gram, xor-folded to 32 bits"
_FOLD = np.uint64(0x100000001B3)


def shingle_hashes(key: str, n: int) -> np.ndarray:
    """The distinct 32-bit hashes of the key's word n-grams (one n-gram of all words when there are fewer):
    each word hashed once, the n-grams folded with numpy, not hashed one by one in Python as datasketch's default
    sha1 does. Not cached: xxh64 of a word costs less than an lru_cache lookup (920k words of 5k egypt_news
    documents: 0.18 CPU-s against 0.5)."""
    words = key.split() or [""]
    h = np.fromiter((xxhash.xxh64_intdigest(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    width = max(1, len(words) - n + 1)
    gram = h[:width].copy()
    for j in range(1, min(n, len(words))):
        gram = gram * _FOLD + h[j : j + width]  # wraps modulo 2**64, as a hash should
    return np.unique((gram ^ (gram >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def signatures(keys: list[str], cfg: NearDupConfig) -> tuple[np.ndarray, list[int]]:
    """MinHash signatures for a shard's documents (datasketch, in bulk, fed the shingle hashes) as a (docs,
    num_perm) uint32 matrix, and each one's shingle count (the set size that turns an estimated Jaccard into a
    containment)."""
    if not keys:
        return np.zeros((0, cfg.num_perm), dtype=np.uint32), []
    sets = [shingle_hashes(k, cfg.ngram) for k in keys]
    return minhash_rows(sets, cfg).astype(np.uint32, copy=False), [len(s) for s in sets]


# datasketch's affine schemes: the width, and the MurmurHash3 finaliser it mixes each input with (shifts and
# multipliers, as in datasketch.minhash); tests/test_dedup.py checks the rows against MinHash.bulk
AFFINE = {"affine32": (np.uint32, (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)),
          "affine64": (np.uint64, (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33))}
CHUNK_SHINGLES = 1 << 14  # shingles permuted at once: a (num_perm, shingles) matrix of 8 MB at 128 x 32 bits


def minhash_rows(sets: list[np.ndarray], cfg: NearDupConfig) -> np.ndarray:
    """datasketch's MinHash of each shingle set (hashfunc=int), as rows: for the affine schemes, computed for many
    documents at once (the permutations applied to their shingles in one matrix, the minimum per document by
    np.minimum.reduceat), as datasketch does one document at a time (about 80 µs each in Python); the legacy
    scheme by datasketch itself."""
    if cfg.scheme not in AFFINE:
        hashes = MinHash.bulk(sets, num_perm=cfg.num_perm, seed=cfg.seed, scheme=cfg.scheme, hashfunc=int)
        return np.stack([m.hashvalues for m in hashes])
    dtype, (s1, m1, s2, m2, s3) = AFFINE[cfg.scheme]
    a, b = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, scheme=cfg.scheme, hashfunc=int).permutations
    sizes = [len(s) for s in sets]
    rows = np.full((len(sets), cfg.num_perm), np.iinfo(dtype).max, dtype=dtype)  # an empty set's: nothing seen
    start = 0
    while start < len(sets):
        end, held = start + 1, sizes[start]
        while end < len(sets) and held + sizes[end] <= CHUNK_SHINGLES:
            held, end = held + sizes[end], end + 1
        filled = [i for i in range(start, end) if sizes[i]]
        if filled:
            hv = np.concatenate([sets[i] for i in filled]).astype(dtype)
            hv ^= hv >> dtype(s1)
            hv *= dtype(m1)
            hv ^= hv >> dtype(s2)
            hv *= dtype(m2)
            hv ^= hv >> dtype(s3)
            starts = np.cumsum([0, *(sizes[i] for i in filled[:-1])])
            # (num_perm, shingles): each document's shingles are a contiguous run that reduceat takes the minimum of
            rows[filled] = np.minimum.reduceat(a[:, None] * hv + b[:, None], starts, axis=1).T
        start = end
    return rows


@cache
def lsh_params(threshold: float, num_perm: int, false_positive_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted area of false positives and false negatives around the
    threshold, for bands * rows <= num_perm (the S-curve 1 - (1 - s^r)^b)."""
    best, best_cost = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp, _ = quad(lambda s, b=bands, r=rows: 1 - (1 - s**r) ** b, 0.0, threshold)
            fn, _ = quad(lambda s, b=bands, r=rows: (1 - s**r) ** b, threshold, 1.0)
            cost = false_positive_weight * fp + (1 - false_positive_weight) * fn
            if cost < best_cost:
                best, best_cost = (bands, rows), cost
    return best


def params(cfg: NearDupConfig) -> dict:
    """What a signature depends on, and how it is banded: recorded in every file that holds signatures."""
    bands, rows = lsh_params(cfg.candidate_threshold, cfg.num_perm)
    return {"library": f"datasketch {version('datasketch')}", "scheme": cfg.scheme, "shingle_hash": SHINGLE_HASH,
            "num_perm": cfg.num_perm,
            "seed": cfg.seed, "ngram": cfg.ngram, "threshold": cfg.threshold,
            "candidate_threshold": cfg.candidate_threshold, "bands": bands, "rows": rows}


def with_params(schema: pa.Schema, cfg: NearDupConfig) -> pa.Schema:
    return schema.with_metadata({**(schema.metadata or {}), PARAMS_KEY: json.dumps(params(cfg)).encode()})


def check_params(schema: pa.Schema, cfg: NearDupConfig, where: str) -> None:
    found = json.loads((schema.metadata or {}).get(PARAMS_KEY, b"{}"))
    expected = params(cfg)
    # the copy bar is the bucket tasks' (their files are keyed on it): signatures made under another bar still hold
    diff = {k: (found.get(k), v) for k, v in expected.items() if found.get(k) != v and k != "threshold"}
    if diff:
        raise BuildError(f"{where} was made with other MinHash settings {diff} (found, expected); "
                         "delete OUT/.build and rebuild")

