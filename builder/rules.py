"""Boilerplate rules as data: load `conf/data/boilerplate.yaml`, expand its fragments, match lines on the key.

The word lists several files share (month names, agencies, cities, outlet names) come as regex fragments from
the build's `WordLists` (builder/lists.py), so a rule writes `{month}` or `{agency}` instead of repeating them and
a configured list reaches the rules as it reaches the dates. A fragment of the rules file may itself be a list (a
word list that only the rules use, such as first names).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from re import _constants as sre
from re import _parser as sre_parse

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
    # texts a match must contain (one of each set): a line without them is not asked. A glued closing mark is
    # searched for at every position: its two most telling sets (trailing_credit 0.71 -> 0.12 CPU-s on 41,632
    # egypt_news lines). A line rule mostly fails within its first characters, where a search for each of many
    # texts costs more than the rule: only its most telling set, and only when that holds at most GUARD_TEXTS texts
    # (measured on the 5k egypt_news lines segment and clean ask: city_agency 0.14 -> 0.01 CPU-s, feed_excerpt
    # 0.08 -> 0.02, followup 0.06 -> 0.02; a set of 6 texts or more cost up to 0.03 s more than its rule)
    needs: tuple[frozenset[str], ...] = field(init=False)
    # the characters a non-empty match can start with, as a one-character regex (None: any): a line that starts
    # otherwise is not asked (RuleSet._match)
    opens: re.Pattern | None = field(init=False)
    # the longest key a match can start in, when the pattern opens with a length guard ("(?=.{0,160}$)"), else
    # None: a longer line is not asked (RuleSet._match), the guard would read 160 characters to fail
    longest: int | None = field(init=False)
    # the pattern with its fragments as stand-ins (`outline`): what `opens` and `longest` are read from, parsed in a
    # tenth of the time of the expanded pattern; "" reads the regex's own pattern
    outline: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.id.split(".", 1)[0])
        needs = required_texts(self.regex) if self.where == "suffix" else tuple(
            one_of for one_of in required_texts(self.regex, 1, self.outline) if len(one_of) <= GUARD_TEXTS)
        object.__setattr__(self, "needs", needs)
        object.__setattr__(self, "opens", first_chars(self.regex, self.outline) if self.where != "suffix" else None)
        object.__setattr__(self, "longest", longest_key(self.regex, self.outline) if self.where != "suffix" else None)

    def may_open(self, char: str) -> bool:
        return self.opens is None or self.opens.match(char) is not None

    def admits(self, key: str) -> bool:
        """The key holds a text of each of the rule's `needs` sets: else no match of the rule can be in it."""
        return all(any(text in key for text in one_of) for one_of in self.needs)

    def match(self, key: str, lead: bool) -> re.Match | None:
        """A prefix is cut only in the lead: further down, a line that merely starts like boilerplate is a sentence."""
        if not self.admits(key):
            return None
        if self.where == "suffix":
            m = self.regex.search(key)
            return m if m is not None and m.start() > 0 and not key[m.start() - 1].isalnum() else None
        return self.matcher(lead)(key)

    def matcher(self, lead: bool) -> Callable[[str], re.Match | None]:
        """How a line rule is asked: a prefix at the key's start in the lead, every other line rule whole."""
        return self.regex.match if self.where == "prefix" and lead else self.regex.fullmatch


REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
GUARD_TEXTS = 3  # the most texts a line rule's guard searches for (Rule.needs)


@lru_cache(maxsize=1)
def _parsed(pattern: str, flags: int) -> sre_parse.SubPattern:
    """A rule's parsed pattern (or outline): the readers of what a rule needs, opens with and how long it may be
    read it in turn, and the parse, in Python, is what they cost at start-up. Read, never changed."""
    return sre_parse.parse(pattern, flags)


def required_texts(regex: re.Pattern, keep: int = 2, outline: str = "") -> tuple[frozenset[str], ...]:
    """What every match of a rule contains, read from its parsed pattern (or its `outline`: a fragment's stand-in
    needs one of its opening characters): literal runs, small character classes, and an alternation's branches'
    own needs; the `keep` most telling ones. A line without them cannot match, and a substring test is far cheaper
    than a regex that tries a city alternation at every position (issue 24)."""
    if regex.flags & re.IGNORECASE:
        return ()
    try:
        needs = _needs(_parsed(outline or regex.pattern, regex.flags & ~re.UNICODE))
    except (re.error, TypeError, ValueError):  # the parser is CPython's own: no guard beats a wrong one
        return ()
    return tuple(sorted(set(needs), key=lambda one_of: (_selectivity(one_of), sorted(one_of)), reverse=True)[:keep])


