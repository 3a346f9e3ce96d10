"""The build's input over time (OUT/.build/inputs.json): every shard any run planned, in order, with its folder and
its files' content hashes, and the batches the shards came in.

The plan is stable: a rerun on a folder that gained files plans the new files alone, as new shards after the old
ones (a new batch); no earlier shard changes, so their finished work is reused. A file of the plan that changed or
went away starts the plan over (as a first build). With `update=true` the input is one new batch: the earlier
shards are kept from `.build/` without their input at hand, a file whose content was added before is recognised and
skipped (a batch added twice adds nothing), and a file named as an earlier one but with other content is refused
(its documents would take the earlier one's ids).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builder.config import Config, InputConfig
from builder.errors import BuildError
from builder.files import Layout, write_json
from builder.fingerprint import HashCache
from builder.readers import READERS, Piece, Shard, input_base, plan_shards, reader_for
from builder.readers.plan import input_files

log = logging.getLogger(__name__)
PLAN_SETTINGS = ("shard_bytes", "piece_multiple", "files_per_shard")


def today() -> str:
    """The date a batch is recorded with; SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.strftime("%Y-%m-%d")


@dataclass
class Inputs:
    """The shards in order (`roots[i]`: the folder shard i's files are relative to; `hashes[i]`: its files' content)
    and the batches (history: what each added, filled in when its build wrote the corpus)."""

    plan: dict[str, int] = field(default_factory=dict)
    shards: list[Shard] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    hashes: list[dict[str, str]] = field(default_factory=list)
    batch_of: list[int] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Inputs | None:
        if not path.exists():
            return None
        d = json.loads(path.read_text())
        shards = [Shard(s["index"], tuple(Piece(*p) for p in s["pieces"])) for s in d["shards"]]
        return cls(d["plan"], shards, [Path(s["root"]) for s in d["shards"]], [s["hashes"] for s in d["shards"]],
                   [s["batch"] for s in d["shards"]], d["batches"])

    def save(self, path: Path) -> None:
        write_json({"plan": self.plan, "batches": self.batches, "shards": [
            {"index": s.index, "batch": b, "root": str(r), "hashes": h, "pieces": [dataclasses.astuple(p)
                                                                                  for p in s.pieces]}
            for s, r, h, b in zip(self.shards, self.roots, self.hashes, self.batch_of, strict=True)]}, path)

    def recorded(self) -> dict[str, str]:
        """Every file of every shard (relative path) and its content hash."""
        return {rel: sha for h in self.hashes for rel, sha in h.items()}

    def add_batch(self, shards: list[Shard], root: Path, hashes: dict[str, str]) -> None:
        batch = len(self.batches)
        for s in shards:
            self.shards.append(s)
            self.roots.append(root)
            self.hashes.append({f: hashes[f] for f in s.files})
            self.batch_of.append(batch)
        self.batches.append({"batch": batch, "date": today(), "input": root.name, "files": len(hashes),
                             "shards": [shards[0].index, shards[-1].index + 1]})

    def batch_shards(self, batch: int) -> list[int]:
        return [s.index for s, b in zip(self.shards, self.batch_of, strict=True) if b == batch]


def readable(root: Path, hashes: HashCache) -> tuple[dict[str, str], Counter]:
    """The input's files a reader takes, with their content hashes; the others counted by extension."""
    found, ignored = {}, Counter()
    for path, rel in input_files(root):
        if reader_for(path.name) is None:
            ignored[path.suffix or path.name] += 1
        else:
            found[rel] = hashes(path)
    return found, ignored


def plan_inputs(cfg: Config, root: Path, layout: Layout) -> tuple[Inputs, Counter]:
    """The shards of this build: the recorded ones and the input's new files as a new batch (see the module)."""
    root = root.resolve()
    hashes = HashCache(layout.build / "hashes.json")
    current, ignored = readable(root, hashes)
    if not current:
        supported = ", ".join(ext for reader in READERS for ext in reader.extensions)
        raise BuildError(f"no readable input under {root} (supported: {supported})")
    plan = {k: getattr(cfg.input, k) for k in PLAN_SETTINGS}
    state = Inputs.load(layout.inputs)
    if cfg.update:
        state = state or Inputs(plan)
        recorded = state.recorded()
        clash = sorted(rel for rel, sha in current.items() if rel in recorded and recorded[rel] != sha)
        if clash:
            raise BuildError(f"{clash[0]} was added in an earlier batch with other content; an update cannot change "
                             "an added file (its documents keep their ids): give the new file another name")
        known = set(recorded.values())
        new = {rel: sha for rel, sha in current.items() if sha not in known}
        if len(new) < len(current):
            log.info("%d of %d input files were added before (same content): skipped", len(current) - len(new),
                     len(current))
    else:
        if state is not None and not same_input(state, root, current, plan):
            # a warning: after `update=true` batches, a run without it builds input.path alone
            log.warning("input files changed or went away since the last run in %s (or it was built by update=true "
                        "batches): starting over from %s alone", layout.out, root)
            shutil.rmtree(layout.work(), ignore_errors=True)
            state = None
        state = state or Inputs(plan)
        recorded = state.recorded()
        new = {rel: sha for rel, sha in current.items() if rel not in recorded}
    if new:
        shards, _ = plan_shards(root, batch_input(cfg.input, root, new, first=not state.shards), only=set(new),
                                first=len(state.shards))
        state.add_batch(shards, root, new)
        if len(state.batches) > 1:
            log.info("batch %d: %d new files, %d new shards", len(state.batches) - 1, len(new), len(shards))
    layout.work().mkdir(parents=True, exist_ok=True)
    state.save(layout.inputs)
    hashes.save()
    for ext, n in sorted(ignored.items()):
        log.warning("ignored %d input files with extension %s (no reader for it)", n, ext)
    return state, ignored


def batch_input(config: InputConfig, root: Path, files: dict[str, str], first: bool) -> InputConfig:
    """The input settings a batch is planned with: a batch added to a build, smaller than input.shard_bytes, is cut
    in input.piece_multiple shards all the same (as a big file is), so a day's scrape keeps every worker busy
    instead of one. A first build is planned as it always was."""
    if first:
        return config
    size = sum((input_base(root) / rel).stat().st_size for rel in files)
    return dataclasses.replace(config, shard_bytes=max(1, min(config.shard_bytes, -(-size // config.piece_multiple))))


def same_input(state: Inputs, root: Path, current: dict[str, str], plan: dict[str, int]) -> bool:
    """Every recorded shard comes from this folder, unchanged, planned with these settings."""
    return state.plan == plan and all(r == root for r in state.roots) and \
        all(current.get(rel) == sha for rel, sha in state.recorded().items())
