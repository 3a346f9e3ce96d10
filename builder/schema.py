"""The one place that declares what the corpus and its rejects look like.

Everything that writes or reads rows (stages, the writer, the card) derives its Arrow schema from these
`datasets.Features`, so the Parquet metadata, the card's `dataset_info` and `load_dataset` agree.
"""

from __future__ import annotations

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

STANCE_LABELS = ["none", "favor", "against"]
SPLITS = ("train", "validation", "test")

# One struct, not flat columns: the signals travel and are filtered together (r["quality_signals"]["dup_line_frac"]),
# and each field is still its own Parquet column. stop_words is a count (FineWeb-2 compares a count); the rest are
# fractions of words, lines or characters; top_n_gram_frac for n 2-4 and dup_n_gram_frac for 5-10, FineWeb-2's n.
TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = tuple(range(5, 11))
QUALITY_SIGNALS = {
    "stop_words": Value("int32"),
    "avg_word_length": Value("float64"),
    "alpha_words_ratio": Value("float64"),
    "arabic_letter_ratio": Value("float64"),  # Arabic-script letters over all letters (no threshold)
    "dup_line_frac": Value("float64"),
    "line_punct_ratio": Value("float64"),
    "new_line_ratio": Value("float64"),
    **{f"top_{n}_gram_frac": Value("float64") for n in TOP_NGRAM_SIZES},
    **{f"dup_{n}_gram_frac": Value("float64") for n in DUP_NGRAM_SIZES},
}

FEATURES = Features(
    {
        "id": Value("string"),
        "text": Value("large_string"),
        "title": Value("string"),
        "url": Value("string"),
        "outlet": Value("string"),
        "outlet_name": Value("string"),
        "outlet_evidence": Value("string"),
        "outlet_candidates": List(Value("string")),  # what the evidence named when the outlet is unknown
        "outlet_country": Value("string"),
        "outlet_facts": List({"fact": Value("string"), "value": Value("string"), "source": Value("string")}),
        "credit": Value("string"),
        "byline": Value("string"),
        "dateline": Value("string"),
        "published": Value("timestamp[s]"),
        "updated": Value("timestamp[s]"),
        "lang": Value("string"),
        "lang_score": Value("float32"),
        # the quality stage's FineWeb-2 signals, the values its checks compared (float64: a value just over a threshold
        # reads over it), and the check a document failed (null: none; set on kept rows when quality.action=tag)
        "quality_signals": QUALITY_SIGNALS,
        "quality_verdict": Value("string"),
        "n_words": Value("int32"),
        "n_tokens": Value("int32"),  # by tokens.tokenizer, counted in finalize on the published text (null: off)
        "dup_cluster": Value("string"),
        "dup_count": Value("int32"),
        "dup_outlets": List(Value("string")),
        "dup_versions": Value("int32"),  # versions of the kept page's article merged into it (1: no other)
        # news, opinion, analysis or unknown (builder/stance/genre.py) and what decided it
        "genre": Value("string"),
        "genre_evidence": List(Value("string")),
        "stance": ClassLabel(names=STANCE_LABELS),
        "stance_score": Value("float32"),
        "stance_target": Value("string"),
        "stance_labeler": Value("string"),
        "stance_evidence": List(Value("string")),
        # every configured target the document mentions: its stance (a STANCE_LABELS name), the calibrated score,
        # the outlet-voice evidence, and what quoted people said of it ("who said what", never the stance)
        "stances": List({"target": Value("string"), "stance": Value("string"), "score": Value("float32"),
                         "evidence": List(Value("string")), "quoted": List(Value("string"))}),
        # every span the cleaning cut; detail: what matched beyond the rule id (a site template's line shape)
        "removed": List({"rule": Value("string"), "text": Value("string"), "detail": Value("string")}),
        # evaluation sets the document shares a word n-gram with (decontaminate.action=tag): per set and split, the
        # first n-gram matched (on the dedup key) and how many matched
        "contamination": List({"set": Value("string"), "split": Value("string"), "ngram": Value("string"),
                               "ngrams": Value("int32")}),
        "source_file": Value("string"),
    }
)

