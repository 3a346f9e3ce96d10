"""What makes two pages pages of one site about one article: the keys versions are blocked and checked on.

site   the outlet when it is known, else the URL's host without www./m./amp.: pages of one publisher
title  the title's dedup key (spelling, digits, punctuation flattened); an empty title blocks nothing
url    host, path and the query less its tracking parameters (`lists.tracking_params`), sorted: the
       same page reached from a newsletter and from a share button

A block (one site's title with its numbers masked, or one URL) is *recurring* when its distinct bodies were
published on many days: a daily bulletin, a price table, a daily tally whose title changes only in its figures
('تحرير 18 ألف مخالفة' one day, '16 ألف' the next). Its pages share stock wording, so their versions need the
evidence of a copy (`recurring`).

Each key becomes a 63-bit id per document (-1 for none, pages.key_id), so the bucket tasks compare ints in numpy.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from builder.arabic import dedup_key
from builder.site import UNKNOWN_OUTLET, host

DIGITS = re.compile(r"\d+")


def site_key(outlet: str | None, url: str | None) -> str | None:
    if outlet and outlet != UNKNOWN_OUTLET:
        return f"outlet:{outlet}"
    name = host(url)
    return f"host:{name}" if name else None


def title_key(title: str | None) -> str | None:
    return dedup_key(title) or None if title else None


class UrlKey:
    """A URL with its tracking parameters dropped, so two links to one page compare equal."""

    def __init__(self, names: frozenset[str]):
        self.exact = frozenset(n for n in names if not n.endswith("*"))
        self.prefixes = tuple(n[:-1] for n in names if n.endswith("*"))

    def tracking(self, name: str) -> bool:
        name = name.lower()
        return name in self.exact or name.startswith(self.prefixes)

    def __call__(self, url: str | None) -> str | None:
        name = host(url)
        if not name:
            return None
        parts = urlsplit(url if "//" in url else "//" + url)
        path = parts.path.rstrip("/").removesuffix("/amp") or "/"
        query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not self.tracking(k))
        return f"{name}{path}?{urlencode(query)}" if query else f"{name}{path}"


def title_shape(key: str | None) -> str | None:
    """A title key (`title_key`) with each number masked: the title of a recurring item, whatever its figures."""
    return DIGITS.sub("#", key) if key else None


def recurring(block: np.ndarray, published: np.ndarray, min_days: int, no_time: int) -> np.ndarray:
    """Per row (one row per distinct body): does its block (id >= 0) have bodies published on >= min_days days?
    On egypt_news the edits of one article come within hours (95% of the pairs at Jaccard 0.7-0.9 within a
    day) and their (outlet, title) blocks span at most 4 days; recurring titles span 10 to 47."""
    known = (block >= 0) & (published != no_time)
    days = np.unique(np.stack([block[known], published[known] // 86_400], axis=1), axis=0)[:, 0]
    blocks, n_days = np.unique(days, return_counts=True)
    flagged = blocks[n_days >= min_days]
    return np.isin(block, flagged) & (block >= 0)


def title_words(title: str | None) -> frozenset[str]:
    return frozenset((title_key(title) or "").split())


def title_similarity(a: str | None, b: str | None) -> float:
    """Jaccard of the two titles' key words: 'nearly the same title' when one word was changed or added."""
    wa, wb = title_words(a), title_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0
