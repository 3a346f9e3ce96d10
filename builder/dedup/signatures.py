"""MinHash signatures (datasketch, in bulk) and the LSH banding derived from the threshold, in one place."""

from __future__ import annotations

import json
from functools import cache, lru_cache
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


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return xxhash.xxh64_intdigest(word.encode())


def shingle_hashes(key: str, n: int) -> np.ndarray:
    """The distinct 32-bit hashes of the key's word n-grams (one n-gram of all words when there are fewer):
    each word hashed once (cached: news vocabulary repeats), the n-grams folded with numpy, not hashed one by one
    in Python as datasketch's default sha1 does."""
    words = key.split() or [""]
    h = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
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
    hashes = MinHash.bulk(sets, num_perm=cfg.num_perm, seed=cfg.seed, scheme=cfg.scheme, hashfunc=int)
    return np.stack([m.hashvalues for m in hashes]).astype(np.uint32, copy=False), [len(s) for s in sets]


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

