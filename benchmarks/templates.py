"""Site-template cleaning (issue 10's measurement): how much site furniture a build leaves on outlets nobody on
the team wrote pages for, at 1, 5, 20 and 100 pages per site, and on real corpora.

    python benchmarks/templates.py [--sizes 1,5,20,100] [--override k=v ...] [--compare k=v ...] [--quick]
    python benchmarks/templates.py --real [--real-docs 2000] [--override k=v ...] [--compare k=v ...]

Synthetic part: twelve fictional sites (templates_support/sites.py; six HTML, six text dumps) print real article
bodies (templates_support/bodies.py: read at run time from ../shared/eval, filtered to clean ones, each used once
in the whole run) inside their furniture; the generator writes the gold as it prints. Every size is its own set
of hosts and its own build (`build-corpus input.path=... output.path=... near_dup.enabled=false` plus the
overrides), so nothing learned at one size reaches another. Scores: templates_support/score.py.

Real part: templates_support/real.py (repeated lines before and after, prose lost, a review sample of
`template.*` removals written to /tmp/templates-review/).

`--compare k=v` builds twice, baseline (the overrides) and variant (overrides + the compare settings), and prints
both with the differences. Prints one JSON object; everything is written under --work (default
/tmp/templates-bench), never into the repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from templates_support import real
from templates_support.bodies import BodyPool
from templates_support.score import score_build
from templates_support.sites import SITES, Generator

SUPPORT = Path(__file__).resolve().parent / "templates_support"
BUILD_ARGS = ["near_dup.enabled=false"]


def log(message: str) -> None:
    print(f"[templates bench] {message}", file=sys.stderr, flush=True)


def build(input_dir: Path, out: Path, overrides: list[str]) -> float:
    """Runs the real CLI; returns its wall seconds. A failed build stops the benchmark with its stderr."""
    cli = shutil.which("build-corpus") or str(Path(sys.executable).with_name("build-corpus"))
    cmd = [cli, f"input.path={input_dir}", f"output.path={out}", *BUILD_ARGS, *overrides]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{done.stderr[-3000:]}")
    return round(time.monotonic() - start, 1)


def write_pages(pages: list, folder: Path) -> None:
    """One JSONL per site, as a scrape organised by site would be; the gold beside it (outside input.path)."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "input").mkdir(parents=True)
    by_site: dict[str, list[str]] = {}
    for record, gold in pages:
        by_site.setdefault(gold.site, []).append(json.dumps(record, ensure_ascii=False))
    for site, lines in by_site.items():
        (folder / "input" / f"site-{site}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for _, gold in pages:
            fh.write(json.dumps(gold.to_json(), ensure_ascii=False) + "\n")


def variants(args) -> dict[str, list[str]]:
    runs = {"baseline": list(args.override)}
    if args.compare:
        runs["variant"] = [*args.override, *args.compare]
    return runs


def delta(base, var):
    """variant - baseline for every number the two reports share."""
    if isinstance(base, dict) and isinstance(var, dict):
        return {k: d for k in base if k in var and (d := delta(base[k], var[k])) is not None and d != {}}
    if isinstance(base, int | float) and isinstance(var, int | float) and not isinstance(base, bool):
        return round(var - base, 4)
    return None


def headline(report: dict) -> dict:
    a = report["all"]
    return {"body_char_f1": a["body_char_f1"], "furniture_recall": a["furniture_recall"],
            "body_line_precision": a["body_line_precision"], "pages_dropped": a["pages_dropped"],
            **{f"{k}_accuracy": v["accuracy"] for k, v in a["fields"].items()}}


def synthetic(args, work: Path) -> dict:
    pools = yaml.safe_load((SUPPORT / "pools.yaml").read_text(encoding="utf-8"))
    log("reading bodies")
    bodies = BodyPool(seed=args.seed)
    generator = Generator(pools, bodies, seed=args.seed)
    runs = variants(args)
    result: dict = {"sites": {s.key: {"name": s.name, "format": s.fmt} for s in SITES},
                    "clean_bodies_available": len(bodies.bodies), "sizes": {}}
    for size in args.sizes:
        pages = generator.pages(size)
        folder = work / f"pages-{size}"
        write_pages(pages, folder)
        per_size: dict = {"pages": len(pages)}
        for run, overrides in runs.items():
            log(f"size {size}: {run} build of {len(pages)} pages")
            out = folder / f"out-{run}"
            seconds = build(folder / "input", out, overrides)
            report, rows = score_build(out, pages)
            with (folder / f"pages-{run}.jsonl").open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            per_size[run] = {"overrides": overrides, "build_seconds": seconds, "summary": headline(report), **report}
        if "variant" in per_size:
            per_size["delta_variant_minus_baseline"] = delta(per_size["baseline"], per_size["variant"])
        result["sizes"][str(size)] = per_size
    result["bodies_used"] = bodies._next
    return result


def real_corpora(args, work: Path) -> dict:
    log(f"reading real corpora ({args.real_docs} documents per outlet)")
    data = real.corpora(args.real_docs, seed=args.seed)
    review = Path(args.review)
    result: dict = {"documents_per_outlet": args.real_docs}
    for name, corpus in data.items():
        folder = work / f"real-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        names = real.write_inputs(corpus, folder / "input")
        result[name] = {}
        for run, overrides in variants(args).items():
            log(f"{name}: {run} build of {sum(map(len, corpus.values()))} documents")
            out = folder / f"out-{run}"
            seconds = build(folder / "input", out, overrides)
            result[name][run] = {"overrides": overrides, "build_seconds": seconds,
                                 **real.measure(corpus, out, names, review, name, run)}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20,100", help="pages per site, comma-separated")
    parser.add_argument("--override", action="append", default=[], metavar="K=V", help="passed to every build")
    parser.add_argument("--compare", action="append", default=[], metavar="K=V",
                        help="also build with these settings and report side by side")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 1,5 (and 150 docs per outlet)")
    parser.add_argument("--real", action="store_true", help="the real-corpus part instead of the synthetic one")
    parser.add_argument("--real-docs", type=int, default=2000, help="documents sampled per outlet (--real)")
    parser.add_argument("--review", default="/tmp/templates-review", help="where --real writes its samples")
    parser.add_argument("--work", default="/tmp/templates-bench")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.sizes = [1, 5] if args.quick else [int(x) for x in args.sizes.split(",")]
    if args.quick:
        args.real_docs = min(args.real_docs, 150)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    report = real_corpora(args, work) if args.real else synthetic(args, work)
    report["wall_seconds"] = round(time.monotonic() - start, 1)
    (work / ("report-real.json" if args.real else "report.json")).write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
