"""Which site a document comes from: the unit whose pages share one template."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

UNKNOWN_OUTLET = "unknown"


def site_of(row: Mapping[str, Any]) -> str:
    """The URL's host (without www.), else the outlet the input record named, else the outlet the label stage
    identified, else the input folder the page came from: the nearest thing to "one publisher's pages"."""
    url = row.get("url")
    if url:
        try:
            host = urlsplit(url.strip()).hostname
        except ValueError:
            host = None
        if host:
            return host.removeprefix("www.")
    for name in (row.get("outlet_hint"), row.get("outlet")):
        if name and name.strip() and name != UNKNOWN_OUTLET:
            return name.strip()
    folder = PurePosixPath(row.get("source_file") or "").parent.as_posix()
    return folder if folder not in ("", ".") else "input"
