"""What every stance labeler answers, and the interface the label stage calls."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from builder.stance.targets import Target


class Stance(NamedTuple):
    """A document's stance toward one target.

    `evidence` is what decided it, from the outlet's own voice; `quoted` is what other people said about the
    target in the document ("who said what"): recorded for the reviewer, never counted as the document's stance.
    """

    label: str  # one of builder.schema.STANCE_LABELS
    score: float | None
    evidence: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()


class StanceLabeler(Protocol):
    name: str
    targets: frozenset[str] | None  # the target ids it can label; None: any

    # a labeler may also take `genre: str | None = None` (builder/stance/genre.py GENRES); the label stage passes it
    # only to a labeler whose `label` has that parameter
    def label(self, text: str, target: Target, title: str | None = None) -> Stance: ...
