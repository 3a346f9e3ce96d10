"""Outlet and stance labels against real corpora: one command, one JSON object on stdout.

    nice python benchmarks/labels.py [--parts news_gold,mawqif,outlets] [--ant-pages 0] [--egypt-per-outlet 2000]
        [--work /tmp/labels-bench] [--write-quality]

News stance (news_gold). The hand-labelled gold in benchmarks/stance_gold (written blind to the labeler: the
article's own framing toward Iran and the Muslim Brotherhood, favor / against / none) is split by a hash of the
article key into a calibration half and a held-out half; both targets of an article fall in the same half. Every
article goes through the shipped chain (repair, segment, clean, metadata, label) as a page would (headline line,
then body), and the `stances` entry for the gold target is scored: per target, precision and recall of
favor/against (a side is right only when it is the gold side) and the share of neutral articles given a side
(targets: precision >= 0.8, recall >= 0.3, neutral given a side <= 5%), on the held-out half and, labelled as
such, on all of it. The cue-counting baseline (label/stance=lexicon) is scored beside it. The voice labeler's
calibration, the 7-target gold and the per-genre figures the card cites are benchmarks/stance.py's (`--calibrate`,
`--write-quality` there). `--write-quality` here writes the Mawqif and outlet figures
to conf/data/label_quality.json, which the dataset card cites.

Outlets. Every page of ant_corpus_multisource and ant_corpus_jawharafm, and the first N pages of each
egypt_news_2013 outlet, go through the shipped per-document chain (repair, segment, clean, metadata, label) as a
page would: title line, byline line as printed (ANT's `author`), body. Two settings:
- with the URL (ANT only): accuracy, the share of documents whose `outlet` is the gold outlet (target >= 99.9%);
- text only, URL and the corpus's outlet field hidden: precision (of the documents given an outlet, the share
  given the right one; target >= 99%, a wrong outlet is worse than none) and coverage (the share given one),
  overall and per gold outlet, with the evidence used and the wrong labels listed.

Stance. The classifier `train-stance` trains is fitted on mawqif_stance train and scored on its test with the
StanceEval-2024 metric: per target the mean of F1(favor) and F1(against), averaged over the three targets
(target >= 0.75, no pretrained weights, CPU). Five-fold cross-validation on train is reported beside it (the
settings were chosen on train only). The shipped lexicon labeler is scored on the same test (and with one cue
instead of two, as `label.stance.min_cues=1` would). Mawqif's three targets are configured here, never in the
shipped config.

The corpora are read in place from ../shared/eval (their licences forbid copying them, or a model trained on
Mawqif, into the project); the model is written under --work.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import itertools
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import joblib
from eval_data import EVAL
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from builder.config import ClassifierStanceConfig, Config, LexiconStanceConfig, conf_dir, data_file, register
from builder.document import Doc, stable_id
from builder.pipeline import build_stages
from builder.site import UNKNOWN_OUTLET
from builder.stages.label import Labeler
from builder.stance import ClassifierStance, Example, LexiconStance, Targets, train
from builder.stats import StageStats

sys.path.insert(0, str(Path(__file__).resolve().parent))
CHAIN = ["repair", "segment", "clean", "metadata", "label"]

# Mawqif's targets, for the benchmark only: the labelers read the stance toward the gold target of each tweet.
MAWQIF_TARGETS = [
    {"id": "Women empowerment", "ar": ["تمكين المرأة", "المرأة", "النساء", "تمكين", "السعوديات", "المرأة السعودية"],
     "en": ["women empowerment", "women"]},
    {"id": "Covid Vaccine", "ar": ["لقاح", "اللقاحات", "تطعيم", "التطعيم", "كورونا", "كوفيد", "الجرعة", "فايزر"],
     "en": ["vaccine", "covid"]},
    {"id": "Digital Transformation", "ar": ["التحول الرقمي", "الرقمي", "الرقمية", "التقنية", "الحكومة الإلكترونية"],
     "en": ["digital transformation"]},
]


# --- outlets ------------------------------------------------------------------------------------------------------

def ant_pages(name: str, limit: int) -> Iterator[tuple[str, str, str, str]]:
    """(gold label, url, page text, key) of an ANT corpus."""
    path = next((EVAL / name).glob("*.jsonl.gz"))
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, limit or None):
            r = json.loads(line)
            text = "\n".join(part.strip() for part in (r["title"], r["author"], r["text"]) if part and part.strip())
            yield r["src"] or "", r["url"] or "", text, r["path"]


def egypt_pages(per_outlet: int) -> Iterator[tuple[str, str, str, str]]:
    for path in sorted((EVAL / "egypt_news_2013_newscred" / "by_outlet").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in itertools.islice(fh, per_outlet or None):
                r = json.loads(line)
                yield r["outlet"], "", f"{r['title'] or ''}\n{r['body'] or ''}", r["path"]


def chain(cfg: Config) -> tuple[list, Labeler]:
    stages = build_stages(replace(cfg, stages=CHAIN))
    return stages[:-1], stages[-1]


def run(stages: list, doc: Doc) -> list[Doc]:
    docs: Iterator[Doc] = iter([doc])
    for stage in stages:
        docs = stage.run(docs, StageStats(stage.name), [])
    return list(docs)


class Tally:
    """Per gold outlet: documents, documents given an outlet, given the right one; evidence; wrong labels."""

    def __init__(self) -> None:
        self.docs: Counter = Counter()
        self.labelled: Counter = Counter()
        self.correct: Counter = Counter()
        self.evidence: Counter = Counter()
        self.wrong: Counter = Counter()
        self.examples: dict[tuple, str] = {}

    def add(self, gold: str, doc: Doc, key: str) -> None:
        self.docs[gold] += 1
        self.evidence[doc.outlet_evidence] += 1
        if doc.outlet != UNKNOWN_OUTLET:
            self.labelled[gold] += 1
            if doc.outlet == gold:
                self.correct[gold] += 1
            else:
                self.wrong[(gold, doc.outlet, doc.outlet_evidence)] += 1
                self.examples.setdefault((gold, doc.outlet, doc.outlet_evidence), key)

    @staticmethod
    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 5) if b else None

    def accuracy(self) -> dict:
        n, ok = sum(self.docs.values()), sum(self.correct.values())
        return {"docs": n, "correct": ok, "accuracy": self.ratio(ok, n),
                "per_outlet": {g: self.ratio(self.correct[g], self.docs[g]) for g in sorted(self.docs)},
                "evidence": dict(self.evidence.most_common()), "wrong": self.wrong_list()}

    def precision(self) -> dict:
        n, lab, ok = sum(self.docs.values()), sum(self.labelled.values()), sum(self.correct.values())
        return {"docs": n, "labelled": lab, "correct": ok, "precision": self.ratio(ok, lab),
                "coverage": self.ratio(lab, n),
                "per_outlet": {g: {"docs": self.docs[g], "coverage": self.ratio(self.labelled[g], self.docs[g]),
                                   "precision": self.ratio(self.correct[g], self.labelled[g])}
                               for g in sorted(self.docs)},
                "evidence": dict(self.evidence.most_common()), "wrong": self.wrong_list()}

    def wrong_list(self) -> list[dict]:
        return [{"gold": g, "labelled": o, "evidence": e, "docs": n, "example": self.examples[(g, o, e)]}
                for (g, o, e), n in self.wrong.most_common(15)]


def outlets(cfg: Config, ant_pages_limit: int, egypt_per_outlet: int) -> dict:
    pre, labeler = chain(cfg)
    registry = labeler.registry
    corpora = {"ant_corpus_multisource": ant_pages("ant_corpus_multisource", ant_pages_limit),
               "ant_corpus_jawharafm": ant_pages("ant_corpus_jawharafm", ant_pages_limit),
               "egypt_news_2013": egypt_pages(egypt_per_outlet)}
    with_urls, text_only, unmapped, dropped, seconds = {}, {}, Counter(), Counter(), {}
    for name, pages in corpora.items():
        start = time.perf_counter()
        hidden, shown = Tally(), Tally()
        for label, url, text, key in pages:
            gold = registry.lookup(label)
            if gold is None:
                unmapped[f"{name}:{label}"] += 1
                continue
            docs = run(pre, Doc(id=stable_id(name, key), source_file=key, text=text))
            dropped[name] += not docs
            for doc in docs:
                hidden.add(gold, labeler.process(doc), key)
                if url:
                    doc.url = url
                    shown.add(gold, labeler.process(doc), key)
        text_only[name] = hidden.precision()
        if shown.docs:
            with_urls[name] = shown.accuracy()
        seconds[name] = round(time.perf_counter() - start, 1)
    types = Counter(o.type for o in registry.outlets.values())
    return {
        "registry": {"outlets": sum(n for t, n in types.items() if t != "agency"), "agencies": types["agency"],
                     "countries": len({o.country for o in registry.outlets.values() if o.type != "agency"})},
        "with_urls": with_urls,
        "text_only": text_only,
        "pages_dropped_by_cleaning": dict(dropped),
        "labels_not_in_registry": dict(unmapped),
        "seconds": seconds,
        "targets": {"accuracy_with_urls": 0.999, "precision_text_only": 0.99},
    }


# --- stance -------------------------------------------------------------------------------------------------------

def mawqif(split: str) -> list[Example]:
    path = EVAL / "mawqif_stance" / f"Mawqif_AllTargets_{split}.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:  # the files start with a BOM
        return [Example(r["text"], r["target"], r["stance"].strip().lower()) for r in csv.DictReader(fh)]


def f1(gold: list[str], pred: list[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def stance_eval(examples: list[Example], pred: list[str]) -> dict:
    """StanceEval-2024: per target (F1 favor + F1 against) / 2, then the mean over targets."""
    per_target = {}
    for target in sorted({e.target for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.target == target]
        gold, guess = [examples[i].label for i in idx], [pred[i] for i in idx]
        fav, ag = f1(gold, guess, "favor"), f1(gold, guess, "against")
        per_target[target] = {"n": len(idx), "f1_favor": round(fav, 4), "f1_against": round(ag, 4),
                              "score": round((fav + ag) / 2, 4)}
    score = sum(t["score"] for t in per_target.values()) / len(per_target)
    return {"score": round(score, 4), "per_target": per_target,
            "predicted": dict(Counter(pred)), "gold": dict(Counter(e.label for e in examples))}


def predict(labeler, targets: Targets, examples: list[Example]) -> list[str]:
    return [labeler.label(e.text, targets.get(e.target)).label for e in examples]


def load_classifier(model: dict, work: Path, name: str, use_bars: bool = False) -> ClassifierStance:
    joblib.dump(model, work / name)
    return ClassifierStance(ClassifierStanceConfig(model=str(work / name), use_bars=use_bars))


def cross_validate(examples: list[Example], targets: Targets, work: Path, folds: int = 5, seed: int = 0) -> float:
    """Mean StanceEval score over stratified folds of the training set (no test data involved)."""
    by_class = defaultdict(list)
    for i, e in enumerate(examples):
        by_class[(e.target, e.label)].append(i)
    fold_of = {}
    rng = random.Random(seed)
    for idx in by_class.values():
        rng.shuffle(idx)
        fold_of.update({i: k % folds for k, i in enumerate(idx)})
    scores = []
    for k in range(folds):
        fit = [e for i, e in enumerate(examples) if fold_of[i] != k]
        held = [e for i, e in enumerate(examples) if fold_of[i] == k]
        classifier = load_classifier(train(fit, folds=0), work, "cv-fold.joblib")
        scores.append(stance_eval(held, predict(classifier, targets, held))["score"])
    return round(sum(scores) / folds, 4)


def mawqif_part(work: Path) -> dict:
    """The classifier on Mawqif tweets (StanceEval-2024), the baseline lexicon beside it."""
    fit, test = mawqif("Train"), mawqif("Test")
    targets = Targets(MAWQIF_TARGETS)
    start = time.perf_counter()
    model = train(fit, min_precision=0.8)  # the bars train-stance would set (precision first), measured by CV
    trained = time.perf_counter() - start
    classifier = load_classifier(model, work, "mawqif-stance.joblib")
    start = time.perf_counter()
    classifier_pred = predict(classifier, targets, test)
    labelled = time.perf_counter() - start
    with_bars = load_classifier(model, work, "mawqif-stance.joblib", use_bars=True)
    lexicon = LexiconStance(LexiconStanceConfig())
    return {
        "data": {"train": len(fit), "test": len(test)},
        "metric": "StanceEval-2024: mean over targets of (F1 favor + F1 against) / 2",
        "classifier": {**stance_eval(test, classifier_pred), "train_cv_5fold": cross_validate(fit, targets, work),
                       "train_seconds": round(trained, 1), "docs_per_second": round(len(test) / labelled, 1)},
        # abstaining below each target's cross-validated bar: fewer, surer labels (the StanceEval metric drops)
        "classifier_with_bars": {**stance_eval(test, predict(with_bars, targets, test)), "bars": model["bars"],
                                 "train_cv": model["quality"]},
        "lexicon_baseline": stance_eval(test, predict(lexicon, targets, test))["score"],
        "target": 0.75,
        "anchors": {"StanceEval-2024 best (fine-tuned transformer)": 0.8438,
                    "dzStance (sentence embeddings + logistic regression)": 0.7177},
    }


# --- news gold ----------------------------------------------------------------------------------------------------

SPLIT_SALT = "stance-gold-split-v1"
SIDES = ("favor", "against")
NEWS_TARGETS = {"precision": 0.8, "recall": 0.3, "neutral_given_side": 0.05}


def half(key: str) -> str:
    """calibration or held_out, by a hash of the article key (both targets of an article in one half)."""
    return "calibration" if int(hashlib.sha1((SPLIT_SALT + key).encode()).hexdigest(), 16) % 2 == 0 else "held_out"


def gold_docs(cfg: Config) -> list[tuple[dict, Doc | None]]:
    """Each gold pair with its article as the shipped chain leaves it (None when the chain dropped the page)."""
    from stance_gold import load_gold

    pre, _ = chain(cfg)
    docs: dict[tuple, Doc | None] = {}
    pairs = []
    for row in load_gold():
        key = (row["corpus"], row["key"])
        if key not in docs:
            page = Doc(id=stable_id(*key), source_file=row["key"], text=f"{row['title']}\n{row['text']}")
            docs[key] = next(iter(run(pre, page)), None)
        pairs.append((row, docs[key]))
    return pairs


def figures(gold: list[str], pred: list[str]) -> dict:
    said = [(g, p) for g, p in zip(gold, pred, strict=True) if p in SIDES]
    right = sum(g == p for g, p in said)
    sided, neutral = sum(g in SIDES for g in gold), sum(g == "none" for g in gold)
    given = sum(g == "none" for g, _ in said)
    return {"pairs": len(gold), "gold_sided": sided, "labelled_sided": len(said), "correct": right,
            "precision": round(right / len(said), 3) if said else None,
            "recall": round(right / sided, 3) if sided else None,
            "neutral_given_side": round(given / neutral, 3) if neutral else None,
            "wrong": dict(Counter(f"{g}->{p}" for g, p in said if g != p))}


def score(pairs: list[tuple[dict, str]]) -> dict:
    """Per target and over both, with whether each target is met."""
    out = {}
    for target in [*sorted({r["target"] for r, _ in pairs}), "all"]:
        sel = [(r, p) for r, p in pairs if target in ("all", r["target"])]
        f = figures([r["stance"] for r, _ in sel], [p for _, p in sel])
        f["meets_targets"] = {k: f[k] is not None and (f[k] >= v if k != "neutral_given_side" else f[k] <= v)
                              for k, v in NEWS_TARGETS.items()}
        out[target] = f
    return out


def stance_of(labeler: Labeler, doc: Doc | None, target: str) -> tuple[str, dict | None]:
    if doc is None:
        return "none", None
    labelled = labeler.process(replace_doc(doc))
    entry = next((s for s in labelled.stances if s["target"] == target), None)
    return (entry["stance"] if entry else "none"), entry


def replace_doc(doc: Doc) -> Doc:
    return Doc(**{f: getattr(doc, f) for f in doc.__dataclass_fields__})


def news_gold(cfg: Config) -> dict:
    pairs = gold_docs(cfg)
    halves = {h: [(r, d) for r, d in pairs if half(r["key"]) == h] for h in ("calibration", "held_out")}
    out: dict = {"gold": {h: dict(Counter(f"{r['target']}:{r['stance']}" for r, _ in p)) for h, p in halves.items()}}
    labelers = {"voice": chain(cfg)[1],
                "lexicon_baseline": chain(replace(cfg, label=replace(cfg.label, stance=LexiconStanceConfig())))[1]}
    for name, labeler in labelers.items():
        start = time.perf_counter()
        predicted = {id(r): stance_of(labeler, d, r["target"]) for r, d in pairs}
        out[name] = {"held_out": score([(r, predicted[id(r)][0]) for r, _ in halves["held_out"]]),
                     "calibration_half": score([(r, predicted[id(r)][0]) for r, _ in halves["calibration"]]),
                     "all_gold (calibration half included)": score([(r, predicted[id(r)][0]) for r, _ in pairs]),
                     "seconds": round(time.perf_counter() - start, 1)}
        if name == "voice":
            out[name]["held_out_errors"] = [
                {"key": r["key"], "outlet": r["outlet"], "target": r["target"], "gold": r["stance"],
                 "labelled": predicted[id(r)][0], "evidence": (predicted[id(r)][1] or {}).get("evidence", [])[:4]}
                for r, _ in halves["held_out"] if predicted[id(r)][0] != r["stance"] and
                (predicted[id(r)][0] in SIDES or r["stance"] in SIDES)]
            out[name]["quoted_evidence_pairs"] = sum(bool((predicted[id(r)][1] or {}).get("quoted")) for r, _ in pairs)
    out["targets"] = NEWS_TARGETS
    return out


def quality_file(news: dict | None, mawqif: dict | None, outlet_part: dict | None, saved: dict) -> dict:
    """What the card cites: measured figures only, with where they were measured; the `stance` part the file
    already holds (benchmarks/stance.py writes it) is kept."""
    out: dict = {"written_by": "python benchmarks/labels.py --write-quality",
                 **({"stance": saved["stance"]} if "stance" in saved else {})}
    if news:  # the v1 gold's two targets beside the lexicon baseline; the card cites benchmarks/stance.py's
        out["news_gold_v1"] = {name: {t: {k: f[k] for k in ("precision", "recall", "neutral_given_side")}
                                      for t, f in news[name]["held_out"].items()}
                               for name in ("voice", "lexicon_baseline")}
    if mawqif:
        out["mawqif"] = {"metric": mawqif["metric"], "classifier": mawqif["classifier"]["score"],
                         "lexicon_baseline": mawqif["lexicon_baseline"]}
    if outlet_part:
        out["outlets"] = {"with_urls": {c: f["accuracy"] for c, f in outlet_part["with_urls"].items()},
                          "text_only": {c: {"precision": f["precision"], "coverage": f["coverage"]}
                                        for c, f in outlet_part["text_only"].items()}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="news_gold,mawqif,outlets", help="comma-separated parts to run")
    parser.add_argument("--ant-pages", type=int, default=0, help="first pages of each ANT corpus; 0 = all")
    parser.add_argument("--egypt-per-outlet", type=int, default=2000, help="pages per outlet file; 0 = all")
    parser.add_argument("--work", type=Path, default=Path("/tmp/labels-bench"), help="where models are written")
    parser.add_argument("--write-quality", action="store_true", help="write conf/data/label_quality.json")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        cfg = OmegaConf.to_object(compose("config"))
    result = {}
    if "news_gold" in parts:
        result["news_gold"] = news_gold(cfg)
    if "mawqif" in parts:
        result["mawqif"] = mawqif_part(args.work)
    if "outlets" in parts:
        result["outlets"] = outlets(cfg, args.ant_pages, args.egypt_per_outlet)
    if args.write_quality:
        path = data_file(cfg.label.quality_file)
        saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        written = quality_file(result.get("news_gold"), result.get("mawqif"), result.get("outlets"), saved)
        path.write_text(json.dumps(written, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
