"""The build, phase by phase. Each phase is a set of file-in, file-out tasks under `OUT/.build/work/`
(paths and task names in `builder.files.Layout`), run in the order of `PHASES`:

decontamination  per evaluation set, then per partition of the n-gram hashes (only when decontaminate.sets names
                                  any): n-grams -> decontaminate/grams-*, sorted -> decontaminate/index-NNNNN
                                  (builder/decontaminate/)
documents        per input shard: read -> extract -> ... -> label (the configured `stages`) -> docs/NNNNN
                                  (builder/phases/documents.py)
site templates   per shard, then whole corpus: what each page says of its site -> templates/site-evidence-NNNNN,
                                  each page's site decided once -> templates/sites-NNNNN (templates/sites.py); then
                                  per shard, per share of the sites, whole corpus: line shapes counted per site ->
                                  templates/counts-NNNNN, merged -> templates/merged-NNNNN, learned ->
                                  templates/learned; then per shard the learned lines cut -> templates/cut-NNNNN
                                  (builder/templates/)
decontamination  per shard:       each document's n-grams looked up -> decontaminate/hits-NNNNN
signatures       per shard:       the exact-copy hash and MinHash signature -> signed/NNNNN, and the dedup arrays
                                  (signatures, keys, partitioned band entries) -> dedup/*-NNNNN.npy
                                  (builder/phases/signatures.py)
dedup            whole corpus:    the exact task, one bucket task per partition, one cluster task ->
                                  dedup/decisions-NNNNN (builder/dedup/)
finalize         per shard:       apply decisions, add cluster columns and the split, drop or tag the contaminated
                                  kept rows, count their tokens -> final/NNNNN
                                  (builder/phases/finalize.py)
write            whole corpus:    data/{split}-*.parquet, rejected/, README.md, stats.json (builder/write.py)
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow.parquet as pq
from hydra.utils import instantiate

from builder.config import SAMPLE_CORPUS, Config
from builder.decontaminate.phase import check_settings, check_tasks, index_tasks, set_tasks
from builder.decontaminate.sets import EvalSet, resolve
from builder.dedup.buckets import BucketJob, bucket_count, run_buckets
from builder.dedup.clusters import ClusterJob, run_clusters
from builder.dedup.exact import ExactJob, run_exact
from builder.dedup.signatures import params
from builder.errors import BuildError
from builder.executor import Executor, Task, done
from builder.files import Layout
from builder.fingerprint import HashCache, code_version, digest, document_settings, output_hash, settings_key
from builder.heap import heap_restored
from builder.jobs import ShardJob, SignJob
from builder.phases.documents import build_stages, run_documents, warm_worker
from builder.phases.finalize import run_finalize
from builder.phases.inputs import Inputs, plan_inputs
from builder.phases.signatures import run_signatures
from builder.readers import Shard, input_base
from builder.stats import BuildResult
from builder.templates.phase import LearnJob, MergeJob, run_counts, run_cuts, run_learn, run_merge, run_site_evidence
from builder.templates.sites import SitesJob, run_sites
from builder.tokens import check_tokenizer
from builder.write import write_output

log = logging.getLogger(__name__)

__all__ = ["PHASES", "build", "build_stages"]


# --- the build -----------------------------------------------------------------------------------------

def prepare_output(out: Path, overwrite: bool) -> None:
    """Fail at once, in one line, on an output folder we must not or cannot write."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"output path {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / ".build").is_dir():
        raise BuildError(f"output folder {out} is not empty and was not made by build-corpus; "
                         "choose another output.path or empty it")
    if out.exists() and (out / ".build").is_dir() and not overwrite:
        raise BuildError(f"output folder {out} already holds a build and output.overwrite is false")
    try:
        (out / ".build").mkdir(parents=True, exist_ok=True)
        probe = out / ".build" / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise BuildError(f"cannot write to output folder {out}: {err.strerror or err}") from None


def resolve_input(cfg: Config) -> Path:
    path = Path(cfg.input.path) if cfg.input.path else SAMPLE_CORPUS
    if not path.exists():
        raise BuildError(f"input path not found: {path}")
    return path


