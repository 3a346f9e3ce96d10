"""Near-duplicate detection (issue 5): quality on real and synthetic Arabic news, memory as the corpus grows, and
speed side by side with datatrove's four MinHash stages on the same documents and the same 2 cores.

    python benchmarks/dedup.py [--work DIR] [--skip-datatrove] [--docs N] [--synthetic-docs N]

Prints one JSON object:
- egypt_news_2013_newscred: our build (`stages=[label]`, so only outlet labelling runs before exact and
  near-dup dedup) on 25%, 50% and 100% of the 175,015 RSS-crawled articles: byte-identical copies removed,
  same-outlet same-title edit groups merged (by similarity band), wall seconds, docs/s, peak RSS.
- ans_stance_agree: headline / paraphrase pairs (hard negatives) and the share we merge.
- synthetic: a seeded corpus with copies at known edit rates: recall by true Jaccard band, precision.
- side_by_side: ours against datatrove (its own virtualenv under the work folder, made on first use).
- targets: each target of the issue, its figure, and whether it is met.

Every run reports wall seconds and CPU seconds of its whole process tree: on a shared machine the wall figures
move with other people's load, the CPU figures much less. The report so far is also kept in WORK/report.json.

The real corpora are read from ../shared/eval at run time and everything is written under --work (default
/tmp/dedup-bench), never into the repository. Run it under `nice`: a full run takes about 40 minutes on 2 cores,
half of it datatrove on egypt_news.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import venv
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import yaml
from dedup_support import corpora, evaluate
from dedup_support.measure import run_measured
from dedup_support.synthetic import generate, jaccard, vocabulary

from builder.arabic import dedup_key
from builder.dedup.signatures import lsh_params

SUPPORT = Path(__file__).resolve().parent / "dedup_support"
OUR_ARGS = ["stages=[label]", "executor.workers=2"]
EGYPT_FIELDS = ["input.fields.text=body", "input.fields.published=timestamp"]
EGYPT_SHARDS = 20
FRACTIONS = {"25%": 5, "50%": 10, "100%": 20}  # shards of EGYPT_SHARDS: the corpus grows by whole shards
# datatrove's MinHash needs xxhash, its JSONL reader orjson, its text utils regex, its dedup package tokenizers;
# spacy gives the offline Arabic word tokenizer (see dedup_support/datatrove_minhash.py)
DATATROVE_PACKAGES = ["datatrove==0.10.*", "xxhash<4", "spacy>=3.8", "orjson", "regex", "tokenizers"]
WORKERS = 2
PHASES = {"documents": "docs-", "template_counts": "template-counts-", "templates": "templates",
          "signatures": "signatures-", "near_dup_buckets": "buckets-", "clusters": "clusters", "finalize": "final-"}
DEDUP_PHASES = ("signatures", "near_dup_buckets", "clusters")  # what issue 12 must not slow by more than 10%


def log(message: str) -> None:
    print(f"[dedup bench] {message}", file=sys.stderr, flush=True)


def our_settings() -> dict:
    """The near-dup settings a default build uses, from the composed config (never restated here)."""
    job = subprocess.run([sys.executable, "-m", "builder.cli", "--cfg", "job"], capture_output=True, text=True,
                         check=True)
    near = yaml.safe_load(job.stdout)["near_dup"]
    near["bands"], near["rows"] = lsh_params(near["threshold"], near["num_perm"])
    return near


# --- running the two tools -------------------------------------------------------------------------------

def speed(docs: int, measured: dict) -> dict:
    return {
        "wall_seconds": measured["wall_seconds"],
        "docs_per_second": round(docs / measured["wall_seconds"], 1),
        "cpu_seconds": measured["cpu_seconds_tree"],
        "docs_per_cpu_second": round(docs / max(measured["cpu_seconds_tree"], 0.1), 1),
        "peak_rss_mb_tree_sum": measured["peak_rss_mb_tree_sum"],
        "peak_rss_mb_largest_process": measured["peak_rss_mb_largest_process"],
    }


def phase_seconds(out: Path, started: float, wall: float) -> dict:
    """Wall seconds of each build phase, from its tasks' completion markers (the build keeps them)."""
    done = out / ".build" / "work" / "done"
    seconds, previous = {}, started
    for phase, prefix in PHASES.items():
        end = max((p.stat().st_mtime for p in done.glob(f"{prefix}*")), default=None)
        if end is not None:
            seconds[phase], previous = round(end - previous, 2), end
    seconds["write"] = round(started + wall - previous, 2)
    return seconds


