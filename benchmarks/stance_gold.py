"""Hand-labelled news stance gold: selection, loading and counts.

The gold (benchmarks/stance_gold/labels.jsonl; v2 in stance_gold/v2/) holds only keys and labels, because the
article texts belong to the outlets and may not be redistributed. This module joins the labels with the texts in
../shared/eval (benchmarks/eval_data.py) at run time.

    python benchmarks/stance_gold.py                 # counts per target x outlet x stance, as JSON
    python benchmarks/stance_gold.py select          # (re)writes stance_gold/selection.jsonl, deterministic
    python benchmarks/stance_gold.py show 0 20       # prints selected articles 0..19 for annotation
    python benchmarks/stance_gold.py agreement       # first pass vs the blind second pass, as JSON
    python benchmarks/stance_gold.py select-v2       # (re)writes stance_gold/v2/selection.jsonl: 7 targets, 7 countries
    python benchmarks/stance_gold.py counts-v2       # pairs per target, country, half, batch of the v2 draw, as JSON
    python benchmarks/stance_gold.py show-v2 --batch 1 --start 0 --count 10   # v2 articles for labelling
    python benchmarks/stance_gold.py select-v2-opinion   # (re)writes v2/selection-opinion.jsonl: the opinion addendum
    python benchmarks/stance_gold.py counts-v2-opinion   # its counts; show-v2 --batch 4/5/6 shows its articles
    python benchmarks/stance_gold.py select-v2-opinion2  # (re)writes v2/selection-opinion2.jsonl: the second addendum
    python benchmarks/stance_gold.py counts-v2-opinion2  # its counts; show-v2 --batch 7/8/9 shows its articles
    python benchmarks/stance_gold.py agreement-v2        # labels vs the blind second passes, in all and per file
    python benchmarks/stance_gold.py near-copies-v2      # drawn articles that are the same text, labels' agreement

Written blind to the builder's stance labeler: nothing here imports `builder`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import pickle
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

import yaml
from eval_data import EVAL

T = TypeVar("T")

HERE = Path(__file__).resolve().parent / "stance_gold"
EGYPT = EVAL / "egypt_news_2013_newscred" / "by_outlet"
ANT = EVAL / "ant_corpus_multisource" / "ant_multisource_v2.1.jsonl.gz"
STANCES = ("none", "favor", "against")
READ_CHARS = 2000  # the annotator read at least this much of each body, so a mention must fall inside it
SEED = "stance-gold-v1"


@dataclass(frozen=True)
class Article:
    """One news article as the annotator saw it: headline first, then the body."""

    corpus: str
    key: str
    outlet: str
    title: str
    text: str
    url: str | None
    category: str | None = None


class Targets:
    """Finds target mentions by alias; weak aliases count only next to a strong one (they are ambiguous alone)."""

    def __init__(self, path: Path = HERE / "targets.yaml") -> None:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.names = list(spec)
        self._strong = {t: self._pattern(spec[t]["strong"]) for t in spec}
        self._weak = {t: self._pattern(spec[t].get("weak") or []) for t in spec}

    @staticmethod
    def _pattern(aliases: list[str]) -> re.Pattern[str] | None:
        if not aliases:
            return None
        return re.compile("|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True)))

    def strong_hits(self, target: str, text: str) -> int:
        return len(self._strong[target].findall(text))

    def hits(self, target: str, text: str) -> int:
        """Strong hits plus, when there is at least one, weak hits."""
        strong = self.strong_hits(target, text)
        weak = self._weak[target]
        return strong + (len(weak.findall(text)) if strong and weak else 0)

    def mentioned(self, article: Article) -> list[str]:
        """Targets an annotator meets in what they read: a strong alias in the headline or the first 2,000 chars."""
        seen = article.title + "\n" + article.text[:READ_CHARS]
        return [t for t in self.names if self.strong_hits(t, seen)]


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()


def iter_egypt(outlets: list[str] | None = None) -> Iterator[Article]:
    for path in sorted(EGYPT.glob("*.jsonl.gz")):
        outlet = path.name.removesuffix(".jsonl.gz")
        if outlets is not None and outlet not in outlets:
            continue
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                yield Article("egypt_news", row["path"], row["outlet"], _clean(row["title"] or ""),
                              _clean(row["body"] or ""), None, row.get("category"))


def iter_ant() -> Iterator[Article]:
    with gzip.open(ANT, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield Article("ant", row["path"], row["src"], _clean(row["title"] or ""), _clean(row["text"] or ""),
                          row.get("url") or None, row.get("cat"))


# Articles per (corpus, outlet, target) stratum. Iran mostly from ANT (2018), the Brotherhood mostly from egypt_news
# (2012-13); "both" strata come first so that the set holds articles that mention both targets.
STRATA: list[tuple[str, str, str, int]] = [
    *[("egypt_news", o, "both", n) for o, n in [
        ("fjp", 4), ("ElWatanNews", 3), ("officialyoum77", 3), ("El.Dostor.News", 3), ("Tahrir.News.Official", 3),
        ("shorouknews", 3), ("almasryalyoum", 3), ("elfagr", 3), ("cnnarabic", 2), ("bbcarabicnews", 2)]],
    *[("ant", o, "both", n) for o, n in [("alarabia", 4), ("skynews", 4), ("BBC", 2), ("CNN", 2), ("france24", 2)]],
    *[("ant", o, "iran", n) for o, n in [("alarabia", 26), ("skynews", 26), ("BBC", 24), ("CNN", 24),
                                         ("france24", 24)]],
    *[("ant", o, "muslim_brotherhood", n) for o, n in [("alarabia", 5), ("skynews", 5), ("BBC", 2), ("CNN", 3),
                                                         ("france24", 2)]],
    *[("egypt_news", o, "muslim_brotherhood", n) for o, n in [
        ("fjp", 24), ("ElWatanNews", 14), ("officialyoum77", 14), ("El.Dostor.News", 14), ("Tahrir.News.Official", 14),
        ("shorouknews", 12), ("almasryalyoum", 12), ("elfagr", 12), ("masrawy", 6), ("akhbarelyomgate", 6),
        ("cnnarabic", 7), ("bbcarabicnews", 7)]],
    *[("egypt_news", o, "iran", n) for o, n in [("fjp", 3), ("ElWatanNews", 2), ("officialyoum77", 2),
                                              ("El.Dostor.News", 2), ("shorouknews", 2), ("cnnarabic", 2),
                                              ("bbcarabicnews", 2)]],
]
MIN_BODY = 400  # shorter items are mostly teasers with too little framing to label


class Selector:
    """Deterministic, seeded draw of articles that mention a target, spread over outlets.

    An article qualifies for a target when a strong alias is in the headline or the first 2,000 characters of the
    body and the target has at least two hits in headline + body (one passing mention is too thin to carry a
    stance). Within a stratum candidates are ordered by sha1(seed + key); exact-copy bodies and repeated
    (outlet, headline) pairs are skipped, so an article edited between RSS polls is drawn once.
    """

    def __init__(self, targets: Targets, seed: str = SEED) -> None:
        self.targets = targets
        self.seed = seed

    def qualifies(self, article: Article) -> list[str]:
        if len(article.text) < MIN_BODY:
            return []
        full = article.title + "\n" + article.text
        return [t for t in self.targets.mentioned(article) if self.targets.hits(t, full) >= 2]

    def _rank(self, key: str) -> str:
        return hashlib.sha1((self.seed + key).encode("utf-8")).hexdigest()

    def select(self) -> list[dict]:
        pools: dict[tuple[str, str, str], list[tuple[str, Article, list[str]]]] = {}
        wanted = {(c, o) for c, o, _, _ in STRATA}
        egypt_outlets = sorted({o for c, o in wanted if c == "egypt_news"})
        for article in [*iter_egypt(egypt_outlets), *iter_ant()]:
            if (article.corpus, article.outlet) not in wanted:
                continue
            found = self.qualifies(article)
            kinds = found + (["both"] if len(found) == 2 else [])
            for kind in kinds:
                pools.setdefault((article.corpus, article.outlet, kind), []).append(
                    (self._rank(article.key), article, found))
        chosen: list[dict] = []
        taken_keys: set[str] = set()
        taken_bodies: set[str] = set()
        taken_titles: set[tuple[str, str]] = set()
        for corpus, outlet, kind, n in STRATA:
            pool = sorted(pools.get((corpus, outlet, kind), []), key=lambda item: item[0])
            got = 0
            for _, article, found in pool:
                body = hashlib.sha1(article.text.encode("utf-8")).hexdigest()
                if got == n:
                    break
                if article.key in taken_keys or body in taken_bodies or (outlet, article.title) in taken_titles:
                    continue
                taken_keys.add(article.key)
                taken_bodies.add(body)
                taken_titles.add((outlet, article.title))
                chosen.append({"corpus": corpus, "key": article.key, "outlet": outlet, "stratum": kind,
                               "targets": self.targets.mentioned(article), "qualified": found,
                               "pool_size": len(pool)})
                got += 1
        return chosen


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def articles_by_key(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Article]:
    """Reads only the outlet files that hold a wanted key (the ANT file is read once when any ANT key is wanted)."""
    found: dict[tuple[str, str], Article] = {}
    egypt_outlets = sorted({k.split("/", 1)[0] for c, k in keys if c == "egypt_news"})
    sources = [iter_egypt(egypt_outlets)] + ([iter_ant()] if any(c == "ant" for c, _ in keys) else [])
    sources += [iter_jawhara()] if any(c == "jawharafm" for c, _ in keys) else []
    for source in sources:
        for article in source:
            if (article.corpus, article.key) in keys:
                found[(article.corpus, article.key)] = article
    return found


def load_gold(labels: Path = HERE / "labels.jsonl") -> list[dict]:
    """The gold joined with the article text: one dict per (article, target) pair.

    Keys: corpus, key, outlet, target, stance, rationale, quoted_stance, title, text, url. Raises when a labelled
    article is missing from the evaluation data, since a silently shorter gold would change every figure.
    """
    rows = read_jsonl(labels)
    texts = articles_by_key({(r["corpus"], r["key"]) for r in rows})
    missing = [r["key"] for r in rows if (r["corpus"], r["key"]) not in texts]
    if missing:
        raise FileNotFoundError(f"{len(missing)} labelled articles not found in {EVAL}, e.g. {missing[0]}")
    gold = []
    for r in rows:
        article = texts[(r["corpus"], r["key"])]
        gold.append({**r, "quoted_stance": r.get("quoted_stance"), "title": article.title, "text": article.text,
                     "url": article.url})
    return gold


def counts(rows: list[dict]) -> dict:
    """Pairs per target x stance, target x outlet x stance, and articles that carry both targets."""
    by_target: dict[str, Counter] = {}
    by_outlet: dict[str, dict[str, Counter]] = {}
    per_article = Counter((r["corpus"], r["key"]) for r in rows)
    for r in rows:
        by_target.setdefault(r["target"], Counter())[r["stance"]] += 1
        by_outlet.setdefault(r["target"], {}).setdefault(r["outlet"], Counter())[r["stance"]] += 1
    return {
        "pairs": len(rows),
        "articles": len(per_article),
        "articles_with_both_targets": sum(1 for n in per_article.values() if n > 1),
        "by_target": {t: {s: c[s] for s in STANCES} for t, c in sorted(by_target.items())},
        "by_target_outlet": {t: {o: {s: c[s] for s in STANCES} for o, c in sorted(outlets.items())}
                             for t, outlets in sorted(by_outlet.items())},
        "quoted_stance_pairs": sum(1 for r in rows if r.get("quoted_stance")),
    }


def agreement(first: list[dict], second: list[dict], field: str = "stance") -> dict:
    """Raw agreement and Cohen's kappa on `field` between the first pass and the blind second pass."""
    a = {(r["corpus"], r["key"], r["target"]): r[field] for r in first}
    pairs = [(a[(r["corpus"], r["key"], r["target"])], r[field]) for r in second
             if (r["corpus"], r["key"], r["target"]) in a]
    n = len(pairs)
    if not n:
        return {"pairs": 0}
    observed = sum(x == y for x, y in pairs) / n
    first_marg, second_marg = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(first_marg[s] * second_marg[s] for s in first_marg) / (n * n)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    confusion = Counter(f"{x}->{y}" for x, y in pairs if x != y)
    return {"pairs": n, "agreement": round(observed, 3), "cohen_kappa": round(kappa, 3),
            "disagreements": dict(confusion)}


