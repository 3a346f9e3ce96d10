"""The evaluation sets `decontaminate.sets` names, resolved before any work, and read item by item.

An entry is a local file or folder (JSONL, JSON, Parquet, CSV or txt; gzipped JSON lines, CSV and txt too), a name
from `decontaminate.sets_file` (conf/data/eval_sets.yaml), `known` (every set of that file this machine can load),
or a Hugging Face dataset id (`org/name`, or `org/name:config`). An item is one record: its string fields (all of
them, or `decontaminate.fields`; strings inside lists and objects too) joined by newlines, so an n-gram may run from
a question into its options as a prompt would. Its split: a folder's file name, a record's `split` field, or the
hub split; `all` for a file with no `split` field.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from builder.config import DecontaminateConfig
from builder.errors import BuildError
from builder.lists import read_yaml

FORMATS = (".jsonl", ".jl", ".ndjson", ".json", ".parquet", ".csv", ".txt")
HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+(:[\w. ()-]+)?$")
KNOWN = "known"
SPLIT_FIELD = "split"
PARQUET_BATCH = 10_000


class Unavailable(Exception):
    """A hub set this machine cannot load (no network and not in the cache, gone, gated)."""


@dataclass(frozen=True)
class EvalSet:
    name: str  # how rejects, the column and the card name it
    source: str  # the hub id, or a local set's file or folder name (paths on the build machine stay there)
    files: tuple[str, ...] = ()  # a local set's files (absolute, sorted)
    folder: bool = False  # a folder: each file is a split, named by its file name
    hub: str | None = None
    config: str | None = None
    splits: tuple[str, ...] = ()  # hub splits to read (empty: all)
    fields: tuple[str, ...] = ()  # fields to index (empty: decontaminate.fields, or every string field)
    optional: bool = False  # from `known`: skipped, and reported, when it cannot be loaded

    @property
    def size(self) -> int:
        """Bytes on disk (0 for a hub set): what the number of index partitions is planned from."""
        return sum(Path(f).stat().st_size for f in self.files)


def file_format(path: Path) -> str:
    return Path(path.name.lower().removesuffix(".gz")).suffix


def local_set(entry: str, path: Path) -> EvalSet:
    files = sorted(p for p in path.rglob("*") if p.is_file() and file_format(p) in FORMATS) if path.is_dir() \
        else [path]
    if not files or file_format(files[0]) not in FORMATS:
        raise BuildError(f"decontaminate.sets: {entry} holds no {', '.join(FORMATS)} file")
    name = path.name if path.is_dir() else Path(path.name.removesuffix(".gz")).stem
    return EvalSet(name, path.name, tuple(str(f.resolve()) for f in files), folder=path.is_dir())


def hub_set(name: str, spec: dict[str, Any], optional: bool = False) -> EvalSet:
    return EvalSet(name, spec["hub"], hub=spec["hub"], config=spec.get("config"),
                   splits=tuple(spec.get("splits") or ()), fields=tuple(spec.get("fields") or ()), optional=optional)


def resolve(cfg: DecontaminateConfig) -> list[EvalSet]:
    """The configured sets, in order; an entry that is none of the accepted kinds fails here, before any work."""
    found: list[EvalSet] = []
    known: dict[str, Any] | None = None
    for entry in cfg.sets:
        path = Path(entry).expanduser()
        if path.exists():
            found.append(local_set(entry, path))
            continue
        if known is None:
            known = read_yaml(cfg.sets_file)["sets"]
        if entry == KNOWN:
            found += [hub_set(name, spec, optional=True) for name, spec in known.items()]
        elif entry in known:
            found.append(hub_set(entry, known[entry]))
        elif HUB_ID.match(entry):
            repo, _, config = entry.partition(":")
            found.append(EvalSet(entry, entry, hub=repo, config=config or None))
        else:
            raise BuildError(f"decontaminate.sets: {entry} is no file or folder, no name in {cfg.sets_file} and no "
                             "Hugging Face dataset id (org/name)")
    names = [s.name for s in found]
    if twice := sorted({n for n in names if names.count(n) > 1}):
        raise BuildError(f"decontaminate.sets: two sets are named {twice[0]} (a set is named by its file or folder "
                         "name): rename one")
    return found


# --- reading ------------------------------------------------------------------------------------------------

def strings(value: Any) -> Iterator[str]:
    """Every string in a field's value, lists and objects included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)


def item_text(record: dict[str, Any], fields: tuple[str, ...]) -> str:
    chosen = fields or tuple(k for k in record if k != SPLIT_FIELD)
    return "\n".join(s for k in chosen if k in record for s in strings(record[k]))


def open_text(path: Path) -> io.TextIOBase:
    return gzip.open(path, "rt", encoding="utf-8-sig") if path.name.lower().endswith(".gz") \
        else path.open(encoding="utf-8-sig")


def json_records(path: Path) -> Iterator[dict[str, Any]]:
    with open_text(path) as fh:
        head = fh.read(1)
        while head.isspace():
            head = fh.read(1)
        if head == "[":  # one JSON array
            yield from json.loads(head + fh.read())
            return
        for number, line in enumerate((head + fh.readline(), *fh), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as err:
                    raise BuildError(f"evaluation set {path}, line {number}: not JSON ({err})") from None


def records(path: Path) -> Iterator[dict[str, Any]]:
    kind = file_format(path)
    if kind == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
            yield from batch.to_pylist()
    elif kind == ".csv":
        csv.field_size_limit(sys.maxsize)
        with open_text(path) as fh:
            yield from csv.DictReader(fh)
    elif kind == ".txt":
        with open_text(path) as fh:
            yield from ({"text": line.rstrip("\r\n")} for line in fh if line.strip())
    else:
        yield from json_records(path)


def hub_records(s: EvalSet) -> Iterator[tuple[str, dict[str, Any]]]:
    import datasets

    try:
        splits = datasets.load_dataset(s.hub, s.config)
    except Exception as err:  # offline and not cached, unknown, gated: the hub client raises many kinds
        raise Unavailable(f"{type(err).__name__}: {err}") from None
    for split in s.splits or tuple(splits):
        if split in splits:
            for record in splits[split]:
                yield split, record


def items(s: EvalSet, fields: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(split, text) per record of the set; the set's own field list, else `fields`, else every string field."""
    fields = s.fields or fields
    if s.hub:
        for split, record in hub_records(s):
            yield split, item_text(record, fields)
        return
    for f in map(Path, s.files):
        for record in records(f):
            if not isinstance(record, dict):
                raise BuildError(f"evaluation set {f}: a record is not an object")
            split = Path(f.name.removesuffix(".gz")).stem if s.folder else record.get(SPLIT_FIELD)
            yield split if isinstance(split, str) and split else "all", item_text(record, fields)