def run_ours(input_dir: Path, out: Path, fields: Sequence[str] = ()) -> dict:
    shutil.rmtree(out, ignore_errors=True)  # a leftover build would resume instead of running
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "builder.cli", f"input.path={input_dir}", f"output.path={out}", *OUR_ARGS, *fields]
    measured = run_measured(cmd, out.with_suffix(".log"))
    stats = json.loads((out / "stats.json").read_text())
    docs = stats["totals"]["entered"]
    run = {
        "docs": docs,
        "kept": stats["totals"]["kept"],
        **speed(docs, measured),
        "stage_seconds": {s["stage"]: s["seconds"] for s in stats["stages"]},
        "phase_wall_seconds": phase_seconds(out, measured["started_epoch"], measured["wall_seconds"]),
        "dedup": {k: stats["dedup"].get(k) for k in ("candidate_pairs", "verified_pairs", "copy_pairs",
                                                     "version_pairs", "clusters", "clusters_with_copies")},
    }
    run["dedup_phases_wall_seconds"] = round(sum(run["phase_wall_seconds"].get(p, 0) for p in DEDUP_PHASES), 2)
    return run


def datatrove_python(work: Path) -> Path:
    """The benchmark's own virtualenv with datatrove, made on first use; the builder never depends on it."""
    home = work / "datatrove-venv"
    python, ready = home / "bin" / "python", home / ".installed"
    wanted = " ".join(DATATROVE_PACKAGES)
    if not ready.exists() or ready.read_text() != wanted:
        if not python.exists():
            log(f"creating {home}")
            venv.create(home, with_pip=True)
        log(f"installing {wanted} into {home}")
        subprocess.run([str(python), "-m", "pip", "install", "-q", *DATATROVE_PACKAGES], check=True)
        ready.write_text(wanted)
    return python


def run_datatrove(python: Path, input_dir: Path, out: Path, near: dict, text_key: str = "text") -> dict:
    cmd = [str(python), str(SUPPORT / "datatrove_minhash.py"), "--input", str(input_dir), "--work", str(out),
           "--text-key", text_key, "--ngram", str(near["ngram"]), "--buckets", str(near["bands"]),
           "--rows", str(near["rows"]), "--tasks", str(WORKERS), "--workers", str(WORKERS)]
    measured = run_measured(cmd, out.with_suffix(".log"))
    report = json.loads((out / "report.json").read_text())
    docs = sum(1 for f in input_dir.glob("*.jsonl") for _ in f.open(encoding="utf-8"))
    return {
        "docs": docs,
        **speed(docs, measured),
        "stage_seconds": report["stage_seconds"],
    }


# --- the corpora -----------------------------------------------------------------------------------------

def texts(records: list[dict], ids: list[str]) -> dict[str, str]:
    return {i: r["body"] for i, r in zip(ids, records, strict=True)}