def _show(start: int, stop: int) -> None:
    """Prints selected articles for annotation: headline, the first 2,000 chars, then later target sentences."""
    selection = read_jsonl(HERE / "selection.jsonl")[start:stop]
    texts = articles_by_key({(s["corpus"], s["key"]) for s in selection})
    targets = Targets()
    for i, s in enumerate(selection, start):
        article = texts[(s["corpus"], s["key"])]
        print(f"=== #{i} {s['outlet']} targets={','.join(s['targets'])}\nT: {article.title}")
        print(article.text[:READ_CHARS])
        rest = article.text[READ_CHARS:]
        later = [x for x in re.split(r"(?<=[.!?؟\n])\s*", rest) if any(targets.strong_hits(t, x) for t in s["targets"])]
        if later:
            print("... LATER:", " | ".join(x.strip()[:300] for x in later[:4]))
        print()


# ---------------------------------------------------------------------------------------------------------------
# v2 (issue 20): seven targets of three kinds, outlets of six countries, a dev/test half and a labelling batch each.

V2 = HERE / "v2"
JAWHARA = EVAL / "ant_corpus_jawharafm" / "ant_jawharafm_v1.1.jsonl.gz"
SEED_V2 = "stance-gold-v2"
SHOW_CHARS = 1500  # what show-v2 prints of the body before the later target sentences
CACHE = Path("/tmp/stance_gold_cache")
ENGLISH_OUTLETS = ("englishAhram", "englishFjp")
COUNTRY = {"egypt_news": "Egypt", "jawharafm": "Tunisia", "skynews": "UAE", "alarabia": "Saudi Arabia",
           "BBC": "UK", "CNN": "US", "france24": "France"}
