"""What a page's own markup says about its article: JSON-LD, OpenGraph, `article:*_time`, `<meta name=author>`.

The markup is the publisher's own statement of headline, dates and author, so the build takes it before what
the text rules guess from the visible lines. Dates keep the wall-clock time the page states: the offset is
dropped, not applied, so a time read from the markup agrees with the same time printed in the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html

from builder.arabic import match_key

_ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                            "OpinionNewsArticle", "BackgroundNewsArticle", "WebPage"})
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-»«•·]\s+|\s*[|]\s*")  # not ":" (a speaker or a place)


@dataclass
class PageMeta:
    headline: str | None = None
    published: str | None = None  # ISO, local time, no offset
    updated: str | None = None
    authors: list[str] = field(default_factory=list)  # people
    organisations: list[str] = field(default_factory=list)  # an author that is the outlet itself
    site_names: list[str] = field(default_factory=list)
    found_date: str | None = None  # trafilatura's date (markup or URL): the last resort for `published`


def local_iso(value: str | None) -> str | None:
    """An ISO timestamp as the page's wall-clock time (offset dropped); other strings as they are."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None).isoformat()
    except ValueError:
        return text


def _first(tree: lxml.html.HtmlElement, xpath: str) -> str | None:
    found = [v.strip() for v in tree.xpath(xpath) if isinstance(v, str) and v.strip()]
    return found[0] if found else None


def _types(node: dict) -> set[str]:
    kind = node.get("@type", [])
    return set(kind if isinstance(kind, list) else [kind])


def _json_ld(tree: lxml.html.HtmlElement) -> list[dict]:
    """Every object of the page's JSON-LD blocks, @graph members flattened; broken blocks are skipped."""
    nodes: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                nodes.append(item)
                stack.extend(g for g in item.get("@graph", []) if isinstance(g, dict))
            elif isinstance(item, list):
                stack.extend(item)
    return nodes


def read_page_meta(tree: lxml.html.HtmlElement) -> PageMeta:
    meta = PageMeta()
    nodes = _json_ld(tree)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & _ARTICLE_TYPES and n.get("headline")]
    article = next((n for n in articles if not _types(n) <= {"WebPage"}), articles[0] if articles else None)
    if article:
        meta.headline = str(article.get("headline")).strip() or None
        meta.published = local_iso(str(article.get("datePublished") or "")) or None
        meta.updated = local_iso(str(article.get("dateModified") or "")) or None
        authors = article.get("author") or []
        for a in authors if isinstance(authors, list) else [authors]:
            a = by_id.get(a.get("@id"), a) if isinstance(a, dict) and "name" not in a else a
            name = (a.get("name") if isinstance(a, dict) else a) or ""
            if isinstance(name, str) and name.strip():
                is_org = isinstance(a, dict) and "Person" not in _types(a) and bool(_types(a) - {""})
                (meta.organisations if is_org else meta.authors).append(name.strip())
        publisher = article.get("publisher")
        publisher = by_id.get(publisher.get("@id"), publisher) if isinstance(publisher, dict) else None
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            meta.site_names.append(publisher["name"].strip())
    meta.published = meta.published or local_iso(_first(
        tree, "//meta[@property='article:published_time' or @itemprop='datePublished']/@content"))
    meta.updated = meta.updated or local_iso(_first(
        tree, "//meta[@property='article:modified_time' or @itemprop='dateModified']/@content"))
    if not meta.authors and not meta.organisations and (author := _first(tree, "//meta[@name='author']/@content")):
        meta.authors.append(author)
    if site := _first(tree, "//meta[@property='og:site_name']/@content"):
        meta.site_names.append(site)
    if meta.headline is None:
        meta.headline = _first(tree, "//meta[@property='og:title']/@content")
    return meta


def strip_site_name(title: str | None, declared: list[str], known: frozenset[str] = frozenset()) -> str | None:
    """"<headline> - <site>", "<site> | <headline>": the part that names the site goes. A site is one the page
    declares (og:site_name, the publisher; "Le360" for "Le360 Arabe"), or a listed outlet or agency named
    exactly (`known`, keys); the headline keeps at least two words."""
    if not title:
        return title
    title = title.strip()
    own = {site_key(s) for s in declared if s and site_key(s)}

    def is_site(part: str) -> bool:
        k = site_key(part)
        return bool(k) and (k in own or k in known or any(s.startswith(k + " ") or k.startswith(s + " ") for s in own))

    while True:
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            return title
        if is_site(parts[-1]) and len(parts[-2].split()) >= 1:
            rest = title[: title.rstrip().rfind(parts[-1])]
        elif is_site(parts[0]):
            rest = title[title.find(parts[0]) + len(parts[0]):]
        else:
            return title
        rest = rest.strip(" \t|–—-»«•·")
        if len(rest.split()) < 2:
            return title
        title = rest


def site_key(text: str) -> str:
    """A site or outlet name as compared: match key, lower case, words only."""
    return " ".join(re.findall(r"\w+", match_key(text).lower()))
