"""Metadata from the page's markup first, then from what the cleaner cut: dates, dateline city, byline and credit
(the rules' named groups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from builder.config import MetadataConfig
from builder.dates import date_parser
from builder.document import Doc
from builder.html_meta import PageMeta, site_key
from builder.lead import SOURCE_SEPARATOR as SOURCE_SEPARATOR  # label.py reads it here
from builder.lead import AgencyNames, Lexicon, lexicon
from builder.lists import WordLists, read_yaml, word_lists
from builder.stages.base import Stage


class Span(NamedTuple):
    """What the metadata reads of a cut span: the part it plays (published, updated, dateline, byline, credit...)
    and the named parts the rule or template slot captured."""

    kind: str
    fields: dict[str, str]


@dataclass
class LeadFields:
    published: datetime | None = None
    updated: datetime | None = None
    dateline: str | None = None
    byline: str | None = None
    credit: str | None = None


class MetadataExtractor(Stage):
    """Fields from the removed spans of the lead and the credit lines.

    dateline: the city of the last dateline before the body (a desk line such as "أبوظبي - سكاي نيوز عربية"
    comes before the story's own "روما (أ ف ب) -"). credit: an agency named anywhere wins, then a credit
    line's source, then a dateline's. byline: the first name a byline rule captured, or the person in
    "city – name:". The markup (`Doc.markup`, from the extract stage) comes before all of these: its dates,
    and its author when that is a person (not the outlet, an agency or a desk); an author that is the outlet
    is the credit when no line names one.
    """

    name = "metadata"

    def __init__(self, config: MetadataConfig | None = None, lists: WordLists | None = None):
        c, lists = config or MetadataConfig(), lists or word_lists()
        self.dates = date_parser(lists)
        self.outlet_keys = frozenset(site_key(n) for o in lists.outlets for n in o.printed)
        self.not_bylines = frozenset(site_key(n) for n in read_yaml(c.rules_file).get("not_bylines", []))
        self.lexicon = lexicon(lists, c.rules_file)
        self.agencies: AgencyNames = self.lexicon.agencies

    def process(self, doc: Doc) -> Doc:
        lead = self.read([Span(r.kind, r.fields) for r in doc.removed], doc.published_hint)
        doc.published, doc.updated, doc.dateline = lead.published, lead.updated, lead.dateline
        doc.byline, doc.credit = lead.byline, lead.credit
        if doc.markup is not None:
            self.take_markup(doc, doc.markup)
        if doc.updated and doc.published is None:
            doc.published = doc.updated
        return doc

    def read(self, spans: list[Span], published_hint: str | None = None) -> LeadFields:
        """The fields the cut spans carry: the stage's reading of the rules' cuts, and the template phase's of
        the lines it cut."""
        lead = LeadFields(published=self.dates.parse(published_hint))
        spans = [Span(s.kind, typed(s.fields, self.lexicon)) for s in spans]
        for span in spans:
            self.take_date(lead, span)
            fields = span.fields
            if "city" in fields and span.kind == "dateline":
                lead.dateline = fields["city"]
            if "name" in fields and lead.byline is None:
                lead.byline, agency = self.agencies.split_off(fields["name"])
                if agency:
                    fields.setdefault("source", agency)
            if "who" in fields and not self.agencies.find(fields["who"]) and lead.byline is None and \
                    not self.is_outlet(fields["who"]):
                lead.byline = fields["who"]
        lead.credit = self.credit(spans)
        return lead

    def take_markup(self, doc: Doc, meta: PageMeta) -> None:
        """The publisher's own statement wins over the lines: dates, a person as byline, the outlet as credit;
        trafilatura's date only when nothing else gave one."""
        if published := self.dates.parse(meta.published):
            doc.published = published
        if updated := self.dates.parse(meta.updated):
            doc.updated = updated
        if doc.published is None:
            doc.published = self.dates.parse(meta.found_date)
        sites = {site_key(s) for s in meta.site_names}
        for name in meta.authors:
            if self.is_person(name, sites):
                doc.byline = name.strip()
                break
        if doc.credit is None:
            outlets = [n for n in [*meta.organisations, *meta.authors]
                       if site_key(n) in self.outlet_keys or (site_key(n) in sites and not self.is_person(n, sites))]
            doc.credit = outlets[0].strip() if outlets else None

    def is_outlet(self, name: str) -> bool:
        return site_key(name) in self.outlet_keys

    def is_person(self, name: str, sites: set[str]) -> bool:
        key = site_key(name)
        return (bool(key) and key not in self.outlet_keys and key not in sites and key not in self.not_bylines
                and not self.agencies.find(name) and not any(s and (s in key or key in s) for s in sites))

    def take_date(self, lead: LeadFields, span: Span) -> None:
        """A date line, or the date an agency dateline carries ("رام الله 12-5-2024 وفا-"), when it has a year."""
        if "date" not in span.fields:
            return
        date = span.fields["date"]
        if (hhmm := span.fields.get("time", "")).isdigit() and len(hhmm) == 4:  # a wire stamp's "0945"
            date = f"{date} {hhmm[:2]}:{hhmm[2:]}"
        value = self.dates.parse(date)
        if span.kind in ("published", "dateline") and lead.published is None:
            lead.published = value
        elif span.kind == "updated" and lead.updated is None:
            lead.updated = value

    def credit(self, cut: list[Span]) -> str | None:
        spans = sorted((r for r in cut if "source" in r.fields or r.kind == "dateline"),
                       key=lambda r: r.kind != "credit")
        for r in spans:
            for name in (r.fields.get("source"), r.fields.get("who")):
                if name and (agency := self.agencies.find(name)):
                    return agency
        return next((r.fields["source"] for r in spans if r.fields.get("source")), None)


# What each typed token may be read as, by the field a rule captured it in: a rule's group says where a name
# stood, the word lists say what it is ("عبد الله الشريف- سبق- الرياض:" read by a "place - outlet -" rule gives a
# person as the city; "متابعة/ X" a desk word as the place).
_AS = {"city": "city", "agency": "source", "outlet": "source", "person": "name", "byline": "name"}


def typed(fields: dict[str, str], lexicon: Lexicon) -> dict[str, str]:
    """A span's named parts moved to the field their type says: a person is a byline, a listed city the dateline,
    an agency or outlet the credit; a desk word or a byline cue is none of them. A part the lists do not know
    keeps the field its rule gave it (an unlisted place, an unlisted outlet)."""
    out = {k: v for k, v in fields.items() if k not in ("city", "source", "name")}
    if "who" in out and (first := lexicon.kind(out["who"])) is not None and first.kind in ("desk", "cue"):
        del out["who"]  # "خاص", "متابعة": a desk word where a reporter's name stands is nobody
    moved: dict[str, str] = {}
    for field in ("city", "source", "name"):
        if not (value := fields.get(field)):
            continue
        readings = lexicon.readings(value)
        if not readings or any(_AS.get(t.kind) == field and t.kind != "byline" for t in readings):
            out.setdefault(field, value)  # unknown to the lists, or what its place in the line says it is
        elif (token := readings[0]).kind in _AS:
            moved.setdefault(_AS[token.kind], token.value if token.kind == "byline" else value)
    for field, value in moved.items():
        out.setdefault(field, value)
    return out
