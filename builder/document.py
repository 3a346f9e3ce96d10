"""The record that flows through the per-shard stages, and the verdict a stage can return instead of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple


def stable_id(*parts: object) -> str:
    """Deterministic id from the document's origin (input file, position, segment)."""
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()


class Drop(NamedTuple):
    """A stage's decision to remove a document; the base class counts it and writes a reject row."""

    reason: str
    detail: str = ""


@dataclass(slots=True)
class Removal:
    """A span the cleaner cut out: the audit row, plus the named parts the rule captured (city, date...)."""

    rule: str
    text: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.rule.split(".", 1)[0]


@dataclass(slots=True)
class Doc:
    id: str
    source_file: str
    text: str = ""
    html: str | None = None
    url: str | None = None
    title: str | None = None
    outlet_hint: str | None = None  # outlet named by the input record itself
    published_hint: str | None = None  # date given by the input record (ISO or raw)
    page_chrome: list[str] = field(default_factory=list)  # page-level lines shared by all articles of a page
    removed: list[Removal] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    credit: str | None = None
    byline: str | None = None
    dateline: str | None = None
    lang: str | None = None
    lang_score: float | None = None
    n_words: int = 0
    outlet: str | None = None
    outlet_name: str | None = None
    outlet_evidence: str | None = None
    outlet_candidates: list[str] = field(default_factory=list)
    outlet_country: str | None = None
    outlet_facts: list[dict[str, str]] = field(default_factory=list)
    stance: int = 0
    stance_score: float | None = None
    stance_target: str | None = None
    stance_labeler: str | None = None
    stance_evidence: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # stage-to-stage values that are not output columns

    def row(self) -> dict[str, Any]:
        """The output columns this document already knows (dedup and split add the rest)."""
        return {
            "id": self.id,
            "text": self.text,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "outlet_name": self.outlet_name,
            "outlet_evidence": self.outlet_evidence,
            "outlet_candidates": self.outlet_candidates,
            "outlet_country": self.outlet_country,
            "outlet_facts": self.outlet_facts,
            "credit": self.credit,
            "byline": self.byline,
            "dateline": self.dateline,
            "published": self.published,
            "updated": self.updated,
            "lang": self.lang,
            "lang_score": self.lang_score,
            "n_words": self.n_words,
            "stance": self.stance,
            "stance_score": self.stance_score,
            "stance_target": self.stance_target,
            "stance_labeler": self.stance_labeler,
            "stance_evidence": self.stance_evidence,
            "removed": [{"rule": r.rule, "text": r.text} for r in self.removed],
            "source_file": self.source_file,
        }

    def reject_row(self, stage: str, drop: Drop, kept_id: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "stage": stage,
            "reason": drop.reason,
            "detail": drop.detail,
            "kept_id": kept_id,
            "source_file": self.source_file,
            "url": self.url,
            "title": self.title,
            "outlet": self.outlet or self.outlet_hint,
            "text": self.text or self.html or "",
        }
