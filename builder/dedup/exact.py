"""The exact task: per row, the first row with its match hash (its exact group) and whether its block recurs.

Both need every row, but only a few bytes of each (the keys-NNNNN arrays, pages.py): a match hash, two block
ids and a publication second, about 40 bytes a document, never a text, title or signature. The bucket tasks then
compare one row per exact group, and the cluster task joins the groups.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from builder.config import NearDupConfig
from builder.dedup.evidence import NO_TIME
from builder.dedup.keys import recurring
from builder.dedup.pages import EXACT, ShardRows, load
from builder.files import Layout, write_json, write_npy
from builder.stats import StageStats


@dataclass(frozen=True)
class ExactJob:
    cfg: NearDupConfig
    enabled: bool  # exact.enabled: when off, every row is its own group
    n_shards: int
    layout: Layout


def first_rows(match: np.ndarray) -> np.ndarray:
    """Per row, the first row with the same 16-byte match hash."""
    _, first, inverse = np.unique(match, return_index=True, return_inverse=True)
    return first[inverse.ravel()].astype(np.int64)


def run_exact(job: ExactJob) -> None:
    started = time.perf_counter()
    layout, cfg = job.layout, job.cfg
    shards = ShardRows.of(layout, job.n_shards)
    fields = ["match", "shape", "url", "published"]
    keys = {name: np.concatenate([np.asarray(load(layout, "keys", s)[name]) for s in range(job.n_shards)])
            for name in fields}
    n = len(keys["match"])
    rep = first_rows(keys["match"]) if job.enabled else np.arange(n, dtype=np.int64)
    first = np.flatnonzero(rep == np.arange(n))  # one row per distinct body: recurrence counts bodies, not copies
    days, published = cfg.versions.recurring_days, keys["published"][first]
    flags = np.zeros(n, dtype=bool)
    flags[first] = recurring(keys["shape"][first], published, days, NO_TIME) | \
        recurring(keys["url"][first], published, days, NO_TIME)
    starts = shards.starts
    for shard in range(job.n_shards):
        part = slice(starts[shard], starts[shard + 1])
        out = np.empty(shards.counts[shard], dtype=EXACT)
        out["rep"], out["recurring"] = rep[part], flags[part]
        write_npy(out, layout.pages("exact", shard))
    write_json(StageStats("exact", seconds=time.perf_counter() - started).to_dict(), layout.stats("exact", 0))
