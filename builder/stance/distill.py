"""Distillation, FineWeb-Edu style: an LLM labels a stratified sample, the fast classifier learns from it.

Asking an LLM about every (document, target) of a large corpus costs a request each; asking it about a sample of
a few thousand and training the TF-IDF classifier (`classifier.py`) on its answers costs a sample, and the build
then labels at scale with `label/stance=classifier`. The sample is stratified: (target, outlet, and any other
column named) strata take turns, so a prolific outlet does not fill it. Pairs the LLM gave no answer for (over
budget, failed) are written but not trained on; a label it gave that did not stand (evidence invented or quoted)
is trained as none, the label the llm labeler itself would have written.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.config import Config
from builder.errors import BuildError
from builder.stance.classifier import train
from builder.stance.llm import NOT_STANDING, LLMStance
from builder.stance.table import Example, read_table
from builder.stance.targets import Target, Targets
from builder.stats import StageStats


@dataclass(frozen=True)
class Pair:
    """One (document, target) the sample may hold, with its stratum."""

    text: str
    title: str | None
    target: Target
    stratum: tuple[str, ...]
    row: int


def pairs(rows: list[dict[str, Any]], targets: Targets, text: str, title: str | None,
          strata: list[str]) -> list[Pair]:
    """Every (row, target it mentions) with its stratum: the target, then each strata column's value."""
    out = []
    for i, row in enumerate(rows):
        body, head = str(row.get(text) or ""), (str(row[title]) if title and row.get(title) else None)
        for t in targets.mentions(f"{head or ''}\n{body}"):
            out.append(Pair(body, head, targets.get(t), (t, *(str(row.get(s)) for s in strata)), i))
    return out


def stratified(candidates: list[Pair], n: int, seed: int) -> list[Pair]:
    """Up to n pairs, the strata taking turns (each stratum's pairs in a seeded random order)."""
    rng = random.Random(seed)
    groups: dict[tuple[str, ...], list[Pair]] = {}
    for p in candidates:
        groups.setdefault(p.stratum, []).append(p)
    queues = []
    for key in sorted(groups):
        group = groups[key]
        rng.shuffle(group)
        queues.append(group)
    picked: list[Pair] = []
    while len(picked) < n and queues:
        queues = [q for q in queues if q]
        for q in queues:
            if len(picked) == n:
                break
            picked.append(q.pop())
    return picked


def label_sample(llm: LLMStance, sample: list[Pair]) -> tuple[list[dict[str, Any]], Counter]:
    """The LLM's answer for every pair (requests sent concurrently, cached), as rows, and what they cost."""
    stats = StageStats("distill")
    rows = []
    for p in llm.ahead(sample, lambda p: [(p.text, p.target, p.title)], stats):
        a = llm.answer(p.text, p.target, p.title)
        rows.append({"row": p.row, "target": p.target.id, "title": p.title, "text": p.text, "label": a.label,
                     "evidence": a.evidence, "reason": a.reason, "stratum": list(p.stratum)})
    return rows, stats.notes


def training_examples(rows: list[dict[str, Any]]) -> list[Example]:
    """The rows the LLM answered (not over budget, not failed), as the classifier reads them: headline, then text
    (as `ClassifierStance.label` does)."""
    return [Example(f"{r['title']}\n{r['text']}" if r["title"] else r["text"], r["target"], r["label"])
            for r in rows if r["reason"] is None or r["reason"] in NOT_STANDING]


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def llm_config(overrides: list[str], cache_home: Path) -> Config:
    """The build's config with label/stance=llm and the user's settings (checked as build-corpus checks them); the
    answers are cached in `cache_home`/.build/llm_cache unless label.stance.cache_dir says otherwise."""
    from hydra.errors import ConfigCompositionException, OverrideParseException
    from omegaconf import OmegaConf
    from omegaconf.errors import MissingMandatoryValue

    from builder.cli import composed, explain

    try:
        cfg = composed([f"output.path={cache_home.absolute()}", "label/stance=llm", *overrides])
        return OmegaConf.to_object(cfg)
    except (ConfigCompositionException, OverrideParseException) as err:
        raise BuildError(explain(err, overrides)) from None
    except MissingMandatoryValue as err:
        raise BuildError(f"{err.full_key} has no value: set it with --set {err.full_key}=...") from None


def distill(data: Path, split: str, text: str, title: str | None, overrides: list[str], n: int,
            strata: list[str] | None, labelled: Path, home: Path, params: dict[str, Any]
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The classifier trained on the LLM's labels of a stratified sample of `data`, and how it was labelled."""
    rows = read_table(data, split)
    columns = set(rows[0]) if rows else set()
    title = title or ("title" if "title" in columns else None)
    strata = strata if strata is not None else [c for c in ("outlet", "genre") if c in columns]
    if missing := {c for c in (text, title, *strata) if c} - columns:
        raise BuildError(f"columns not found: {sorted(missing)} (the data has {sorted(columns)})")
    cfg = llm_config(overrides, data if (data / ".build").is_dir() else home)
    targets = Targets(cfg.label.targets)
    sample = stratified(pairs(rows, targets, text, title, strata), n, params.get("seed", 0))
    if not sample:
        raise BuildError(f"no row of {data} mentions a target of label.targets ({', '.join(targets.ids)})")
    llm = LLMStance(cfg.label.stance)
    answers, cost = label_sample(llm, sample)
    write_rows(answers, labelled)
    import sklearn.linear_model  # noqa: F401  (loaded first: the limit reaches only the BLAS already loaded)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # BLAS threads on a few thousand short texts only wait on each other (45 texts on a
        model = train(training_examples(answers), **params)  # busy 2-core machine: 4.4 s a fit with them, 0.25 without
    return model, {"labeler": "llm", "model": cfg.label.stance.model, "pairs": len(answers),
                   "strata": ["target", *strata], "labels": dict(Counter(r["label"] for r in answers)),
                   "cost": dict(sorted(cost.items())), "sample": str(labelled)}
