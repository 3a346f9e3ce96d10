"""Boilerplate rules as data: load `conf/data/boilerplate.yaml`, expand its fragments, match lines on the key.

Word lists that several rule files share (month names, agencies) are turned into regex alternations here,
longest first, so a rule writes `{month}` or `{agency}` instead of repeating them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
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


def alternation(names: list[str]) -> str:
    """Regex alternation of names on the match key, longest first so that no name shadows a longer one."""
    keys = sorted({match_key(str(n)) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)


@cache
def word_list_fragments(months_file: str = "months.yaml", agencies_file: str = "agencies.yaml") -> dict[str, str]:
    months = load_yaml(months_file)
    agencies = load_yaml(agencies_file)
    return {
        "month": alternation([n for names in months["gregorian"].values() for n in names]),
        "hijri_month": alternation([n for names in months["hijri"].values() for n in names]),
        "weekday": alternation(months["weekdays"]),
        "am": alternation(months["am"]),
        "pm": alternation(months["pm"]),
        "agency": alternation([n for a in agencies for n in a["names"]]),
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
    where: str  # "line" or "prefix"
    scope: str  # "any" or "lead"
    regex: re.Pattern

    @property
    def kind(self) -> str:
        return self.id.split(".", 1)[0]

    def match(self, key: str) -> re.Match | None:
        return self.regex.fullmatch(key) if self.where == "line" else self.regex.match(key)


class RuleSet:
    def __init__(self, rules: list[Rule], page_level: frozenset[str]):
        self.rules = rules
        self.page_level = page_level

    @classmethod
    def load(cls, name: str) -> RuleSet:
        return _load_ruleset(name)

    def first_match(self, line: str, lead: bool, kinds: frozenset[str] | None = None) -> Removal | None:
        """The first rule that matches `line` (on its key), as the removal it implies, or None."""
        key = match_key(line)
        for rule in self.rules:
            if (rule.scope == "lead" and not lead) or (kinds is not None and rule.kind not in kinds):
                continue
            m = rule.match(key)
            if m is None or m.end() == 0:
                continue
            end = original_index(line, m.end())
            fields = {
                name: line[original_index(line, m.start(name)) : original_index(line, m.end(name))].strip()
                for name, value in m.groupdict().items()
                if value
            }
            return Removal(rule.id, line[:end], fields)
        return None


@cache
def _load_ruleset(name: str) -> RuleSet:
    data = load_yaml(name)
    fragments = {**word_list_fragments(), **{k: match_key(v) for k, v in data.get("fragments", {}).items()}}
    rules = []
    for entry in data["rules"]:
        if entry.get("where", "line") not in ("line", "prefix"):
            raise ValueError(f"rule {entry['id']}: where must be 'line' or 'prefix'")
        pattern = expand(match_key(entry["pattern"]), fragments)
        try:
            regex = re.compile(pattern)
        except re.error as err:
            raise ValueError(f"rule {entry['id']} in {name}: bad pattern: {err}") from None
        rules.append(Rule(entry["id"], entry.get("where", "line"), entry.get("scope", "any"), regex))
    return RuleSet(rules, frozenset(data.get("page_level", [])))
