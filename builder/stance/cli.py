"""`train-stance`: fit the classifier on the user's labelled news and write its cross-validated quality beside it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from builder.errors import BuildError
from builder.stance.classifier import quality_path, train
from builder.stance.table import examples, read_table


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="train-stance", description="Train the stance classifier that "
                                "`build-corpus label/stance=classifier label.stance.model=FILE` loads.")
    p.add_argument("--data", required=True, type=Path, help=".csv, .parquet, .jsonl, or a Hugging Face dataset folder")
    p.add_argument("--split", default="train", help="split to read from a dataset folder")
    p.add_argument("--text-column", default="text")
    p.add_argument("--title-column", help="headline column, read before the text")
    p.add_argument("--label-column", default="stance")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--target-column", help="column naming each row's target (its values become target ids)")
    group.add_argument("--target", help="the one target id every row is about")
    llm = p.add_argument_group("distil an LLM's labels (--from-llm): the data is unlabelled, a built corpus or input")
    llm.add_argument("--from-llm", action="store_true", help="have the llm labeler (label/stance=llm) label a "
                     "stratified sample of --data about the targets of label.targets, then train on its answers")
    llm.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="build-corpus settings for the "
                     "labeler and the targets, e.g. label.stance.base_url=http://localhost:8000/v1 "
                     "label.stance.model=NAME (its answers are cached under the data folder's .build/llm_cache, or "
                     "beside --out)")
    llm.add_argument("--sample", type=int, default=1000, help="(document, target) pairs the LLM labels")
    llm.add_argument("--strata", nargs="*", help="columns whose values (with the target) make the strata that take "
                     "turns in the sample (default: outlet and genre, those the data has)")
    llm.add_argument("--labelled", type=Path, help="where the labelled sample goes (JSONL; default beside --out, "
                     "<name>.llm.jsonl)")
    p.add_argument("--label-map", nargs="*", default=[], metavar="RAW=LABEL",
                   help="map the data's labels to favor/against/none (default: the label, lowercased)")
    p.add_argument("--c", type=float, default=5.0, help="inverse regularisation of the logistic regression")
    p.add_argument("--min-df", type=int, default=2, help="a char n-gram must occur in this many texts")
    p.add_argument("--min-precision", type=float, default=0.8,
                   help="per target, the lowest probability bar whose cross-validated favor/against precision "
                        "reaches this; below it the answer is none (0: never abstain)")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (stratified, seeded)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, type=Path, help="model file to write (joblib); the quality JSON goes "
                                                            "beside it as <name>.quality.json")
    return p.parse_args(argv)


def report(model: dict[str, Any], data: Path) -> dict[str, Any]:
    """What the card and the user read: per target, the cross-validated figures at the model's bar."""
    return {"labeler": "classifier", "data": str(data), "measured": "cross-validation on the training data",
            "params": model["params"], "examples": model["examples"], "targets": model["quality"]}


def save(model: dict[str, Any], out: Path, quality: dict[str, Any]) -> None:
    """The model (joblib) and its cross-validated quality beside it; a one-line summary on stdout."""
    import joblib

    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    quality_path(out).write_text(json.dumps(quality, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"model": str(out), "quality": str(quality_path(out)), "examples": model["examples"],
                      "cross_validated": {t: q and {k: q[k] for k in ("precision", "recall", "coverage", "bar")}
                                          for t, q in model["quality"].items()}}, ensure_ascii=False))


def from_llm(args: argparse.Namespace) -> None:
    """Label a stratified sample with the llm labeler, write it, train the classifier on the answered pairs."""
    from builder.stance.distill import distill

    labelled = args.labelled or args.out.with_suffix(".llm.jsonl")
    params = {"c": args.c, "min_df": args.min_df, "min_precision": args.min_precision or None, "folds": args.folds,
              "seed": args.seed}
    model, how = distill(args.data, args.split, args.text_column, args.title_column, args.set, args.sample,
                         args.strata, labelled, args.out.parent, params)
    save(model, args.out, {**report(model, labelled), "measured": "cross-validation on the LLM's labels",
                           "labelled_by": how})


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        if args.from_llm:
            return from_llm(args)
        if not (args.target_column or args.target):
            raise BuildError("give --target-column or --target (or --from-llm to have an LLM label the data)")
        label_map = dict(item.split("=", 1) for item in args.label_map)
        rows = read_table(args.data, args.split)
        data = examples(rows, args.text_column, args.target_column, args.label_column, args.target, label_map,
                        args.title_column)
        model = train(data, c=args.c, min_df=args.min_df, min_precision=args.min_precision or None,
                      folds=args.folds, seed=args.seed)
    except (BuildError, ValueError) as err:
        print(f"train-stance: error: {err}", file=sys.stderr)
        sys.exit(2)
    save(model, args.out, report(model, args.data))


if __name__ == "__main__":
    main()