@dataclass(frozen=True)
class Plan:
    """What the phases' task lists are made from, and each task's key (builder/fingerprint.py): a task whose key
    is the one its marker holds is reused."""

    cfg: Config
    layout: Layout
    inputs: Inputs
    settings: dict

    @property
    def shards(self) -> list[Shard]:
        return self.inputs.shards

    @cached_property
    def jobs(self) -> list[ShardJob]:
        return [ShardJob(self.cfg, self.layout, s, r) for s, r in zip(self.shards, self.inputs.roots, strict=True)]

    @cached_property
    def buckets(self) -> int:
        """Partitions of the band keys and blocks: more on a larger corpus (known once the documents are done)."""
        n_docs = sum(pq.read_metadata(self.layout.docs(j.shard.index)).num_rows for j in self.jobs)
        return bucket_count(n_docs, self.cfg.near_dup)

    @cached_property
    def eval_sets(self) -> list[EvalSet]:
        """The evaluation sets, resolved once for every decontamination phase."""
        return resolve(self.cfg.decontaminate)

    def per_shard(self, phase: str, fn: Callable, keys: Callable[[int], str], jobs: list | None = None) -> list[Task]:
        return [Task(self.layout.task(phase, j.shard.index), fn, j, keys(j.shard.index)) for j in (jobs or self.jobs)]

    @cached_property
    def _settings_keys(self) -> dict[tuple[str, ...], str]:
        return {}

    def of(self, *groups: str) -> str:
        """The key of these settings groups and the data files they name (hashed once per build)."""
        if groups not in self._settings_keys:
            self._settings_keys[groups] = settings_key(self.settings, groups)
        return self._settings_keys[groups]

    # --- the keys, phase by phase (a later phase's keys read what the earlier phases wrote) ---------------------

    @cached_property
    def document_settings(self) -> str:
        return document_settings(self.settings)

    def docs_key(self, shard: int) -> str:
        s = self.shards[shard]
        return digest("docs", self.document_settings, [dataclasses.astuple(p) for p in s.pieces],
                      self.inputs.hashes[shard])

    def evidence_key(self, shard: int) -> str:
        return digest("site-evidence", self.docs_key(shard), self.of("templates"))

    @cached_property
    def sites_key(self) -> str:
        return digest("sites", self.of("templates"), [self.evidence_key(s.index) for s in self.shards])

    def counts_key(self, shard: int) -> str:
        """The shard's documents and the sites decided for them (a batch added can change an earlier page's site)."""
        return digest("template-counts", self.docs_key(shard), self.of("templates"),
                      output_hash(self.layout.site_map(shard)))

    @cached_property
    def merge_key(self) -> str:
        return digest("template-merge", self.of("templates"), [self.counts_key(s.index) for s in self.shards])

    @cached_property
    def site_templates(self) -> dict[str, str]:
        """Per site, a hash of the lines learned as its template (read once the learning task is done)."""
        table = pq.read_table(self.layout.templates, columns=["site", "zone", "shape"])
        found: dict[str, list] = {}
        for site, zone, shape in zip(*(table[c].to_pylist() for c in ("site", "zone", "shape")), strict=True):
            found.setdefault(site, []).append((zone, shape))
        return {site: digest(sorted(lines)) for site, lines in found.items()}

    @cached_property
    def cut_keys(self) -> list[str]:
        """Per shard, its documents and, when templates are on, the learned lines of the sites it holds only: a
        site whose template an update changed re-cuts its shards, the others are reused."""
        if not self.cfg.templates.enabled:
            return [self.docs_key(s.index) for s in self.shards]
        keys = []
        titles = output_hash(self.layout.site_titles)  # the corpus's headlines: a related line is one of them
        for s in self.shards:
            sites = pq.read_table(self.layout.template_counts(s.index), columns=["site"])["site"].unique()
            learned = self.site_templates
            keys.append(digest("template-cut", self.docs_key(s.index), self.of("templates"),
                               sorted((site, learned[site]) for site in sites.to_pylist() if site in learned),
                               output_hash(self.layout.site_map(s.index)), titles))
        return keys

    def cut_key(self, shard: int) -> str:
        return self.cut_keys[shard]

    @cached_property
    def signature_keys(self) -> list[str]:
        """Per shard, the rows dedup reads (the documents, and the content of the cut where the templates changed
        any: a shard re-cut under a changed template with the same result keeps its signatures) and the MinHash
        settings."""
        near = self.cfg.near_dup
        made = {k: v for k, v in params(near).items() if k != "threshold"}  # what the signatures and bands use
        cut = self.cfg.templates.enabled
        return [digest("signatures", self.docs_key(s.index), cut and output_hash(self.layout.template_cut(s.index)),
                       made, near.versions.enabled, self.buckets) for s in self.shards]

    def signature_key(self, shard: int) -> str:
        return self.signature_keys[shard]

    @cached_property
    def dedup_key(self) -> str:
        return digest("dedup", self.of("exact", "near_dup"), self.signature_keys)

    def final_key(self, shard: int) -> str:
        return digest("final", self.signature_key(shard), output_hash(self.layout.decisions(shard)),
                      output_hash(self.layout.decont_hits(shard)), self.of("split", "tokens", "decontaminate"))

    @property
    def documents_pending(self) -> bool:
        """Some shard's documents must be made (again)."""
        return any(not done(self.layout.markers / self.layout.task("docs", s.index), self.docs_key(s.index))
                   for s in self.shards)

    def check_documents_input(self, tasks: list[Task]) -> list[Task]:
        """Documents to (re)make need their input as it was planned: an update whose earlier input is gone cannot
        redo an earlier shard (after a change of the document settings or the code)."""
        hashes = HashCache(self.layout.build / "hashes.json")
        for task in tasks:
            if done(self.layout.markers / task.name, task.key):
                continue
            index = task.job.shard.index
            base = input_base(self.inputs.roots[index])
            for rel, sha in self.inputs.hashes[index].items():
                if not (base / rel).is_file() or hashes(base / rel) != sha:
                    raise BuildError(f"shard {index} must be made again (the document settings or the code changed) "
                                     f"but its input {base / rel} is gone or changed; rebuild from the full input")
        return tasks


