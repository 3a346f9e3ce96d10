"""Stance targets as data: an id, aliases and spelling variants, and context aliases that only count beside one.

A target (say the Muslim Brotherhood) is matched on the match key after the proclitics are peeled, so hamza,
alef, ة/ه and ى/ي forms and a leading و ف ب ك ل or ال need no entry. A one-word alias is expanded to its word
forms (`word_variants`): the nisba adjective and its feminine, plural, dual and construct forms (قطر: قطري، القطرية،
القطريين، قطريو), so a list names the state once. A context alias ("الجماعة", "المرشد") is a common word on its
own: it counts as a mention only in a document that names the target by a full alias. `exclude` lists phrases that
hold an alias and mean something else ("مرسى مطروح"): no mention inside them counts.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from builder.arabic import PROCLITICS, WORD, deleted_positions, match_key, word_forms
from builder.config import TargetConfig

Alias = tuple[str, ...]  # an alias as its key tokens, lowercased


def key_tokens(text: str) -> list[str]:
    """The key's words, lowercased. Lowercasing the whole key first gives the same words (every other character
    lowercases to one character, a word character or not as before) unless it holds İ (two characters lowercased)
    or Σ (lowercased by what follows it, which may lie past the word)."""
    key = match_key(text)
    if "\u0130" in key or "\u03a3" in key:
        return [t.lower() for t in WORD.findall(key)]
    return WORD.findall(key.lower())


class KeyWords:
    """`key_tokens` of stretches of one text, the text keyed once: the key only deletes or replaces single characters,
    so a stretch's key is the key's stretch between the text's positions less the characters deleted before them."""

    def __init__(self, text: str):
        self.key = match_key(text)
        self.deleted = deleted_positions(text) if len(self.key) != len(text) else []
        # lowercased whole unless it holds İ or Σ (as in `key_tokens`: each word is then lowercased alone)
        self.lower = None if "\u0130" in self.key or "\u03a3" in self.key else self.key.lower()

    def __call__(self, start: int = 0, end: int | None = None) -> list[str]:
        """`key_tokens(text[start:end])`."""
        at = start - bisect_left(self.deleted, start)
        to = len(self.key) if end is None else end - bisect_left(self.deleted, end)
        if self.lower is None:
            return [t.lower() for t in WORD.findall(self.key, at, to)]
        return WORD.findall(self.lower, at, to)


class Aliases(tuple):
    """Aliases as key-token tuples, longest first, with their lookup tables built once (not hashed per call)."""

    def built(self) -> Aliases:
        """The list with its lookup tables built now: when the stages are built, not in each worker forked after
        them (about 0.2 CPU-s for the label stage's 77 lists)."""
        _ = self.starts, self.index
        return self

    @cached_property
    def index(self) -> dict[str, tuple[Alias, ...]]:
        """The aliases (in their order) under their first token, so a token is looked up, not scanned."""
        index: dict[str, list[Alias]] = {}
        for alias in self:
            index.setdefault(alias[0], []).append(alias)
        return {first: tuple(group) for first, group in index.items()}

    @cached_property
    def starts(self) -> frozenset[str]:
        """Every token at which one of the aliases may start: a first token, with each combination of the
        proclitics `word_forms` peels (kept when peeling gives that first token back). A token not in it starts no
        alias, so `alias_spans` looks only at the few positions that hold one (most documents: none)."""
        starts = set()
        for first in self.index:
            for clitics in itertools.product(*(("", *group) for group in PROCLITICS)):
                if first in word_forms(token := "".join(clitics) + first):
                    starts.add(token)
        return frozenset(starts)


