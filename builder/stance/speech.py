"""Who is speaking: a news text split into the outlet's own voice and the speech it attributes to others.

News reports what people say. "قال رئيس الأركان إن ميليشيات مدعومة من إيران ..." is the chief of staff's
accusation, not the outlet's stance, so the stance labeler reads the two apart, clause by clause: a quotation
(longer than a scare quote) is somebody's speech; a reporting verb (قال، أكد، اعتبر ...) makes its clause and the
rest of its sentence (the complement) speech, while the clauses before it stay the outlet's voice; a source phrase
(وفقا ل، بحسب، في بيان) or a verb closing the sentence ("...، قال مسؤول") reports the whole sentence; "فلان: ..."
is a speaker's line; an interview's answers (builder/stance/genre.py) are the interviewee's. What only looks like
reporting is not: a noun ("في كشف"، "الجدير بالذكر"), a negated verb, a verb in a relative clause, "من يرى أن".
In an opinion piece the writer's voice runs throughout: only quotations and a named third party's speech are
someone else's. The words are data: `conf/data/attributed_speech.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from builder.arabic import PROCLITICS, WORD, match_key
from builder.lists import read_yaml
from builder.stance.genre import MARKED, GenreDetector
from builder.stance.targets import alias_spans, key_tokens, parse_aliases

SENTENCE_END = re.compile(r"[.!?؟\n]+|(?<=\S)\s*[؛;]\s*")
CLAUSE_END = re.compile(r"\s*[،,]\s*")
CONJUNCTIONS = PROCLITICS[0]  # و ف: what may stand before a verb in the same word
OBJECTS = ("ه", "ها", "هم", "هما", "هن")  # object pronouns a reporting verb may carry


@dataclass(frozen=True)
class Clause:
    """A stretch of the document, in the outlet's voice (`speaker` None) or attributed to `speaker`."""

    text: str
    headline: bool = False
    speaker: str | None = None  # "" when the speech is attributed but the speaker is not named nearby
    quoted: bool = False  # the speaker's own words (a quotation, an interview's answer), not the outlet's paraphrase
    # its key tokens (`key_tokens(text)`), from the parts the splitter keyed to find its cue: a reader of the clause
    # need not key it again (None: not kept)
    tokens: list[str] | None = field(default=None, compare=False, repr=False)

    @property
    def voice(self) -> bool:
        return self.speaker is None

    def key_tokens(self) -> list[str]:
        """Its key tokens: the splitter's, or keyed now for a clause made elsewhere."""
        return key_tokens(self.text) if self.tokens is None else self.tokens


@dataclass(frozen=True)
class Cue:
    part: int  # the clause of the sentence it is in
    speaker: str
    whole: bool  # it reports the whole sentence, the clauses before it included


class Parts(NamedTuple):
    """A sentence as the splitter reads it (`SpeechSplitter.parts`)."""

    quotes: list[str]  # its quotations, longer than a scare quote, without their marks
    quoted: list[list[str]]  # their key tokens
    outside: str  # the rest, each quotation replaced by " … "
    parts: list[str]  # the rest cut at commas
    keyed: list[list[str]]  # the parts' key tokens

    @property
    def tokens(self) -> list[str]:
        """Every key token, in the order of the clauses (the quotations first)."""
        return [*joined(self.quoted), *joined(self.keyed)]


@dataclass(frozen=True)
class Sentence:
    """A sentence of a headline or body, read into its parts, with what decides its clauses but its own words
    (`SpeechSplitter.sentences_of`)."""

    text: str
    headline: bool
    opinion: bool  # read as a column (only quotations and a named third party's speech are someone else's)
    parts: Parts
    asked: bool | None = None  # an interview's line: a question (the outlet's) or not (the interviewee's answer)
    told: str | None = None  # the speaker a headline "فلان لـ<the outlet>: ..." says the body is told by


def joined(keyed: list[list[str]]) -> list[str]:
    """The key tokens of parts one after the other."""
    return [t for tokens in keyed for t in tokens]