GENRES = ("news", "opinion", "analysis")
# Proclitics that may precede an alias: a conjunction, then a preposition, then the article (or contracted لل).
PROCLITICS = "(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)"


def iter_jawhara() -> Iterator[Article]:
    with gzip.open(JAWHARA, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield Article("jawharafm", row["path"], "jawharafm", _clean(row["title"] or ""),
                          _clean(row["text"] or ""), row.get("url") or None, row.get("cat"))


def iter_all() -> Iterator[Article]:
    """Every Arabic article of the three corpora (the two English egypt_news outlets left out)."""
    outlets = sorted(p.name.removesuffix(".jsonl.gz") for p in EGYPT.glob("*.jsonl.gz"))
    yield from iter_egypt([o for o in outlets if o not in ENGLISH_OUTLETS])
    yield from iter_ant()
    yield from iter_jawhara()


def country(article_or_row: Article | dict) -> str:
    corpus = getattr(article_or_row, "corpus", None) or article_or_row["corpus"]
    outlet = getattr(article_or_row, "outlet", None) or article_or_row["outlet"]
    return COUNTRY.get(corpus) or COUNTRY[outlet]


def _cached(name: str, inputs: list[Path], build: Callable[[], T]) -> T:
    """build() once per version of its inputs, pickled under /tmp: the gz corpora take a minute to read and parse.

    The corpora count by size and mtime, the repo's targets and selection by content, so every worktree shares it.
    Callers pickle plain tuples, not Article, so the cache reads the same whether this file runs as a script or as
    the imported module `stance_gold`.
    """
    def version(p: Path) -> str:  # the repo's small files by content (worktrees differ in path and mtime)
        return f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" if p.is_relative_to(EVAL) else \
            hashlib.sha1(p.read_bytes()).hexdigest()

    stamp = hashlib.sha1("|".join(version(p) for p in inputs).encode())
    path = CACHE / f"{name}-{stamp.hexdigest()[:16]}.pickle"
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)
    value = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return value


def _corpus_files() -> list[Path]:
    return [*sorted(EGYPT.glob("*.jsonl.gz")), ANT, JAWHARA]


class WordTargets(Targets):
    """v2 alias matching: an alias starts a word (after proclitics) and is a stem unless it ends in `$`.

    A hit inside an `exclude` phrase (a place, homonym or fixed expression sharing the letters) never counts.
    """

    def __init__(self, path: Path = V2 / "targets.yaml") -> None:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.names = list(spec)
        self.spec = spec
        self._strong = {t: self._words(spec[t]["strong"]) for t in spec}
        self._weak = {t: self._words(spec[t].get("weak") or []) for t in spec}
        self._exclude = {t: self._words(spec[t].get("exclude") or [], whole=True) for t in spec}
        # The bare letters of every alias: a plain substring test rules most texts out before the (slow) regex.
        self._cores = {p: tuple({a.removesuffix("$").strip() for a in aliases}) for p, aliases in
                       [(self._strong[t], spec[t]["strong"]) for t in spec] +
                       [(self._weak[t], spec[t].get("weak") or []) for t in spec] if p is not None}

    @staticmethod
    def _words(aliases: list[str], whole: bool = False) -> re.Pattern[str] | None:
        if not aliases:
            return None
        parts = []
        for alias in sorted(set(aliases), key=len, reverse=True):
            exact = whole or alias.endswith("$")
            parts.append(re.escape(alias.removesuffix("$").strip()) + (r"(?!\w)" if exact else r"\w*"))
        return re.compile(rf"(?<!\w){PROCLITICS}(?:{'|'.join(parts)})")

    def _count(self, pattern: re.Pattern[str] | None, target: str, text: str) -> int:
        if pattern is None or not any(core in text for core in self._cores[pattern]):
            return 0
        exclude = self._exclude[target]
        spans = [m.span() for m in exclude.finditer(text)] if exclude else []
        return sum(1 for m in pattern.finditer(text) if not any(a <= m.start() and m.end() <= b for a, b in spans))

    def strong_hits(self, target: str, text: str) -> int:
        return self._count(self._strong[target], target, text)

    def hits(self, target: str, text: str) -> int:
        strong = self.strong_hits(target, text)
        return strong + (self._count(self._weak[target], target, text) if strong else 0)


