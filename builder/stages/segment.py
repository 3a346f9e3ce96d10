"""One page -> one or more articles.

A page may print a second, complete article under a read-also heading (the seed page does); that article
becomes a document of its own. A heading followed only by teaser headlines is dropped into the audit.
Each article's first line becomes its title when the input gave none.
"""

from __future__ import annotations

from builder.arabic import WORD, match_key
from builder.document import Doc, Removal, stable_id
from builder.rules import RuleSet
from builder.stages.base import Stage

_HEADING = frozenset({"read_also"})
_SENTENCE_END = (".", "。", "…")


class Segmenter(Stage):
    name = "segment"

    def __init__(self, rules_file: str = "boilerplate.yaml", max_title_words: int = 25, min_article_words: int = 50):
        self.rules = RuleSet.load(rules_file)
        self.max_title_words = max_title_words
        self.min_article_words = min_article_words

    def is_heading(self, line: str) -> Removal | None:
        removal = self.rules.first_match(line, lead=False, kinds=_HEADING)
        return removal if removal and removal.rule == "read_also.heading" else None

    def looks_like_title(self, line: str) -> bool:
        return 0 < len(WORD.findall(line)) <= self.max_title_words and not line.endswith(_SENTENCE_END)

    def process(self, doc: Doc) -> list[Doc]:
        lines = [line for line in doc.text.split("\n") if line.strip()]
        chrome = [line for line in lines if (r := self.rules.first_match(line, lead=False)) and
                  r.kind in self.rules.page_level]
        blocks: list[tuple[Removal | None, list[str]]] = [(None, [])]
        for line in lines:
            heading = self.is_heading(line)
            if heading:
                blocks.append((heading, []))
            else:
                blocks[-1][1].append(line)

        docs = [doc]
        body = blocks[0][1]
        for heading, block in blocks[1:]:
            teasers, rest = self.split_teasers(block)
            if not teasers and self.is_article(rest):
                article = Doc(id=stable_id(doc.id, len(docs)), source_file=doc.source_file, url=doc.url,
                              outlet_hint=doc.outlet_hint, text="\n".join(rest), removed=[heading])
                self.take_title(article, first=True)
                docs.append(article)
                continue
            # teasers, then the text they interrupted: that text stays with the article it belongs to
            owner = docs[-1]
            owner.removed.append(heading)
            owner.removed.extend(Removal("read_also.teaser", line) for line in teasers)
            if owner is doc:
                body.extend(rest)
            elif rest:
                owner.text += "\n" + "\n".join(rest)
        doc.text = "\n".join(body)
        self.take_title(doc, first=doc.title is None)
        for d in docs:
            d.page_chrome = chrome
        return docs

    def split_teasers(self, block: list[str]) -> tuple[list[str], list[str]]:
        """Headline-like lines right under the heading: one is an article's title, two or more are teasers."""
        n = 0
        while n < len(block) and self.looks_like_title(block[n]) and not self.rules.first_match(block[n], lead=True):
            n += 1
        return (block[:n], block[n:]) if n >= 2 else ([], block)

    def is_article(self, block: list[str]) -> bool:
        """A complete article: a headline, then body text long enough to stand alone."""
        if len(block) < 2 or not self.looks_like_title(block[0]):
            return False
        body_words = [len(WORD.findall(line)) for line in block[1:]]
        return sum(body_words) >= self.min_article_words and max(body_words) >= 15

    def take_title(self, doc: Doc, first: bool) -> None:
        """Move the headline out of the text: the first line when no title is known, or a repeat of it."""
        head, _, rest = doc.text.partition("\n")
        if not rest:
            return
        if doc.title and match_key(head).strip() == match_key(doc.title).strip():
            doc.removed.append(Removal("title.repeated", head))
            doc.text = rest
        elif first and self.looks_like_title(head) and not self.rules.first_match(head, lead=True):
            doc.title = head.strip()
            doc.removed.append(Removal("title.first_line", head))
            doc.text = rest
