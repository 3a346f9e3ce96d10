"""The default stance labeler: the outlet's own voice toward each target, with a calibrated bar per genre.

Cues (`conf/data/stance_lexicon.yaml`, `voice`) are counted in the outlet's voice (`speech.SpeechSplitter`,
clause by clause and genre-aware): the headline, unattributed clauses, an opinion piece's prose. The same cues in
attributed speech become `quoted` evidence ("who said what"), except what the outlet calls the target at its name
in its paraphrase of a speaker (not a quotation): half weight, at most 1 in all, so never enough alone. Cues are
matched on their word forms (plural, feminine, construct, attached pronoun: `targets.word_variants`). Per target:
brand cues (2) and framing (1); for any target, its people called names (`agents`: "ميليشيات الحوثي") or a judging
word right after its name (2, name-calling as a brand is), a loaded noun of conduct heading it (`heads`: 1), and
evaluative words nearby (1 in an opinion piece, 0.25 in a report, counted only beside another cue of the side); a
headline cue twice. A stock descriptor ("المدعومة من إيران") is a fact, not a stance: no cue counts inside it. The
side's strength less the other side's is looked up in the calibration (`conf/data/stance_calibration.json`, fitted
by `benchmarks/stance.py --calibrate` on the development half of a hand-labelled gold): per genre, the lowest
strength whose measured precision has a Wilson lower bound at the bar, from bins of at least `min_support` examples.
A genre whose bins never reach the bar refuses to decide (none); below the threshold the label is none.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from builder.arabic import WORD, match_key, original_index
from builder.config import data_file
from builder.errors import BuildError
from builder.lists import read_text, read_yaml
from builder.stance.base import Stance
from builder.stance.genre import MARKED
from builder.stance.speech import Clause, Sentence, SpeechSplitter
from builder.stance.targets import Aliases, Target, alias_spans, parse_aliases

if TYPE_CHECKING:
    from builder.config import VoiceStanceConfig

SIDES = ("favor", "against")
WEIGHTS = {"brand": 2.0, "frame": 1.0}
HEADLINE_FACTOR = 2.0
DESIGNATIONS = ("brand", "agent")  # what the target is called: the outlet's word in its paraphrase of a speaker too
PARAPHRASE_WEIGHT = 0.5
PARAPHRASE_CAP = 1.0
EVALUATIVE_WEIGHT = {True: 1.0, False: 0.25}  # opinion piece, news report (where they are mostly designations)
CALIBRATION_FORMAT = 2
# the calibration's genre groups: a page of unknown genre is calibrated like a report; an analysis has a table of its
# own (read like a column, it was far less precise than one on the dev gold: 2 of 6 right at strength 1.5, against
# 44 of 50 for opinion pieces, so pooled it hid the columns' precision and kept them from deciding)
GENRE_GROUP = {"opinion": "opinion", "analysis": "analysis", "news": "news", "unknown": "news", None: "news"}


@dataclass(frozen=True)
class Hit:
    side: str
    kind: str  # brand, frame, named (a head or word at the name), agent (a head naming its people), evaluative
    weight: float
    span: str  # the original words, from the cue to the nearest mention
    speaker: str | None  # None: the outlet's voice
    headline: bool = False
    paraphrase: bool = False  # a designation at the target's name in the outlet's paraphrase of someone's speech


def wilson_lower(right: int, n: int, z: float = 1.96) -> float:
    """The lower bound of the Wilson score interval of a proportion (0 with no examples)."""
    if not n:
        return 0.0
    p = right / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def fit_bins(examples: list[tuple[float, bool]], edges: list[float], min_support: int, min_lower: float,
             z: float = 1.96) -> dict[str, Any]:
    """One genre's table from (strength, the leaning side is the gold side) pairs: per edge, the examples at or
    above it; a bin with fewer than `min_support` refuses; the threshold is the lowest edge whose bin decides and
    whose precision's Wilson lower bound reaches `min_lower` (None: this genre never decides)."""
    bins, threshold = [], None
    for edge in edges:
        at = [right for strength, right in examples if strength >= edge]
        n, right = len(at), sum(at)
        refused = n < min_support
        lower = wilson_lower(right, n, z)
        bins.append({"min_strength": edge, "support": n, "right": right,
                     "precision": round(right / n, 3) if n else None, "lower": round(lower, 3), "refused": refused})
        if threshold is None and not refused and lower >= min_lower:
            threshold = edge
    return {"threshold": threshold, "bins": bins}