def _selectivity(one_of: frozenset[str]) -> tuple[int, int]:
    return min(map(len, one_of)), -len(one_of)


def _needs(seq) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in seq:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(frozenset({"".join(run)}))
            run = []
        if op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            out += _needs(av[-1])
        elif op in REPEATS and av[0] >= 1:
            out += _needs(av[2])
        elif op is sre.ASSERT and av[0] == 1:  # a lookahead's needs hold for the line too
            out += _needs(av[1])
        elif op is sre.BRANCH:
            branches = [_needs(branch) for branch in av[1]]
            if all(branches):
                out.append(frozenset().union(*(max(b, key=_selectivity) for b in branches)))
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in av) and len(av) <= 8:
            out.append(frozenset(chr(code) for _, code in av))
    if run:
        out.append(frozenset({"".join(run)}))
    return out


_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
               sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}
ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


class _AnyChar(Exception):
    """A part of a pattern that may start with any character (., a back-reference, a flag this reader skips)."""


def first_chars(regex: re.Pattern, outline: str = "") -> re.Pattern | None:
    """A one-character regex for the characters a non-empty match of `regex` can start with, read from its parsed
    pattern (or its `outline`; assertions are passed over: the set is a superset), or None when any character may.
    At a line's first character most rules fail anyway, but asking 80 of them costs a Python call each (issue 24)."""
    try:
        classes, _ = _firsts(_parsed(outline or regex.pattern, regex.flags & ~re.UNICODE),
                             bool(regex.flags & re.IGNORECASE))
    except (_AnyChar, re.error, TypeError, ValueError):
        return None
    return re.compile("|".join(dict.fromkeys(classes))) if classes else None


def outline(pattern: str, fragments: dict[str, str], stand_ins: dict[str, str]) -> str:
    """`pattern` with each fragment it names replaced by a stand-in that opens with the same characters and may
    match empty as the fragment may (one character class, `?` when it may): what `first_chars` and `longest_key`
    read of a rule is then the same, and a city list is parsed once for every rule that names it, not once each.
    `stand_ins` keeps the stand-ins made so far (by name)."""
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            return m.group(0)
        if name not in stand_ins:
            try:
                classes, empty = _firsts(sre_parse.parse(expand(fragments[name], fragments)), False)
                stand_ins[name] = f"(?:{'|'.join(dict.fromkeys(classes))})" + ("?" if empty else "")
            except (_AnyChar, re.error, TypeError, ValueError):
                stand_ins[name] = "(?s:.)?"  # any character, or none: no set read past it
        return stand_ins[name]

    return _FRAGMENT.sub(sub, pattern)


def _class(items: list, ignore_case: bool) -> str:
    """One parsed character set (its (op, value) items) as regex text, in (?i:) when it was case-blind."""
    text = []
    for op, av in items:
        if op is sre.NEGATE:
            text.insert(0, "^")
        elif op is sre.LITERAL:
            text.append(f"\\U{av:08x}")
        elif op is sre.RANGE:
            text.append(f"\\U{av[0]:08x}-\\U{av[1]:08x}")
        elif op is sre.CATEGORY and av in _CATEGORIES:
            text.append(_CATEGORIES[av])
        else:
            raise _AnyChar
    return f"(?i:[{''.join(text)}])" if ignore_case else f"[{''.join(text)}]"


def _firsts(seq, ignore_case: bool) -> tuple[list[str], bool]:
    """(character classes a non-empty match of `seq` may start with, whether `seq` may match empty)."""
    classes: list[str] = []
    for op, av in seq:
        if op is sre.LITERAL:
            return [*classes, _class([(op, av)], ignore_case)], False
        if op is sre.NOT_LITERAL:
            return [*classes, _class([(sre.NEGATE, None), (sre.LITERAL, av)], ignore_case)], False
        if op is sre.IN:
            return [*classes, _class(av, ignore_case)], False
        if op in ZERO_WIDTH:
            continue
        if op is sre.SUBPATTERN:
            _, add, remove, sub = av
            if (add | remove) & ~(re.IGNORECASE | re.VERBOSE):
                raise _AnyChar
            found, empty = _firsts(sub, bool(add & re.IGNORECASE) or (ignore_case and not remove & re.IGNORECASE))
        elif op is sre.ATOMIC_GROUP:
            found, empty = _firsts(av, ignore_case)
        elif op in REPEATS:
            found, empty = _firsts(av[2], ignore_case)
            empty = empty or av[0] == 0
        elif op is sre.BRANCH:
            branches = [_firsts(branch, ignore_case) for branch in av[1]]
            found, empty = [c for b, _ in branches for c in b], any(e for _, e in branches)
        else:
            raise _AnyChar
        classes += found
        if not empty:
            return classes, False
    return classes, True


