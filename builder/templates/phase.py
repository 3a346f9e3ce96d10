"""The site-template tasks: count shapes per shard, merge them per share of the sites, learn (one task over the
merged counts), cut the learned lines per shard.

Each task reads and writes files under `OUT/.build/work/templates/` (paths in `builder.files.Layout`), so the
phase runs on any executor and a killed build redoes only the task it was in. Nothing here depends on task order
or timing: counts are merged in shard order, every sort has a tie-break.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.cache import built_for
from builder.config import Config, TemplatesConfig
from builder.files import Layout, write_json, write_parquet
from builder.jobs import ShardJob
from builder.lists import word_lists
from builder.stages.metadata import MetadataExtractor
from builder.templates.apply import TemplateApplier, TemplateBook, site_stats
from builder.templates.counts import MERGE_COLUMNS, Edges, ShapeCounter, counts_table, merge, of_share, read_merged
from builder.templates.learn import learn_from, learned_table, site_summary
from builder.templates.shapes import ShapeLimits, ShapeMasker, masker
from builder.templates.sites import SITE_COLUMNS, run_evidence, site_column

COUNT_COLUMNS = ["text", "title", *SITE_COLUMNS]
APPLIED_COLUMNS = ["text", "removed", "n_words", "published", "dateline", "byline", "credit"]


@dataclass(frozen=True)
class MergeJob:
    cfg: TemplatesConfig
    n_shards: int
    part: int  # which share of the sites (counts.site_share), of cfg.merge_tasks
    layout: Layout


@dataclass(frozen=True)
class LearnJob:
    cfg: TemplatesConfig
    layout: Layout


def masker_for(config: Config) -> ShapeMasker:
    cfg = config.templates
    return masker(cfg.shapes_file, cfg.rules_file,
                  ShapeLimits(cfg.max_fixed_words, cfg.max_free_words, cfg.max_name_words, cfg.frame_words),
                  word_lists(config.lists))


def metadata_for(config: Config) -> MetadataExtractor:
    """The metadata stage as the build configures it, word lists included: template cuts are read as its own."""
    return MetadataExtractor(config.metadata, word_lists(config.lists))


def run_site_evidence(job: ShardJob) -> None:
    run_evidence(job, masker_for(job.cfg))


def with_sites(rows: list[dict[str, Any]], layout: Layout, index: int) -> list[dict[str, Any]]:
    """The rows with the site the sites task decided for each (`site`)."""
    for row, site in zip(rows, site_column(layout, index) or [None] * len(rows), strict=True):
        row["site"] = site
    return rows


def run_counts(job: ShardJob) -> None:
    started = time.perf_counter()
    cfg, layout, index = job.cfg.templates, job.layout, job.shard.index
    table = pq.read_table(layout.docs(index), columns=COUNT_COLUMNS)
    counter = ShapeCounter(masker_for(job.cfg), cfg.edge_lines, cfg.max_shapes_per_shard, cfg.max_line_words,
                           job.cfg.clean.fragment_words, Edges.of(cfg))
    counter.add_all(with_sites(table.to_pylist(), layout, index))
    write_parquet(counter.table(), layout.template_counts(index))
    write_json({"seconds": round(time.perf_counter() - started, 3), "copies": counter.copies},
               layout.stats("template-counts", index))


def run_merge(job: MergeJob) -> None:
    """One share of the sites' counts, summed over every shard: each task reads every shard's counts but keeps the
    rows of its own sites only, so the merge runs in parallel and holds a share of the sites."""
    started = time.perf_counter()
    cfg, layout = job.cfg, job.layout
    tables = (of_share(pq.read_table(layout.template_counts(i), columns=MERGE_COLUMNS), job.part, cfg.merge_tasks)
              for i in range(job.n_shards))
    sites = merge(tables, cfg.max_shapes_merged)
    write_parquet(counts_table(sites, cfg.max_shapes_merged, merged=True), layout.template_merged(job.part))
    write_json({"seconds": round(time.perf_counter() - started, 3)}, layout.stats("template-merge", job.part))


def run_learn(job: LearnJob) -> None:
    started = time.perf_counter()
    cfg, layout = job.cfg, job.layout
    sites = read_merged(pq.read_table(layout.template_merged(p)) for p in range(cfg.merge_tasks))
    learned = learn_from(sites, lambda shard: pq.read_table(layout.template_counts(shard)), cfg)
    write_parquet(learned_table(learned), layout.templates)
    summary = site_summary(sites, learned)
    for t in sorted(learned, key=lambda t: (-t.pages, t.zone, t.shape)):  # the most printed shape as the example
        summary[t.site].setdefault("example", t.example)
    write_json({"seconds": round(time.perf_counter() - started, 3), "sites": summary}, layout.stats("templates"))


def run_cuts(job: ShardJob) -> None:
    """The shard's rows with their sites' template lines cut, written only when a row changed (the signatures
    phase then reads `layout.template_cut`, else the documents as they are: `documents_after_templates`)."""
    started = time.perf_counter()
    cfg, layout, index = job.cfg, job.layout, job.shard.index
    book = TemplateBook.from_table(pq.read_table(layout.templates))
    t = cfg.templates
    titles = frozenset(np.load(layout.site_titles).tolist()) if layout.site_titles.exists() else frozenset()
    applier = TemplateApplier(book, masker_for(cfg), t.edge_lines, t.max_line_words,
                              built_for(cfg, metadata_for, [cfg.metadata, cfg.lists]), cfg.clean.fragment_words,
                              Edges.of(t), titles, t.block_max_words, t.heading_max_words)
    table = pq.read_table(layout.docs(index)) if book.shapes or titles else None
    changed = False
    if table is not None and table.num_rows:
        columns = sorted({*COUNT_COLUMNS, *APPLIED_COLUMNS, "id"})
        rows = with_sites(table.select(columns).to_pylist(), layout, index)
        if any([applier.apply(row) for row in rows]):
            for name in APPLIED_COLUMNS:
                field = table.schema.field(name)
                table = table.set_column(table.schema.get_field_index(name), field,
                                         pa.array([row[name] for row in rows], field.type))
            write_parquet(table, layout.template_cut(index))
            changed = True
    if not changed:  # a cut an earlier template made is stale
        layout.template_cut(index).unlink(missing_ok=True)
    write_json({"seconds": round(time.perf_counter() - started, 3), "sites": site_stats(applier)},
               layout.stats("template-apply", index))


def documents_after_templates(layout: Layout, index: int) -> Path:
    """The shard's rows as dedup sees them: with template lines cut where the cut phase changed any."""
    cut = layout.template_cut(index)
    return cut if cut.exists() else layout.docs(index)


def summary(layout: Layout) -> dict[str, Any]:
    """What the card reports: per site, its pages, how they were given the site (`decided`: evidence -> pages),
    the shapes learned, the lines cut and an example."""
    learned = json.loads(layout.stats("templates").read_text())
    sites = {site: {**d, "lines": 0, "docs": 0} for site, d in learned["sites"].items()}
    seconds = learned["seconds"]
    if layout.stats("sites").exists():
        decided = json.loads(layout.stats("sites").read_text())
        seconds += decided["seconds"]
        for site, how in decided["sites"].items():
            sites.setdefault(site, {"pages": 0, "shapes": 0, "lines": 0, "docs": 0})["decided"] = how
    for phase in ("site-evidence", "template-counts", "template-merge", "template-apply"):
        for path in layout.stats_files(phase):
            d = json.loads(path.read_text())
            seconds += d["seconds"]
            for site, applied in d.get("sites", {}).items():
                entry = sites.setdefault(site, {"pages": 0, "shapes": 0, "lines": 0, "docs": 0})
                entry["lines"] += applied["lines"]
                entry["docs"] += applied["docs"]
    return {"seconds": round(seconds, 3), "sites": sites}
