"""The build, phase by phase. Each phase is a set of file-in, file-out tasks under `OUT/.build/`:

documents  per input shard: read -> extract -> ... -> label (the configured `stages`) -> work/docs/NNNNN
dedup      whole corpus:   exact copies and near-duplicate clusters -> work/dedup/decisions-NNNNN
finalize   per shard:      apply decisions, add cluster columns and the split -> work/final/NNNNN
write      whole corpus:   data/{split}-*.parquet, rejected/, README.md, stats.json (see builder/write.py)
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hydra.errors import InstantiationException
from hydra.utils import instantiate

from builder.arabic import dedup_key
from builder.config import PACKAGE_DIR, SAMPLE_CORPUS, conf_dir
from builder.dedup.buckets import run_buckets
from builder.dedup.clusters import run_clusters
from builder.dedup.signatures import signatures, with_params
from builder.document import Doc
from builder.executor import BuildError, Task
from builder.files import Layout, write_json, write_parquet
from builder.schema import DEDUP_FIELDS, REJECTED_FEATURES, SPLITS, arrow_schema, work_schema
from builder.stages.base import Stage, StageStats
from builder.stages.read import READERS, Shard, input_base, plan_shards, read_shard
from builder.write import write_output

log = logging.getLogger(__name__)

def rejects_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(REJECTED_FEATURES))


# --- phase 1: documents ------------------------------------------------------------------------------

def build_stages(cfg: dict) -> list[Stage]:
    stages = []
    for name in cfg["stages"]:
        if name not in cfg or not isinstance(cfg[name], dict) or "_target_" not in cfg[name]:
            raise BuildError(f"stage {name!r} in `stages` has no config group with a _target_")
        try:
            stage = instantiate(cfg[name], _convert_="all")
        except InstantiationException as err:  # Hydra wraps the stage's own message: unwrap it for one line
            cause = err.__cause__ or err
            raise BuildError(f"cannot build stage {name!r}: {cause}") from None
        stage.name = name
        stages.append(stage)
    return stages


def run_documents(cfg: dict, shard: Shard, root: str, out: str) -> None:
    layout = Layout(Path(out))
    stages = build_stages(cfg)
    stats = {name: StageStats(name) for name in ["read", *cfg["stages"]]}
    rejects: list[dict] = []
    docs: Iterator[Doc] = read_shard(shard, Path(root), cfg["input"]["fields"], cfg["input"]["fallback_encodings"],
                                     stats["read"], rejects)
    for stage in stages:
        docs = stage.run(docs, stats[stage.name], rejects)
    rows, keys = [], []
    for doc in docs:
        key = dedup_key(doc.text)
        row = doc.row()
        row["match_hash"] = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        row["n_chars"] = len(doc.text)
        rows.append(row)
        keys.append(key)
    started = time.perf_counter()
    for row, signature in zip(rows, signatures(keys, cfg["near_dup"]), strict=True):
        row["minhash"] = signature
    stats["near_dup"] = StageStats("near_dup", seconds=time.perf_counter() - started)  # signatures; counts come later
    schema = with_params(work_schema(), cfg["near_dup"])
    write_parquet(pa.Table.from_pylist(rows, schema=schema), layout.work("docs", f"{shard.index:05d}.parquet"))
    write_parquet(rejects_table(rejects), layout.work("rejects", f"docs-{shard.index:05d}.parquet"))
    write_json([s.to_dict() for s in stats.values()], layout.work("stats", f"docs-{shard.index:05d}.json"))


# --- phase 3: finalize ---------------------------------------------------------------------------------

def split_of(cluster: str, cfg: dict) -> str:
    """Stable split from the cluster id: copies of one story always land in the same split."""
    digest = hashlib.blake2b(f"{cfg['salt']}:{cluster}".encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    bounds, total = [], 0.0
    for name in SPLITS:
        total += cfg[name]
        bounds.append((total, name))
    return next((name for bound, name in bounds if u < bound / total), SPLITS[-1])


def run_finalize(cfg: dict, shard: Shard, out: str) -> None:
    layout = Layout(Path(out))
    docs = pq.read_table(layout.work("docs", f"{shard.index:05d}.parquet")).to_pylist()
    decisions = {d["id"]: d for d in pq.read_table(layout.work("dedup", f"decisions-{shard.index:05d}.parquet"))
                 .to_pylist()}
    if set(decisions) != {d["id"] for d in docs}:
        raise BuildError(f"dedup decisions for shard {shard.index} do not match its documents; "
                         "delete OUT/.build and rebuild")
    kept, rejects = [], []
    for row in docs:
        decision = decisions[row["id"]]
        if decision["keep"]:
            for name in DEDUP_FIELDS:
                del row[name]
            row.update(dup_cluster=decision["dup_cluster"], dup_count=decision["dup_count"],
                       dup_outlets=decision["dup_outlets"], split=split_of(decision["dup_cluster"], cfg["split"]))
            kept.append(row)
        else:
            rejects.append({**{k: row.get(k) for k in REJECTED_FEATURES}, "stage": decision["stage"],
                            "reason": decision["reason"], "kept_id": decision["kept_id"],
                            "detail": f"cluster {decision['dup_cluster']} of {decision['dup_count']}"})
    schema = arrow_schema().append(pa.field("split", pa.string()))
    write_parquet(pa.Table.from_pylist(kept, schema=schema), layout.work("final", f"{shard.index:05d}.parquet"))
    write_parquet(rejects_table(rejects), layout.work("rejects", f"final-{shard.index:05d}.parquet"))


# --- the build -----------------------------------------------------------------------------------------

def fingerprint(cfg: dict, root: Path, shards: list[Shard]) -> str:
    """What the intermediate files depend on: the input files, every setting but output/executor/write, the
    rule and word-list files, and the builder's own code."""
    base = input_base(root)
    files = [(f, (base / f).stat().st_size, (base / f).stat().st_mtime_ns) for s in shards for f in s.files]
    relevant = {k: v for k, v in cfg.items() if k not in ("output", "executor", "write")}
    h = hashlib.sha256(json.dumps([relevant, str(root.resolve()), files], sort_keys=True, default=str).encode())
    for path in sorted([*conf_dir().rglob("*.yaml"), *PACKAGE_DIR.rglob("*.py")]):
        h.update(path.read_bytes())
    return h.hexdigest()


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


