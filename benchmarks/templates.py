"""Site-template cleaning (issues 10 and 22): how much site furniture a build leaves on outlets nobody on the team
wrote pages for, at 1, 5, 20 and 100 pages per site, in the layouts users hand pages over in, and on real corpora.

    python benchmarks/templates.py [--sizes 1,5,20,100] [--layouts flat,folders,jsonl] [--baseline REF]
                                   [--override k=v ...] [--compare k=v ...] [--quick]
    python benchmarks/templates.py --real [--flat] [--real-docs 2000] [--baseline REF] [--override k=v ...]

Synthetic part: seventeen fictional sites (templates_support/sites.py: six HTML, six text dumps; sites_blocks.py:
five more with related-headline blocks, lines below them, glued furniture, a DOM meta line, the outlet's name in
its furniture) print real article bodies (templates_support/bodies.py: read at run time from ../shared/eval,
filtered to clean ones, each used once in the whole run) inside their furniture; the generator writes the gold as
it prints. Every size is its own set of hosts, written in each layout (`write_pages`: `flat`, every site's pages
in one folder with no URL; `folders`, a folder per site with no URL; `jsonl`, a file per site with URLs), each
its own build (`build-corpus input.path=... output.path=... near_dup.enabled=false` plus the overrides), so
nothing learned at one size or layout reaches another. Scores: templates_support/score.py; `table` in the JSON
holds the headline figures per run, layout and size.

Real part: templates_support/real.py (repeated lines before and after, prose lost, a review sample of
`template.*` removals written to /tmp/templates-review/).

`--compare k=v` builds twice, baseline (the overrides) and variant (overrides + the compare settings);
`--baseline REF` builds with the builder at git REF (exported with `git archive`) and with this checkout. Both
print the two side by side with the differences. Prints one JSON object; everything is written under --work
(default /tmp/templates-bench), never into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from templates_support import real
from templates_support.bodies import BodyPool
from templates_support.score import score_build
from templates_support.sites import Generator
from templates_support.sites_blocks import ALL_SITES
from throughput import baseline_tree

SUPPORT = Path(__file__).resolve().parent / "templates_support"
BUILD_ARGS = ["near_dup.enabled=false"]
LAYOUTS = ("flat", "folders", "jsonl")  # how users hand their pages over (write_pages)


def log(message: str) -> None:
    print(f"[templates bench] {message}", file=sys.stderr, flush=True)


def build(input_dir: Path, out: Path, overrides: list[str], source: Path | None = None) -> float:
    """Runs the real CLI (of the builder at `source`, when given); returns its wall seconds. A failed build stops
    the benchmark with its stderr."""
    shutil.rmtree(out, ignore_errors=True)  # a leftover build would resume instead of running
    if source:  # -P: else `-m` puts the current folder first on sys.path, whatever PYTHONPATH says
        cmd = ["env", f"PYTHONPATH={source}", sys.executable, "-P", "-m", "builder.cli"]
    else:
        cmd = [shutil.which("build-corpus") or str(Path(sys.executable).with_name("build-corpus"))]
    cmd += [f"input.path={input_dir}", f"output.path={out}", *BUILD_ARGS, *overrides]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{done.stderr[-3000:]}")
    return round(time.monotonic() - start, 1)


def write_pages(pages: list, folder: Path, layout: str, seed: int = 0) -> list[str] | None:
    """The pages as a user would hand them over, the gold beside them (outside input.path):
    - jsonl: one JSONL per site, each record with its URL (a scrape organised by site);
    - folders: one folder per site, one .txt / .html file per page, no URL;
    - flat: every site's pages in one folder, in a shuffled order under neutral names, no URL, no outlet.
    Returns each page's input file (relative to input.path), or None for jsonl (pages are known by URL)."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "input").mkdir(parents=True)
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for _, gold in pages:
            fh.write(json.dumps(gold.to_json(), ensure_ascii=False) + "\n")
    if layout == "jsonl":
        by_site: dict[str, list[str]] = {}
        for record, gold in pages:
            by_site.setdefault(gold.site, []).append(json.dumps(record, ensure_ascii=False))
        for site, lines in by_site.items():
            (folder / "input" / f"site-{site}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return None
    order = sorted(range(len(pages)), key=lambda i: hashlib.sha1(f"{seed}:{pages[i][1].url}".encode()).hexdigest())
    files = [""] * len(pages)
    for rank, i in enumerate(order):
        record, gold = pages[i]
        ext = "html" if "html" in record else "txt"
        host = urlsplit(gold.url).hostname or gold.site
        name = f"{host.split('.')[0]}/{rank:05d}.{ext}" if layout == "folders" else f"page-{rank:05d}.{ext}"
        (folder / "input" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "input" / name).write_text(record.get("html") or record.get("text"), encoding="utf-8")
        files[i] = name
    return files


def variants(args, work: Path) -> dict[str, tuple[list[str], Path | None]]:
    """run name -> (overrides, builder source tree or None for this checkout)."""
    if args.baseline:
        tree = baseline_tree(args.baseline, work)
        return {f"ref-{args.baseline}": (list(args.override), tree), "current": (list(args.override), None)}
    runs = {"baseline": (list(args.override), None)}
    if args.compare:
        runs["variant"] = ([*args.override, *args.compare], None)
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
    generator = Generator(pools, bodies, seed=args.seed, sites=ALL_SITES)
    runs = variants(args, work)
    result: dict = {"sites": {s.key: {"name": s.name, "format": s.fmt} for s in ALL_SITES},
                    "clean_bodies_available": len(bodies.bodies), "table": {run: {} for run in runs}, "sizes": {}}
    for size in args.sizes:
        pages = generator.pages(size)
        per_size: dict = {"pages": len(pages)}
        for layout in args.layouts:
            folder = work / f"pages-{size}-{layout}"
            files = write_pages(pages, folder, layout, args.seed)
            per_layout: dict = {}
            for run, (overrides, source) in runs.items():
                log(f"size {size}, {layout}: {run} build of {len(pages)} pages")
                out = folder / f"out-{run}"
                seconds = build(folder / "input", out, overrides, source)
                report, rows = score_build(out, pages, files)
                with (folder / f"pages-{run}.jsonl").open("w", encoding="utf-8") as fh:
                    fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                summary = headline(report)
                per_layout[run] = {"overrides": overrides, "source": str(source or "this checkout"),
                                   "build_seconds": seconds, "summary": summary, **report}
                result["table"][run].setdefault(layout, {})[str(size)] = summary
            if len(runs) == 2:
                first, second = runs
                per_layout["delta_second_minus_first"] = delta(per_layout[first], per_layout[second])
            per_size[layout] = per_layout
        result["sizes"][str(size)] = per_size
    result["bodies_used"] = bodies._next
    return result


def real_corpora(args, work: Path) -> dict:
    log(f"reading real corpora ({args.real_docs} documents per outlet)")
    data = real.corpora(args.real_docs, seed=args.seed)
    if args.flat:
        data = {"egypt_news_flat": data["egypt_news"]}
    review = Path(args.review)
    result: dict = {"documents_per_outlet": args.real_docs}
    for name, corpus in data.items():
        folder = work / f"real-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        names = (real.write_flat(corpus, folder / "input", args.seed) if args.flat
                 else real.write_inputs(corpus, folder / "input"))
        result[name] = {}
        for run, (overrides, source) in variants(args, work).items():
            log(f"{name}: {run} build of {sum(map(len, corpus.values()))} documents")
            out = folder / f"out-{run}"
            seconds = build(folder / "input", out, overrides, source)
            result[name][run] = {"overrides": overrides, "build_seconds": seconds,
                                 **real.measure(corpus, out, names, review, name, run)}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20,100", help="pages per site, comma-separated")
    parser.add_argument("--override", action="append", default=[], metavar="K=V", help="passed to every build")
    parser.add_argument("--compare", action="append", default=[], metavar="K=V",
                        help="also build with these settings and report side by side")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help=f"comma-separated, of {', '.join(LAYOUTS)}")
    parser.add_argument("--baseline", metavar="REF", help="also build with the builder at git REF, side by side")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 1,5 (and 150 docs per outlet)")
    parser.add_argument("--real", action="store_true", help="the real-corpus part instead of the synthetic one")
    parser.add_argument("--flat", action="store_true",
                        help="--real on egypt_news written as one folder of .txt pages without outlet or URL")
    parser.add_argument("--real-docs", type=int, default=2000, help="documents sampled per outlet (--real)")
    parser.add_argument("--review", default="/tmp/templates-review", help="where --real writes its samples")
    parser.add_argument("--work", default="/tmp/templates-bench")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.layouts = [x for x in args.layouts.split(",") if x]
    if unknown := set(args.layouts) - set(LAYOUTS):
        parser.error(f"unknown layout(s) {sorted(unknown)}; known: {', '.join(LAYOUTS)}")
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