class Calibration:
    """Per genre group: the strength threshold and the measured precision of each strength bin (a JSON file)."""

    def __init__(self, path: str):
        file = data_file(path)
        if not file.is_file():
            raise BuildError(f"stance calibration not found: {file} (write it with "
                             "`python benchmarks/stance.py --calibrate`)")
        data = json.loads(read_text(path))
        if data.get("format") != CALIBRATION_FORMAT:
            raise BuildError(f"{file} is not a stance calibration of format {CALIBRATION_FORMAT} (refit it with "
                             "`python benchmarks/stance.py --calibrate`)")
        self.min_support = int(data["min_support"])
        self.genres: dict[str, dict[str, Any]] = data["genres"]
        self.none_without_evidence = float(data["none_without_evidence"])

    def decide(self, strength: float, genre: str | None) -> tuple[bool, float | None, str]:
        """(decides, the measured precision at that strength, why): a refused genre or a strength below its
        threshold does not decide."""
        group = GENRE_GROUP.get(genre, "news")
        table = self.genres.get(group)
        if not table or table.get("threshold") is None:
            most = max((b["support"] for b in (table or {}).get("bins", [])), default=0)
            return False, None, f"refused: no {group} bin of {self.min_support}+ examples reaches the bar " \
                                f"(largest: {most})"
        usable = [b for b in table["bins"] if not b["refused"] and strength >= b["min_strength"]]
        precision = float(usable[-1]["precision"]) if usable else None
        if strength < table["threshold"] or precision is None:
            return False, precision, f"below the {group} threshold {table['threshold']}"
        return True, precision, f"{group} threshold {table['threshold']}"


class Reading:
    """A document as the voice labeler reads it, the same for every target: its sentences, each one's key tokens,
    every token, and its genre. A sentence is split into clauses (and kept) only when a target's reading first looks
    into it: most sentences hold no word a hit toward the document's targets may start at."""

    def __init__(self, read: tuple, splitter: SpeechSplitter, sentences: list[Sentence], genre: str):
        self.read = read  # (title, text, genre) as asked
        self.splitter = splitter
        self.sentences = sentences
        self.tokens = [s.parts.tokens for s in sentences]
        self.whole = [t for tokens in self.tokens for t in tokens]
        self.genre = genre
        self.split: dict[int, list[tuple[Clause, list[str]]]] = {}

    def clauses(self, i: int) -> list[tuple[Clause, list[str]]]:
        """The i-th sentence's clauses with their key tokens."""
        if i not in self.split:
            self.split[i] = [(c, c.key_tokens()) for c in self.splitter.sentence_split(self.sentences[i])]
        return self.split[i]


