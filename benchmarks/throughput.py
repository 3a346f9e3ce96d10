"""Throughput (issue 11): our whole build against datatrove's four MinHash stages, on the same real documents and
the same cores, side by side in one run.

    python benchmarks/throughput.py [--docs 20000] [--quick] [--work /tmp/throughput-bench] [--skip-datatrove]
                                    [--baseline REF] [--settle SECONDS]

The documents are the Arabic outlets of egypt_news_2013 (read from ../shared/eval at run time; their licence
forbids copying them into the project), taken round-robin across the outlets, with title/body/timestamp written
as title/text/published. They are laid out twice: as ONE JSONL file (the case where one file used to be one task)
and as 8 files. On each layout: our build with executor.workers=1 and =2, and datatrove's signature, buckets,
cluster and filter stages with 2 tasks on 2 workers (its own virtualenv, shared with benchmarks/dedup.py).

Prints one JSON object: per run docs/s (wall and per CPU second), wall and CPU seconds, peak RSS, our per-stage
seconds from stats.json, and the machine's load average before and after the run; per layout the ratios
ours(workers=2)/datatrove and workers=2/workers=1; and the issues' targets with their figures (issue 24: CPU per
document at one worker at most 0.4x the baseline's, two workers on one file at least 3x datatrove). A run that
starts on a loaded machine is flagged: its wall figures then say little, the CPU figures a little more. `--quick`
runs 2,000 documents (a smoke test, not a measurement). `--baseline REF` also runs the builder as it was at git REF
(exported from this repository with `git archive`) on the one-file layout, so before and after share one run.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dedup import datatrove_python, our_settings, run_datatrove
from dedup import speed as dedup_speed
from dedup_support.corpora import EGYPT, write_jsonl_shards
from dedup_support.measure import run_measured

ENGLISH_OUTLETS = {"englishAhram", "englishFjp"}
LAYOUTS = {"one_file": 1, "eight_files": 8}
BUSY_LOAD = 0.5  # 1-minute load average above which a run did not have the machine to itself


def egypt_arabic(n: int) -> list[dict]:
    """n documents round-robin across the Arabic outlet files, as the builder's default fields."""
    paths = [p for p in sorted(EGYPT.glob("*.jsonl.gz")) if p.name.removesuffix(".jsonl.gz") not in ENGLISH_OUTLETS]
    if not paths:
        raise SystemExit(f"egypt_news_2013 not found under {EGYPT}")
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(gzip.open(p, "rt", encoding="utf-8")) for p in paths]
        lines = (line for line in itertools.chain.from_iterable(itertools.zip_longest(*handles)) if line)
        records = [json.loads(line) for line in itertools.islice(lines, n)]
    return [{"title": r["title"], "text": r["body"], "published": r["timestamp"]} for r in records]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


settle_seconds = 0.0  # --settle: how long a run may wait for the load its predecessor left to decay


def settled() -> list[float]:
    """The load average just before a run, after waiting (up to `settle_seconds`) for the 1-minute load to fall
    to BUSY_LOAD: back to back, each run would otherwise start on the load the previous one left, and be flagged
    busy for it (from 2.0, the load takes about 80 s to fall to 0.5)."""
    waited = 0.0
    while load()[0] > BUSY_LOAD and waited < settle_seconds:
        time.sleep(5)
        waited += 5
    return load()


def speed(docs: int, measured: dict, load_before: list[float]) -> dict:
    """dedup.py's speed figures, with the machine's load around the run."""
    return {
        "docs": docs,
        **dedup_speed(docs, measured),
        "load_average_before": load_before,
        "load_average_after": load(),
        "busy_machine": load_before[0] > BUSY_LOAD,
    }


