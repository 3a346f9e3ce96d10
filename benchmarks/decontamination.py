"""Decontamination (issue 21, part 2): planted recall, hits on real news that holds no planted item, and the peak
memory of a build with a 1M-line evaluation set.

    python benchmarks/decontamination.py [--docs 5000] [--planted 300] [--lines 1000000] [--work DIR] [--quick]

Real news: the Arabic outlets of egypt_news_2013 (read from ../shared/eval at run time; their licence forbids
copying them into the project), as benchmarks/throughput.py takes them. The evaluation set is made at run time,
news-derived as XL-Sum and SANAD are: from held-out articles of the same corpus (not among the checked ones), each
item its title and its first 40 words as a summary, in splits test and validation.

recall      `--planted` of the checked documents get one item each, a third whole, a third as 15 consecutive
            words, a third whole and respelled (hamza and alef forms, ta marbuta, alef maqsura, diacritics, tatweel,
            punctuation and line breaks), at a paragraph boundary; recall is the share whose hit names the item's set
            and split (target 100%)
false hits  the other checked documents with any hit, and the first few with their matched n-gram, to read: a hit
            on real news can be a real shared text, so each is sorted as a copy or edit of the article the item was
            made from (the same story in two outlets: contamination indeed) or a phrase two stories share (a court's
            and a judge's title, a ministry's formula), and by how many n-grams matched
collisions  the same documents against 10,000 lines of random words from the corpus vocabulary (key words, so a
            long URL is no "word" that brings its own 13-gram along), which no text holds: any hit is a collision
memory      two whole builds of 2,000 documents (`--build-docs`) in child processes, one with a `--lines`-line
            evaluation set of random vocabulary words (about 25 words a line), one without: peak RSS of the largest
            process, and the decontamination phases' seconds

The first three run the phase's own tasks (builder/decontaminate/) on the documents written as shards, so what is
measured is the matcher, not the other stages. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from dedup_support.corpora import write_jsonl_shards
from dedup_support.measure import run_measured
from throughput import egypt_arabic

from builder.config import DecontaminateConfig
from builder.decontaminate.check import CheckJob, run_check
from builder.decontaminate.index import IndexJob, SetJob, partition_count, run_index, run_set
from builder.decontaminate.ngrams import key_words
from builder.decontaminate.sets import resolve
from builder.files import Layout, write_parquet
from builder.schema import work_schema

SHARD_DOCS = 1000
SUMMARY_WORDS = 40
COPY_JACCARD = 0.5  # two bodies sharing this share of their words are one story (a copy or an edit)
RESPELL = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})


def respell(text: str, rng: random.Random) -> str:
    """Another writer's spelling of the same words."""
    out = []
    for word in text.translate(RESPELL).split():
        if len(word) > 3 and rng.random() < 0.3:
            word = word[:2] + "ـ" + word[2:]
        if rng.random() < 0.3:
            word = word[0] + "\u064e" + word[1:]
        out.append(word + rng.choice(["", "", "", "،", ":", "\n"]))
    return " ".join(out)


def news_items(held_out: list[dict]) -> tuple[list[dict], int]:
    """The evaluation items, from held-out articles of at least SUMMARY_WORDS words (a shorter one, an empty body
    or a video caption, makes an item with too few words for any n-gram), and how many articles were too short."""
    long = [r for r in held_out if len(r["text"].split()) >= SUMMARY_WORDS]
    return [{"title": r["title"], "summary": " ".join(r["text"].split()[:SUMMARY_WORDS]), "body": r["text"],
             "split": "test" if i % 2 else "validation"} for i, r in enumerate(long)], len(held_out) - len(long)


def plant(rows: list[dict], items: list[dict], n: int, rng: random.Random) -> dict[int, tuple[str, str]]:
    """Put one item into each of n seeded documents; returns document -> (kind, split)."""
    planted = {}
    for k, doc in enumerate(sorted(rng.sample(range(len(rows)), n))):
        item = items[k % len(items)]
        kind = ("whole", "partial", "respelled")[k % 3]
        words = item["summary"].split()
        text = {"whole": item["summary"], "partial": " ".join(words[10:25]),
                "respelled": respell(item["summary"], rng)}[kind]
        paragraphs = rows[doc]["text"].split("\n")
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), text)
        rows[doc] = {**rows[doc], "text": "\n".join(paragraphs)}
        planted[doc] = (kind, item["split"])
    return planted


