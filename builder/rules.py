"""Boilerplate rules as data: load `conf/data/boilerplate.yaml`, expand its fragments, match lines on the key.

Word lists that several rule files share (month names, agencies, cities, outlet names) are turned into regex
alternations here, longest first, so a rule writes `{month}` or `{agency}` instead of repeating them. A fragment
of the rules file may itself be a list (a word list that only the rules use, such as first names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from builder.arabic import match_key, original_index
from builder.config import data_file
from builder.document import Removal

_FRAGMENT = re.compile(r"\{([a-z_]+)\}")


def load_yaml(name: str) -> object:
    path = data_file(name)
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"data file not found: {path}") from None


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


def alternation(names: list[str]) -> str:
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


@cache
def word_list_fragments(months_file: str = "months.yaml", agencies_file: str = "agencies.yaml",
                        cities_file: str = "cities.yaml", outlets_file: str = "outlets.yaml") -> dict[str, str]:
    """The shared word lists as fragments: {month}, {hijri_month}, {weekday}, {am}, {pm}, {agency}, {city},
    {country}, {outlet}."""
    months = load_yaml(months_file)
    agencies = load_yaml(agencies_file)
    outlets = load_yaml(outlets_file)
    places = load_yaml(cities_file)
    return {
        "month": alternation([n for names in months["gregorian"].values() for n in names]),
        "hijri_month": alternation([n for names in months["hijri"].values() for n in names]),
        "weekday": alternation([n for names in months["weekdays"].values() for n in names]),
        "am": alternation(months["am"]),
        "pm": alternation(months["pm"]),
        "agency": alternation([n for a in agencies for n in a["names"]]),
        "city": alternation([c for region, cities in places.items() if region != "countries" for c in cities]),
        "country": alternation(places["countries"]),
        "outlet": alternation([n for o in outlets for n in [o["name"], *o.get("names", [])]]),
    }


def expand(pattern: str, fragments: dict[str, str], depth: int = 0) -> str:
    if depth > 10:
        raise ValueError(f"fragment expansion does not terminate: {pattern[:80]}")

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            return m.group(0)
        return "(?:" + expand(fragments[name], fragments, depth + 1) + ")"

    return _FRAGMENT.sub(sub, pattern)


@dataclass(frozen=True)
class Rule:
    id: str
    where: str  # "line", "prefix", or "suffix" (the end of the article's last line: a glued closing mark)
    scope: str  # "any", "lead" or "edge" (the lead, or the lines after the body)
    regex: re.Pattern
    kind: str = field(init=False)  # the class: the id's first part

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.id.split(".", 1)[0])

    def match(self, key: str, lead: bool) -> re.Match | None:
        """A prefix is cut only in the lead: further down, a line that merely starts like boilerplate is a sentence."""
        if self.where == "suffix":
            m = self.regex.search(key)
            return m if m is not None and m.start() > 0 and not key[m.start() - 1].isalnum() else None
        return self.regex.match(key) if self.where == "prefix" and lead else self.regex.fullmatch(key)


@lru_cache(maxsize=2048)
def _line_key(line: str) -> str:
    """A line's key; the stages ask about the same lines in turn (segment, then clean)."""
    return match_key(line)


# Decoration a site puts around a furniture line: bullets, pipes, dashes, arrows, stars at either end, and
# brackets around the whole line ("| اقرأ أيضاً |", "— إقرأ ايضا —", "[اقرأ أيضا: ...]", "• ...").
_DECOR = " \t|•·▪▫◦●○■□►▶◀◄»«›‹>*~=_-–—:"
_WRAP = {"(": ")", "[": "]", "{": "}", "«": "»", "【": "】", "<": ">"}


@lru_cache(maxsize=2048)
def shape_key(key: str) -> tuple[int, str]:
    """The key without the decoration around it, and where the core starts: one rule then covers every dress of
    a furniture line. The core is what is left inside; (0, key) when there is nothing to take off."""
    start, end = 0, len(key)
    while True:
        s, e = start, end
        while s < e and key[s] in _DECOR:
            s += 1
        while e > s and key[e - 1] in _DECOR and not (key[e - 1] == ":" and e - 1 > s):
            e -= 1
        if e - s >= 2 and key[s] in _WRAP and key[e - 1] == _WRAP[key[s]] and _balanced(key[s + 1:e - 1], key[s]):
            s, e = s + 1, e - 1
        if (s, e) == (start, end):
            return start, key[start:end]
        start, end = s, e


