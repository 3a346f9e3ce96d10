"""Quality signals as columns: the values the quality checks compared, kept on every row, so a user re-filters
with `datasets.filter` instead of rebuilding; `quality.action=tag` keeps every document with its verdict."""

import random
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from builder.arabic import WORD, match_key
from builder.config import QualityConfig
from builder.document import Doc, Drop
from builder.schema import DUP_NGRAM_SIZES, QUALITY_SIGNALS, TOP_NGRAM_SIZES
from builder.stages.quality import QualityFilter
from conftest import SENTENCES, article, build, write_jsonl

C = QualityConfig()


def passes(s: dict) -> bool:
    """The default thresholds as a user writes them against the column (line_punct_ratio is off by default)."""
    return (s["stop_words"] >= C.min_stopwords
            and C.min_avg_word_length <= s["avg_word_length"] <= C.max_avg_word_length
            and s["alpha_words_ratio"] >= C.min_alpha_words_ratio
            and s["dup_line_frac"] <= C.max_duplicate_line_fraction
            and s["new_line_ratio"] <= C.max_new_line_ratio
            and all(s[f"top_{n}_gram_frac"] <= v for n, v in C.max_top_ngram_fraction.items())
            and all(s[f"dup_{n}_gram_frac"] <= v for n, v in C.max_duplicate_ngram_fraction.items()))


def doc(text: str) -> Doc:
    return Doc(id="d", source_file="f", text=text)


# 23 lines, 7 of them a repeat of the first: a duplicate-line fraction of 7/23 = 0.3043, just over 0.304
JUST_OVER_DUP_LINES = "\n".join([*SENTENCES[:16], *[SENTENCES[0]] * 7])
# 22 lines, 6 repeats: 0.2727, under it (the repeated sentence then fails a repetition check further on)
UNDER_DUP_LINES = "\n".join([*SENTENCES[:16], *[SENTENCES[0]] * 6])
NUMBERS = " ".join(f"{w} {n}" for w, n in zip(SENTENCES[2].split(), range(1990, 2100, 7), strict=False))
LIST = "\n".join(" ".join(s.split()[:4]) for s in SENTENCES)
LONG_WORDS = " ".join(["والاستثماراتالخارجية"] * 20 + SENTENCES[5].split())
SHORT = SENTENCES[3]


def test_a_document_just_over_a_threshold_shows_a_signal_over_it():
    drop = QualityFilter().process(doc(JUST_OVER_DUP_LINES))
    assert drop == Drop("duplicate_lines", "0.304 > 0.304")  # the detail rounds; the signal does not
    tagged = QualityFilter(QualityConfig(action="tag")).process(doc(JUST_OVER_DUP_LINES))
    assert tagged.quality_verdict == "duplicate_lines"
    assert tagged.quality_signals["dup_line_frac"] == 7 / 23 > C.max_duplicate_line_fraction
    under = QualityFilter(QualityConfig(action="tag")).process(doc(UNDER_DUP_LINES))
    assert under.quality_signals["dup_line_frac"] <= C.max_duplicate_line_fraction
    assert under.quality_verdict not in (None, "duplicate_lines")


@pytest.mark.parametrize("text", [JUST_OVER_DUP_LINES, UNDER_DUP_LINES, NUMBERS, LIST, LONG_WORDS,
                                  *(article(random.Random(seed)) for seed in range(5))])
def test_the_signals_are_what_the_checks_compared(text):
    """Re-applying the thresholds to the column keeps exactly what the stage kept."""
    tagged = QualityFilter(QualityConfig(action="tag")).process(doc(text))
    dropped = QualityFilter().process(doc(text))
    assert set(tagged.quality_signals) == set(QUALITY_SIGNALS)
    assert passes(tagged.quality_signals) == (tagged.quality_verdict is None) == isinstance(dropped, Doc)
    assert tagged.quality_verdict == (None if isinstance(dropped, Doc) else dropped.reason)


