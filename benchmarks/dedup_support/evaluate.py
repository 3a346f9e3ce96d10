"""Read who-is-clustered-with-whom from each tool's output, and score it against the ground truth.

A clustering here is `cluster`: document id -> cluster id, for every document that reached dedup (a document
the reader rejected, such as a blank body, is absent), and `kept`: the ids left in the deduplicated output.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq

from builder.arabic import dedup_key
from dedup_support.synthetic import jaccard, shingle_set

JACCARD_BANDS = [0.0, 0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]

Clustering = tuple[dict[str, str], set[str]]


def ours(out: Path) -> Clustering:
    """A kept document is its own cluster's id (`dup_cluster`); a dropped one points at the kept (`kept_id`)."""
    kept = pq.read_table(out / "data", columns=["id", "dup_cluster"]).to_pydict()
    cluster = dict(zip(kept["id"], kept["dup_cluster"], strict=True))
    dropped = pq.read_table(out / "rejected", columns=["id", "stage", "kept_id"]).to_pydict()
    for doc_id, stage, kept_id in zip(dropped["id"], dropped["stage"], dropped["kept_id"], strict=True):
        if stage in ("exact", "near_dup"):
            cluster[doc_id] = kept_id
    return cluster, set(kept["id"])


def datatrove(out: Path) -> Clustering:
    """`minhash_cluster_id` from MinhashDedupFilter(load_cluster_ids=True); -1 means a cluster of one."""
    cluster, kept = {}, set()
    for kind in ("deduped", "removed"):
        for path in sorted((out / kind).glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for doc in map(json.loads, fh):
                    cid = doc["metadata"].get("minhash_cluster_id", -1)
                    cluster[doc["id"]] = f"c{cid}" if cid != -1 else doc["id"]
                    if kind == "deduped":
                        kept.add(doc["id"])
    return cluster, kept


def band(x: float, edges: list[float] = JACCARD_BANDS) -> str:
    i = next((i for i in range(len(edges) - 1) if x < edges[i + 1]), len(edges) - 2)
    return f"{edges[i]:.1f}-{edges[i + 1]:.1f}"


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def banded(values: list[float], merged: list[bool], edges: list[float] = JACCARD_BANDS) -> dict:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for x, m in zip(values, merged, strict=True):
        counts[band(x, edges)][0] += 1
        counts[band(x, edges)][1] += m
    return {b: {"n": n, "merged": k, "share": share(k, n)} for b, (n, k) in sorted(counts.items())}


def exact_copies(groups: list[dict], clustering: Clustering) -> dict:
    """Of the extra copies of a body (group size - 1), how many left the output; every group should keep one."""
    cluster, kept = clustering
    n_kept = [sum(i in kept for i in g["ids"]) for g in groups]
    blank = [g["blank"] for g in groups]
    return {
        "extra_copies": sum(len(g["ids"]) - 1 for g in groups),
        "extra_copies_removed": sum(len(g["ids"]) - max(k, 1) for g, k in zip(groups, n_kept, strict=True)),
        "extra_copies_of_blank_bodies": sum(len(g["ids"]) - 1 for g, b in zip(groups, blank, strict=True) if b),
        "groups": len(groups),
        "groups_keeping_exactly_one": sum(k == 1 for k in n_kept),
        "groups_keeping_none_blank_body": sum(k == 0 and b for k, b in zip(n_kept, blank, strict=True)),
        "groups_keeping_none_other": sum(k == 0 and not b for k, b in zip(n_kept, blank, strict=True)),
        "groups_keeping_several": sum(k > 1 for k in n_kept),
        "groups_split_across_clusters": sum(len({cluster.get(i, i) for i in g["ids"]}) > 1
                                            for g, b in zip(groups, blank, strict=True) if not b),
    }


def edit_groups(groups: list[dict], clustering: Clustering, threshold: float) -> dict:
    """Share of same-outlet same-title groups whose documents all landed in one cluster, overall, for the groups
    whose bodies are connected at Jaccard >= threshold (what a perfect single-link dedup at that threshold
    merges), and by band of that connecting Jaccard and of the character ratio."""
    cluster, _ = clustering
    scored = [g for g in groups if sum(i in cluster for i in g["ids"]) > 1]
    merged = [len({cluster[i] for i in g["ids"] if i in cluster}) == 1 for g in scored]
    above = [m for g, m in zip(scored, merged, strict=True) if g["jaccard"] >= threshold]
    return {
        "groups": len(groups),
        "groups_with_two_readable_documents": len(scored),
        "merged": sum(merged),
        "merged_share": share(sum(merged), len(scored)),
        "groups_at_or_above_threshold": len(above),
        "merged_share_at_or_above_threshold": share(sum(above), len(above)),
        "char_ratio_at_least_0.9": share_at_least(scored, merged, "char_ratio", 0.9),
        "jaccard_at_least_0.5": share_at_least(scored, merged, "jaccard", 0.5),
        "by_jaccard_band": banded([g["jaccard"] for g in scored], merged),
        "by_char_ratio_band": banded([g["char_ratio"] for g in scored], merged),
    }


def share_at_least(groups: list[dict], merged: list[bool], key: str, level: float) -> dict:
    picked = [m for g, m in zip(groups, merged, strict=True) if g[key] >= level]
    return {"groups": len(picked), "merged": sum(picked), "share": share(sum(picked), len(picked))}


def pair_precision(ids: list[str], family: list[int], cluster: dict[str, str]) -> dict:
    """Pairs of documents sharing a predicted cluster, and how many of them are truly of one family."""
    members: dict[str, Counter] = defaultdict(Counter)
    for doc_id, fam in zip(ids, family, strict=True):
        members[cluster.get(doc_id, doc_id)][fam] += 1
    predicted = sum(n * (n - 1) // 2 for n in (sum(c.values()) for c in members.values()))
    correct = sum(k * (k - 1) // 2 for c in members.values() for k in c.values())
    return {"predicted_pairs": predicted, "correct_pairs": correct, "precision": share(correct, predicted),
            "clusters_mixing_families": sum(len(c) > 1 for c in members.values())}


def synthetic(truth: dict, ids: list[str], clustering: Clustering, threshold: float) -> dict:
    cluster, _ = clustering
    same = [cluster.get(ids[a], ids[a]) == cluster.get(ids[b], ids[b]) for a, b, *_ in truth["copies"]]
    quoted = [cluster.get(ids[a], ids[a]) == cluster.get(ids[b], ids[b]) for a, b, _ in truth["quotes"]]
    above = [s for c, s in zip(truth["copies"], same, strict=True) if c[2] >= threshold]
    return {
        "copies": len(same),
        "recall": share(sum(same), len(same)),
        "recall_at_or_above_threshold": share(sum(above), len(above)),
        "recall_by_true_jaccard": banded([c[2] for c in truth["copies"]], same),
        **pair_precision(ids, truth["family"], cluster),
        "quoting_hard_negatives": len(quoted),
        "quoting_hard_negatives_merged": sum(quoted),
    }


def pairs_merged(pairs: list[tuple[str, str]], clustering: Clustering) -> dict:
    cluster, _ = clustering
    merged = [cluster.get(a, a) == cluster.get(b, b) for a, b in pairs]
    return {"pairs": len(pairs), "merged": sum(merged), "merged_share": share(sum(merged), len(pairs))}


def merged_similarity(clustering: Clustering, texts: dict[str, str]) -> dict:
    """A precision check where no pair is labelled: the true word-5-gram Jaccard of every dropped document to
    the one its cluster kept (below the threshold can be right through a chain of edits, near 0 is not)."""
    cluster, kept = clustering
    keeper = {cluster[i]: i for i in kept if i in cluster}
    keys: dict[str, list[str]] = {}

    def key(doc_id: str) -> list[str]:
        if doc_id not in keys:
            keys[doc_id] = dedup_key(texts[doc_id]).split()
        return keys[doc_id]

    values = [jaccard(key(i), key(keeper[c])) for i, c in cluster.items() if i not in kept and c in keeper]
    counts = Counter(band(v) for v in values)
    return {"dropped_documents": len(values), "by_jaccard_to_kept": dict(sorted(counts.items())),
            "share_below_0.5": share(sum(v < 0.5 for v in values), len(values))}


def version_sample(out: Path, texts: dict[str, str], titles: dict[str, str], path: Path, n: int = 100,
                   seed: int = 0) -> dict:
    """A seeded sample of the pages dropped as an edited version, each beside the page kept for it, written to
    `path` (JSONL, outside the repository) for a reader to judge: same article or not. Returns what the sample
    looks like by the numbers (exact Jaccard, containment of the smaller in the larger, same title or not)."""
    dropped = pq.read_table(out / "rejected", columns=["id", "reason", "kept_id"]).to_pylist()
    pairs = [(r["id"], r["kept_id"]) for r in dropped if r["reason"] == "edited_version"]
    sample = random.Random(seed).sample(pairs, min(n, len(pairs)))
    rows = []
    for doc_id, kept_id in sample:
        a, b = (shingle_set(dedup_key(texts[i]).split()) for i in (doc_id, kept_id))
        rows.append({"dropped": doc_id, "kept": kept_id, "same_title": titles[doc_id] == titles[kept_id],
                     "jaccard": round(len(a & b) / len(a | b), 4),
                     "containment": round(len(a & b) / min(len(a), len(b)), 4),
                     "dropped_title": titles[doc_id], "kept_title": titles[kept_id],
                     "dropped_text": texts[doc_id], "kept_text": texts[kept_id]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return {"version_drops": len(pairs), "sample": len(rows), "written_to": str(path),
            "same_title": sum(r["same_title"] for r in rows),
            "by_jaccard": banded([r["jaccard"] for r in rows], [True] * len(rows)),
            "containment_below_0.7": sum(r["containment"] < 0.7 for r in rows)}
