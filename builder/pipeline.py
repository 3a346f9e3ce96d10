"""The build, phase by phase. Each phase is a set of file-in, file-out tasks under `OUT/.build/work/`
(paths and task names in `builder.files.Layout`), run in the order of `PHASES`:

decontamination  per evaluation set, then per partition of the n-gram hashes (only when decontaminate.sets names
                                  any): n-grams -> decontaminate/grams-*, sorted -> decontaminate/index-NNNNN
                                  (builder/decontaminate/)
documents        per input shard: read -> extract -> ... -> label (the configured `stages`) -> docs/NNNNN
                                  (builder/phases/documents.py)
site templates   per shard, then per share of the sites, then whole corpus: line shapes counted per site ->
                                  templates/counts-NNNNN, merged -> templates/merged-NNNNN, learned ->
                                  templates/learned; then per shard the learned lines cut -> templates/cut-NNNNN
                                  (builder/templates/)
decontamination  per shard:       each document's n-grams looked up -> decontaminate/hits-NNNNN
signatures       per shard:       the exact-copy hash and MinHash signature -> signed/NNNNN, and the dedup arrays
                                  (signatures, keys, partitioned band entries) -> dedup/*-NNNNN.npy
                                  (builder/phases/signatures.py)
dedup            whole corpus:    the exact task, one bucket task per partition, one cluster task ->
                                  dedup/decisions-NNNNN (builder/dedup/)
finalize         per shard:       apply decisions, add cluster columns and the split, drop or tag the contaminated
                                  kept rows, count their tokens -> final/NNNNN
                                  (builder/phases/finalize.py)
write            whole corpus:    data/{split}-*.parquet, rejected/, README.md, stats.json (builder/write.py)
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow.parquet as pq
from hydra.utils import instantiate

from builder.config import SAMPLE_CORPUS, Config
from builder.decontaminate.phase import check_settings, check_tasks, index_tasks, set_tasks
from builder.decontaminate.sets import EvalSet, resolve
from builder.dedup.buckets import BucketJob, bucket_count, run_buckets
from builder.dedup.clusters import ClusterJob, run_clusters
from builder.dedup.exact import ExactJob, run_exact
from builder.errors import BuildError
from builder.executor import Executor, Task
from builder.files import Layout
from builder.fingerprint import fingerprint
from builder.jobs import ShardJob, SignJob
from builder.phases.documents import build_stages, run_documents, stages_of, warm_worker
from builder.phases.finalize import run_finalize
from builder.phases.signatures import run_signatures
from builder.readers import READERS, Shard, plan_shards
from builder.stats import BuildResult
from builder.templates.phase import LearnJob, MergeJob, run_counts, run_cuts, run_learn, run_merge
from builder.tokens import check_tokenizer
from builder.write import write_output

log = logging.getLogger(__name__)

__all__ = ["PHASES", "build", "build_stages"]


# --- the build -----------------------------------------------------------------------------------------

def prepare_output(out: Path, overwrite: bool) -> None:
    """Fail at once, in one line, on an output folder we must not or cannot write."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"output path {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / ".build").is_dir():
        raise BuildError(f"output folder {out} is not empty and was not made by build-corpus; "
                         "choose another output.path or empty it")
    if out.exists() and (out / ".build").is_dir() and not overwrite:
        raise BuildError(f"output folder {out} already holds a build and output.overwrite is false")
    try:
        (out / ".build").mkdir(parents=True, exist_ok=True)
        probe = out / ".build" / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise BuildError(f"cannot write to output folder {out}: {err.strerror or err}") from None


def resolve_input(cfg: Config) -> Path:
    path = Path(cfg.input.path) if cfg.input.path else SAMPLE_CORPUS
    if not path.exists():
        raise BuildError(f"input path not found: {path}")
    return path


def plan_build(cfg: Config, root: Path, layout: Layout) -> tuple[list[Shard], dict[str, int], dict]:
    """The shards, the ignored files and the settings; the work folder is cleared when they changed."""
    shards, ignored = plan_shards(root, cfg.input)
    if not shards:
        supported = ", ".join(ext for reader in READERS for ext in reader.extensions)
        raise BuildError(f"no readable input under {root} (supported: {supported})")
    for ext, n in sorted(ignored.items()):
        log.warning("ignored %d input files with extension %s (no reader for it)", n, ext)
    settings = dataclasses.asdict(cfg)
    digest = fingerprint(settings, root, shards)
    if layout.fingerprint.exists() and layout.fingerprint.read_text() != digest:
        log.info("input or configuration changed since the last run in %s: starting over", layout.out)
        shutil.rmtree(layout.work())
    layout.work().mkdir(parents=True, exist_ok=True)
    layout.fingerprint.write_text(digest)
    return shards, ignored, settings


