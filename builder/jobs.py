"""What a per-shard task is given: pickled to the worker, so it holds settings and paths only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.config import Config
from builder.files import Layout
from builder.readers import Shard


@dataclass(frozen=True)
class ShardJob:
    cfg: Config
    layout: Layout
    shard: Shard
    root: Path  # the input path the shard's files are relative to


@dataclass(frozen=True)
class SignJob(ShardJob):
    parts: int  # partitions of the band entries: the bucket tasks (buckets.bucket_count)
