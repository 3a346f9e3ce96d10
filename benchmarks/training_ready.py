"""What the training-ready columns cost a whole build (issue 21): token counts, decontamination, personal data and
quality signals all on, side by side with the builder before them, on the same real documents in one run.

    python benchmarks/training_ready.py [--docs 20000] [--baseline 51cfe57] [--set-lines 20000] [--work DIR]

The documents are the first `--docs` Arabic documents of egypt_news_2013 (read from ../shared/eval at run time;
their licence forbids copying them into the project). The evaluation set is made of `--set-lines` sentences of
the documents after them (so a few really occur in the corpus). Both builds run with one worker in child
processes: the baseline commit (exported with `git archive`), and this checkout with `decontaminate.sets` set and
`personal_data.phones=true` (tokens and e-mail/IP replacement are on by default, quality signals always are).
Prints one JSON object: each build's CPU and wall seconds and the ratio of CPU seconds (target: at most 1.15).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from dedup_support.corpora import write_jsonl_shards
from dedup_support.measure import run_measured
from throughput import baseline_tree, egypt_arabic

TARGET = 1.15


def build(folder: Path, out: Path, source: Path | None, *overrides: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = ["env", f"PYTHONPATH={source}"] if source else []
    measured = run_measured([*prefix, sys.executable, "-P", "-m", "builder.cli", f"input.path={folder}",
                             f"output.path={out}", "executor.workers=1", *overrides], out.with_suffix(".log"))
    stats = json.loads((out / "stats.json").read_text())
    return {"cpu_seconds": measured["cpu_seconds_tree"], "wall_seconds": measured["wall_seconds"],
            "kept": stats["totals"]["kept"], "rejected_by": stats["rejected_by"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--baseline", default="51cfe57", help="a commit before the training-ready columns")
    parser.add_argument("--set-lines", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/training-ready-bench"))
    args = parser.parse_args()
    rows = egypt_arabic(args.docs + args.set_lines // 5)
    folder = args.work / "input"
    write_jsonl_shards(rows[:args.docs], folder, 1, "egypt")
    sentences = [s.strip() for r in rows[args.docs:] for s in r["text"].split(".") if len(s.split()) >= 13]
    eval_set = args.work / "eval" / "set.txt"
    eval_set.parent.mkdir(parents=True, exist_ok=True)
    eval_set.write_text("\n".join(sentences[:args.set_lines]) + "\n", encoding="utf-8")
    ref = subprocess.run(["git", "rev-parse", "--short", args.baseline], check=True, capture_output=True,
                         text=True).stdout.strip()
    before = build(folder, args.work / "out" / f"baseline-{ref}", baseline_tree(ref, args.work))
    after = build(folder, args.work / "out" / "all-on", None, f"decontaminate.sets=[{eval_set}]",
                  "personal_data.phones=true")
    ratio = round(after["cpu_seconds"] / before["cpu_seconds"], 3)
    print(json.dumps({"docs": args.docs, "eval_set_lines": min(len(sentences), args.set_lines),
                      f"baseline_{ref}": before, "all_four_on": after, "cpu_ratio": ratio,
                      "target": f"<= {TARGET}", "met": ratio <= TARGET}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
