"""Bucket tasks: each takes one partition of the band keys and of the title and URL blocks (pages.py), pairs the
documents that share a bucket or a block, judges each candidate pair on the two pages' signatures and keys, read
by row, and writes the pairs in a relation (copy or version, evidence.py).

A task holds its partition's entries (about 14 bytes per band per document, a 1/n_tasks share) and the facts of
the rows its pairs name: never the whole corpus. It compares one row per exact copy (the first of each match
hash, exact.py): exact copies are joined by the cluster task, so comparing them again here would only repeat work.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.config import NearDupConfig
from builder.dedup.candidates import bucket_pairs, unique_pairs
from builder.dedup.evidence import (
    RELATIONS,
    VERSION,
    PageKeys,
    borderline,
    estimated_jaccard,
    exact_jaccard,
    judge,
    word_ratio,
)
from builder.dedup.pages import ShardRows, block_kinds, column, load, take
from builder.dedup.signatures import check_params, lsh_params, with_params
from builder.errors import BuildError
from builder.files import Layout, write_json, write_parquet
from builder.schema import PAIR_SCHEMA
from builder.stats import StageStats

LAYOUT_KEY = b"builder.layout"
VERSIONS_KEY = b"builder.versions"


@dataclass(frozen=True)
class BucketJob:
    cfg: NearDupConfig
    task: int  # which partition of the band keys and blocks (pages.partition_of), of n_tasks
    n_tasks: int
    n_shards: int
    layout: Layout


def doc_files(layout: Layout, n_shards: int) -> list[Path]:
    files = [layout.signed(i) for i in range(n_shards)]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise BuildError(f"dedup expected {n_shards} signed shards in {files[0].parent}; missing {missing[:5]}")
    return files


def versions_metadata(cfg: NearDupConfig) -> bytes:
    return json.dumps(dataclasses.asdict(cfg.versions), sort_keys=True).encode()


def bucket_count(n_docs: int, cfg: NearDupConfig) -> int:
    """Partitions of the band keys: near_dup.bucket_tasks, more when the corpus is large, so a task holds at most
    about near_dup.bucket_docs documents' entries whatever the corpus size."""
    return max(cfg.bucket_tasks, -(-n_docs // cfg.bucket_docs))


@dataclass(frozen=True)
class Entries:
    """One partition's band and block entries, one row per exact group (global rows)."""

    kind: np.ndarray
    key: np.ndarray
    row: np.ndarray
    time: np.ndarray  # publication seconds of block entries (they pair in time order), 0 for bands


def load_partition(layout: Layout, shards: ShardRows, part: int, parts: int, bands: int) -> Entries:
    found = []
    starts = shards.starts
    for shard in range(len(shards.counts)):
        offsets = np.load(layout.pages("offsets", shard))
        if len(offsets) != parts + 1:
            raise BuildError(f"shard {shard}'s band entries were made for {len(offsets) - 1} bucket tasks, not "
                             f"{parts}; delete OUT/.build and rebuild")
        mine = np.array(load(layout, "entries", shard)[offsets[part] : offsets[part + 1]])
        local = mine["row"].astype(np.int64)
        first = load(layout, "exact", shard)["rep"][local] == local + starts[shard]  # one row per exact group
        mine, local = mine[first], local[first]
        block = mine["kind"] >= bands
        time = np.zeros(len(mine), dtype=np.int64)
        time[block] = load(layout, "keys", shard)["published"][local[block]]
        found.append((mine["kind"], mine["key"], local + starts[shard], time))
    kind, key, row, time = (np.concatenate(parts_) for parts_ in zip(*found, strict=True))
    return Entries(kind, key, row, time)


def candidates(entries: Entries, bands: int, window: int) -> tuple[np.ndarray, dict]:
    """Candidate pairs (global rows) of this partition: rows sharing a band bucket, a title block or a URL."""
    order = np.argsort(entries.kind, kind="stable")
    kinds = entries.kind[order]
    title_kind, _ = block_kinds(bands)
    found: dict[str, list[np.ndarray]] = {"band": [], "title": [], "url": []}
    bounded = dict.fromkeys(found, 0)
    for kind in np.unique(kinds).tolist():
        sel = order[np.searchsorted(kinds, kind) : np.searchsorted(kinds, kind, side="right")]
        name = "band" if kind < bands else "title" if kind == title_kind else "url"
        time = None if name == "band" else entries.time[sel]
        pairs, n = bucket_pairs(entries.key[sel], entries.row[sel], window, time)
        found[name].append(pairs)
        bounded[name] += n
    parts = {name: unique_pairs(found[name]) for name in found}
    counts = {"band_candidates": len(parts["band"]), "band_buckets_bounded": bounded["band"]}
    for name in ("title", "url"):
        counts |= {f"{name}_block_candidates": len(parts[name]), f"{name}_blocks_bounded": bounded[name]}
    return unique_pairs(list(parts.values())), counts


def facts(layout: Layout, shards: ShardRows, rows: np.ndarray) -> tuple[np.ndarray, PageKeys]:
    """The signatures and keys of the given sorted global rows, read row by row from the shards' arrays."""
    keys, flags = take(layout, "keys", shards, rows), take(layout, "exact", shards, rows)
    return take(layout, "sig", shards, rows), PageKeys(
        site=keys["site"], title=keys["title"], url=keys["url"], published=keys["published"],
        n_shingles=keys["n_shingles"].astype(np.int64), recurring=flags["recurring"],
        titles=lambda local: column(layout, shards, rows[local], "title"))


def run_buckets(job: BucketJob) -> None:
    started = time.perf_counter()
    cfg, layout = job.cfg, job.layout
    for f in doc_files(layout, job.n_shards):
        check_params(pq.read_schema(f), cfg, str(f))
    bands, _ = lsh_params(cfg.candidate_threshold, cfg.num_perm)
    shards = ShardRows.of(layout, job.n_shards)
    global_pairs, counts = candidates(load_partition(layout, shards, job.task, job.n_tasks, bands), bands,
                                      cfg.bucket_window)
    rows = np.unique(global_pairs)
    pairs = np.searchsorted(rows, global_pairs)
    sig, keys = facts(layout, shards, rows)
    jaccard = estimated_jaccard(sig, pairs)
    texts: dict[int, str] = {}

    def both(check: np.ndarray) -> tuple[list[str], list[str]]:
        """The texts of both sides of these pairs, read once per row (only a few pairs need them)."""
        wanted = rows[pairs[check]]
        new = np.setdiff1d(wanted, np.fromiter(texts, dtype=np.int64))
        texts.update(zip(new.tolist(), column(layout, shards, new, "text"), strict=True))
        return [texts[r] for r in wanted[:, 0].tolist()], [texts[r] for r in wanted[:, 1].tolist()]

    check = np.flatnonzero(borderline(jaccard, cfg))
    if len(check):
        jaccard[check] = exact_jaccard(*both(check), cfg.ngram)
    verdict = judge(pairs, sig, keys, cfg, jaccard)
    read = np.flatnonzero(verdict.read_words)
    if len(read):
        bar = cfg.versions.min_word_ratio
        verdict.relation[read[word_ratio(*both(read), floor=bar) >= bar]] = VERSION
    counts |= {"checked_exactly": len(check), "read_word_by_word": len(read), "candidates": len(pairs)}
    keep = verdict.relation > 0
    table = pa.table({
        "a": global_pairs[keep, 0], "b": global_pairs[keep, 1],
        "relation": [RELATIONS[r] for r in verdict.relation[keep].tolist()],
        "similarity": verdict.jaccard[keep], "containment": verdict.containment[keep],
    }, schema=PAIR_SCHEMA)
    layout_meta = {"shard_rows": shards.counts, "partition": [job.task, job.n_tasks], **counts}
    schema = with_params(table.schema, cfg)
    schema = schema.with_metadata({**schema.metadata, LAYOUT_KEY: json.dumps(layout_meta).encode(),
                                   VERSIONS_KEY: versions_metadata(cfg)})
    write_parquet(table.cast(schema), job.layout.pairs(job.task))
    spent = StageStats("near_dup", seconds=time.perf_counter() - started)  # counts come from the cluster task
    write_json(spent.to_dict(), job.layout.stats("buckets", job.task))
