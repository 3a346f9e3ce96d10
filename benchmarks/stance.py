"""Stance and genre labels against the hand-labelled news gold: one command, one JSON object on stdout.

    nice python benchmarks/stance.py [--gold v2,v1] [--calibrate] [--write-quality] [--errors 30] [--out FILE]
    nice python benchmarks/stance.py --tune --calibrate --errors 50     # while tuning: the dev halves only
    nice python benchmarks/stance.py --tune --real 10000 --errors 30    # and how many real documents get a side

Gold. v2 (benchmarks/stance_gold/v2: 7 targets, outlets of several countries, written blind to the labeler, each
article with its genre) comes with its own dev/test halves (`half` in selection.jsonl); v1 (benchmarks/stance_gold:
Iran and the Muslim Brotherhood) is split by a hash of the article key (benchmarks/labels.py `half`: the
calibration half is dev, the held-out half test). Every article goes through the shipped chain (repair, segment,
clean, metadata, label) as a page would: headline line then body, with the URL and the outlet and section the
record names. The default labeler (voice), no model, with the targets of the shipped config.

Figures, on the test half (and, labelled as such, on dev): per target and per gold genre, precision and recall of
favor/against (a side is right only when it is the gold side), the share of neutral pairs given a side, and the
share of pairs given a side. Targets: precision >= 0.8, recall >= 0.35, neutral given a side <= 2%. Genre: accuracy
of the `genre` column against the gold genre per article, with the confusion.

`--layout dump` scores the same articles as a folder dump gives them (a layout users have, which flatters less):
no URL, no outlet or section, and no byline in the headline ("فلان يكتب: ..." cut to what follows), so a column is
known only by its body. The calibration is always fitted on the records as drawn.

`--shared-cues` scores every target as a user's own target would be scored: the lexicon's per-target lists left out,
so only the shared cues (heads, agents, judging words at a name, evaluative words near it) count.

`--calibrate` fits the voice labeler's per-genre strength table on the dev half only (bins of >= 20 examples,
threshold by the Wilson lower bound) and writes the calibration file (then re-run without it to score).
`--write-quality` writes the test-half figures into conf/data/label_quality.json (`stance`), which the card cites,
with the first gold's overall figures in the dump layout beside them (`dump_layout`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from builder.config import Config, conf_dir, data_file, register
from builder.document import Doc, stable_id
from builder.stance.voice import CALIBRATION_FORMAT, GENRE_GROUP, fit_bins

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labels import chain, half, run
from stance_gold import HEADLINE_BYLINE2

SIDES = ("favor", "against")
TARGETS = {"precision": 0.8, "recall": 0.35, "neutral_given_side": 0.02}
BIN_EDGES = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
MIN_SUPPORT = 20  # a strength bin with fewer dev examples refuses to decide
MIN_LOWER = 0.72  # the Wilson lower bound (95%) of precision a genre's threshold must reach on dev (about 0.85 or more
# measured precision on the 30-50 examples a bin holds: the target is 0.8 on unseen data)
# the writer's name and the headline byline the gold's draw knows ("فلان يكتب:"، "فلان يكتب ل«التحرير»:"، "فلان يكتب..")
SIGNED = re.compile(rf"^[^:]{{0,80}}?{HEADLINE_BYLINE2.pattern}\s*")


# --- the gold -------------------------------------------------------------------------------------------------------

def gold_v1() -> list[dict]:
    from stance_gold import load_gold

    return [{**r, "half": "dev" if half(r["key"]) == "calibration" else "test", "genre": None} for r in load_gold()]


def gold_v2() -> list[dict]:
    """The v2 pairs that have landed (stance_gold.load_gold_v2), with their half, genre, URL and category."""
    from stance_gold import load_gold_v2

    return load_gold_v2()


def section_of(row: dict) -> str | None:
    """The section the record names: egypt_news files each feed under `<outlet>/<section>/...`."""
    if row.get("category") and row["corpus"] == "egypt_news":
        return row["category"]
    parts = row["key"].split("/")
    return parts[1] if row["corpus"] == "egypt_news" and len(parts) > 2 and not parts[1].isdigit() else None


def documents(cfg: Config, rows: list[dict], layout: str = "as-drawn") -> dict[tuple[str, str], Doc | None]:
    """Each gold article as the shipped chain leaves it before the label stage (None: the chain dropped it), in
    the layout asked (`dump`: no URL, outlet, section or headline byline)."""
    pre, _ = chain(cfg)
    docs: dict[tuple[str, str], Doc | None] = {}
    dump = layout == "dump"
    for row in rows:
        key = (row["corpus"], row["key"])
        if key not in docs:
            title = SIGNED.sub("", row["title"], count=1) if dump else row["title"]
            page = Doc(id=stable_id(*key), source_file=row["key"], text=f"{title}\n{row['text']}",
                       url=None if dump else row.get("url"), outlet_hint=None if dump else row.get("outlet"),
                       section_hint=None if dump else section_of(row))
            docs[key] = next(iter(run(pre, page)), None)
    return docs


def copy(doc: Doc) -> Doc:
    return Doc(**{f: getattr(doc, f) for f in doc.__dataclass_fields__})


# --- scoring --------------------------------------------------------------------------------------------------------

def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def figures(pairs: list[tuple[str, str]]) -> dict:
    """(gold, predicted) pairs: precision, recall, neutral given a side, share given a side, errors by kind."""
    said = [(g, p) for g, p in pairs if p in SIDES]
    right = sum(g == p for g, p in said)
    sided, neutral = sum(g in SIDES for g, _ in pairs), sum(g == "none" for g, _ in pairs)
    out = {"pairs": len(pairs), "gold_sided": sided, "labelled_sided": len(said), "correct": right,
           "precision": ratio(right, len(said)), "recall": ratio(right, sided),
           "neutral_given_side": ratio(sum(g == "none" for g, _ in said), neutral),
           "share_labelled": ratio(len(said), len(pairs)),
           "wrong": dict(Counter(f"{g}->{p}" for g, p in said if g != p))}
    out["meets_targets"] = {k: out[k] is not None and (out[k] >= v if k != "neutral_given_side" else out[k] <= v)
                            for k, v in TARGETS.items()}
    return out


def breakdown(scored: list[dict]) -> dict:
    """All pairs, per target, per genre (the gold's where it has one, else the labeler's)."""
    def pick(rows: list[dict]) -> dict:
        return figures([(r["gold"], r["predicted"]) for r in rows])

    by_genre = Counter(r["genre"] for r in scored)
    return {"all": pick(scored),
            "documents": {"articles": len({r["article"] for r in scored}),
                          "given_a_side": len({r["article"] for r in scored if r["predicted"] in SIDES})},
            "per_target": {t: pick([r for r in scored if r["target"] == t]) for t in sorted({r["target"]
                                                                                             for r in scored})},
            "per_genre": {g: pick([r for r in scored if r["genre"] == g]) for g in sorted(by_genre)}}


def genre_accuracy(scored: list[dict]) -> dict | None:
    articles = {r["article"]: (r["gold_genre"], r["genre_predicted"]) for r in scored if r["gold_genre"]}
    if not articles:
        return None
    pairs = list(articles.values())
    opinion = [(g, p) for g, p in pairs if g in ("opinion", "analysis")]
    return {"articles": len(pairs), "accuracy": ratio(sum(g == p for g, p in pairs), len(pairs)),
            "gold": dict(Counter(g for g, _ in pairs)), "predicted": dict(Counter(p for _, p in pairs)),
            "opinion_or_analysis_found": ratio(sum(p in ("opinion", "analysis") for _, p in opinion), len(opinion)),
            "confusion": dict(Counter(f"{g}->{p}" for g, p in pairs if g != p))}


# --- calibration ----------------------------------------------------------------------------------------------------

def calibrate(labeler, pairs: list[tuple[dict, Doc | None]], gold_name: str) -> dict:
    """The per-genre strength table, from dev halves only (what the labeler's leaning side scores there)."""
    examples: dict[str, list[tuple[float, bool]]] = {group: [] for group in dict.fromkeys(GENRE_GROUP.values())}
    no_evidence: Counter = Counter()
    for row, doc in pairs:
        if doc is None:
            continue
        side, margin, genre = labeler.stance.strength(doc.text, labeler.targets.get(row["target"]), doc.title,
                                                      genre=doc.genre)
        if side is None:
            no_evidence[row["stance"] == "none"] += 1
            continue
        examples[GENRE_GROUP.get(genre, "news")].append((margin, row["stance"] == side))
    return {"labeler": "voice", "format": CALIBRATION_FORMAT, "min_support": MIN_SUPPORT, "min_lower": MIN_LOWER,
            "fitted_on": f"dev halves of benchmarks/stance_gold {gold_name} ({len(pairs)} pairs): "
                         "python benchmarks/stance.py --calibrate",
            "genres": {g: fit_bins(ex, BIN_EDGES, MIN_SUPPORT, MIN_LOWER) for g, ex in examples.items()},
            "none_without_evidence": round((no_evidence[True] + 1) / (sum(no_evidence.values()) + 2), 3)}


# --- the run --------------------------------------------------------------------------------------------------------

def labelled_pairs(labeler, rows: list[dict], docs: dict) -> list[tuple[dict, Doc | None]]:
    """Each gold pair with its article as the label stage leaves it (one labelling per article)."""
    done: dict[tuple[str, str], Doc | None] = {}
    for r in rows:
        key = (r["corpus"], r["key"])
        if key not in done:
            done[key] = labeler.process(copy(docs[key])) if docs.get(key) is not None else None
    return [(r, done[(r["corpus"], r["key"])]) for r in rows]


def score_gold(rows: list[tuple[dict, Doc | None]], errors: int) -> dict:
    """Figures per half (test first), the genre accuracy, error kinds on test and a few dev errors."""
    scored = []
    for r, doc in rows:
        entry = next((s for s in doc.stances if s["target"] == r["target"]), None) if doc else None
        scored.append({"article": (r["corpus"], r["key"]), "key": r["key"], "outlet": r["outlet"],
                       "target": r["target"], "half": r["half"], "gold": r["stance"],
                       "predicted": entry["stance"] if entry else "none",
                       "gold_genre": r.get("genre"), "genre_predicted": doc.genre if doc else None,
                       "genre": r.get("genre") or (doc.genre if doc else "unknown"),
                       "evidence": (entry or {}).get("evidence", [])[:4]})
    out: dict = {"pairs": dict(Counter(r["half"] for r, _ in rows)),
                 "gold": {h: dict(Counter(f"{r['target']}:{r['stance']}" for r, _ in rows if r["half"] == h))
                          for h in ("dev", "test")}}
    for h in ("test", "dev"):
        if not (part := [s for s in scored if s["half"] == h]):
            continue
        out["test (held out)" if h == "test" else "dev (tuned on)"] = {
            **breakdown(part), "genre_accuracy": genre_accuracy(part)}
    test_errors = [s for s in scored if s["half"] == "test" and s["gold"] != s["predicted"]
                   and (s["gold"] in SIDES or s["predicted"] in SIDES)]
    out["test_errors"] = {"count": len(test_errors), "kinds": dict(Counter(f"{s['gold']}->{s['predicted']}"
                                                                             for s in test_errors))}
    dev_errors = [s for s in scored if s["half"] == "dev" and s["gold"] != s["predicted"]]
    out["dev_errors"] = [{k: s[k] for k in ("key", "outlet", "target", "gold", "predicted", "genre", "evidence")}
                         for s in dev_errors[:errors]]
    return out


def quality(results: dict, dump: dict | None = None) -> dict:
    """What the card cites: the test-half figures of the first gold scored, and (`dump`: that gold scored in the
    dump layout) the same overall figures as a folder dump of the articles gets them."""
    name, res = next((n, r) for n, r in results.items() if n in ("v2", "v1"))
    test = res["test (held out)"]
    keep = ("pairs", "gold_sided", "labelled_sided", "precision", "recall", "neutral_given_side", "share_labelled")
    out = {"labeler": "voice", "measured_on": f"test half of the hand-labelled news gold {name} "
                                              "(benchmarks/stance.py; the article's own framing)",
           "targets": {"all" if t == "all" else t: {k: f[k] for k in keep}
                       for t, f in [("all", test["all"]), *test["per_target"].items()]},
           "genres": {g: {k: f[k] for k in keep} for g, f in test["per_genre"].items()},
           "documents": test["documents"], "genre_accuracy": test["genre_accuracy"]}
    if dump:
        flat = dump["test (held out)"]
        out["dump_layout"] = {**{k: flat["all"][k] for k in keep}, "documents": flat["documents"]}
    return out


def real_share(cfg: Config, n: int, show: int) -> dict:
    """Documents of a real corpus given a side (no gold): n egypt_news documents round-robin across its Arabic
    outlets, through the shipped chain; per target and side, with the evidence of the first `show`."""
    from throughput import egypt_arabic

    pre, labeler = chain(cfg)
    docs = sides = mentioned = 0
    counts: Counter = Counter()
    shown: list[dict] = []
    for i, record in enumerate(egypt_arabic(n)):
        page = Doc(id=stable_id("egypt_news", str(i)), source_file="egypt_news",
                   text=f"{record['title']}\n{record['text']}")
        for doc in run(pre, page):
            doc = labeler.process(doc)
            docs += 1
            mentioned += bool(doc.stances)
            sided = [e for e in doc.stances if e["stance"] in SIDES]
            sides += bool(sided)
            for e in sided:
                counts[f"{e['target']}:{e['stance']}"] += 1
                if len(shown) < show:
                    shown.append({"title": doc.title, "target": e["target"], "stance": e["stance"],
                                  "evidence": e["evidence"][:3]})
    return {"corpus": f"egypt_news_2013, {n} records round-robin across the Arabic outlets", "documents": docs,
            "mention_a_target": mentioned, "given_a_side": sides, "share_given_a_side": ratio(sides, docs),
            "sides": dict(counts.most_common()), "examples": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", default="v2,v1", help="comma-separated: v2, v1 (--calibrate fits on all their dev "
                                                        "halves; the card cites the first)")
    parser.add_argument("--calibrate", action="store_true", help="fit the per-genre calibration on the dev half")
    parser.add_argument("--write-quality", action="store_true", help="write the test figures for the card")
    parser.add_argument("--errors", type=int, default=0, help="list this many dev-half errors")
    parser.add_argument("--tune", action="store_true", help="the dev halves only: the test half is not even read")
    parser.add_argument("--layout", choices=("as-drawn", "dump"), default="as-drawn",
                        help="score the records as drawn, or as a folder dump gives them (no URL, outlet, section or "
                             "headline byline)")
    parser.add_argument("--shared-cues", action="store_true",
                        help="score every target as one the lexicon has no cues for (the shared cues only)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--real", type=int, default=0, metavar="N", help="also label N real egypt_news documents "
                                                                          "(no gold) and count those given a side")
    args = parser.parse_args()
    if args.tune and args.write_quality:
        parser.error("--write-quality reports the test half, which --tune does not read")
    if (args.layout != "as-drawn" or args.shared_cues) and (args.calibrate or args.write_quality):
        parser.error("the calibration and the card's figures come from the records as drawn, with every cue")
    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        cfg = OmegaConf.to_object(compose("config"))
    loaders = {"v2": gold_v2, "v1": gold_v1}
    names = args.gold.split(",")
    start = time.perf_counter()
    golds = {name: [r for r in loaders[name]() if not args.tune or r["half"] == "dev"] for name in names}
    docs = {name: documents(cfg, rows, args.layout) for name, rows in golds.items()}
    results: dict = {}
    if args.calibrate:  # on the dev halves of every gold given, never a test half
        _, labeler = chain(cfg)
        dev = [(r, d) for name in names for r, d in labelled_pairs(labeler, golds[name], docs[name])
               if r["half"] == "dev"]
        table = calibrate(labeler, dev, "+".join(names))
        data_file(cfg.label.stance.calibration_file).write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n",
                                                              encoding="utf-8")
        results["calibration"] = table
    _, labeler = chain(cfg)  # with the calibration as it now is
    if args.shared_cues:  # as for a user's own target: none of the lexicon's per-target lists
        labeler.stance.cues = {}
    for name in names:
        results[name] = score_gold(labelled_pairs(labeler, golds[name], docs[name]), args.errors)
    if args.real:
        results["real_documents"] = real_share(cfg, args.real, args.errors)
    results["seconds"] = round(time.perf_counter() - start, 1)
    result = {"stance": results, "layout": args.layout, "shared_cues_only": args.shared_cues, "targets": TARGETS,
              "labeler": "voice (default config, no model)"}
    if args.write_quality:  # and the first gold in the dump layout, which the card cites beside it
        first = names[0]
        held_out = [r for r in golds[first] if r["half"] == "test"]  # the card cites the held-out half only
        dumped = documents(cfg, held_out, "dump")
        path = data_file(cfg.label.quality_file)
        saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        saved["stance"] = quality(results, score_gold(labelled_pairs(labeler, held_out, dumped), 0))
        saved["written_by"] = "python benchmarks/labels.py --write-quality; stance: python benchmarks/stance.py " \
                              "--write-quality"
        path.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