def egypt(records: list[dict], work: Path, threshold: float) -> tuple[dict, dict[str, Path], list[str]]:
    """Our build on growing prefixes of the corpus: quality, speed and memory at each size."""
    folder = work / "egypt" / "100%"
    rows = [{k: r[k] for k in corpora.EGYPT_FIELDS} for r in records]
    ids = corpora.write_jsonl_shards(rows, folder, EGYPT_SHARDS, "egypt")
    per_shard = -(-len(rows) // EGYPT_SHARDS)
    report, inputs = {"documents": len(rows), "shards": EGYPT_SHARDS, "runs": {}}, {}
    for name, shards in FRACTIONS.items():
        inputs[name] = folder if shards == EGYPT_SHARDS else \
            corpora.link_shards(folder, work / "egypt" / name, shards)
        n = min(len(rows), shards * per_shard)
        log(f"egypt_news {name}: our build on {n} documents")
        out = work / "out" / f"egypt-{name.rstrip('%')}"
        run = run_ours(inputs[name], out, EGYPT_FIELDS)
        clustering = evaluate.ours(out)
        run["exact_copies"] = evaluate.exact_copies(corpora.exact_groups(records[:n], ids[:n]), clustering)
        run["edit_groups"] = evaluate.edit_groups(corpora.edit_groups(records[:n], ids[:n]), clustering,
                                                  threshold)
        if n == len(rows):
            run["merged_similarity"] = evaluate.merged_similarity(clustering, texts(records, ids))
            run["one_title_different_articles"] = evaluate.pairs_merged(
                [(a, b) for a, b, _ in corpora.one_title_different_articles(records, ids)], clustering)
            run["version_pairs_sample"] = evaluate.version_sample(
                out, texts(records, ids), {i: r["title"] for i, r in zip(ids, records, strict=True)},
                work / "version_pairs_sample.jsonl")
        report["runs"][name] = run
    return report, inputs, ids


def rss_growth(runs: dict) -> dict:
    first, last = runs["25%"], runs["100%"]
    return {
        "docs": [r["docs"] for r in runs.values()],
        "peak_rss_mb_tree_sum": [r["peak_rss_mb_tree_sum"] for r in runs.values()],
        "peak_rss_mb_largest_process": [r["peak_rss_mb_largest_process"] for r in runs.values()],
        "docs_ratio_100_to_25": round(last["docs"] / first["docs"], 2),
        "rss_ratio_100_to_25": round(last["peak_rss_mb_tree_sum"] / first["peak_rss_mb_tree_sum"], 2),
    }


def ans(work: Path, dt_python: Path | None, near: dict) -> dict:
    """Agree pairs are paraphrases, not copies: merging one is a false positive."""
    pairs = corpora.ans_agree_pairs()
    ids = corpora.write_jsonl_shards([{"text": s} for pair in pairs for s in pair], work / "ans", 1, "ans")
    pair_ids = list(zip(ids[0::2], ids[1::2], strict=True))
    words = [len(dedup_key(s).split()) for pair in pairs for s in pair]
    shingles = [max(1, n - near["ngram"] + 1) for n in words]
    true_jaccard = [jaccard(dedup_key(a).split(), dedup_key(b).split()) for a, b in pairs]
    log(f"ans_stance: {len(pairs)} agree pairs")
    report = {
        "agree_pairs": len(pairs),
        "headline_words_median": statistics.median(words),
        "headline_5gram_shingles": {"median": statistics.median(shingles), "min": min(shingles),
                                    "max": max(shingles), "share_with_at_most_3": round(
                                        sum(s <= 3 for s in shingles) / len(shingles), 4)},
        "pairs_true_jaccard_at_least_threshold": sum(j >= near["threshold"] for j in true_jaccard),
        "ours": run_ours(work / "ans", work / "out" / "ans"),
    }
    report["ours"].update(evaluate.pairs_merged(pair_ids, evaluate.ours(work / "out" / "ans")))
    if dt_python:
        report["datatrove"] = run_datatrove(dt_python, work / "ans", work / "out" / "ans-datatrove", near)
        report["datatrove"].update(evaluate.pairs_merged(pair_ids, evaluate.datatrove(work / "out" / "ans-datatrove")))
    return report


def synthetic(records: list[dict], work: Path, n_docs: int, dt_python: Path | None, near: dict) -> dict:
    words, weights = vocabulary(r["body"] for r in records[:30_000])
    corpus = generate(words, weights, n_docs, seed=0)
    ids = corpora.write_jsonl_shards([{"text": t} for t in corpus.texts], work / "synthetic", 8, "synthetic")
    truth = corpus.truth()
    log(f"synthetic: {len(ids)} documents, {len(truth['copies'])} copies")
    report = {"documents": len(ids), "vocabulary": len(words), "copies": len(truth["copies"]),
              "ours": run_ours(work / "synthetic", work / "out" / "synthetic")}
    report["ours"].update(evaluate.synthetic(truth, ids, evaluate.ours(work / "out" / "synthetic"), near["threshold"]))
    if dt_python:
        log("synthetic: datatrove")
        out = work / "out" / "synthetic-datatrove"
        report["datatrove"] = run_datatrove(dt_python, work / "synthetic", out, near)
        report["datatrove"].update(evaluate.synthetic(truth, ids, evaluate.datatrove(out), near["threshold"]))
    return report


def egypt_datatrove(records: list[dict], ids: list[str], folder: Path, work: Path, dt_python: Path,
                    near: dict) -> dict:
    log("egypt_news 100%: datatrove")
    out = work / "out" / "egypt-datatrove"
    run = run_datatrove(dt_python, folder, out, near, text_key="body")
    clustering = evaluate.datatrove(out)
    run["exact_copies"] = evaluate.exact_copies(corpora.exact_groups(records, ids), clustering)
    run["edit_groups"] = evaluate.edit_groups(corpora.edit_groups(records, ids), clustering, near["threshold"])
    run["merged_similarity"] = evaluate.merged_similarity(clustering, texts(records, ids))
    return run


# --- the verdict ---------------------------------------------------------------------------------------

def side_by_side(ours: dict, theirs: dict, quality: dict[str, int], shown: Sequence[str] = ()) -> dict:
    """Speed, memory and quality of the two tools on the same documents. `quality` maps a figure to +1 when
    higher is better, -1 when lower is; ours is of equal or better quality when no figure is worse."""
    worse = [q for q, sign in quality.items()
             if None not in (pick(ours, q), pick(theirs, q)) and sign * (pick(ours, q) - pick(theirs, q)) < 0]
    return {
        "docs": ours["docs"],
        "docs_per_second": {"ours": ours["docs_per_second"], "datatrove": theirs["docs_per_second"]},
        "speedup": round(ours["docs_per_second"] / theirs["docs_per_second"], 2),
        "wall_seconds": {"ours": ours["wall_seconds"], "datatrove": theirs["wall_seconds"]},
        "cpu_seconds": {"ours": ours["cpu_seconds"], "datatrove": theirs["cpu_seconds"]},
        "speedup_per_cpu_second": round(ours["docs_per_cpu_second"] / theirs["docs_per_cpu_second"], 2),
        "peak_rss_mb_tree_sum": {"ours": ours["peak_rss_mb_tree_sum"], "datatrove": theirs["peak_rss_mb_tree_sum"]},
        **{q: {"ours": pick(ours, q), "datatrove": pick(theirs, q)} for q in [*quality, *shown]},
        "quality_equal_or_better": not worse,
        "quality_worse_on": worse,
    }


def pick(report: dict, path: str):
    """report["a"]["b"] for "a/b" (keys may hold dots: "share_below_0.5")."""
    for key in path.split("/"):
        report = report[key]
    return report


def targets(report: dict) -> dict:
    """Each target of the issue: the figure it is judged on, and whether it is met."""
    full = report["egypt_news_2013_newscred"]["runs"]["100%"]
    growth = report["egypt_news_2013_newscred"]["rss_growth"]
    exact, edits = full["exact_copies"], full["edit_groups"]["merged_share"]
    rss, agree = full["peak_rss_mb_tree_sum"], report["ans_stance_agree"]["ours"]["merged_share"]
    found = {
        "egypt_all_extra_copies_removed": {
            "figure": f"{exact['extra_copies_removed']} of {exact['extra_copies']}; "
                      f"{exact['groups_keeping_several']} groups keep more than one",
            "met": exact["extra_copies_removed"] == exact["extra_copies"] and exact["groups_keeping_several"] == 0},
        "egypt_edit_groups_merged_at_least_95%": {"figure": edits, "met": edits is not None and edits >= 0.95},
        "egypt_peak_rss_below_2GB": {"figure": f"{rss} MB (tree sum)", "met": rss < 2048},
        "egypt_rss_sublinear": {
            "figure": f"{growth['rss_ratio_100_to_25']}x RSS for {growth['docs_ratio_100_to_25']}x docs",
            "met": growth["rss_ratio_100_to_25"] < growth["docs_ratio_100_to_25"]},
        "ans_agree_pairs_merged_below_1%": {"figure": agree, "met": agree < 0.01},
    }
    found.update(version_targets(report))
    for name, cmp in report.get("side_by_side", {}).items():
        found[f"{name}_5x_datatrove_docs_per_second_at_equal_or_better_quality"] = {
            "figure": f"{cmp['speedup']}x wall, {cmp['speedup_per_cpu_second']}x per CPU second; quality worse on "
                      f"{cmp['quality_worse_on'] or 'nothing'}",
            "met": cmp["speedup"] >= 5 and cmp["quality_equal_or_better"]}
    return found


def version_targets(report: dict) -> dict:
    """Issue 12's targets: edits merged by similarity band, recurring titles kept apart, synthetic recall."""
    full = report["egypt_news_2013_newscred"]["runs"]["100%"]
    edits, apart = full["edit_groups"], full["one_title_different_articles"]
    ratio, jac = edits["char_ratio_at_least_0.9"]["share"], edits["jaccard_at_least_0.5"]["share"]
    synthetic = report["synthetic"]["ours"]
    band = synthetic["recall_by_true_jaccard"].get("0.7-0.8", {}).get("share")
    return {
        "egypt_edits_char_ratio_0.9_merged_at_least_98%": {"figure": edits["char_ratio_at_least_0.9"],
                                                           "met": ratio is not None and ratio >= 0.98},
        "egypt_same_title_jaccard_0.5_merged_at_least_95%": {"figure": edits["jaccard_at_least_0.5"],
                                                             "met": jac is not None and jac >= 0.95},
        "egypt_one_title_different_articles_merged_at_most_1%": {
            "figure": apart, "met": apart["merged_share"] is None or apart["merged_share"] <= 0.01},
        "synthetic_recall_0.7-0.8_at_least_90%_at_precision_0.99": {
            "figure": {"recall_0.7-0.8": band, "precision": synthetic["precision"]},
            "met": band is not None and band >= 0.9 and (synthetic["precision"] or 0) >= 0.99},
        "dedup_phases_no_more_than_10%_slower": {
            "figure": f"{full['dedup_phases_wall_seconds']} s wall (signatures + buckets + clusters); compare with "
                      "the same command on the commit before issue 12",
            "met": None},
    }


def header(near: dict, dt_python: Path | None) -> dict:
    report: dict = {
        "benchmark": "dedup",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "ours": {"build": " ".join(OUR_ARGS), "datasketch": version("datasketch"),
                 **{k: near[k] for k in ("threshold", "num_perm", "ngram", "scheme", "bands", "rows")}},
        "baseline": "skipped (--skip-datatrove)",
    }
    if dt_python:
        report["baseline"] = {
            "tool": "datatrove " + subprocess.run(
                [str(dt_python), "-c", "from importlib.metadata import version; print(version('datatrove'))"],
                capture_output=True, text=True, check=True).stdout.strip(),
            "stages": "MinhashDedupSignature -> MinhashDedupBuckets -> MinhashDedupCluster -> MinhashDedupFilter",
            "executor": f"LocalPipelineExecutor, {WORKERS} tasks / {WORKERS} workers "
                        f"(buckets: {near['bands']} tasks, one per bucket, {WORKERS} workers; cluster: 1 task)",
            "minhash": f"num_buckets={near['bands']} x hashes_per_bucket={near['rows']} (= our bands x rows), "
                       f"n_grams={near['ngram']}, 64-bit xxhash; no similarity check of candidate pairs",
            "tokenizer": "language=arb_Arab -> spacy.blank('ar') (rule-based, no model download)",
        }
    return report


def compare(report: dict) -> dict:
    eg = report["egypt_news_2013_newscred"]
    return {
        "synthetic": side_by_side(
            report["synthetic"]["ours"], report["synthetic"]["datatrove"],
            {"recall": 1, "recall_at_or_above_threshold": 1, "precision": 1, "quoting_hard_negatives_merged": -1},
            ["recall_by_true_jaccard"]),
        "egypt_news_2013_newscred": side_by_side(
            eg["runs"]["100%"], eg["datatrove_100%"],
            {"exact_copies/extra_copies_removed": 1, "exact_copies/groups_keeping_several": -1,
             "edit_groups/merged_share": 1, "edit_groups/merged_share_at_or_above_threshold": 1,
             "merged_similarity/share_below_0.5": -1}),
    }


def save(report: dict, work: Path) -> None:
    """The report so far, so a failure late in a long run loses nothing measured before it."""
    (work / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/dedup-bench"))
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument("--docs", type=int, default=None, help="use only the first N egypt_news documents")
    parser.add_argument("--synthetic-docs", type=int, default=20_000)
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    near = our_settings()
    dt_python = None if args.skip_datatrove else datatrove_python(work)
    report = header(near, dt_python)
    log("reading egypt_news_2013_newscred")
    records = corpora.egypt_records(args.docs)
    report["ans_stance_agree"] = ans(work, dt_python, near)
    save(report, work)
    report["synthetic"] = synthetic(records, work, args.synthetic_docs, dt_python, near)
    save(report, work)
    eg, inputs, ids = egypt(records, work, near["threshold"])
    report["egypt_news_2013_newscred"] = eg
    eg["rss_growth"] = rss_growth(eg["runs"])
    save(report, work)
    if dt_python:
        eg["datatrove_100%"] = egypt_datatrove(records, ids, inputs["100%"], work, dt_python, near)
        report["side_by_side"] = compare(report)
    report["machine"]["load_average_at_end"] = os.getloadavg()
    report["targets"] = targets(report)
    save(report, work)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
