"""Metadata from what the cleaner cut: dates, dateline city, byline and credit (the rules' named groups)."""

from __future__ import annotations

from builder.arabic import match_key
from builder.dates import date_parser
from builder.document import Doc
from builder.rules import load_yaml
from builder.stages.base import Stage


class AgencyNames:
    """Agency names and abbreviations (match key) -> agency id."""

    def __init__(self, agencies_file: str):
        self.ids = {" ".join(match_key(n).split()): a["id"] for a in load_yaml(agencies_file) for n in a["names"]}

    def lookup(self, name: str) -> str | None:
        key = " ".join(match_key(name).strip(" ()[]-–—.:").split())
        return self.ids.get(key) or self.ids.get(key.removeprefix("وكاله ").strip())


class MetadataExtractor(Stage):
    name = "metadata"

    def __init__(self, rules_file: str = "boilerplate.yaml", agencies_file: str = "agencies.yaml",
                 months_file: str = "months.yaml"):
        self.dates = date_parser(months_file)
        self.agencies = AgencyNames(agencies_file)

    def process(self, doc: Doc) -> Doc:
        doc.published = self.dates.parse(doc.published_hint)
        for removal in doc.removed:
            fields, kind = removal.fields, removal.kind
            if kind in ("published", "updated") and "date" in fields:
                value = self.dates.parse(fields["date"])
                if kind == "published" and doc.published is None:
                    doc.published = value
                elif kind == "updated" and doc.updated is None:
                    doc.updated = value
            if "city" in fields and doc.dateline is None:
                doc.dateline = fields["city"]
            if "name" in fields and doc.byline is None:
                doc.byline = fields["name"]
            if "who" in fields:  # "city – X:" names a reporter or an agency
                if self.agencies.lookup(fields["who"]):
                    fields["source"] = fields["who"]
                elif doc.byline is None:
                    doc.byline = fields["who"]
            if "source" in fields and (doc.credit is None or kind == "credit"):
                doc.credit = self.agencies.lookup(fields["source"]) or fields["source"]
        if doc.updated and doc.published is None:
            doc.published = doc.updated
        return doc
