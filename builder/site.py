"""Which site a page is from, in one place: the label stage names an unregistered outlet by it, the template phase
learns one template per site, and dedup takes edited versions only from one site."""

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


def site_of(row: Mapping[str, Any]) -> str:
    """The URL's host, else the outlet the input record named, else the outlet the label stage identified, else
    the input folder the page came from: the nearest thing to "one publisher's pages"."""
    if name := host(row.get("url")):
        return name
    for name in (row.get("outlet_hint"), row.get("outlet")):
        if name and name.strip() and name != UNKNOWN_OUTLET:
            return name.strip()
    folder = PurePosixPath(row.get("source_file") or "").parent.as_posix()
    return folder if folder not in ("", ".") else "input"