# Cues a reader sees before reading a line: an opinion/analysis section or category, a URL path, a byline formula or
# disclaimer at the top, a headline that announces a view or an explainer. Used only to enrich the draw; the labels'
# `genre` is the labeller's own judgement.
OPINION_CATEGORIES = {("egypt_news", "articles"): "opinion section", ("egypt_news", "investigations"): "investigations"}
OPINION_URL = ("opinion", "oped", "op-ed", "analysis", "/views/", "blog", "editorial")
OPINION_OPENING = ("بقلم", "هذا المقال", "والآراء الواردة", "رأي الكاتب", "يكتب:", "كتب:")
OPINION_TITLE = ("رأي", "تحليل", "مقال", "وجهة نظر", "قراءة في", "عمود", "بقلم", "لماذا", "كيف", "ماذا", "هل ")


def opinion_cues(article: Article) -> list[str]:
    """Every kind of opinion/analysis cue the article carries (its first of each), in order: category, URL, opening,
    headline."""
    cues = []
    if (article.corpus, article.category) in OPINION_CATEGORIES:
        cues.append("category: " + OPINION_CATEGORIES[(article.corpus, article.category)])
    url = unquote(article.url or "").lower()
    cues += ["url: " + cue for cue in OPINION_URL if cue in url][:1]
    cues += ["opening: " + cue for cue in OPINION_OPENING if cue in article.text[:200]][:1]
    cues += ["title: " + cue.strip() for cue in OPINION_TITLE if re.search(rf"(?<!\w){cue}", article.title)][:1]
    return cues


def opinion_cue(article: Article) -> str | None:
    """Why the article is probably an opinion or analysis piece (its first cue), or None for a likely news report."""
    cues = opinion_cues(article)
    return cues[0] if cues else None


# Strata (corpus, outlet, kind, quota), drawn in this order. kind is a target (the article qualifies for it) or
# "opinion" (it qualifies for any target and carries an opinion/analysis cue). Opinion strata come first so the
# genre can be measured; then the Gulf outlets on the Gulf targets (2018: the Qatar boycott, the Yemen war, Iran),
# the party paper on its own movement and president, then a spread over every other outlet and target.
EGYPT_OUTLETS = ("fjp", "ElWatanNews", "officialyoum77", "El.Dostor.News", "Tahrir.News.Official", "shorouknews",
                 "almasryalyoum", "elfagr", "masrawy", "akhbarelyomgate", "cnnarabic", "bbcarabicnews",
                 "Alahram.Newspaper")
ANT_OUTLETS = ("skynews", "alarabia", "BBC", "CNN", "france24")
def _strata_v2() -> list[tuple[str, str, str, int]]:
    strata: list[tuple[str, str, str, int]] = []
    strata += [("egypt_news", o, "opinion", n) for o, n in [
        ("fjp", 75), ("officialyoum77", 25), ("ElWatanNews", 20), ("almasryalyoum", 6), ("Alahram.Newspaper", 6),
        ("shorouknews", 6), ("El.Dostor.News", 6), ("Tahrir.News.Official", 6), ("elfagr", 6)]]
    strata += [("ant", o, "opinion", n) for o, n in [("CNN", 20), ("alarabia", 10), ("skynews", 10), ("BBC", 6),
                                                     ("france24", 6)]]
    strata += [("jawharafm", "jawharafm", "opinion", 3)]
    gulf = {"qatar": 30, "iran": 22, "houthis": 36, "israel": 12, "erdogan": 20, "muslim_brotherhood": 12,
            "morsi": 6}
    strata += [("ant", o, t, n) for o in ("skynews", "alarabia") for t, n in gulf.items()]
    strata += [("ant", o, t, n) for o in ("BBC", "CNN", "france24") for t, n in
               [("qatar", 8), ("iran", 6), ("houthis", 12), ("israel", 6), ("erdogan", 12), ("muslim_brotherhood", 4),
                ("morsi", 3)]]
    strata += [("egypt_news", "fjp", t, n) for t, n in [("morsi", 30), ("muslim_brotherhood", 20), ("israel", 8),
                                                        ("qatar", 6), ("erdogan", 8), ("iran", 4)]]
    egypt = {"morsi": 8, "muslim_brotherhood": 4, "qatar": 5, "israel": 4, "erdogan": 6, "iran": 2, "houthis": 2}
    strata += [("egypt_news", o, t, n) for o in EGYPT_OUTLETS if o != "fjp" for t, n in egypt.items()]
    # Tunisia (2017): the rarer targets first, so the Gulf crisis (Qatar) does not fill the outlet on its own.
    strata += [("jawharafm", "jawharafm", t, n) for t, n in [("erdogan", 15), ("houthis", 4), ("morsi", 2),
                                                             ("muslim_brotherhood", 9), ("iran", 15), ("israel", 16),
                                                             ("qatar", 16)]]
    return strata


STRATA_V2 = _strata_v2()


