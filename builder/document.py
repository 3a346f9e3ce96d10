"""The record that flows through the per-shard stages, and the verdict a stage can return instead of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from builder.schema import REJECTED_FEATURES, WORK_COLUMNS

if TYPE_CHECKING:
    from builder.html_meta import PageMeta


def stable_id(*parts: object) -> str:
    """Deterministic id from the document's origin (input file, position, segment)."""
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()


class Drop(NamedTuple):
    """A stage's decision to remove a document; the base class counts it and writes a reject row."""

    reason: str
    detail: str = ""


# The named parts a rule (a named group of conf/data/boilerplate.yaml) or a template slot may capture in a cut
# span, and who reads each: the contract between the rules file and the code, checked when the rules load.
SPAN_FIELDS = {
    "date": "metadata: published or updated",
    "time": "metadata: a wire stamp's HHMM beside its date",
    "city": "metadata: the dateline",
    "name": "metadata: the byline (an agency closing it goes to the credit)",
    "who": "metadata: a byline unless it names an agency; the credit when it does",
    "source": "metadata: the credit; label: the outlet a story was filed under",
    "photographer": "the audit only",
}


@dataclass(slots=True)
class Removal:
    """A span the cleaner cut out: the audit row, plus the named parts the rule captured (`SPAN_FIELDS`)."""

    rule: str
    text: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.rule.split(".", 1)[0]


@dataclass(slots=True)
class Doc:
    """A document between stages: every column of `schema.WORK_COLUMNS` is an attribute (a test checks it), plus
    what the stages hand each other (the page's HTML and markup, the input's hints, the page chrome)."""

    id: str
    source_file: str
    text: str = ""
    html: str | None = None
    markup: PageMeta | None = None  # what the page's own markup says (extract -> metadata)
    url: str | None = None
    title: str | None = None
    outlet_hint: str | None = None  # outlet named by the input record itself
    site_name: str | None = None  # the site name the page's own markup gives (og:site_name, as trafilatura reads it)
    published_hint: str | None = None  # date given by the input record (ISO or raw)
    section_hint: str | None = None  # the site section the input record names (a sign of the genre)
    page_chrome: list[str] = field(default_factory=list)  # page-level lines shared by all articles of a page
    removed: list[Removal] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    credit: str | None = None
    byline: str | None = None
    dateline: str | None = None
    lang: str | None = None
    lang_score: float | None = None
    quality_signals: dict[str, float] | None = None  # schema QUALITY_SIGNALS, set by the quality stage
    quality_verdict: str | None = None
    n_words: int = 0
    n_tokens: int | None = None  # counted in finalize, on the published text (builder/tokens.py)
    outlet: str | None = None
    outlet_name: str | None = None
    outlet_evidence: str | None = None
    outlet_candidates: list[str] = field(default_factory=list)
    outlet_country: str | None = None
    outlet_facts: list[dict[str, str]] = field(default_factory=list)
    genre: str | None = None
    genre_evidence: list[str] = field(default_factory=list)
    stance: int = 0
    stance_score: float | None = None
    stance_target: str | None = None
    stance_labeler: str | None = None
    stance_evidence: list[str] = field(default_factory=list)
    stances: list[dict[str, Any]] = field(default_factory=list)  # per mentioned target: schema FEATURES["stances"]
    contamination: list[dict[str, Any]] = field(default_factory=list)  # set in finalize (builder/decontaminate/)

    def row(self) -> dict[str, Any]:
        """The output columns this document already knows (dedup and split add the late ones)."""
        row = {name: getattr(self, name) for name in WORK_COLUMNS}
        row["removed"] = [{"rule": r.rule, "text": r.text} for r in self.removed]
        return row

    def reject_row(self, stage: str, drop: Drop, kept_id: str | None = None) -> dict[str, Any]:
        row = {name: getattr(self, name, None) for name in REJECTED_FEATURES}
        row.update(stage=stage, reason=drop.reason, detail=drop.detail, kept_id=kept_id,
                   outlet=self.outlet or self.outlet_hint or self.site_name, text=self.text or self.html or "")
        return row