def _balanced(inner: str, opener: str) -> bool:
    """The brackets wrap the whole line, not two bracketed parts ("(وات) ... (أ ف ب)")."""
    depth = 0
    for ch in inner:
        depth += (ch == opener) - (ch == _WRAP[opener])
        if depth < 0:
            return False
    return depth == 0


class RuleSet:
    def __init__(self, rules: list[Rule], page_level: frozenset[str]):
        self.rules = rules
        self.page_level = page_level
        self.kinds = frozenset(r.kind for r in rules)

    @classmethod
    def load(cls, name: str) -> RuleSet:
        return _load_ruleset(name)

    def only(self, kinds: frozenset[str] | None = None, ids: frozenset[str] | None = None) -> RuleSet:
        """The rules of some classes, or with some ids, in their order: a stage that asks one question asks it fast."""
        return RuleSet([r for r in self.rules if (kinds is None or r.kind in kinds) and (ids is None or r.id in ids)],
                       self.page_level)

    def first_match(self, line: str, lead: bool, tail: bool = False) -> Removal | None:
        """The first rule that matches `line` (on its key), as the removal it implies, or None. `lead`: no body
        line came before; `tail`: none comes after."""
        key = _line_key(line)
        found = self._match(key, lead, tail)
        if found is None:  # the same line in another dress: bullets, pipes, dashes, brackets around it
            offset, core = shape_key(key)
            if core != key and core and (found := self._match(core, lead, tail)) is not None:
                rule, m = found
                if rule.where == "line" or not lead or m.end() == len(core):
                    return self._removal(rule, m, line, offset, whole=True)
                found = None
        if found is None:
            return None
        rule, m = found
        return self._removal(rule, m, line, 0, whole=False)

    def trailing_match(self, line: str) -> Removal | None:
        """A closing mark glued to the end of the article's last line ("... المقبل. (أ.ف.ب)"): the span to cut
        from the line's end, or None. Only `suffix` rules are asked, and only here."""
        key = _line_key(line)
        for rule in self.rules:
            if rule.where == "suffix" and (m := rule.match(key, lead=False)) is not None:
                return Removal(rule.id, line[original_index(line, m.start()):], _fields(m, line, 0))
        return None

    def _match(self, key: str, lead: bool, tail: bool) -> tuple[Rule, re.Match] | None:
        for rule in self.rules:
            if rule.where == "suffix" or (rule.scope == "lead" and not lead) or \
                    (rule.scope == "edge" and not (lead or tail)):
                continue
            m = rule.match(key, lead)
            if m is not None and m.end() > 0:
                return rule, m
        return None

    @staticmethod
    def _removal(rule: Rule, m: re.Match, line: str, offset: int, whole: bool) -> Removal:
        """The span cut from the original line (all of it when the match was on the undecorated core), with the
        named parts the rule captured."""
        end = len(line) if whole else original_index(line, offset + m.end())
        return Removal(rule.id, line[:end], _fields(m, line, offset))


def _fields(m: re.Match, line: str, offset: int) -> dict[str, str]:
    """The named parts a rule captured (city, source, date...), as printed in the original line."""
    return {name: line[original_index(line, offset + m.start(name)) : original_index(line, offset + m.end(name))]
            .strip() for name, value in m.groupdict().items() if value}


@cache
def _load_ruleset(name: str) -> RuleSet:
    data = load_yaml(name)
    own = {k: alternation(v) if isinstance(v, list) else match_key(v) for k, v in data.get("fragments", {}).items()}
    fragments = {**word_list_fragments(), **own}
    rules = []
    for entry in data["rules"]:
        if entry.get("where", "line") not in ("line", "prefix", "suffix"):
            raise ValueError(f"rule {entry['id']}: where must be 'line', 'prefix' or 'suffix'")
        if entry.get("scope", "any") not in ("any", "lead", "edge"):
            raise ValueError(f"rule {entry['id']}: scope must be 'any', 'lead' or 'edge'")
        pattern = expand(match_key(entry["pattern"]), fragments)
        if entry.get("where") == "suffix":
            pattern = rf"(?:{pattern})\s*$"
        try:
            regex = re.compile(pattern)
        except re.error as err:
            raise ValueError(f"rule {entry['id']} in {name}: bad pattern: {err}") from None
        rules.append(Rule(entry["id"], entry.get("where", "line"), entry.get("scope", "any"), regex))
    return RuleSet(rules, frozenset(data.get("page_level", [])))