class SelectorV2(Selector):
    """The v2 draw: v1's qualification rule with word-start aliases, strata with quotas, v1's keys left out."""

    def __init__(self, targets: WordTargets, seed: str = SEED_V2, strata: list | None = None) -> None:
        super().__init__(targets, seed)
        self.strata = strata or STRATA_V2

    def candidates(self) -> list[tuple[Article, list[str], list[str]]]:
        """(article, targets met, targets qualified) for every article that meets a target, cached under /tmp."""

        def build() -> list[tuple[tuple, list[str], list[str]]]:
            found = []
            for article in iter_all():
                met = self.targets.mentioned(article)
                if met:
                    found.append((astuple(article), met, self.qualifies(article)))
            return found

        rows = _cached("candidates-v2", [*_corpus_files(), V2 / "targets.yaml"], build)
        return [(Article(*a), met, found) for a, met, found in rows]

    def select(self) -> list[dict]:
        v1 = {(s["corpus"], s["key"]) for s in read_jsonl(HERE / "selection.jsonl")}
        pools: dict[tuple[str, str, str], list[tuple[str, Article, list[str], list[str]]]] = {}
        for article, met, found in self.candidates():
            if not found or (article.corpus, article.key) in v1:
                continue
            kinds = found + (["opinion"] if opinion_cue(article) else [])
            for kind in kinds:
                pools.setdefault((article.corpus, article.outlet, kind), []).append(
                    (self._rank(article.key), article, met, found))
        return assign_batches(self._draw(self.strata, pools, opinion_cue, _fingerprints))

    def select_opinion(self, strata: list[tuple[str, str, str, int]] | None = None) -> list[dict]:
        """The opinion addendum (batches 4-6): articles that qualify for a target and carry an addendum cue.

        Nothing drawn in v1 or v2 is drawn again, nor an exact copy of its body or its (outlet, headline); within the
        addendum a headline repeated at another outlet (a column both sister sites ran) is drawn once.
        """
        return self._addendum((HERE / "selection.jsonl", V2 / "selection.jsonl"), _fingerprints, addendum_cue,
                              strata or STRATA_OPINION, first=4)

    def select_opinion2(self) -> list[dict]:
        """The second opinion addendum (batches 7-9): strong cues only, none drawn in v1, v2 or the first addendum.

        A headline repeated at another outlet counts as drawn here too, so a sister site's copy of a column labelled
        before is not drawn again.
        """
        return self._addendum((HERE / "selection.jsonl", V2 / "selection.jsonl", SELECTION_OPINION),
                              _addendum_fingerprints, addendum2_cue, STRATA_OPINION2, first=7)

    def _addendum(self, drawn: tuple[Path, ...], drawn_marks: Callable[[Article], list[tuple]],
                  cue: Callable[[Article], str | None], strata: list[tuple[str, str, str, int]],
                  first: int) -> list[dict]:
        """Articles that qualify for a target and carry `cue`, pooled by cue tier; `drawn`'s articles left out."""
        before = {(s["corpus"], s["key"]) for path in drawn for s in read_jsonl(path)}
        pools: dict[tuple[str, str, str], list[tuple[str, Article, list[str], list[str]]]] = {}
        taken: set[tuple] = set()
        for article, met, found in self.candidates():
            if (article.corpus, article.key) in before:
                taken.update(drawn_marks(article))
                continue
            kind = cue(article)
            if not found or kind is None:
                continue
            pools.setdefault((article.corpus, article.outlet, cue_tier(kind)), []).append(
                (self._rank(article.key), article, met, found))
        return assign_batches(self._draw(strata, pools, cue, _addendum_fingerprints, taken), first=first)

    def _draw(self, strata: list[tuple[str, str, str, int]], pools: dict[tuple[str, str, str], list],
              cue: Callable[[Article], str | None], fingerprints: Callable[[Article], list[tuple]],
              taken: set[tuple] | None = None) -> list[dict]:
        """Each stratum's quota in rank order, skipping an article any of whose fingerprints was taken before."""
        taken = set(taken or ())
        chosen: list[dict] = []
        for corpus, outlet, kind, n in strata:
            pool = sorted(pools.get((corpus, outlet, kind), []), key=lambda item: item[0])
            got = 0
            for _, article, met, found in pool:
                if got == n:
                    break
                marks = fingerprints(article)
                if taken.intersection(marks):
                    continue
                taken.update(marks)
                chosen.append({"corpus": corpus, "key": article.key, "outlet": outlet, "country": country(article),
                               "category": article.category, "url": article.url, "stratum": kind,
                               "opinion_cue": cue(article), "targets": met, "qualified": found,
                               "pool_size": len(pool)})
                got += 1
        return chosen


def _fingerprints(article: Article) -> list[tuple]:
    """v2's identity of an article: its key, its body (exact copies) and its (outlet, headline) (edited re-polls)."""
    return [("key", article.key), ("body", hashlib.sha1(article.text.encode("utf-8")).hexdigest()),
            ("title", article.outlet, article.title)]


def _addendum_fingerprints(article: Article) -> list[tuple]:
    """v2's fingerprints plus the headline across outlets, its letters normalised (hamza, alif maqsura, ta marbuta)."""
    letters = re.sub(r"[\W\d_]", "", article.title.translate(HEADLINE_LETTERS))
    return [*_fingerprints(article), ("headline", letters)]


# ---------------------------------------------------------------------------------------------------------------
# The opinion addendum (batches 4-6): opinion and analysis pieces only, so each genre has enough pairs to calibrate.

