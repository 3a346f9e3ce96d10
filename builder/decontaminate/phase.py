"""The decontamination tasks as the pipeline lists them (builder/pipeline.py `PHASES`), and their summary for
stats.json and the card. No configured set, no task: an empty `decontaminate.sets` costs nothing."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from builder.config import ACTIONS, DecontaminateConfig
from builder.decontaminate.check import CheckJob, run_check
from builder.decontaminate.index import IndexJob, SetJob, partition_count, run_index, run_set
from builder.decontaminate.ngrams import MAX_N
from builder.decontaminate.sets import EvalSet, resolve
from builder.errors import BuildError
from builder.executor import Task
from builder.files import Layout


def check_settings(cfg: DecontaminateConfig) -> None:
    """Before any work: the action, the n-gram size, the partitions and every set entry (a missing file, an
    unknown name)."""
    if cfg.action not in ACTIONS:
        raise BuildError(f"decontaminate.action must be one of {', '.join(ACTIONS)}, got {cfg.action!r}")
    if not 1 <= cfg.ngram <= MAX_N:
        raise BuildError(f"decontaminate.ngram must be between 1 and {MAX_N}, got {cfg.ngram}")
    if cfg.index_tasks < 1 or cfg.index_bytes < 1:
        raise BuildError("decontaminate.index_tasks and decontaminate.index_bytes must be at least 1")
    resolve(cfg)


# The task lists take the sets the build resolved once (`sets`; resolved here when None): resolved per phase, a set
# file that grew mid-build would give the check tasks another partition count than the index.

def set_tasks(cfg: DecontaminateConfig, layout: Layout, sets: list[EvalSet] | None = None) -> list[Task]:
    sets = resolve(cfg) if sets is None else sets
    parts = partition_count(cfg, sets)
    return [Task(layout.task("decont-set", k), run_set, SetJob(cfg, s, k, parts, layout)) for k, s in enumerate(sets)]


def index_tasks(cfg: DecontaminateConfig, layout: Layout, sets: list[EvalSet] | None = None) -> list[Task]:
    sets = resolve(cfg) if sets is None else sets
    return [Task(layout.task("decont-index", p), run_index, IndexJob(p, len(sets), layout))
            for p in range(partition_count(cfg, sets))] if sets else []


def check_tasks(cfg: DecontaminateConfig, layout: Layout, shards: list[int],
                sets: list[EvalSet] | None = None) -> list[Task]:
    sets = resolve(cfg) if sets is None else sets
    parts = partition_count(cfg, sets)
    return [Task(layout.task("decont-check", i), run_check, CheckJob(cfg, i, parts, len(sets), layout))
            for i in shards] if sets else []


def summary(cfg: DecontaminateConfig, layout: Layout) -> dict[str, Any] | None:
    """stats.json's `decontamination`: per set its source, items and n-grams per split, and the kept documents that
    matched it (dropped or tagged); None when no set was configured."""
    if not cfg.sets:
        return None
    found: Counter = Counter()
    for path in layout.stats_files("decont-found"):
        found.update(json.loads(path.read_text()))
    checks = [json.loads(p.read_text()) for p in layout.stats_files("decont-check")]
    sets = []
    for path in sorted(layout.work("decontaminate").glob("set-*.json")):
        s = json.loads(path.read_text())
        splits = {split: {**c, "documents": found[f"{s['name']}\t{split}"]} for split, c in s["splits"].items()}
        sets.append({"name": s["name"], "source": s["source"], "unavailable": s["unavailable"],
                     "items": sum(c["items"] for c in splits.values()),
                     "ngrams": sum(c["ngrams"] for c in splits.values()),
                     "documents": found[s["name"]], "splits": splits})
    seconds = sum(json.loads(p.read_text())["seconds"] for p in layout.work("decontaminate").glob("set-*.json"))
    return {"action": cfg.action, "ngram": cfg.ngram, "checked": sum(c["checked"] for c in checks),
            "matched_before_dedup": sum(c["hit"] for c in checks), "sets": sets,
            "seconds": round(seconds + sum(c["seconds"] for c in checks), 3)}
