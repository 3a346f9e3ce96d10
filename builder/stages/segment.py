"""One page -> one or more articles.

A page may print a second, complete article under a read-also heading (the seed page does); that article
becomes a document of its own. A heading followed only by teaser headlines is dropped into the audit.
A wire dateline in mid-page (a scraper that ran the next story on) starts a document too. Each article's
first line becomes its title when the input gave none.
"""

from __future__ import annotations

import re

from builder.arabic import FULL_STOPS, WORD, match_key
from builder.config import SegmentConfig
from builder.document import Doc, Removal, stable_id
from builder.lists import WordLists
from builder.rules import RuleSet, line_key
from builder.stages.base import Stage

_HEADING = frozenset({"read_also.heading"})
_ARTICLE_LEAD = frozenset({"published", "updated", "dateline", "byline"})
_NOT_A_HEADLINE_END = (*FULL_STOPS, ":", "،", ",")
_CONTINUATION = re.compile(r"^[وف][\u0621-\u064A]")  # "وأضاف ...", "فيما ...": the story goes on


class Segmenter(Stage):
    name = "segment"

    def __init__(self, config: SegmentConfig | None = None, lists: WordLists | None = None):
        config = config or SegmentConfig()
        split_rules = config.split_rules
        self.rules = RuleSet.load(config.rules_file, lists)
        self.rules.require(_HEADING, "the segmenter's read-also heading")
        self.headings = self.rules.only(ids=_HEADING)
        self.chrome = self.rules.only(kinds=self.rules.page_level)
        self.article_lead = self.rules.only(kinds=_ARTICLE_LEAD)
        self.rules.require(split_rules, "segment.split_rules")
        self.story_openers = self.rules.only(ids=frozenset(split_rules))
        self.max_title_words = config.max_title_words
        self.min_article_words = config.min_article_words
        self.max_lines_above_title = config.max_lines_above_title

    def is_heading(self, line: str) -> Removal | None:
        return self.headings.first_match(line, lead=False)

    def looks_like_title(self, line: str) -> bool:
        return 0 < len(WORD.findall(line)) <= self.max_title_words and not line.endswith(FULL_STOPS)

    def process(self, doc: Doc) -> list[Doc]:
        lines = [line for line in doc.text.split("\n") if line.strip()]
        chrome = [line for line in lines if self.chrome.first_match(line, lead=False)]
        # (heading, lines, cut): a read-also heading opens a block; a story's own dateline in mid-page opens one
        # too, with the headline over it, when the story before has a headline and a body of its own; else the
        # dateline is the same story's (a video report's summary over its article) and is cut
        blocks: list[tuple[Removal | None, list[str], list[Removal]]] = [(None, [], [])]
        for line in lines:
            if heading := self.is_heading(line):
                blocks.append((heading, [], []))
            elif opener := self.opens_story(line, blocks[-1][1]):
                before = blocks[-1][1]
                if self.splits(before, titled=len(blocks) > 1 or doc.title is not None):
                    blocks.append((None, [before.pop(), line], []))
                else:
                    blocks[-1][2].append(opener)
                    if rest := line[len(opener.text):].strip():
                        before.append(rest)
            else:
                blocks[-1][1].append(line)

        docs = [doc]
        body = blocks[0][1]
        doc.removed.extend(blocks[0][2])
        for heading, block, cut in blocks[1:]:
            if heading is None or self.is_article(block):
                docs.append(self.article(doc, len(docs), block, heading))
                docs[-1].removed.extend(cut)
                continue
            teasers, rest = self.split_teasers(block)
            # teasers, then the text they interrupted: that text stays with the article it belongs to
            owner = docs[-1]
            owner.removed.append(heading)
            owner.removed.extend(Removal("read_also.teaser", line) for line in teasers)
            owner.removed.extend(cut)
            if owner is doc:
                body.extend(rest)
            elif rest:
                owner.text += "\n" + "\n".join(rest)
        doc.text = "\n".join(body)
        self.take_title(doc, first=doc.title is None)
        for d in docs:
            d.page_chrome = chrome
        return docs

    def splits(self, before: list[str], titled: bool) -> bool:
        """A story's dateline in mid-page starts another article only with a full headline on both sides and a body
        of its own on both: the line over the dateline is a headline, and the story above it has its headline (the
        page's title, or its first line) and enough words under it. A CNN video page prints a 30-word summary
        under the title and date, then the article's dateline: one article, not a stub and a headless story."""
        if len(before) < 3 or not self.looks_like_teaser(before[-1]):
            return False
        head = 0 if titled else 1
        if not titled and not self.looks_like_teaser(before[0]):
            return False
        words = [len(WORD.findall(line)) for line in before[head:-1]]
        return sum(words) >= self.min_article_words and max(words, default=0) >= 15

    def article(self, page: Doc, n: int, block: list[str], heading: Removal | None) -> Doc:
        article = Doc(id=stable_id(page.id, n), source_file=page.source_file, url=page.url,
                      outlet_hint=page.outlet_hint, site_name=page.site_name, text="\n".join(block),
                      removed=[heading] if heading else [])
        self.take_title(article, first=True)  # under a read-also heading or over a dateline: its headline
        return article

    def opens_story(self, line: str, before: list[str]) -> Removal | None:
        """A wire dateline ("دبي، الإمارات العربية المتحدة (CNN)--") after a paragraph: the dateline, or None. A
        block's first line has no paragraph before it: the dateline rules, the costly question, are not asked of it."""
        if not before or (opener := self.story_openers.first_match(line, lead=True)) is None:
            return None
        return opener if any(len(WORD.findall(b)) >= 15 and not self.is_boilerplate(b) for b in before) else None

    def split_teasers(self, block: list[str]) -> tuple[list[str], list[str]]:
        """Headline-like lines right under the heading are teasers; what follows is the story going on."""
        n = 0
        while n < len(block) and self.looks_like_teaser(block[n]):
            n += 1
        return block[:n], block[n:]

    def looks_like_teaser(self, line: str) -> bool:
        return self.looks_like_title(line) and not line.endswith(_NOT_A_HEADLINE_END) and not self.is_boilerplate(line)

    def is_boilerplate(self, line: str) -> bool:
        """A rule claims the whole line (a headline may well start like a dateline: "الدار البيضاء: ...")."""
        removal = self.rules.first_match(line, lead=True)
        return removal is not None and len(removal.text.strip()) == len(line.strip())

    def is_article(self, block: list[str]) -> bool:
        """A complete article: a headline, then its own date, dateline or byline, or a first paragraph that
        opens a story (not one that carries on the page's story, as "وأضاف ..." does), long enough to stand alone."""
        if len(block) < 2 or not self.looks_like_teaser(block[0]):
            return False
        body_words = [len(WORD.findall(line)) for line in block[1:]]
        if sum(body_words) < self.min_article_words or max(body_words) < 15:
            return False
        if any(self.article_lead.first_match(line, lead=True) for line in block[1:3]):
            return True
        return not self.looks_like_title(block[1]) and not _CONTINUATION.match(block[1])

    def skip_chrome(self, doc: Doc, head: str, rest: str) -> tuple[str, str]:
        """Lines a rule claims whole (a breadcrumb, the site's name, a section or date line) above the headline go
        to the audit, so the headline under them is the title; at most `max_lines_above_title` of them."""
        skipped: list[Removal] = []
        line, text = head, rest
        while len(skipped) < self.max_lines_above_title and text:
            removal = self.rules.first_match(line, lead=True)
            if removal is None or len(removal.text.strip()) != len(line.strip()):
                break
            skipped.append(removal)
            line, _, text = text.partition("\n")
        if not skipped or not self.looks_like_title(line) or self.is_boilerplate(line):
            return head, rest
        # the masthead's own name or a section over the headline credits nothing and places nothing: only a date
        # there says something of the article
        doc.removed.extend(Removal(r.rule, r.text, {k: v for k, v in r.fields.items() if k in ("date", "time")})
                           for r in skipped)
        doc.text = line + ("\n" + text if text else "")
        return line, text

    def take_title(self, doc: Doc, first: bool) -> None:
        """Move the headline out of the text: the first line when no title is known, or a repeat of it."""
        head, _, rest = doc.text.partition("\n")
        if not rest:
            return
        if first and doc.title is None:
            head, rest = self.skip_chrome(doc, head, rest)
        if doc.title and line_key(head).strip() == match_key(doc.title).strip():
            doc.removed.append(Removal("title.repeated", head))
            doc.text = rest
        elif first and self.looks_like_title(head) and not self.is_boilerplate(head):
            doc.title = head.strip()
            doc.removed.append(Removal("title.first_line", head))
            doc.text = rest
