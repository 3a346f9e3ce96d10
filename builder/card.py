"""The dataset card: YAML metadata made with the `datasets` library's own helpers, the human-written part
(`dataset_card.md`), then sections computed from this build's files and stats. The metadata is checked by
`card_validator` before the card is written, so a card the Hub would reject fails the build instead."""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from builder.card_validator import check_card, size_category
from builder.config import PACKAGE_DIR, data_file
from builder.schema import FEATURES, QUALITY_SIGNALS, REJECTED_FEATURES, STANCE_LABELS
from builder.site import SITE_EVIDENCE
from builder.stages.label import OUTLET_EVIDENCE
from builder.stages.quality import thresholds as quality_thresholds
from builder.stats import BuildResult

DISTRIBUTION = "arabic-news-corpus-builder"
EXAMPLE_CHARS = 80
DEFAULT_LICENCE_LINK = "README.md"  # `license: other` needs a link; without one configured, this card explains

STANCE_MEANING = {
    "none": "the target is not mentioned, or the outlet's own voice does not take a side clearly enough",
    "favor": "the outlet's own voice (headline, unattributed sentences, an opinion column) supports the target",
    "against": "the outlet's own voice is hostile to the target (what quoted people say is not counted)",
}
WORD_BINS = [0, 100, 200, 500, 1000, 2000, 5000]


def human_card(card_file: str | None) -> str:
    if card_file:
        return Path(card_file).read_text(encoding="utf-8")
    for candidate in (PACKAGE_DIR / "dataset_card.md", PACKAGE_DIR.parent / "dataset_card.md"):
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError("dataset_card.md is missing from the package")


# --- YAML metadata -----------------------------------------------------------------------------------------

def dataset_info(features, files_by_split: dict[str, list[Path]]) -> DatasetInfo:
    splits = SplitDict()
    total = 0
    for split, files in files_by_split.items():
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        size = sum(pq.ParquetFile(f).metadata.row_group(i).total_byte_size
                   for f in files for i in range(pq.ParquetFile(f).metadata.num_row_groups))
        splits.add(SplitInfo(name=split, num_bytes=size, num_examples=rows))
        total += size
    download = sum(f.stat().st_size for files in files_by_split.values() for f in files)
    return DatasetInfo(features=features, splits=splits, dataset_size=total, download_size=download)


