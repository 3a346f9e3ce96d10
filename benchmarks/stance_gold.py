"""Hand-labelled news stance gold: selection, loading and counts.

The gold (benchmarks/stance_gold/labels.jsonl) holds only keys and labels, because the article texts belong to the
outlets and may not be redistributed. This module joins the labels with the texts in /work/shared/eval at run time.

    python benchmarks/stance_gold.py                 # counts per target x outlet x stance, as JSON
    python benchmarks/stance_gold.py select          # (re)writes stance_gold/selection.jsonl, deterministic
    python benchmarks/stance_gold.py show 0 20       # prints selected articles 0..19 for annotation
    python benchmarks/stance_gold.py agreement       # first pass vs the blind second pass, as JSON

Written blind to the builder's stance labeler: nothing here imports `builder`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "stance_gold"
EVAL = Path("/work/shared/eval")
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
                              _clean(row["body"] or ""), None)


def iter_ant() -> Iterator[Article]:
    with gzip.open(ANT, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield Article("ant", row["path"], row["src"], _clean(row["title"] or ""), _clean(row["text"] or ""),
                          row.get("url") or None)


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
    for source in sources:
        for article in source:
            if (article.corpus, article.key) in keys:
                found[(article.corpus, article.key)] = article
    return found


def load_gold(labels: Path = HERE / "labels.jsonl") -> list[dict]:
    """The gold joined with the article text: one dict per (article, target) pair.

    Keys: corpus, key, outlet, target, stance, rationale, quoted_stance, title, text, url. Raises when a labelled
    article is missing from /work/shared/eval, since a silently shorter gold would change every figure.
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


def agreement(first: list[dict], second: list[dict]) -> dict:
    """Self-consistency: raw agreement and Cohen's kappa between the first pass and the blind second pass."""
    a = {(r["corpus"], r["key"], r["target"]): r["stance"] for r in first}
    pairs = [(a[(r["corpus"], r["key"], r["target"])], r["stance"]) for r in second
             if (r["corpus"], r["key"], r["target"]) in a]
    n = len(pairs)
    if not n:
        return {"pairs": 0}
    observed = sum(x == y for x, y in pairs) / n
    first_marg, second_marg = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(first_marg[s] * second_marg[s] for s in STANCES) / (n * n)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="counts", choices=["counts", "select", "show", "agreement"])
    parser.add_argument("range", nargs="*", type=int)
    args = parser.parse_args(argv)
    if args.command == "select":
        chosen = Selector(Targets()).select()
        (HERE / "selection.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chosen),
                                              encoding="utf-8")
        print(json.dumps({"articles": len(chosen), "pairs": sum(len(c["targets"]) for c in chosen)}))
    elif args.command == "show":
        _show(*(args.range or [0, 10]))
    elif args.command == "agreement":
        print(json.dumps(agreement(read_jsonl(HERE / "labels.jsonl"), read_jsonl(HERE / "second_pass.jsonl")),
                         ensure_ascii=False, indent=1))
    else:
        print(json.dumps(counts(read_jsonl(HERE / "labels.jsonl")), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
