"""HTML -> main text: remove known boilerplate DOM (audited), then trafilatura in precision mode.

Two kinds of DOM are taken out before trafilatura sees the page. `drop_selectors` name chrome (author boxes,
share bars, related-post widgets): the node goes, its text into the audit. `meta_selectors` name the article's
own meta line (date, byline): trafilatura would silently drop it, so its text is read with the boilerplate
rules first and the matched spans go into the audit with their fields, for the metadata stage.

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
from builder.lists import WordLists, word_lists
from builder.rules import RuleSet
from builder.stages.base import Stage

# trafilatura warns once per page it finds no text in; the stage drops such a page with a reason instead
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_CLASS = re.compile(r"^\.([\w-]+)$")
_ATTR_CONTAINS = re.compile(r'^\[([\w-]+)\*=["\']?([^"\'\]]+)["\']?\]$')
_TAG = re.compile(r"^[a-z][a-z0-9]*$")


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
                if node.getparent() is not None:
                    doc.removed.extend(self.read_meta(node_text(node)))
                    node.drop_tree()
        for selector, xpath in self.drop:
            for node in tree.xpath(xpath):
                if node.getparent() is None or holds_article(node):
                    continue
                if text := node_text(node):
                    doc.removed.append(Removal(f"dom.{selector}", text))
                node.drop_tree()
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
        doc.outlet_hint = doc.outlet_hint or result.sitename
        meta.found_date = result.date
        return doc

    def read_meta(self, text: str) -> list[Removal]:
        """The meta line's spans (date, byline) as the rules see them; what no rule names stays one DOM span."""
        spans = []
        while text and (removal := self.rules.first_match(text, lead=True)):
            spans.append(removal)
            text = text[len(removal.text):].strip()
        return [*spans, Removal("dom.meta", text)] if text else spans


def known_site_names(lists: WordLists) -> frozenset[str]:
    """Every listed outlet and agency name, as site keys: a title part that is exactly one of them is the site."""
    names = [n for o in lists.outlets for n in o.printed] + [n for a in lists.agencies for n in a.names]
    return frozenset(k for n in names if len(k := site_key(n)) >= 3)
