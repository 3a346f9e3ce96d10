"""Byte-identity of a build against a baseline commit, side by side in one run: the check every refactor owes.

    python benchmarks/identity.py [--baseline REF] [--ours REF] [--docs 10000] [--work /tmp/identity-bench]
                                  [--workers 1]

Builds the sample corpus shipped in the package and the first `--docs` Arabic documents of egypt_news_2013
(round-robin across outlets, read from ../shared/eval at run time; its licence forbids copying it here) twice:
with this checkout (or, with `--ours`, the builder at another git ref: a working tree others are editing is no
baseline) and with the builder at git REF (exported with `git archive`). Prints one JSON object: per
corpus, the files whose bytes differ under `data/` and `rejected/`, the card's difference in lines, and the
stats.json counts that differ (timings left out). Exit status 1 when anything differs. The baseline's builds are
kept under `--work` and reused by the next run against the same commit.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from dedup_support.corpora import write_jsonl_shards
from throughput import baseline_tree, egypt_arabic

TIMING_KEYS = {"seconds", "phase_seconds", "cpu_seconds", "docs_per_second", "built_at", "started", "finished"}


def build(input_dir: Path | None, out: Path, workers: int, source: Path | None) -> None:
    # -P: no current folder first on sys.path, or `-m builder.cli` run from a checkout imports that checkout's
    # builder whatever PYTHONPATH says (every "baseline" ran this tree until 2026-12-07)
    env_prefix = ["env", f"PYTHONPATH={source}"] if source else []
    args = [f"output.path={out}", f"executor.workers={workers}"]
    if input_dir is not None:
        args.append(f"input.path={input_dir}")
    log = out.with_suffix(".log")
    out.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        subprocess.run([*env_prefix, sys.executable, "-P", "-m", "builder.cli", *args], check=True, stdout=handle,
                       stderr=subprocess.STDOUT)


def hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("data", "rejected") for p in sorted((root / folder).rglob("*")) if p.is_file()}


def counts(stats: object) -> object:
    """stats.json without its timings."""
    if isinstance(stats, dict):
        return {k: counts(v) for k, v in stats.items() if k not in TIMING_KEYS}
    if isinstance(stats, list):
        return [counts(v) for v in stats]
    return stats


def flat(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        return {k: v for key, sub in value.items() for k, v in flat(sub, f"{prefix}{key}.").items()}
    if isinstance(value, list):
        return {k: v for i, sub in enumerate(value) for k, v in flat(sub, f"{prefix}{i}.").items()}
    return {prefix.rstrip("."): value}


def compare(ours: Path, theirs: Path) -> dict:
    a, b = hashes(ours), hashes(theirs)
    card = difflib.unified_diff((theirs / "README.md").read_text().splitlines(),
                                (ours / "README.md").read_text().splitlines(), lineterm="", n=0)
    card_lines = [line for line in card if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    sa, sb = flat(counts(json.loads((ours / "stats.json").read_text()))), \
        flat(counts(json.loads((theirs / "stats.json").read_text())))
    return {
        "files": len(a),
        "differ": sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)),
        "card_lines_changed": card_lines[:40],
        "stats_differ": {k: [sb.get(k), sa.get(k)] for k in sorted(sa.keys() | sb.keys()) if sa.get(k) != sb.get(k)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="git ref of the builder to compare with")
    parser.add_argument("--ours", help="git ref to compare instead of the working tree")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/identity-bench"))
    args = parser.parse_args()
    work = args.work
    def short(name: str) -> str:
        return subprocess.run(["git", "rev-parse", "--short", name], check=True, capture_output=True,
                              text=True).stdout.strip()

    ref = short(args.baseline)
    tree = baseline_tree(ref, work)
    ours = baseline_tree(short(args.ours), work) if args.ours else None
    egypt = work / "egypt"
    if not (egypt / "egypt-000.jsonl").exists() or len((egypt / "egypt-000.jsonl").read_text().splitlines()) \
            != args.docs:
        write_jsonl_shards(egypt_arabic(args.docs), egypt, 1, "egypt")
    report = {"baseline": ref, "docs": args.docs}
    for name, input_dir in (("sample", None), ("egypt_news", egypt)):
        out = {"ours": work / "out" / f"{name}-ours", ref: work / "out" / f"{name}-{ref}-{args.docs}-w{args.workers}"}
        for side, path in out.items():
            if side == ref and (path / "stats.json").exists():
                continue  # a commit's build does not change: reused
            subprocess.run(["rm", "-rf", str(path)], check=True)
            build(input_dir, path, args.workers, ours if side == "ours" else tree)
        report[name] = compare(out["ours"], out[ref])
    print(json.dumps(report, ensure_ascii=False, indent=1))
    same = all(not report[n]["differ"] and not report[n]["stats_differ"] and not report[n]["card_lines_changed"]
               for n in ("sample", "egypt_news"))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
