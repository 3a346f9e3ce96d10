"""Labelled rows from the user's file: CSV, Parquet, JSONL or a Hugging Face dataset folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from builder.errors import BuildError


class Example(NamedTuple):
    text: str
    target: str
    label: str


def read_table(path: Path, split: str = "train") -> list[dict[str, Any]]:
    """Rows of a CSV (a UTF-8 BOM is fine), Parquet, JSONL file, or a Hugging Face dataset folder."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if suffix in (".jsonl", ".ndjson"):
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.is_dir():
        import datasets

        if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
            data = datasets.load_from_disk(str(path))
            return list(data[split] if isinstance(data, datasets.DatasetDict) else data)
        return list(datasets.load_dataset(str(path), split=split))
    raise BuildError(f"cannot read {path}: give a .csv, .parquet or .jsonl file, or a dataset folder")


def examples(rows: list[dict[str, Any]], text: str, target: str | None, label: str, target_id: str | None,
             label_map: dict[str, str], title: str | None = None) -> list[Example]:
    """One example per row; a title column, when given, is read before the text (news: the headline)."""
    missing = {c for c in (text, target, label, title) if c} - set(rows[0] if rows else ())
    if missing:
        raise BuildError(f"columns not found: {sorted(missing)} (the data has {sorted(rows[0]) if rows else []})")
    out = []
    for row in rows:
        raw = str(row[label]).strip()
        body = str(row[text] or "")
        if title and row[title]:
            body = f"{row[title]}\n{body}"
        out.append(Example(body, str(row[target]) if target else str(target_id), label_map.get(raw, raw.lower())))
    return out