SELECTION_OPINION = V2 / "selection-opinion.jsonl"
# A headline that is a column's byline ("Name writes: ..."), the form the Egyptian sites give their columns; opinion_cue
# looks for a byline only at the top of the body, so it misses them.
HEADLINE_BYLINE = re.compile(r"(?<!\w)[يت]كتب\s*:")
# The second addendum's headline byline also takes "Name writes for <paper>:" (Tahrir's guest columns:
# يكتب لـ«التحرير»:) and "Name writes.. title" (ElWatan's, Tahrir's and Elfagr's columnists), which the first one
# missed; the verb followed by anything else ("protesters write on the wall") is a news report.
PAPER = r"[«\"]?[^:»\"\s]{2,12}(?:\s[^:»\"\s]{2,12})?[»\"]?"
HEADLINE_BYLINE2 = re.compile(rf"(?<!\w)[يت]كتب\s*(?::|\.\.|لـ?\s*{PAPER}\s*:)")
# Categories opinion_cue trusts that are not an opinion section at this outlet: Youm7's `articles` path holds its
# news (the 31 v2 articles drawn from it on that cue were all labelled news).
NOT_OPINION_CATEGORIES = {("officialyoum77", "articles")}
QUESTION_WORDS = ("هل", "كيف", "لماذا", "ماذا")  # headline cues that often head a news report: drawn last
# The addendum's cue kinds, strongest first: an opinion section, an opinion URL, a byline (at the top of the body or as
# the headline), an investigations category (half of v2's were labelled news), a headline word, a question headline.
CUE_TIERS = ("section", "url", "byline", "investigations", "headline", "question")
HEADLINE_LETTERS = str.maketrans("أإآىة", "ااايه")


def cue_tier(cue: str) -> str:
    """The addendum's kind of a cue (CUE_TIERS)."""
    kind, _, word = cue.partition(": ")
    if kind == "category":
        return "section" if word == "opinion section" else word
    if kind == "title":
        return "question" if word in QUESTION_WORDS else "headline"
    return "byline" if kind == "opening" else kind


def addendum_cue(article: Article, byline: re.Pattern[str] = HEADLINE_BYLINE) -> str | None:
    """The strongest cue for the addendum: opinion_cues without a mistaken category, plus a headline byline."""
    cues = [c for c in opinion_cues(article)
            if not (c.startswith("category") and (article.outlet, article.category) in NOT_OPINION_CATEGORIES)]
    cues += ["byline: headline"] if byline.search(article.title) else []
    return min(cues, key=lambda c: CUE_TIERS.index(cue_tier(c)), default=None)


def addendum2_cue(article: Article) -> str | None:
    """addendum_cue with the wider headline byline of the second addendum (HEADLINE_BYLINE2)."""
    return addendum_cue(article, HEADLINE_BYLINE2)


# Strata (corpus, outlet, cue tier, quota), drawn in this order; a quota above the pool takes the whole pool. About 420
# pairs, no outlet above a third: the party paper's opinion section and the sister sites' columns for opinion, the
# investigations and the Reuters/agency analyses for analysis, then question headlines, most from the 2018 outlets
# (v2's there: 20 of 45 labelled analysis or opinion, against 9 of 29 at the Egyptian outlets), one or two per
# Egyptian outlet.
ALL = 999
STRATA_OPINION: list[tuple[str, str, str, int]] = [
    ("egypt_news", "fjp", "section", 42),
    ("ant", "CNN", "url", ALL),
    *[("egypt_news", o, "byline", n) for o, n in [("El.Dostor.News", 35), ("Tahrir.News.Official", 22),
                                                  ("ElWatanNews", ALL), ("fjp", ALL), ("almasryalyoum", ALL),
                                                  ("elfagr", ALL)]],
    *[("ant", o, "byline", ALL) for o in ("CNN", "skynews")],
    ("egypt_news", "ElWatanNews", "investigations", 24),
    ("egypt_news", "fjp", "investigations", 20),
    *[("egypt_news", o, "headline", ALL) for o in EGYPT_OUTLETS],
    *[("ant", o, "headline", ALL) for o in ANT_OUTLETS],
    *[("ant", o, "question", n) for o, n in [("skynews", 20), ("BBC", 16), ("alarabia", 12), ("france24", 8),
                                             ("CNN", 6)]],
    *[("egypt_news", o, "question", 2 if o in ("bbcarabicnews", "cnnarabic", "shorouknews", "elfagr") else 1)
      for o in EGYPT_OUTLETS if o != "fjp"],
    ("jawharafm", "jawharafm", "question", ALL),
]


# The second addendum (batches 7-9): only the strong cues (section, URL, byline, investigations); the headline-word
# pool is empty after the first addendum took it all, and question headlines were mostly news there (41 of 77
# articles). Every strong-cue article left is drawn except the party paper's investigations, capped so `fjp` stays near
# a third of the pairs; its opinion section comes first.
SELECTION_OPINION2 = V2 / "selection-opinion2.jsonl"
FJP_INVESTIGATIONS2 = 24


def _strata_opinion2() -> list[tuple[str, str, str, int]]:
    strata: list[tuple[str, str, str, int]] = [("egypt_news", "fjp", "section", ALL)]
    strata += [("ant", o, "url", ALL) for o in ANT_OUTLETS]
    strata += [("egypt_news", o, "byline", ALL) for o in EGYPT_OUTLETS]
    strata += [("ant", o, "byline", ALL) for o in ANT_OUTLETS]
    strata += [("egypt_news", "ElWatanNews", "investigations", ALL),
               ("egypt_news", "fjp", "investigations", FJP_INVESTIGATIONS2)]
    return strata + [("egypt_news", o, "investigations", ALL) for o in EGYPT_OUTLETS if o not in ("fjp", "ElWatanNews")]


STRATA_OPINION2 = _strata_opinion2()


def half_of(key: str) -> str:
    """dev or test by the first byte of sha1(seed + key): both targets of an article fall in the same half."""
    return "dev" if hashlib.sha1(("stance-gold-v2-half" + key).encode("utf-8")).digest()[0] % 2 == 0 else "test"


def assign_batches(chosen: list[dict], batches: int = 3, first: int = 1) -> list[dict]:
    """Half per key; batch round-robin by pairs in hash order, so each batch mixes corpora, targets and strata.

    Each article goes to the batch with the fewest pairs so far (ties to the lower number), walking the articles in
    sha1(seed + key) order: the batches end within one article's pairs of each other. They are numbered from
    `first` (the opinion addendum's are 4-6).
    """
    pairs = [0] * batches
    order = sorted(chosen, key=lambda c: hashlib.sha1((SEED_V2 + c["key"]).encode("utf-8")).hexdigest())
    for c in order:
        b = min(range(batches), key=lambda i: (pairs[i], i))
        c["half"], c["batch"] = half_of(c["key"]), first + b
        pairs[b] += len(c["targets"])
    return sorted(order, key=lambda c: (c["batch"], hashlib.sha1((SEED_V2 + c["key"]).encode("utf-8")).hexdigest()))


