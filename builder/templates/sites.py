"""Every page's site, decided once for the corpus, before any template is counted (issue 22).

What a page says of itself comes first (`builder.site.page_site`: its URL's host, the input's outlet, the outlet its
furniture names). A page that says nothing is put with the pages that print the same rare edge lines: the shapes
of the short lines between the page's edge and its first (last) prose paragraph, and of the lines the cleaning
rules cut from it (its copyright line, its date line). Two pages that share two such
shapes are one site (a pair of lines is rare: one line, a "share" strip or a date, is printed by many sites); a
page that shares only one shape joins the site that holds nearly all the pages printing it. A link never joins
two sites that name themselves differently, and a name only one page carries (a site name guessed from one
`<title>`) is no name. A page that shares nothing keeps its input folder as its site, as before.

Per shard, `run_evidence` writes each page's evidence (templates/site-evidence-NNNNN); one task, `run_sites`,
decides (templates/sites-NNNNN, aligned with the shard's rows) and writes the titles of the corpus (hashes, for
the related-headline blocks: builder/templates/apply.py) and a summary per site: how its pages were decided.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from builder.arabic import WORD, match_key
from builder.config import TemplatesConfig
from builder.files import Layout, write_json, write_parquet
from builder.jobs import ShardJob
from builder.site import folder_of, page_site
from builder.templates.counts import edge_zones, line_hash, may_be_furniture, page_lines
from builder.templates.shapes import ShapeMasker

EVIDENCE_SCHEMA = pa.schema([("site", pa.string()), ("how", pa.string()), ("folder", pa.string()),
                             ("edges", pa.list_(pa.int64())), ("title", pa.int64())])
SITE_SCHEMA = pa.schema([("site", pa.string()), ("how", pa.string())])
# cuts that print something of this page only (its headline, teasers of other stories): no site's line
UNIQUE_CUTS = ("title.", "read_also.", "template.")
# what the site decision reads of a page (site.page_site, folder_of) beside its text
SITE_COLUMNS = ["url", "outlet", "outlet_hint", "site_name", "outlet_evidence", "source_file"]
EVIDENCE_COLUMNS = ["text", "title", *SITE_COLUMNS, "removed"]


def title_hash(title: str | None) -> int | None:
    key = " ".join(match_key(title or "").split())
    return line_hash(key) if len(key.split()) >= 3 else None


def edge_shapes(lines: list[str], title: str | None, masker: ShapeMasker, cfg: TemplatesConfig,
                fragment_words: int, removed: Sequence[str] = ()) -> list[int]:
    """Hashes of the shapes of up to `site_edge_lines` short lines at each edge (before the first prose paragraph,
    after the last) and of as many lines the cleaning rules cut (a copyright line names its site), each with at
    least `site_key_words` words of their own: what a site prints on its pages and few other sites print."""
    top_end, bottom_start = edge_zones(lines, cfg.zone_prose_words)
    found: list[int] = []
    short = [r for r in removed if len(WORD.findall(r)) <= cfg.max_line_words]
    for line in dict.fromkeys([*short[:cfg.site_edge_lines], *short[-cfg.site_edge_lines:]]):
        masked = masker.mask(line, title)
        if masked.literal_words >= cfg.site_key_words:
            found.append(line_hash(masked.shape))
    for order in (range(0, top_end), range(len(lines) - 1, max(bottom_start, top_end) - 1, -1)):
        taken = 0
        for i in order:
            if taken >= cfg.site_edge_lines:
                break
            if not may_be_furniture(lines, i, cfg.max_line_words, fragment_words):
                continue
            masked = masker.mask(lines[i], title)
            if masked.literal_words >= cfg.site_key_words:
                found.append(line_hash(masked.shape))
                taken += 1
    return sorted(set(found))


def evidence_table(rows: Iterable[dict], masker: ShapeMasker, cfg: TemplatesConfig, fragment_words: int
                   ) -> pa.Table:
    out = []
    for row in rows:
        site, how = page_site(row)
        removed = [r["text"] for r in row.get("removed") or [] if not str(r["rule"]).startswith(UNIQUE_CUTS)]
        edges = [] if how == "url" else edge_shapes(page_lines(row.get("text") or ""), row.get("title"), masker, cfg,
                                                   fragment_words, removed)
        out.append({"site": site, "how": how, "folder": folder_of(row), "edges": edges,
                    "title": title_hash(row.get("title"))})
    return pa.Table.from_pylist(out, schema=EVIDENCE_SCHEMA)


class Sites:
    """Union-find over the pages of the corpus; a group holds at most one name."""

    def __init__(self, names: Sequence[str | None]):
        self.parent = list(range(len(names)))
        self.name = list(names)  # per root: the group's name, if any

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> bool:
        """Join the groups of a and b unless they carry different names; True when they are (now) one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.name[ra] and self.name[rb] and self.name[ra] != self.name[rb]:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.name[ra] = self.name[ra] or self.name[rb]
        return True


@dataclass(frozen=True)
class Decision:
    site: list[str]
    how: list[str]


PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=256)
def pair_indices(n: int) -> tuple[np.ndarray, np.ndarray]:
    """np.triu_indices(n, 1), once per n: a page has a handful of edge shapes, and the call costs 20 µs a page."""
    return np.triu_indices(n, 1)


