"""The cluster task: exact copies, then versions, then copies, joined over integer arrays, one page kept each.

exact     documents with one match hash form an exact group; it keeps its first by the copy policy
versions  an article's version group is a page kept by near_dup.versions.keep (the latest, then the longest: the
          most complete edit) with the exact groups it forms a version pair with itself: a star, not a
          connected component, so a page contained in two different editions of a bulletin cannot chain them
copies    version groups joined by copy pairs form a cluster (one story on several sites); it keeps one of
          its version keepers by near_dup.keep (the earliest, then outlet priority, as before)

Every dropped page names the relation that dropped it (reason exact_duplicate, edited_version or
near_duplicate) and the id of the page its cluster kept. The kept page carries the cluster's size
(dup_count), the outlets that ran the story (dup_outlets) and how many distinct versions of its article were
merged into it (dup_versions). Connected components come from scipy's sparse graph routines, so memory is a
few integer arrays per document, never a Python object per document.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from builder.config import NearDupConfig
from builder.dedup.buckets import LAYOUT_KEY, VERSIONS_KEY, doc_files, versions_metadata
from builder.dedup.evidence import NO_TIME, RELATIONS
from builder.dedup.keep import ranks
from builder.dedup.pages import load, seconds
from builder.dedup.signatures import check_params, params
from builder.errors import BuildError
from builder.files import Layout, write_json, write_parquet
from builder.schema import DECISION_SCHEMA
from builder.site import UNKNOWN_OUTLET
from builder.stats import StageStats

COLUMNS = ["id", "published", "outlet", "n_chars"]
ANCHOR = "split_anchor"  # a decision column beside DECISION_SCHEMA's, for finalize alone: see `anchors`


@dataclass(frozen=True)
class ClusterJob:
    cfg: NearDupConfig
    n_bucket_tasks: int
    n_shards: int
    layout: Layout


@dataclass(frozen=True)
class Pairs:
    copies: np.ndarray
    versions: np.ndarray
    counts: dict


def load_pairs(layout: Layout, n_tasks: int, shard_rows: list[int], cfg: NearDupConfig) -> Pairs:
    """Judged pairs from every bucket task, after checking they cover every partition once, on these shards."""
    covered, tables, counts = [], [], {}
    for task in range(n_tasks):
        path = layout.pairs(task)
        if not path.exists():
            raise BuildError(f"missing {path}: the bucket stage did not finish; rerun to resume")
        table = pq.read_table(path)
        check_params(table.schema, cfg, str(path))
        if table.schema.metadata.get(VERSIONS_KEY) != versions_metadata(cfg):
            raise BuildError(f"{path} was made with other near_dup.versions settings; delete OUT/.build and rebuild")
        made_from = json.loads(table.schema.metadata[LAYOUT_KEY])
        if made_from["shard_rows"] != shard_rows:
            raise BuildError(f"{path} was made from other document shards than the current ones; "
                             "delete OUT/.build and rebuild")
        covered.append(made_from["partition"])
        for key, value in made_from.items():
            if key not in ("shard_rows", "partition"):
                counts[key] = counts.get(key, 0) + value
        tables.append(table)
    if covered != [[t, n_tasks] for t in range(n_tasks)]:
        raise BuildError(f"bucket files cover partitions {covered}, expected each of 0..{n_tasks - 1} of {n_tasks}")
    pairs = pa.concat_tables(tables)
    both = np.stack([pairs["a"].to_numpy(), pairs["b"].to_numpy()], axis=1).astype(np.int64)
    relation = np.array(pairs["relation"].to_pylist(), dtype=object)
    return Pairs(both[relation == RELATIONS[1]], both[relation == RELATIONS[2]], counts)


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """A component id per node of the graph with these edges (a node with no edge is its own component)."""
    if not len(pairs):
        return np.arange(n)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def stars(n: int, pairs: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """A group id per node: in rank order, each node not yet placed takes every unplaced neighbour it has an
    edge with (greedy star clustering), so every member is linked directly to the node that heads its group.
    The loop runs over the nodes that have an edge only: versions are a small share of any corpus."""
    group = np.arange(n)
    if not len(pairs):
        return group
    edges = np.concatenate([pairs, pairs[:, ::-1]])
    graph = coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    placed = np.zeros(n, dtype=bool)
    linked = np.unique(edges[:, 0])
    for head in linked[np.argsort(rank[linked], kind="stable")].tolist():
        if placed[head]:
            continue
        members = graph.indices[graph.indptr[head] : graph.indptr[head + 1]]
        members = members[~placed[members]]
        group[members], placed[members], placed[head] = head, True, True
    return np.unique(group, return_inverse=True)[1]


def best(members: np.ndarray, groups: np.ndarray, rank: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the member (a document number) with the lowest rank."""
    order = np.lexsort((rank[members], groups))
    first = np.r_[True, groups[order][1:] != groups[order][:-1]][: len(order)]
    winner = np.full(n_groups, -1, dtype=np.int64)
    winner[groups[order][first]] = members[order][first]
    return winner


