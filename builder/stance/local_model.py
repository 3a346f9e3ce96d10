"""A local transformers text-classification model as a stance labeler; nothing is downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.errors import BuildError
from builder.schema import STANCE_LABELS
from builder.stance.base import Stance
from builder.stance.targets import Target

if TYPE_CHECKING:
    from builder.config import TransformersStanceConfig


def transformers_for(folder: str, labeler: str) -> Any:
    """The transformers package for a labeler reading a local model folder: a BuildError saying what to do when the
    folder is missing or the extra is not installed."""
    if not Path(folder).is_dir():
        raise BuildError(f"stance model folder not found: {folder} (label.stance.model must be a local folder)")
    try:
        import transformers
    except ImportError:
        raise BuildError(f"label/stance={labeler} needs the transformers extra: "
                         "pip install 'arabic-news-corpus-builder[transformers]'") from None
    return transformers


class TransformersStance:
    """A local model folder (config, weights, tokenizer), e.g. one fine-tuned on the user's labels.

    `labels` maps the model's label names to favor/against/none (by default its own names, lowercased);
    `pair_with_target` passes the target id as the second text, for models trained on (text, target) pairs.
    """

    name = "transformers"
    targets = None

    def __init__(self, config: TransformersStanceConfig):
        c = config
        self.labels = {k.lower(): v for k, v in (c.labels or {}).items()}
        if bad := set(self.labels.values()) - set(STANCE_LABELS):
            raise BuildError(f"label.stance.labels maps to {sorted(bad)}; use {STANCE_LABELS}")
        pipeline = transformers_for(c.model, self.name).pipeline
        self.pipe = pipeline("text-classification", model=c.model, tokenizer=c.model, device=c.device)
        self.pair_with_target = c.pair_with_target
        self.max_length = c.max_length

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        text = f"{title}\n{text}" if title else text
        inputs = {"text": text, "text_pair": target.id} if self.pair_with_target else text
        out = self.pipe(inputs, truncation=True, max_length=self.max_length)
        out = out[0] if isinstance(out, list) else out
        name = str(out["label"]).lower()
        label = self.labels.get(name, name)
        if label not in STANCE_LABELS:
            raise BuildError(f"the stance model answered {out['label']!r}; map it with label.stance.labels")
        return Stance(label, round(float(out["score"]), 3))