def by_definition(words: list[str], text_chars: int) -> dict[str, float]:
    """The n-gram signals as Gopher defines them, every n-gram of every size made and counted."""
    out = {}
    for n in (*TOP_NGRAM_SIZES, *DUP_NGRAM_SIZES):
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        if n in TOP_NGRAM_SIZES:
            top = Counter(grams).most_common(1)
            out[f"top_{n}_gram_frac"] = 0.0 if not top or top[0][1] <= 1 else \
                (sum(map(len, top[0][0])) + n - 1) * top[0][1] / text_chars
        else:
            seen, covered = set(), set()
            for i, gram in enumerate(grams):
                if gram in seen:
                    covered.update(range(i, i + n))
                seen.add(gram)
            out[f"dup_{n}_gram_frac"] = sum(len(words[j]) + 1 for j in covered) / text_chars
    return out


@pytest.mark.parametrize("text", [JUST_OVER_DUP_LINES, UNDER_DUP_LINES, LIST, NUMBERS,
                                  *(article(random.Random(seed)) for seed in range(3))])
def test_n_gram_signals_are_those_of_every_n_gram_counted(text):
    """The signals come from regrouping the repeated shorter n-grams (quality.repeated_ngrams), not from every
    n-gram of every size: they are the same numbers."""
    signals = QualityFilter(QualityConfig(action="tag")).process(doc(text)).quality_signals
    key = match_key(text)
    expected = by_definition(WORD.findall(key), len(key))
    assert {name: signals[name] for name in expected} == expected


def test_an_unknown_action_or_an_n_gram_without_a_column_fails_when_the_stage_is_built():
    with pytest.raises(ValueError, match=r"quality\.action"):
        QualityFilter(QualityConfig(action="flag"))
    with pytest.raises(ValueError, match=r"n=\[11\]"):
        QualityFilter(QualityConfig(max_duplicate_ngram_fraction={5: 0.165, 11: 0.1}))


# --- a build: drop (the default) against tag ----------------------------------------------------------------

PAGES = {"dup_lines": JUST_OVER_DUP_LINES, "numbers": NUMBERS, "list": LIST, "long_words": LONG_WORDS,
         "short": SHORT, **{f"good{i}": article(random.Random(100 + i)) for i in range(4)}}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("signals")
    pages = write_jsonl(tmp / "pages.jsonl", [
        {"title": f"خبر {name}", "url": f"https://{name.replace('_', '-')}.example/news/1", "text": text}
        for name, text in PAGES.items()])
    outs = {action: tmp / action for action in ("drop", "tag")}
    for action, out in outs.items():
        build(pages, out, f"quality.action={action}")
    return outs


def rows(out: Path, folder: str) -> dict[str, dict]:
    return {r["url"]: r for f in sorted((out / folder).glob("*.parquet")) for r in pq.read_table(f).to_pylist()}


def test_tag_keeps_every_document_with_the_verdict_drop_gave_and_the_same_signals(builds):
    dropped = {url: r for url, r in rows(builds["drop"], "rejected").items() if r["stage"] == "quality"}
    assert {r["reason"] for r in dropped.values()} >= {"duplicate_lines", "too_few_words"}
    tagged = rows(builds["tag"], "data")
    assert not [r for r in rows(builds["tag"], "rejected").values() if r["stage"] == "quality"]
    assert {url: r["quality_verdict"] for url, r in tagged.items() if r["quality_verdict"]} == \
        {url: r["reason"] for url, r in dropped.items()}
    assert all(tagged[url]["quality_signals"] == r["quality_signals"] for url, r in dropped.items())
    kept = rows(builds["drop"], "data")
    assert kept and all(r["quality_verdict"] is None and passes(r["quality_signals"]) for r in kept.values())


def test_load_dataset_reads_the_signals_and_a_user_refilters_without_rebuilding(builds):
    tagged = datasets.concatenate_datasets(list(datasets.load_dataset(str(builds["tag"])).values()))
    assert tagged.features["quality_signals"]["dup_line_frac"] == datasets.Value("float64")
    clean = tagged.filter(lambda r: r["quality_signals"]["dup_line_frac"] <= 0.304 and r["quality_verdict"] is None)
    kept = rows(builds["drop"], "data")
    assert sorted(clean["url"]) == sorted(kept)
    rejected = datasets.load_dataset(str(builds["drop"]), "rejected")["train"]
    over = rejected.filter(lambda r: r["reason"] == "duplicate_lines")
    assert [r["quality_signals"]["dup_line_frac"] > 0.304 for r in over] == [True]
