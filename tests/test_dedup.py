"""Exact and near duplicates across outlets: one copy kept, by policy, with who ran the story."""

import dataclasses
import random

import pyarrow.parquet as pq
import pytest

from builder.config import SplitConfig
from builder.dedup.buckets import BucketJob, run_buckets
from builder.dedup.clusters import ClusterJob, run_clusters
from builder.dedup.signatures import lsh_params
from builder.errors import BuildError
from builder.files import Layout
from builder.split import split_of
from conftest import SENTENCES, article, build, typed_config, write_jsonl


def story(rng: random.Random) -> str:
    return article(rng, 12)


def edited(text: str, rng: random.Random, n: int = 2) -> str:
    """A re-published copy: a few words changed, as an outlet's editor would."""
    words = text.split(" ")
    for i in rng.sample(range(len(words)), n):
        words[i] = rng.choice(["الجديد", "الكبير", "الحالي", "المقبل"])
    return " ".join(words)


def rows(out):
    return [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def rejects(out):
    return [r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


@pytest.fixture
def syndicated(tmp_path):
    rng = random.Random(3)
    wire = story(rng)
    records = [
        {"url": "https://youm7.com/a", "published": "2024-05-02T10:00:00", "text": "القاهرة - (أ ش أ) - " + wire},
        {"url": "https://elwatannews.com/b", "published": "2024-05-01T09:00:00", "text": edited(wire, rng)},
        {"url": "https://masrawy.com/c", "published": "2024-05-03T08:00:00",
         "text": edited(wire, rng) + "\n© جميع الحقوق محفوظة لموقع مصراوي 2024"},
        # the same story again, spelled without hamzas and with Arabic-Indic digits: an exact copy
        {"url": "https://youm7.com/a2", "published": "2024-05-02T11:00:00",
         "text": wire.replace("أ", "ا").replace("إ", "ا")},
    ]
    records += [{"url": f"https://shorouknews.com/{i}", "published": "2024-05-04T08:00:00", "text": story(rng)}
                for i in range(6)]
    return write_jsonl(tmp_path / "in" / "feed.jsonl", records)


def test_syndicated_copies_collapse_to_the_earliest_with_provenance(syndicated, tmp_path):
    out = tmp_path / "out"
    stats = build(syndicated, out)
    kept = rows(out)
    [cluster] = [r for r in kept if r["dup_count"] > 1]
    assert cluster["url"] == "https://elwatannews.com/b"  # published first
    assert cluster["dup_count"] == 4
    assert cluster["dup_outlets"] == ["elwatan", "masrawy", "youm7"]
    dropped = {r["url"]: r for r in rejects(out)}
    assert dropped["https://youm7.com/a2"]["reason"] == "exact_duplicate"
    assert {dropped[u]["reason"] for u in ("https://youm7.com/a", "https://masrawy.com/c")} == {"near_duplicate"}
    assert all(r["kept_id"] == cluster["id"] for r in dropped.values())
    assert stats["dedup"]["minhash"]["scheme"] == "affine32" and stats["dedup"]["minhash"]["library"]
    assert len(kept) == 7


def test_keep_policy_is_configurable(syndicated, tmp_path):
    out = tmp_path / "out"
    build(syndicated, out, "near_dup.keep=[outlet_priority,earliest]", "near_dup.outlet_priority=[masrawy]")
    [cluster] = [r for r in rows(out) if r["dup_count"] > 1]
    assert cluster["outlet"] == "masrawy"


def test_different_stories_sharing_phrases_stay_apart(tmp_path):
    """Two articles that share a sentence but not the story are not near-duplicates."""
    first = "\n".join(SENTENCES[0:12]) + "."
    second = "\n".join([SENTENCES[0], *SENTENCES[12:24]]) + "."
    records = [{"url": "https://youm7.com/1", "text": first}, {"url": "https://youm7.com/2", "text": second}]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out, "quality.min_line_punct_ratio=0")
    assert [r["dup_count"] for r in rows(out)] == [1, 1]


def test_copies_never_straddle_splits(tmp_path):
    rng = random.Random(11)
    records = []
    for s in range(40):
        text = story(rng)
        records += [{"url": f"https://youm7.com/{s}/{c}", "text": edited(text, rng, 1)} for c in range(3)]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out)
    split_of_row = {r["id"]: f.name.split("-")[0] for f in (out / "data").glob("*.parquet")
                    for r in pq.read_table(f, columns=["id"]).to_pylist()}
    assert len(split_of_row) == 40 and set(split_of_row.values()) == {"train", "validation", "test"}
    for r in rejects(out):  # every copy points at a kept document, and no copy is in any split
        assert r["kept_id"] in split_of_row and r["id"] not in split_of_row
    cfg = SplitConfig()
    assert {split_of(c, cfg) for c in ["x"] * 5} == {split_of("x", cfg)}


def test_bands_and_rows_follow_the_threshold():
    bands, rows = lsh_params(0.7, 128)
    assert bands * rows <= 128
    assert lsh_params(0.9, 128)[1] > rows  # a stricter threshold asks for longer bands


def test_resume_after_a_kill_between_dedup_stages(syndicated, tmp_path):
    build(syndicated, tmp_path / "clean")
    out = tmp_path / "out"
    build(syndicated, out)
    work = out / ".build" / "work"
    docs_written = (work / "docs" / "00000.parquet").stat().st_mtime_ns
    for marker in ["clusters", "final-00000"]:  # as if killed after the bucket stage
        (work / "done" / marker).unlink()
    (work / "dedup" / "decisions-00000.parquet").unlink()
    build(syndicated, out)
    assert (work / "docs" / "00000.parquet").stat().st_mtime_ns == docs_written  # not redone
    for f in (tmp_path / "clean").glob("*/*.parquet"):
        assert f.read_bytes() == (out / f.relative_to(tmp_path / "clean")).read_bytes()


def test_mismatched_stage_files_are_an_error(syndicated, tmp_path):
    out = tmp_path / "out"
    build(syndicated, out)
    layout = Layout(out)
    cfg = typed_config()
    other = dataclasses.replace(cfg.near_dup, num_perm=64)
    with pytest.raises(BuildError, match="other MinHash settings"):
        run_buckets(BucketJob(other, 0, 2, 1, layout))
    with pytest.raises(BuildError, match="missing"):
        run_clusters(ClusterJob(cfg.near_dup, cfg.exact, 3, 1, layout))  # a third bucket task that never ran
    with pytest.raises(BuildError, match="signed shards"):
        run_clusters(ClusterJob(cfg.near_dup, cfg.exact, 2, 2, layout))  # a shard count that does not match
