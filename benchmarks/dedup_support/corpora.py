"""The real corpora, read from ../shared/eval at run time (their licences forbid copying them into the project),
written as JSONL shards under the benchmark's work folder, with the ground truth each score needs.

Every written record carries `id`: the id the builder gives the line (`stable_id(file, position)`), so the
builder's output and datatrove's (which reads `id` as its document id) map back to the same input line.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import shutil
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from eval_data import EVAL
from rapidfuzz import fuzz

from builder.arabic import dedup_key
from builder.document import stable_id
from dedup_support.synthetic import shingle_set

EGYPT = EVAL / "egypt_news_2013_newscred" / "by_outlet"
ANS = EVAL / "ans_stance" / "stance"
EGYPT_FIELDS = ("body", "title", "outlet", "timestamp")


def egypt_records(limit: int | None = None, seed: int = 0) -> list[dict]:
    """All records of the 15 outlet files in one seeded shuffle (so any prefix mixes every outlet and poll)."""
    records = []
    for path in sorted(EGYPT.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            records += [{k: r[k] for k in EGYPT_FIELDS} for r in map(json.loads, fh)]
    random.Random(seed).shuffle(records)
    return records[:limit]


def ans_agree_pairs() -> list[tuple[str, str]]:
    """Headline / paraphrase pairs labelled `agree`, from the train, dev and test files."""
    pairs = []
    for path in sorted(ANS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            pairs += [(r["s1"], r["s2"]) for r in csv.DictReader(fh) if r["stance"] == "agree"]
    return pairs


def write_jsonl_shards(rows: list[dict], folder: Path, n_shards: int, prefix: str) -> list[str]:
    """Contiguous chunks of rows as `prefix-NNN.jsonl`; returns each row's document id, in row order."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    size = -(-len(rows) // n_shards)
    ids = []
    for s in range(n_shards):
        rel = f"{prefix}-{s:03d}.jsonl"
        with (folder / rel).open("w", encoding="utf-8") as out:
            for position, row in enumerate(rows[s * size : (s + 1) * size]):
                ids.append(stable_id(rel, position))
                out.write(json.dumps({"id": ids[-1], **row}, ensure_ascii=False) + "\n")
    return ids


def link_shards(source: Path, target: Path, n: int) -> Path:
    """A folder with the first n shards of `source` (symlinks, same names, so the same document ids)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for f in sorted(source.glob("*.jsonl"))[:n]:
        (target / f.name).symlink_to(f.resolve())
    return target


def body_hash(body: str) -> str:
    return hashlib.blake2b(body.strip().encode(), digest_size=16).hexdigest()


def exact_groups(records: list[dict], ids: list[str]) -> list[dict]:
    """Groups of byte-identical bodies (after strip), with more than one document."""
    groups = defaultdict(list)
    for record, doc_id in zip(records, ids, strict=True):
        groups[body_hash(record["body"])].append((doc_id, not record["body"].strip()))
    return [{"ids": [i for i, _ in g], "blank": g[0][1]} for g in groups.values() if len(g) > 1]


def bottleneck(items: list, similar) -> float:
    """The highest level t at which the items are connected by pairs with similar(a, b) >= t: the weakest link
    of the maximum spanning tree, which is what single-link clustering at threshold t needs to merge them all."""
    edges = sorted(((similar(items[i], items[j]), i, j) for i, j in combinations(range(len(items)), 2)),
                   reverse=True)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    joined, level = 1, 1.0
    for value, i, j in edges:
        if root(i) != root(j):
            parent[root(i)] = root(j)
            joined, level = joined + 1, value
            if joined == len(items):
                break
    return level


def similarity(bodies: list[str]) -> tuple[float, float]:
    """How similar a group's distinct bodies are, as the bottleneck of word-5-gram Jaccard on the dedup keys
    (what MinHash estimates) and of the character ratio: 2 x the longest common subsequence of characters over
    the two lengths (difflib's ratio without its junk heuristic, computed by rapidfuzz). An earlier version
    used difflib's quick_ratio, which compares character multisets and ignores order: two different articles
    of one length reach 0.9 on it."""
    shingles = [shingle_set(dedup_key(b).split()) for b in bodies]
    jac = bottleneck(shingles, lambda a, b: len(a & b) / len(a | b))
    ratio = bottleneck(bodies, lambda a, b: fuzz.ratio(a, b) / 100)
    return round(jac, 4), round(ratio, 4)


def one_title_different_articles(records: list[dict], ids: list[str], threshold: float = 0.1,
                                 per_group: int = 50, seed: int = 0) -> list[tuple[str, str, float]]:
    """Pairs of distinct bodies printed by one outlet under one title with word-5-gram Jaccard below `threshold`:
    different articles under a recurring title (a daily column, a bulletin). At most `per_group` pairs of a
    group are drawn (seeded), so a title run for months does not dominate."""
    groups = defaultdict(dict)
    for record, doc_id in zip(records, ids, strict=True):
        body = record["body"].strip()
        if body:
            groups[(record["outlet"], record["title"].strip())].setdefault(body, doc_id)
    rng, found = random.Random(seed), []
    for bodies in groups.values():
        if len(bodies) < 2:
            continue
        pairs = list(combinations(bodies.items(), 2))
        for (a, id_a), (b, id_b) in rng.sample(pairs, min(per_group, len(pairs))):
            sa, sb = (shingle_set(dedup_key(t).split()) for t in (a, b))
            jac = len(sa & sb) / len(sa | sb)
            if jac < threshold:
                found.append((id_a, id_b, round(jac, 4)))
    return found


def edit_groups(records: list[dict], ids: list[str]) -> list[dict]:
    """Same outlet and same title, more than one distinct body: an article edited between RSS polls."""
    groups = defaultdict(list)
    for record, doc_id in zip(records, ids, strict=True):
        groups[(record["outlet"], record["title"].strip())].append((doc_id, record["body"].strip()))
    found = []
    for members in groups.values():
        bodies = sorted({b for _, b in members})
        if len(bodies) < 2:
            continue
        readable = [b for b in bodies if b]  # a blank body never reaches dedup: the reader rejects it
        jac, ratio = similarity(readable) if len(readable) > 1 else (1.0, 1.0)
        found.append({"ids": [i for i, b in members if b], "distinct_bodies": len(bodies),
                      "has_blank": len(readable) < len(bodies), "jaccard": jac, "char_ratio": ratio})
    return found