def document_tasks(p: Plan) -> list[Task]:
    return p.check_documents_input(p.per_shard("docs", run_documents, p.docs_key))


def site_evidence_tasks(p: Plan) -> list[Task]:
    return p.per_shard("site-evidence", run_site_evidence, p.evidence_key) if p.cfg.templates.enabled else []


def site_tasks(p: Plan) -> list[Task]:
    return [Task(p.layout.task("sites"), run_sites, SitesJob(p.cfg.templates, len(p.shards), p.layout),
                 p.sites_key)] if p.cfg.templates.enabled else []


def template_tasks(p: Plan) -> list[Task]:
    return p.per_shard("template-counts", run_counts, p.counts_key) if p.cfg.templates.enabled else []


def merge_tasks(p: Plan) -> list[Task]:
    cfg, n = p.cfg.templates, len(p.shards)
    return [Task(p.layout.task("template-merge", part), run_merge, MergeJob(cfg, n, part, p.layout), p.merge_key)
            for part in range(cfg.merge_tasks)] if cfg.enabled else []


def learn_tasks(p: Plan) -> list[Task]:
    return [Task(p.layout.task("templates"), run_learn, LearnJob(p.cfg.templates, p.layout), p.merge_key)] \
        if p.cfg.templates.enabled else []


def cut_tasks(p: Plan) -> list[Task]:
    if not p.cfg.templates.enabled:  # cuts a build with templates left must not be read as this build's
        for s in p.shards:
            p.layout.template_cut(s.index).unlink(missing_ok=True)
        return []
    return p.per_shard("template-cut", run_cuts, p.cut_key)


def decont_check_tasks(p: Plan) -> list[Task]:
    tasks = check_tasks(p.cfg.decontaminate, p.layout, [s.index for s in p.shards], p.eval_sets)
    index = p.of("decontaminate")
    return [dataclasses.replace(t, key=digest(t.name, index, p.cut_key(s.index)))
            for t, s in zip(tasks, p.shards, strict=False)]


def signature_tasks(p: Plan) -> list[Task]:
    return p.per_shard("signatures", run_signatures, p.signature_key,
                       [SignJob(**vars(j), parts=p.buckets) for j in p.jobs])


