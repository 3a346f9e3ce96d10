"""Exact and near-duplicate detection over the whole corpus, with a keep policy and provenance.

Exact copies share the hash of their dedup key (match key, punctuation and spacing flattened). Near
duplicates share enough MinHash signature bands (datasketch LSH) and, verified on the signatures, an
estimated Jaccard at or above the threshold; linked documents form clusters by union-find. Each cluster
keeps one document by the configured policy and records its size and the outlets that ran the story.
"""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import LeanMinHash, MinHash, MinHashLSH

from builder.executor import BuildError
from builder.files import write_json, write_parquet
from builder.stages.base import StageStats

UNKNOWN_OUTLET = "unknown"
DECISION_SCHEMA = pa.schema([
    ("id", pa.string()), ("keep", pa.bool_()), ("stage", pa.string()), ("reason", pa.string()),
    ("kept_id", pa.string()), ("dup_cluster", pa.string()), ("dup_count", pa.int32()),
    ("dup_outlets", pa.list_(pa.string())),
])


def shingles(key: str, n: int) -> list[bytes]:
    words = key.split()
    return sorted({" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))})


def signatures(keys: list[str], cfg: dict) -> list[bytes]:
    """MinHash signatures for a shard's documents, computed in bulk."""
    if not keys:
        return []
    sets = [shingles(k, cfg["ngram"]) for k in keys]
    hashes = MinHash.bulk(sets, num_perm=cfg["num_perm"], seed=cfg["seed"], scheme=cfg["scheme"])
    return [m.hashvalues.tobytes() for m in hashes]


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


def load_signatures(work: Path, n_shards: int) -> tuple[dict, list[int]]:
    files = sorted((work / "docs").glob("*.parquet"))
    if len(files) != n_shards:
        raise BuildError(f"dedup expected {n_shards} document shards in {work / 'docs'}, found {len(files)}")
    columns = ["id", "match_hash", "minhash", "published", "outlet", "n_chars"]
    tables = [pq.read_table(f, columns=columns) for f in files]
    shard_of = [i for i, t in enumerate(tables) for _ in range(t.num_rows)]
    return pa.concat_tables(tables).to_pydict(), shard_of


def run_dedup(near: dict, exact: dict, n_shards: int, work_dir: str) -> None:
    started = time.perf_counter()
    work = Path(work_dir)
    docs, shard_of = load_signatures(work, n_shards)
    n = len(docs["id"])
    order = keep_order(docs, near["keep"], near["outlet_priority"])
    uf = UnionFind(n)
    exact_stats, near_stats = StageStats("exact"), StageStats("near_dup")

    # exact copies: one representative per match hash
    representative: dict[str, int] = {}
    for i in sorted(range(n), key=order.__getitem__):
        key = docs["match_hash"][i] if exact["enabled"] else docs["id"][i]
        if key in representative:
            uf.union(representative[key], i)
        else:
            representative[key] = i
    reps = sorted(representative.values())
    exact_stats.docs_in, exact_stats.docs_out = n, len(reps)
    exact_stats.seconds = time.perf_counter() - started

    # near duplicates among the representatives
    lsh = MinHashLSH(threshold=near["threshold"], num_perm=near["num_perm"])
    if near["enabled"]:
        sketches = {i: LeanMinHash(seed=near["seed"], hashvalues=np.frombuffer(docs["minhash"][i], dtype=np.uint32),
                                   scheme=near["scheme"]) for i in reps}
        for i in reps:
            for j in lsh.query(sketches[i]):
                if sketches[i].jaccard(sketches[j]) >= near["threshold"]:
                    uf.union(i, j)
            lsh.insert(i, sketches[i])

    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(uf.find(i), []).append(i)
    decisions: list[list[dict]] = [[] for _ in range(n_shards)]
    rep_set = set(reps)
    for members in clusters.values():
        keeper = min(members, key=order.__getitem__)
        outlets = sorted({docs["outlet"][m] for m in members} - {None, UNKNOWN_OUTLET})
        for m in members:
            stage = None if m == keeper else ("near_dup" if m in rep_set else "exact")
            decisions[shard_of[m]].append({
                "id": docs["id"][m], "keep": m == keeper, "stage": stage,
                "reason": {"exact": "exact_duplicate", "near_dup": "near_duplicate"}.get(stage),
                "kept_id": docs["id"][keeper] if m != keeper else None,
                "dup_cluster": docs["id"][keeper], "dup_count": len(members), "dup_outlets": outlets,
            })
            if stage == "exact":
                exact_stats.dropped["exact_duplicate"] += 1
            elif stage == "near_dup":
                near_stats.dropped["near_duplicate"] += 1
    near_stats.docs_in = exact_stats.docs_out
    near_stats.docs_out = len(clusters)
    near_stats.seconds = time.perf_counter() - started - exact_stats.seconds
    for shard, rows in enumerate(decisions):
        table = pa.Table.from_pylist(rows, schema=DECISION_SCHEMA)
        write_parquet(table, work / "dedup" / f"decisions-{shard:05d}.parquet")
    write_json({
        "stages": [exact_stats.to_dict(), near_stats.to_dict()],
        "minhash": {"library": f"datasketch {version('datasketch')}", "scheme": near["scheme"],
                    "num_perm": near["num_perm"], "ngram": near["ngram"], "seed": near["seed"],
                    "threshold": near["threshold"], "bands": lsh.b, "rows": lsh.r},
        "clusters": len(clusters),
        "clusters_with_copies": sum(len(m) > 1 for m in clusters.values()),
    }, work / "stats" / "dedup.json")