def card_metadata(cfg: dict, split_files: dict[str, list[Path]], rejected: list[Path],
                  stats: BuildResult) -> DatasetCardData:
    w = cfg["write"]
    other = w["license"] == "other"
    data = DatasetCardData(
        language=["ar"],
        license=w["license"],
        license_name=w["license_name"] if other else None,
        license_link=(w["license_link"] or DEFAULT_LICENCE_LINK) if other else None,
        pretty_name=w["pretty_name"],
        task_categories=["text-generation", "text-classification"],
        task_ids=["language-modeling"],
        size_categories=[size_category(stats.kept)],
        annotations_creators=["machine-generated"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        source_datasets=["original"],
        tags=["news", "arabic", "deduplicated"],
    )
    # The description reaches the loader's cache key, so a rebuilt folder never loads a stale cached copy.
    description = f"build {stats.fingerprint}"
    split_files = {s: files for s, files in split_files.items() if files}
    configs, infos = {}, {}
    if split_files:
        configs["default"] = {"default": True, "description": description,
                              "data_files": [{"split": s, "path": f"data/{s}-*"} for s in split_files]}
        infos["default"] = dataset_info(FEATURES, split_files)
    if rejected:
        configs["rejected"] = {"description": description,
                               "data_files": [{"split": "train", "path": "rejected/train-*"}]}
        infos["rejected"] = dataset_info(REJECTED_FEATURES, {"train": rejected})
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return data


# --- computed sections -------------------------------------------------------------------------------------

def cell(value: object) -> str:
    """Scraped text as one inert table cell: one line, no column breaks, no HTML; None (not measured) as n/a."""
    return "n/a" if value is None else " ".join(str(value).split()).replace("|", "\\|").replace("<", "&lt;")


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def read(files: list[Path], columns: list[str], features) -> pa.Table:
    schema = pa.schema([features.arrow_schema.field(c) for c in columns])
    return pa.concat_tables([pq.read_table(f, columns=columns) for f in files] or [schema.empty_table()])


def batches(files: list[Path], columns: list[str]) -> Iterator[pa.Table]:
    """The columns a row group at a time: what holds text (removed spans, rejected pages) never sits in memory whole."""
    for f in files:
        source = pq.ParquetFile(f)
        for group in range(source.num_row_groups):
            yield source.read_row_group(group, columns=columns)


def clip(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Examples in tables stay short: a glimpse of the text, not the text."""
    return pc.utf8_slice_codeunits(column.cast(pa.string()), 0, EXAMPLE_CHARS)


def grouped(tables: pa.Table | Iterable[pa.Table], key: str | list[str], example: str | None = None) -> list[list]:
    """[key..., count(, first example)] per distinct key, most frequent first, ties by key: deterministic.
    Several tables (a stream of row groups) are counted one at a time and merged."""
    keys = [key] if isinstance(key, str) else key
    aggs = [(keys[0], "count", pc.CountOptions(mode="all"))] + ([(example, "first")] if example else [])
    merged: dict[tuple, list] = {}
    for t in [tables] if isinstance(tables, pa.Table) else tables:
        for r in t.group_by(keys, use_threads=False).aggregate(aggs).to_pylist():
            seen = merged.setdefault(tuple(r[k] for k in keys), [0, ""])
            seen[0] += r[f"{keys[0]}_count"]
            seen[1] = seen[1] or (r[f"{example}_first"] or "" if example else "")
    out = [[*k, n, *([first] if example else [])] for k, (n, first) in merged.items()]
    return sorted(out, key=lambda r: (-r[len(keys)], [str(k) for k in r[:len(keys)]]))


def overview(stats: BuildResult) -> list[str]:
    return ["## This build", "",
            f"{stats.entered} documents entered, {stats.kept} kept, {stats.rejected} rejected (config `rejected`, one "
            "row per document with the stage and reason that removed it).", "",
            table(["split", "documents"], [[s, n] for s, n in stats.splits.items()]), "",
            "### Documents per stage", "",
            table(["stage", "in", "added", "out", "dropped"],
                  [[s.stage, s.docs_in, s.added, s.docs_out,
                    ", ".join(f"{k}: {v}" for k, v in sorted(s.dropped.items())) or "-"] for s in stats.stages]), ""]


def update_history(stats: BuildResult) -> list[str]:
    """The batches the corpus grew by (a rerun on a grown folder, or `update=true`), as each was added."""
    if not stats.updates:
        return []
    columns = ["documents", "kept", "dropped_as_copies_of_older", "replaced_older"]
    return ["### Update history", "",
            "Each batch's documents were deduplicated against the whole corpus: a copy of an older document was "
            "dropped pointing to it, a newer version of an older article replaced it.", "",
            table(["batch", "date", "input", "files", "documents read", "kept", "dropped as copies of older",
                   "older replaced"],
                  [[b["batch"], b["date"], b["input"], b["files"], *(b.get(c, "-") for c in columns)]
                   for b in stats.updates]), ""]


def rejections(rejected: list[Path]) -> list[str]:
    def examples() -> Iterator[pa.Table]:
        for t in batches(rejected, ["stage", "reason", "source_file", "title", "text"]):
            sample = clip(pc.coalesce(t["title"], t["text"], pa.scalar("")))
            example = pc.binary_join_element_wise(t["source_file"].fill_null("?"), sample, ": ")
            yield pa.table({"stage": t["stage"], "reason": t["reason"], "example": example})

    return ["### Rejected documents per reason", "",
            "Every document the build dropped, by the rule that dropped it, with the first one as an example "
            "(all of them are in the `rejected` config).", "",
            table(["stage", "reason", "documents", "example"], grouped(examples(), ["stage", "reason"], "example")),
            ""]


PRIVATE_RULES = r"^(?:personal_data|contact)\."  # spans that hold personal data: counted on the card, never shown


def removed_spans(kept_files: list[Path]) -> list[str]:
    def spans() -> Iterator[pa.Table]:
        for t in batches(kept_files, ["removed"]):
            flat = pc.list_flatten(t["removed"])
            rule, text = pc.struct_field(flat, "rule"), clip(pc.struct_field(flat, "text"))
            hidden = pc.if_else(pc.match_substring_regex(rule, PRIVATE_RULES), pa.scalar("(not shown)"), text)
            yield pa.table({"rule": rule, "text": hidden})

    return ["### Removed spans per rule (kept documents)", "",
            "Boilerplate cut from the documents that were kept; each span is in the document's `removed` column.",
            "", table(["rule", "spans", "example"], grouped(spans(), "rule", "text")), ""]


TEMPLATE_SITES_SHOWN = 30


def templates(stats: BuildResult, cfg: dict) -> list[str]:
    """Per site: the pages it brought, the line shapes learned as its template, the lines cut, an example."""
    found = stats.templates
    if not found:
        return []
    sites = found["sites"]
    learned = sorted((s for s, d in sites.items() if d["shapes"]), key=lambda s: (-sites[s]["lines"], s))
    lines, docs = sum(d["lines"] for d in sites.values()), sum(d["docs"] for d in sites.values())
    t = cfg["templates"]
    out = ["### Site templates", "",
           f"Lines a site prints on many of its pages, learned from this corpus: {len(learned)} of {len(sites)} sites "
           f"learned a template (a site needs {t['min_site_pages']} distinct pages; a line shape must sit at the same "
           f"edge on {t['min_share']:.0%} of them, {t['slots_min_share']:.0%} for a line of names, places and "
           f"dates only, {t['prose_min_share']:.0%} for a sentence). {lines} lines were cut "
           f"from {docs} documents before dedup, each in `removed` as `template.<site>` with its shape in `detail`.",
           ""]
    decided: dict[str, int] = {}
    for d in sites.values():
        for how, n in d.get("decided", {}).items():
            decided[how] = decided.get(how, 0) + n
    if decided:  # builder/templates/sites.py: a page's site, decided once
        out += ["How each page's site was decided (pages): "
                + "; ".join(f"{how}, {SITE_EVIDENCE[how]}: {decided[how]}" for how in SITE_EVIDENCE if decided.get(how))
                + ".", ""]
    if learned:
        rows = [[s, sites[s]["pages"], ", ".join(f"{h} {n}" for h, n in sites[s].get("decided", {}).items()),
                 sites[s]["shapes"], sites[s]["lines"], sites[s].get("example", "")[:EXAMPLE_CHARS]]
                for s in learned[:TEMPLATE_SITES_SHOWN]]
        out += [table(["site", "pages", "decided by", "shapes learned", "lines cut", "example"], rows), ""]
        if len(learned) > TEMPLATE_SITES_SHOWN:
            out += [f"{len(learned) - TEMPLATE_SITES_SHOWN} more sites learned a template (in `stats.json`).", ""]
    return out


def outlets(kept: pa.Table) -> list[str]:
    evidence = grouped(kept, "outlet_evidence")
    known = pc.sum(pc.not_equal(kept["outlet"], "unknown")).as_py() or 0  # null (no label stage): unknown
    return ["### Outlets", "",
            f"{known} of {kept.num_rows} documents have a known outlet.", "",
            table(["outlet", "documents"], grouped(kept, "outlet")), "",
            "How each `outlet` label was decided (`outlet_evidence`, strongest evidence first):", "",
            table(["evidence", "documents", "meaning"],
                  [[e, n, OUTLET_EVIDENCE[e] if e else "the label stage did not run"] for e, n in evidence]), ""]


def dates(kept: pa.Table) -> list[str]:
    years = pa.table({"year": pc.year(kept["published"]).cast(pa.string()).fill_null("unknown")})
    return ["### Publication years", "", table(["year", "documents"], sorted(grouped(years, "year"))), ""]


def lengths(kept: pa.Table) -> list[str]:
    if not kept.num_rows:
        return []
    q = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]
    values = pc.quantile(kept["n_words"], q=q, interpolation="lower").to_pylist()
    bins = [[f"{lo}-{hi - 1}", pc.sum(pc.and_(pc.greater_equal(kept["n_words"], lo),
                                                pc.less(kept["n_words"], hi))).as_py() or 0]
            for lo, hi in zip(WORD_BINS, [*WORD_BINS[1:], 10**9], strict=True)]
    bins[-1][0] = f"{WORD_BINS[-1]}+"
    return ["### Length (words)", "",
            table(["min", "p10", "p25", "median", "p75", "p90", "max"], [values]), "",
            table(["words", "documents"], [b for b in bins if b[1]]), ""]


def clusters(kept: pa.Table, stats: BuildResult) -> list[str]:
    copies = pa.table({"copies": kept["dup_count"]})
    multi = pc.sum(pc.greater(pc.list_value_length(kept["dup_outlets"]), 1)).as_py() or 0
    return ["### Duplicate clusters", "",
            "Documents kept, by how many copies their story had in the input (one is kept per cluster; "
            "`dup_outlets` lists who ran it):", "",
            table(["copies", "documents"], sorted(grouped(copies, "copies"))), "",
            f"{multi} kept stories were run by more than one outlet. MinHash: {stats.dedup['minhash']}.", ""]


def label_quality(cfg: dict) -> list[str]:
    """Measured figures only, read from the files the benchmark and train-stance write; nothing written here."""
    label = cfg.get("label") or {}
    out = ["**Label quality.** Not measured on this build: the figures below were measured on labelled data, by "
           "`benchmarks/stance.py`, `benchmarks/labels.py` and `train-stance`.", ""]
    model = (label.get("stance") or {}).get("model")
    cv = Path(model).with_suffix(".quality.json") if model else None
    if cv and cv.is_file():
        q = json.loads(cv.read_text(encoding="utf-8"))
        out += [f"Stance labeler `classifier`, cross-validated on its training data ({q['data']}), at each target's "
                "probability bar:", "",
                table(["target", "examples", "precision", "recall", "coverage", "bar"],
                      [[t, f["n"], f["precision"], f["recall"], f["coverage"], f["bar"]] if f else [t, "-", "-", "-",
                                                                                                "-", "-"]
                       for t, f in q["targets"].items()]), ""]
    path = data_file(label["quality_file"]) if label.get("quality_file") else None
    if not path or not path.is_file():
        return [*out, "No measured figures for this configuration." if len(out) == 2 else "", ""]
    q = json.loads(path.read_text(encoding="utf-8"))
    if stance := q.get("stance"):
        note = "" if label.get("stance", {}).get("_target_", "").endswith("VoiceStance") else \
            " (measured for that labeler; this build used another)"
        docs = stance.get("documents") or {}
        share = f" It gave a side to {docs['given_a_side']} of {docs['articles']} gold articles " \
                f"({docs['given_a_side'] / docs['articles']:.1%})." if docs.get("articles") else ""
        out += [f"Stance labeler `{stance['labeler']}`{note}, on the {stance['measured_on']}: precision and recall of "
                f"favor/against, and the share of neutral articles given a side (n/a: none given a side).{share}", "",
                table(["target", "pairs", "with a side (gold)", "given a side", "precision", "recall",
                       "neutral given a side"],
                      [[t, f["pairs"], f["gold_sided"], f["labelled_sided"], f["precision"], f["recall"],
                        f["neutral_given_side"]] for t, f in stance["targets"].items()]), ""]
        if dump := stance.get("dump_layout"):  # the layout a folder of pages has: the body alone tells the genre
            given = (dump.get("documents") or {}).get("given_a_side")
            out += [f"The same articles as a folder dump gives them (no URL, outlet, section or headline byline): "
                    f"precision {dump['precision']}, recall {dump['recall']}, neutral given a side "
                    f"{dump['neutral_given_side']}" + (f"; {given} articles given a side." if given is not None
                                                        else "."), ""]
        if genres := stance.get("genres"):  # per gold genre, and the share of pairs given a side (coverage)
            out += ["Per genre of the article (the gold's):", "",
                    table(["genre", "pairs", "with a side (gold)", "given a side", "precision", "recall",
                           "share given a side"],
                          [[g, f["pairs"], f["gold_sided"], f["labelled_sided"], f["precision"], f["recall"],
                            f.get("share_labelled")] for g, f in genres.items()]), ""]
    if m := q.get("mawqif"):
        out += [f"Stance on Mawqif tweets ({m['metric']}): the trained classifier {m['classifier']}, the cue-counting "
                f"baseline {m['lexicon_baseline']}.", ""]
    if o := q.get("outlets"):
        out += ["Outlets: from URLs, accuracy " + ", ".join(f"{c} {a}" for c, a in o["with_urls"].items()) +
                "; from text alone, precision / coverage " +
                ", ".join(f"{c} {'n/a' if f['precision'] is None else f['precision']} / {f['coverage']}"
                          for c, f in o["text_only"].items()) +
                " (n/a: no document labelled, so no precision).", ""]
    return [*out, f"Source: `{path.name}` ({q.get('written_by', 'benchmark')}).", ""]


def llm_cost(stats: BuildResult, cfg: dict) -> list[str]:
    """What the llm stance labeler cost this build (its `llm:` counts in the label stage's notes)."""
    notes = next((s.notes for s in stats.stages if s.stage == "label"), {})
    n = {k[4:]: v for k, v in notes.items() if k.startswith("llm:")}
    if not n:
        return []
    voided = ", ".join(f"{k[5:]} {v:,}" for k, v in sorted(n.items()) if k.startswith("none:"))
    model = ((cfg.get("label") or {}).get("stance") or {}).get("model", "?")
    return [f"Stance by the LLM `{model}`: {n.get('requests', 0):,} requests ({n.get('retries', 0):,} of them "
            f"retries), {n.get('tokens', 0):,} tokens, {n.get('cache_hits', 0):,} answers from the cache; labels "
            f"favor {n.get('favor', 0):,}, against {n.get('against', 0):,}, none {n.get('none', 0):,}"
            + (f"; set to none (reason: count): {voided}." if voided else "."), ""]


def target_stances(kept: pa.Table) -> list[str]:
    """Documents per target and stance, from the `stances` column."""
    if "stances" not in kept.column_names or not kept.num_rows:
        return []
    flat = pc.list_flatten(kept["stances"])
    t = pa.table({"target": pc.struct_field(flat, "target"), "stance": pc.struct_field(flat, "stance")})
    rows = grouped(t, ["target", "stance"])
    return ["Per target (`stances`: every configured target a document mentions):", "",
            table(["target", "stance", "documents"], rows), ""] if rows else []


def genres(kept: pa.Table) -> list[str]:
    """Documents per genre, from the `genre` column."""
    if "genre" not in kept.column_names or not kept.num_rows:
        return []
    return ["`genre` is news, opinion (a column, an editorial), analysis or unknown, with what decided it in "
            "`genre_evidence`; an opinion piece is read as its writer's voice.", "",
            table(["genre", "documents"], grouped(kept, "genre")), ""]


def labels(kept: pa.Table, cfg: dict | None = None) -> list[str]:
    stance = dict(grouped(pa.table({"s": kept["stance"]}), "s"))
    sided = sum(n for i, n in stance.items() if STANCE_LABELS[i] != "none")
    labelers = ", ".join(f"`{name}`" for name, _ in grouped(kept, "stance_labeler")) or "none"
    targets = ", ".join(f"`{name}`" for name, _ in grouped(kept, "stance_target") if name) or "none"
    return ["### Labels", "",
            "`outlet` is who published the page: an id from the outlet registry (`conf/data/outlets.yaml`), with "
            "`outlet_name`, or `unknown`. `credit` is the agency or original outlet the text is credited to. "
            "Outlet-level facts never enter a document's stance.", "",
            f"`stance` is a `ClassLabel`: the document's stance toward the target in `stance_target` "
            f"(targets seen here: {targets}), set by the labeler in `stance_labeler` (here: {labelers}), with "
            "its confidence in `stance_score`.", "",
            table(["id", "stance", "meaning", "documents"],
                  [[i, name, STANCE_MEANING.get(name, ""), stance.get(i, 0)] for i, name in enumerate(STANCE_LABELS)]),
            "", f"{sided} of {kept.num_rows} documents ({sided / max(kept.num_rows, 1):.1%}) got a side (favor or "
            "against) toward their main target; every other document is `none`.", "",
            *target_stances(kept), *genres(kept), *label_quality(cfg or {})]


TOKEN_ROWS_SHOWN = 20


def tokens(stats: BuildResult) -> list[str]:
    """The token totals (builder/tokens.py), and which tokenizer counted them and why."""
    t = stats.tokens
    if not t or not t["tokenizer"]:
        return ["### Tokens", "", "Not counted: `tokens.tokenizer` was null, so `n_tokens` is empty.", ""]
    out = ["### Tokens", "",
           f"{t['total']:,} tokens in the kept documents (`n_tokens`, counted on the published text). Tokenizer: "
           f"{t['about']} (`tokens.tokenizer={t['tokenizer']}`). Arabic takes very different numbers of tokens "
           "under different tokenizers: count with your own model's by setting `tokens.tokenizer` to its "
           "tokenizer.json or hub name.", ""]
    for key, name in (("by_split", "split"), ("by_country", "country"), ("by_year", "year"), ("by_outlet", "outlet")):
        rows = list(t[key].items())
        out += [table([name, "tokens"], rows[:TOKEN_ROWS_SHOWN]), ""]
        if len(rows) > TOKEN_ROWS_SHOWN:
            out += [f"{len(rows) - TOKEN_ROWS_SHOWN} more in `stats.json` (`tokens.{key}`).", ""]
    return out


def decontamination(stats: BuildResult) -> list[str]:
    """Per evaluation set: where it came from, what was indexed, and the kept documents that matched it."""
    d = stats.decontamination
    if not d:
        return ["### Decontamination", "",
                "Not run: no evaluation set was configured (`decontaminate.sets`; the Arabic benchmarks by name "
                "are in `conf/data/eval_sets.yaml`).", ""]
    verb = "dropped (config `rejected`, stage `decontaminate`, reason `contaminated`, the set, split and n-gram in " \
        "`detail`)" if d["action"] == "drop" else "kept and tagged (the `contamination` column: set, split, " \
        "first n-gram and how many matched)"
    rows = [[s["name"], s["source"], split, c["items"], c["ngrams"], c["documents"]]
            for s in d["sets"] for split, c in s["splits"].items()]
    rows += [[s["name"], s["source"], "unavailable", "-", "-", "-"] for s in d["sets"] if s["unavailable"]]
    return ["### Decontamination", "",
            f"{d['checked']} documents were checked for the {d['ngram']}-word n-grams of the evaluation sets below, "
            "on the spelling-blind dedup key (hamza and alef forms, ta marbuta, diacritics, digits and "
            f"punctuation flattened); kept documents holding one were {verb}.", "",
            table(["set", "source", "split", "items", "n-grams", "kept documents matched"], rows), ""]


def personal_data(stats: BuildResult, cfg: dict) -> list[str]:
    """What the personal_data stage replaced, per kind: counts only, never a value."""
    notes = next((s.notes for s in stats.stages if s.stage == "personal_data"), None)
    if notes is None:
        return ["### Personal data", "", "Not replaced: the `personal_data` stage was not in `stages`.", ""]
    p = cfg["personal_data"]
    kinds = (("email", "emails", "email_replacement"), ("ip", "ips", "ipv4_replacement"),
             ("phone", "phones", "phone_replacement"))
    rows = [[kind, notes.get(f"replaced:{kind}", 0) if p[setting] else "off", f"`{p[placeholder]}`"]
            for kind, setting, placeholder in kinds]
    return ["### Personal data", "",
            "E-mail addresses and public IP addresses are replaced (as FineWeb-2 does), and phone numbers in the "
            "formats of the Arabic world when `personal_data.phones` is on, by placeholders reserved for "
            f"documentation (IPv6: `{p['ipv6_replacement']}`). Each replacement is a `personal_data.<kind>` span of "
            "`removed`, which holds what was replaced for audit; contact boxes (\"للتواصل مع الكاتب ...\") are cut "
            "whole by the `contact.*` cleaning rules. Replacements in every document the stage saw:", "",
            table(["kind", "replaced", "placeholder"], rows), ""]


def quality_signals(kept: pa.Table, cfg: dict) -> list[str]:
    """Each quality signal's distribution over the kept documents, beside the threshold the build applied."""
    if not kept.num_rows or kept["quality_signals"].null_count == kept.num_rows:
        return []
    limits, q = quality_thresholds(cfg["quality"]), [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]
    rows = [[name, limits.get(name, "") or "-",
             *(f"{v:.3g}" if v is not None else "-" for v in
               pc.quantile(pc.struct_field(kept["quality_signals"], name), q=q, interpolation="lower").to_pylist())]
            for name in QUALITY_SIGNALS]
    verdicts = grouped(pa.table({"verdict": kept["quality_verdict"]}), "verdict")
    tagged = [[v, n] for v, n in verdicts if v]
    return ["### Quality signals", "",
            "The FineWeb-2 values the quality stage compared, per kept document (`quality_signals`; the documents it "
            "dropped carry theirs in the `rejected` config): re-filter with `datasets.filter` on them instead of "
            "rebuilding.", "",
            table(["signal", "threshold", "min", "p5", "p25", "median", "p75", "p95", "max"], rows), "",
            *(["`quality.action=tag`: kept documents that failed a check, by `quality_verdict`:", "",
               table(["verdict", "documents"], tagged), ""] if tagged else [])]


def filters(cfg: dict) -> list[str]:
    """The language and quality thresholds this build applied."""
    rows = [[f"{group}.{k}", v] for group in ("language", "quality") for k, v in cfg[group].items()
            if not k.startswith("_")]
    return ["### Filters", "", "Language and quality thresholds (quality defaults are FineWeb-2's arb_Arab values):",
            "", table(["setting", "value"], rows), ""]


def package_versions() -> dict[str, str]:
    """Python, this builder and every runtime dependency it declares, as installed."""
    names = [re.match(r"[A-Za-z0-9_.-]+", r).group(0) for r in requires(DISTRIBUTION) or [] if "extra ==" not in r]
    versions = {"python": platform.python_version(), DISTRIBUTION: version(DISTRIBUTION)}
    for name in [*names, "huggingface_hub"]:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def reproducibility(cfg: dict, stats: BuildResult) -> list[str]:
    return ["### Reproducibility", "",
            "Package versions: " + ", ".join(f"{k} {v}" for k, v in package_versions().items()) + ".", "",
            f"Build fingerprint (hash of the data files): `{stats.fingerprint}`", "",
            "<details><summary>The composed config of this build (<code>build-corpus --cfg job</code>)</summary>",
            "", "```yaml", yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False).rstrip(), "```", "",
            "</details>", ""]


KEPT_COLUMNS = ["outlet", "outlet_evidence", "published", "n_words", "dup_count", "dup_outlets", "stance",
                "stance_target", "stance_labeler", "stances", "genre", "quality_signals", "quality_verdict"]


def computed_sections(cfg: dict, split_files: dict[str, list[Path]], rejected: list[Path],
                      stats: BuildResult) -> str:
    kept_files = [f for files in split_files.values() for f in files]
    kept = read(kept_files, KEPT_COLUMNS, FEATURES)
    return "\n".join([*overview(stats), *update_history(stats),
                      *rejections(rejected), *removed_spans(kept_files), *personal_data(stats, cfg),
                      *templates(stats, cfg),
                      *outlets(kept), *dates(kept), *lengths(kept), *tokens(stats), *clusters(kept, stats),
                      *decontamination(stats), *labels(kept, cfg), *llm_cost(stats, cfg),
                      *quality_signals(kept, cfg),
                      *filters(cfg), *reproducibility(cfg, stats)])


def write_card(cfg: dict, folder: Path, split_files: dict[str, list[Path]], rejected: list[Path],
               stats: BuildResult) -> None:
    metadata = card_metadata(cfg, split_files, rejected, stats)
    text = "---\n" + metadata.to_yaml() + "\n---\n\n" + human_card(cfg["write"]["card_file"]).strip() + "\n\n" + \
        computed_sections(cfg, split_files, rejected, stats) + "\n"
    check_card(text)
    (folder / "README.md").write_text(text, encoding="utf-8")
