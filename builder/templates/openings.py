"""What a slot's match can start with and what it must hold, read from its parsed pattern (issue 24).

The masker's combined regex tries every slot at every word start of a line, and most word starts open none.
`openings` reads, from a slot's parsed pattern, the character classes its first few characters can be: a
lookaround is passed over, and where the reader meets what it does not spell (a case-blind group, a class like
`\\w` or `[^x]`, a back-reference) the opening ends there, so an opening only ever lets more through. `lookahead`
spells the openings of all slots as one trie, tried before the slots: where it fails, no slot could have matched,
and where it passes the slots are tried as before, so the matches are the same. A slot that may open with any
word character (an e-mail address) is put in the lookahead whole.
"""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser as sre_parse

from builder.rules import REPEATS, ZERO_WIDTH

OPENING_CHARS = 5  # the longer, the fewer word starts pass, and the larger the trie
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s"}  # what a class may hold and stay narrow
_GROUP_NAME = re.compile(r"\(\?P<\w+>")

Opening = tuple[str, ...]  # one character class (as regex text) per character


def needs_digit(parsed: sre_parse.SubPattern) -> bool:
    """Whether every match of the parsed pattern holds a digit (`\\d`); False when unsure."""
    for op, av in parsed:
        if op is sre.IN and av and all(item == (sre.CATEGORY, sre.CATEGORY_DIGIT) for item in av):
            return True
        if op is sre.SUBPATTERN:
            found = needs_digit(av[-1])
        elif op in REPEATS:
            found = av[0] >= 1 and needs_digit(av[2])
        elif op is sre.BRANCH:
            found = all(map(needs_digit, av[1]))
        else:
            found = op is sre.ATOMIC_GROUP and needs_digit(av)
        if found:
            return True
    return False


def openings(items: list, n: int) -> set[Opening]:
    """The first `n` character classes of every match of the pattern `items` (a parsed pattern's items): shorter
    where a match may end or the reader stops; the empty opening when a match may start with anything."""
    if n == 0 or not items:
        return {()}
    (op, av), rest = items[0], items[1:]
    if op in (sre.LITERAL, sre.IN):
        spelled = _class(op, av)
        return {(spelled, *tail) for tail in openings(rest, n - 1)} if spelled else {()}
    if op in ZERO_WIDTH:
        return openings(rest, n)
    if op is sre.SUBPATTERN and not (av[1] or av[2]):  # a group without flags
        return openings([*av[-1], *rest], n)
    if op is sre.ATOMIC_GROUP:
        return openings([*av, *rest], n)
    if op is sre.BRANCH:
        return set().union(*(openings([*branch, *rest], n) for branch in av[1]))
    if op in REPEATS and av[2].getwidth()[0] > 0:
        low, high, item = av
        found = openings(rest, n) if low == 0 else set()
        if high != 0:
            again = (op, (max(low - 1, 0), high if high is sre.MAXREPEAT else high - 1, item))
            found |= openings([*item, again, *rest], n)
        return found
    return {()}


def _class(op, av) -> str:
    """A literal or a character set as regex text, or "" when it is not one this reader spells."""
    if op is sre.LITERAL:
        return re.escape(chr(av))
    text = []
    for kind, value in av:
        if kind is sre.LITERAL:
            text.append(re.escape(chr(value)))
        elif kind is sre.RANGE:
            text.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is sre.CATEGORY and value in _CATEGORIES:
            text.append(_CATEGORIES[value])
        else:
            return ""
    return f"[{''.join(text)}]"


def lookahead(patterns: list[tuple[str, sre_parse.SubPattern]], n: int = OPENING_CHARS) -> str:
    """A lookahead that holds wherever one of the patterns (text, parsed) could match: their openings as one
    trie, and whole (named groups unnamed) each pattern that may open with anything."""
    narrow: set[Opening] = set()
    whole = []
    for text, parsed in patterns:
        found = openings(list(parsed), n)
        if () in found:
            whole.append(_GROUP_NAME.sub("(?:", text))
        else:
            narrow |= found
    return "(?=" + "|".join([*([_trie(narrow)] if narrow else []), *whole]) + ")"


def _trie(found: set[Opening]) -> str:
    """The openings as one alternation, each class tried once per prefix."""
    if () in found:
        return ""  # an opening ends here: what follows is not needed
    by_first: dict[str, set[Opening]] = {}
    for opening in found:
        by_first.setdefault(opening[0], set()).add(opening[1:])
    out = []
    for first, tails in sorted(by_first.items()):
        rest = _trie(tails)
        out.append(first + (f"(?:{rest})" if "|" in rest else rest))
    return "|".join(out)
