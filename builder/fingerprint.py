"""What the intermediate files under `OUT/.build/` depend on; a rerun reuses them only when nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from builder.config import PACKAGE_DIR, conf_dir
from builder.readers import Shard, input_base


def fingerprint(settings: dict[str, Any], root: Path, shards: list[Shard]) -> str:
    """The input files (name, size, mtime), every setting but output/executor/write (they do not change the
    intermediate files), the rule and word-list files, and the builder's own code."""
    base = input_base(root)
    files = [(f, (base / f).stat().st_size, (base / f).stat().st_mtime_ns) for s in shards for f in s.files]
    plan = [[dataclasses.astuple(p) for p in s.pieces] for s in shards]
    relevant = {k: v for k, v in settings.items() if k not in ("output", "executor", "write")}
    h = hashlib.sha256(json.dumps([relevant, str(root.resolve()), files, plan], sort_keys=True, default=str).encode())
    for path in sorted([*conf_dir().rglob("*.yaml"), *PACKAGE_DIR.rglob("*.py")]):
        h.update(path.read_bytes())
    return h.hexdigest()
