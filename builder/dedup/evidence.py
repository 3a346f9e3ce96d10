"""Which relation a candidate pair is in, each with its own evidence, judged on the MinHash signatures.

copy     any two sites: estimated Jaccard >= near_dup.threshold (a syndicated wire story, a republication)
version  one site (outlet, or URL host when the outlet is unknown), the same title key, a nearly the same title
         (word Jaccard >= versions.title_similarity) or the same URL less its tracking parameters; published at
         most versions.max_days apart; and a body that clears a lower bar: estimated Jaccard >=
         versions.min_jaccard, or the smaller body contained in the larger for >= versions.min_containment of
         its shingles (when it has at least versions.min_shingles of them). An update that adds a third to an
         article keeps all its old shingles and gains new ones: its Jaccard falls to 0.75 or less, its
         containment stays near 1. A pair of one title or URL that clears neither bar is read word by word:
         an edit spread over a short text (a spelling changed, a word per sentence) breaks most 5-word
         shingles but keeps the words in order, so a difflib ratio of the two keys' words >=
         versions.min_word_ratio is a version too (on egypt_news such pairs are 0.87-0.90, published hours
         apart; different articles under a recurring title that reach it are weeks apart).
A pair with version evidence is a version even when it is also a copy: one site's edits keep the latest.

Guards against a recurring title (a daily column, a price bulletin, a daily tally), whose editions share stock
wording: the time window, and a block (site and title with its numbers masked, or URL) whose distinct bodies
were published on versions.recurring_days days or more is recurring (keys.recurring), so its pages are versions
only on a copy's evidence (Jaccard >= near_dup.threshold), never on the lower bars. The cluster task adds the
third: a version joins the page kept only when the two are a pair themselves, never through a chain.

Containment comes from the Jaccard J and the exact shingle counts: |A & B| = J (|A| + |B|) / (1 + J). J is the
signatures' estimate, or the exact value for a pair estimated just below a bar (`borderline`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from builder.arabic import dedup_key
from builder.config import NearDupConfig
from builder.dedup.keys import title_similarity
from builder.dedup.signatures import shingles

NONE, COPY, VERSION = 0, 1, 2
RELATIONS = {COPY: "copy", VERSION: "version"}
SECONDS_PER_DAY = 86_400
NO_TIME = np.iinfo(np.int64).min


@dataclass(frozen=True)
class PageKeys:
    """Per document, the facts the relations look at, as arrays (ids from builder.dedup.pages.key_id)."""

    site: np.ndarray
    title: np.ndarray
    url: np.ndarray
    published: np.ndarray  # int64 seconds, NO_TIME when unknown
    n_shingles: np.ndarray
    recurring: np.ndarray  # bool: the page's title or URL block recurs over many days
    titles: Callable[[np.ndarray], list[str | None]]  # raw titles of these rows: read only for the few pairs
    # that need the nearly-the-same-title check


@dataclass(frozen=True)
class Verdicts:
    relation: np.ndarray  # int8: NONE, COPY, VERSION
    jaccard: np.ndarray
    containment: np.ndarray
    read_words: np.ndarray  # bool: a page pair short of shingle evidence, to be judged by word_ratio


def estimated_jaccard(sig: np.ndarray, pairs: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        out[start : start + chunk] = (sig[part[:, 0]] == sig[part[:, 1]]).mean(axis=1)
    return out


def containment(jaccard: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Share of the smaller set's shingles found in the larger one."""
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return np.minimum(1.0, shared / np.maximum(1, np.minimum(size_a, size_b))).astype(np.float32)


def borderline(jaccard: np.ndarray, cfg: NearDupConfig) -> np.ndarray:
    """Pairs whose estimate falls just below a bar (within near_dup.exact_check_margin): 128 permutations
    estimate a Jaccard of 0.7 to +-0.04, so a true 0.72 is read as 0.69 one time in four; these are checked
    on their exact shingle sets instead."""
    bars = [cfg.threshold, *([cfg.versions.min_jaccard] if cfg.versions.enabled else [])]
    return np.any([(jaccard < bar) & (jaccard >= bar - cfg.exact_check_margin) for bar in bars], axis=0)


def exact_jaccard(texts_a: list[str], texts_b: list[str], ngram: int) -> np.ndarray:
    out = np.empty(len(texts_a), dtype=np.float32)
    for i, (a, b) in enumerate(zip(texts_a, texts_b, strict=True)):
        sa, sb = set(shingles(dedup_key(a), ngram)), set(shingles(dedup_key(b), ngram))
        out[i] = len(sa & sb) / len(sa | sb)
    return out


def word_ratio(texts_a: list[str], texts_b: list[str], floor: float = 0.0) -> np.ndarray:
    """Per pair, how much of the two keys' words match in order (difflib's ratio, no junk heuristic). Where the
    words' counts alone (quick_ratio, an upper bound) fall below `floor`, that bound is returned instead: the
    ordered comparison, the costly part, is only made for pairs that may reach the floor."""
    out = np.empty(len(texts_a), dtype=np.float32)
    for i, (a, b) in enumerate(zip(texts_a, texts_b, strict=True)):
        matcher = SequenceMatcher(None, dedup_key(a).split(), dedup_key(b).split(), autojunk=False)
        bound = matcher.quick_ratio()
        out[i] = bound if bound < floor else matcher.ratio()
    return out


def judge(pairs: np.ndarray, sig: np.ndarray, keys: PageKeys, cfg: NearDupConfig,
          jaccard: np.ndarray | None = None) -> Verdicts:
    """The relation of each pair; `jaccard` replaces the signatures' estimate where it is known exactly."""
    a, b = pairs[:, 0], pairs[:, 1]
    jac = estimated_jaccard(sig, pairs) if jaccard is None else jaccard
    size_a, size_b = keys.n_shingles[a], keys.n_shingles[b]
    cont = containment(jac, size_a, size_b)
    relation = np.where(jac >= cfg.threshold, COPY, NONE).astype(np.int8)
    read_words = np.zeros(len(pairs), dtype=bool)
    v = cfg.versions
    if v.enabled and len(pairs):
        same_site = (keys.site[a] == keys.site[b]) & (keys.site[a] >= 0)
        unknown_time = (keys.published[a] == NO_TIME) | (keys.published[b] == NO_TIME)
        gap = np.abs(keys.published[a] - keys.published[b]) if len(pairs) else np.zeros(0, np.int64)
        close = unknown_time | (gap <= v.max_days * SECONDS_PER_DAY)
        lower = (jac >= v.min_jaccard) | ((cont >= v.min_containment) & (np.minimum(size_a, size_b) >= v.min_shingles))
        recurring = keys.recurring[a] | keys.recurring[b]
        body = np.where(recurring, jac >= cfg.threshold, lower)
        block = ((keys.title[a] == keys.title[b]) & (keys.title[a] >= 0)) | \
                ((keys.url[a] == keys.url[b]) & (keys.url[a] >= 0))
        page = block.copy()
        maybe = same_site & close & body
        other = np.flatnonzero(maybe & ~page)  # few pairs: same site, similar body, another title
        if len(other):
            rows = np.unique(pairs[other])
            title = dict(zip(rows.tolist(), keys.titles(rows), strict=True))
            for i in other.tolist():
                page[i] = title_similarity(title[a[i]], title[b[i]]) >= v.title_similarity
        relation[maybe & page] = VERSION
        read_words = same_site & close & block & ~recurring & (relation == NONE)
    return Verdicts(relation, jac, cont, read_words)
