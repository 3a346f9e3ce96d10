"""The signatures phase, per shard: the keys dedup compares, a hash of the spelling-blind text (exact copies) and
a MinHash signature, written with the other keys as the arrays the global dedup tasks read by row or by
partition (builder/dedup/pages.py), beside the rows themselves (signed/NNNNN)."""

from __future__ import annotations

import hashlib
import time

import pyarrow as pa
import pyarrow.parquet as pq

from builder.arabic import dedup_key
from builder.cache import built_for
from builder.config import ListsConfig
from builder.dedup.keys import UrlKey
from builder.dedup.pages import page_keys, seconds, write_pages
from builder.dedup.signatures import lsh_params, signatures, with_params
from builder.files import write_json, write_parquet
from builder.jobs import SignJob
from builder.lists import word_lists
from builder.schema import DEDUP_FIELDS
from builder.stats import StageStats
from builder.templates.phase import documents_after_templates


def url_key(lists: ListsConfig) -> UrlKey:
    return UrlKey(word_lists(lists).tracking_params)


def run_signatures(job: SignJob) -> None:
    cfg, layout, shard = job.cfg, job.layout, job.shard
    # after the template cuts, so copies that differ only in a site's furniture collapse
    table = pq.read_table(documents_after_templates(layout, shard.index))
    started = time.perf_counter()
    near = cfg.near_dup
    keys = [dedup_key(text) for text in table["text"].to_pylist()]
    digests = [hashlib.blake2b(k.encode(), digest_size=16).digest() for k in keys]
    sig, n_shingles = signatures(keys, near)
    dedup_columns = {"n_chars": pa.compute.utf8_length(table["text"]).cast(pa.int64())}
    for name in DEDUP_FIELDS:
        table = table.append_column(name, pa.array(dedup_columns[name], DEDUP_FIELDS[name]))
    write_parquet(table.cast(with_params(table.schema, near)), layout.signed(shard.index))
    page = page_keys(digests, table["outlet"].to_pylist(), table["url"].to_pylist(), table["title"].to_pylist(),
                     seconds(table["published"]), n_shingles, built_for(cfg.lists, url_key))
    write_pages(layout, shard.index, sig, page, *lsh_params(near.candidate_threshold, near.num_perm), job.parts,
                near.versions.enabled)
    spent = StageStats("near_dup", seconds=time.perf_counter() - started)  # counts come from the cluster task
    write_json(spent.to_dict(), layout.stats("signatures", shard.index))
