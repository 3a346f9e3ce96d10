"""Line and line-start boilerplate removal on the match key; every cut span goes to the audit."""

from __future__ import annotations

from builder.arabic import WORD
from builder.document import Doc, Drop
from builder.rules import RuleSet
from builder.stages.base import Stage


class Cleaner(Stage):
    name = "clean"

    def __init__(self, rules_file: str = "boilerplate.yaml", min_words: int = 1):
        self.rules = RuleSet.load(rules_file)
        self.min_words = min_words

    def process(self, doc: Doc) -> Doc | Drop:
        kept: list[str] = []
        for line in doc.text.split("\n"):
            line = line.strip()
            while line:
                removal = self.rules.first_match(line, lead=not kept)
                if removal is None:
                    break
                doc.removed.append(removal)
                line = line[len(removal.text):].strip()
            if line:
                kept.append(line)
        doc.text = "\n\n".join(kept)
        if len(WORD.findall(doc.text)) < self.min_words:
            return Drop("empty_after_cleaning", f"{len(doc.removed)} spans removed")
        return doc