REJECTED_FEATURES = Features(
    {
        "id": Value("string"),
        "stage": Value("string"),
        "reason": Value("string"),
        "detail": Value("string"),
        "kept_id": Value("string"),
        "source_file": Value("string"),
        "url": Value("string"),
        "title": Value("string"),
        "outlet": Value("string"),
        "text": Value("large_string"),
        "quality_signals": QUALITY_SIGNALS,  # a document the quality stage dropped keeps what it measured
    }
)

# Columns the signature phase adds for the cluster task's keep policy; they never reach the published corpus. The
# signatures, match hashes and keys the dedup tasks compare are arrays of their own (builder/dedup/pages.py).
DEDUP_FIELDS = {"n_chars": pa.int64()}

# Filled by dedup and split, after the per-shard document stages.
LATE_FIELDS = ("dup_cluster", "dup_count", "dup_outlets", "dup_versions")
# Passed between the phases, never published: the outlet the input record named and the site name the page's markup
# gives (each a site for the templates).
WORK_ONLY_FIELDS = {"outlet_hint": pa.string(), "site_name": pa.string()}
# What the document phase writes for each kept document: `Doc.row()`.
WORK_COLUMNS = tuple(name for name in FEATURES if name not in LATE_FIELDS) + tuple(WORK_ONLY_FIELDS)


# A judged candidate pair of the bucket tasks (row numbers over all signed shards, in shard order).
PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("relation", pa.string()),
                         ("similarity", pa.float32()), ("containment", pa.float32())])
# The cluster task's verdict on each document: kept or dropped (by which stage, why, for which kept id), and
# the late columns a kept document carries.
DECISION_SCHEMA = pa.schema([
    ("id", pa.string()), ("keep", pa.bool_()), ("stage", pa.string()), ("reason", pa.string()),
    ("kept_id", pa.string()), *(FEATURES.arrow_schema.field(name) for name in LATE_FIELDS),
])


# The template phase: a shape's page count per site and zone (lead or bottom edge) in one shard, with an example
# line, the distinct lines seen (hashes) and its words; and what the learning task decided.
COUNT_SCHEMA = pa.schema([("site", pa.string()), ("zone", pa.string()), ("shape", pa.string()),
                          ("pages", pa.int64()), ("example", pa.string()), ("lines", pa.list_(pa.int64())),
                          ("words", pa.int32())])
# The same counts merged over the shards, one file per share of the sites: the example is the number of the shard
# whose counts hold it (builder/templates/counts.py: merge).
MERGED_COUNT_SCHEMA = pa.schema([pa.field("example_shard", pa.int64()) if f.name == "example" else f
                                 for f in COUNT_SCHEMA])
LEARNED_SCHEMA = pa.schema([("site", pa.string()), ("zone", pa.string()), ("shape", pa.string()),
                            ("pages", pa.int64()), ("site_pages", pa.int64()), ("example", pa.string())])


def arrow_schema(features: Features = FEATURES) -> pa.Schema:
    """Arrow schema with the Features stored in its metadata, as `datasets` writes and reads it."""
    return features.arrow_schema


def rejects_table(rows: list[dict]) -> pa.Table:
    """Reject rows as written by every phase that drops documents."""
    return pa.Table.from_pylist(rows, schema=arrow_schema(REJECTED_FEATURES))


def final_schema() -> pa.Schema:
    """Kept rows after finalize: the corpus columns plus the split the writer files them under."""
    return arrow_schema().append(pa.field("split", pa.string()))


def work_schema() -> pa.Schema:
    """Schema of the rows the document phase writes: the corpus columns less the late ones, plus the work-only."""
    corpus = FEATURES.arrow_schema
    return pa.schema([corpus.field(name) if name in FEATURES else pa.field(name, WORK_ONLY_FIELDS[name])
                      for name in WORK_COLUMNS])