def longest_key(regex: re.Pattern, outline: str = "") -> int | None:
    """The longest text `regex` can match at the start of, when every branch opens with a lookahead that reaches
    the end within N characters (`(?=.{0,N}$)`: N, and one more for the newline `$` may stand before); else None.
    Read from the parsed pattern, or its `outline`."""
    if regex.flags & (re.MULTILINE | re.DOTALL):
        return None
    try:
        return _longest(_parsed(outline or regex.pattern, regex.flags & ~re.UNICODE))
    except (re.error, TypeError, ValueError):
        return None


def _longest(seq) -> int | None:
    if not len(seq):
        return None
    op, av = seq[0]
    if op is sre.SUBPATTERN:
        return None if (av[1] | av[2]) & (re.MULTILINE | re.DOTALL) else _longest(av[-1])
    if op is sre.BRANCH:
        bounds = [_longest(branch) for branch in av[1]]
        return None if None in bounds else max(bounds)
    if op is sre.ASSERT and av[0] == 1 and len(av[1]) == 2:
        (repeat, (low, high, item)), end = av[1][0], av[1][1]
        if repeat is sre.MAX_REPEAT and low == 0 and high is not sre.MAXREPEAT and list(item) == [(sre.ANY, None)] \
                and end == (sre.AT, sre.AT_END):
            return high + 1
    return None


@lru_cache(maxsize=2048)
def line_key(line: str) -> str:
    """A line's key; the stages ask about the same lines in turn (segment, then clean and its lead tokens)."""
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


# Where furniture glued to a sentence is cut: a head up to a separator ("سبق- وكالات: أعلنت ..."), or a tail from
# a sentence end ("... المقبل. رابط الخبر: ..."), within this many characters of the line's edge.
_GLUE_SEPARATOR = re.compile(r"\s*(?::|[-–—_]+|/|\|)\s*")
_SENTENCE_END = re.compile(r"[.!?؟…]+[»\"”')\]]*\s*")
GLUED_HEAD_CHARS = 90
GLUED_TAIL_CHARS = 300
GLUED_MIN_WORDS = 3  # Arabic words of the sentence left beside a glued cut ("UN-Arab League ..." is no Arabic lead)
_ARABIC_WORD = re.compile(r"[\u0621-\u064A]{2,}")


@dataclass(frozen=True)
class Glue:
    """Which line rules may also cut a glued head or tail: their classes (`glued_prefix`, `glued_suffix` in the
    rules file), less the rules marked `glued: false` (a lone name line, which a sentence may open with)."""

    prefix: frozenset[str] = frozenset()
    suffix: frozenset[str] = frozenset()
    never: frozenset[str] = frozenset()


