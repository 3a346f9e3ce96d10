"""Temporary home of TemplatesConfig until builder/config.py takes typed groups (moved there then)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TemplatesConfig:
    enabled: bool = True
    shapes_file: str = "template_shapes.yaml"  # the slots and delimiters of a line's shape (conf/data/)
    rules_file: str = "boilerplate.yaml"  # the cleaning rules whose word lists and cues the slots reuse
    edge_lines: int = 4  # lines from the top (the lead) and from the bottom where a template line may sit
    min_site_pages: int = 5  # a site with fewer distinct pages learns nothing and keeps the rules alone
    min_pages: int = 3  # distinct pages a shape must be seen on
    min_share: float = 0.2  # share of the site's pages that print the shape at the same edge
    prose_words: int = 10  # a shape with this many words of its own reads like a sentence...
    prose_min_share: float = 0.6  # ...and needs this share...
    prose_min_pages: int = 10  # ...and this many pages
    syndicated_sites: int = 3  # a sentence-like shape seen on this many sites is a shared story, no one's template
    max_fixed_words: int = 4  # words before a prefix's delimiter (after a suffix's)
    max_free_words: int = 20  # free text after a fixed prefix: a headline, not a paragraph
    max_name_words: int = 4  # free text next to a fixed part made only of slots ("<name> - {city}")
    frame_words: int = 2  # fixed words at each end of a framed line
    max_shapes_per_shard: int = 2000  # shapes kept per site per shard (the most frequent)
    max_shapes_merged: int = 20000  # shapes kept per site while the shard counts are merged
