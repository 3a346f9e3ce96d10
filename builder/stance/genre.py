"""A page's genre: news, opinion or analysis (or unknown), and the evidence that decided it.

It matters for stance: an opinion column is the writer's voice throughout, so its reporting verbs ("يرى"، "كشف")
are the writer's own unless a named third party speaks, while a news report's are somebody else's speech. Most
outlets print no "بقلم" in the text; the signs are, strongest first: an interview's question lines (news, its
answers the interviewee's speech), the outlet's own URL paths and sections
(`genre` in the outlet registry), generic section words in the URL path or the input's section field, a headline
or signature marker ("فلان يكتب:", "تحليل:"), then the writing: the writer's first person outside quotations,
rhetorical questions and exclamations, a person's byline, against a dateline or agency opening. The words are
data: `conf/data/genre.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from builder.lists import Outlet, read_yaml
from builder.stance.targets import KeyWords, alias_spans, key_tokens, parse_aliases

GENRES = ("news", "opinion", "analysis", "unknown")
MARKED = ("opinion", "analysis")  # the genres a rule names; news is what a page with no sign of them is
_ASKS = re.compile(r"[?؟!]")
# a sentence (what lies between the marks [.!?؟] and line breaks) that holds a word: from its first word to its end,
# so a text's sentences are counted in one pass, not split and searched one by one
_SENTENCE = re.compile(r"\w[^.!?؟\n]*")
_SLUG = re.compile(r"[-_.+]+")


@dataclass(frozen=True)
class Genre:
    label: str  # one of GENRES
    evidence: tuple[str, ...] = ()

    @property
    def opinion(self) -> bool:
        """Read as the writer's voice throughout: a column or an analysis."""
        return self.label in MARKED


@dataclass(frozen=True)
class Keyed:
    """A body keyed once for the label stage's readers: its match key (the outlets it names), its key tokens (the
    target mentions), those of the writer's own words, outside quotations (the writing signs), and those of its head
    (the head marks)."""

    key: str
    tokens: list[str]
    own: list[str]
    head: list[str]


def quotations(marks: list[list[str]], max_chars: int) -> re.Pattern:
    """A quotation between any of the (opening, closing) mark pairs (attributed_speech.yaml `quotes`): what the
    writing signs of a column do not count, and what speech.py attributes to the person quoted."""
    return re.compile("|".join(f"{re.escape(o)}[^{re.escape(c)}{re.escape(o)}]{{1,{max_chars}}}{re.escape(c)}"
                               for o, c in marks))


def url_words(url: str | None) -> tuple[str, list[str]]:
    """(the URL's path, lowercased and percent-decoded; its segments and their slug words)."""
    if not url:
        return "", []
    path = unquote(urlsplit(url if "//" in url else "//" + url).path).lower()
    segments = [s for s in path.split("/") if s]
    return path.rstrip("/") + "/", [*segments, *(w for s in segments for w in _SLUG.split(s) if w and w != s)]


