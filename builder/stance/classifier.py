"""The trainable classifier: per target, char and word n-gram TF-IDF and a logistic regression (scikit-learn).

`train` fits one model per target and measures it by cross-validation (out-of-fold predictions, stratified,
seeded): precision and recall of favor/against and coverage (the share of documents given one). With
`min_precision`, each target gets the lowest probability bar whose cross-validated precision reaches it; a
favor/against answer below the bar becomes none, as the voice labeler abstains below its calibrated bar.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.arabic import match_key
from builder.errors import BuildError
from builder.schema import STANCE_LABELS
from builder.stance.base import Stance
from builder.stance.table import Example
from builder.stance.targets import Target

if TYPE_CHECKING:
    from builder.config import ClassifierStanceConfig

MODEL_FORMAT = 2  # bumped when the saved model's layout changes
SIDES = ("favor", "against")
BARS = [0.0, *(round(0.35 + 0.05 * i, 2) for i in range(13))]  # probability bars tried: none, 0.35 ... 0.95

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\bURL\b")
_ELONGATED = re.compile(r"(.)\1{2,}")


def classifier_text(text: str) -> str:
    """What the classifier reads: the match key without links and @handles, hashtags as words, no elongation."""
    text = _NOISE.sub(" ", match_key(text)).replace("#", " ").replace("_", " ")
    return _ELONGATED.sub(r"\1\1", text).lower()


def make_model(c: float = 5.0, min_df: int = 2):
    """Char (2-5, within words) and word (1-2) n-gram TF-IDF, then a class-balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=min_df),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"),
    )
    return make_pipeline(features, LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))


def decide(classes: list[str], probs, bar: float) -> tuple[str, float]:
    """The most probable label; favor/against below the bar is none (with the model's probability of none)."""
    best = int(probs.argmax())
    label, score = str(classes[best]), float(probs[best])
    if label in SIDES and score < bar:
        return "none", float(probs[classes.index("none")]) if "none" in classes else 1 - score
    return label, score


def scores(gold: list[str], pred: list[str]) -> dict[str, Any]:
    """Precision and recall of favor/against (a side counts only when it is the gold side) and coverage."""
    said = sum(p in SIDES for p in pred)
    right = sum(p in SIDES and p == g for g, p in zip(gold, pred, strict=True))
    sided = sum(g in SIDES for g in gold)
    return {"n": len(gold), "precision": round(right / said, 4) if said else None,
            "recall": round(right / sided, 4) if sided else None, "coverage": round(said / len(gold), 4),
            "predicted": dict(Counter(pred)), "gold": dict(Counter(gold))}


def fold_of(rows: list[Example], folds: int, seed: int) -> list[int]:
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_label[r.label].append(i)
    out = [0] * len(rows)
    rng = random.Random(seed)
    for idx in by_label.values():
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            out[i] = k % folds
    return out


def out_of_fold(rows: list[Example], c: float, min_df: int, folds: int, seed: int) -> list[tuple[list[str], Any]]:
    """(classes, probabilities) for every row from a model that did not see it."""
    assign = fold_of(rows, folds, seed)
    result: list[Any] = [None] * len(rows)
    for k in range(folds):
        fit = [r for r, f in zip(rows, assign, strict=True) if f != k]
        held = [i for i, f in enumerate(assign) if f == k]
        if not held:
            continue
        model = make_model(c, min_df).fit([classifier_text(r.text) for r in fit], [r.label for r in fit])
        for i, p in zip(held, model.predict_proba([classifier_text(rows[i].text) for i in held]), strict=True):
            result[i] = (list(model.classes_), p)
    return result


def cross_validate(rows: list[Example], c: float, min_df: int, folds: int, seed: int,
                   min_precision: float | None) -> tuple[float, dict[str, Any]] | None:
    """(bar, figures at that bar) from out-of-fold predictions; None when a label has too few rows to fold."""
    folds = min(folds, min(Counter(r.label for r in rows).values()))
    if folds < 2:
        return None
    predicted = out_of_fold(rows, c, min_df, folds, seed)
    gold = [r.label for r in rows]
    at = {bar: scores(gold, [decide(cls, p, bar)[0] for cls, p in predicted]) for bar in BARS}
    bar = 0.0
    if min_precision:
        good = [b for b in BARS if (at[b]["precision"] or 0) >= min_precision]
        bar = good[0] if good else max(BARS, key=lambda b: (at[b]["precision"] or 0, -b))
    return bar, {**at[bar], "bar": bar, "folds": folds,
                 "without_bar": {k: at[0.0][k] for k in ("precision", "recall", "coverage")},
                 "target_met": None if not min_precision else (at[bar]["precision"] or 0) >= min_precision}


def train(examples: Iterable[Example], c: float = 5.0, min_df: int = 2, min_precision: float | None = None,
          folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """One model per target, its bar and its cross-validated figures; the dict is what `train-stance` saves."""
    by_target: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.label not in STANCE_LABELS:
            raise ValueError(f"label {ex.label!r} is not one of {STANCE_LABELS}")
        by_target.setdefault(ex.target, []).append(ex)
    models, counts, bars, quality = {}, {}, {}, {}
    for target, rows in sorted(by_target.items()):
        labels = {r.label for r in rows}
        if len(labels) < 2:
            raise ValueError(f"target {target!r} has only the label {labels.pop()!r}: a classifier needs two or more")
        measured = cross_validate(rows, c, min_df, folds, seed, min_precision) if folds > 1 else None
        bars[target], quality[target] = measured or (0.0, None)
        models[target] = make_model(c, min_df).fit([classifier_text(r.text) for r in rows], [r.label for r in rows])
        counts[target] = dict(Counter(r.label for r in rows))
    import sklearn

    params = {"c": c, "min_df": min_df, "min_precision": min_precision, "folds": folds, "seed": seed}
    return {"format": MODEL_FORMAT, "models": models, "bars": bars, "examples": counts, "quality": quality,
            "params": params, "sklearn": sklearn.__version__}


def quality_path(model: Path) -> Path:
    """Where `train-stance` writes the cross-validated figures: beside the model, `<name>.quality.json`."""
    return model.with_suffix(".quality.json")


class ClassifierStance:
    """A model written by `train-stance`, loaded from a file path in config (a pickle: load only your own)."""

    name = "classifier"

    def __init__(self, config: ClassifierStanceConfig):
        import joblib

        path = Path(config.model)
        if not path.is_file():
            raise BuildError(f"stance model not found: {path} (train one with `train-stance ... --out {path}`)")
        saved = joblib.load(path)
        if not isinstance(saved, dict) or saved.get("format") != MODEL_FORMAT:
            raise BuildError(f"{path} is not a stance model written by this version of train-stance")
        self.models = saved["models"]
        self.bars = saved["bars"] if config.use_bars else dict.fromkeys(self.models, 0.0)
        self.targets = frozenset(self.models)

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        model = self.models[target.id]
        probs = model.predict_proba([classifier_text(f"{title}\n{text}" if title else text)])[0]
        label, score = decide(list(model.classes_), probs, self.bars[target.id])
        return Stance(label, round(score, 3))
