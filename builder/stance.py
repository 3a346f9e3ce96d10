"""Stance toward configured targets: which target a text is about, and three labelers that read its stance.

A target (say Iran) is data: an id, Arabic and English aliases and spelling variants, matched on the match key
after the proclitics are peeled. The label stage finds the target a document mentions most and asks the
configured labeler for the document's stance toward it:

- `LexiconStance` counts cue words near the target's mentions and keeps them as evidence (the default);
- `ClassifierStance` loads a model `train-stance` wrote: per target, char and word n-gram TF-IDF and a
  logistic regression (scikit-learn, imported when the labeler is built);
- `TransformersStance` runs a local text-classification model (the optional `transformers` extra).

Labels are `favor`, `against` or `none` (`builder.schema.STANCE_LABELS`); every label carries a score, the
labeler's name and, when the labeler can give them, evidence spans.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from builder.arabic import WORD, match_key, original_index, word_forms
from builder.errors import BuildError
from builder.rules import load_yaml
from builder.schema import STANCE_LABELS

MODEL_FORMAT = 1  # bumped when the saved model's layout changes


@dataclass(frozen=True)
class Target:
    id: str
    aliases: tuple[tuple[str, ...], ...]  # each alias as its key tokens, lowercased, longest first

    def spans(self, tokens: list[str]) -> list[tuple[int, int]]:
        """Token spans [start, end) of the target's mentions; a mention may carry a proclitic (وبإيران)."""
        found, i = [], 0
        while i < len(tokens):
            n = next((len(a) for form in word_forms(tokens[i]) for a in self.aliases
                      if a[0] == form and tuple(tokens[i + 1 : i + len(a)]) == a[1:]), 0)
            if n:
                found.append((i, i + n))
            i += n or 1
        return found


class Stance(NamedTuple):
    label: str  # one of STANCE_LABELS
    score: float | None
    evidence: tuple[str, ...] = ()


def key_tokens(text: str) -> list[str]:
    return [t.lower() for t in WORD.findall(match_key(text))]