@dataclass(frozen=True)
class Clustering:
    exact_rep: np.ndarray  # per document: the document its exact group keeps
    version_keeper: np.ndarray  # per document: the page its version group keeps
    keeper: np.ndarray  # per document: the page its cluster keeps
    cluster_size: np.ndarray  # per document: documents in its cluster
    versions: np.ndarray  # per document: distinct versions (exact groups) in its version group
    n_exact: int
    n_clusters: int


def cluster(exact_group: np.ndarray, pairs: Pairs, copy_rank: np.ndarray, version_rank: np.ndarray) -> Clustering:
    n = len(exact_group)
    docs = np.arange(n)
    n_exact = int(exact_group.max(initial=-1)) + 1
    rep = best(docs, exact_group, copy_rank, n_exact)  # per exact group
    version_of = stars(n_exact, exact_group[pairs.versions], version_rank[rep])  # per exact group
    n_versions = int(version_of.max(initial=-1)) + 1
    vkeep = best(rep, version_of, version_rank, n_versions)  # per version group, among exact representatives
    cluster_of = components(n_versions, version_of[exact_group[pairs.copies]])  # per version group
    n_clusters = int(cluster_of.max(initial=-1)) + 1
    keep = best(vkeep, cluster_of, copy_rank, n_clusters)  # per cluster, among version keepers
    doc_version = version_of[exact_group]
    doc_cluster = cluster_of[doc_version]
    return Clustering(
        exact_rep=rep[exact_group], version_keeper=vkeep[doc_version], keeper=keep[doc_cluster],
        cluster_size=np.bincount(doc_cluster, minlength=n_clusters)[doc_cluster],
        versions=np.bincount(version_of, minlength=n_versions)[doc_version], n_exact=n_exact, n_clusters=n_clusters)


def anchors(keeper: np.ndarray) -> np.ndarray:
    """Per document, the first member of its cluster in input order (shards in the order they were added): the
    member a split is drawn for. A document that joins a cluster later (a copy, a newer version, even one that
    becomes the kept page) never comes first, so the cluster keeps its split as the corpus grows."""
    first = np.full(len(keeper), len(keeper), dtype=np.int64)
    np.minimum.at(first, keeper, np.arange(len(keeper)))
    return first[keeper]


def outlets_of(keeper: np.ndarray, outlets: list) -> dict[int, list[str]]:
    """The outlets of each cluster with more than one document, keyed by the kept document."""
    found: dict[int, set[str]] = {}
    shared = np.flatnonzero(keeper != np.arange(len(keeper)))
    for i in np.concatenate([shared, np.unique(keeper[shared])]).tolist():
        found.setdefault(int(keeper[i]), set()).add(outlets[i])
    return {k: sorted(v - {None, UNKNOWN_OUTLET}) for k, v in found.items()}


