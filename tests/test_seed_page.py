"""The page the project started from: two articles come out, clean, with their metadata."""

import json
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from builder.arabic import match_key
from conftest import SEED_PAGE, build

GOLD = json.loads((SEED_PAGE.parent / "iraq-news-page.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed") / "out"
    stats = build(SEED_PAGE, out, "quality.min_words=10", "split.train=1", "split.validation=0", "split.test=0")
    assert stats["totals"] == {"entered": 2, "kept": 2, "rejected": 0}
    rows = pq.read_table(next((out / "data").glob("train-*.parquet"))).to_pylist()
    return {r["title"]: r for r in rows}


@pytest.mark.parametrize("gold", GOLD["docs"], ids=["main", "read_also"])
def test_each_article_keeps_exactly_its_body(seed_docs, gold):
    doc = seed_docs[gold["title"]]
    assert doc["text"].split("\n\n") == gold["body"]
    for line in gold["boilerplate"]:
        assert match_key(line.strip()) not in match_key(doc["text"])


@pytest.mark.parametrize("gold", GOLD["docs"], ids=["main", "read_also"])
def test_metadata_comes_from_the_removed_lines(seed_docs, gold):
    doc = seed_docs[gold["title"]]
    assert doc["published"] == datetime.fromisoformat(gold["published"])
    if "updated" in gold:
        assert doc["updated"] == datetime.fromisoformat(gold["updated"])
    assert doc["dateline"] == gold["dateline"]
    assert doc["outlet"] == "almasalah"  # the disclaimer names the publishing site
    assert doc["outlet_evidence"] == "page"
    assert doc["credit"] == {"شبكة أخبار العراق": "aliraqnews", "المسلة": "almasalah"}[gold["credit"]]


def test_every_removed_span_is_audited_with_its_rule(seed_docs):
    main = seed_docs[GOLD["docs"][0]["title"]]
    rules = [r["rule"] for r in main["removed"]]
    assert rules == ["title.first_line", "published.label", "updated.label", "dateline.city_slash_source",
                     "credit.source_label"]
    second = seed_docs[GOLD["docs"][1]["title"]]
    assert {"read_also.heading", "disclaimer.not_necessarily", "author_box.wordpress"} <= {
        r["rule"] for r in second["removed"]}
