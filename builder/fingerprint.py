"""What each task's output depends on, as a key: a task runs again exactly when its key changed.

A key is a hash of the task's inputs and settings, never of timestamps:
documents  the shard's pieces (files, record ranges, byte offsets) and its files' content hashes, every setting of
           the per-document stages (and of input, but its path), the data files they name, the builder's code
templates  counts: the shard's documents key and the templates settings; merge and learning: every counts key;
           a cut: the shard's documents key and the learned lines of the sites the shard holds (a site whose
           template did not change leaves its shards alone)
dedup      signatures: the shard's documents key, the content of its cut (a re-cut with the same result changes
           nothing after it) and the MinHash settings; exact, buckets, clusters: every signature key and the
           near_dup / exact settings
finalize   the shard's signature key, the content of its decisions and split files, the tokens and decontamination
           settings
So `near_dup.*` reruns dedup and after, `split.*` finalize and write, a cleaning rule every phase from documents.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from builder.config import PACKAGE_DIR, data_file
from builder.files import write_json

# Settings that do not change the intermediate files
NOT_INTERMEDIATE = ("output", "executor", "write", "update")
# Settings read after the documents phase: a change there leaves the documents alone
LATER = ("templates", "exact", "near_dup", "split", "tokens", "decontaminate")
# Settings besides `*_file` and `lists.*` whose values may be paths to data: a stance model, a tokenizer file,
# evaluation sets (a hub id or a set's name is no path and is left to the settings' own hash)
DATA_KEYS = ("model", "tokenizer", "sets")
HASH_CHUNK = 1 << 20


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


def digest(*parts: Any) -> str:
    """A key of JSON-able parts (keys of other tasks, settings, content hashes)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def output_hash(path: Path) -> str | None:
    """The content of a task's output file, or None when the task wrote none (a cut with no change)."""
    return file_hash(path) if path.exists() else None


@cache
def code_version() -> str:
    """The builder's own code: every module of the package."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def settings_key(settings: dict[str, Any], groups: tuple[str, ...]) -> str:
    """The named settings groups and the data files they name (their content)."""
    part = {g: settings[g] for g in groups if g in settings}
    files = data_files(part)
    return digest(part, [(p.name, file_hash(p)) for p in files])


def document_settings(settings: dict[str, Any]) -> str:
    """Every setting the documents phase reads: all but the later phases', the output's and the input path (a batch
    may come from another folder)."""
    part = {k: v for k, v in settings.items() if k not in (*NOT_INTERMEDIATE, *LATER)}
    part["input"] = {k: v for k, v in part["input"].items() if k != "path"}
    return digest(settings_key(part, tuple(part)), code_version())


class HashCache:
    """Input files' content hashes, recomputed only for a file whose size or mtime moved (as git's index does):
    the key is the content, the mtime only saves reading an unchanged file again."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.known: dict[str, list] = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            self.known = {}

    def __call__(self, file: Path) -> str:
        stat = file.stat()
        name = str(file.resolve())
        seen = self.known.get(name)
        if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
            return seen[2]
        found = file_hash(file)
        self.known[name] = [stat.st_size, stat.st_mtime_ns, found]
        return found

    def save(self) -> None:
        write_json(self.known, self.path)
