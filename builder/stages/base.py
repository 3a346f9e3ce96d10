"""The stage contract: a document goes in, a document (or several, or a Drop with a reason) comes out.

Subclasses implement only `process`; the base class counts what went in, what came out and what was
dropped for which reason, times the work, and turns every drop into a reject row, so that
`in + added = out + dropped` holds for every stage and nothing leaves the build without a trace.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from builder.document import Doc, Drop

T = TypeVar("T")
_built: dict[Callable, tuple[str, Any]] = {}


def built_for(cfg: Any, factory: Callable[[Any], T]) -> T:
    """`factory(cfg)`, built once per process and config (the last config's kept, per factory): a worker builds
    its stages and reads their word lists once, not once per shard. What it builds must keep no state between
    documents."""
    key = repr(cfg)
    last = _built.get(factory)
    if last is None or last[0] != key:
        last = _built[factory] = (key, factory(cfg))
    return last[1]


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


class Stage:
    """Base of every per-document stage. `name` is set from the config group that built the stage."""

    name: str = "stage"

    def process(self, doc: Doc) -> Doc | Drop | list[Doc]:
        raise NotImplementedError

    def run(self, docs: Iterable[Doc], stats: StageStats, rejects: list[dict]) -> Iterator[Doc]:
        for doc in docs:
            stats.docs_in += 1
            start = time.perf_counter()
            result = self.process(doc)
            stats.seconds += time.perf_counter() - start
            if isinstance(result, Drop):
                stats.dropped[result.reason] += 1
                rejects.append(doc.reject_row(self.name, result))  # a Doc, or a reader's Rejected record
            elif isinstance(result, list):
                stats.added += len(result) - 1
                stats.docs_out += len(result)
                yield from result
            else:
                stats.docs_out += 1
                yield result
