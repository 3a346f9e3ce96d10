"""Per shard, each document's n-grams looked up in the index; in finalize, the hits applied to the kept rows."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.config import DecontaminateConfig
from builder.decontaminate.index import MAX_SPLITS, load_index
from builder.decontaminate.ngrams import key_words, ngram_table
from builder.files import Layout, write_json, write_parquet
from builder.schema import FEATURES, REJECTED_FEATURES
from builder.stats import StageStats
from builder.templates.phase import documents_after_templates

STAGE = "decontaminate"
REASON = "contaminated"
HITS_SCHEMA = pa.schema([pa.field("id", pa.string()), FEATURES.arrow_schema.field("contamination")])


@dataclass(frozen=True)
class CheckJob:
    cfg: DecontaminateConfig
    shard: int
    parts: int
    n_sets: int
    layout: Layout


def set_names(layout: Layout, n_sets: int) -> list[tuple[str, list[str]]]:
    """Per set (by position): its name and its splits in source order (index.run_set)."""
    found = [json.loads(layout.decont_set(k).read_text()) for k in range(n_sets)]
    return [(s["name"], list(s["splits"])) for s in found]


def lookup(hashes: np.ndarray, layout: Layout, parts: int) -> tuple[np.ndarray, np.ndarray]:
    """(position in `hashes`, source) of every entry the index holds for them, one partition in memory at a time."""
    part = hashes % np.uint64(parts)
    where, sources = [], []
    for p in range(parts):
        mine = np.flatnonzero(part == p)
        index = load_index(layout, p)
        if not len(mine) or not len(index):
            continue
        keys = index["hash"]
        lo, hi = np.searchsorted(keys, hashes[mine], "left"), np.searchsorted(keys, hashes[mine], "right")
        for i in np.flatnonzero(hi > lo):  # few: an index entry per hit
            where += [mine[i]] * int(hi[i] - lo[i])
            sources += index["source"][lo[i]:hi[i]].tolist()
    return np.asarray(where, dtype=np.int64), np.asarray(sources, dtype=np.int64)


def hits_of(text: str, first: dict[int, int], counts: Counter, n: int, names: list[tuple[str, list[str]]]) -> list:
    """The `contamination` entries of one document: per set and split, the first matched n-gram and how many."""
    words = key_words(text)
    out = []
    for source in sorted(first):
        name, splits = names[source // MAX_SPLITS]
        w = first[source]
        out.append({"set": name, "split": splits[source % MAX_SPLITS], "ngram": " ".join(words[w:w + n]),
                    "ngrams": counts[source]})
    return out


def run_check(job: CheckJob) -> int:
    """The shard's documents with a hit -> `layout.decont_hits(shard)`; the counts -> stats `decont-check`."""
    started = time.perf_counter()
    cfg, layout = job.cfg, job.layout
    table = pq.read_table(documents_after_templates(layout, job.shard), columns=["id", "text"])
    texts = table["text"].to_pylist()
    hashes, doc, window = ngram_table([key_words(t or "") for t in texts], cfg.ngram)
    where, sources = lookup(hashes, layout, job.parts)
    first: dict[int, dict[int, int]] = {}
    counts: dict[int, Counter] = {}
    for i, source in sorted(zip(where.tolist(), sources.tolist(), strict=True)):  # in window order: first is first
        d = int(doc[i])
        first.setdefault(d, {}).setdefault(source, int(window[i]))
        counts.setdefault(d, Counter())[source] += 1
    names = set_names(layout, job.n_sets)
    ids = table["id"].to_pylist()
    rows = [{"id": ids[d], "contamination": hits_of(texts[d], first[d], counts[d], cfg.ngram, names)}
            for d in sorted(first)]
    write_parquet(pa.Table.from_pylist(rows, schema=HITS_SCHEMA), layout.decont_hits(job.shard))
    write_json({"checked": len(texts), "hit": len(rows), "seconds": round(time.perf_counter() - started, 3)},
               layout.stats("decont-check", job.shard))
    return len(texts)


def detail(hits: list[dict]) -> str:
    """A reject row's detail: every set and split matched, with the first n-gram of each."""
    return "; ".join(f"set {h['set']}, split {h['split']}, {h['ngrams']} n-grams: {h['ngram']}" for h in hits)


def apply(cfg: DecontaminateConfig, layout: Layout, shard: int, kept: list[dict], rejects: list[dict]) -> list[dict]:
    """The finalize step, on the rows dedup kept: drop (a reject row) or tag (the `contamination` column) each row
    with a hit; the stage's counts and the documents per set and split go to the stats."""
    if not cfg.sets:
        return kept
    started = time.perf_counter()
    hits = {r["id"]: r["contamination"] for r in pq.read_table(layout.decont_hits(shard)).to_pylist()}
    stats = StageStats(STAGE, docs_in=len(kept))
    found: Counter = Counter()
    out = []
    for row in kept:
        matched = hits.get(row["id"])
        if matched:  # documents per set, and per set and split
            found.update({h["set"] for h in matched} | {f"{h['set']}\t{h['split']}" for h in matched})
        if matched and cfg.action == "drop":
            stats.dropped[REASON] += 1
            rejects.append({**{k: row.get(k) for k in REJECTED_FEATURES}, "stage": STAGE, "reason": REASON,
                            "kept_id": None, "detail": detail(matched)})
            continue
        if matched:
            stats.notes[REASON] += 1
            row["contamination"] = matched
        out.append(row)
    stats.docs_out, stats.seconds = len(out), time.perf_counter() - started
    write_json(stats.to_dict(), layout.stats(STAGE, shard))
    write_json(dict(sorted(found.items())), layout.stats("decont-found", shard))
    return out
