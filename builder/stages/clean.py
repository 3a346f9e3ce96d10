"""Line and line-start boilerplate removal on the match key; every cut span goes to the audit."""

from __future__ import annotations

from builder.arabic import LINE_END, has_words, in_broken_sentence, words_in
from builder.config import CleanConfig
from builder.document import Doc, Drop, Removal
from builder.lead import lexicon
from builder.lists import WordLists
from builder.rules import RuleSet
from builder.stages.base import Stage

# Classes whose lines are names (an agency, an outlet, a person, a place): such a name may also be a piece of
# a sentence that a scraper broke across lines ("ذكرت وكالة \n رويترز \n أن ..."), and then it stays.
_NAMES = frozenset({"credit", "dateline", "byline"})


class Cleaner(Stage):
    """Each line, from the top, against the rules; lead-only rules (datelines, bylines) apply until the body starts.

    The body starts at the first kept line that is not a subtitle: a subtitle or two (short lines that end no
    sentence) may sit between the headline and the byline or dateline. In the body, a short line between a
    sentence that has not ended and more text is a piece of that sentence, never a credit or a byline. Edge rules
    (a lone agency or outlet name) apply in the lead and, from the bottom up, after the last line of the body.
    Furniture glued to a sentence is cut from it: a lead line's head up to a separator, a closing line's tail from
    a sentence end (the rules file's `glued_prefix` and `glued_suffix` classes); the sentence stays.
    """

    name = "clean"

    def __init__(self, config: CleanConfig | None = None, lists: WordLists | None = None):
        c = config or CleanConfig()
        self.rules = RuleSet.load(c.rules_file, lists)
        self.min_words = c.min_words
        self.lead_subtitles = c.lead_subtitles
        self.subtitle_words = c.subtitle_words
        self.fragment_words = c.fragment_words
        self.glued_tail_lines = c.glued_tail_lines
        self.lexicon = lexicon(lists, c.rules_file)
        self.not_names = self.rules.only(kinds=self.rules.kinds - _NAMES)
        self.edge = self.rules.only(ids=frozenset(r.id for r in self.rules.rules if r.scope == "edge"))

    def in_lead(self, kept: list[str]) -> bool:
        return len(kept) <= self.lead_subtitles and all(
            words_in(line) <= self.subtitle_words and not line.endswith(LINE_END) for line in kept)

    def is_fragment(self, lines: list[str], i: int) -> bool:
        """A short line inside a broken sentence, with text (three words or more) after it."""
        return in_broken_sentence(lines, i, self.fragment_words) and words_in(lines[i + 1]) >= 3

    def glued_head(self, rules: RuleSet, line: str) -> Removal | None:
        """Furniture glued before the lead's first sentence: a line rule's shape up to a separator, or a run of typed
        tokens (person, outlet, city, agency, desk word, cue, date) no rule has the order of; the longer."""
        found = [rules.glued_head(line), self.lexicon.head(line) if rules is self.rules else None]
        return max((r for r in found if r is not None), key=lambda r: len(r.text), default=None)

    def process(self, doc: Doc) -> Doc | Drop:
        lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
        kept: list[str] = []
        for i, line in enumerate(lines):
            lead = self.in_lead(kept)
            rules = self.not_names if not lead and self.is_fragment(lines, i) else self.rules
            while line:
                removal = rules.first_match(line, lead=lead) or (self.glued_head(rules, line) if lead else None)
                if removal is None:
                    break
                doc.removed.append(removal)
                line = line[len(removal.text):].strip()
            if line:
                kept.append(line)
        while kept and (removal := self.edge.first_match(kept[-1], lead=False, tail=True)):  # the closing credit
            doc.removed.append(removal)
            kept.pop()
        if kept and (removal := self.rules.trailing_match(kept[-1])):  # ...or the closing mark glued to the text
            doc.removed.append(removal)
            kept[-1] = kept[-1][: len(kept[-1]) - len(removal.text)].rstrip()
        for i in range(max(0, len(kept) - self.glued_tail_lines), len(kept)):  # a back-link, a credit after a sentence
            while removal := self.rules.glued_tail(kept[i]):
                doc.removed.append(removal)
                kept[i] = kept[i][: len(kept[i]) - len(removal.text)].rstrip()
        doc.text = "\n\n".join(kept)
        if not has_words(doc.text, self.min_words):
            return Drop("empty_after_cleaning", f"{len(doc.removed)} spans removed")
        return doc