def counts_v2(selection: list[dict]) -> dict:
    """Pairs per target, country, outlet, half, batch and target x corpus x half; likely-opinion articles."""
    pairs = [(s, t) for s in selection for t in s["targets"]]
    by = {name: Counter(f(s, t) for s, t in pairs) for name, f in [
        ("by_target", lambda s, t: t), ("by_country", lambda s, t: s["country"]),
        ("by_outlet", lambda s, t: s["outlet"]), ("by_half", lambda s, t: s["half"]),
        ("by_batch", lambda s, t: str(s["batch"])), ("by_stratum", lambda s, t: s["stratum"])]}
    grid: dict[str, dict[str, dict[str, int]]] = {}
    for s, t in pairs:
        cell = grid.setdefault(t, {}).setdefault(s["corpus"] if s["corpus"] != "ant" else s["outlet"], {})
        cell[s["half"]] = cell.get(s["half"], 0) + 1
    return {"articles": len(selection), "pairs": len(pairs),
            "articles_with_several_targets": sum(len(s["targets"]) > 1 for s in selection),
            "likely_opinion_articles": sum(bool(s["opinion_cue"]) for s in selection),
            **{k: dict(sorted(v.items())) for k, v in by.items()},
            "target_corpus_half": {t: dict(sorted(c.items())) for t, c in sorted(grid.items())}}


def _selection_files() -> list[Path]:
    return [path for path in (V2 / "selection.jsonl", SELECTION_OPINION, SELECTION_OPINION2) if path.exists()]


def selection_v2() -> list[dict]:
    """v2's draw (batches 1-3) and, once drawn, its opinion addenda (batches 4-6 and 7-9)."""
    return [s for path in _selection_files() for s in read_jsonl(path)]


def texts_v2(selection: list[dict]) -> dict[tuple[str, str], Article]:
    """The selected articles' texts, read once from the gz corpora and then from a pickle under /tmp."""
    keys = {(s["corpus"], s["key"]) for s in selection}

    def build() -> dict[tuple[str, str], tuple]:
        """From the draw's candidates (every selected article is one), reading the corpora only for any left over."""
        drawn = SelectorV2(WordTargets()).candidates()
        found = {(a.corpus, a.key): a for a, _, _ in drawn if (a.corpus, a.key) in keys}
        if keys - set(found):
            found.update(articles_by_key(keys - set(found)))
        return {k: astuple(a) for k, a in found.items()}

    # The wanted keys name the cache too: a call for part of the draw must not pass for the whole draw later.
    wanted = hashlib.sha1("\n".join(sorted(f"{c}/{k}" for c, k in keys)).encode("utf-8")).hexdigest()[:8]
    rows = _cached(f"texts-v2-{wanted}", [*_corpus_files(), *_selection_files()], build)
    return {k: Article(*a) for k, a in rows.items()}


def _later_mentions(article: Article, targets: Targets, names: list[str], start: int, most: int = 3) -> list[str]:
    rest = article.text[start:]
    return [x.strip() for x in re.split(r"(?<=[.!?؟\n])\s*", rest)
            if x.strip() and any(targets.strong_hits(t, x) for t in names)][:most]


def show_v2(batch: int, start: int, count: int) -> None:
    """Prints articles start..start+count-1 of a batch for labelling: facts, headline, body start, later mentions."""
    selection = selection_v2()
    mine = [s for s in selection if s["batch"] == batch]
    texts = texts_v2(selection)
    targets = WordTargets()
    for i, s in enumerate(mine[start:start + count], start):
        article = texts[(s["corpus"], s["key"])]
        print(f"=== batch {batch} #{i} of {len(mine)} | {s['corpus']} | {s['outlet']} ({s['country']}) | "
              f"category={s['category']} | half={s['half']}\nkey: {s['key']}\nurl: {s['url']}\n"
              f"LABEL: {', '.join(s['targets'])}\nHEADLINE: {article.title}\nBODY ({len(article.text)} chars):")
        print(article.text[:SHOW_CHARS] + (" [...]" if len(article.text) > SHOW_CHARS else ""))
        for sentence in _later_mentions(article, targets, s["targets"], SHOW_CHARS):
            print("LATER:", sentence[:400])
        print()


def load_gold_v2() -> list[dict]:
    """The v2 labels (every v2/labels-*.jsonl present) joined with the article text and the selection's facts.

    Raises when a labelled article is missing from the evaluation data or from every selection (v2's and the two opinion
    addenda's). Works with only some label files written; each row gains title, text, url, category, country, half,
    batch and opinion_cue.
    """
    rows = [r for path in sorted(V2.glob("labels-*.jsonl")) for r in read_jsonl(path)]
    selection = selection_v2()
    facts = {(s["corpus"], s["key"]): s for s in selection}
    unknown = [r["key"] for r in rows if (r["corpus"], r["key"]) not in facts]
    if unknown:
        raise KeyError(f"{len(unknown)} labelled articles are in none of v2/selection*.jsonl, e.g. {unknown[0]}")
    texts = texts_v2(selection)
    missing = [r["key"] for r in rows if (r["corpus"], r["key"]) not in texts]
    if missing:
        raise FileNotFoundError(f"{len(missing)} labelled articles not found in {EVAL}, e.g. {missing[0]}")
    gold = []
    for r in rows:
        article, s = texts[(r["corpus"], r["key"])], facts[(r["corpus"], r["key"])]
        gold.append({**r, "quoted_stance": r.get("quoted_stance"), "title": article.title, "text": article.text,
                     "url": article.url, "category": article.category, "country": s["country"], "half": s["half"],
                     "batch": s["batch"], "opinion_cue": s["opinion_cue"]})
    return gold