class RuleSet:
    def __init__(self, rules: list[Rule], page_level: frozenset[str], glue: Glue = Glue()):
        self.rules = rules
        self.page_level = page_level
        self.kinds = frozenset(r.kind for r in rules)
        self.glue = glue
        glued = [r for r in rules if r.where == "line" and r.id not in glue.never]
        self.glued_heads = [r for r in glued if r.kind in glue.prefix]
        self.glued_tails = [r for r in glued if r.kind in glue.suffix and r.scope != "lead"]
        self.suffixes = [r for r in rules if r.where == "suffix"]
        # the lengths past which a guarded rule is not asked: a key's length falls between two of them
        self._longest = sorted({r.longest for r in rules if r.longest is not None})
        self._asked: dict[tuple[str, int, bool, bool], list[tuple[Rule, Callable[[str], re.Match | None],
                                                              tuple[frozenset[str], ...]]]] = {}

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
                       self.page_level, self.glue)

    def first_match(self, line: str, lead: bool, tail: bool = False) -> Removal | None:
        """The first rule that matches `line` (on its key), as the removal it implies, or None. `lead`: no body
        line came before; `tail`: none comes after."""
        key = line_key(line)
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
        key = line_key(line)
        for rule in self.suffixes:
            if (m := rule.match(key, lead=False)) is not None:
                return Removal(rule.id, line[original_index(line, m.start()):], _fields(m, line, 0))
        return None

    def glued_head(self, line: str) -> Removal | None:
        """Lead furniture glued before the first sentence ("متابعة/ سامي حسن - أعلنت ..."): the longest head,
        ending at a separator, that a line rule of a `glued_prefix` class claims whole, with a sentence after it."""
        key = line_key(line)
        best = None
        for sep in _GLUE_SEPARATOR.finditer(key, 0, min(len(key), GLUED_HEAD_CHARS)):
            if len(_ARABIC_WORD.findall(key, sep.end())) < GLUED_MIN_WORDS:
                break
            if sep.start() and (found := _whole(key[:sep.start()], self.glued_heads)):
                best = found, sep.end()
        if best is None:
            return None
        (rule, m, offset), end = best
        return Removal(rule.id, line[:original_index(line, end)], _fields(m, line, offset))

    def glued_tail(self, line: str) -> Removal | None:
        """Furniture glued after a line's last sentence ("... المقبل. رابط الخبر: ...", "... أمس.أ ش أ"): the
        shortest tail, from one of the last sentence ends, that a line rule of a `glued_suffix` class claims whole."""
        key = line_key(line)
        ends = [m.end() for m in _SENTENCE_END.finditer(key, max(0, len(key) - GLUED_TAIL_CHARS))]
        for start in reversed(ends[-3:]):
            if start < len(key) and len(_ARABIC_WORD.findall(key, 0, start)) >= GLUED_MIN_WORDS and \
                    (found := _whole(key[start:].rstrip(" ."), self.glued_tails)):
                rule, m, offset = found
                return Removal(rule.id, line[original_index(line, start):], _fields(m, line, start + offset))
        return None

    def _match(self, key: str, lead: bool, tail: bool) -> tuple[Rule, re.Match] | None:
        """The first rule whose match (`Rule.match`) is not empty; only the rules that may start with the key's
        first character, and whose length guard admits the key, are asked (an empty key has no such match)."""
        if not key:
            return None
        size = bisect.bisect_left(self._longest, len(key))  # the guards shorter than the key: the first `size`
        asked = self._asked.get((key[0], size, lead, tail))
        if asked is None:
            asked = self._asked[(key[0], size, lead, tail)] = self._rules_for(
                key[0], self._longest[size - 1] if size else -1, lead, tail)
        for rule, match, needs in asked:
            if needs:  # Rule.admits written out (a line rule has one set at most): this runs for every rule asked
                for text in needs[0]:
                    if text in key:
                        break
                else:
                    continue
            m = match(key)
            if m is not None and m.end() > 0:
                return rule, m
        return None

    def _rules_for(self, first: str, shorter: int, lead: bool, tail: bool
                   ) -> list[tuple[Rule, Callable[[str], re.Match | None], tuple[frozenset[str], ...]]]:
        """The rules `_match` asks of a key that starts with `first` and is longer than `shorter`, in order, each
        with the call `Rule.match` makes (`Rule.matcher`) and its needs."""
        return [(r, r.matcher(lead), r.needs) for r in self.rules
                if r.where != "suffix" and not (r.scope == "lead" and not lead)
                and not (r.scope == "edge" and not (lead or tail)) and r.may_open(first)
                and (r.longest is None or r.longest > shorter)]

    @staticmethod
    def _removal(rule: Rule, m: re.Match, line: str, offset: int, whole: bool) -> Removal:
        """The span cut from the original line (all of it when the match was on the undecorated core), with the
        named parts the rule captured."""
        end = len(line) if whole else original_index(line, offset + m.end())
        return Removal(rule.id, line[:end], _fields(m, line, offset))


def _whole(text: str, rules: list[Rule]) -> tuple[Rule, re.Match, int] | None:
    """The first rule that claims all of `text`, or its undecorated core: (rule, match, where the core starts)."""
    offset, core = shape_key(text)
    for rule in rules:
        if (m := rule.regex.fullmatch(text)) is not None:
            return rule, m, 0
        if core != text and core and (m := rule.regex.fullmatch(core)) is not None:
            return rule, m, offset
    return None


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
    rules, stand_ins = [], {}
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
        where = entry.get("where", "line")
        rules.append(Rule(entry["id"], where, entry.get("scope", "any"), regex,
                          "" if where == "suffix" else outline(match_key(entry["pattern"]), fragments, stand_ins)))
    glue = Glue(frozenset(data.get("glued_prefix", [])), frozenset(data.get("glued_suffix", [])),
                frozenset(e["id"] for e in data["rules"] if e.get("glued") is False))
    return RuleSet(rules, frozenset(data.get("page_level", [])), glue)