def write_shards(rows: list[dict], layout: Layout) -> int:
    schema = work_schema()
    shards = -(-len(rows) // SHARD_DOCS)
    for s in range(shards):
        part = rows[s * SHARD_DOCS:(s + 1) * SHARD_DOCS]
        table = pa.table({"id": [str(s * SHARD_DOCS + i) for i in range(len(part))], "text": [r["text"] for r in part]})
        write_parquet(table.cast(pa.schema([schema.field("id"), schema.field("text")])), layout.docs(s))
    return shards


def run_phase(cfg: DecontaminateConfig, layout: Layout, shards: int) -> tuple[dict[int, list], dict[str, float]]:
    """The phase's tasks in this process: documents (by row) -> their contamination entries, and the seconds."""
    sets = resolve(cfg)
    parts = partition_count(cfg, sets)
    seconds = {}
    started = time.perf_counter()
    for k, s in enumerate(sets):
        run_set(SetJob(cfg, s, k, parts, layout))
    for p in range(parts):
        run_index(IndexJob(p, len(sets), layout))
    seconds["index"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    for s in range(shards):
        run_check(CheckJob(cfg, s, parts, len(sets), layout))
    seconds["check"] = round(time.perf_counter() - started, 2)
    hits = {}
    for s in range(shards):
        for r in pq.read_table(layout.decont_hits(s)).to_pylist():
            hits[int(r["id"])] = r["contamination"]
    return hits, seconds


def random_lines(vocabulary: list[str], n: int, path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    words = np.asarray(vocabulary, dtype=object)
    with path.open("w", encoding="utf-8") as fh:
        for start in range(0, n, 100_000):
            count = min(100_000, n - start)
            lengths = rng.integers(15, 36, count)
            picks = words[rng.integers(0, len(words), int(lengths.sum()))]
            ends = np.cumsum(lengths)
            fh.writelines(" ".join(picks[e - k:e]) + "\n" for e, k in zip(ends, lengths, strict=True))
    return path


def read_false_hits(false: list[int], hits: dict[int, list], rows: list[dict], items: list[dict]) -> dict:
    """What the hits on unplanted documents are: a copy or edit of the article the item was made from (word-set
    Jaccard of the two bodies' keys >= COPY_JACCARD), or a phrase two different stories share."""
    item_keys = [" ".join(key_words(f"{i['title']}\n{i['summary']}")) for i in items]
    kinds, by_count = Counter(), Counter()
    for d in false:
        ngram = hits[d][0]["ngram"]
        sources = [k for k, key in enumerate(item_keys) if ngram in key]
        body = set(key_words(rows[d]["text"]))
        similar = max((jaccard(body, set(key_words(items[k]["body"]))) for k in sources), default=0.0)
        kinds["copy_of_the_items_article" if similar >= COPY_JACCARD else "shared_phrase"] += 1
        n = max(h["ngrams"] for h in hits[d])
        by_count["1" if n == 1 else "2-4" if n < 5 else "5+"] += 1
    return {"kinds": dict(kinds), "ngrams_matched": dict(sorted(by_count.items()))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def matcher(rows: list[dict], items: list[dict], planted: dict, work: Path) -> dict:
    layout = Layout(work / "matcher")
    shutil.rmtree(layout.out, ignore_errors=True)
    sets_dir = work / "sets"
    sets_dir.mkdir(parents=True, exist_ok=True)
    with (sets_dir / "news_items.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({k: v for k, v in i.items() if k != "body"}, ensure_ascii=False) + "\n"
                      for i in items)
    vocabulary = sorted({w for r in rows for w in key_words(r["text"])})
    random_lines(vocabulary, 10_000, sets_dir / "random_words.txt", 1)
    shards = write_shards(rows, layout)
    cfg = DecontaminateConfig(sets=[str(sets_dir / "news_items.jsonl"), str(sets_dir / "random_words.txt")])
    hits, seconds = run_phase(cfg, layout, shards)
    found = {d: k for d, k in planted.items() if any(h["set"] == "news_items" and h["split"] == k[1]
                                                     for h in hits.get(d, []))}
    kinds = [k[0] for k in planted.values()]
    by_kind = {kind: f"{sum(1 for d in found if planted[d][0] == kind)}/{kinds.count(kind)}"
               for kind in ("whole", "partial", "respelled")}
    unplanted = [d for d in range(len(rows)) if d not in planted]
    false = [d for d in unplanted if d in hits]
    collisions = [d for d in range(len(rows)) if any(h["set"] == "random_words" for h in hits.get(d, []))]
    return {
        "documents_checked": len(rows), "planted": len(planted), "eval_items": len(items),
        "recall": round(len(found) / len(planted), 4), "recall_by_kind": by_kind,
        "unplanted_with_a_hit": len(false), "false_hit_rate": round(len(false) / len(unplanted), 5),
        "unplanted_hits_read": read_false_hits(false, hits, rows, items),
        "false_hit_examples": [{"document": d, "hits": hits[d]} for d in false[:5]],
        "random_word_collisions": len(collisions), "seconds": seconds,
    }


def memory(rows: list[dict], lines: int, work: Path, build_docs: int) -> dict:
    folder = work / "build-input"
    write_jsonl_shards(rows[:build_docs], folder, 2, "egypt")
    vocabulary = sorted({w for r in rows for w in key_words(r["text"])})
    big = random_lines(vocabulary, lines, work / f"eval-{lines}.txt", 2)
    runs = {}
    for name, extra in (("without_eval_set", []), ("with_eval_set", [f"decontaminate.sets=[{big}]"])):
        out = work / f"build-{name}"
        shutil.rmtree(out, ignore_errors=True)
        measured = run_measured([sys.executable, "-P", "-m", "builder.cli", f"input.path={folder}",
                                 f"output.path={out}", "executor.workers=1", *extra], out.with_suffix(".log"))
        stats = json.loads((out / "stats.json").read_text())
        runs[name] = {"peak_rss_mb_largest_process": measured["peak_rss_mb_largest_process"],
                      "wall_seconds": measured["wall_seconds"], "cpu_seconds": measured["cpu_seconds_tree"],
                      "decontamination_phase_seconds": {k: v for k, v in stats["phase_seconds"].items()
                                                        if k.startswith("decontamination")}}
        if stats["decontamination"]:
            [s] = stats["decontamination"]["sets"]
            partitions = len(list((out / ".build" / "work" / "decontaminate").glob("index-*")))
            runs[name]["eval_set"] = {"lines": s["items"], "ngrams": s["ngrams"], "bytes": big.stat().st_size,
                                      "index_partitions": partitions}
    return {"build_documents": build_docs, **runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--planted", type=int, default=300)
    parser.add_argument("--held-out", type=int, default=500)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--build-docs", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/decontamination-bench"))
    parser.add_argument("--quick", action="store_true", help="1,000 documents, 100,000 lines: a smoke test")
    args = parser.parse_args()
    docs, lines = (1000, 100_000) if args.quick else (args.docs, args.lines)
    rows = egypt_arabic(docs + args.held_out)
    checked, held_out = rows[:docs], rows[docs:]
    items, too_short = news_items(held_out)
    planted = plant(checked, items, min(args.planted, docs // 4), random.Random(21))
    args.work.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "decontamination",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "corpus": f"egypt_news_2013_newscred, Arabic outlets, round-robin: {docs} documents checked, the next "
                  f"{len(held_out)} held out as the evaluation set's source",
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "held_out_articles_too_short_for_an_item": too_short,
        "matcher": matcher(checked, items, planted, args.work),
        "memory": memory(egypt_arabic(args.build_docs), lines, args.work, args.build_docs),
        "targets": {"recall": 1.0},
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
