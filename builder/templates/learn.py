"""Deciding which shapes are a site's template, from the merged counts, with guards for real text.

A shape is template when it sits at the same edge (the lead, or the bottom) on a set share of the site's
distinct pages, with a minimum page count; a line made only of slots (a name and a city, two agencies) needs a
smaller share, a line that reads like a sentence (many words besides its dates, names and places) a much larger
one, and a sentence-like line that turns up on several sites never counts: that is a syndicated story, not
anyone's furniture; a piece glued before or after a body line that reports speech ("وأضاف:") is a quote's.
A shape with free text (`{text}`) must have been seen with at least two different lines: one
line repeated is judged by its full shape, under the guards above. A site with too few pages learns nothing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyarrow as pa

from builder.arabic import match_key, word_forms
from builder.config import TemplatesConfig
from builder.lists import read_yaml
from builder.schema import LEARNED_SCHEMA
from builder.templates.counts import PREFIX, SUFFIX, SiteCounts, examples
from builder.templates.shapes import TEXT, is_literal


@dataclass(frozen=True)
class Template:
    site: str
    zone: str
    shape: str
    pages: int
    site_pages: int
    example: str | int  # the line; while learning from merged counts, the shard that holds it (counts.merge)


class TemplateLearner:
    def __init__(self, cfg: TemplatesConfig):
        self.cfg = cfg
        speech = read_yaml(cfg.speech_file)
        words = [*(w for group in speech["reporting"].values() for w in group), *speech.get("sources", [])]
        self.reporting = frozenset(match_key(w) for w in words if " " not in w)

    def judged_words(self, shape: str, line_words: int) -> int:
        """How sentence-like a shape is. A fixed prefix or suffix around free text ("المزيد: {text}") is the
        template's own wording: its words count, unless it reports speech ("وأضاف: {text}" is a quote). Any other
        shape is as sentence-like as the longest line seen with it."""
        tokens = shape.split()
        if TEXT not in (tokens[0], tokens[-1]) or tokens == [TEXT]:
            return line_words
        fixed = [t for t in tokens if t != TEXT]
        if any(form in self.reporting for t in fixed for form in word_forms(t.strip(":-|/"))):
            return line_words
        return sum(map(is_literal, fixed))

    def reports_speech(self, shape: str) -> bool:
        """A glued prefix such as "وأضاف:" opens a quote: never furniture, however often a site prints it."""
        return any(form in self.reporting for t in shape.split() for form in word_forms(t.strip(":-|/")))

    def learn(self, sites: dict[str, SiteCounts]) -> list[Template]:
        cfg = self.cfg
        spread = Counter(shape for counts in sites.values() for shape in {s for _, s in counts.shapes})
        learned = []
        for site in sorted(sites):
            counts = sites[site]
            if counts.pages < cfg.min_site_pages:
                continue
            for (zone, shape), pages in sorted(counts.shapes.items()):
                if not shape.split():  # a line of punctuation only: no words to learn a template from
                    continue
                if TEXT in shape and counts.variants((zone, shape)) < 2:
                    continue
                if zone in (PREFIX, SUFFIX) and self.reports_speech(shape):
                    continue
                prose = self.judged_words(shape, counts.words[(zone, shape)]) >= cfg.prose_words
                if prose and spread[shape] >= cfg.syndicated_sites:
                    continue
                if prose:
                    need_pages, need_share = cfg.prose_min_pages, cfg.prose_min_share
                else:
                    slots_only = counts.words[(zone, shape)] == 0 and TEXT not in shape
                    need_pages, need_share = cfg.min_pages, cfg.slots_min_share if slots_only else cfg.min_share
                if pages >= need_pages and pages >= need_share * counts.pages:
                    learned.append(Template(site, zone, shape, pages, counts.pages,
                                            counts.examples.get((zone, shape), "")))  # a line, or a shard number
        return learned


def learn_from(sites: dict[str, SiteCounts], counts: Callable[[int], pa.Table], cfg: TemplatesConfig
               ) -> list[Template]:
    """The templates learned from the merged counts, with their example lines read back from the shards' counts."""
    learned = TemplateLearner(cfg).learn(sites)
    lines = examples([(t.site, t.zone, t.shape, t.example) for t in learned if isinstance(t.example, int)], counts)
    return [dataclasses.replace(t, example=lines.get((t.site, t.zone, t.shape), t.example)) for t in learned]


def learned_table(templates: Iterable[Template]) -> pa.Table:
    return pa.Table.from_pylist([t.__dict__ for t in templates], schema=LEARNED_SCHEMA)


def site_summary(sites: dict[str, SiteCounts], templates: list[Template]) -> dict[str, dict]:
    """Per site: distinct pages and the shapes learned (for the card)."""
    learned = Counter(t.site for t in templates)
    return {site: {"pages": sites[site].pages, "shapes": learned.get(site, 0)} for site in sorted(sites)}
