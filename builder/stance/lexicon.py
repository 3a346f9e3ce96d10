"""The cue-counting baseline: cue words near a mention, wherever they are (quotations included).

Kept as `label/stance=lexicon` and as the benchmark's baseline: it is what the voice labeler replaced, and the
measured difference between the two is the reason for the replacement (benchmarks/labels.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.arabic import WORD, match_key, original_index, word_forms
from builder.lists import read_yaml
from builder.stance.base import Stance
from builder.stance.targets import Target

if TYPE_CHECKING:
    from builder.config import LexiconStanceConfig


class LexiconStance:
    """Cue words within `window` words of a mention of the target: explainable, crude.

    A cue matches a word that starts with it once the proclitics are peeled. The side with at least `min_cues`
    cues and more cues than the other wins; the score is its share of the cues. Every counted cue is kept as
    evidence: the original text from the cue to the nearest mention.
    """

    name = "lexicon"
    targets = None

    def __init__(self, config: LexiconStanceConfig | None = None):
        from builder.config import LexiconStanceConfig

        c = config or LexiconStanceConfig()
        cues = read_yaml(c.lexicon_file)["cues"]
        self.cues = {side: tuple(match_key(w).lower() for w in cues.get(side, [])) for side in ("favor", "against")}
        self.window = c.window
        self.min_cues = c.min_cues

    def side(self, token: str) -> str | None:
        return next((side for side, cues in self.cues.items() if any(f.startswith(cues) for f in word_forms(token))),
                    None)

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        text = f"{title}\n{text}" if title else text
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
