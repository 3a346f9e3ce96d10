"""HTML -> main text: remove known boilerplate DOM (audited), then trafilatura in precision mode.

Two kinds of DOM are taken out before trafilatura sees the page. `drop_selectors` name chrome (author boxes,
share bars, related-post widgets): the node goes, its text into the audit. `meta_selectors` name the article's
own meta line (date, byline): trafilatura would silently drop it, so each of its parts (a child element: the
author, the date, the comment count) is read on its own with the boilerplate rules, then typed by the word lists
(a lone name, city or outlet), and the spans go into the audit with their fields, for the metadata stage. An
author element anywhere (rel/itemprop/class "author") is read the same way before trafilatura may drop it.

The page's own markup (JSON-LD, OpenGraph, `article:*_time`, author meta) is read first: its headline,
dates and author go to the metadata stage in `Doc.markup`, and the site name comes off the title.
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura

from builder.config import ExtractConfig
from builder.document import Doc, Drop, Removal
from builder.html_meta import read_page_meta, site_key, strip_site_name
from builder.lead import lexicon
from builder.lists import WordLists, word_lists
from builder.rules import RuleSet
from builder.stages.base import Stage

# trafilatura warns once per page it finds no text in; the stage drops such a page with a reason instead
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_CLASS = re.compile(r"^\.([\w-]+)$")
_ATTR_CONTAINS = re.compile(r'^\[([\w-]+)\*=["\']?([^"\'\]]+)["\']?\]$')
_TAG = re.compile(r"^[a-z][a-z0-9]*$")
# an author or reporter element trafilatura may drop with its line ("الدمام - يونس جاد الله"): read before it
# runs, when short (a name, maybe with its city; not an author box)
_AUTHOR = ("//*[@rel='author' or @itemprop='author' or contains(concat(' ', normalize-space(@class), ' '), ' author ')"
           " or contains(@class, 'author-name') or contains(@class, 'byline') or contains(@class, 'reporter')"
           " or contains(@class, 'writer')]")
_AUTHOR_WORDS = 6
# what a meta line's part is, when no rule claims it: the lexicon's token kind -> (span class, field)
_TYPED = {"person": ("byline", "name"), "byline": ("byline", "name"), "city": ("dateline", "city"),
          "agency": ("credit", "source"), "outlet": ("credit", "source")}


def selector_to_xpath(selector: str) -> str:
    """The small CSS subset the config uses: `.class`, `tag`, `[attr*="part"]`."""
    if m := _CLASS.match(selector):
        return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {m.group(1)} ')]"
    if m := _ATTR_CONTAINS.match(selector):
        return f"//*[contains(@{m.group(1)}, '{m.group(2)}')]"
    if _TAG.match(selector):
        return f"//{selector}"
    raise ValueError(f"unsupported selector {selector!r}: use .class, tag or [attr*=\"part\"]")


def holds_article(node: lxml.html.HtmlElement) -> bool:
    """A selector that happens to match the page's frame (`<body class="shared">`) must not take the article."""
    return node.tag in ("html", "body", "main", "article") or bool(node.xpath(".//article | .//main | .//h1"))


def node_text(node: lxml.html.HtmlElement) -> str:
    return " ".join(" ".join(node.itertext()).split())


class HtmlExtractor(Stage):
    name = "extract"

    def __init__(self, config: ExtractConfig | None = None, lists: WordLists | None = None):
        c, lists = config or ExtractConfig(), lists or word_lists()
        self.favor_precision = c.favor_precision
        self.drop = [(s, selector_to_xpath(s)) for s in c.drop_selectors]
        self.meta = [selector_to_xpath(s) for s in c.meta_selectors]
        self.rules = RuleSet.load(c.rules_file, lists)
        self.site_names = known_site_names(lists)
        self.lexicon = lexicon(lists, c.rules_file)

    def process(self, doc: Doc) -> Doc | Drop:
        if doc.html is None:
            return doc
        try:
            tree = lxml.html.fromstring(doc.html)
        except (lxml.etree.ParserError, ValueError) as err:
            return Drop("unparsable_html", str(err)[:200])
        doc.markup = meta = read_page_meta(tree)
        for xpath in self.meta:
            for node in tree.xpath(xpath):
                if node.getparent() is not None and not holds_article(node):
                    doc.removed.extend(r for part in meta_parts(node) for r in self.read_meta(part))
                    node.drop_tree()
        for selector, xpath in self.drop:
            for node in tree.xpath(xpath):
                if node.getparent() is None or holds_article(node):
                    continue
                if text := node_text(node):
                    doc.removed.append(Removal(f"dom.{selector}", text))
                node.drop_tree()
        for node in tree.xpath(_AUTHOR):  # outside the chrome just dropped (an "About the author" box)
            if node.getparent() is not None and 0 < len(text := node_text(node).split()) <= _AUTHOR_WORDS:
                doc.removed.extend(r for r in self.read_meta(" ".join(text)) if r.fields)
        result = trafilatura.bare_extraction(
            tree, url=doc.url, favor_precision=self.favor_precision, include_comments=False,
            include_tables=False, with_metadata=True,
            date_extraction_params={"extensive_search": False, "original_date": True},  # markup and URL only
        )
        if result is None or not (result.text or "").strip():
            return Drop("no_main_text", "trafilatura found no article text")
        doc.text = result.text
        doc.html = None
        doc.title = doc.title or strip_site_name(meta.headline or result.title, meta.site_names, self.site_names)
        doc.url = doc.url or result.url
        doc.site_name = result.sitename
        meta.found_date = result.date
        return doc

    def read_meta(self, text: str) -> list[Removal]:
        """A meta part's spans (date, byline) as the rules see them; what no rule names is typed by the word lists
        (a lone name is the byline, a city the dateline, an agency or outlet the credit), else one DOM span."""
        spans = []
        while text and (removal := self.rules.first_match(text, lead=True) or self.lexicon.head(text)):
            spans.append(removal)
            text = text[len(removal.text):].strip()
        if text and (token := self.lexicon.kind(text)) is not None and token.kind in _TYPED:
            cls, name = _TYPED[token.kind]
            return [*spans, Removal(f"{cls}.dom_meta", text, {name: token.value.strip()})]
        return [*spans, Removal("dom.meta", text)] if text else spans


def meta_parts(node: lxml.html.HtmlElement) -> list[str]:
    """A meta line's parts, each read on its own: its child elements' texts and the text between them ("بقلم: جاد
    نصر", "7 يناير 2024", "5 تعليقات"), through wrappers that hold a single element."""
    while len(node) == 1 and not (node.text or "").strip() and not (node[0].tail or "").strip():
        node = node[0]
    parts = [node.text or ""]
    for child in node:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            parts.append(child.tail or "")
            continue
        parts += [node_text(child), child.tail or ""]
    return [" ".join(p.split()) for p in parts if p.strip()]


def known_site_names(lists: WordLists) -> frozenset[str]:
    """Every listed outlet and agency name, as site keys: a title part that is exactly one of them is the site."""
    names = [n for o in lists.outlets for n in o.printed] + [n for a in lists.agencies for n in a.names]
    return frozenset(k for n in names if len(k := site_key(n)) >= 3)
