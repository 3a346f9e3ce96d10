"""MinHash signatures (datasketch, in bulk) and the LSH banding derived from the threshold, in one place."""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import version

import numpy as np
import pyarrow as pa
from datasketch import MinHash
from scipy.integrate import quad

from builder.config import NearDupConfig
from builder.errors import BuildError

PARAMS_KEY = b"builder.minhash"


def shingles(key: str, n: int) -> list[bytes]:
    words = key.split()
    return sorted({" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))})


def signatures(keys: list[str], cfg: NearDupConfig) -> tuple[list[bytes], list[int]]:
    """MinHash signatures for a shard's documents, computed in bulk, and each one's shingle count (the set
    size that turns an estimated Jaccard into a containment)."""
    if not keys:
        return [], []
    sets = [shingles(k, cfg.ngram) for k in keys]
    hashes = MinHash.bulk(sets, num_perm=cfg.num_perm, seed=cfg.seed, scheme=cfg.scheme)
    return [m.hashvalues.tobytes() for m in hashes], [len(s) for s in sets]


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
    return {"library": f"datasketch {version('datasketch')}", "scheme": cfg.scheme, "num_perm": cfg.num_perm,
            "seed": cfg.seed, "ngram": cfg.ngram, "threshold": cfg.threshold,
            "candidate_threshold": cfg.candidate_threshold, "bands": bands, "rows": rows}


def with_params(schema: pa.Schema, cfg: NearDupConfig) -> pa.Schema:
    return schema.with_metadata({**(schema.metadata or {}), PARAMS_KEY: json.dumps(params(cfg)).encode()})


def check_params(schema: pa.Schema, cfg: NearDupConfig, where: str) -> None:
    found = json.loads((schema.metadata or {}).get(PARAMS_KEY, b"{}"))
    expected = params(cfg)
    if found != expected:
        diff = {k: (found.get(k), v) for k, v in expected.items() if found.get(k) != v}
        raise BuildError(f"{where} was made with other MinHash settings {diff} (found, expected); "
                         "delete OUT/.build and rebuild")


def matrix(blobs: list[bytes], num_perm: int) -> np.ndarray:
    """Signatures as an (n, num_perm) uint32 matrix."""
    if not blobs:
        return np.zeros((0, num_perm), dtype=np.uint32)
    return np.frombuffer(b"".join(blobs), dtype=np.uint32).reshape(len(blobs), num_perm)
