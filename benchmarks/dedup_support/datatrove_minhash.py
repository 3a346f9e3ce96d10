"""datatrove's four MinHash stages on a folder of JSONL shards: the baseline of benchmarks/dedup.py.

Runs in the benchmark's own virtualenv (datatrove is never a dependency of the builder), as a subprocess:

    DIR/datatrove-venv/bin/python datatrove_minhash.py --input SHARDS --work OUT [--buckets 14 --rows 9 ...]

Writes OUT/deduped and OUT/removed (JSONL, every document with `minhash_cluster_id` in its metadata) and
prints one JSON object with each stage's seconds.

Tokenizer: datatrove picks the word tokenizer from the language code. For Arabic, `arb` (and `ar`, `ara`)
resolve to the Latin-script rows of its tokenizer table (a Stanza Maltese model that needs a download, or
spaCy's multilingual `xx`); `arb_Arab` resolves to spaCy's rule-based Arabic tokenizer (`spacy.blank("ar")`),
which needs the spacy package from PyPI and no model download. That is the default here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def stages(args: argparse.Namespace, config: MinhashConfig) -> list[tuple[str, LocalPipelineExecutor]]:
    work, logs = args.work, args.work / "logs"

    def reader() -> JsonlReader:
        return JsonlReader(str(args.input), glob_pattern="*.jsonl", text_key=args.text_key, id_key="id")

    return [
        ("signatures", LocalPipelineExecutor(
            [reader(), MinhashDedupSignature(str(work / "signatures"), config=config, language=args.language)],
            tasks=args.tasks, workers=args.workers, logging_dir=str(logs / "signatures"))),
        ("buckets", LocalPipelineExecutor(
            [MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=config)],
            tasks=config.num_buckets, workers=args.workers, logging_dir=str(logs / "buckets"))),
        ("clusters", LocalPipelineExecutor(
            [MinhashDedupCluster(str(work / "buckets"), str(work / "remove_ids"), config=config, save_cluster_id=True)],
            tasks=1, logging_dir=str(logs / "clusters"))),
        ("filter", LocalPipelineExecutor(
            [reader(), MinhashDedupFilter(str(work / "remove_ids"), exclusion_writer=JsonlWriter(str(work / "removed")),
                                          load_cluster_ids=True),
             JsonlWriter(str(work / "deduped"))],
            tasks=args.tasks, workers=args.workers, logging_dir=str(logs / "filter"))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--text-key", default="text")
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--buckets", type=int, default=14)
    parser.add_argument("--rows", type=int, default=9)
    parser.add_argument("--tasks", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--language", default="arb_Arab")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)  # datatrove skips tasks it finds completed: always start clean
    config = MinhashConfig(n_grams=args.ngram, num_buckets=args.buckets, hashes_per_bucket=args.rows)
    seconds = {}
    for name, executor in stages(args, config):
        started = time.perf_counter()
        executor.run()
        seconds[name] = round(time.perf_counter() - started, 2)
    report = json.dumps({"stage_seconds": seconds, "config": str(config), "language": args.language})
    (args.work / "report.json").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