def alias_spans(tokens: list[str], aliases: Aliases, at: list[int] | None = None) -> list[tuple[int, int]]:
    """Token spans [start, end) where one of the aliases (`parse_aliases`, longest first) starts; a proclitic is
    allowed. `at`: the positions, in order, of at least every token at which one of the aliases may start
    (`Targets.mentions` asks every target's lists of one document: one pass over its tokens for all, not one a
    list)."""
    if not aliases:
        return []
    starts = aliases.starts
    if at is not None:
        candidates = [j for j in at if tokens[j] in starts]
    elif starts.isdisjoint(tokens):
        return []
    else:
        candidates = [j for j, token in enumerate(tokens) if token in starts]
    index = aliases.index
    found, i = [], 0
    for j in candidates:  # left to right, as every position would be
        if j < i:  # inside the alias found before
            continue
        n = 0
        for form in word_forms(tokens[j]):  # plain loops: this runs once per candidate token of every document
            for alias in index.get(form, ()):
                if len(alias) == 1 or tuple(tokens[j + 1 : j + len(alias)]) == alias[1:]:
                    n = len(alias)
                    break
            if n:
                break
        if n:
            found.append((j, j + n))
        i = j + (n or 1)
    return found


def parse_aliases(names: list[Any], forms: bool = False) -> Aliases:
    """Key-token tuples, longest first; with `forms`, each alias's word forms too (`alias_forms`)."""
    aliases = {tuple(key_tokens(str(n))) for n in names} - {()}
    if forms:
        aliases = {f for a in aliases for f in alias_forms(a)}
    return Aliases(sorted(aliases, key=lambda a: (-len(a), a))).built()


PRONOUNS = ("ه", "ها", "هم", "هما", "هن", "نا", "كم")  # attached possessive and object pronouns
NISBA = ("", "ه", "ون", "ين", "ان", "و", "ات", "ا")  # nisba: feminine (ة is ه), plurals, dual, construct, adverb


def plural_case(token: str) -> set[str]:
    """A sound masculine plural's other case (المسلمين / المسلمون): Arabic writes both, and a list names one."""
    bare = token[2:] if token.startswith("ال") else token
    if len(bare) < 5 or not token.endswith(("ين", "ون")):
        return set()
    return {token[:-2] + ("ون" if token.endswith("ين") else "ين")}


def word_variants(token: str, name: bool = False) -> set[str]:
    """A key token and its suffixed forms: for a name (`name`), its nisba adjective's forms (إيران: إيراني،
    إيرانية، إيرانيون ...; تركيا: تركي ...); for a word, its feminine plural and its forms with a pronoun
    (مؤامرة: مؤامرات، مؤامرته; فشل: فشله، فشلهم; إرهابي: إرهابية، إرهابيين). Over-generated forms that are not
    words cost nothing: they never occur."""
    bare = token[2:] if token.startswith("ال") and len(token) > 4 else token
    out = {token}
    if len(bare) < 3:
        return out
    if name:
        stem = bare[:-2] if bare.endswith("يا") else bare[:-1] if bare.endswith("ا") else bare
        nisba = stem if stem.endswith("ي") else stem + "ي"
        return out | {f"{p}{nisba}{s}" for s in NISBA for p in ("", "ال")}
    if bare.endswith("ي"):
        return out | {token + s for s in NISBA}
    if bare.endswith("ه"):  # ة: feminine plural, and the construct form with a pronoun (مؤامرته)
        return out | {token[:-1] + "ات"} | ({bare[:-1] + "ت" + p for p in PRONOUNS} if bare == token else set())
    return out | plural_case(token) | {token + "ات"} | ({token + p for p in PRONOUNS} if bare == token else set())


def alias_forms(alias: Alias) -> set[Alias]:
    """An alias with its word forms: every form of a one-word alias; the adjective forms of a longer one's last
    word (ي: ية، يين، يون; ة: ات; a plural's other case), so "الأطماع الإيرانية" also matches "الأطماع الإيراني"."""
    if len(alias) == 1:
        return {(f,) for f in word_variants(alias[0])}
    last = alias[-1]
    forms = {last, *(last + s for s in ("ه", "ين", "ون"))} if last.endswith("ي") else \
        {last, last[:-1] + "ات", last[:-1]} if last.endswith("ه") else {last, *plural_case(last)}
    return {(*alias[:-1], f) for f in forms}


