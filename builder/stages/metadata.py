"""Metadata from the page's markup first, then from what the cleaner cut: dates, dateline city, byline and credit
(the rules' named groups)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from builder.arabic import match_key, original_index
from builder.config import MetadataConfig
from builder.dates import date_parser
from builder.document import Doc
from builder.html_meta import PageMeta, site_key
from builder.lists import Agency, WordLists, alternation, name_key, read_yaml, word_lists
from builder.stages.base import Stage

# "سكاي نيوز عربية - أ ف ب", "الجزيرة + وكالات", "رويترز، أ ف ب": a credit naming several sources
SOURCE_SEPARATOR = re.compile(r"\s+[-–—/]\s+|\s*[+،,()]\s*|\s+و(?=\s)")


class AgencyNames:
    """Agency names and abbreviations (match key) -> agency id."""

    def __init__(self, agencies: tuple[Agency, ...]):
        self.ids = {name_key(n): a.id for a in agencies for n in a.names}
        names = alternation([n for a in agencies for n in a.names])
        # "محمد محروس وأ ش أ": a reporter and the agency the story came through, in one byline
        self.trailing = re.compile(rf"(?:\s*[-–—،,]\s*|\s+و\s*)(?:{names})\s*$")

    def lookup(self, name: str) -> str | None:
        key = name_key(name)
        return self.ids.get(key) or self.ids.get(key.removeprefix("وكاله ").strip())

    def split_off(self, name: str) -> tuple[str, str | None]:
        """A byline without the agency that closes it, and that agency as printed."""
        m = self.trailing.search(match_key(name))
        if m is None:
            return name, None
        cut = original_index(name, m.start())
        agency = name[cut:].strip(" ،,-–—")
        return name[:cut].strip(), agency if self.lookup(agency) else agency.removeprefix("و").strip()

    def find(self, source: str) -> str | None:
        """The agency a credit names, alone or among other sources."""
        return self.lookup(source) or next(
            (agency for part in SOURCE_SEPARATOR.split(source) if (agency := self.lookup(part))), None)


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
        self.agencies = AgencyNames(lists.agencies)
        self.outlet_keys = frozenset(site_key(n) for o in lists.outlets for n in o.printed)
        self.not_bylines = frozenset(site_key(n) for n in read_yaml(c.rules_file).get("not_bylines", []))

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
        for span in spans:
            self.take_date(lead, span)
            fields = span.fields
            if "city" in fields and span.kind == "dateline":
                lead.dateline = fields["city"]
            if "name" in fields and lead.byline is None:
                lead.byline, agency = self.agencies.split_off(fields["name"])
                if agency:
                    fields.setdefault("source", agency)
            if "who" in fields and not self.agencies.find(fields["who"]) and lead.byline is None:
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