@dataclass(frozen=True)
class Plan:
    """What the phases' task lists are made from."""

    cfg: Config
    layout: Layout
    shards: list[Shard]
    root: Path

    @cached_property
    def jobs(self) -> list[ShardJob]:
        return [ShardJob(self.cfg, self.layout, s, self.root) for s in self.shards]

    @cached_property
    def buckets(self) -> int:
        """Partitions of the band keys and blocks: more on a larger corpus (known once the documents are done)."""
        n_docs = sum(pq.read_metadata(self.layout.docs(j.shard.index)).num_rows for j in self.jobs)
        return bucket_count(n_docs, self.cfg.near_dup)

    @cached_property
    def eval_sets(self) -> list[EvalSet]:
        """The evaluation sets, resolved once for every decontamination phase."""
        return resolve(self.cfg.decontaminate)

    def per_shard(self, phase: str, fn: Callable, jobs: list | None = None) -> list[Task]:
        return [Task(self.layout.task(phase, j.shard.index), fn, j) for j in (jobs or self.jobs)]


def template_tasks(p: Plan) -> list[Task]:
    return p.per_shard("template-counts", run_counts) if p.cfg.templates.enabled else []


def merge_tasks(p: Plan) -> list[Task]:
    cfg, n = p.cfg.templates, len(p.shards)
    return [Task(p.layout.task("template-merge", part), run_merge, MergeJob(cfg, n, part, p.layout))
            for part in range(cfg.merge_tasks)] if cfg.enabled else []


def learn_tasks(p: Plan) -> list[Task]:
    return [Task(p.layout.task("templates"), run_learn, LearnJob(p.cfg.templates, p.layout))] \
        if p.cfg.templates.enabled else []


def cut_tasks(p: Plan) -> list[Task]:
    return p.per_shard("template-cut", run_cuts) if p.cfg.templates.enabled else []


def signature_tasks(p: Plan) -> list[Task]:
    return p.per_shard("signatures", run_signatures, [SignJob(**vars(j), parts=p.buckets) for j in p.jobs])


def exact_tasks(p: Plan) -> list[Task]:
    job = ExactJob(p.cfg.near_dup, p.cfg.exact.enabled, len(p.shards), p.layout)
    return [Task(p.layout.task("exact"), run_exact, job)]


def bucket_tasks(p: Plan) -> list[Task]:
    near = p.cfg.near_dup
    return [Task(p.layout.task("buckets", t), run_buckets, BucketJob(near, t, p.buckets, len(p.shards), p.layout))
            for t in range(p.buckets)] if near.enabled else []


def cluster_tasks(p: Plan) -> list[Task]:
    job = ClusterJob(p.cfg.near_dup, p.buckets, len(p.shards), p.layout)
    return [Task(p.layout.task("clusters"), run_clusters, job)]


# The phases in order: a name (the progress label and the key of `phase_seconds` in stats.json) and the tasks it
# runs for a plan; a phase with no tasks (switched off) is skipped.
PHASES: list[tuple[str, Callable[[Plan], list[Task]]]] = [
    # the evaluation sets first: a set that cannot be read stops the build before the long part
    ("decontamination: sets", lambda p: set_tasks(p.cfg.decontaminate, p.layout, p.eval_sets)),
    ("decontamination: index", lambda p: index_tasks(p.cfg.decontaminate, p.layout, p.eval_sets)),
    ("documents", lambda p: p.per_shard("docs", run_documents)),
    ("site templates: counts", template_tasks),
    ("site templates: merge", merge_tasks),
    ("site templates", learn_tasks),
    ("site templates: cut", cut_tasks),
    ("decontamination: check",
     lambda p: check_tasks(p.cfg.decontaminate, p.layout, [s.index for s in p.shards], p.eval_sets)),
    ("signatures", signature_tasks),
    ("exact copies", exact_tasks),
    ("near-dup buckets", bucket_tasks),
    ("clusters", cluster_tasks),
    ("finalize", lambda p: p.per_shard("final", run_finalize)),
]


def run_phases(executor: Executor, plan: Plan) -> None:
    for name, tasks_of in PHASES:
        if tasks := tasks_of(plan):
            executor.run(tasks, plan.layout.markers, name)


def build(cfg: Config) -> BuildResult:
    """Run every phase; return what the build did (saved as OUT/stats.json)."""
    started = time.perf_counter()
    root = resolve_input(cfg)
    out = Path(cfg.output.path)
    executor: Executor = instantiate(cfg.executor)
    with executor:
        # the workers start, import and build their stages (about 3 s) while this process does the same and plans
        # the shards; a bad stage config still fails before anything is written, and the stages built here are
        # the ones this process runs (workers=1), not built a second time
        executor.warm(warm_worker, cfg)
        stages_of(cfg)
        check_tokenizer(cfg.tokens)
        check_settings(cfg.decontaminate)
        prepare_output(out, cfg.output.overwrite)
        layout = Layout(out)
        shards, ignored, settings = plan_build(cfg, root, layout)
        run_phases(executor, Plan(cfg, layout, shards, root))
    return write_output(cfg, settings, layout, shards, ignored, root, started, executor.phase_seconds)
