"""The documents phase, per input shard: read -> extract -> ... -> label (the configured `stages`) -> docs/NNNNN,
with the shard's reject rows and each stage's counts."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pyarrow as pa
from hydra.errors import InstantiationException
from hydra.utils import get_class

from builder.cache import built_for
from builder.config import Config
from builder.document import Doc
from builder.errors import BuildError
from builder.files import write_json, write_parquet
from builder.heap import settle_heap
from builder.jobs import ShardJob
from builder.lists import word_lists
from builder.readers import read_shard
from builder.schema import rejects_table, work_schema
from builder.stages.base import Stage
from builder.stats import StageStats
from builder.tokens import warm_counter


def build_stages(cfg: Config) -> list[Stage]:
    """The configured per-document stages, each built from its typed config group; a stage that reads the shared
    word lists says so by taking `lists`, and gets the configured ones."""
    stages = []
    lists = word_lists(cfg.lists)
    for name in cfg.stages:
        group = getattr(cfg, name, None)
        if not hasattr(group, "_target_"):
            raise BuildError(f"stage {name!r} in `stages` has no config group with a _target_")
        try:
            cls = get_class(group._target_)
            shared = {"lists": lists} if "lists" in inspect.signature(cls).parameters else {}
            stage = cls(group, **shared)
        except InstantiationException as err:  # a part built by Hydra (the stance labeler): its own message
            raise BuildError(f"cannot build stage {name!r}: {err.__cause__ or err}") from None
        except (BuildError, ImportError, OSError, ValueError) as err:
            raise BuildError(f"cannot build stage {name!r}: {err}") from None
        stage.name = name
        stages.append(stage)
    return stages


def stages_of(cfg: Config) -> list[Stage]:
    """The stages, built once per process for what they read: the stage list, its groups and the word lists."""
    return built_for(cfg, build_stages, [cfg.lists, cfg.stages, *(getattr(cfg, name, None) for name in cfg.stages)])


def warm_worker(cfg: Config) -> None:
    """What every document task does first, done while the shards are planned: build the stages, load the token
    counter finalize uses (a worker forked after this inherits both), and settle the heap they are part of
    (builder/heap.py)."""
    stages_of(cfg)
    warm_counter(cfg.tokens)
    settle_heap()


def run_documents(job: ShardJob) -> int:
    """The shard's documents through the stages; returns how many records it read (the progress line's count)."""
    cfg, layout, shard = job.cfg, job.layout, job.shard
    stages = stages_of(cfg)
    stats = {name: StageStats(name) for name in ["read", *cfg.stages]}
    rejects: list[dict] = []
    docs: Iterator[Doc] = read_shard(shard, job.root, cfg.input, stats["read"], rejects)
    for stage in stages:
        docs = stage.run(docs, stats[stage.name], rejects)
    rows = [doc.row() for doc in docs]
    write_parquet(pa.Table.from_pylist(rows, schema=work_schema()), layout.docs(shard.index))
    write_parquet(rejects_table(rejects), layout.rejects("docs", shard.index))
    write_json([s.to_dict() for s in stats.values()], layout.stats("docs", shard.index))
    return stats["read"].docs_in
