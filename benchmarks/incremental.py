"""A corpus that grows (issue 23): an update against a full rebuild, a dedup-only sweep against full builds, and
ten daily updates in a row, side by side in one run.

    python benchmarks/incremental.py [--docs 20000] [--workers 2] [--work /tmp/incremental-bench] [--quick]

The documents are a seeded sample of the Arabic outlets of egypt_news_2013 (read from ../shared/eval at run time;
their licence forbids copying them into the project), written as one JSONL file per crawl day (title, body as
text, timestamp as published, outlet), so the day files sort in the order they arrived.

- update: the first 90% of the days built, then the last 10% added as one batch with `update=true` (the batch
  folder alone as input.path), against a full build of every day into a fresh folder. Reported: the update's wall
  time / the full build's (target <= 0.2), the kept documents of both compared row by row (target: equal; every
  difference reported by column), the rejects compared by (id, stage, reason, kept_id), the Parquet files the
  update wrote and those it left byte for byte as they were (checked by hashing every file before and after), and
  the bytes a publish of the update would upload (the files written, the card and stats.json).
- sweep: near_dup.threshold 0.6, 0.7, 0.8 rerun into the full build's folder (its documents, templates and
  signatures reused) against three full builds from scratch (target: time ratio <= 0.4), with the kept count of
  each pair (a rerun must keep what its full build keeps).
- daily: the days before the last ten built, then each of the last ten days added as its own `update=true` batch:
  the wall time of each (target: flat, not growing with the corpus).

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


def run_update(work: Path, source: Path, days: list[str], workers: int) -> dict:
    cut = round(len(days) * 0.9)
    base, batch = linked(days[:cut], source, work / "in-90"), linked(days[cut:], source, work / "in-10")
    full_in = linked(days, source, work / "in-100")
    out, full = work / "out-update", work / "out-full"
    for folder in (out, full):
        shutil.rmtree(folder, ignore_errors=True)
    first = build(work, "base-90", base, out, workers)
    before, splits_before = file_hashes(out), split_of_files(out)
    update = build(work, "update-10", batch, out, workers, "update=true")
    after = file_hashes(out)
    whole = build(work, "full-100", full_in, full, workers)
    unchanged = [p for p in before if after.get(p) == before[p]]
    written = sorted(p for p in after if before.get(p) != after[p])
    splits_after = split_of_files(out)
    upload = [out / p for p in written] + [out / "README.md", out / "stats.json"]
    return {
        "days": {"base": cut, "update": len(days) - cut},
        "base_build": first, "update": update, "full_build": whole,
        "update_over_full_wall": round(update["wall_seconds"] / whole["wall_seconds"], 3),
        "update_over_full_cpu": round(update["cpu_seconds"] / whole["cpu_seconds"], 3),
        "corpus": compare(out, full),
        "parquet_files": {"before": len(before), "after": len(after), "rewritten_or_new": written,
                          "byte_identical": len(unchanged), "deleted": sorted(set(before) - set(after)),
                          "writer_says_written": sorted(update["written"])},
        "documents_that_changed_split": sum(1 for i, s in splits_before.items() if splits_after.get(i, s) != s),
        "publish_upload_bytes": sum(p.stat().st_size for p in upload),
        "corpus_bytes": sum(p.stat().st_size for p in out.glob("[dr]*/*.parquet")),
    }, full_in, full


def run_sweep(work: Path, full_in: Path, full: Path, workers: int, full_builds: bool) -> dict:
    reruns, builds = {}, {}
    for threshold in THRESHOLDS:
        reruns[threshold] = build(work, f"sweep-rerun-{threshold}", full_in, full, workers,
                                  f"near_dup.threshold={threshold}")
    for threshold in THRESHOLDS if full_builds else ():
        fresh = work / "out-sweep-full"
        shutil.rmtree(fresh, ignore_errors=True)
        builds[threshold] = build(work, f"sweep-full-{threshold}", full_in, fresh, workers,
                                  f"near_dup.threshold={threshold}")
    result = {"reruns": {str(t): r for t, r in reruns.items()}, "full_builds": {str(t): b for t, b in builds.items()}}
    if builds:
        result["rerun_over_full_wall"] = round(sum(r["wall_seconds"] for r in reruns.values()) /
                                               sum(b["wall_seconds"] for b in builds.values()), 3)
        result["rerun_over_full_cpu"] = round(sum(r["cpu_seconds"] for r in reruns.values()) /
                                              sum(b["cpu_seconds"] for b in builds.values()), 3)
        result["kept_equal"] = {str(t): reruns[t]["kept"] == builds[t]["kept"] for t in THRESHOLDS}
    return result


def run_daily(work: Path, source: Path, days: list[str], workers: int, n: int) -> dict:
    out = work / "out-daily"
    shutil.rmtree(out, ignore_errors=True)
    base = build(work, "daily-base", linked(days[:-n], source, work / "in-daily-base"), out, workers)
    updates = []
    for day in days[-n:]:
        r = build(work, f"daily-{day}", linked([day], source, work / f"in-day-{day}"), out, workers, "update=true")
        updates.append({"day": day, **{k: r[k] for k in ("wall_seconds", "cpu_seconds", "entered", "kept",
                                                         "load_before")}, "written": len(r["written"]),
                        "documents_tasks": r["tasks"].get("documents")})
    walls = [u["wall_seconds"] for u in updates]
    half = len(walls) // 2
    return {"base": {k: base[k] for k in ("wall_seconds", "cpu_seconds", "kept", "entered")}, "updates": updates,
            "wall_first_half_mean": round(sum(walls[:half]) / max(half, 1), 2),
            "wall_second_half_mean": round(sum(walls[half:]) / max(len(walls) - half, 1), 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=20000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--work", type=Path, default=Path("/tmp/incremental-bench"))
    p.add_argument("--daily", type=int, default=10, help="daily updates in a row")
    p.add_argument("--skip", nargs="*", default=[], choices=["sweep-full", "daily"],
                   help="leave out the three full sweep builds, or the daily updates")
    p.add_argument("--quick", action="store_true", help="2,000 documents: a smoke test, not a measurement")
    args = p.parse_args()
    docs = 2000 if args.quick else args.docs
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    source = args.work / "days"
    days = day_files(docs, source)
    report: dict = {"docs": docs, "days": len(days), "workers": args.workers, "cpus": os.cpu_count()}
    report["update"], full_in, full = run_update(args.work, source, days, args.workers)
    report["sweep"] = run_sweep(args.work, full_in, full, args.workers, "sweep-full" not in args.skip)
    if "daily" not in args.skip:
        report["daily"] = run_daily(args.work, source, days, args.workers, args.daily)
    u, s = report["update"], report["sweep"]
    report["targets"] = {
        "update_over_full_wall <= 0.2": [u["update_over_full_wall"], u["update_over_full_wall"] <= 0.2],
        "kept documents identical": [u["corpus"]["kept_ids_equal"] and not u["corpus"]["rows_differing"],
                                     u["corpus"]["rows_differing"]],
        "sweep rerun_over_full_wall <= 0.4": [s.get("rerun_over_full_wall"),
                                              s.get("rerun_over_full_wall", 1) <= 0.4],
    }
    if "daily" in report:
        d = report["daily"]
        report["targets"]["daily updates flat (second half / first half)"] = round(
            d["wall_second_half_mean"] / d["wall_first_half_mean"], 3)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
