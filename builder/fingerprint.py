"""What the intermediate files under `OUT/.build/` depend on; a rerun reuses them only when nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from builder.config import PACKAGE_DIR, data_file
from builder.readers import Shard, input_base

# Settings that do not change the intermediate files
NOT_INTERMEDIATE = ("output", "executor", "write")
# Settings besides `*_file` and `lists.*` whose values may be paths to data: a stance model, a tokenizer file,
# evaluation sets (a hub id or a set's name is no path and is left to the settings' own hash)
DATA_KEYS = ("model", "tokenizer", "sets")


def data_files(settings: dict[str, Any]) -> list[Path]:
    """Every file the settings name as data: a `*_file` setting, an entry of `lists`, a `DATA_KEYS` path. The build
    reads no other data file (`builder.lists.FILES_READ`, checked by a test), so hashing these covers them all."""
    found: set[Path] = set()

    def walk(node: Any, key: str = "", parent: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k), key)
        elif isinstance(node, list):
            for v in node:
                walk(v, key, parent)
        elif isinstance(node, str) and (key.endswith("_file") or parent == "lists" or key in DATA_KEYS):
            path = Path(node) if Path(node).exists() else data_file(node)  # a user's path, or a name in conf/data
            if path.is_file():  # a missing file fails when its stage is built, with its own message
                found.add(path.resolve())
            elif path.is_dir():  # a model folder, a folder of evaluation sets
                found.update(p.resolve() for p in path.rglob("*") if p.is_file())

    walk({k: v for k, v in settings.items() if k not in NOT_INTERMEDIATE})
    return sorted(found)


def fingerprint(settings: dict[str, Any], root: Path, shards: list[Shard]) -> str:
    """The input files (name, size, mtime), every setting that changes the intermediate files, the data files
    the settings name (rules, word lists, calibration, models), and the builder's own code."""
    base = input_base(root)
    files = [(f, (base / f).stat().st_size, (base / f).stat().st_mtime_ns) for s in shards for f in s.files]
    plan = [[dataclasses.astuple(p) for p in s.pieces] for s in shards]
    relevant = {k: v for k, v in settings.items() if k not in NOT_INTERMEDIATE}
    h = hashlib.sha256(json.dumps([relevant, str(root.resolve()), files, plan], sort_keys=True, default=str).encode())
    for path in [*data_files(settings), *sorted(PACKAGE_DIR.rglob("*.py"))]:
        h.update(str(path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
