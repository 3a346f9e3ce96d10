"""Zero-shot stance by entailment: a local NLI model asked whether the outlet's own sentences entail a side.

An NLI model (a transformers sequence-classification folder with entailment and contradiction labels, such as
a multilingual XNLI model) scores premise -> hypothesis. The premises are the clauses in the outlet's own voice
(`SpeechSplitter`) that name the target, so a hostile official the article quotes is never a premise; the
hypotheses are one per side ("This text is against {target}."). As the zero-shot pipeline does with several
true labels, each pair's entailment probability is the softmax of entailment against contradiction. A side
needs a clause reaching `min_entailment` and a lead of `min_margin` over the other side's best; that clause is
the evidence. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from builder.errors import BuildError
from builder.stance.base import Stance
from builder.stance.local_model import transformers_for
from builder.stance.speech import SpeechSplitter
from builder.stance.targets import Target, key_tokens

if TYPE_CHECKING:
    from builder.config import NLIStanceConfig

SIDES = ("favor", "against")
Scorer = Callable[[list[tuple[str, str]]], list[float]]  # (premise, hypothesis) pairs -> entailment probabilities


class NLIStance:
    """Labels a target's side when an outlet-voice clause naming it entails that side's hypothesis."""

    name = "nli"
    targets = None

    def __init__(self, config: NLIStanceConfig, scorer: Scorer | None = None):
        """`scorer` stands in for the model (tests); by default the model folder in `config.model` is loaded."""
        c = self.config = config
        if set(c.hypotheses) != set(SIDES) or not all("{target}" in h for h in c.hypotheses.values()):
            raise BuildError(f"label.stance.hypotheses must give favor and against, each with {{target}}: "
                             f"{dict(c.hypotheses)}")
        self.splitter = SpeechSplitter(c.speech_file)
        self.score = scorer or self.load()

    def load(self) -> Scorer:
        c = self.config
        transformers = transformers_for(c.model, self.name)
        import torch

        tokenizer = transformers.AutoTokenizer.from_pretrained(c.model)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(c.model).to(c.device).eval()
        names = {str(name).lower(): int(i) for i, name in model.config.id2label.items()}
        entail = next((i for name, i in names.items() if name.startswith("entail")), None)
        contra = next((i for name, i in names.items() if name.startswith("contradict")), None)
        if entail is None:
            raise BuildError(f"{c.model} has no entailment label (its labels: {sorted(names)}): not an NLI model")

        def score(pairs: list[tuple[str, str]]) -> list[float]:
            out: list[float] = []
            for i in range(0, len(pairs), c.batch_size):
                batch = pairs[i : i + c.batch_size]
                inputs = tokenizer([p for p, _ in batch], [h for _, h in batch], truncation="only_first",
                                   max_length=c.max_length, padding=True, return_tensors="pt").to(c.device)
                with torch.no_grad():
                    logits = model(**inputs).logits
                pick = [contra, entail] if contra is not None else list(range(logits.shape[-1]))
                probs = logits[:, pick].softmax(-1)[:, pick.index(entail)]
                out += [float(p) for p in probs]
            return out

        return score

    def hypothesis(self, side: str, target: Target) -> str:
        name = self.config.names.get(target.id) or target.id.replace("_", " ")
        return self.config.hypotheses[side].replace("{target}", name)

    def premises(self, text: str, target: Target, title: str | None) -> list[str]:
        """The clauses in the outlet's own voice that name the target (a context alias counts when the document
        names it by a full alias), headline first, at most `max_clauses`."""
        named = bool(target.spans(key_tokens(f"{title or ''}\n{text}")))
        voiced = [c.text for c in self.splitter.clauses(title, text)
                  if c.voice and target.spans(c.key_tokens(), in_context=named)]
        return voiced[: self.config.max_clauses]

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        premises = self.premises(text, target, title)
        if not premises:
            return Stance("none", None)
        hypotheses = {side: self.hypothesis(side, target) for side in SIDES}
        scores = self.score([(p, hypotheses[side]) for side in SIDES for p in premises])
        best = {side: max(zip(scores[k * len(premises) : (k + 1) * len(premises)], premises, strict=True))
                for k, side in enumerate(SIDES)}
        side = max(SIDES, key=lambda s: best[s][0])
        (score, evidence), other = best[side], best[SIDES[1 - SIDES.index(side)]][0]
        if score >= self.config.min_entailment and score - other >= self.config.min_margin:
            return Stance(side, round(score, 3), (evidence,))
        return Stance("none", round(1 - score, 3))
