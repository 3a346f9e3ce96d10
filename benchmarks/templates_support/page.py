"""One synthetic page and its gold, built together so the gold can never drift from what the page shows.

A site template calls `furn` for every furniture element it prints (the text is recorded as a gold furniture
line) and `para` for every body paragraph (recorded as gold body, with any byline / dateline / credit glued to it
recorded as a glued furniture fragment). Both return the text to print, HTML-escaped on HTML pages.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field


@dataclass
class Furniture:
    text: str
    kind: str  # breadcrumb, byline, date, share, related, footer, ... (for the per-kind recall)
    glued: bool = False  # printed on the same line as body text


@dataclass
class Gold:
    url: str
    site: str
    fmt: str  # "html" or "text"
    title: str
    body: list[str] = field(default_factory=list)
    published: str | None = None  # YYYY-MM-DD as printed on the page (local date)
    published_utc: str | None = None  # the UTC date, also accepted when the page gives an offset
    byline: list[str] | None = None  # reporter names
    dateline: str | None = None  # city
    credit: list[str] | None = None  # accepted names of the credited agency or outlet, canonical first
    furniture: list[Furniture] = field(default_factory=list)
    source: str = ""  # the corpus row the body came from

    def to_json(self) -> dict:
        return asdict(self)


class Page:
    """Collects a page's printed elements and its gold."""

    def __init__(self, gold: Gold) -> None:
        self.gold = gold
        self.html = gold.fmt == "html"

    def _out(self, text: str) -> str:
        return html.escape(text, quote=False) if self.html else text

    def furn(self, text: str, kind: str) -> str:
        self.gold.furniture.append(Furniture(text, kind))
        return self._out(text)

    def para(self, text: str, prefix: str = "", suffix: str = "", kinds: tuple[str, str] = ("byline", "credit")) -> str:
        """A body paragraph, with furniture glued before (`prefix`) and after (`suffix`) it."""
        self.gold.body.append(text)
        for frag, kind in ((prefix, kinds[0]), (suffix, kinds[1])):
            if frag.strip():
                self.gold.furniture.append(Furniture(frag.strip(), kind, glued=True))
        return self._out(prefix + text + suffix)
