"""Write the finished corpus as a Hugging Face dataset repo: data shards, rejects, card and stats.

Each output file holds the rows of a few consecutive shards of one batch (builder/phases/inputs.py) for one split,
and is keyed by the content of the work files it is made of: a rerun, an update, writes the files whose rows
changed (and the new batch's) and leaves every other file byte for byte as it was. New files are staged under
`.build/` and moved into place at the end; a file no shard makes any more is deleted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builder.card import write_card
from builder.config import Config, WriteConfig
from builder.decontaminate.phase import summary as decontamination_summary
from builder.executor import Executor
from builder.files import Layout, write_json
from builder.fingerprint import digest, output_hash
from builder.phases.inputs import Inputs
from builder.readers import Shard
from builder.schema import REJECTED_FEATURES, SPLITS, arrow_schema
from builder.stats import BuildResult, StageStats
from builder.templates.phase import summary as template_summary
from builder.tokens import TOTAL_COLUMNS
from builder.tokens import seconds as token_seconds
from builder.tokens import totals as token_totals

log = logging.getLogger(__name__)


def merged_stats(layout: Layout, shards: list[Shard], order: list[str]) -> tuple[list[StageStats], dict]:
    """Per-stage stats summed over shards and the dedup step, in pipeline order."""
    by_stage: dict[str, StageStats] = {}
    for shard in shards:
        for d in json.loads(layout.stats("docs", shard.index).read_text()):
            by_stage.setdefault(d["stage"], StageStats(d["stage"])).merge(StageStats.from_dict(d))
    dedup = json.loads(layout.stats("dedup").read_text())
    timings = [json.loads(p.read_text()) for phase in ("signatures", "exact", "buckets", "decontaminate")
               for p in layout.stats_files(phase)]
    for d in [*dedup["stages"], *timings]:
        by_stage.setdefault(d["stage"], StageStats(d["stage"])).merge(StageStats.from_dict(d))
    return sorted(by_stage.values(), key=lambda s: order.index(s.stage)), dedup


def batches(files: list[Path], split: str | None) -> Iterator[pa.Table]:
    for f in files:
        table = pq.read_table(f)
        if split is not None:
            table = table.filter(pc.equal(table["split"], split)).drop_columns(["split"])
        if table.num_rows:
            yield table


def write_file(tables: Iterator[pa.Table], schema: pa.Schema, path: Path, row_group_bytes: int) -> bool:
    """Stream the rows into one Parquet file, row groups of about row_group_bytes: at most one row group is held in
    memory. No rows, no file (`datasets` cannot load an empty split): returns whether it wrote one."""
    writer: pq.ParquetWriter | None = None
    group: list[pa.Table] = []
    group_size = 0
    tmp = path.with_name(f".{path.name}.part")
    for table in tables:
        step = max(1, min(1000, table.num_rows * (row_group_bytes // 10) // max(table.nbytes, 1)))
        for start in range(0, table.num_rows, step):
            piece = table.slice(start, step)
            if writer is None:
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
            group.append(piece)
            group_size += piece.nbytes
            if group_size >= row_group_bytes:
                writer.write_table(pa.concat_tables(group).cast(schema))
                group, group_size = [], 0
    if writer is None:
        return False
    if group:
        writer.write_table(pa.concat_tables(group).cast(schema))
    writer.close()
    tmp.replace(path)
    return True


def file_groups(inputs: Inputs, shards_per_file: int) -> list[list[int]]:
    """The shards each output file holds: consecutive shards of one batch, `shards_per_file` at most. A batch's
    files never take another batch's rows, so an update writes its rows to new files and leaves the old ones."""
    groups: list[list[int]] = []
    for batch in range(len(inputs.batches)):
        shards = inputs.batch_shards(batch)
        groups += [shards[i:i + shards_per_file] for i in range(0, len(shards), shards_per_file)]
    return groups