def run_clusters(job: ClusterJob) -> None:
    started = time.perf_counter()
    cfg, layout = job.cfg, job.layout
    tables = []
    for f in doc_files(layout, job.n_shards):
        tables.append(pq.read_table(f, columns=COLUMNS))
        check_params(tables[-1].schema, cfg, str(f))
    shard_rows = [t.num_rows for t in tables]
    table = pa.concat_tables(tables)
    del tables
    ids = table["id"].combine_chunks()  # Arrow, not a Python string per document
    id_order = np.empty(len(ids), dtype=np.int64)
    id_order[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids))  # the ids' order, as the keep tie-break
    coded = table["outlet"].combine_chunks().dictionary_encode()
    # one string object per outlet, shared by its documents' slots
    outlets = np.asarray([*coded.dictionary.to_pylist(), None], dtype=object)[
        coded.indices.fill_null(len(coded.dictionary)).to_numpy()]
    published = seconds(table["published"])
    known = published != NO_TIME
    facts = {"ids": id_order, "published": np.where(known, published, 0), "known": known, "outlets": outlets,
             "n_chars": table["n_chars"].to_numpy(), "priority": cfg.outlet_priority}
    del table
    copy_rank = ranks(cfg.keep, **facts, setting="near_dup.keep")
    version_rank = ranks(cfg.versions.keep, **facts, setting="near_dup.versions.keep")
    rep = np.concatenate([load(layout, "exact", s)["rep"] for s in range(job.n_shards)])  # exact.py
    exact_group = np.unique(rep, return_inverse=True)[1]
    exact_seconds = time.perf_counter() - started

    none = np.zeros((0, 2), dtype=np.int64)
    pairs = load_pairs(layout, job.n_bucket_tasks, shard_rows, cfg) if cfg.enabled else Pairs(none, none, {})
    result = cluster(exact_group.astype(np.int64), pairs, copy_rank, version_rank)
    n = len(ids)
    docs = np.arange(n)
    kept = result.keeper == docs
    reason = np.where(kept, None, np.where(result.exact_rep != docs, "exact_duplicate", np.where(
        result.version_keeper != docs, "edited_version", "near_duplicate")))
    stage = np.where(kept, None, np.where(reason == "exact_duplicate", "exact", "near_dup"))
    shared_outlets = outlets_of(result.keeper, outlets)
    exact_stats, near_stats = StageStats("exact"), StageStats("near_dup")
    for name, count in zip(*np.unique(reason[~kept].astype(str), return_counts=True), strict=True):
        (exact_stats if name == "exact_duplicate" else near_stats).dropped[str(name)] += int(count)
    exact_stats.docs_in, exact_stats.docs_out, exact_stats.seconds = n, result.n_exact, exact_seconds
    near_stats.docs_in, near_stats.docs_out = result.n_exact, result.n_clusters
    near_stats.seconds = time.perf_counter() - started - exact_seconds
    edges = np.cumsum([0, *shard_rows])
    anchor_ids = ids.take(pa.array(anchors(result.keeper)))
    for shard in range(job.n_shards):
        part = slice(edges[shard], edges[shard + 1])
        keeper = result.keeper[part]
        cluster_ids = ids.take(pa.array(keeper))
        kept_ids = pc.if_else(pa.array(kept[part]), pa.scalar(None, ids.type), cluster_ids)
        decisions = pa.table({
            "id": ids[part], "keep": kept[part], "stage": stage[part].tolist(),
            "reason": reason[part].tolist(), "kept_id": kept_ids,
            "dup_cluster": cluster_ids, "dup_count": result.cluster_size[part],
            "dup_outlets": [shared_outlets.get(int(k)) or sorted({outlets[int(k)]} - {None, UNKNOWN_OUTLET})
                            for k in keeper],
            "dup_versions": result.versions[keeper],
        }, schema=DECISION_SCHEMA)
        write_parquet(decisions.append_column(ANCHOR, anchor_ids[part]), layout.decisions(shard))
    write_json({
        "stages": [exact_stats.to_dict(), near_stats.to_dict()],
        "minhash": params(cfg),
        "candidate_pairs": pairs.counts.get("candidates", 0),
        "candidates": pairs.counts,
        "verified_pairs": len(pairs.copies) + len(pairs.versions),
        "copy_pairs": len(pairs.copies),
        "version_pairs": len(pairs.versions),
        "clusters": result.n_clusters,
        "clusters_with_copies": int((np.bincount(result.keeper, minlength=n)[kept] > 1).sum()),
    }, layout.stats("dedup"))