def baseline_tree(ref: str, work: Path) -> Path:
    """The builder's source at git `ref`, exported beside the work files (run from it with PYTHONPATH)."""
    tree = work / f"baseline-{ref}"
    if not tree.exists():
        tree.mkdir(parents=True)
        repo = Path(__file__).resolve().parents[1]
        archive = subprocess.run(["git", "-C", str(repo), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def run_ours(input_dir: Path, out: Path, workers: int, source: Path | None = None) -> dict:
    """Our build in a child process; `source` runs another checkout of the builder instead of this one."""
    shutil.rmtree(out, ignore_errors=True)  # a leftover build would resume instead of running
    out.parent.mkdir(parents=True, exist_ok=True)
    before = settled()
    prefix = ["env", f"PYTHONPATH={source}"] if source else []
    # -P: without it, `-m` puts the current folder first on sys.path and a run from this checkout imports this
    # builder whatever PYTHONPATH says: until 2026-12-07 every --baseline run measured this tree
    measured = run_measured([*prefix, sys.executable, "-P", "-m", "builder.cli", f"input.path={input_dir}",
                             f"output.path={out}", f"executor.workers={workers}"], out.with_suffix(".log"))
    stats = json.loads((out / "stats.json").read_text())
    return {**speed(stats["totals"]["entered"], measured, before), "kept": stats["totals"]["kept"],
            "input_shards": stats["input"]["shards"],
            "stage_seconds": {s["stage"]: s["seconds"] for s in stats["stages"]},
            "phase_seconds": stats.get("phase_seconds")}  # wall seconds per phase (None before 2026-12-02)


def run_theirs(python: Path, input_dir: Path, out: Path, near: dict) -> dict:
    before = settled()
    result = run_datatrove(python, input_dir, out, near)
    return {**result, "load_average_before": before, "load_average_after": load(),
            "busy_machine": before[0] > BUSY_LOAD}


def ratio(a: dict | None, b: dict | None, key: str = "docs_per_second") -> float | None:
    return round(a[key] / b[key], 2) if a and b and b[key] else None


def layout_report(folder: Path, work: Path, name: str, dt_python: Path | None, near: dict) -> dict:
    runs = {f"ours_workers={w}": run_ours(folder, work / "out" / f"{name}-ours-{w}", w) for w in (1, 2)}
    theirs = run_theirs(dt_python, folder, work / "out" / f"{name}-datatrove", near) if dt_python else None
    runs["datatrove"] = theirs or "skipped (--skip-datatrove)"
    ours2 = runs["ours_workers=2"]
    return {
        **runs,
        "ours_workers2_over_datatrove": ratio(ours2, theirs),
        "ours_workers2_over_datatrove_per_cpu_second": ratio(ours2, theirs, "docs_per_cpu_second"),
        "workers2_over_workers1": ratio(ours2, runs["ours_workers=1"]),
    }


def cpu_per_doc(run: dict) -> float:
    return run["cpu_seconds"] / run["docs"]


def targets(report: dict) -> dict:
    """Issue 24's targets (CPU per document against the baseline, 2 workers on one file against datatrove) and
    issue 11's (2 workers on one file against 1)."""
    one = report["one_file"]
    found = {
        "one_file_workers2_at_least_1.8x_workers1": {"figure": one["workers2_over_workers1"],
                                                    "met": one["workers2_over_workers1"] >= 1.8},
    }
    if one["ours_workers2_over_datatrove"] is not None:
        found["one_file_workers2_at_least_3x_datatrove"] = {"figure": one["ours_workers2_over_datatrove"],
                                                            "met": one["ours_workers2_over_datatrove"] >= 3}
    if base := next((v for k, v in one.items() if k.startswith("baseline_")), None):
        share = round(cpu_per_doc(one["ours_workers=1"]) / cpu_per_doc(base["workers=1"]), 3)
        found["cpu_per_document_at_most_0.4x_baseline"] = {"figure": share, "met": share <= 0.4}
    busy = [f"{layout}/{name}" for layout in LAYOUTS for name, run in report[layout].items()
            if isinstance(run, dict) and run.get("busy_machine")]
    for t in found.values():
        t["runs_on_a_busy_machine"] = busy
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 documents: a smoke test of the benchmark")
    parser.add_argument("--work", type=Path, default=Path("/tmp/throughput-bench"))
    parser.add_argument("--datatrove-venv-dir", type=Path, default=Path("/tmp/dedup-bench"),
                        help="where benchmarks/dedup.py keeps datatrove's virtualenv (made on first use)")
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument("--baseline", metavar="REF", help="also run the builder at this git ref (e.g. 09b83b4)")
    parser.add_argument("--settle", type=float, default=0.0, metavar="SECONDS",
                        help="before each run, wait up to this long for the load of the previous one to decay")
    args = parser.parse_args()
    global settle_seconds
    settle_seconds = args.settle
    docs = 2_000 if args.quick else args.docs
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    near = our_settings()
    dt_python = None if args.skip_datatrove else datatrove_python(args.datatrove_venv_dir.resolve())
    rows = egypt_arabic(docs)
    report: dict = {
        "benchmark": "throughput",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load()},
        "corpus": f"egypt_news_2013_newscred, Arabic outlets, round-robin: {len(rows)} documents",
        "datatrove": "MinhashDedupSignature -> Buckets -> Cluster -> Filter, 2 tasks on 2 workers, "
                     f"{near['bands']} buckets x {near['rows']} hashes, {near['ngram']}-grams" if dt_python else None,
    }
    for name, files in LAYOUTS.items():
        folder = work / "input" / name
        write_jsonl_shards(rows, folder, files, "egypt")
        print(f"[throughput] {name}: {len(rows)} documents in {files} file(s)", file=sys.stderr, flush=True)
        report[name] = layout_report(folder, work, name, dt_python, near)
        if args.baseline and name == "one_file":
            tree = baseline_tree(args.baseline, work)
            base = {f"workers={w}": run_ours(folder, work / "out" / f"{name}-baseline-{w}", w, tree) for w in (1, 2)}
            base["workers2_over_workers1"] = ratio(base["workers=2"], base["workers=1"])
            report[name][f"baseline_{args.baseline}"] = base
            report[name]["ours_workers2_over_baseline_workers2"] = ratio(report[name]["ours_workers=2"],
                                                                         base["workers=2"])
    report["machine"]["load_average_at_end"] = load()
    report["targets"] = targets(report)
    (work / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
