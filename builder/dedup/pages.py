"""What dedup knows of each page, written per shard by the signature phase as flat arrays (.npy), so the global
tasks read only the rows or the partition they need, never the whole corpus:

sig-NNNNN      the MinHash signatures, (rows, num_perm) uint32; read by row (memory-mapped) for the pairs judged
keys-NNNNN     per row the match hash and the keys versions are blocked and checked on (keys.py), as 63-bit
               hashes (-1 for none), the publication second and the shingle count
entries-NNNNN  per row one entry per LSH band (its band key) and per block (title, URL): (kind, key, row),
               grouped by partition (a hash of kind and key), with `offsets-NNNNN` marking where each starts.
               A bucket task reads its partition's slice from every shard: every document that can share a
               bucket with another lands in the same task, whatever shard it is in.
exact-NNNNN    per row the global row of the first page with its match hash (its exact group) and whether its
               block recurs (the exact task, exact.py, which needs every row's key but nothing else)

Rows are numbered across shards in shard order (`ShardRows`); a file holds its shard's local row numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from builder.dedup.candidates import band_keys
from builder.dedup.evidence import NO_TIME
from builder.dedup.keys import UrlKey, site_key, title_key, title_shape
from builder.files import Layout, write_npy

KEYS = np.dtype([("match", "V16"), ("site", "<i8"), ("title", "<i8"), ("block", "<i8"), ("shape", "<i8"),
                 ("url", "<i8"), ("published", "<i8"), ("n_shingles", "<i4")])
ENTRY = np.dtype([("kind", "<u2"), ("key", "<u8"), ("row", "<u4")])  # kind: a band, or a block (block_kinds)
EXACT = np.dtype([("rep", "<i8"), ("recurring", "?")])
_MIX = np.uint64(0x9E3779B97F4A7C15)


def key_id(value: str | None) -> int:
    """A 63-bit id of a key string, -1 for none: equal keys, equal ids (a collision is one in 2**63 per pair)."""
    return -1 if value is None else xxhash.xxh64_intdigest(value.encode()) >> 1


def block_kinds(bands: int) -> tuple[int, int]:
    """The entry kinds of the (site, title) block and the URL block: after the bands."""
    return bands, bands + 1


def page_keys(match: list[bytes], outlets: list, urls: list, titles: list, published: np.ndarray,
              n_shingles: list[int], url_key: UrlKey) -> np.ndarray:
    keys = np.zeros(len(match), dtype=KEYS)
    keys["match"] = match
    sites = [site_key(o, u) for o, u in zip(outlets, urls, strict=True)]
    title_keys = [title_key(t) for t in titles]
    keys["site"] = [key_id(s) for s in sites]
    keys["title"] = [key_id(t) for t in title_keys]
    keys["block"] = [key_id(f"{s}\x1f{t}") if s and t else -1 for s, t in zip(sites, title_keys, strict=True)]
    keys["shape"] = [key_id(f"{s}\x1f{title_shape(t)}") if s and t else -1
                     for s, t in zip(sites, title_keys, strict=True)]
    keys["url"] = [key_id(url_key(u)) for u in urls]
    keys["published"] = published
    keys["n_shingles"] = n_shingles
    return keys


def seconds(column: pa.ChunkedArray) -> np.ndarray:
    """Publication times as int64 seconds, NO_TIME where unknown."""
    return column.cast(pa.timestamp("s")).cast(pa.int64()).fill_null(NO_TIME).to_numpy()


def partition_of(kind: np.ndarray, key: np.ndarray, parts: int) -> np.ndarray:
    """The bucket task of each entry: a mix of its kind and key, so every member of a bucket or block meets in one."""
    mixed = (key ^ (kind.astype(np.uint64) * _MIX)) * np.uint64(0xBF58476D1CE4E5B9)
    return ((mixed >> np.uint64(33)) % np.uint64(parts)).astype(np.int64)


def entries(sig: np.ndarray, keys: np.ndarray, bands: int, rows: int, blocks: bool) -> np.ndarray:
    """Every row's band keys, then its title and URL block ids where it has them (`blocks`: versions are on)."""
    n = len(sig)
    local = np.arange(n, dtype=np.uint32)
    parts = [(np.full(n, band), band_keys(sig, band, rows), local) for band in range(bands)]
    if blocks:
        for kind, field in zip(block_kinds(bands), ("block", "url"), strict=True):
            has = keys[field] >= 0
            parts.append((np.full(int(has.sum()), kind), keys[field][has].view(np.uint64), local[has]))
    found = np.empty(sum(len(kind) for kind, _, _ in parts), dtype=ENTRY)
    for name, values in zip(ENTRY.names, zip(*parts, strict=True), strict=True):
        found[name] = np.concatenate(values)
    return found


def write_pages(layout: Layout, shard: int, sig: np.ndarray, keys: np.ndarray, bands: int, rows: int,
                parts: int, blocks: bool) -> None:
    """The shard's signatures, keys and partitioned entries (the entries of a partition stay in row order)."""
    found = entries(sig, keys, bands, rows, blocks)
    part = partition_of(found["kind"], found["key"], parts)
    order = np.argsort(part, kind="stable")
    write_npy(sig, layout.pages("sig", shard))
    write_npy(keys, layout.pages("keys", shard))
    write_npy(found[order], layout.pages("entries", shard))
    write_npy(np.searchsorted(part[order], np.arange(parts + 1)).astype(np.int64), layout.pages("offsets", shard))


def load(layout: Layout, kind: str, shard: int) -> np.ndarray:
    """A shard's array, memory-mapped: only the rows taken from it are read."""
    return np.load(layout.pages(kind, shard), mmap_mode="r", allow_pickle=False)


@dataclass(frozen=True)
class ShardRows:
    """Where each shard's rows start in the global numbering."""

    counts: list[int]

    @classmethod
    def of(cls, layout: Layout, n_shards: int) -> ShardRows:
        return cls([pq.read_metadata(layout.signed(i)).num_rows for i in range(n_shards)])

    @property
    def starts(self) -> np.ndarray:
        return np.cumsum([0, *self.counts])

    def split(self, rows: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(shard, positions in `rows`, local rows) for each shard that holds some of the sorted global `rows`."""
        starts = self.starts
        cuts = np.searchsorted(rows, starts)
        for shard in range(len(self.counts)):
            if cuts[shard + 1] > cuts[shard]:
                where = np.arange(cuts[shard], cuts[shard + 1])
                yield shard, where, rows[where] - starts[shard]


def take(layout: Layout, kind: str, shards: ShardRows, rows: np.ndarray) -> np.ndarray:
    """The given sorted global rows of one array, gathered shard by shard."""
    first = load(layout, kind, 0)
    out = np.empty((len(rows), *first.shape[1:]), dtype=first.dtype)
    for shard, where, local in shards.split(rows):
        out[where] = load(layout, kind, shard)[local]
    return out


def column(layout: Layout, shards: ShardRows, rows: np.ndarray, name: str) -> list:
    """A column of the signed shards (text, title) at the given sorted global rows: for the few pairs read."""
    out: list = [None] * len(rows)
    for shard, where, local in shards.split(rows):
        values = pq.read_table(layout.signed(shard), columns=[name])[name].take(pa.array(local)).to_pylist()
        for i, v in zip(where.tolist(), values, strict=True):
            out[i] = v
    return out
