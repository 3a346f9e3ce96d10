"""Train / validation / test by a stable hash of the duplicate cluster: copies of a story never straddle splits."""

from __future__ import annotations

import hashlib

from builder.config import SplitConfig
from builder.schema import SPLITS


def split_of(cluster: str, cfg: SplitConfig) -> str:
    """The split of every member of `cluster`; the same cluster id and salt always give the same split."""
    digest = hashlib.blake2b(f"{cfg.salt}:{cluster}".encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    shares = [getattr(cfg, name) for name in SPLITS]
    bound = 0.0
    for name, share in zip(SPLITS, shares, strict=True):
        bound += share
        if u < bound / sum(shares):
            return name
    return SPLITS[-1]