def exact_tasks(p: Plan) -> list[Task]:
    job = ExactJob(p.cfg.near_dup, p.cfg.exact.enabled, len(p.shards), p.layout)
    return [Task(p.layout.task("exact"), run_exact, job, p.dedup_key)]


def bucket_tasks(p: Plan) -> list[Task]:
    near = p.cfg.near_dup
    return [Task(p.layout.task("buckets", t), run_buckets, BucketJob(near, t, p.buckets, len(p.shards), p.layout),
                 digest(t, p.dedup_key)) for t in range(p.buckets)] if near.enabled else []


def cluster_tasks(p: Plan) -> list[Task]:
    job = ClusterJob(p.cfg.near_dup, p.buckets, len(p.shards), p.layout)
    return [Task(p.layout.task("clusters"), run_clusters, job, p.dedup_key)]


def settings_keyed(tasks: list[Task], p: Plan) -> list[Task]:
    """Tasks of an evaluation set or the index: keyed by the decontamination settings and their files."""
    return [dataclasses.replace(t, key=digest(t.name, p.of("decontaminate"), code_version())) for t in tasks]


# The phases in order: a name (the progress label and the key of `phase_seconds` in stats.json) and the tasks it
# runs for a plan; a phase with no tasks (switched off) is skipped.
PHASES: list[tuple[str, Callable[[Plan], list[Task]]]] = [
    # the evaluation sets first: a set that cannot be read stops the build before the long part
    ("decontamination: sets", lambda p: settings_keyed(set_tasks(p.cfg.decontaminate, p.layout, p.eval_sets), p)),
    ("decontamination: index",
     lambda p: settings_keyed(index_tasks(p.cfg.decontaminate, p.layout, p.eval_sets), p)),
    ("documents", document_tasks),
    ("site templates: site evidence", site_evidence_tasks),
    ("site templates: sites", site_tasks),
    ("site templates: counts", template_tasks),
    ("site templates: merge", merge_tasks),
    ("site templates", learn_tasks),
    ("site templates: cut", cut_tasks),
    ("decontamination: check", decont_check_tasks),
    ("signatures", signature_tasks),
    ("exact copies", exact_tasks),
    ("near-dup buckets", bucket_tasks),
    ("clusters", cluster_tasks),
    ("finalize", lambda p: p.per_shard("final", run_finalize, p.final_key)),
]


def run_phases(executor: Executor, plan: Plan) -> None:
    for name, tasks_of in PHASES:
        if tasks := tasks_of(plan):
            executor.run(tasks, plan.layout.markers, name)


def warm_stages(executor: Executor, cfg: Config) -> None:
    executor.warm(warm_worker, cfg)
    warm_worker(cfg)


def build(cfg: Config) -> BuildResult:
    """Run every phase; return what the build did (saved as OUT/stats.json)."""
    started = time.perf_counter()
    root = resolve_input(cfg)
    out = Path(cfg.output.path)
    executor: Executor = instantiate(cfg.executor)
    layout = Layout(out)
    with executor, heap_restored():
        # the workers start, import and build their stages (about 3 s) while this process does the same and plans
        # the shards; a bad stage config still fails before anything is written, and the stages built here are
        # the ones this process runs (workers=1), not built a second time. A rerun over an earlier build builds no
        # stage when every documents task is reused (a dedup sweep, a new split): on the sample, a near_dup rerun
        # with workers=1 took 7.1 CPU s with them, 6.0 without (and each worker of a pool builds them too).
        fresh = not layout.inputs.exists()
        if fresh:
            warm_stages(executor, cfg)
        check_tokenizer(cfg.tokens)
        check_settings(cfg.decontaminate)
        prepare_output(out, cfg.output.overwrite)
        inputs, ignored = plan_inputs(cfg, root, layout)
        settings = dataclasses.asdict(cfg)
        plan = Plan(cfg, layout, inputs, settings)
        if not fresh and plan.documents_pending:
            warm_stages(executor, cfg)
        run_phases(executor, plan)
    return write_output(cfg, settings, layout, inputs, ignored, root, started, executor)
