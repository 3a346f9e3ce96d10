"""Bucket tasks: each takes a range of LSH bands (and a share of the title and URL blocks) over every shard's
signatures, judges each candidate pair and writes the pairs in a relation (copy or version, evidence.py).

A task reads only the columns it needs, and only one row per exact copy (the first of each match hash): exact
copies are joined by the cluster task, so comparing them again here would only repeat work.
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
from builder.dedup.candidates import band_pairs, block_pairs, combine, unique_pairs
from builder.dedup.evidence import (
    NO_TIME,
    RELATIONS,
    VERSION,
    PageKeys,
    borderline,
    estimated_jaccard,
    exact_jaccard,
    judge,
    word_ratio,
)
from builder.dedup.keys import UrlKey, factorize, recurring, site_key, title_key, title_shape
from builder.dedup.signatures import check_params, lsh_params, matrix, with_params
from builder.errors import BuildError
from builder.files import Layout, write_json, write_parquet
from builder.schema import PAIR_SCHEMA
from builder.stages.base import StageStats

LAYOUT_KEY = b"builder.layout"
VERSIONS_KEY = b"builder.versions"
COLUMNS = ["match_hash", "minhash", "n_shingles", "outlet", "url", "title", "published"]


def band_ranges(bands: int, tasks: int) -> list[range]:
    tasks = max(1, min(tasks, bands))
    edges = np.linspace(0, bands, tasks + 1).astype(int)
    return [range(edges[i], edges[i + 1]) for i in range(tasks)]


@dataclass(frozen=True)
class BucketJob:
    cfg: NearDupConfig
    task: int  # which range of bands (and which share of the blocks), of n_tasks
    n_tasks: int
    n_shards: int
    layout: Layout
    exact: bool = True  # exact copies are joined by the cluster task: compare one row per match hash


def doc_files(layout: Layout, n_shards: int) -> list[Path]:
    files = [layout.signed(i) for i in range(n_shards)]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise BuildError(f"dedup expected {n_shards} signed shards in {files[0].parent}; missing {missing[:5]}")
    return files


def versions_metadata(cfg: NearDupConfig) -> bytes:
    return json.dumps(dataclasses.asdict(cfg.versions), sort_keys=True).encode()


@dataclass(frozen=True)
class Corpus:
    """One row per distinct match hash, in shard order: `rows` are their global row numbers."""

    rows: np.ndarray
    sig: np.ndarray
    keys: PageKeys
    shard_rows: list[int]


def seconds(column: pa.ChunkedArray) -> np.ndarray:
    values = column.cast(pa.timestamp("s")).cast(pa.int64())
    return values.fill_null(NO_TIME).to_numpy()


def load(layout: Layout, n_shards: int, cfg: NearDupConfig, exact: bool = True) -> Corpus:
    tables, shard_rows = [], []
    for f in doc_files(layout, n_shards):
        table = pq.read_table(f, columns=COLUMNS)
        check_params(table.schema, cfg, str(f))
        tables.append(table)
        shard_rows.append(table.num_rows)
    table = pa.concat_tables(tables)
    del tables
    if exact:  # the first row of each match hash (a dictionary numbers values in order of first appearance)
        codes = table["match_hash"].combine_chunks().dictionary_encode().indices.to_numpy()
        rows = np.unique(codes, return_index=True)[1].astype(np.int64)
    else:
        rows = np.arange(table.num_rows, dtype=np.int64)
    table = table.take(rows)
    pa.default_memory_pool().release_unused()  # the columns of the rows not taken: a third of the task's peak
    url_key = UrlKey(cfg.versions.tracking_params_file)
    urls, titles = table["url"].to_pylist(), table["title"].to_pylist()
    site = factorize([site_key(o, u) for o, u in zip(table["outlet"].to_pylist(), urls, strict=True)])
    title_keys = [title_key(t) for t in titles]
    title, url = factorize(title_keys), factorize([url_key(u) for u in urls])
    published = seconds(table["published"])
    days = cfg.versions.recurring_days
    keys = PageKeys(
        site=site, title=title, url=url, published=published,
        n_shingles=table["n_shingles"].to_numpy().astype(np.int64),
        recurring=recurring(combine(site, factorize([title_shape(k) for k in title_keys])), published, days, NO_TIME)
        | recurring(url, published, days, NO_TIME),
        titles=titles,
    )
    return Corpus(rows, matrix(table["minhash"], cfg.num_perm), keys, shard_rows)


def read_texts(layout: Layout, n_shards: int, rows: np.ndarray) -> dict[int, str]:
    """The text of the given global rows (sorted), read shard by shard: only for the few borderline pairs."""
    texts, start = {}, 0
    for f in doc_files(layout, n_shards):
        size = pq.read_metadata(f).num_rows
        mine = rows[(rows >= start) & (rows < start + size)]
        if len(mine):
            column = pq.read_table(f, columns=["text"])["text"].take(pa.array(mine - start))
            texts.update(zip(mine.tolist(), column.to_pylist(), strict=True))
        start += size
    return texts


def candidates(corpus: Corpus, cfg: NearDupConfig, task: int, n_tasks: int, bands: range) -> tuple[np.ndarray, dict]:
    """Candidate pairs (rows of `corpus`) of this task: its bands, and the blocks whose id falls to it."""
    _, rows = lsh_params(cfg.candidate_threshold, cfg.num_perm)
    found, bounded = band_pairs(corpus.sig, bands, rows, cfg.bucket_window)
    counts = {"band_candidates": len(found), "band_buckets_bounded": bounded}
    parts = [found]
    if cfg.versions.enabled:
        keys = corpus.keys
        for name, block in (("title", combine(keys.site, keys.title)), ("url", keys.url)):
            mine = np.where((block >= 0) & (block % n_tasks == task), block, -1)
            pairs, bounded = block_pairs(mine, keys.published, cfg.bucket_window)
            counts |= {f"{name}_block_candidates": len(pairs), f"{name}_blocks_bounded": bounded}
            parts.append(pairs)
    return unique_pairs(parts), counts


def run_buckets(job: BucketJob) -> None:
    started = time.perf_counter()
    cfg = job.cfg
    bands, _ = lsh_params(cfg.candidate_threshold, cfg.num_perm)
    my_bands = band_ranges(bands, job.n_tasks)[job.task]
    corpus = load(job.layout, job.n_shards, cfg, job.exact)
    pairs, counts = candidates(corpus, cfg, job.task, job.n_tasks, my_bands)
    jaccard = estimated_jaccard(corpus.sig, pairs)
    texts: dict[int, str] = {}

    def both(check: np.ndarray) -> tuple[list[str], list[str]]:
        """The texts of both sides of these pairs, read once per row (only a few pairs need them)."""
        rows = corpus.rows[pairs[check]]
        texts.update(read_texts(job.layout, job.n_shards, np.setdiff1d(rows, np.fromiter(texts, dtype=np.int64))))
        return [texts[r] for r in rows[:, 0].tolist()], [texts[r] for r in rows[:, 1].tolist()]

    check = np.flatnonzero(borderline(jaccard, cfg))
    if len(check):
        jaccard[check] = exact_jaccard(*both(check), cfg.ngram)
    verdict = judge(pairs, corpus.sig, corpus.keys, cfg, jaccard)
    read = np.flatnonzero(verdict.read_words)
    if len(read):
        bar = cfg.versions.min_word_ratio
        verdict.relation[read[word_ratio(*both(read), floor=bar) >= bar]] = VERSION
    counts |= {"checked_exactly": len(check), "read_word_by_word": len(read)}
    keep = verdict.relation > 0
    global_pairs = corpus.rows[pairs[keep]] if len(pairs) else np.zeros((0, 2), dtype=np.int64)
    table = pa.table({
        "a": global_pairs[:, 0], "b": global_pairs[:, 1],
        "relation": [RELATIONS[r] for r in verdict.relation[keep].tolist()],
        "similarity": verdict.jaccard[keep], "containment": verdict.containment[keep],
    }, schema=PAIR_SCHEMA)
    counts["candidates"] = len(pairs)
    layout = {"shard_rows": corpus.shard_rows, "bands": [my_bands.start, my_bands.stop], **counts}
    schema = with_params(table.schema, cfg)
    schema = schema.with_metadata({**schema.metadata, LAYOUT_KEY: json.dumps(layout).encode(),
                                   VERSIONS_KEY: versions_metadata(cfg)})
    write_parquet(table.cast(schema), job.layout.pairs(job.task))
    spent = StageStats("near_dup", seconds=time.perf_counter() - started)  # counts come from the cluster task
    write_json(spent.to_dict(), job.layout.stats("buckets", job.task))