def shape_pairs(edges: Sequence[Sequence[int]], how: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of edge shapes a page without a URL prints, as (pair key, page) sorted by key then page: numpy
    arrays, so a corpus of a million pages holds its pairs in a few hundred MB, not in dicts."""
    sizes = np.array([len(e) if h != "url" else 0 for e, h in zip(edges, how, strict=True)], dtype=np.int64)
    total = int((sizes * (sizes - 1) // 2).sum())
    keys = np.empty(total, dtype=np.uint64)
    pages = np.empty(total, dtype=np.int64)
    at = 0
    for i, n in enumerate(sizes.tolist()):
        if n < 2:
            continue
        shapes = np.array(edges[i], dtype=np.int64).view(np.uint64)
        a, b = pair_indices(n)
        k = len(a)
        with np.errstate(over="ignore"):
            keys[at:at + k] = shapes[a] * PAIR_MIX + shapes[b]
        pages[at:at + k] = i
        at += k
    order = np.lexsort((pages, keys))
    return keys[order], pages[order]


def decide(site: Sequence[str | None], how: Sequence[str], folder: Sequence[str], edges: Sequence[Sequence[int]],
           owner_share: float) -> Decision:
    """Each page's site and how it was decided (see the module docstring)."""
    named = Counter(s for s, h in zip(site, how, strict=True) if s and h != "url")
    names = [s if s and (h == "url" or named[s] >= 2) else None for s, h in zip(site, how, strict=True)]
    groups = Sites(names)
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name:
            groups.union(i, first.setdefault(name, i))
    keys, pages = shape_pairs(edges, how)
    bounds = np.flatnonzero(np.diff(keys)) + 1 if len(keys) else np.array([], dtype=np.int64)
    for group in np.split(pages, bounds):
        if len(group) < 2:
            continue
        group = group.tolist()
        if len({groups.name[groups.find(i)] for i in group} - {None}) > 1:
            continue  # printed by pages of two named sites: not one site's lines
        for i in group[1:]:
            groups.union(group[0], i)
    root = [groups.find(i) for i in range(len(names))]
    size = Counter(root)
    alone = [i for i in range(len(names)) if size[root[i]] == 1 and not names[i] and edges[i]]
    wanted = {shape for i in alone for shape in edges[i]}
    holders: dict[int, Counter] = defaultdict(Counter)  # shape -> group -> pages (groups of 2+ pages)
    for i, shapes in enumerate(edges):
        if size[root[i]] > 1 and how[i] != "url":
            for shape in wanted.intersection(shapes):
                holders[shape][root[i]] += 1
    for i in alone:
        shapes = edges[i]
        votes: Counter = Counter()
        for shape in shapes:
            if held := holders.get(shape):
                (owner, n), total = held.most_common(1)[0], sum(held.values())
                if n >= 2 and n >= owner_share * total:
                    votes[owner] += 1
        if votes:
            groups.union(i, min(votes, key=lambda r: (-votes[r], r)))
    size = Counter(groups.find(i) for i in range(len(names)))
    unnamed = sorted({r for r in size if size[r] > 1 and not groups.name[r]}, key=lambda r: (-size[r], r))
    folders: dict[int, Counter] = defaultdict(Counter)
    for i in range(len(names)):
        folders[groups.find(i)][folder[i]] += 1
    label = {r: f"{min(folders[r], key=lambda f: (-folders[r][f], f))}~{k + 1}" for k, r in enumerate(unnamed)}
    out_site, out_how = [], []
    for i in range(len(names)):
        r = groups.find(i)
        if groups.name[r]:
            out_site.append(groups.name[r])
            out_how.append(how[i] if names[i] else "lines")
        elif r in label:
            out_site.append(label[r])
            out_how.append("lines")
        else:
            out_site.append(folder[i])
            out_how.append("folder")
    return Decision(out_site, out_how)


def run_evidence(job: ShardJob, masker: ShapeMasker) -> None:
    started = time.perf_counter()
    layout, index, cfg = job.layout, job.shard.index, job.cfg.templates
    rows = pq.read_table(layout.docs(index), columns=EVIDENCE_COLUMNS).to_pylist()
    write_parquet(evidence_table(rows, masker, cfg, job.cfg.clean.fragment_words), layout.site_evidence(index))
    write_json({"seconds": round(time.perf_counter() - started, 3)}, layout.stats("site-evidence", index))


@dataclass(frozen=True)
class SitesJob:
    cfg: TemplatesConfig
    n_shards: int
    layout: Layout


def run_sites(job: SitesJob) -> None:
    started = time.perf_counter()
    layout = job.layout
    tables = [pq.read_table(layout.site_evidence(i)) for i in range(job.n_shards)]
    table = pa.concat_tables(tables) if tables else EVIDENCE_SCHEMA.empty_table()
    decided = decide(table["site"].to_pylist(), table["how"].to_pylist(), table["folder"].to_pylist(),
                     table["edges"].to_pylist(), job.cfg.site_owner_share)
    at = 0
    for i, part in enumerate(tables):
        n = part.num_rows
        write_parquet(pa.table({"site": decided.site[at:at + n], "how": decided.how[at:at + n]}, schema=SITE_SCHEMA),
                      layout.site_map(i))
        at += n
    titles = np.unique(np.array([t for t in table["title"].to_pylist() if t is not None], dtype=np.int64))
    np.save(layout.site_titles, titles)
    how: dict[str, Counter] = defaultdict(Counter)
    for site, h in zip(decided.site, decided.how, strict=True):
        how[site][h] += 1
    write_json({"seconds": round(time.perf_counter() - started, 3),
                "sites": {s: dict(sorted(c.items())) for s, c in sorted(how.items())}}, layout.stats("sites"))


def site_column(layout: Layout, index: int) -> list[str] | None:
    """The decided site of each row of the shard (None when the phase did not run: sites come from the rows)."""
    path = layout.site_map(index)
    return pq.read_table(path, columns=["site"])["site"].to_pylist() if path.exists() else None
