"""Labels: who published the page (outlet registry, with the evidence used) and the document's stance.

The outlet is decided by the strongest evidence the page offers, in this order: the URL's domain, the input
record's outlet field, the site name in the page's markup, the page's own furniture (disclaimer, copyright line,
author box), then the datelines and credit lines that name an outlet. The first kind of evidence that names
anything decides: one registered outlet is the label; a URL on a site the registry does not know makes the site's
host the outlet (evidence `url_unregistered`: the site published the page, whoever it is; an agency's own site
publishes its own wire); several outlets, a name shared by several outlets, or an unregistered name leave the outlet
`unknown`, with the names seen as `outlet_candidates`. A credit saying where a republished text came
from ("المصدر: ...", "نقلا عن ...") names the original outlet, never the publisher, so it is not evidence for
`outlet` (nor is a dateline naming that same original): it goes to `credit`. With no evidence but such weak
evidence, the outlets it names, and those the text names ("في تصريح لجوهرة أف أم"), are the candidates: never
the label.

Genre (news, opinion, analysis) is decided first (builder/stance/genre.py: the outlet's URL paths and sections,
generic section words, a headline or signature marker, the writing) and told to a labeler that reads it.
Stance is the configured labeler's (builder/stance/) toward every configured target the document mentions, in
`stances` (target, stance, score, evidence, quoted); `stance` and its companion columns are the most mentioned
target's. Outlet-level facts (country, owner, alignment) are copied beside it and never enter it.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ahocorasick
from hydra.utils import get_class, instantiate

from builder.arabic import match_key
from builder.config import LabelConfig
from builder.document import Doc
from builder.errors import BuildError
from builder.lists import Outlet, WordLists, alternation, name_key, word_lists
from builder.rules import RuleSet
from builder.schema import STANCE_LABELS
from builder.site import UNKNOWN_OUTLET
from builder.site import host as site_host
from builder.stages.base import Stage
from builder.stages.metadata import SOURCE_SEPARATOR
from builder.stance import StanceLabeler, Target, Targets, VoiceStance
from builder.stance.genre import GenreDetector
from builder.stance.targets import key_tokens
from builder.stats import StageStats


class OutletRegistry:
    """Outlets from `conf/data/outlets.yaml` and agencies from `agencies.yaml`, found by URL or by name.

    `resolve` looks a whole name up (a credit's source, a dateline's, the input's outlet field) and returns every
    outlet it may be; `mentioned` searches lines of text for the unambiguous names, and for a shared or common-word
    name only behind a descriptor ("لجريدة النهار": a paper called النهار, of which the registry knows two).
    """

    def __init__(self, lists: WordLists | None = None, name_prefixes: tuple[str, ...] = ()):
        lists = lists or word_lists()
        where = lists.files.outlets
        outlets = lists.outlets
        self.outlets: dict[str, Outlet] = {}
        for entry in [*outlets, *(a.as_outlet() for a in lists.agencies)]:
            if entry.id in self.outlets:
                raise ValueError(f"{where}: outlet id {entry.id!r} is used twice")
            self.outlets[entry.id] = entry
        self.by_key: dict[str, set[str]] = {}
        for o in self.outlets.values():
            for n in [o.id, o.name_en, *o.names, *o.bare, *o.eval]:
                self.by_key.setdefault(name_key(n).lower(), set()).add(o.id)
        self.domains = sorted(((d.lower(), o.id) for o in self.outlets.values() for d in o.domains),
                              key=lambda x: -len(x[0]))
        if len({d for d, _ in self.domains}) != len(self.domains):
            raise ValueError(f"{where}: a domain is listed under two outlets")
        # host -> (rank, path prefix, outlet): a URL's host and each of its parent domains are looked up, not every
        # domain tried in turn; the lowest rank (the longest domain, as `domains` is sorted) wins as before
        self.by_host: dict[str, list[tuple[int, str, str]]] = {}
        for rank, (domain, outlet) in enumerate(self.domains):
            d_host, _, d_path = domain.partition("/")
            self.by_host.setdefault(d_host, []).append((rank, f"/{d_path}/".replace("//", "/"), outlet))
        self.prefixes = tuple(name_key(p) + " " for p in name_prefixes)
        self.spellings: dict[str, set[str]] = {}
        for o in outlets:
            for b, p in itertools.product(o.bare, self.prefixes):
                self.spellings.setdefault(p + name_key(b).lower(), set()).add(o.id)
        self.spellings.update({key: {o} for key, o in self.unambiguous(outlets, where).items()})
        # a mention may carry a proclitic (لموقع مصراوي), and ل + ال contracts to لل (للمسلة)
        names = [*self.spellings, *("لل" + n[2:] for n in self.spellings if n.startswith("ال"))]
        self.mention = re.compile(rf"(?<!\w)[وف]?[بكل]?(?P<name>{alternation(names)})(?!\w)", re.I)
        # the alternation is slow to try at every position of every line; most lines name no outlet at all, and
        # an automaton of the names finds those lines in one pass (the regex then decides on the rest)
        self.names = ahocorasick.Automaton()
        for name in names:
            self.names.add_word(name.lower(), None)
        self.names.make_automaton()

    @staticmethod
    def unambiguous(outlets: tuple[Outlet, ...], where: str) -> dict[str, str]:
        """Name key -> outlet for the `names` of each outlet, which no two outlets may share."""
        spellings: dict[str, str] = {}
        for o in outlets:
            if o.name not in [*o.names, *o.bare]:
                raise ValueError(f"{where}: {o.id}: name {o.name!r} must be in its names or bare")
            for n in o.names:
                key = name_key(n).lower()
                if spellings.setdefault(key, o.id) != o.id:
                    raise ValueError(f"{where}: {n!r} is a name of both {spellings[key]} and {o.id}; "
                                     "a shared name belongs in bare")
        return spellings

    def filer_sites(self, name: str | None) -> set[str]:
        """The outlets whose pages a story filed under this name may be on: never an agency (it files for others),
        and an outlet whose stories also run on sister sites (`also_on`) stands for them too."""
        return {site for o in self.resolve(name) if self.outlets[o].type != "agency"
                for site in [o, *self.outlets[o].also_on]}

    def from_url(self, url: str | None) -> tuple[str | None, str | None]:
        """(outlet, host): the outlet whose domain (or domain/path prefix) the URL is on, and the URL's host (less
        a www., m. or amp. label, so a site's mobile pages get the same host id)."""
        if not url:
            return None, None
        parts = urlsplit(url if "//" in url else "//" + url)
        host = site_host(url) or ""
        path = parts.path.lower().rstrip("/") + "/"
        labels = host.split(".")
        found = [entry for i in range(len(labels)) for entry in self.by_host.get(".".join(labels[i:]), ())
                 if path.startswith(entry[1])]
        return (min(found)[2], host) if found else (None, host or None)

    def resolve(self, name: str | None) -> set[str]:
        """Every outlet a whole name may be: the name itself, past a descriptor (صحيفة، قناة...), or its parts."""
        if not name or not name.strip():
            return set()
        key = name_key(name).lower()
        if found := self.by_key.get(key) or self.by_key.get(next((key[len(p):] for p in self.prefixes
                                                                  if key.startswith(p)), "")):
            return set(found)
        parts = [p for p in SOURCE_SEPARATOR.split(name) if p.strip()]
        return set().union(*(self.resolve(p) for p in parts)) if len(parts) > 1 else set()

    def lookup(self, name: str | None) -> str | None:
        """The outlet a name designates when it designates exactly one."""
        found = self.resolve(name)
        return found.pop() if len(found) == 1 else None

    def mentioned(self, lines: list[str], keys: list[str] | None = None) -> Counter[str]:
        """How often each outlet is named in the lines (a shared name counts for each outlet it may be). `keys`: the
        lines' match keys, when the caller has them."""
        found: Counter[str] = Counter()
        for key in map(match_key, lines) if keys is None else keys:
            if next(self.names.iter(key.lower()), None) is None:
                continue
            for m in self.mention.finditer(key):
                key = name_key(m.group("name")).lower()
                found.update(self.spellings.get(key) or self.spellings["ال" + key[2:]])
        return found


# How an outlet label was decided, strongest first: the values of `outlet_evidence`, as the card explains them
OUTLET_EVIDENCE = {
    "url": "the page's URL is on a domain of the outlet in the registry",
    "url_unregistered": "the page's URL is on a site the registry does not know: the site's host is the outlet",
    "input": "the input record named the outlet",
    "markup": "the page's markup names its site (og:site_name) and the registry knows the name",
    "page": "the page's own furniture (disclaimer, author box, copyright line) names exactly one outlet",
    "dateline": "the dateline names the outlet as the source",
    "credit": "the credit line names the outlet",
    "weak": "only weak signs (a republication credit, outlets the text mentions): `unknown`, names in "
            "`outlet_candidates`",
    "conflict": "the evidence names more than one outlet: `unknown`, all of them in `outlet_candidates`",
    "unregistered": "the evidence names an outlet that is not in the registry: `unknown`, the name in "
                    "`outlet_candidates`",
    "none": "no evidence: the outlet is `unknown` (never guessed)",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    outlet: str | None
    evidence: str  # a key of OUTLET_EVIDENCE
    candidates: list[str]  # registry ids or the names seen, when the outlet is unknown

    def __post_init__(self) -> None:
        if self.evidence not in OUTLET_EVIDENCE:  # the card explains every value; a new one must be explained too
            raise ValueError(f"outlet evidence {self.evidence!r} is not in OUTLET_EVIDENCE")


class OutletIdentifier:
    """Decides who published a document from its evidence, strongest first; never guesses."""

    def __init__(self, registry: OutletRegistry, origin_credits: list[str]):
        self.registry = registry
        self.origin_credits = set(origin_credits)

    def identify(self, doc: Doc, body_key: str | None = None) -> Verdict:
        """`body_key`: the text's match key, when the caller has it."""
        outlet, host = self.registry.from_url(doc.url)
        hint, site_name = (doc.outlet_hint or "").strip(), (doc.site_name or "").strip()
        hinted, named = self.registry.resolve(hint), self.registry.resolve(site_name)
        origin, filers = self.credits(doc)
        if host and not outlet:
            return Verdict(host, "url_unregistered", [])  # the site published it, whoever it is
        levels = [
            ("url", {outlet} if outlet else set(), []),
            ("input", hinted, [hint] if hint and not hinted else []),
            ("markup", named, [site_name] if site_name and not named else []),
            ("page", set(self.registry.mentioned(doc.page_chrome)), []),
            ("dateline" if "dateline" in filers.values() else "credit", set(filers), []),
        ]
        for i, (kind, outlets, unregistered) in enumerate(levels):
            if len(outlets) == 1 and not unregistered:
                return Verdict(outlets.pop(), kind, [])
            if outlets or unregistered:
                seen = [c for _, found, names in levels[i:] for c in [*sorted(found), *names]]
                return Verdict(None, "unregistered" if unregistered else "conflict", list(dict.fromkeys(seen)))
        # weak: the original a republished text credits may or may not be its publisher; a story names many outlets
        lines = [doc.title or "", doc.text]
        named = self.registry.mentioned(lines, None if body_key is None else [match_key(lines[0]), body_key])
        by_mentions = sorted(named, key=lambda o: (-named[o], o))  # ties by id: a set's order varies per process
        weak = list(dict.fromkeys([*sorted(origin), *by_mentions]))
        return Verdict(None, "weak" if weak else "none", weak)

    def credits(self, doc: Doc) -> tuple[set[str], dict[str, str]]:
        """The outlets credited as a republished text's original, and the others datelines and credit lines name
        (outlet -> "dateline" or "credit"), less that original."""
        origin: set[str] = set()
        named: dict[str, str] = {}
        for removal in doc.removed:
            outlets = self.registry.filer_sites(removal.fields.get("source"))
            if removal.rule in self.origin_credits:
                origin |= outlets
            else:
                for o in outlets:
                    named[o] = "dateline" if "dateline" in (named.get(o), removal.kind) else "credit"
        return origin, {o: kind for o, kind in named.items() if o not in origin}


class Labeler(Stage):
    """Outlet (with evidence, candidates and the registry's facts) and stance (with score and evidence)."""

    name = "label"

    def __init__(self, config: LabelConfig | None = None, stance: StanceLabeler | None = None,
                 lists: WordLists | None = None):
        """`stance` is the labeler built from `config.stance` unless one is given (tests pass their own)."""
        c = config or LabelConfig()
        RuleSet.load(c.rules_file, lists).require(c.origin_credits, "label.origin_credits")
        self.registry = OutletRegistry(lists, tuple(c.name_prefixes))
        self.identifier = OutletIdentifier(self.registry, c.origin_credits)
        self.targets = Targets(c.targets)
        self.genres = GenreDetector(c.genre_file, c.speech_file)
        self.stance = stance = stance or self.build_stance(c.stance)
        # a labeler that reads the genre (the voice labeler) is told it; the protocol's `genre` is optional
        self.tells_genre = "genre" in inspect.signature(stance.label).parameters
        if stance.targets is not None and (missing := set(self.targets.ids) - stance.targets):
            raise BuildError(f"the {stance.name} stance labeler knows the targets {sorted(stance.targets)}, "
                             f"not {sorted(missing)} named in label.targets")

    @staticmethod
    def build_stance(config: Any) -> StanceLabeler:
        """The labeler from its typed config (an option of label/stance); the voice labeler by default."""
        if config is None:
            return VoiceStance()
        if isinstance(config, dict):  # a config given as plain data
            return instantiate(config, _convert_="all")
        return get_class(config._target_)(config)

    def run(self, docs: Iterable[Doc], stats: StageStats, rejects: list[dict]) -> Iterator[Doc]:
        """A labeler with `ahead` (llm: requests sent a few at a time) is shown the documents' label calls before
        `process` makes them, and counts what it costs (time, and requests in the notes) in the stage's stats."""
        if ahead := getattr(self.stance, "ahead", None):
            docs = ahead(docs, self.stance_calls, stats)
        return super().run(docs, stats, rejects)

    def stance_calls(self, doc: Doc, body: list[str] | None = None) -> list[tuple[str, Target, str | None]]:
        """The stance labeler's calls for a document: one per target it mentions, the most mentioned first. `body`:
        the text's key tokens, when the caller has them (a line break joins no words: the headline's tokens, then
        the body's, are the key tokens of both)."""
        title = key_tokens(doc.title or "")
        mentioned = self.targets.mentioned_in(title + (key_tokens(doc.text) if body is None else body))
        return [(doc.text, self.targets.get(t), doc.title) for t in mentioned]

    def process(self, doc: Doc) -> Doc:
        keyed = self.genres.keyed(doc.text)  # once, for the outlets it names, its genre and the target mentions
        verdict = self.identifier.identify(doc, keyed.key)
        entry = self.registry.outlets.get(verdict.outlet or "")
        doc.outlet = verdict.outlet or UNKNOWN_OUTLET
        doc.outlet_name = entry.name if entry else None
        doc.outlet_evidence = verdict.evidence
        doc.outlet_candidates = verdict.candidates
        doc.outlet_country = entry.country if entry else None
        doc.outlet_facts = [dict(f) for f in entry.facts] if entry else []
        doc.credit = self.registry.lookup(doc.credit) or doc.credit
        genre = self.genres.decide(doc.title, doc.text, doc.url, doc.section_hint, doc.byline,
                                   doc.dateline or doc.credit, entry, keyed)
        doc.genre, doc.genre_evidence = genre.label, list(genre.evidence)
        told = {"genre": genre.label} if self.tells_genre else {}
        stances = {target.id: self.stance.label(text, target, title, **told)
                   for text, target, title in self.stance_calls(doc, keyed.tokens)}
        doc.stances = [{"target": t, "stance": s.label, "score": s.score, "evidence": list(s.evidence),
                        "quoted": list(s.quoted)} for t, s in stances.items()]
        main = next(iter(stances), None)  # the most mentioned target
        stance = stances.get(main)
        doc.stance = STANCE_LABELS.index(stance.label if stance else "none")
        doc.stance_score = stance.score if stance else None
        doc.stance_target = main
        doc.stance_labeler = self.stance.name
        doc.stance_evidence = list(stance.evidence) if stance else []
        return doc
