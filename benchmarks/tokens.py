"""Token counts (issue 21, part 1): what counting costs a whole build, and whether the totals are the tokenizer's.

    python benchmarks/tokens.py [--docs 20000] [--workers 2] [--work /tmp/tokens-bench] [--quick]

The documents are the Arabic outlets of egypt_news_2013 (read from ../shared/eval at run time; their licence
forbids copying them into the project), as benchmarks/throughput.py takes them. The same input is built twice in
child processes, with the default tokenizer and with `tokens.tokenizer=null`; then the published texts are counted
again with the tokenizer run directly. Prints one JSON object: both builds' wall and CPU seconds, the counting's own
CPU seconds (stats.json `tokens.cpu_seconds`, tokenizer loading included) as a share of the build's, tokens per
word, and whether the totals equal the direct count. On a loaded machine the wall figures say little; the counting's
own seconds and the CPU figures say more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
from dedup_support.corpora import write_jsonl_shards
from dedup_support.measure import run_measured
from throughput import egypt_arabic

from builder.config import TokensConfig
from builder.tokens import load_counter


def build(folder: Path, out: Path, workers: int, *overrides: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured([sys.executable, "-P", "-m", "builder.cli", f"input.path={folder}", f"output.path={out}",
                             f"executor.workers={workers}", *overrides], out.with_suffix(".log"))
    stats = json.loads((out / "stats.json").read_text())
    return {"wall_seconds": measured["wall_seconds"], "cpu_seconds": measured["cpu_seconds_tree"],
            "peak_rss_mb_largest_process": measured["peak_rss_mb_largest_process"], "kept": stats["totals"]["kept"],
            "finalize_wall_seconds": stats["phase_seconds"].get("finalize"), "tokens": stats["tokens"]}


def direct_count(out: Path) -> tuple[int, int, bool]:
    """Tokens and words of the published texts counted again, and whether every row's n_tokens matched."""
    counter = load_counter(TokensConfig())
    tokens = words = 0
    rows_match = True
    for path in sorted(out.glob("data/*.parquet")):
        table = pq.read_table(path, columns=["text", "n_tokens"])
        texts = table["text"].to_pylist()
        counts = counter.count(texts)
        rows_match &= counts == table["n_tokens"].to_pylist()
        tokens += sum(counts)
        words += sum(len(t.split()) for t in texts)
    return tokens, words, rows_match


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tokens-bench"))
    parser.add_argument("--quick", action="store_true", help="2,000 documents: a smoke test, not a measurement")
    args = parser.parse_args()
    docs = 2_000 if args.quick else args.docs
    folder = args.work / "input"
    write_jsonl_shards(egypt_arabic(docs), folder, 4, "egypt")
    with_counts = build(folder, args.work / "tokens", args.workers)
    without = build(folder, args.work / "no-tokens", args.workers, "tokens.tokenizer=null")
    tokens, words, rows_match = direct_count(args.work / "tokens")
    counted = with_counts.pop("tokens")
    without.pop("tokens")
    report = {
        "benchmark": "tokens",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "corpus": f"egypt_news_2013_newscred, Arabic outlets, round-robin: {docs} documents in 4 files",
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "tokenizer": counted["tokenizer"],
        "with_tokens": with_counts,
        "without_tokens": without,
        "counting_seconds": {"wall": counted["seconds"], "cpu": counted["cpu_seconds"]},
        "counting_share_of_build_cpu": round(counted["cpu_seconds"] / with_counts["cpu_seconds"], 3),
        "cpu_ratio_with_over_without": round(with_counts["cpu_seconds"] / without["cpu_seconds"], 3),
        "wall_ratio_with_over_without": round(with_counts["wall_seconds"] / without["wall_seconds"], 3),
        "total_tokens": counted["total"],
        "direct_count_tokens": tokens,
        "totals_equal_direct_count": tokens == counted["total"] == sum(counted["by_split"].values()),
        "every_row_equal_direct_count": rows_match,
        "tokens_per_word": round(tokens / max(words, 1), 3),
        "target": "counting costs at most 10% of the build",
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
