"""A corpus that grows (issue 23): an update against a full rebuild, a dedup-only sweep against full builds, and
ten daily updates in a row, side by side in one run.

    python benchmarks/incremental.py [--docs 20000] [--workers 2] [--work /tmp/incremental-bench] [--quick]

The documents are a seeded sample of the Arabic outlets of egypt_news_2013 (read from ../shared/eval at run time;
their licence forbids copying them into the project), written as one JSONL file per crawl day (title, body as
text, timestamp as published, outlet), so the day files sort in the order they arrived.

The schedule: the days but the last ten are built; the daily updates follow, one `update=true` batch per day, up to
the last 10% of the days (the corpus is then the first 90% of the days); a copy of that folder gets the last 10% as
ONE `update=true` batch (the batch folder alone as input.path); a full build of every day into a fresh folder; the
original folder goes on day by day (ten daily updates in a row); the sweep on the full build's folder.

- update: the one-batch update's wall time / the full build's (target <= 0.2); the kept documents of both
  compared row by row (target: equal; every difference reported by column), the rejects by (id, stage, reason,
  kept_id), the same for the corpus the daily series made; the Parquet files the update wrote and those it left
  byte for byte as they were (every file hashed before and after); the bytes a publish of the update would upload
  (the files written, the card and stats.json) against the corpus's.
- sweep: near_dup.threshold 0.6, 0.7, 0.8 rerun into the full build's folder (its documents, templates and
  signatures reused) against three full builds from scratch (the full build above is 0.7's; target: time ratio
  <= 0.4), with the kept count of each pair (a rerun must keep what its full build keeps).
- daily: the wall time of each daily update (target: flat, not growing with the corpus).

Every build is `build-corpus` in a process of its own with executor.workers=N; the machine's load average is
recorded around each run (a shared machine inflates wall times, not the ratios of runs made back to back).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from dedup_support.corpora import EGYPT, egypt_records
from dedup_support.measure import run_measured

ENGLISH_OUTLETS = {"englishAhram", "englishFjp"}
THRESHOLDS = (0.6, 0.7, 0.8)


def day_files(docs: int, folder: Path) -> list[str]:
    """The sample as one JSONL file per crawl day under `folder`; returns the day names in order."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    by_day: dict[str, list[dict]] = {}
    records = [r for r in egypt_records() if r["outlet"] not in ENGLISH_OUTLETS][:docs]
    if not records:
        raise SystemExit(f"egypt_news_2013 not found under {EGYPT}")
    for r in records:
        by_day.setdefault(r["timestamp"][:10], []).append(
            {"title": r["title"], "text": r["body"], "published": r["timestamp"], "outlet": r["outlet"]})
    for day, rows in by_day.items():
        with (folder / f"day-{day}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return sorted(by_day)


def linked(days: list[str], source: Path, folder: Path) -> Path:
    """A folder holding these days' files (hard links: no copy of the text)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for day in days:
        os.link(source / f"day-{day}.jsonl", folder / f"day-{day}.jsonl")
    return folder


def build(work: Path, name: str, input_path: Path, out: Path, workers: int, *overrides: str) -> dict:
    """One build-corpus process, measured; its stats.json and the load average around it."""
    before = [round(x, 2) for x in os.getloadavg()]
    cmd = ["build-corpus", f"input.path={input_path}", f"output.path={out}", f"executor.workers={workers}",
           *overrides]
    measured = run_measured(cmd, work / f"{name}.log")
    stats = json.loads((out / "stats.json").read_text())
    return {"wall_seconds": measured["wall_seconds"], "cpu_seconds": measured["cpu_seconds_tree"],
            "load_before": before, "load_after": [round(x, 2) for x in os.getloadavg()],
            "kept": stats["totals"]["kept"], "entered": stats["totals"]["entered"],
            "phase_seconds": stats["phase_seconds"], "tasks": stats["incremental"]["tasks"],
            "written": stats["incremental"]["written"], "deleted": stats["incremental"]["deleted"]}


def file_hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.glob("[dr]*/*.parquet"))}


def table(out: Path, folder: str) -> dict[str, dict]:
    return {r["id"]: r for f in sorted((out / folder).glob("*.parquet")) for r in pq.read_table(f).to_pylist()}


def compare(update: Path, full: Path) -> dict:
    """The update's corpus against the full build's: kept ids, every column of the rows both kept, the rejects."""
    a, b = table(update, "data"), table(full, "data")
    both = sorted(set(a) & set(b))
    differ = Counter(column for i in both for column in a[i] if a[i][column] != b[i].get(column))
    rows_differ = sum(1 for i in both if a[i] != b[i])
    ra, rb = table(update, "rejected"), table(full, "rejected")
    key = ("stage", "reason", "kept_id")
    example = next((i for i in both if a[i] != b[i]), None)
    return {
        "kept_update": len(a), "kept_full": len(b), "kept_ids_equal": set(a) == set(b),
        "only_in_update": len(set(a) - set(b)), "only_in_full": len(set(b) - set(a)),
        "rows_differing": rows_differ, "columns_differing": dict(differ.most_common()),
        "example_difference": None if example is None else {
            c: [str(a[example][c])[:200], str(b[example][c])[:200]] for c in a[example]
            if a[example][c] != b[example].get(c)},
        "rejects_update": len(ra), "rejects_full": len(rb),
        "rejects_differing": sum(1 for i in set(ra) | set(rb) if [ra.get(i, {}).get(k) for k in key] !=
                                 [rb.get(i, {}).get(k) for k in key]),
    }


def split_of_files(out: Path) -> dict[str, str]:
    return {r["id"]: f.name.split("-")[0] for f in (out / "data").glob("*.parquet")
            for r in pq.read_table(f, columns=["id"]).to_pylist()}


def daily(work: Path, source: Path, days: list[str], out: Path, workers: int) -> list[dict]:
    """Each day added to `out` as its own `update=true` batch, in order."""
    found = []
    for day in days:
        r = build(work, f"daily-{day}", linked([day], source, work / f"in-day-{day}"), out, workers, "update=true")
        found.append({"day": day, **{k: r[k] for k in ("wall_seconds", "cpu_seconds", "entered", "kept",
                                                       "load_before")}, "files_written": len(r["written"]),
                      "documents_tasks_run_reused": r["tasks"].get("documents")})
    return found


def run(work: Path, source: Path, days: list[str], workers: int, n_daily: int, sweep: str) -> dict:
    """One schedule for the three measurements: the days but the last `n_daily` built; the daily updates up to the
    last 10% of the days (the corpus is then the first 90%, built by batches); a copy of it gets the last 10% as
    one update; the original takes them day by day (the daily series goes on); a full build of every day; the
    sweep on the full build's folder."""
    k = max(1, round(len(days) * 0.1))
    n_daily = max(n_daily, k)
    out, upd, full = work / "out-daily", work / "out-update", work / "out-full"
    for folder in (out, upd, full, work / "out-sweep-full"):
        shutil.rmtree(folder, ignore_errors=True)
    base = build(work, "base", linked(days[:-n_daily], source, work / "in-base"), out, workers)
    series = daily(work, source, days[-n_daily:-k], out, workers)
    shutil.copytree(out, upd)
    before, splits_before = file_hashes(upd), split_of_files(upd)
    update = build(work, "update-10", linked(days[-k:], source, work / "in-10"), upd, workers, "update=true")
    after, splits_after = file_hashes(upd), split_of_files(upd)
    full_in = linked(days, source, work / "in-100")
    whole = build(work, "full-100", full_in, full, workers)
    written = sorted(p for p in after if before.get(p) != after[p])
    upload = [upd / p for p in written] + [upd / "README.md", upd / "stats.json"]
    report = {"days": {"all": len(days), "update": k, "daily": n_daily}, "base_build": base}
    report["update"] = {
        "update": update, "full_build": whole,
        "update_over_full_wall": round(update["wall_seconds"] / whole["wall_seconds"], 3),
        "update_over_full_cpu": round(update["cpu_seconds"] / whole["cpu_seconds"], 3),
        "corpus_vs_full_build": compare(upd, full),
        "parquet_files": {"before": len(before), "after": len(after), "rewritten_or_new": written,
                          "byte_identical": sum(1 for p in before if after.get(p) == before[p]),
                          "deleted": sorted(set(before) - set(after)),
                          "writer_says_written": sorted(update["written"])},
        "documents_that_changed_split": sum(1 for i, s in splits_before.items() if splits_after.get(i, s) != s),
        "publish_upload_bytes": sum(p.stat().st_size for p in upload),
        "corpus_bytes": sum(p.stat().st_size for p in upd.glob("[dr]*/*.parquet")) +
        sum((upd / n).stat().st_size for n in ("README.md", "stats.json")),
    }
    (work / "report.json").write_text(json.dumps(report, indent=1))  # so far, should a later part not finish
    series += daily(work, source, days[-k:], out, workers)
    report["update"]["daily_series_corpus_vs_full_build"] = compare(out, full)
    walls = [u["wall_seconds"] for u in series]
    half = len(walls) // 2
    report["daily"] = {"updates": series, "wall_first_half_mean": round(sum(walls[:half]) / max(half, 1), 2),
                       "wall_second_half_mean": round(sum(walls[half:]) / max(len(walls) - half, 1), 2)}
    (work / "report.json").write_text(json.dumps(report, indent=1))
    if sweep == "none":
        return report
    reruns = {t: build(work, f"sweep-rerun-{t}", full_in, full, workers, f"near_dup.threshold={t}")
              for t in THRESHOLDS}
    fulls = {0.7: whole}  # the full build above is the default threshold's
    for t in THRESHOLDS if sweep == "all" else ():
        if t not in fulls:
            shutil.rmtree(work / "out-sweep-full", ignore_errors=True)
            fulls[t] = build(work, f"sweep-full-{t}", full_in, work / "out-sweep-full", workers,
                             f"near_dup.threshold={t}")
    found = {"reruns": {str(t): r for t, r in reruns.items()}, "full_builds": {str(t): b for t, b in fulls.items()},
             "kept_equal": {str(t): reruns[t]["kept"] == fulls[t]["kept"] for t in fulls}}
    if len(fulls) == len(THRESHOLDS):
        found["rerun_over_full_wall"] = round(sum(r["wall_seconds"] for r in reruns.values()) /
                                              sum(b["wall_seconds"] for b in fulls.values()), 3)
        found["rerun_over_full_cpu"] = round(sum(r["cpu_seconds"] for r in reruns.values()) /
                                             sum(b["cpu_seconds"] for b in fulls.values()), 3)
    report["sweep"] = found
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=20000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--work", type=Path, default=Path("/tmp/incremental-bench"))
    p.add_argument("--daily", type=int, default=10, help="daily updates in a row")
    p.add_argument("--sweep", choices=["all", "reruns", "none"], default="all",
                   help="reruns: leave out the two extra full builds (0.6, 0.8), so no sweep ratio; none: no sweep")
    p.add_argument("--quick", action="store_true", help="2,000 documents: a smoke test, not a measurement")
    args = p.parse_args()
    docs = 2000 if args.quick else args.docs
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    source = args.work / "days"
    days = day_files(docs, source)
    report: dict = {"docs": docs, "workers": args.workers, "cpus": os.cpu_count(),
                    **run(args.work, source, days, args.workers, args.daily, args.sweep)}
    u, s, d = report["update"], report.get("sweep", {}), report["daily"]
    report["targets"] = {
        "update_over_full_wall <= 0.2": [u["update_over_full_wall"], u["update_over_full_wall"] <= 0.2],
        "kept documents identical (rows differing)": [
            u["corpus_vs_full_build"]["kept_ids_equal"] and not u["corpus_vs_full_build"]["rows_differing"],
            u["corpus_vs_full_build"]["rows_differing"]],
        "sweep rerun_over_full_wall <= 0.4": [s.get("rerun_over_full_wall"),
                                              s.get("rerun_over_full_wall", 1) <= 0.4],
        "daily updates flat (mean wall of the second half / first half)": round(
            d["wall_second_half_mean"] / d["wall_first_half_mean"], 3),
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
