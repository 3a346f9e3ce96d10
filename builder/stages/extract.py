"""HTML -> main text: remove known boilerplate DOM (audited), then trafilatura in precision mode."""

from __future__ import annotations

import re

import lxml.html
import trafilatura

from builder.document import Doc, Drop, Removal
from builder.stages.base import Stage

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


class HtmlExtractor(Stage):
    name = "extract"

    def __init__(self, favor_precision: bool = True, drop_selectors: list[str] = ()):
        self.favor_precision = favor_precision
        self.drop = [(s, selector_to_xpath(s)) for s in drop_selectors]

    def process(self, doc: Doc) -> Doc | Drop:
        if doc.html is None:
            return doc
        try:
            tree = lxml.html.fromstring(doc.html)
        except (lxml.etree.ParserError, ValueError) as err:
            return Drop("unparsable_html", str(err)[:200])
        for selector, xpath in self.drop:
            for node in tree.xpath(xpath):
                if node.getparent() is None:
                    continue
                text = " ".join(node.text_content().split())
                if text:
                    doc.removed.append(Removal(f"dom.{selector}", text))
                node.drop_tree()
        result = trafilatura.bare_extraction(
            tree, url=doc.url, favor_precision=self.favor_precision, include_comments=False,
            include_tables=False, with_metadata=True,
        )
        if result is None or not (result.text or "").strip():
            return Drop("no_main_text", "trafilatura found no article text")
        doc.text = result.text
        doc.html = None
        doc.title = doc.title or result.title
        doc.url = doc.url or result.url
        doc.published_hint = doc.published_hint or result.date
        doc.outlet_hint = doc.outlet_hint or result.sitename
        return doc