@dataclass(frozen=True)
class Target:
    id: str
    aliases: Aliases  # longest first
    context: Aliases  # count only when a full alias is in the same document
    exclude: Aliases  # phrases that hold an alias and mean something else
    adjectives: frozenset[str] = frozenset()  # the nisba forms of its one-word names (القطرية، الإيرانيين)

    def adjective(self, tokens: list[str], span: tuple[int, int]) -> bool:
        """The mention is a nisba adjective ("الميليشيات الإيرانية"): it describes the word before it, so a cue that
        heads it or follows it judges that word, not the target."""
        return span[1] - span[0] == 1 and any(f in self.adjectives for f in word_forms(tokens[span[0]]))

    @cached_property
    def starts(self) -> frozenset[str]:
        """Every token at which one of its aliases, context aliases or exclusions may start."""
        return self.aliases.starts | self.context.starts | self.exclude.starts

    def spans(self, tokens: list[str], in_context: bool | None = None,
              at: list[int] | None = None) -> list[tuple[int, int]]:
        """Mentions in the tokens; context aliases join when `in_context` (by default: a full alias is there).
        `at`: as in `alias_spans`, the positions of at least the tokens of `starts`."""
        spans = alias_spans(tokens, self.aliases, at)
        if self.exclude and spans:
            out = {i for s, e in alias_spans(tokens, self.exclude, at) for i in range(s, e)}
            spans = [(s, e) for s, e in spans if s not in out]
        if self.context and (in_context if in_context is not None else bool(spans)):
            taken = {i for s, e in spans for i in range(s, e)}
            spans += [(s, e) for s, e in alias_spans(tokens, self.context, at) if not taken & set(range(s, e))]
        return sorted(spans)


class Targets:
    """The configured stance targets (`label.targets`), typed or as plain data of the same fields."""

    def __init__(self, targets: list[TargetConfig | dict[str, Any]]):
        self.targets = [self.parse(t) for t in targets]
        if len(set(self.ids)) != len(self.targets):
            raise ValueError(f"stance target ids repeat: {self.ids}")
        # every token at which a mention of any target may start (built now, as the aliases' tables are)
        self.starts: frozenset[str] = frozenset().union(*(t.starts for t in self.targets))

    @staticmethod
    def parse(entry: TargetConfig | dict[str, Any]) -> Target:
        t = entry if isinstance(entry, TargetConfig) else TargetConfig(**entry)
        aliases = parse_aliases([*t.ar, *t.en, *t.variants])
        if not aliases:
            raise ValueError(f"stance target {t.id!r} has no aliases (ar, en, variants)")
        names = {f for a in aliases if len(a) == 1 for f in word_variants(a[0], name=True)}
        # a form that is itself a name (الحوثي، الحوثيين: the movement is called by its nisba) is no adjective
        adjectives = frozenset(names - {f for a in aliases if len(a) == 1 for f in word_forms(a[0])})
        cases = [" ".join((*a[:-1], f)) for a in aliases if len(a) > 1 for f in plural_case(a[-1])]
        aliases = parse_aliases([*(" ".join(a) for a in aliases), *names, *cases])
        return Target(str(t.id), aliases, parse_aliases(list(t.context)), parse_aliases(list(t.exclude)), adjectives)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.targets]

    def mentions(self, text: str) -> dict[str, int]:
        """Mentions per target id, for the targets the text names by a full alias, most mentioned first."""
        return self.mentioned_in(key_tokens(text))

    def mentioned_in(self, tokens: list[str]) -> dict[str, int]:
        """`mentions` of a text already keyed (`key_tokens`)."""
        at = [j for j, token in enumerate(tokens) if token in self.starts]
        if not at:  # no token a mention may start at
            return {}
        counts = {t.id: len(t.spans(tokens, at=at)) for t in self.targets}
        return dict(sorted(((t, n) for t, n in counts.items() if n), key=lambda x: (-x[1], self.ids.index(x[0]))))

    def main(self, text: str) -> Target | None:
        """The target mentioned most (ties: the first configured), or None when no target is mentioned."""
        found = self.mentions(text)
        return self.get(next(iter(found))) if found else None

    def get(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no stance target {target_id!r} (configured: {', '.join(self.ids)})")
