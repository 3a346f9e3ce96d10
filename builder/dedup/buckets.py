"""Band buckets: each task takes a range of LSH bands over every shard's signatures and writes the
candidate pairs whose signatures agree on at least the threshold."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.config import NearDupConfig
from builder.dedup.signatures import check_params, lsh_params, matrix, with_params
from builder.errors import BuildError
from builder.files import Layout, write_json, write_parquet
from builder.stages.base import StageStats

PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("similarity", pa.float32())])
LAYOUT_KEY = b"builder.layout"
_MIX = np.uint64(0x100000001B3)


def band_ranges(bands: int, tasks: int) -> list[range]:
    tasks = max(1, min(tasks, bands))
    edges = np.linspace(0, bands, tasks + 1).astype(int)
    return [range(edges[i], edges[i + 1]) for i in range(tasks)]


@dataclass(frozen=True)
class BucketJob:
    cfg: NearDupConfig
    task: int  # which range of bands, of n_tasks
    n_tasks: int
    n_shards: int
    layout: Layout


def doc_files(layout: Layout, n_shards: int) -> list[Path]:
    files = [layout.signed(i) for i in range(n_shards)]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise BuildError(f"dedup expected {n_shards} signed shards in {files[0].parent}; missing {missing[:5]}")
    return files


def load_matrix(layout: Layout, n_shards: int, cfg: NearDupConfig) -> tuple[np.ndarray, list[int]]:
    """All signatures in shard order, with the row count of each shard (the global document numbering)."""
    blobs, counts = [], []
    for f in doc_files(layout, n_shards):
        table = pq.read_table(f, columns=["minhash"])
        check_params(table.schema, cfg, str(f))
        blobs += table["minhash"].to_pylist()
        counts.append(table.num_rows)
    return matrix(blobs, cfg.num_perm), counts


def band_keys(sig: np.ndarray, band: int, rows: int) -> np.ndarray:
    """A 64-bit key per document for one band (FNV-style fold of its rows; collisions are verified away)."""
    key = np.full(len(sig), 0xCBF29CE484222325, dtype=np.uint64)
    for column in sig[:, band * rows : (band + 1) * rows].T:
        key = (key ^ column.astype(np.uint64)) * _MIX
    return key


def candidate_pairs(sig: np.ndarray, bands: range, rows: int) -> np.ndarray:
    """(a, b) pairs with a < b sharing a bucket in any of the bands: each document linked to its bucket's first."""
    pairs = []
    for band in bands if len(sig) else ():
        keys = band_keys(sig, band, rows)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
        linked = ~starts
        pairs.append(np.stack([first[linked], order[linked]], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    found = np.concatenate(pairs)
    found.sort(axis=1)
    return np.unique(found, axis=0)


def run_buckets(job: BucketJob) -> None:
    started = time.perf_counter()
    cfg = job.cfg
    bands, rows = lsh_params(cfg.threshold, cfg.num_perm)
    my_bands = band_ranges(bands, job.n_tasks)[job.task]
    sig, counts = load_matrix(job.layout, job.n_shards, cfg)
    pairs = candidate_pairs(sig, my_bands, rows)
    similarity = (sig[pairs[:, 0]] == sig[pairs[:, 1]]).mean(axis=1) if len(pairs) else np.zeros(0)
    verified = similarity >= cfg.threshold
    table = pa.table({"a": pairs[verified, 0], "b": pairs[verified, 1],
                      "similarity": similarity[verified].astype(np.float32)}, schema=PAIR_SCHEMA)
    layout = {"shard_rows": counts, "bands": [my_bands.start, my_bands.stop], "candidates": len(pairs)}
    schema = with_params(table.schema, cfg)
    schema = schema.with_metadata({**schema.metadata, LAYOUT_KEY: json.dumps(layout).encode()})
    write_parquet(table.cast(schema), job.layout.pairs(job.task))
    seconds = StageStats("near_dup", seconds=time.perf_counter() - started)  # counts come from the cluster task
    write_json(seconds.to_dict(), job.layout.stats("buckets", job.task))
