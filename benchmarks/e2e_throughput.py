"""End-to-end throughput: the whole build on the sample corpus and on N documents of egypt_news_2013.

Prints one JSON object: documents in, kept, seconds and docs/s for each run, the per-stage seconds, and peak
RSS, side by side for workers=1 (the baseline) and workers=2 on the same documents.

    python benchmarks/e2e_throughput.py --docs 10000

The real corpus is read from ../shared/eval (its licence forbids copying it into the project): the script
takes N documents round-robin across its 15 outlet files, writes them to a temporary folder as JSONL
shards of 1,000 documents, and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "egypt_news_2013_newscred" / "by_outlet"


def sample_egypt(n: int, folder: Path, per_file: int = 1000) -> int:
    """n documents taken round-robin across the outlet files, so every outlet is represented."""
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(gzip.open(f, "rt", encoding="utf-8")) for f in sorted(EVAL.glob("*.jsonl.gz"))]
        lines = (line for line in itertools.chain.from_iterable(itertools.zip_longest(*handles)) if line)
        records = [json.loads(line) for line in itertools.islice(lines, n)]
    for i in range(0, len(records), per_file):
        with (folder / f"egypt-{i // per_file:03d}.jsonl").open("w", encoding="utf-8") as out:
            for r in records[i : i + per_file]:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(records)


def run_build(args: list[str]) -> dict:
    """One build in a child process, so its peak RSS is its own."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "builder.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(proc.stderr)
    out = next(a.split("=", 1)[1] for a in args if a.startswith("output.path="))
    stats = json.loads((Path(out) / "stats.json").read_text())
    return {
        "docs_in": stats["totals"]["entered"],
        "kept": stats["totals"]["kept"],
        "rejected": stats["totals"]["rejected"],
        "wall_seconds": round(seconds, 2),
        "docs_per_second": round(stats["totals"]["entered"] / seconds, 1),
        "stage_seconds": {s["stage"]: s["seconds"] for s in stats["stages"]},
        "peak_rss_mb_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    report: dict = {"benchmark": "e2e_throughput", "baseline": "workers=1"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        report["sample"] = run_build([f"output.path={tmp}/sample"])
        if EVAL.exists():
            (tmp / "egypt").mkdir()
            n = sample_egypt(args.docs, tmp / "egypt")
            fields = ["input.fields.text=body", "input.fields.published=timestamp"]
            report["egypt_news_2013"] = {"documents": n}
            for workers in (1, 2):
                report["egypt_news_2013"][f"workers={workers}"] = run_build(
                    [f"input.path={tmp}/egypt", f"output.path={tmp}/egypt-out-{workers}",
                     f"executor.workers={workers}", *fields])
        else:
            report["egypt_news_2013"] = f"not found: {EVAL}"
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
