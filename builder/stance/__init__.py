"""Stance toward configured targets: the outlet's own voice, labelled per target, with evidence.

- `targets`      targets as data (aliases and their word forms, context aliases, exclusions), how a text names them
- `genre`        news, opinion or analysis, with its evidence: an opinion piece is its writer's voice throughout
- `speech`       the outlet's voice apart from the speech it attributes to others, clause by clause, genre-aware
- `voice`        the default labeler: cues in the outlet's voice, a calibrated bar, quoted cues kept apart
- `lexicon`      the cue-counting baseline it replaced (label/stance=lexicon)
- `classifier`   the model `train-stance` trains (TF-IDF + logistic regression), cross-validated
- `local_model`  a local transformers text-classification model
- `llm`          any OpenAI-compatible chat endpoint, its evidence checked to lie in the outlet's voice
- `distill`      `train-stance --from-llm`: the LLM labels a stratified sample, the classifier learns it
- `nli`          zero-shot entailment by a local NLI model over the outlet-voice clauses naming the target
- `table`, `cli` the user's labelled file and the `train-stance` command
- `terms`        the `stance-terms` command: candidate loaded terms near target mentions, for review

Labels are `favor`, `against` or `none` (`builder.schema.STANCE_LABELS`).
"""

from builder.stance.base import Stance, StanceLabeler
from builder.stance.classifier import ClassifierStance, quality_path, train
from builder.stance.cli import main
from builder.stance.lexicon import LexiconStance
from builder.stance.llm import LLMStance
from builder.stance.local_model import TransformersStance
from builder.stance.nli import NLIStance
from builder.stance.table import Example, examples, read_table
from builder.stance.targets import Target, Targets
from builder.stance.voice import VoiceStance

__all__ = ["ClassifierStance", "Example", "LLMStance", "LexiconStance", "NLIStance", "Stance", "StanceLabeler",
           "Target", "Targets", "TransformersStance", "VoiceStance", "examples", "main", "quality_path", "read_table",
           "train"]
