"""Clusters: union-find over exact copies and verified near-duplicate pairs, then the keep policy.

Each cluster keeps one document: the first by the configured policy (earliest published, then outlet
priority, then the longest text; the id breaks ties). Kept documents carry the cluster id (the kept
document's id), its size and the outlets that ran the story; the others are decided out with the id of
the one kept.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.config import ExactConfig, NearDupConfig
from builder.dedup.buckets import LAYOUT_KEY, doc_files
from builder.dedup.signatures import check_params, params
from builder.errors import BuildError
from builder.files import Layout, write_json, write_parquet
from builder.stages.base import StageStats

UNKNOWN_OUTLET = "unknown"
DECISION_SCHEMA = pa.schema([
    ("id", pa.string()), ("keep", pa.bool_()), ("stage", pa.string()), ("reason", pa.string()),
    ("kept_id", pa.string()), ("dup_cluster", pa.string()), ("dup_count", pa.int32()),
    ("dup_outlets", pa.list_(pa.string())),
])


@dataclass(frozen=True)
class ClusterJob:
    cfg: NearDupConfig
    exact: ExactConfig
    n_bucket_tasks: int
    n_shards: int
    layout: Layout


class UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def keep_order(docs: dict, policy: list[str], priority: list[str]) -> list[tuple]:
    """Sort key per document: the smallest is the one a cluster keeps."""
    rank = {o: i for i, o in enumerate(priority)}
    far_future = np.datetime64("9999-12-31")
    keys = []
    for i in range(len(docs["id"])):
        parts = []
        for rule in policy:
            if rule == "earliest":
                published = docs["published"][i]
                parts.append(np.datetime64(published) if published is not None else far_future)
            elif rule == "outlet_priority":
                parts.append(rank.get(docs["outlet"][i], len(rank)))
            elif rule == "longest":
                parts.append(-docs["n_chars"][i])
            else:
                raise BuildError(f"unknown keep rule {rule!r} in near_dup.keep (earliest, outlet_priority, longest)")
        keys.append((*parts, docs["id"][i]))
    return keys


def load_pairs(layout: Layout, n_tasks: int, shard_rows: list[int], cfg: NearDupConfig) -> tuple[np.ndarray, int]:
    """Verified pairs from every bucket task, after checking they cover every band once, on these shards."""
    bands = params(cfg)["bands"]
    covered, tables, candidates = [], [], 0
    for task in range(n_tasks):
        path = layout.pairs(task)
        if not path.exists():
            raise BuildError(f"missing {path}: the bucket stage did not finish; rerun to resume")
        table = pq.read_table(path)
        check_params(table.schema, cfg, str(path))
        made_from = json.loads(table.schema.metadata[LAYOUT_KEY])
        if made_from["shard_rows"] != shard_rows:
            raise BuildError(f"{path} was made from other document shards than the current ones; "
                             "delete OUT/.build and rebuild")
        covered += range(*made_from["bands"])
        candidates += made_from["candidates"]
        tables.append(table)
    if sorted(covered) != list(range(bands)):
        raise BuildError(f"bucket files cover bands {sorted(set(covered))}, expected 0..{bands - 1} once each")
    pairs = pa.concat_tables(tables)
    return np.stack([pairs["a"].to_numpy(), pairs["b"].to_numpy()], axis=1), candidates


def run_clusters(job: ClusterJob) -> None:
    started = time.perf_counter()
    cfg, exact, n_shards, layout = job.cfg, job.exact, job.n_shards, job.layout
    columns = ["id", "match_hash", "published", "outlet", "n_chars"]
    tables = []
    for f in doc_files(layout, n_shards):
        tables.append(pq.read_table(f, columns=columns))
        check_params(tables[-1].schema, cfg, str(f))
    shard_rows = [t.num_rows for t in tables]
    shard_of = np.repeat(np.arange(n_shards), shard_rows)
    docs = pa.concat_tables(tables).to_pydict()
    n = len(docs["id"])
    order = keep_order(docs, cfg.keep, cfg.outlet_priority)
    uf = UnionFind(n)
    exact_stats, near_stats = StageStats("exact"), StageStats("near_dup")

    representative: dict[str, int] = {}
    for i in sorted(range(n), key=order.__getitem__):
        key = docs["match_hash"][i] if exact.enabled else docs["id"][i]
        if key in representative:
            uf.union(representative[key], i)
        else:
            representative[key] = i
    reps = set(representative.values())
    exact_stats.docs_in, exact_stats.docs_out = n, len(reps)
    exact_stats.seconds = time.perf_counter() - started

    pairs, candidates = (load_pairs(layout, job.n_bucket_tasks, shard_rows, cfg) if cfg.enabled
                         else (np.zeros((0, 2)), 0))
    for a, b in pairs.tolist():
        uf.union(a, b)

    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(uf.find(i), []).append(i)
    decisions: list[list[dict]] = [[] for _ in range(n_shards)]
    for members in clusters.values():
        keeper = min(members, key=order.__getitem__)
        outlets = sorted({docs["outlet"][m] for m in members} - {None, UNKNOWN_OUTLET})
        for m in members:
            stage, reason = (None, None) if m == keeper else \
                ("near_dup", "near_duplicate") if m in reps else ("exact", "exact_duplicate")
            if stage:
                (exact_stats if stage == "exact" else near_stats).dropped[reason] += 1
            decisions[shard_of[m]].append({
                "id": docs["id"][m], "keep": m == keeper, "stage": stage, "reason": reason,
                "kept_id": docs["id"][keeper] if m != keeper else None,
                "dup_cluster": docs["id"][keeper], "dup_count": len(members), "dup_outlets": outlets,
            })
    near_stats.docs_in, near_stats.docs_out = exact_stats.docs_out, len(clusters)
    near_stats.seconds = time.perf_counter() - started - exact_stats.seconds
    for shard, rows in enumerate(decisions):
        write_parquet(pa.Table.from_pylist(rows, schema=DECISION_SCHEMA),
                      layout.decisions(shard))
    write_json({
        "stages": [exact_stats.to_dict(), near_stats.to_dict()],
        "minhash": params(cfg),
        "candidate_pairs": candidates,
        "verified_pairs": len(pairs),
        "clusters": len(clusters),
        "clusters_with_copies": sum(len(m) > 1 for m in clusters.values()),
    }, layout.stats("dedup"))
