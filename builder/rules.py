"""Boilerplate rules as data: load `conf/data/boilerplate.yaml`, expand its fragments, match lines on the key.

The word lists several files share (month names, agencies, cities, outlet names) come as regex fragments from
the build's `WordLists` (builder/lists.py), so a rule writes `{month}` or `{agency}` instead of repeating them and
a configured list reaches the rules as it reaches the dates. A fragment of the rules file may itself be a list (a
word list that only the rules use, such as first names).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from builder.arabic import match_key, original_index
from builder.config import ListsConfig
from builder.document import SPAN_FIELDS, Removal
from builder.lists import WordLists, alternation, read_yaml, word_lists

_FRAGMENT = re.compile(r"\{([a-z_]+)\}")


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
    def load(cls, name: str, lists: WordLists | None = None) -> RuleSet:
        """The rules of a file, their fragments expanded from the given word lists (the defaults when None)."""
        return _load_ruleset(name, (lists or word_lists()).files)

    def require(self, ids: list[str] | frozenset[str], setting: str) -> None:
        """Every rule id a setting names exists: a misspelt id would silently switch its rule off."""
        known = {r.id for r in self.rules}
        for rule in sorted(set(ids) - known):
            close = difflib.get_close_matches(rule, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"{setting} names rule {rule!r}, which the rules file does not have{hint}")

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


def rule_fragments(data: dict, lists: WordLists) -> dict[str, str]:
    """The shared word lists' fragments and the rules file's own (a list becomes an alternation)."""
    own = {k: alternation(v) if isinstance(v, list) else match_key(v) for k, v in data.get("fragments", {}).items()}
    return {**lists.fragments, **own}


@cache
def _load_ruleset(name: str, files: ListsConfig) -> RuleSet:
    data = read_yaml(name)
    fragments = rule_fragments(data, word_lists(files))
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
        if unread := set(regex.groupindex) - set(SPAN_FIELDS):
            raise ValueError(f"rule {entry['id']} in {name} captures {sorted(unread)}, which nothing reads; "
                             f"a rule's named groups are {sorted(SPAN_FIELDS)} (builder/document.py SPAN_FIELDS)")
        rules.append(Rule(entry["id"], entry.get("where", "line"), entry.get("scope", "any"), regex))
    return RuleSet(rules, frozenset(data.get("page_level", [])))