class SpeechSplitter:
    """Splits a headline and body into clauses, each the outlet's voice or someone else's speech."""

    def __init__(self, speech_file: str = "attributed_speech.yaml", genre_file: str = "genre.yaml"):
        data = read_yaml(speech_file)
        self.reporting = parse_aliases([w for group in data["reporting"].values() for w in group])
        # a verb with an object pronoun is the same verb ("اعتبرها إرهابية"، "وصفه")
        self.reporting = parse_aliases([*(" ".join(a) for a in self.reporting),
                                        *(a[0] + p for a in self.reporting if len(a) == 1 for p in OBJECTS)])
        self.verbs = frozenset(a[0] for a in self.reporting)
        self.sources = parse_aliases(data["sources"])
        self.not_after = frozenset(t for w in data["not_after"] for t in key_tokens(w))
        self.not_reporting = parse_aliases(data["not_reporting"])
        self.unnamed = frozenset(t for w in data["unnamed_subjects"] for t in key_tokens(w))
        self.own = frozenset(t for w in data["own_subjects"] for t in key_tokens(w))
        self.resumes = parse_aliases(data["voice_resumes"])
        self.speaker_ends = {t for w in data["speaker_ends"] for t in key_tokens(w)}
        self.speaker_words = int(data["speaker_words"])
        self.scare_quote_words = int(data["scare_quote_words"])
        self.not_speakers = parse_aliases(data["not_speakers"])
        self.genres = GenreDetector(genre_file, speech_file)
        self.column_marks = self.genres.title["opinion"]
        self.quote = self.genres.quote

    def is_opinion(self, title: str | None, text: str) -> bool:
        """An opinion piece or an analysis by its headline, opening and writing (no URL or section known)."""
        return self.genres.decide(title, text).opinion

    def clauses(self, title: str | None, text: str, genre: str | None = None) -> list[Clause]:
        """The headline's and the body's clauses; `genre` None: decided from the text (`is_opinion`)."""
        return [c for s in self.sentences_of(title, text, genre) for c in self.sentence_split(s)]

    def sentences_of(self, title: str | None, text: str, genre: str | None = None) -> list[Sentence]:
        """The headline's and the body's sentences, each with what decides its clauses but its own words: `clauses`
        one sentence at a time, for a reader that splits only the sentences holding a word it looks for."""
        opinion = self.is_opinion(title, text) if genre is None else genre in MARKED
        head = [Sentence(s, True, False, self.parts(s)) for s in self.sentences(title or "")]
        if self.genres.questions(text) >= self.genres.interview_lines:
            body = self.interview(text, opinion)
        else:
            body = [Sentence(s, False, opinion, self.parts(s)) for s in self.sentences(text)]
        told = self.told(title or "")
        if told is not None:  # "فلان لـ«الوطن»: ...": an interview or a statement to the outlet, its speaker's
            body = [replace(s, told=told) for s in body]
        return head + body

    def interview(self, text: str, opinion: bool) -> list[Sentence]:
        """An interview's sentences: the introduction's as any text's, then each line's, a question (the outlet's)
        or an answer (the interviewee's)."""
        lines = text.split("\n")
        first = next(i for i, line in enumerate(lines) if self.genres.is_question(line))
        out = [Sentence(s, False, opinion, self.parts(s)) for s in self.sentences("\n".join(lines[:first]))]
        for line in lines[first:]:
            asked = self.genres.is_question(line)
            out += [Sentence(s, False, opinion, self.parts(s), asked) for s in self.sentences(line)]
        return out

    def sentence_split(self, sentence: Sentence) -> list[Clause]:
        """A sentence's clauses: an interview's answer is the interviewee's (speaker ""), its question the outlet's;
        a body the headline says is told to the outlet is its speaker's."""
        out = self.sentence_clauses(sentence.text, sentence.headline, sentence.opinion, sentence.parts)
        if sentence.asked is not None:
            asked = sentence.asked
            out = [replace(c, speaker=None if asked else "" if c.voice else c.speaker, quoted=not asked) for c in out]
        if sentence.told is not None:
            out = [replace(c, speaker=sentence.told if c.voice else c.speaker, quoted=True) for c in out]
        return out

    def told(self, title: str) -> str | None:
        """The speaker of a headline "فلان لـ<the outlet>: ..." (what the page relays is theirs), else None."""
        head, colon, _ = match_key(title).partition(":")
        tokens = key_tokens(head)
        return " ".join(tokens) if colon and "ل" in tokens[1:] and self.colon_speaker(title) else None

    def sentences(self, text: str) -> list[str]:
        """Sentences, with a quotation kept whole inside the sentence that opens it."""
        quotes = ((m.start(), m.end()) for m in self.quote.finditer(text))  # in order, none overlapping
        quote = next(quotes, None)
        cuts, start = [], 0
        for m in SENTENCE_END.finditer(text):
            while quote and quote[1] <= m.start():  # the only quotation that may hold an end is the first not past it
                quote = next(quotes, None)
            if quote and quote[0] < m.start():
                continue
            cuts.append(text[start : m.end()])
            start = m.end()
        cuts.append(text[start:])
        return [c.strip() for c in cuts if WORD.search(c)]

    def parts(self, sentence: str) -> Parts:
        """The quotations in a sentence (longer than a scare quote), and the rest cut into its parts at commas."""
        quotes, rest, last = [], [], 0
        for m in self.quote.finditer(sentence):
            inner = m.group(0)[1:-1]
            if len(WORD.findall(inner)) > self.scare_quote_words:
                quotes.append(inner)
                rest.append(sentence[last : m.start()] + " … ")
                last = m.end()
        rest.append(sentence[last:])
        outside = "".join(rest)
        parts = [p for p in CLAUSE_END.split(outside) if p.strip()] or [outside]
        # each part keyed once: for its cue, and as the tokens of the clauses made of it (a clause boundary is a
        # comma or spaces, never inside a word, so a clause's tokens are its parts' tokens one after the other)
        return Parts(quotes, [key_tokens(q) for q in quotes], outside, parts, [key_tokens(p) for p in parts])

    def sentence_clauses(self, sentence: str, headline: bool, opinion: bool = False,
                         parts: Parts | None = None) -> list[Clause]:
        """The quotations in a sentence, then the rest: the outlet's clauses and the reported ones. `parts`: the
        sentence's `parts`, when the caller has them."""
        quotes, quoted, outside, parts, keyed = parts or self.parts(sentence)
        cue = self.cue(parts, opinion, keyed)
        speaker = cue.speaker if cue else None if opinion and not headline else self.colon_speaker(outside)
        # a quotation with no reporting verb in sight is still somebody's speech
        clauses = [Clause(q, headline, "" if speaker is None else speaker, True, tokens)
                   for q, tokens in zip(quotes, quoted, strict=True)]
        if cue is None or cue.whole:  # with no cue, a speaker is a "فلان: ..." line: their own words
            return [*clauses, Clause(outside.strip(), headline, speaker, cue is None and speaker is not None,
                                     joined(keyed))]
        back = next((i for i in range(cue.part + 1, len(parts)) if self.resumes_voice(keyed[i])), len(parts))
        own = "، ".join(parts[: cue.part]).strip()
        said = "، ".join(parts[cue.part : back]).strip()
        after = self.sentence_clauses("، ".join(parts[back:]), headline, opinion) if back < len(parts) else []
        return [*clauses, *([Clause(own, headline, None, tokens=joined(keyed[: cue.part]))] if own else []),
                Clause(said, headline, speaker, tokens=joined(keyed[cue.part : back])), *after]

    def resumes_voice(self, tokens: list[str]) -> bool:
        """The part (its key tokens) opens with words that give the sentence back to the outlet."""
        return any(s == 0 for s, _ in alias_spans(tokens[:3], self.resumes))

    def cue(self, parts: list[str], opinion: bool, keyed: list[list[str]] | None = None) -> Cue | None:
        """The first reporting verb or source phrase that reports (see the module's docstring), if any. `keyed`:
        the parts' key tokens, when the caller has them."""
        for i, part in enumerate(parts):
            tokens = keyed[i] if keyed is not None else key_tokens(part)
            found = [(s, e, False) for s, e in alias_spans(tokens, self.reporting) if self.is_verb(tokens, s)]
            if found:
                # a word written with ة is a noun, though its key reads as a verb with "ه" (وصفة، إضافة، نقلة)
                nouns = set(key_tokens(" ".join(w for w in WORD.findall(part) if w.endswith("ة"))))
                found = [f for f in found if tokens[f[0]] not in nouns]
            found += [(s, e, True) for s, e in alias_spans(tokens, self.sources)]
            if not found:
                continue
            blocked = {j for s, e in alias_spans(tokens, self.not_reporting) for j in range(s, e)}
            for s, e, source in sorted(found):
                if s in blocked:
                    continue
                subject = self.subject(tokens[e:])
                if self.own & set(subject[:3]):
                    continue  # the outlet's correspondent, or the evidence it shows
                if opinion and (not subject or subject[0] in self.unnamed):
                    continue  # the writer's own framing
                closing = not source and i == len(parts) - 1 and i > 0 and not self.speaker_ends & set(tokens[e:])
                return Cue(i, " ".join(subject), source or closing)
        return None

    def is_verb(self, tokens: list[str], s: int) -> bool:
        """A reporting word used as a verb: at most و or ف before it, and no negation, preposition or relative."""
        token, before = tokens[s], tokens[s - 1] if s else ""
        if token not in self.verbs and not (token[:1] in CONJUNCTIONS and token[1:] in self.verbs):
            return False
        return not {before, before[1:] if before[:1] in CONJUNCTIONS else before} & self.not_after

    def subject(self, tokens: list[str]) -> list[str]:
        words = []
        for t in tokens[: self.speaker_words]:
            if t in self.speaker_ends:
                break
            words.append(t)
        return words

    def colon_speaker(self, text: str) -> str | None:
        """"فلان: ..." names a speaker (not a headline label, not a column's "فلان يكتب:")."""
        if ":" not in text:  # most sentences (the key neither deletes nor makes a colon)
            return None
        head, colon, _ = match_key(text).partition(":")
        head_tokens = key_tokens(head)
        if colon and 0 < len(head_tokens) <= self.speaker_words and not alias_spans(head_tokens, self.column_marks) \
                and not alias_spans(head_tokens, self.not_speakers):
            return " ".join(head_tokens)
        return None

    def speaker(self, text: str) -> str | None:
        """Who a sentence reports, "" if unnamed, None: the outlet's voice (the news reading, whole sentence)."""
        cue = self.cue([text], opinion=False)
        return cue.speaker if cue else self.colon_speaker(text)
