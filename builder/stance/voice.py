"""The default stance labeler: the outlet's own voice toward each target, with a calibrated bar.

Cues (`conf/data/stance_lexicon.yaml`, `voice`) are counted only in the outlet's voice (`speech.SpeechSplitter`):
the headline, unattributed sentences, an opinion column's prose. The same cues in attributed speech become
`quoted` evidence ("who said what"), never the document's stance. The side's strength (brand cues 2, framing 1,
evaluative words 1 in a column and 0.5 in a report, a headline cue twice) less the other side's is looked up in
the calibration table that `benchmarks/labels.py --calibrate` fits on the calibration half of the hand-labelled
news gold: the score is the precision measured there for that strength, and the label is favor or against only
when that score clears `min_score`. Otherwise the label is none: precision first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.arabic import WORD, match_key, original_index
from builder.config import data_file
from builder.errors import BuildError
from builder.lists import read_yaml
from builder.stance.base import Stance
from builder.stance.speech import Clause, SpeechSplitter
from builder.stance.targets import Alias, Target, alias_spans, parse_aliases

if TYPE_CHECKING:
    from builder.config import VoiceStanceConfig

SIDES = ("favor", "against")
WEIGHTS = {"brand": 2.0, "frame": 1.0}
HEADLINE_FACTOR = 2.0
EVALUATIVE_WEIGHT = {True: 1.0, False: 0.5}  # opinion column, news report


@dataclass(frozen=True)
class Hit:
    side: str
    kind: str  # brand, frame, evaluative
    weight: float
    span: str  # the original words, from the cue to the nearest mention
    speaker: str | None  # None: the outlet's voice
    headline: bool = False


class Calibration:
    """Strength -> the precision measured for it (bins of `min_strength`, non-decreasing), from a JSON file."""

    def __init__(self, path: str):
        file = data_file(path)
        if not file.is_file():
            raise BuildError(f"stance calibration not found: {file} (write it with "
                             "`python benchmarks/labels.py --calibrate`)")
        data = json.loads(file.read_text(encoding="utf-8"))
        self.bins = sorted((float(b["min_strength"]), float(b["precision"])) for b in data["bins"])
        self.none_without_evidence = float(data["none_without_evidence"])

    def precision(self, strength: float) -> float:
        """The measured precision of the bin the strength falls in (0 below the first bin)."""
        return max((p for s, p in self.bins if strength >= s), default=0.0)


class VoiceStance:
    """Stance from the outlet's voice, with every counted cue as evidence and quoted cues kept apart."""

    name = "voice"
    targets = None

    def __init__(self, config: VoiceStanceConfig | None = None):
        from builder.config import VoiceStanceConfig

        c = config or VoiceStanceConfig()
        lexicon = read_yaml(c.lexicon_file)["voice"]
        self.cues: dict[str, dict[str, dict[str, tuple[Alias, ...]]]] = {
            target: {side: {kind: parse_aliases(sides.get(side, {}).get(kind, [])) for kind in WEIGHTS}
                     for side in SIDES}
            for target, sides in lexicon["targets"].items()}
        self.evaluative = {side: parse_aliases(lexicon["evaluative"].get(side, [])) for side in SIDES}
        self.window = int(c.window if c.window is not None else lexicon["window"])
        self.splitter = SpeechSplitter(c.speech_file)
        self.calibration = Calibration(c.calibration_file)
        self.min_score = c.min_score
        self._last: tuple | None = None

    # --- reading ---------------------------------------------------------------------------------------------

    def hits(self, clause: Clause, words: list, target: Target, in_context: bool, opinion: bool) -> list[Hit]:
        tokens = [w.group(0).lower() for w in words]
        mentions = target.spans(tokens, in_context)
        found: list[Hit] = []
        taken: set[int] = set()  # a word counts once, as the strongest cue it is part of
        factor = HEADLINE_FACTOR if clause.headline else 1.0
        for kind, weight in WEIGHTS.items():
            for side in SIDES:
                if kind == "frame" and not mentions:
                    continue
                for s, e in alias_spans(tokens, self.cues.get(target.id, {}).get(side, {}).get(kind, ())):
                    if taken & set(range(s, e)):
                        continue
                    taken |= set(range(s, e))
                    found.append(Hit(side, kind, weight * factor, self.span(clause.text, words, s, e, mentions),
                                     clause.speaker, clause.headline))
        for side in SIDES:
            for s, e in alias_spans(tokens, self.evaluative[side]):
                near = [m for m in mentions if m[0] - self.window <= s < m[1] + self.window]
                if near and not any(m[0] <= s < m[1] for m in near) and not taken & set(range(s, e)):
                    found.append(Hit(side, "evaluative", EVALUATIVE_WEIGHT[opinion] * factor,
                                     self.span(clause.text, words, s, e, near), clause.speaker, clause.headline))
        return found

    @staticmethod
    def span(text: str, words: list, s: int, e: int, mentions: list[tuple[int, int]]) -> str:
        """The original words from the cue to the nearest mention (the cue alone when it is far or names none)."""
        near = min(mentions, key=lambda m: min(abs(m[0] - s), abs(m[1] - e)), default=None)
        if near and min(abs(near[0] - s), abs(near[1] - e)) <= 8:
            s, e = min(s, near[0]), max(e, near[1])
        first, last = words[s], words[e - 1]
        return " ".join(text[original_index(text, first.start()) : original_index(text, last.end())].split())

    def reading(self, title: str | None, text: str) -> tuple[list[tuple[Clause, list]], bool]:
        """The clauses with their words, and whether the page is an opinion column: the same for every target of
        a document, so the last document's reading is kept (the label stage asks once per mentioned target)."""
        if self._last is None or self._last[0] != (title, text):
            clauses = [(c, list(WORD.finditer(match_key(c.text)))) for c in self.splitter.clauses(title, text)]
            self._last = ((title, text), (clauses, self.splitter.is_opinion(title, text)))
        return self._last[1]

    def read(self, text: str, target: Target, title: str | None) -> tuple[list[Hit], list[Hit]]:
        """(voice hits, quoted hits) toward the target."""
        clauses, opinion = self.reading(title, text)
        whole = [w.group(0).lower() for _, words in clauses for w in words]
        if not target.spans(whole, in_context=False):
            return [], []
        hits = [h for c, words in clauses for h in self.hits(c, words, target, True, opinion)]
        return [h for h in hits if h.speaker is None], [h for h in hits if h.speaker is not None]

    # --- deciding --------------------------------------------------------------------------------------------

    @staticmethod
    def strengths(hits: list[Hit]) -> dict[str, float]:
        return {side: sum(h.weight for h in hits if h.side == side) for side in SIDES}

    def strength(self, text: str, target: Target, title: str | None = None) -> tuple[str | None, float]:
        """The leaning side and its margin over the other side (what the calibration is fitted on)."""
        voice, _ = self.read(text, target, title)
        return self.lean(self.strengths(voice))

    @staticmethod
    def lean(strengths: dict[str, float]) -> tuple[str | None, float]:
        side = max(SIDES, key=lambda s: strengths[s])
        margin = strengths[side] - min(strengths.values())
        return (side, margin) if margin > 0 else (None, 0.0)

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        voice, quoted = self.read(text, target, title)
        side, margin = self.lean(self.strengths(voice))
        evidence = tuple(f"{h.side} ({h.kind}{', headline' if h.headline else ''}): {h.span}"
                         for h in voice)
        said = tuple(dict.fromkeys(f"{h.side}, said by {h.speaker or 'a quotation'}: {h.span}" for h in quoted))
        if side is None:
            return Stance("none", round(self.calibration.none_without_evidence, 3), evidence, said)
        precision = self.calibration.precision(margin)
        if precision >= self.min_score:
            return Stance(side, round(precision, 3), evidence, said)
        return Stance("none", round(1 - precision, 3), evidence, said)
