"""Instructions per document (issue 24): the builder's CPU work counted by valgrind (cachegrind's `I refs`), which
the machine's load and speed do not change, against a named baseline commit in the same run.

    python benchmarks/instructions.py [--docs 1000] [--baseline REF] [--work /tmp/instructions-bench]

CPU seconds on this shared 2-core machine vary by 10% or more from one run to the next (two alternated 1-worker
builds of the same 20k documents: 114.6 and 133.1 CPU-s), more than most single changes save. An instruction count
varies by well under 1%. Each checkout builds the first `--docs` egypt_news documents (benchmarks/throughput.py's
round-robin draw) with one worker under cachegrind, and a 20-document build for its fixed cost (imports, building
the stages, writing the card); the difference over the difference in documents is the instructions per document.
Under cachegrind a build runs about 40 times slower: 1,000 documents take about 10 minutes per checkout, and the
checkouts run side by side (one process each; the count does not depend on the cores). Needs valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from throughput import baseline_tree, egypt_arabic

FIXED_DOCS = 20  # the small build whose count is the fixed cost
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def write_input(folder: Path, docs: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "docs.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    return folder


def instructions(source: Path, input_dir: Path, out: Path) -> int:
    """Instructions of one 1-worker build of `input_dir` by the builder at `source`."""
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.NamedTemporaryFile(suffix=".cg") as cg:
        run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={cg.name}",
                              sys.executable, "-P", "-m", "builder.cli", f"input.path={input_dir}",
                              f"output.path={out}", "executor.workers=1"],
                             env={**os.environ, "PYTHONPATH": str(source)}, capture_output=True, text=True)
    found = REFS.search(run.stderr)
    if run.returncode or not found:
        raise SystemExit(f"build by {source} failed under valgrind:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure(name: str, source: Path, inputs: dict[str, Path], work: Path, docs: int) -> dict:
    full, fixed = (instructions(source, inputs[k], work / f"out-{name}-{k}") for k in ("full", "fixed"))
    return {"source": str(source), "instructions": full, "fixed_instructions": fixed,
            "instructions_per_document": round((full - fixed) / (docs - FIXED_DOCS))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--baseline", action="append", default=[], metavar="REF",
                        help="a git ref to count beside this checkout (repeatable)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "instructions-bench")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("benchmarks/instructions.py needs valgrind (apt install valgrind)")
    docs = egypt_arabic(args.docs)
    inputs = {"full": write_input(args.work / "input-full", docs),
              "fixed": write_input(args.work / "input-fixed", docs[:FIXED_DOCS])}
    sources = {"this checkout": Path(__file__).resolve().parents[1],
               **{ref: baseline_tree(ref, args.work) for ref in args.baseline}}
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        counts = dict(zip(sources, pool.map(lambda kv: measure(kv[0].replace(" ", "_"), kv[1], inputs, args.work,
                                                               args.docs), sources.items()), strict=True))
    ours = counts["this checkout"]["instructions_per_document"]
    print(json.dumps({"benchmark": "instructions", "command": " ".join(["python", *sys.argv]), "docs": args.docs,
                      "fixed_docs": FIXED_DOCS, "counts": counts,
                      "this_checkout_over": {ref: round(ours / counts[ref]["instructions_per_document"], 3)
                                             for ref in args.baseline}}, indent=1))


if __name__ == "__main__":
    main()
