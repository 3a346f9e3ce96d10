"""What each stage and phase accounts for: documents in, out, added and dropped (with a reason), notes, seconds.

`in + added = out + dropped` must hold for every stage: nothing leaves the build without a trace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StageStats:
    stage: str
    docs_in: int = 0
    docs_out: int = 0
    added: int = 0  # documents created by splitting one page into several articles
    dropped: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    notes: Counter = field(default_factory=Counter)  # documents kept but changed on the way (e.g. bytes replaced)

    def merge(self, other: StageStats) -> None:
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.added += other.added
        self.dropped.update(other.dropped)
        self.seconds += other.seconds
        self.notes.update(other.notes)

    def check(self) -> None:
        """Every document is accounted for; a mismatch is a bug in the stage, never something to hide."""
        if self.docs_in + self.added != self.docs_out + sum(self.dropped.values()):
            raise AssertionError(f"stage {self.stage} lost documents: {self.to_dict()}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "in": self.docs_in,
            "out": self.docs_out,
            "added": self.added,
            "dropped": dict(sorted(self.dropped.items())),
            "seconds": round(self.seconds, 3),
            **({"notes": dict(sorted(self.notes.items()))} if self.notes else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StageStats:
        return cls(d["stage"], d["in"], d["out"], d["added"], Counter(d["dropped"]), d["seconds"],
                   Counter(d.get("notes", {})))


@dataclass
class BuildResult:
    """What a build did: computed by the writer, read by the card and the CLI, saved as stats.json (`to_dict`)."""

    input_path: str  # the input's name only: paths on the build machine are no one else's business
    shards: int
    ignored_files: dict[str, int]
    splits: dict[str, int]  # kept documents per split
    entered: int
    kept: int
    rejected: int
    rejected_by: dict[str, int]  # "stage/reason" -> documents
    stages: list[StageStats]
    dedup: dict[str, Any]  # the cluster task's summary (builder/dedup/clusters.py)
    templates: dict[str, Any] | None  # per site: pages, shapes learned, lines cut (None: templates off)
    fingerprint: str  # of the output's data files
    seconds: float | None = None  # the whole build, writing included: set last
    phase_seconds: dict[str, float] = field(default_factory=dict)
    tokens: dict[str, Any] | None = None  # total and per split, outlet, country, year (builder/tokens.py)
    decontamination: dict[str, Any] | None = None  # per evaluation set (builder/decontaminate/); None: no set
    updates: list[dict[str, Any]] | None = None  # the batches the corpus grew by (builder/phases/inputs.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": {"path": self.input_path, "shards": self.shards, "ignored_files": self.ignored_files},
            "output": {"splits": self.splits, "rejected": self.rejected},
            "totals": {"entered": self.entered, "kept": self.kept, "rejected": self.rejected},
            "rejected_by": self.rejected_by,
            "stages": [s.to_dict() for s in self.stages],
            "dedup": self.dedup,
            "templates": self.templates,
            "fingerprint": self.fingerprint,
            "seconds": self.seconds,
            "phase_seconds": self.phase_seconds,
            "tokens": self.tokens,
            "decontamination": self.decontamination,
            "updates": self.updates,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BuildResult:
        """A stats.json read back."""
        return cls(d["input"]["path"], d["input"]["shards"], d["input"]["ignored_files"], d["output"]["splits"],
                   d["totals"]["entered"], d["totals"]["kept"], d["totals"]["rejected"], d["rejected_by"],
                   [StageStats.from_dict(s) for s in d["stages"]], d["dedup"], d["templates"], d["fingerprint"],
                   d["seconds"], d["phase_seconds"], d.get("tokens"), d.get("decontamination"),
                   d.get("updates"))
