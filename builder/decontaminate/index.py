"""The index of the evaluation sets' n-grams, partitioned by hash so no task holds more than a share of it.

A set task reads its items a batch at a time and appends each batch's entries (n-gram hash, source) to one file
per partition; a partition task sorts every set's entries of its partition into one array, unique by (hash,
source). A source is the set's position in `decontaminate.sets` and the split's position in the set's splits
(`source_of`), so a hit names both.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass

import numpy as np

from builder.config import DecontaminateConfig
from builder.decontaminate.ngrams import key_words, ngram_table
from builder.decontaminate.sets import EvalSet, Unavailable, items
from builder.errors import BuildError
from builder.files import Layout, write_json, write_npy

ENTRY = np.dtype([("hash", "<u8"), ("source", "<u4")])
BATCH = 10_000  # items hashed, then spilled to the partition files, at a time: a set never sits in memory whole
MAX_SPLITS = 1 << 16


def source_of(set_index: int, split: int) -> int:
    return set_index * MAX_SPLITS + split


def partition_count(cfg: DecontaminateConfig, sets: list[EvalSet]) -> int:
    """decontaminate.index_tasks, more for larger sets (about decontaminate.index_bytes of set files per task)."""
    return max(cfg.index_tasks, -(-sum(s.size for s in sets) // cfg.index_bytes))


@dataclass(frozen=True)
class SetJob:
    cfg: DecontaminateConfig
    eval_set: EvalSet
    index: int  # the set's position in decontaminate.sets
    parts: int
    layout: Layout


@dataclass(frozen=True)
class IndexJob:
    part: int
    n_sets: int
    layout: Layout


def spill(entries: np.ndarray, parts: int, outs: list) -> None:
    part = entries["hash"] % np.uint64(parts)
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    for p, out in enumerate(outs):
        out.write(entries[order[bounds[p]:bounds[p + 1]]].tobytes())


def run_set(job: SetJob) -> int:
    """One set's entries, appended batch by batch to `layout.decont_grams(set, part)`, and its summary (items and
    n-grams per split, items too short for one n-gram) in `layout.decont_set(set)`, written last."""
    started = time.perf_counter()
    cfg, s, layout = job.cfg, job.eval_set, job.layout
    paths = [layout.decont_grams(job.index, p) for p in range(job.parts)]
    temps = [path.with_name(f".{path.name}.tmp{os.getpid()}") for path in paths]
    temps[0].parent.mkdir(parents=True, exist_ok=True)
    splits: dict[str, dict[str, int]] = {}
    unavailable = None
    outs = [t.open("wb") for t in temps]
    try:
        stream = items(s, tuple(cfg.fields))
        while batch := list(itertools.islice(stream, BATCH)):
            for split, _ in batch:
                splits.setdefault(split, {"items": 0, "ngrams": 0, "short": 0})  # in order of first sight
            ids = {name: k for k, name in enumerate(splits)}
            split_of = np.fromiter((ids[split] for split, _ in batch), dtype=np.int64, count=len(batch))
            if len(splits) > MAX_SPLITS:
                raise BuildError(f"evaluation set {s.name} has more than {MAX_SPLITS} splits")
            hashes, item, _ = ngram_table([key_words(text) for _, text in batch], cfg.ngram)
            per_item = np.bincount(item, minlength=len(batch))
            for k, name in enumerate(splits):
                mine = split_of == k
                splits[name]["items"] += int(mine.sum())
                splits[name]["ngrams"] += int(per_item[mine].sum())
                splits[name]["short"] += int((per_item[mine] == 0).sum())
            entries = np.empty(len(hashes), dtype=ENTRY)
            entries["hash"], entries["source"] = hashes, source_of(job.index, split_of[item])
            spill(entries, job.parts, outs)
    except Unavailable as err:
        if not s.optional:
            raise BuildError(f"decontaminate.sets: cannot load {s.source} ({err})") from None
        unavailable, splits = str(err), {}
        for out in outs:
            out.truncate(0)
    finally:
        for out in outs:
            out.close()
    for temp, path in zip(temps, paths, strict=True):
        os.replace(temp, path)
    write_json({"name": s.name, "source": s.source, "hub": s.hub, "config": s.config, "unavailable": unavailable,
                "splits": splits, "seconds": round(time.perf_counter() - started, 3)}, layout.decont_set(job.index))
    return sum(c["items"] for c in splits.values())


def run_index(job: IndexJob) -> None:
    """One partition: every set's entries of it, sorted by hash and unique -> `layout.decont_index(part)`."""
    entries = np.concatenate([np.fromfile(job.layout.decont_grams(k, job.part), dtype=ENTRY)
                              for k in range(job.n_sets)])
    entries = entries[np.lexsort((entries["source"], entries["hash"]))]  # np.unique's order, without its slow
    new = np.ones(len(entries), dtype=bool)                               # comparison of structured records
    new[1:] = (entries["hash"][1:] != entries["hash"][:-1]) | (entries["source"][1:] != entries["source"][:-1])
    write_npy(entries[new], job.layout.decont_index(job.part))


def load_index(layout: Layout, part: int) -> np.ndarray:
    """A partition's sorted entries, mapped rather than read: a lookup touches the pages it needs."""
    return np.load(layout.decont_index(part), mmap_mode="r")
