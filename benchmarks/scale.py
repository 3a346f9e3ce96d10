"""Scale (issue 11): docs/s and the peak RSS of the largest process as the corpus grows 10x, on the process pool
and on Ray.

    python benchmarks/scale.py [--sizes 100000 1000000] [--quick] [--work /tmp/scale-bench] [--skip-ray]
                               [--settle SECONDS]

The corpus is synthetic (benchmarks/synthetic_corpus.py, seed 0, a few percent exact and near copies), written
once per size under WORK/corpus and reused by later runs. Each size is built with `executor.workers=2` and with
`executor=ray executor.num_cpus=2`. The build's process tree (the CLI, its workers, Ray's raylet and workers) is
sampled with psutil every 0.5 s: the largest single process (an upper bound on the largest task: the CLI process
is in it too) and the sum over the tree; /usr/bin/time's maxrss, when the tool exists, catches a peak between
two samples. Ray's object store is shared memory: pages of it a process touched count in its RSS.

Prints one JSON object: per size and executor the docs, kept, wall and CPU seconds, docs/s, the RSS figures,
per-stage seconds and the load average before and after (a run that starts on a loaded machine is flagged);
then the growth of the largest process from the smallest size to the largest, and the issue's targets (largest
task under 2 GB, flat from 100k to 1M). `--quick` runs 2,000 and 8,000 documents: a smoke test, not a measurement.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import throughput
from dedup_support.measure import run_measured
from synthetic_corpus import write
from throughput import load, settled, speed

EXECUTORS = {"local": ["executor.workers=2"], "ray": ["executor=ray", "executor.num_cpus=2"]}
RSS_TARGET_MB = 2048
FLAT = 1.25  # "flat": the largest process grows by at most this factor while the corpus grows 10x


def corpus(work: Path, docs: int, docs_per_file: int) -> tuple[Path, dict]:
    """The synthetic corpus of this size, generated on first use."""
    folder = work / "corpus" / f"{docs}"
    summary = folder / "summary.json"
    if not summary.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"[scale] generating {docs} documents", file=sys.stderr, flush=True)
        made = write(folder / "jsonl", docs, max(1, -(-docs // docs_per_file)))
        summary.write_text(json.dumps(made))
    return folder / "jsonl", json.loads(summary.read_text())


def build(input_dir: Path, out: Path, executor: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)  # a leftover build would resume instead of running
    out.parent.mkdir(parents=True, exist_ok=True)
    before = settled()
    print(f"[scale] {out.name}", file=sys.stderr, flush=True)
    measured = run_measured([sys.executable, "-m", "builder.cli", f"input.path={input_dir}", f"output.path={out}",
                             *EXECUTORS[executor]], out.with_suffix(".log"), interval=0.5)
    stats = json.loads((out / "stats.json").read_text())
    return {**speed(stats["totals"]["entered"], measured, before), "kept": stats["totals"]["kept"],
            "input_shards": stats["input"]["shards"],
            "largest_processes": measured["largest_processes"],  # role, peak and when (seconds from the start)
            "stage_seconds": {s["stage"]: s["seconds"] for s in stats["stages"]},
            "phase_seconds": stats.get("phase_seconds")}  # wall seconds per phase (None before 2026-12-02)


def growth(runs: dict, executor: str) -> dict | None:
    sizes = [s for s in runs if isinstance(runs[s].get(executor), dict)]
    if len(sizes) < 2:
        return None
    first, last = runs[sizes[0]][executor], runs[sizes[-1]][executor]
    return {
        "docs": [first["docs"], last["docs"]],
        "peak_rss_mb_largest_process": [first["peak_rss_mb_largest_process"], last["peak_rss_mb_largest_process"]],
        "rss_ratio": round(last["peak_rss_mb_largest_process"] / first["peak_rss_mb_largest_process"], 2),
        "docs_ratio": round(last["docs"] / first["docs"], 2),
        "docs_per_second": [first["docs_per_second"], last["docs_per_second"]],
    }


def targets(report: dict) -> dict:
    found = {}
    busy = [f"{size}/{ex}" for size, runs in report["runs"].items() for ex, run in runs.items()
            if isinstance(run, dict) and run["busy_machine"]]
    for executor, g in report["growth"].items():
        if g is None:
            continue
        largest = max(g["peak_rss_mb_largest_process"])
        found[f"{executor}_largest_process_under_2GB"] = {"figure": f"{largest} MB", "met": largest < RSS_TARGET_MB}
        found[f"{executor}_largest_process_flat"] = {
            "figure": f"{g['rss_ratio']}x RSS for {g['docs_ratio']}x docs", "met": g["rss_ratio"] <= FLAT}
    for t in found.values():
        t["runs_on_a_busy_machine"] = busy
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--docs-per-file", type=int, default=25_000)
    parser.add_argument("--quick", action="store_true", help="2,000 and 8,000 documents: a smoke test")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale-bench"))
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--settle", type=float, default=0.0, metavar="SECONDS",
                        help="before each build, wait up to this long for the load of the previous one to decay")
    args = parser.parse_args()
    throughput.settle_seconds = args.settle
    sizes = [2_000, 8_000] if args.quick else sorted(args.sizes)
    executors = ["local"] if args.skip_ray or importlib.util.find_spec("ray") is None else ["local", "ray"]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "benchmark": "scale",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load()},
        "executors": {e: " ".join(EXECUTORS[e]) for e in executors},
        "corpora": {},
        "runs": {},
    }
    for size in sizes:
        folder, made = corpus(work, size, args.docs_per_file)
        report["corpora"][size] = made
        report["runs"][size] = {e: build(folder, work / "out" / f"{size}-{e}", e) for e in executors}
        (work / "report.json").write_text(json.dumps(report, indent=1))  # what is measured so far is kept
    report["growth"] = {e: growth(report["runs"], e) for e in executors}
    report["machine"]["load_average_at_end"] = load()
    report["targets"] = targets(report)
    (work / "report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
