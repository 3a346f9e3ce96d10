"""Which site a page is from, in one place: the label stage names an unregistered outlet by it, the template phase
learns one template per site, and dedup takes edited versions only from one site.

What one page says (`page_site`) is its URL's host (the input's, or the canonical / og:url the extract stage read),
else the outlet the input record named, else the outlet the page names in its own furniture (the label stage's
`page` evidence: a copyright line, a disclaimer, a masthead). The template phase decides the site of every page
once, from that and from the corpus (builder/templates/sites.py): pages that print the same rare edge lines are
one site, a name only one page carries never splits a site, and the input folder is the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

UNKNOWN_OUTLET = "unknown"  # the outlet column's value when the evidence named no one registered outlet
_MIRRORS = re.compile(r"^(?:(?:www\d?|m|mobile|amp)\.)+")  # a site's mobile and AMP pages are the same site


def host(url: str | None) -> str | None:
    """The URL's host, lower case, less a www., m., mobile. or amp. label; None for no URL or a broken one."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        name = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return _MIRRORS.sub("", (name or "").lower().rstrip(".")) or None


# How a page's site was decided, strongest first: the values the card's site table explains
SITE_EVIDENCE = {
    "url": "the page's URL (or its canonical / og:url) host",
    "input": "the outlet the input record named",
    "markup": "the site name the page's markup gives (og:site_name)",
    "furniture": "the one registered outlet the page names in its own furniture (copyright, disclaimer, masthead)",
    "lines": "no name: the page prints rare edge lines that other pages print (one site, connected by them)",
    "folder": "nothing else: the input folder the page came from",
}


def page_site(row: Mapping[str, Any]) -> tuple[str | None, str]:
    """(site, how) from what the page itself says, or (None, "folder") when it names none."""
    if name := host(row.get("url")):
        return name, "url"
    if row.get("outlet_evidence") == "input" and row.get("outlet") not in (None, "", UNKNOWN_OUTLET):
        return row["outlet"], "input"  # the hint resolved to a registry id: spellings of one outlet are one site
    if (name := (row.get("outlet_hint") or "").strip()) and name != UNKNOWN_OUTLET:
        return name, "input"
    if row.get("outlet_evidence") == "markup" and row.get("outlet") not in (None, "", UNKNOWN_OUTLET):
        return row["outlet"], "markup"
    if name := (row.get("site_name") or "").strip():
        return name, "markup"
    if row.get("outlet_evidence") == "page" and row.get("outlet") not in (None, "", UNKNOWN_OUTLET):
        return row["outlet"], "furniture"
    return None, "folder"


def folder_of(row: Mapping[str, Any]) -> str:
    folder = PurePosixPath(row.get("source_file") or "").parent.as_posix()
    return folder if folder not in ("", ".") else "input"


def site_of(row: Mapping[str, Any]) -> str:
    """The site the template phase decided for the row (its `site`), else what the page says, else its folder."""
    return row.get("site") or page_site(row)[0] or folder_of(row)