class Targets:
    """The configured stance targets, each `{id, ar: [...], en: [...], variants: [...]}`."""

    def __init__(self, targets: list[dict[str, Any]]):
        self.targets = [self.parse(t) for t in targets]
        if len(set(self.ids)) != len(self.targets):
            raise ValueError(f"stance target ids repeat: {self.ids}")

    @staticmethod
    def parse(entry: dict) -> Target:
        names = [*entry.get("ar", []), *entry.get("en", []), *entry.get("variants", [])]
        aliases = {tuple(key_tokens(str(n))) for n in names} - {()}
        if not aliases:
            raise ValueError(f"stance target {entry.get('id')!r} has no aliases (ar, en, variants)")
        return Target(str(entry["id"]), tuple(sorted(aliases, key=lambda a: (-len(a), a))))

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.targets]

    def main(self, text: str) -> Target | None:
        """The target mentioned most (ties: the first configured), or None when no target is mentioned."""
        tokens = key_tokens(text)
        counts = {t.id: len(t.spans(tokens)) for t in self.targets}
        best = max(self.targets, key=lambda t: counts[t.id])
        return best if counts[best.id] else None

    def get(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no stance target {target_id!r} (configured: {', '.join(self.ids)})")


class StanceLabeler(Protocol):
    name: str
    targets: frozenset[str] | None  # the target ids it can label; None: any

    def label(self, text: str, target: Target) -> Stance: ...


class LexiconStance:
    """Cue words within `window` words of a mention of the target: explainable, crude.

    A cue matches a word that starts with it once the proclitics are peeled. The side with at least `min_cues`
    cues and more cues than the other wins; the score is its share of the cues. Every counted cue is kept as
    evidence: the original text from the cue to the nearest mention.
    """

    name = "lexicon"
    targets = None

    def __init__(self, lexicon_file: str = "stance_lexicon.yaml", window: int = 8, min_cues: int = 2):
        cues = load_yaml(lexicon_file)["cues"]
        self.cues = {side: tuple(match_key(c).lower() for c in cues.get(side, [])) for side in ("favor", "against")}
        self.window = window
        self.min_cues = min_cues

    def side(self, token: str) -> str | None:
        return next((side for side, cues in self.cues.items() if any(f.startswith(cues) for f in word_forms(token))),
                    None)

    def label(self, text: str, target: Target) -> Stance:
        words = list(WORD.finditer(match_key(text)))
        tokens = [w.group(0).lower() for w in words]
        spans = target.spans(tokens)
        if not spans:
            return Stance("none", None)
        hits: dict[str, list[str]] = {"favor": [], "against": []}
        for j, token in enumerate(tokens):
            near = [(min(abs(j - s), abs(j - e + 1)), s, e) for s, e in spans if s - self.window <= j < e + self.window]
            if not near or any(s <= j < e for _, s, e in near) or not (side := self.side(token)):
                continue
            _, s, e = min(near)
            first, last = words[min(j, s)], words[max(j, e - 1)]
            span = text[original_index(text, first.start()) : original_index(text, last.end())]
            hits[side].append(" ".join(span.split()))
        favor, against = len(hits["favor"]), len(hits["against"])
        evidence = tuple(f"{side}: {span}" for side in ("favor", "against") for span in hits[side])
        total = favor + against
        if favor >= self.min_cues and favor > against:
            return Stance("favor", round(favor / total, 3), evidence)
        if against >= self.min_cues and against > favor:
            return Stance("against", round(against / total, 3), evidence)
        return Stance("none", round(1 - abs(favor - against) / total, 3) if total else 1.0, evidence)


# --- the trainable classifier -----------------------------------------------------------------------------------

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


class Example(NamedTuple):
    text: str
    target: str
    label: str


def train(examples: Iterable[Example], c: float = 5.0, min_df: int = 2) -> dict[str, Any]:
    """One model per target; the saved dict says which targets and labels it knows and how many it saw."""
    by_target: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.label not in STANCE_LABELS:
            raise ValueError(f"label {ex.label!r} is not one of {STANCE_LABELS}")
        by_target.setdefault(ex.target, []).append(ex)
    models, counts = {}, {}
    for target, rows in sorted(by_target.items()):
        labels = {r.label for r in rows}
        if len(labels) < 2:
            raise ValueError(f"target {target!r} has only the label {labels.pop()!r}: a classifier needs two or more")
        models[target] = make_model(c, min_df).fit([classifier_text(r.text) for r in rows], [r.label for r in rows])
        counts[target] = dict(Counter(r.label for r in rows))
    import sklearn

    return {"format": MODEL_FORMAT, "models": models, "examples": counts, "params": {"c": c, "min_df": min_df},
            "sklearn": sklearn.__version__}


class ClassifierStance:
    """A model written by `train-stance`, loaded from a file path in config (a pickle: load only your own)."""

    name = "classifier"

    def __init__(self, model: str):
        import joblib

        path = Path(model)
        if not path.is_file():
            raise BuildError(f"stance model not found: {model} (train one with `train-stance ... --out {model}`)")
        saved = joblib.load(path)
        if not isinstance(saved, dict) or saved.get("format") != MODEL_FORMAT:
            raise BuildError(f"{model} is not a stance model written by this version of train-stance")
        self.models = saved["models"]
        self.targets = frozenset(self.models)

    def label(self, text: str, target: Target) -> Stance:
        model = self.models[target.id]
        probs = model.predict_proba([classifier_text(text)])[0]
        best = int(probs.argmax())
        return Stance(str(model.classes_[best]), round(float(probs[best]), 3))


# --- a local transformers model -------------------------------------------------------------------------------


class TransformersStance:
    """A local text-classification model (a folder with config and weights); nothing is downloaded.

    `labels` maps the model's label names to favor/against/none (by default its own names, lowercased);
    `pair_with_target` passes the target id as the second text, for models trained on (text, target) pairs.
    """

    name = "transformers"
    targets = None

    def __init__(self, model: str, labels: dict[str, str] | None = None, pair_with_target: bool = False,
                 device: str = "cpu", max_length: int = 512):
        self.labels = {k.lower(): v for k, v in (labels or {}).items()}
        if bad := set(self.labels.values()) - set(STANCE_LABELS):
            raise BuildError(f"label.stance.labels maps to {sorted(bad)}; use {STANCE_LABELS}")
        if not Path(model).is_dir():
            raise BuildError(f"stance model folder not found: {model} (label.stance.model must be a local folder)")
        try:
            from transformers import pipeline
        except ImportError:
            raise BuildError("label/stance=transformers needs the transformers extra: "
                             "pip install 'arabic-news-corpus-builder[transformers]'") from None
        self.pipe = pipeline("text-classification", model=model, tokenizer=model, device=device)
        self.pair_with_target = pair_with_target
        self.max_length = max_length

    def label(self, text: str, target: Target) -> Stance:
        inputs = {"text": text, "text_pair": target.id} if self.pair_with_target else text
        out = self.pipe(inputs, truncation=True, max_length=self.max_length)
        out = out[0] if isinstance(out, list) else out
        name = str(out["label"]).lower()
        label = self.labels.get(name, name)
        if label not in STANCE_LABELS:
            raise BuildError(f"the stance model answered {out['label']!r}; map it with label.stance.labels")
        return Stance(label, round(float(out["score"]), 3))


# --- train-stance -------------------------------------------------------------------------------------------------


def read_table(path: Path, split: str) -> list[dict[str, Any]]:
    """Rows of a CSV (a UTF-8 BOM is fine), Parquet, JSONL file, or a Hugging Face dataset folder."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if suffix in (".jsonl", ".ndjson"):
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.is_dir():
        import datasets

        if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
            data = datasets.load_from_disk(str(path))
            return list(data[split] if isinstance(data, datasets.DatasetDict) else data)
        return list(datasets.load_dataset(str(path), split=split))
    raise BuildError(f"cannot read {path}: give a .csv, .parquet or .jsonl file, or a dataset folder")


def examples(rows: list[dict[str, Any]], text: str, target: str | None, label: str, target_id: str | None,
             label_map: dict[str, str]) -> list[Example]:
    missing = {c for c in (text, target, label) if c} - set(rows[0] if rows else ())
    if missing:
        raise BuildError(f"columns not found: {sorted(missing)} (the data has {sorted(rows[0]) if rows else []})")
    out = []
    for row in rows:
        raw = str(row[label]).strip()
        out.append(Example(str(row[text] or ""), str(row[target]) if target else str(target_id),
                           label_map.get(raw, raw.lower())))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="train-stance", description="Train the stance classifier that "
                                "`build-corpus label/stance=classifier label.stance.model=FILE` loads.")
    p.add_argument("--data", required=True, type=Path, help=".csv, .parquet, .jsonl, or a Hugging Face dataset folder")
    p.add_argument("--split", default="train", help="split to read from a dataset folder")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="stance")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--target-column", help="column naming each row's target (its values become target ids)")
    group.add_argument("--target", help="the one target id every row is about")
    p.add_argument("--label-map", nargs="*", default=[], metavar="RAW=LABEL",
                   help="map the data's labels to favor/against/none (default: the label, lowercased)")
    p.add_argument("--c", type=float, default=5.0, help="inverse regularisation of the logistic regression")
    p.add_argument("--min-df", type=int, default=2, help="a char n-gram must occur in this many texts")
    p.add_argument("--out", required=True, type=Path, help="model file to write (joblib)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        label_map = dict(item.split("=", 1) for item in args.label_map)
        rows = read_table(args.data, args.split)
        data = examples(rows, args.text_column, args.target_column, args.label_column, args.target, label_map)
        model = train(data, c=args.c, min_df=args.min_df)
    except (BuildError, ValueError) as err:
        print(f"train-stance: error: {err}", file=sys.stderr)
        sys.exit(2)
    import joblib

    args.out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.out)
    print(json.dumps({"model": str(args.out), "examples": model["examples"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