class VoiceStance:
    """Stance from the outlet's voice, with every counted cue as evidence and quoted cues kept apart."""

    name = "voice"
    targets = None

    def __init__(self, config: VoiceStanceConfig | None = None):
        from builder.config import VoiceStanceConfig

        c = config or VoiceStanceConfig()
        lexicon = read_yaml(c.lexicon_file)["voice"]
        self.cues: dict[str, dict[str, dict[str, Aliases]]] = {
            target: {side: {kind: parse_aliases(sides.get(side, {}).get(kind, []), forms=True) for kind in WEIGHTS}
                     for side in SIDES}
            for target, sides in lexicon["targets"].items()}
        # per target, where one of its brand cues may start: a clause with none of these and no mention gives no hit
        self.brand_starts = {target: frozenset().union(*(sides[side]["brand"].starts for side in SIDES))
                             for target, sides in self.cues.items()}
        self.evaluative = {side: parse_aliases(lexicon["evaluative"].get(side, []), forms=True) for side in SIDES}
        self.heads = {side: parse_aliases(lexicon["heads"].get(side, []), forms=True) for side in SIDES}
        self.agents = {side: parse_aliases(lexicon["agents"].get(side, []), forms=True) for side in SIDES}
        self.stock = parse_aliases(lexicon.get("stock", []))
        self.window = int(c.window if c.window is not None else lexicon["window"])
        self.splitter = SpeechSplitter(c.speech_file)
        self.calibration = Calibration(c.calibration_file)
        self.min_score = c.min_score
        self._last: Reading | None = None

    # --- reading ---------------------------------------------------------------------------------------------

    def stock_words(self, tokens: list[str], mentions: list[tuple[int, int]]) -> set[int]:
        """The words of stock descriptors ("المدعومة من" + a mention): the descriptor and the mention it names."""
        starts = {s: e for s, e in mentions}
        return {i for s, e in alias_spans(tokens, self.stock) if e in starts for i in range(s, starts[e])}

    def looks_at(self, tokens: list[str], target: Target) -> bool:
        """The tokens may give a hit toward the target: they hold a token at which a mention of it or one of its brand
        cues (the only cue that counts without a mention) may start. Most clauses and sentences hold none."""
        brands = self.brand_starts.get(target.id, frozenset())
        return not (target.starts.isdisjoint(tokens) and brands.isdisjoint(tokens))

    def hits(self, clause: Clause, tokens: list[str], target: Target, in_context: bool, opinion: bool) -> list[Hit]:
        if not self.looks_at(tokens, target):
            return []
        named = target.spans(tokens, in_context)
        # a word counts once, as the strongest cue it is part of (a stock descriptor names a mention: none, none)
        taken = self.stock_words(tokens, named) if named else set()
        mentions = [m for m in named if m[0] not in taken]
        names = [m for m in mentions if not target.adjective(tokens, m)]  # the target itself, not an adjective
        found: list[Hit] = []
        factor = HEADLINE_FACTOR if clause.headline else 1.0
        paraphrase = clause.speaker is not None and not clause.quoted

        def add(side: str, kind: str, weight: float, s: int, e: int, near: list[tuple[int, int]]) -> None:
            taken.update(range(s, e))
            epithet = any(m[0] <= e and s <= m[1] for m in near)  # it holds or touches the target's name
            found.append(Hit(side, kind, weight * factor, self.span(clause.text, s, e, near), clause.speaker,
                             clause.headline, paraphrase and epithet and kind in DESIGNATIONS))

        cues = self.cues.get(target.id, {})
        for kind, weight in WEIGHTS.items():
            if kind == "frame" and not mentions:
                continue
            # the longer cue wins whichever side it is ("بلطجية الإخوان" against, not "بلطجية" favor)
            found_here = [(s, e, side) for side in SIDES
                          for s, e in alias_spans(tokens, cues.get(side, {}).get(kind, ()))]
            for s, e, side in sorted(found_here, key=lambda x: (x[0] - x[1], x[0])):
                if not taken & set(range(s, e)):
                    add(side, kind, weight, s, e, mentions)
        if not mentions:  # every cue below frames a mention or stands at or near one: most clauses name none
            return found
        for side in SIDES:  # any target: its people called names ("ميليشيات الحوثي") or a judging word right after
            # its name ("قطر الإرهابية") name-call it, as a brand does; a noun of conduct heading it ("أكاذيب قطر")
            # frames it
            spans = [(s, e, "named", mentions, True, "frame") for s, e in alias_spans(tokens, self.heads[side])] + \
                    [(s, e, "agent", names, True, "brand") for s, e in alias_spans(tokens, self.agents[side])] + \
                    [(s, e, "named", names, False, "brand") for s, e in alias_spans(tokens, self.evaluative[side])]
            for s, e, kind, named_by, head, weight in spans:
                near = [m for m in named_by if (m[0] == e if head else m[1] == s)]
                if near and not taken & set(range(s, e)):
                    add(side, kind, WEIGHTS[weight], s, e, near)
        for side in SIDES:
            for s, e in alias_spans(tokens, self.evaluative[side]):
                near = [m for m in names if m[0] - self.window <= s < m[1] + self.window]
                if near and not any(m[0] <= s < m[1] for m in near) and not taken & set(range(s, e)):
                    add(side, "evaluative", EVALUATIVE_WEIGHT[opinion], s, e, near)
        return found

    @staticmethod
    def span(text: str, s: int, e: int, mentions: list[tuple[int, int]]) -> str:
        """The original words from the cue to the nearest mention (the cue alone when it is far or names none): the
        key's words s to e, found again only here (most clauses give no hit)."""
        words = list(WORD.finditer(match_key(text)))
        near = min(mentions, key=lambda m: min(abs(m[0] - s), abs(m[1] - e)), default=None)
        if near and min(abs(near[0] - s), abs(near[1] - e)) <= 8:
            s, e = min(s, near[0]), max(e, near[1])
        first, last = words[s], words[e - 1]
        return " ".join(text[original_index(text, first.start()) : original_index(text, last.end())].split())

    def reading(self, title: str | None, text: str, genre: str | None) -> Reading:
        """The document's `Reading` (its genre given, or read from the text): the same for every target of a
        document, so the last document's reading is kept (the label stage asks once per mentioned target)."""
        if self._last is None or self._last.read != (title, text, genre):
            decided = self.splitter.genres.decide(title, text).label if genre is None else genre
            self._last = Reading((title, text, genre), self.splitter, self.splitter.sentences_of(title, text, decided),
                                 decided)
        return self._last

    def read(self, text: str, target: Target, title: str | None,
             genre: str | None = None) -> tuple[list[Hit], list[Hit], str]:
        """(the outlet's hits, its paraphrased designations included; every attributed hit; genre) toward the target."""
        reading = self.reading(title, text, genre)
        genre = reading.genre
        if not target.spans(reading.whole, in_context=False):
            return [], [], genre
        opinion = genre in MARKED  # the writer's voice: evaluative words count in full
        hits = [h for i, tokens in enumerate(reading.tokens) if self.looks_at(tokens, target)
                for c, clause_tokens in reading.clauses(i) for h in self.hits(c, clause_tokens, target, True, opinion)]
        # what the outlet calls the target, at its name, is its own word even where it paraphrases someone ("أفاد
        # التحالف بمقتل قادة ميليشيات الحوثي الإيرانية"); what the speaker claims, or calls its opponents, is theirs
        own = [h if h.speaker is None else replace(h, weight=h.weight * PARAPHRASE_WEIGHT) for h in hits
               if h.speaker is None or h.paraphrase]
        return own, [h for h in hits if h.speaker is not None], genre

    # --- deciding --------------------------------------------------------------------------------------------

    @staticmethod
    def strengths(hits: list[Hit]) -> dict[str, float]:
        """Per side, its cues' weights; evaluative words only beside a brand or framing cue of the same side (alone
        they judge whatever stands near the name: an opponent's lies, a court's listing); designations in a
        paraphrase add at most PARAPHRASE_CAP (alone they never reach a bar: the speaker may have chosen them)."""
        out = {}
        for side in SIDES:
            mine = [h for h in hits if h.side == side]
            own = sum(h.weight for h in mine if h.speaker is None)
            said = min(PARAPHRASE_CAP, sum(h.weight for h in mine if h.speaker is not None))
            out[side] = own + said if any(h.kind != "evaluative" for h in mine) else 0.0
        return out

    def strength(self, text: str, target: Target, title: str | None = None,
                 genre: str | None = None) -> tuple[str | None, float, str]:
        """The leaning side, its margin over the other side (what the calibration is fitted on), and the genre."""
        voice, _, genre = self.read(text, target, title, genre)
        return (*self.lean(self.strengths(voice)), genre)

    @staticmethod
    def lean(strengths: dict[str, float]) -> tuple[str | None, float]:
        side = max(SIDES, key=lambda s: strengths[s])
        margin = strengths[side] - min(strengths.values())
        return (side, margin) if margin > 0 else (None, 0.0)

    def label(self, text: str, target: Target, title: str | None = None, genre: str | None = None) -> Stance:
        voice, quoted, genre = self.read(text, target, title, genre)
        side, margin = self.lean(self.strengths(voice))
        evidence = tuple(f"{h.side} ({h.kind}{', headline' if h.headline else ''}"
                         f"{', in a paraphrase' if h.speaker is not None else ''}): {h.span}"
                         for h in voice)
        said = tuple(dict.fromkeys(f"{h.side}, said by {h.speaker or 'a quotation'}: {h.span}" for h in quoted))
        if side is None:
            return Stance("none", round(self.calibration.none_without_evidence, 3), evidence, said)
        decides, precision, _ = self.calibration.decide(margin, genre)
        if decides and precision is not None and precision >= self.min_score:
            return Stance(side, round(precision, 3), evidence, said)
        return Stance("none", None if precision is None else round(1 - precision, 3), evidence, said)