def _shingles(text: str, n: int = 6) -> set[str]:
    words = re.sub(r"[^\w\s]", " ", text.translate(HEADLINE_LETTERS)).split()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def near_copies_v2(chars: int = 2500, share: float = 0.5) -> dict:
    """Drawn articles that are the same text under another key, and how their labels agree.

    The draws drop exact-copy bodies and repeated headlines, but the sister sites (El.Dostor.News, Tahrir) ran the same
    columns under differently worded headlines, with the author's name prefixed or not: two articles are near copies
    when more than `share` of the 6-word shingles of the smaller one's first `chars` characters are the other's. A
    pair labelled on both sides, often by two labellers, measures consistency on the very same text.
    """
    selection = selection_v2()
    texts = texts_v2(selection)
    facts = {s["key"]: s for s in selection}
    shingles = {s["key"]: _shingles(texts[(s["corpus"], s["key"])].text[:chars]) for s in selection}
    index: dict[str, set[str]] = {}
    for key, grams in shingles.items():
        for gram in grams:
            index.setdefault(gram, set()).add(key)
    pairs = set()
    for key, grams in shingles.items():
        shared = Counter(other for gram in grams for other in index[gram] if other != key)
        pairs |= {tuple(sorted((key, other))) for other, n in shared.items()
                  if n > share * min(len(grams), len(shingles[other]))}
    labels = {(r["key"], r["target"]): r for path in sorted(V2.glob("labels-*.jsonl")) for r in read_jsonl(path)}
    both = [(labels[(a, t)], labels[(b, t)]) for a, b in pairs
            for t in set(facts[a]["targets"]) & set(facts[b]["targets"]) if (a, t) in labels and (b, t) in labels]
    return {"near_copy_pairs": len(pairs),
            "by_batches": dict(Counter("-".join(sorted({str(facts[a]["batch"]), str(facts[b]["batch"])}))
                                       for a, b in pairs).most_common()),
            "labelled_target_pairs": len(both),
            **{f"{field}_agreement": round(sum(x[field] == y[field] for x, y in both) / len(both), 3) if both else None
               for field in ("stance", "genre")},
            "disagreements": [{"target": x["target"], "keys": [x["key"], y["key"]],
                               "stance": [x["stance"], y["stance"]], "genre": [x["genre"], y["genre"]]}
                              for x, y in both if x["stance"] != y["stance"] or x["genre"] != y["genre"]]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="counts",
                        choices=["counts", "select", "show", "agreement", "select-v2", "show-v2", "counts-v2",
                                 "agreement-v2", "select-v2-opinion", "counts-v2-opinion", "select-v2-opinion2",
                                 "counts-v2-opinion2", "near-copies-v2"])
    parser.add_argument("range", nargs="*", type=int)
    parser.add_argument("--batch", type=int, default=1,
                        help="show-v2: the batch (1-3 v2, 4-6 and 7-9 the opinion addenda)")
    parser.add_argument("--start", type=int, default=0, help="show-v2: the first article's index in the batch")
    parser.add_argument("--count", type=int, default=10, help="show-v2: how many articles")
    args = parser.parse_args(argv)
    if args.command == "select":
        chosen = Selector(Targets()).select()
        (HERE / "selection.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chosen),
                                              encoding="utf-8")
        print(json.dumps({"articles": len(chosen), "pairs": sum(len(c["targets"]) for c in chosen)}))
    elif args.command == "select-v2":
        chosen = SelectorV2(WordTargets()).select()
        (V2 / "selection.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chosen),
                                            encoding="utf-8")
        print(json.dumps(counts_v2(chosen), ensure_ascii=False, indent=1))
    elif args.command == "select-v2-opinion":
        chosen = SelectorV2(WordTargets()).select_opinion()
        SELECTION_OPINION.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chosen),
                                     encoding="utf-8")
        print(json.dumps(counts_v2(chosen), ensure_ascii=False, indent=1))
    elif args.command == "select-v2-opinion2":
        chosen = SelectorV2(WordTargets()).select_opinion2()
        SELECTION_OPINION2.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chosen),
                                      encoding="utf-8")
        print(json.dumps(counts_v2(chosen), ensure_ascii=False, indent=1))
    elif args.command in ("counts-v2-opinion", "counts-v2-opinion2"):
        path = SELECTION_OPINION2 if args.command.endswith("2") else SELECTION_OPINION
        print(json.dumps(counts_v2(read_jsonl(path)), ensure_ascii=False, indent=1))
    elif args.command == "counts-v2":
        print(json.dumps(counts_v2(read_jsonl(V2 / "selection.jsonl")), ensure_ascii=False, indent=1))
    elif args.command == "show-v2":
        show_v2(args.batch, args.start, args.count)
    elif args.command == "show":
        _show(*(args.range or [0, 10]))
    elif args.command == "agreement-v2":  # each second pass is another labeller's: agreement between labellers
        first, second = ([row for path in sorted(V2.glob(pattern)) for row in read_jsonl(path)]
                         for pattern in ("labels-*.jsonl", "second-pass-*.jsonl"))
        fields = ("stance", "genre")
        per_file = {path.name: {field: agreement(first, read_jsonl(path), field) for field in fields}
                    for path in sorted(V2.glob("second-pass-*.jsonl"))}
        print(json.dumps({**{field: agreement(first, second, field) for field in fields},
                          "by_second_pass": per_file}, indent=1))
    elif args.command == "near-copies-v2":
        print(json.dumps(near_copies_v2(), ensure_ascii=False, indent=1))
    elif args.command == "agreement":
        print(json.dumps(agreement(read_jsonl(HERE / "labels.jsonl"), read_jsonl(HERE / "second_pass.jsonl")),
                         ensure_ascii=False, indent=1))
    else:
        print(json.dumps(counts(read_jsonl(HERE / "labels.jsonl")), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