@dataclass
class Written:
    """What the writer did with the output files: written (new or changed rows), kept as they were, deleted."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def write_files(layout: Layout, inputs: Inputs, wcfg: WriteConfig, shard_bytes: int) -> Written:
    """Every data and rejected file, each keyed by the content of the work files it is made of: a file whose key
    is unchanged is left byte for byte as it is (a publish then uploads nothing for it); the others are written
    to the staging folder and moved into place; an output file no group makes any more is deleted."""
    staging = layout.staging
    shutil.rmtree(staging, ignore_errors=True)
    for folder in ("data", "rejected"):
        (staging / folder).mkdir(parents=True)
    try:
        before: dict[str, str] = json.loads(layout.written.read_text())
    except (FileNotFoundError, ValueError):
        before = {}
    hashes: dict[Path, str | None] = {}

    def content(paths: list[Path]) -> list[str | None]:
        for p in paths:
            if p not in hashes:
                hashes[p] = output_hash(p)
        return [hashes[p] for p in paths]

    now: dict[str, str] = {}
    done = Written()
    for number, group in enumerate(file_groups(inputs, max(1, wcfg.max_shard_bytes // shard_bytes))):
        finals = [layout.final(s) for s in group]
        rejects = [layout.rejects(phase, s) for phase in ("docs", "final") for s in group]
        outputs = [(f"data/{split}-{number:05d}.parquet", finals, split, arrow_schema()) for split in SPLITS]
        outputs.append((f"rejected/train-{number:05d}.parquet", rejects, None, arrow_schema(REJECTED_FEATURES)))
        for name, files, split, schema in outputs:
            key = digest(split, content(files))
            if before.get(name) == key and (layout.out / name).exists():
                now[name] = key
                done.kept.append(name)
            elif write_file(batches(files, split), schema, staging / name, wcfg.row_group_bytes):
                now[name] = key
                done.written.append(name)
    for folder in ("data", "rejected"):
        (layout.out / folder).mkdir(exist_ok=True)
    for name in done.written:
        (staging / name).replace(layout.out / name)
    for folder in ("data", "rejected"):
        for path in sorted((layout.out / folder).iterdir()):
            if f"{folder}/{path.name}" not in now:
                path.unlink()
                done.deleted.append(f"{folder}/{path.name}")
    write_json(now, layout.written)
    return done


def batch_history(layout: Layout, inputs: Inputs) -> list[dict]:
    """Each batch as the card's update history shows it; a batch's counts are taken once, by the build that added
    it: documents read, kept, dropped as copies of a document of an older batch (a syndicated copy, an older
    version) and older documents it replaced (a newer version of an older article)."""
    kept_in: dict[str, int] = {}  # every kept id and its batch (a dropped document names a kept one)
    for s, batch in zip(inputs.shards, inputs.batch_of, strict=True):
        kept_in.update(dict.fromkeys(pq.read_table(layout.final(s.index), columns=["id"])["id"].to_pylist(), batch))
    for info in inputs.batches:
        if "documents" in info:
            continue
        mine = set(inputs.batch_shards(info["batch"]))
        info["documents"] = sum(d["in"] if d["stage"] == "read" else d["added"]  # read, and split off by a stage
                                for s in mine for d in json.loads(layout.stats("docs", s).read_text()))
        info["kept"] = sum(1 for batch in kept_in.values() if batch == info["batch"])
        older = replaced = 0
        for s, batch in zip(inputs.shards, inputs.batch_of, strict=True):
            if batch > info["batch"]:
                continue
            dropped = pq.read_table(layout.rejects("final", s.index), columns=["kept_id"])["kept_id"].to_pylist()
            if batch == info["batch"]:
                older += sum(1 for k in dropped if k is not None and kept_in.get(k, batch) < batch)
            else:
                replaced += sum(1 for k in dropped if kept_in.get(k) == info["batch"])
        info["dropped_as_copies_of_older"], info["replaced_older"] = older, replaced
    return inputs.batches


def fingerprint_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def shareable(settings: dict, root: Path) -> dict:
    """The config as the card shows it: paths on the build machine are no one else's business."""
    def name(path: str | None) -> str | None:  # an evaluation set or tokenizer given as a local path
        return Path(path).name if path and Path(path).expanduser().exists() else path

    decont, tokens = settings["decontaminate"], settings["tokens"]
    return {**settings, "input": {**settings["input"], "path": root.name},
            "output": {**settings["output"], "path": "."},
            "decontaminate": {**decont, "sets": [name(s) for s in decont["sets"]]},
            "tokens": {**tokens, "tokenizer": name(tokens["tokenizer"])}}


def write_output(cfg: Config, settings: dict, layout: Layout, inputs: Inputs, ignored: Counter, root: Path,
                 started: float, executor: Executor) -> BuildResult:
    """`settings` is `cfg` as plain data, for the card; the executor's wall seconds per phase and tasks run go to
    stats.json."""
    writing = time.perf_counter()
    shards = inputs.shards
    files = write_files(layout, inputs, cfg.write, cfg.input.shard_bytes)
    split_files = {split: sorted((layout.out / "data").glob(f"{split}-*.parquet")) for split in SPLITS}
    rejected = sorted((layout.out / "rejected").glob("train-*.parquet"))
    finals = [layout.final(s.index) for s in shards]

    for split, paths in split_files.items():
        if not paths:
            log.warning("split %s is empty: it is left out of the output", split)
    stages, dedup = merged_stats(layout, shards, ["read", *cfg.stages, "exact", "near_dup", "decontaminate"])
    split_rows = {s: sum(pq.ParquetFile(p).metadata.num_rows for p in split_files[s]) for s in SPLITS}
    n_rejected = sum(pq.ParquetFile(p).metadata.num_rows for p in rejected)
    kept = sum(split_rows.values())
    for s in stages:
        s.check()
    entered = stages[0].docs_in + sum(s.added for s in stages)  # read's input, and what any stage split off
    if entered != kept + n_rejected:
        raise AssertionError(f"documents lost: {entered} entered, {kept} kept + {n_rejected} rejected")
    rejected_by = Counter()
    for s in stages:
        for reason, n in s.dropped.items():
            rejected_by[f"{s.stage}/{reason}"] += n

    updates = batch_history(layout, inputs)
    result = BuildResult(
        input_path=root.name, shards=len(shards), ignored_files=dict(ignored), splits=split_rows, entered=entered,
        kept=kept, rejected=n_rejected, rejected_by=dict(sorted(rejected_by.items())), stages=stages, dedup=dedup,
        templates=template_summary(layout) if cfg.templates.enabled else None,
        fingerprint=fingerprint_files([p for ps in split_files.values() for p in ps] + rejected),
        tokens=token_totals((pq.read_table(f, columns=TOTAL_COLUMNS) for f in finals), cfg.tokens.tokenizer,
                            token_seconds(layout)),
        decontamination=decontamination_summary(cfg.decontaminate, layout),
        updates=updates if len(updates) > 1 else None)
    write_card(shareable(settings, root), layout.staging, split_files, rejected, result)
    (layout.staging / "README.md").replace(layout.out / "README.md")
    inputs.save(layout.inputs)  # the history's counts, once the corpus they describe is written
    result.seconds = round(time.perf_counter() - started, 2)
    result.phase_seconds = {**executor.phase_seconds, "write": round(time.perf_counter() - writing, 2)}
    write_json({**result.to_dict(), "incremental": {"batches": len(inputs.batches), "tasks": executor.tasks_run,
                                                    **dataclasses.asdict(files)}}, layout.out / "stats.json")
    shutil.rmtree(layout.staging, ignore_errors=True)
    return result
