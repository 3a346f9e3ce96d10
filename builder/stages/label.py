"""Labels: who published the page (outlet registry, with the evidence used) and stance (lexicon labeler)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from builder.arabic import WORD, match_key, word_forms
from builder.document import Doc
from builder.rules import alternation, load_yaml
from builder.schema import STANCE_LABELS
from builder.stages.base import Stage
from builder.stages.metadata import AgencyNames

UNKNOWN = "unknown"


class OutletRegistry:
    """Outlets from `conf/data/outlets.yaml`, found by URL, id, eval label or any listed name."""

    def __init__(self, outlets_file: str):
        self.outlets = {o["id"]: o for o in load_yaml(outlets_file)}
        self.by_key = {}
        for o in self.outlets.values():
            for n in [o["id"], o["name"], *o.get("names", []), *o.get("eval", [])]:
                self.by_key[" ".join(match_key(str(n)).lower().split())] = o["id"]
        self.domains = sorted(((d.lower(), o["id"]) for o in self.outlets.values() for d in o.get("domains", [])),
                              key=lambda x: -len(x[0]))
        names = [n for o in self.outlets.values() for n in o.get("names", [])]  # the unambiguous spellings
        self.mention = re.compile(rf"(?<!\w)(?:{alternation(names)})(?!\w)", re.I)

    def from_url(self, url: str | None) -> str | None:
        if not url:
            return None
        parts = urlsplit(url if "//" in url else "//" + url)
        where = ((parts.hostname or "").removeprefix("www.") + parts.path).lower()
        for domain, outlet in self.domains:
            host, _, path = domain.partition("/")
            if (where.split("/")[0] == host or where.split("/")[0].endswith("." + host)) and \
                    ("/" + where.partition("/")[2]).startswith("/" + path):
                return outlet
        return None

    def lookup(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.by_key.get(" ".join(match_key(name).strip(" ()[]-–—.:").lower().split()))

    def mentioned(self, lines: list[str]) -> set[str]:
        return {self.lookup(m.group(0)) for line in lines for m in self.mention.finditer(match_key(line))} - {None}


class LexiconStance:
    """Stance toward configured targets from cue words near target mentions; explainable, crude."""

    name = "lexicon"

    def __init__(self, stance_file: str, window: int, min_cues: int):
        data = load_yaml(stance_file)
        self.targets = {match_key(a): t["id"] for t in data["targets"] for a in t["aliases"]}
        self.cues = {label: tuple(match_key(c) for c in cues) for label, cues in data["cues"].items()}
        self.window = window
        self.min_cues = min_cues

    def label(self, text: str) -> tuple[int, float | None, str | None]:
        tokens = WORD.findall(match_key(text))
        mentions: dict[str, list[int]] = {}
        for i, tok in enumerate(tokens):
            target = next((self.targets[f] for f in word_forms(tok) if f in self.targets), None)
            if target:
                mentions.setdefault(target, []).append(i)
        if not mentions:
            return STANCE_LABELS.index("none"), None, None
        target, positions = max(mentions.items(), key=lambda kv: (len(kv[1]), kv[0]))
        near = {j for i in positions for j in range(max(0, i - self.window), i + self.window + 1)}
        counts = {label: sum(any(f.startswith(cues) for f in word_forms(tokens[j]))
                             for j in near if j < len(tokens)) for label, cues in self.cues.items()}
        favor, against = counts.get("favor", 0), counts.get("against", 0)
        total = favor + against
        if favor >= self.min_cues and favor > against:
            return STANCE_LABELS.index("favor"), round(favor / total, 3), target
        if against >= self.min_cues and against > favor:
            return STANCE_LABELS.index("against"), round(against / total, 3), target
        return STANCE_LABELS.index("none"), round(1 - abs(favor - against) / total, 3) if total else 1.0, target


class Labeler(Stage):
    name = "label"

    def __init__(self, outlets_file: str = "outlets.yaml", agencies_file: str = "agencies.yaml",
                 stance_file: str = "stance_lexicon.yaml", stance_window: int = 8, stance_min_cues: int = 2):
        self.registry = OutletRegistry(outlets_file)
        self.agencies = AgencyNames(agencies_file)
        self.stance = LexiconStance(stance_file, stance_window, stance_min_cues)

    def identify(self, doc: Doc) -> tuple[str | None, str]:
        """Evidence in order of strength; a single unambiguous candidate is required at each step."""
        if outlet := self.registry.from_url(doc.url):
            return outlet, "url"
        if outlet := self.registry.lookup(doc.outlet_hint):
            return outlet, "input"
        page = self.registry.mentioned(doc.page_chrome)
        if len(page) == 1:
            return page.pop(), "page"
        for removal in doc.removed:
            source = removal.fields.get("source")
            if removal.kind == "dateline" and source and (outlet := self.registry.lookup(source)):
                return outlet, "dateline"
        if outlet := self.registry.lookup(doc.credit):
            return outlet, "credit"
        return None, "none"

    def process(self, doc: Doc) -> Doc:
        outlet, evidence = self.identify(doc)
        doc.outlet = outlet or UNKNOWN
        doc.outlet_name = self.registry.outlets[outlet]["name"] if outlet else None
        doc.outlet_evidence = evidence
        if doc.credit and doc.credit not in self.agencies.ids.values():
            doc.credit = self.registry.lookup(doc.credit) or doc.credit
        doc.stance, doc.stance_score, doc.stance_target = self.stance.label(doc.text)
        doc.stance_labeler = self.stance.name
        return doc
