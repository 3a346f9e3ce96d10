"""The data files a build reads, and the shared word lists as typed records: one fact, one reader.

Outlets, agencies, places, month names and tracking parameters are read here once per process and set of files
(`word_lists(config.lists)`), and handed to every stage and phase that needs them: the rules' `{month}` fragment,
the date parser's month table and the template masker's names all come from one `WordLists`, so a months file
given in config reaches all three.

Every data file goes through `read_text`, which records it in `FILES_READ`: the fingerprint hashes the files the
config names (builder/fingerprint.py), and a test checks that a build reads no file outside them, so an edited
list, rule or calibration file is never silently reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from builder.arabic import match_key
from builder.config import ListsConfig, data_file

FILES_READ: set[Path] = set()  # every data file this process has read (resolved paths)


def read_text(name: str) -> str:
    """A data file's text: an absolute path, or a name under `conf/data/`."""
    path = data_file(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"data file not found: {path}") from None
    FILES_READ.add(path.resolve())
    return text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, where PyYAML was built with it: 6x faster


def read_yaml(name: str) -> Any:
    return yaml.load(read_text(name), Loader=_LOADER)


# --- names as regex alternations ------------------------------------------------------------------------

_INITIALS = re.compile(r"^\w(?:[\s.]+\w)+\.?$")  # أ ش أ, أ.ش.أ, أ. ش. أ: an abbreviation spelled letter by letter


def _name_pattern(key: str) -> str:
    if _INITIALS.match(key):  # printed with dots, spaces, both, or (three letters and more) run together
        letters = [re.escape(ch) for ch in key if ch.isalnum()]
        return (r"[\s.]*" if len(letters) > 2 else r"[\s.]+").join(letters) + r"\.?"
    return re.escape(key).replace(r"\ ", r"\s+")


def name_key(name: str) -> str:
    """A name as a lookup key: the match key without brackets, dashes or quotes, abbreviations without dots."""
    key = " ".join(match_key(name).strip(" ()[]-–—.:«»\"'").split())
    return re.sub(r"[\s.]", "", key) if _INITIALS.match(key) else key


def alternation(names: list[str] | tuple[str, ...]) -> str:
    """Regex alternation of names on the match key, as a character trie: the regex engine branches once per
    character instead of trying every name at every word (the template masker runs 2.2-2.8x faster with the same
    shapes: benchmarks/name_lists.py). It matches what the names longest first would: two names can both match
    at one place only when one is a prefix of the other, and the trie tries the longer first. Abbreviations keep
    their dotted and spaced forms."""
    keys = {" ".join(match_key(str(n)).split()) for n in names} - {""}
    initials = sorted(k for k in keys if _INITIALS.match(k))
    trie: dict = {}
    for key in keys - set(initials):
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    parts = [emit(trie), *(_name_pattern(k) for k in sorted(initials, key=len, reverse=True))]
    return "(?:" + "|".join(p for p in parts if p) + ")"


# --- the records ----------------------------------------------------------------------------------------

def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


@dataclass(frozen=True)
class Outlet:
    """An entry of the outlet registry (`conf/data/outlets.yaml` says what each field means); an agency joins the
    registry as an outlet of type `agency`."""

    id: str
    name: str
    name_en: str
    names: tuple[str, ...]
    country: str
    type: str
    domains: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()
    also_on: tuple[str, ...] = ()
    eval: tuple[str, ...] = ()
    facts: tuple[dict, ...] = ()  # each with the citation it rests on
    source: str = ""  # where the entry's names and domains come from
    genre: dict | None = None  # its URL path prefixes and sections per genre (builder/stance/genre.py)

    @property
    def printed(self) -> tuple[str, ...]:
        """The names a page prints for it (a masthead, a credit): never the bare ones."""
        return (self.name, *self.names)


@dataclass(frozen=True)
class Agency:
    id: str
    names: tuple[str, ...]
    en: str
    country: str
    domains: tuple[str, ...] = ()

    def as_outlet(self) -> Outlet:
        return Outlet(self.id, self.names[0], self.en, self.names, self.country, "agency", self.domains)


@dataclass(frozen=True)
class Months:
    """Month number -> spellings, per calendar; weekday number (Monday 0) -> spellings; the am/pm words."""

    gregorian: dict[int, tuple[str, ...]]
    hijri: dict[int, tuple[str, ...]]
    weekdays: dict[int, tuple[str, ...]]
    am: tuple[str, ...]
    pm: tuple[str, ...]


@dataclass(frozen=True)
class Places:
    cities: dict[str, tuple[str, ...]]  # region -> the places that open its datelines
    countries: tuple[str, ...]

    @property
    def all_cities(self) -> list[str]:
        return [c for cities in self.cities.values() for c in cities]


def _outlet(entry: dict) -> Outlet:
    """A registry entry as its record: lists of names as tuples of strings, the facts as they are."""
    known = {k: v for k, v in entry.items() if k in Outlet.__dataclass_fields__}
    names = {k: _strings(v) for k, v in known.items() if isinstance(v, list) and k != "facts"}
    return Outlet(**known | names | {"facts": tuple(entry.get("facts", ()))})


def _numbered(table: dict) -> dict[int, tuple[str, ...]]:
    return {int(k): _strings(v) for k, v in table.items()}


@dataclass(frozen=True)
class WordLists:
    """The shared word lists of one build, read from the files `ListsConfig` names."""

    files: ListsConfig = field(default_factory=ListsConfig)

    @cached_property
    def outlets(self) -> tuple[Outlet, ...]:
        return tuple(_outlet(entry) for entry in read_yaml(self.files.outlets))

    @cached_property
    def agencies(self) -> tuple[Agency, ...]:
        return tuple(Agency(a["id"], _strings(a["names"]), a["en"], a["country"], _strings(a.get("domains")))
                     for a in read_yaml(self.files.agencies))

    @cached_property
    def months(self) -> Months:
        m = read_yaml(self.files.months)
        return Months(_numbered(m["gregorian"]), _numbered(m["hijri"]), _numbered(m["weekdays"]), _strings(m["am"]),
                      _strings(m["pm"]))

    @cached_property
    def places(self) -> Places:
        data = read_yaml(self.files.cities)
        return Places({r: _strings(c) for r, c in data.items() if r != "countries"}, _strings(data["countries"]))

    @cached_property
    def tracking_params(self) -> frozenset[str]:
        return frozenset(read_yaml(self.files.tracking_params)["params"])

    @cached_property
    def fragments(self) -> dict[str, str]:
        """The lists as regex fragments for the rule and shape files: {month}, {hijri_month}, {weekday}, {am},
        {pm}, {agency}, {city}, {country}, {outlet}."""
        m, places = self.months, self.places
        return {
            "month": alternation([n for names in m.gregorian.values() for n in names]),
            "hijri_month": alternation([n for names in m.hijri.values() for n in names]),
            "weekday": alternation([n for names in m.weekdays.values() for n in names]),
            "am": alternation(m.am),
            "pm": alternation(m.pm),
            "agency": alternation([n for a in self.agencies for n in a.names]),
            "city": alternation(places.all_cities),
            "country": alternation(places.countries),
            "outlet": alternation([n for o in self.outlets for n in o.printed]),
        }


def word_lists(files: ListsConfig | None = None) -> WordLists:
    """One `WordLists` per process and set of files (the defaults when None): every stage built for a config
    shares its reading."""
    return _word_lists(files or ListsConfig())


@cache
def _word_lists(files: ListsConfig) -> WordLists:
    return WordLists(files)