def resolve_input(cfg: dict) -> Path:
    path = Path(cfg["input"]["path"]) if cfg["input"]["path"] else SAMPLE_CORPUS
    if not path.exists():
        raise BuildError(f"input path not found: {path}")
    return path


def build(cfg: dict) -> dict:
    """Run every phase; return the stats written to OUT/stats.json."""
    started = time.perf_counter()
    root = resolve_input(cfg)
    out = Path(cfg["output"]["path"])
    build_stages(cfg)  # a bad stage config fails before anything is written or any worker starts
    prepare_output(out, cfg["output"]["overwrite"])
    layout = Layout(out)
    shards, ignored = plan_shards(root, cfg["input"]["files_per_shard"])
    if not shards:
        supported = ", ".join(ext for reader in READERS for ext in reader.extensions)
        raise BuildError(f"no readable input under {root} (supported: {supported})")
    for ext, n in sorted(ignored.items()):
        log.warning("ignored %d input files with extension %s (no reader for it)", n, ext)

    stamp = layout.work("fingerprint")
    digest = fingerprint(cfg, root, shards)
    if stamp.exists() and stamp.read_text() != digest:
        log.info("input or configuration changed since the last run in %s: starting over", out)
        shutil.rmtree(layout.work())
    layout.work().mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)

    executor = instantiate(cfg["executor"])
    executor.run([Task(f"docs-{s.index:05d}", run_documents, (cfg, s, str(root), str(out))) for s in shards],
                 layout.markers, "documents")
    near, work, n_buckets = cfg["near_dup"], str(layout.work()), cfg["near_dup"]["bucket_tasks"]
    if near["enabled"]:
        executor.run([Task(f"buckets-{t:05d}", run_buckets, (near, t, n_buckets, len(shards), work))
                      for t in range(n_buckets)], layout.markers, "near-dup buckets")
    executor.run([Task("clusters", run_clusters, (near, cfg["exact"], n_buckets, len(shards), work))],
                 layout.markers, "clusters")
    executor.run([Task(f"final-{s.index:05d}", run_finalize, (cfg, s, str(out))) for s in shards],
                 layout.markers, "finalize")
    return write_output(cfg, layout, shards, ignored, root, started)
