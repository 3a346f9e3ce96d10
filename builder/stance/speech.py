"""Who is speaking: a news text split into the outlet's own voice and the speech it attributes to others.

News reports what people say. "قال رئيس الأركان إن ميليشيات مدعومة من إيران ..." is the chief of staff's
accusation, not the outlet's stance, so the stance labeler reads the two apart. A clause is attributed when it
is inside quotation marks (longer than a scare quote), when its sentence carries a reporting verb or phrase
(قال، أكد، وفقا ل، نقلا عن، في بيان ...), or when it follows a speaker's name and a colon. Everything else,
the headline included, is the outlet's voice. The cues are data: `conf/data/attributed_speech.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.arabic import WORD, match_key
from builder.lists import read_yaml
from builder.stance.targets import alias_spans, key_tokens, parse_aliases

SENTENCE_END = re.compile(r"[.!?؟\n]+|(?<=\S)\s*[؛;]\s*")


@dataclass(frozen=True)
class Clause:
    """A stretch of the document, in the outlet's voice (`speaker` None) or attributed to `speaker`."""

    text: str
    headline: bool = False
    speaker: str | None = None  # "" when the speech is attributed but the speaker is not named nearby

    @property
    def voice(self) -> bool:
        return self.speaker is None


class SpeechSplitter:
    """Splits a headline and body into clauses, each the outlet's voice or someone else's speech."""

    def __init__(self, speech_file: str = "attributed_speech.yaml"):
        data = read_yaml(speech_file)
        self.reporting = parse_aliases([w for group in data["reporting"] for w in group])
        self.speaker_ends = {t for w in data["speaker_ends"] for t in key_tokens(w)}
        self.speaker_words = int(data["speaker_words"])
        self.scare_quote_words = int(data["scare_quote_words"])
        self.not_speakers = parse_aliases(data["not_speakers"])
        self.column_marks = parse_aliases(data["opinion"]["title"])
        self.opinion_text = parse_aliases(data["opinion"]["text"])
        self.opinion_chars = int(data["opinion"]["text_chars"])
        quotes = "|".join(f"{re.escape(o)}[^{re.escape(c)}{re.escape(o)}]{{1,{int(data['max_quote_chars'])}}}"
                          f"{re.escape(c)}" for o, c in data["quotes"])
        self.quote = re.compile(quotes)

    def is_opinion(self, title: str | None, text: str) -> bool:
        """An opinion column ("فلان يكتب: ...", "بقلم", a disclaimer that the views are the writer's)."""
        head = key_tokens(title or "")
        return bool(alias_spans(head, self.column_marks) or alias_spans(key_tokens(text[: self.opinion_chars]),
                                                                         self.opinion_text))

    def clauses(self, title: str | None, text: str) -> list[Clause]:
        out = [c for c in self.split(title or "", headline=True)]
        return out + self.split(text, headline=False)

    def split(self, text: str, headline: bool) -> list[Clause]:
        out: list[Clause] = []
        for sentence in self.sentences(text):
            out += self.sentence_clauses(sentence, headline)
        return out

    def sentences(self, text: str) -> list[str]:
        """Sentences, with a quotation kept whole inside the sentence that opens it."""
        protected = [(m.start(), m.end()) for m in self.quote.finditer(text)]
        cuts, start = [], 0
        for m in SENTENCE_END.finditer(text):
            if any(s < m.start() < e for s, e in protected):
                continue
            cuts.append(text[start : m.end()])
            start = m.end()
        cuts.append(text[start:])
        return [c.strip() for c in cuts if WORD.search(c)]

    def sentence_clauses(self, sentence: str, headline: bool) -> list[Clause]:
        """The quotations in a sentence, then the rest: attributed when a reporting cue or a speaker colon is in it."""
        quotes, rest, last = [], [], 0
        for m in self.quote.finditer(sentence):
            inner = m.group(0)[1:-1]
            if len(WORD.findall(inner)) > self.scare_quote_words:
                quotes.append(inner)
                rest.append(sentence[last : m.start()] + " … ")
                last = m.end()
        rest.append(sentence[last:])
        outside = "".join(rest)
        speaker = self.speaker(outside)
        # a quotation with no reporting verb in sight is still somebody's speech
        clauses = [Clause(q, headline, "" if speaker is None else speaker) for q in quotes]
        return [*clauses, Clause(outside.strip(), headline, speaker)]

    def speaker(self, text: str) -> str | None:
        """Who the sentence reports (words after the reporting cue), "" if unnamed, None: the outlet's voice."""
        tokens = key_tokens(text)
        spans = alias_spans(tokens, self.reporting)
        if spans:
            _, end = spans[0]
            words = []
            for t in tokens[end : end + self.speaker_words]:
                if t in self.speaker_ends:
                    break
                words.append(t)
            return " ".join(words)
        head, colon, _ = match_key(text).partition(":")
        head_tokens = key_tokens(head)
        if colon and 0 < len(head_tokens) <= self.speaker_words and not alias_spans(head_tokens, self.column_marks) \
                and not alias_spans(head_tokens, self.not_speakers):
            return " ".join(head_tokens)
        return None
