"""Metadata from the page's markup first, then from what the cleaner cut: dates, dateline city, byline and credit
(the rules' named groups)."""

from __future__ import annotations

import re

from builder.arabic import match_key, original_index
from builder.config import MetadataConfig
from builder.dates import date_parser
from builder.document import Doc, Removal
from builder.html_meta import site_key
from builder.rules import alternation, load_yaml, name_key
from builder.stages.base import Stage

# "سكاي نيوز عربية - أ ف ب", "الجزيرة + وكالات", "رويترز، أ ف ب": a credit naming several sources
SOURCE_SEPARATOR = re.compile(r"\s+[-–—/]\s+|\s*[+،,()]\s*|\s+و(?=\s)")


class AgencyNames:
    """Agency names and abbreviations (match key) -> agency id."""

    def __init__(self, agencies_file: str):
        agencies = load_yaml(agencies_file)
        self.ids = {name_key(n): a["id"] for a in agencies for n in a["names"]}
        names = alternation([n for a in agencies for n in a["names"]])
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


class MetadataExtractor(Stage):
    """Fields from the removed spans of the lead and the credit lines.

    dateline: the city of the last dateline before the body (a desk line such as "أبوظبي - سكاي نيوز عربية"
    comes before the story's own "روما (أ ف ب) -"). credit: an agency named anywhere wins, then a credit
    line's source, then a dateline's. byline: the first name a byline rule captured, or the person in
    "city – name:". The markup (`extra["meta"]`, from the extract stage) comes before all of these: its dates,
    and its author when that is a person (not the outlet, an agency or a desk); an author that is the outlet
    is the credit when no line names one.
    """

    name = "metadata"

    def __init__(self, config: MetadataConfig | None = None):
        c = config or MetadataConfig()
        self.dates = date_parser(c.months_file)
        self.agencies = AgencyNames(c.agencies_file)
        outlets = load_yaml(c.outlets_file)
        self.outlet_keys = frozenset(site_key(str(n)) for o in outlets for n in [o["name"], *o.get("names", [])])
        self.not_bylines = frozenset(site_key(n) for n in load_yaml(c.rules_file).get("not_bylines", []))

    def process(self, doc: Doc) -> Doc:
        doc.published = self.dates.parse(doc.published_hint)
        for removal in doc.removed:
            self.take_date(doc, removal)
            fields = removal.fields
            if "city" in fields and removal.kind == "dateline":
                doc.dateline = fields["city"]
            if "name" in fields and doc.byline is None:
                doc.byline, agency = self.agencies.split_off(fields["name"])
                if agency:
                    fields.setdefault("source", agency)
            if "who" in fields and not self.agencies.find(fields["who"]) and doc.byline is None:
                doc.byline = fields["who"]
        doc.credit = self.credit(doc.removed)
        self.take_markup(doc, doc.extra.get("meta") or {})
        if doc.published is None and "html_date" in doc.extra:
            doc.published = self.dates.parse(doc.extra["html_date"])
        if doc.updated and doc.published is None:
            doc.published = doc.updated
        return doc

    def take_markup(self, doc: Doc, meta: dict) -> None:
        """The publisher's own statement wins over the lines: dates, a person as byline, the outlet as credit."""
        if published := self.dates.parse(meta.get("published")):
            doc.published = published
        if updated := self.dates.parse(meta.get("updated")):
            doc.updated = updated
        sites = {site_key(s) for s in meta.get("site_names", [])}
        for name in meta.get("authors", []):
            if self.is_person(name, sites):
                doc.byline = name.strip()
                break
        if doc.credit is None:
            outlets = [n for n in [*meta.get("organisations", []), *meta.get("authors", [])]
                       if site_key(n) in self.outlet_keys or (site_key(n) in sites and not self.is_person(n, sites))]
            doc.credit = outlets[0].strip() if outlets else None

    def is_person(self, name: str, sites: set[str]) -> bool:
        key = site_key(name)
        return (bool(key) and key not in self.outlet_keys and key not in sites and key not in self.not_bylines
                and not self.agencies.find(name) and not any(s and (s in key or key in s) for s in sites))

    def take_date(self, doc: Doc, removal: Removal) -> None:
        """A date line, or the date an agency dateline carries ("رام الله 12-5-2024 وفا-"), when it has a year."""
        if "date" not in removal.fields:
            return
        date = removal.fields["date"]
        if (hhmm := removal.fields.get("time", "")).isdigit() and len(hhmm) == 4:  # a wire stamp's "0945"
            date = f"{date} {hhmm[:2]}:{hhmm[2:]}"
        value = self.dates.parse(date)
        if removal.kind in ("published", "dateline") and doc.published is None:
            doc.published = value
        elif removal.kind == "updated" and doc.updated is None:
            doc.updated = value

    def credit(self, removed: list[Removal]) -> str | None:
        spans = sorted((r for r in removed if "source" in r.fields or r.kind == "dateline"),
                       key=lambda r: r.kind != "credit")
        for r in spans:
            for name in (r.fields.get("source"), r.fields.get("who")):
                if name and (agency := self.agencies.find(name)):
                    return agency
        return next((r.fields["source"] for r in spans if r.fields.get("source")), None)