class GenreDetector:
    """Decides a page's genre from its URL, section, headline, byline, opening and writing (`genre.yaml`)."""

    def __init__(self, genre_file: str = "genre.yaml", speech_file: str = "attributed_speech.yaml"):
        data = read_yaml(genre_file)
        speech = read_yaml(speech_file)
        self.saying = parse_aliases(speech["reporting"]["saying"])
        self.quote = quotations(speech["quotes"], int(speech["max_quote_chars"]))
        self.report_sentences = int(data["reports_little"]["min_sentences"])
        self.report_rate = float(data["reports_little"]["saying_per_sentence"])
        self.url = {g: frozenset(w.lower() for w in data["url_words"].get(g, [])) for g in MARKED}
        self.sections = {g: parse_aliases(data["section_words"].get(g, [])) for g in MARKED}
        self.title = {g: parse_aliases(data["title_marks"].get(g, [])) for g in MARKED}
        self.head = {g: parse_aliases(data["head_marks"].get(g, [])) for g in MARKED}
        self.head_chars = int(data["head_chars"])
        self.first_person = parse_aliases(data["first_person"])
        self.fp_rate = float(data["first_person_per_100_words"])
        self.fp_min = int(data["first_person_min"])
        self.counted = self.first_person.starts | self.saying.starts  # where the writing's counted words may start
        self.ask_rate = float(data["questions_per_sentence"])
        self.ask_min = int(data["questions_min"])
        self.min_points = int(data["min_points"])
        self.byline_point = bool(data["byline_point"])
        self.interview_lines = int(data["interview"]["question_lines"])
        self.question_words = int(data["interview"]["max_words"])

    def is_question(self, line: str) -> bool:
        line = line.strip()
        return line.endswith(("؟", "?")) and len(line.split()) <= self.question_words

    def questions(self, text: str) -> int:
        """Short lines that end in a question mark: an interview's questions."""
        return sum(self.is_question(line) for line in text.split("\n"))

    def keyed(self, text: str) -> Keyed:
        """The body keyed once, read stretch by stretch: a quotation mark is no word character, so the body's tokens
        are its stretches' tokens one after the other, and its own words' tokens those of the stretches outside
        quotations (the text with each quotation replaced by a space, as `writing` reads it)."""
        words = KeyWords(text)
        tokens: list[str] = []
        own: list[str] = []
        last = 0
        for m in self.quote.finditer(text):
            outside = words(last, m.start())
            tokens += outside + words(m.start(), m.end())
            own += outside
            last = m.end()
        rest = words(last)
        return Keyed(words.key, tokens + rest, own + rest, words(0, self.head_chars))

    def decide(self, title: str | None, text: str, url: str | None = None, section: str | None = None,
               byline: str | None = None, opened: str | None = None, outlet: Outlet | None = None,
               keyed: Keyed | None = None) -> Genre:
        """`opened`: what the report opens with (its dateline or agency credit), None when nothing. A headline that
        signs the piece ("فلان يكتب:") decides first: a column built on a transcript's questions is still a column.
        `keyed`: the text's `keyed`, when the caller has it."""
        if found := self.marked("title", self.title, key_tokens(title or "")):
            return found
        if (asked := self.questions(text)) >= self.interview_lines:
            return Genre("news", (f"interview: {asked} question lines",))
        for rule in (self.outlet_rule, self.generic_rule):
            if found := rule(url, section, outlet):
                return found
        keyed = keyed or self.keyed(text)
        return self.marked("head", self.head, keyed.head) or self.writing(text, keyed.own, byline, opened)

    @staticmethod
    def marked(where: str, marks: dict[str, tuple], tokens: list[str]) -> Genre | None:
        """The first genre whose marks the key tokens hold."""
        for genre in MARKED:
            if spans := alias_spans(tokens, marks[genre]):
                s, e = spans[0]
                return Genre(genre, (f"{where}: {' '.join(tokens[s:e])}",))
        return None

    @staticmethod
    def outlet_rule(url: str | None, section: str | None, outlet: Outlet | None) -> Genre | None:
        """The outlet's own path prefixes and section names (registry `genre`), which may also say news."""
        rules = (outlet.genre if outlet else None) or {}
        path, _ = url_words(url)
        for genre, prefixes in (rules.get("paths") or {}).items():
            if hit := next((p for p in prefixes if path.startswith(p.lower())), None):
                return Genre(genre, (f"outlet path: {hit}",))
        key = " ".join(key_tokens(section or ""))
        for genre, names in (rules.get("sections") or {}).items():
            if key and key in {" ".join(key_tokens(n)) for n in names}:
                return Genre(genre, (f"outlet section: {section}",))
        return None

    def generic_rule(self, url: str | None, section: str | None, outlet: Outlet | None) -> Genre | None:
        _, words = url_words(url)
        for genre in MARKED:
            if hit := next((w for w in words if w in self.url[genre]), None):
                return Genre(genre, (f"url: {hit}",))
        tokens = key_tokens(section or "")
        for genre in MARKED:
            spans = alias_spans(tokens, self.sections[genre])
            if any(e - s == len(tokens) for s, e in spans):  # the whole section name, not a word of it
                return Genre(genre, (f"section: {section}",))
        return None

    def writing(self, text: str, tokens: list[str], byline: str | None, opened: str | None) -> Genre:
        """Points for the writer's first person, questions and exclamations, few saying verbs (a report attributes
        sentence after sentence), a byline without a dateline. `tokens`: the own words' key tokens (`keyed`)."""
        own = self.quote.sub(" ", text)
        if not tokens:
            return Genre("unknown", ("no text",))
        evidence, points = [], 0
        at = [j for j, token in enumerate(tokens) if token in self.counted]  # one pass for both lists
        first = len(alias_spans(tokens, self.first_person, at))
        if first >= self.fp_min and first * 100 / len(tokens) >= self.fp_rate:
            points += 1
            evidence.append(f"first person: {first} in {len(tokens)} words")
        sentences = max(1, len(_SENTENCE.findall(own)))
        asks = len(_ASKS.findall(own))
        if asks >= self.ask_min and asks / sentences >= self.ask_rate:
            points += 1
            evidence.append(f"questions and exclamations: {asks} in {sentences} sentences")
        saying = len(alias_spans(tokens, self.saying, at))
        if sentences >= self.report_sentences and saying / sentences <= self.report_rate:
            points += 1
            evidence.append(f"reports little: {saying} saying verbs in {sentences} sentences")
        if opened:
            points -= 1
            evidence.append(f"opens as a report: {opened}")
        elif self.byline_point and byline:
            points += 1
            evidence.append(f"byline, no dateline: {byline}")
        if points >= self.min_points:
            return Genre("opinion", tuple(evidence))
        return Genre("news", tuple(evidence) or ("no sign of opinion or analysis",))
