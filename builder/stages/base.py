"""The stage contract: a document goes in, a document (or several, or a Drop with a reason) comes out.

Subclasses implement only `process`; the base class counts what went in, what came out and what was
dropped for which reason, times the work, and turns every drop into a reject row, so that
`in + added = out + dropped` holds for every stage and nothing leaves the build without a trace.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from builder.document import Doc, Drop
from builder.stats import StageStats


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
                if not result:  # a document must leave as a document or as a reason, never as nothing
                    raise ValueError(f"stage {self.name} returned no document for {doc.id}: return a Drop instead")
                stats.added += len(result) - 1
                stats.docs_out += len(result)
                yield from result
            else:
                stats.docs_out += 1
                yield result
