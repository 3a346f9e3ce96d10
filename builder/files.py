"""Where each phase reads and writes, and writes that a killed run can never leave half-done."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Layout:
    """Every path a build reads or writes. `OUT/.build/work/` holds the intermediate files of the phases,
    one file per shard (NNNNN) or per task; the finished dataset is written beside `.build/`."""

    out: Path

    @property
    def build(self) -> Path:
        return self.out / ".build"

    @property
    def staging(self) -> Path:
        return self.build / "staging"

    def work(self, *parts: str) -> Path:
        return self.build.joinpath("work", *parts)

    @property
    def markers(self) -> Path:
        """One empty file per finished task, named by `task`: a rerun skips what they mark."""
        return self.work("done")

    @staticmethod
    def task(phase: str, index: int | None = None) -> str:
        """A task's name (and its marker's): the phase's, and the shard's or partition's number."""
        return phase if index is None else f"{phase}-{index:05d}"

    @property
    def inputs(self) -> Path:
        """The shards every run planned, their files' content and the batches (builder/phases/inputs.py)."""
        return self.work("inputs.json")

    @property
    def written(self) -> Path:
        """Each output file's key, so a rerun rewrites only the files whose rows changed (builder/write.py)."""
        return self.build / "written.json"

    def docs(self, shard: int) -> Path:
        """Rows after the per-document stages."""
        return self.work("docs", f"{shard:05d}.parquet")

    def signed(self, shard: int) -> Path:
        """The same rows with their exact-copy hash and MinHash signature."""
        return self.work("signed", f"{shard:05d}.parquet")

    def template_counts(self, shard: int) -> Path:
        """Per site, the pages each line shape sits on at an edge (builder/templates/counts.py)."""
        return self.work("templates", f"counts-{shard:05d}.parquet")

    def site_evidence(self, shard: int) -> Path:
        """What each page of the shard says of its site, and its edge lines' shapes (builder/templates/sites.py)."""
        return self.work("templates", f"site-evidence-{shard:05d}.parquet")

    def site_map(self, shard: int) -> Path:
        """The site decided for each row of the shard, and how."""
        return self.work("templates", f"sites-{shard:05d}.parquet")

    @property
    def site_titles(self) -> Path:
        """The hashes of the corpus's titles (a related-headlines line is another document's title)."""
        return self.work("templates", "titles.npy")

    def template_merged(self, part: int) -> Path:
        """The counts of one share of the sites (by site hash), merged over every shard."""
        return self.work("templates", f"merged-{part:05d}.parquet")

    @property
    def templates(self) -> Path:
        """The shapes learned as each site's template."""
        return self.work("templates", "learned.parquet")

    def template_cut(self, shard: int) -> Path:
        """The shard's rows with their template lines cut; written only when a row changed."""
        return self.work("templates", f"cut-{shard:05d}.parquet")

    def pages(self, kind: str, shard: int) -> Path:
        """A shard's dedup arrays: signatures, keys, band entries, exact groups (builder/dedup/pages.py)."""
        return self.work("dedup", f"{kind}-{shard:05d}.npy")

    def pairs(self, task: int) -> Path:
        return self.work("dedup", f"pairs-{task:05d}.parquet")

    def decisions(self, shard: int) -> Path:
        return self.work("dedup", f"decisions-{shard:05d}.parquet")

    def decont_grams(self, eval_set: int, part: int) -> Path:
        """One evaluation set's n-gram entries of one index partition (builder/decontaminate/index.py)."""
        return self.work("decontaminate", f"grams-{eval_set:05d}-{part:05d}.bin")

    def decont_set(self, eval_set: int) -> Path:
        """An evaluation set's name, source, splits and counts."""
        return self.work("decontaminate", f"set-{eval_set:05d}.json")

    def decont_index(self, part: int) -> Path:
        """One partition of the index: every set's entries in it, sorted by hash."""
        return self.work("decontaminate", f"index-{part:05d}.npy")

    def decont_hits(self, shard: int) -> Path:
        """A shard's documents that share n-grams with an evaluation set, and which."""
        return self.work("decontaminate", f"hits-{shard:05d}.parquet")

    def final(self, shard: int) -> Path:
        """Kept rows with their duplicate-cluster columns and split."""
        return self.work("final", f"{shard:05d}.parquet")

    def rejects(self, phase: str, shard: int) -> Path:
        return self.work("rejects", f"{phase}-{shard:05d}.parquet")

    def reject_files(self) -> list[Path]:
        """Every phase's reject rows, in the order the output lists them (documents first, then dedup)."""
        return [p for phase in ("docs", "final") for p in sorted(self.work("rejects").glob(f"{phase}-*.parquet"))]

    def stats(self, phase: str, task: int | None = None) -> Path:
        return self.work("stats", f"{phase}.json" if task is None else f"{phase}-{task:05d}.json")

    def stats_files(self, phase: str) -> list[Path]:
        return sorted(self.work("stats").glob(f"{phase}-*.json"))


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


def write_npy(array: np.ndarray, path: Path) -> None:
    tmp = _tmp(path)
    with tmp.open("wb") as f:
        np.save(f, array, allow_pickle=False)
    os.replace(tmp, path)
