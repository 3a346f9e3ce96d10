"""Where each phase reads and writes, and writes that a killed run can never leave half-done."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Layout:
    out: Path

    @property
    def build(self) -> Path:
        return self.out / ".build"

    def work(self, *parts: str) -> Path:
        return self.build.joinpath("work", *parts)

    @property
    def markers(self) -> Path:
        return self.work("done")


def _tmp(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = _tmp(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_json(data: Any, path: Path) -> None:
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, indent=1, default=str).encode())


def write_parquet(table: pa.Table, path: Path, **kwargs: Any) -> None:
    tmp = _tmp(path)
    pq.write_table(table, tmp, compression="zstd", **kwargs)
    os.replace(tmp, path)
