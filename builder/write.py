"""Write the finished corpus as a Hugging Face dataset repo: data shards, rejects, card and stats.

The new files are staged under `.build/` and moved into place at the end, so an existing build is replaced
whole and no shard of an earlier, larger build is left behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builder.card import write_card
from builder.config import Config
from builder.decontaminate.phase import summary as decontamination_summary
from builder.files import Layout, write_json
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


def write_shards(tables: Iterator[pa.Table], schema: pa.Schema, folder: Path, prefix: str,
                 max_shard_bytes: int, row_group_bytes: int) -> list[Path]:
    """Stream the rows into shards of about max_shard_bytes (Arrow size), row groups of about row_group_bytes:
    at most one row group is held in memory. No rows, no shard: `datasets` cannot load an empty split, so an
    empty split is left out of the repo and the card."""
    parts: list[Path] = []
    writer: pq.ParquetWriter | None = None
    group: list[pa.Table] = []
    shard_size = group_size = 0

    def flush() -> None:
        nonlocal group_size
        if group:
            writer.write_table(pa.concat_tables(group).cast(schema))
            group.clear()
        group_size = 0

    step_bytes = min(max_shard_bytes, row_group_bytes) // 10  # shards and row groups are cut to about a tenth
    for table in tables:
        step = max(1, min(1000, table.num_rows * step_bytes // max(table.nbytes, 1)))
        for start in range(0, table.num_rows, step):
            piece = table.slice(start, step)
            if writer is None or (shard_size and shard_size + piece.nbytes > max_shard_bytes):
                if writer is not None:
                    flush()
                    writer.close()
                parts.append(folder / f".{prefix}-{len(parts):05d}.parquet.part")
                writer = pq.ParquetWriter(parts[-1], schema, compression="zstd")
                shard_size = 0
            group.append(piece)
            group_size += piece.nbytes
            shard_size += piece.nbytes
            if group_size >= row_group_bytes:
                flush()
    if writer is not None:
        flush()
        writer.close()
    paths = [folder / f"{prefix}-{i:05d}-of-{len(parts):05d}.parquet" for i in range(len(parts))]
    for part, path in zip(parts, paths, strict=True):
        part.replace(path)
    return paths


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


def write_output(cfg: Config, settings: dict, layout: Layout, shards: list[Shard], ignored: Counter, root: Path,
                 started: float, phase_seconds: dict[str, float]) -> BuildResult:
    """`settings` is `cfg` as plain data, for the card; `phase_seconds` the executor's wall seconds per phase."""
    writing = time.perf_counter()
    wcfg = cfg.write
    staging = layout.staging
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "data").mkdir(parents=True)
    (staging / "rejected").mkdir(parents=True)

    finals = [layout.final(s.index) for s in shards]
    split_files = {
        split: write_shards(batches(finals, split), arrow_schema(), staging / "data", split,
                            wcfg.max_shard_bytes, wcfg.row_group_bytes)
        for split in SPLITS
    }
    rejected = write_shards(batches(layout.reject_files(), None), arrow_schema(REJECTED_FEATURES),
                            staging / "rejected", "train", wcfg.max_shard_bytes, wcfg.row_group_bytes)

    for split, files in split_files.items():
        if not files:
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

    result = BuildResult(
        input_path=root.name, shards=len(shards), ignored_files=dict(ignored), splits=split_rows, entered=entered,
        kept=kept, rejected=n_rejected, rejected_by=dict(sorted(rejected_by.items())), stages=stages, dedup=dedup,
        templates=template_summary(layout) if cfg.templates.enabled else None,
        fingerprint=fingerprint_files([p for ps in split_files.values() for p in ps] + rejected),
        tokens=token_totals((pq.read_table(f, columns=TOTAL_COLUMNS) for f in finals), cfg.tokens.tokenizer,
                            token_seconds(layout)),
        decontamination=decontamination_summary(cfg.decontaminate, layout))
    write_card(shareable(settings, root), staging, split_files, rejected, result)
    for name in ("data", "rejected", "README.md"):
        target = layout.out / name
        if target.is_dir():
            shutil.rmtree(target)
        (staging / name).replace(target)
    result.seconds = round(time.perf_counter() - started, 2)
    result.phase_seconds = {**phase_seconds, "write": round(time.perf_counter() - writing, 2)}
    write_json(result.to_dict(), layout.out / "stats.json")
    shutil.rmtree(staging, ignore_errors=True)
    return result
