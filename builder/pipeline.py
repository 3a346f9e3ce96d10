"""The build, phase by phase. Each phase is a set of file-in, file-out tasks under `OUT/.build/work/`
(paths in `builder.files.Layout`):

documents   per input shard: read -> extract -> ... -> label (the configured `stages`) -> docs/NNNNN
templates   per shard, then whole corpus: line shapes counted per site -> templates/counts-NNNNN, merged per share
                             of the sites -> templates/merged-NNNNN, the shapes that are a site's template ->
                             templates/learned (builder/templates/)
signatures  per shard:       site templates cut, then the exact-copy hash and MinHash signature -> signed/NNNNN,
                             and the dedup arrays (signatures, keys, partitioned band entries) -> dedup/*-NNNNN.npy
dedup       whole corpus:    the exact task, one bucket task per partition, one cluster task -> dedup/decisions-NNNNN
finalize    per shard:       apply decisions, add cluster columns and the split -> final/NNNNN
write       whole corpus:    data/{split}-*.parquet, rejected/, README.md, stats.json (see builder/write.py)
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hydra.errors import InstantiationException
from hydra.utils import get_class, instantiate

from builder.arabic import dedup_key
from builder.config import SAMPLE_CORPUS, Config
from builder.dedup.buckets import BucketJob, bucket_count, run_buckets
from builder.dedup.clusters import ClusterJob, run_clusters
from builder.dedup.exact import ExactJob, run_exact
from builder.dedup.keys import UrlKey
from builder.dedup.pages import page_keys, seconds, write_pages
from builder.dedup.signatures import lsh_params, signatures, with_params
from builder.document import Doc
from builder.errors import BuildError
from builder.executor import Executor, Task
from builder.files import Layout, write_json, write_parquet
from builder.fingerprint import fingerprint
from builder.readers import READERS, Shard, plan_shards, read_shard
from builder.schema import DEDUP_FIELDS, LATE_FIELDS, REJECTED_FEATURES, arrow_schema, final_schema, work_schema
from builder.split import split_of
from builder.stages.base import Stage, StageStats, built_for
from builder.templates.phase import LearnJob, MergeJob, apply_templates, run_counts, run_learn, run_merge
from builder.write import write_output

log = logging.getLogger(__name__)


def rejects_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(REJECTED_FEATURES))


@dataclass(frozen=True)
class ShardJob:
    """What a per-shard task needs: it is pickled to the worker, so it holds settings and paths only."""

    cfg: Config
    layout: Layout
    shard: Shard
    root: Path


# --- phase 1: documents ------------------------------------------------------------------------------

def build_stages(cfg: Config) -> list[Stage]:
    """The configured per-document stages, each built from its typed config group."""
    stages = []
    for name in cfg.stages:
        group = getattr(cfg, name, None)
        if not hasattr(group, "_target_"):
            raise BuildError(f"stage {name!r} in `stages` has no config group with a _target_")
        try:
            stage = get_class(group._target_)(group)
        except InstantiationException as err:  # a part built by Hydra (the stance labeler): its own message
            raise BuildError(f"cannot build stage {name!r}: {err.__cause__ or err}") from None
        except (BuildError, ImportError, OSError, ValueError) as err:
            raise BuildError(f"cannot build stage {name!r}: {err}") from None
        stage.name = name
        stages.append(stage)
    return stages


def run_documents(job: ShardJob) -> None:
    cfg, layout, shard = job.cfg, job.layout, job.shard
    stages = built_for(cfg, build_stages)
    stats = {name: StageStats(name) for name in ["read", *cfg.stages]}
    rejects: list[dict] = []
    docs: Iterator[Doc] = read_shard(shard, job.root, cfg.input, stats["read"], rejects)
    for stage in stages:
        docs = stage.run(docs, stats[stage.name], rejects)
    rows = [doc.row() for doc in docs]
    write_parquet(pa.Table.from_pylist(rows, schema=work_schema()), layout.docs(shard.index))
    write_parquet(rejects_table(rejects), layout.rejects("docs", shard.index))
    write_json([s.to_dict() for s in stats.values()], layout.stats("docs", shard.index))


# --- phase 2: signatures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SignJob(ShardJob):
    parts: int  # partitions of the band entries: the bucket tasks (buckets.bucket_count)


def run_signatures(job: SignJob) -> None:
    """The keys dedup compares: a hash of the spelling-blind text (exact copies) and a MinHash signature, written
    with the other keys as the arrays the global dedup tasks read by row or by partition (builder/dedup/pages.py)."""
    cfg, layout, shard = job.cfg, job.layout, job.shard
    table = pq.read_table(layout.docs(shard.index))
    if cfg.templates.enabled:  # before the keys, so copies that differ only in a site's furniture collapse
        table = apply_templates(job, table)  # timed as the template phase's
    started = time.perf_counter()
    near = cfg.near_dup
    keys = [dedup_key(text) for text in table["text"].to_pylist()]
    digests = [hashlib.blake2b(k.encode(), digest_size=16).digest() for k in keys]
    sig, n_shingles = signatures(keys, near)
    dedup_columns = {"n_chars": pa.compute.utf8_length(table["text"]).cast(pa.int64())}
    for name in DEDUP_FIELDS:
        table = table.append_column(name, pa.array(dedup_columns[name], DEDUP_FIELDS[name]))
    write_parquet(table.cast(with_params(table.schema, near)), layout.signed(shard.index))
    page = page_keys(digests, table["outlet"].to_pylist(), table["url"].to_pylist(), table["title"].to_pylist(),
                     seconds(table["published"]), n_shingles, built_for(near.versions.tracking_params_file, UrlKey))
    write_pages(layout, shard.index, sig, page, *lsh_params(near.candidate_threshold, near.num_perm), job.parts,
                near.versions.enabled)
    spent = StageStats("near_dup", seconds=time.perf_counter() - started)  # counts come from the cluster task
    write_json(spent.to_dict(), layout.stats("signatures", shard.index))


# --- phase 4: finalize ---------------------------------------------------------------------------------

def run_finalize(job: ShardJob) -> None:
    layout, shard = job.layout, job.shard
    docs = pq.read_table(layout.signed(shard.index)).to_pylist()
    decisions = {d["id"]: d for d in pq.read_table(layout.decisions(shard.index)).to_pylist()}
    if set(decisions) != {d["id"] for d in docs}:
        raise BuildError(f"dedup decisions for shard {shard.index} do not match its documents; "
                         "delete OUT/.build and rebuild")
    kept, rejects = [], []
    for row in docs:
        decision = decisions[row["id"]]
        if decision["keep"]:  # work-only columns fall away: the final schema does not have them
            row.update({name: decision[name] for name in LATE_FIELDS}, split=split_of(decision["dup_cluster"],
                                                                                     job.cfg.split))
            kept.append(row)
        else:
            rejects.append({**{k: row.get(k) for k in REJECTED_FEATURES}, "stage": decision["stage"],
                            "reason": decision["reason"], "kept_id": decision["kept_id"],
                            "detail": f"cluster {decision['dup_cluster']} of {decision['dup_count']}"})
    write_parquet(pa.Table.from_pylist(kept, schema=final_schema()), layout.final(shard.index))
    write_parquet(rejects_table(rejects), layout.rejects("final", shard.index))


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


def warm_worker(cfg: Config) -> None:
    """What every document task does first, done while the shards are planned: build the stages."""
    built_for(cfg, build_stages)


def plan(cfg: Config, root: Path, layout: Layout) -> tuple[list[Shard], dict[str, int], dict]:
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


def run_phases(executor: Executor, cfg: Config, layout: Layout, shards: list[Shard], root: Path) -> None:
    jobs = [ShardJob(cfg, layout, s, root) for s in shards]
    executor.run([Task(f"docs-{j.shard.index:05d}", run_documents, j) for j in jobs], layout.markers, "documents")
    if cfg.templates.enabled:
        executor.run([Task(f"template-counts-{j.shard.index:05d}", run_counts, j) for j in jobs],
                     layout.markers, "site templates: counts")
        executor.run([Task(f"template-merge-{p:05d}", run_merge, MergeJob(cfg.templates, len(shards), p, layout))
                      for p in range(cfg.templates.merge_tasks)], layout.markers, "site templates: merge")
        executor.run([Task("templates", run_learn, LearnJob(cfg.templates, layout))], layout.markers,
                     "site templates")
    n_docs = sum(pq.read_metadata(layout.docs(j.shard.index)).num_rows for j in jobs)
    n_buckets = bucket_count(n_docs, cfg.near_dup)
    signing = [SignJob(**vars(j), parts=n_buckets) for j in jobs]
    executor.run([Task(f"signatures-{j.shard.index:05d}", run_signatures, j) for j in signing],
                 layout.markers, "signatures")
    executor.run([Task("exact", run_exact, ExactJob(cfg.near_dup, cfg.exact.enabled, len(shards), layout))],
                 layout.markers, "exact copies")
    if cfg.near_dup.enabled:
        executor.run([Task(f"buckets-{t:05d}", run_buckets, BucketJob(cfg.near_dup, t, n_buckets, len(shards),
                                                                      layout)) for t in range(n_buckets)],
                     layout.markers, "near-dup buckets")
    executor.run([Task("clusters", run_clusters, ClusterJob(cfg.near_dup, n_buckets, len(shards), layout))],
                 layout.markers, "clusters")
    executor.run([Task(f"final-{j.shard.index:05d}", run_finalize, j) for j in jobs], layout.markers, "finalize")


def build(cfg: Config) -> dict:
    """Run every phase; return the stats written to OUT/stats.json."""
    started = time.perf_counter()
    root = resolve_input(cfg)
    out = Path(cfg.output.path)
    executor: Executor = instantiate(cfg.executor)
    with executor:
        # the workers start, import and build their stages (about 3 s) while this process does the same and plans
        # the shards; a bad stage config still fails before anything is written, and the stages built here are
        # the ones this process runs (workers=1), not built a second time
        executor.warm(warm_worker, cfg)
        built_for(cfg, build_stages)
        prepare_output(out, cfg.output.overwrite)
        layout = Layout(out)
        shards, ignored, settings = plan(cfg, root, layout)
        run_phases(executor, cfg, layout, shards, root)
    return write_output(cfg, settings, layout, shards, ignored, root, started, executor.phase_seconds)
