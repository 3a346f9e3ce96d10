"""A corpus that grows: a rerun on a folder that gained a file, and `update=true` with only the new batch, process
the new documents alone, dedup them against the whole corpus and rewrite only the output files whose rows changed,
with the same corpus as a full rebuild of every input.

The feed, by day: day 1 holds a wire story, an article and unrelated stories; day 2 a later syndicated copy of the
wire story (dropped, pointing to day 1's page) and a newer version of the article (it replaces day 1's); day 3
unrelated stories only (no older row changes).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
from hub_server import HubServer
from huggingface_hub.hf_api import RepoFile
from test_publish import TOKEN, local_files, publish

from builder.dedup.clusters import anchors
from builder.errors import BuildError
from builder.executor import LocalExecutor, Task
from builder.files import Layout
from builder.phases.inputs import plan_inputs
from builder.publish import Upload, unchanged
from conftest import article, build, typed_config, write_jsonl

# token counts are not what these tests are about; three splits of a third each, so a move would show
FAST = ("tokens.tokenizer=null", "split.train=0.34", "split.validation=0.33", "split.test=0.33")
TITLE = "الحكومة تعلن خطة جديدة للنقل العام في العاصمة"


def edited(text: str, rng: random.Random, n: int = 2) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), n):
        words[i] = rng.choice(["الجديد", "الكبير", "الحالي", "المقبل"])
    return " ".join(words)


def days() -> dict[str, list[dict]]:
    rng = random.Random(5)
    wire, versioned = article(rng, 12), article(rng, 12)
    others = [article(rng, 12) for _ in range(9)]
    return {
        "day1.jsonl": [
            {"url": "https://elwatannews.com/wire", "published": "2024-05-01T09:00:00", "text": wire},
            {"url": "https://www.youm7.com/story/0", "title": TITLE, "published": "2024-05-01T10:00:00",
             "text": edited(versioned, rng)},
            *({"url": f"https://shorouknews.com/{i}", "published": "2024-05-01T12:00:00", "text": others[i]}
              for i in range(4))],
        "day2.jsonl": [
            {"url": "https://masrawy.com/copy", "published": "2024-05-02T08:00:00", "text": edited(wire, rng)},
            {"url": "https://www.youm7.com/story/1", "title": TITLE, "published": "2024-05-02T10:00:00",
             "text": edited(versioned, rng)},
            *({"url": f"https://almasryalyoum.com/{i}", "published": "2024-05-02T12:00:00", "text": others[i]}
              for i in range(4, 6))],
        "day3.jsonl": [{"url": f"https://akhbarelyom.com/{i}", "published": "2024-05-03T12:00:00", "text": others[i]}
                       for i in range(6, 9)],
    }


def feed(folder, *names: str):
    for name in names:
        write_jsonl(folder / name, days()[name])
    return folder


def rows(out) -> dict[str, dict]:
    return {r["id"]: r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()}


def rejects(out) -> dict[str, dict]:
    return {r["id"]: r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()}


def splits(out) -> dict[str, str]:
    return {r["id"]: f.name.split("-")[0] for f in (out / "data").glob("*.parquet")
            for r in pq.read_table(f, columns=["id"]).to_pylist()}


def output_bytes(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("[dr]*/*.parquet"))}


def incremental(out) -> dict:
    return json.loads((out / "stats.json").read_text())["incremental"]


def by_url(table: dict[str, dict]) -> dict[str, dict]:
    return {r["url"]: r for r in table.values()}


# --- the plan and the keys, without a build ----------------------------------------------------------------

def test_files_added_to_the_input_form_new_shards_and_no_earlier_shard_changes(tmp_path):
    src, layout = tmp_path / "in", Layout(tmp_path / "out")
    cfg = typed_config(f"input.path={src}", "input.shard_bytes=3000")
    for name in ("b.jsonl", "d.jsonl"):
        write_jsonl(src / name, days()["day1.jsonl"])
    first, _ = plan_inputs(cfg, src, layout)
    write_jsonl(src / "a.jsonl", days()["day2.jsonl"])  # sorts first: a fresh plan would renumber every shard
    again, _ = plan_inputs(cfg, src, layout)
    n = len(first.shards)
    assert again.shards[:n] == first.shards and n > 1
    assert {p.file for s in again.shards[n:] for p in s.pieces} == {"a.jsonl"} and set(again.batch_of[n:]) == {1}
    assert plan_inputs(cfg, src, layout)[0].shards == again.shards  # nothing new: the same plan
    (src / "d.jsonl").write_text("")  # a planned file changed: the plan starts over
    assert plan_inputs(cfg, src, layout)[0].batch_of == [0] * len(plan_inputs(cfg, src, layout)[0].shards)


def test_a_task_runs_again_when_its_key_changed_and_not_otherwise(tmp_path):
    ran = []
    with LocalExecutor() as executor:
        for key in ("a", "a", "b"):
            executor.run([Task("t", ran.append, key, key)], tmp_path, "phase")
    assert ran == ["a", "b"]


def test_a_split_is_drawn_for_the_first_member_of_a_cluster_in_input_order():
    keeper = np.array([0, 1, 1, 0, 4, 1])  # cluster kept by doc 1 holds docs 1, 2, 5; cluster 0 docs 0, 3
    assert anchors(keeper).tolist() == [0, 1, 1, 0, 4, 1]
    keeper = np.array([3, 1, 3, 3])  # a later document (3) became the kept page: the anchor stays the first (0)
    assert anchors(keeper).tolist() == [0, 1, 0, 0]


def test_publish_skips_a_file_the_hub_holds_with_the_same_bytes(tmp_path):
    shard, card = tmp_path / "train-00000.parquet", tmp_path / "README.md"
    shard.write_bytes(b"PAR1 rows")
    card.write_text("card")
    upload, note = Upload("data/train-00000.parquet", shard, 9), Upload("README.md", card, 4)
    lfs = {"size": 9, "oid": hashlib.sha256(b"PAR1 rows").hexdigest(), "pointerSize": 134}
    assert unchanged(upload, RepoFile(path=upload.path, size=9, oid="x", lfs=lfs))
    assert not unchanged(upload, RepoFile(path=upload.path, size=9, oid="x", lfs={**lfs, "oid": "0" * 64}))
    assert not unchanged(upload, None)
    oid = hashlib.sha1(b"blob 4\0card").hexdigest()
    assert unchanged(note, RepoFile(path="README.md", size=4, oid=oid))
    assert not unchanged(note, RepoFile(path="README.md", size=4, oid="0" * 40))


# --- builds ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """One folder built on day 1, rerun after day 2 was added, then after day 3: the output after each run, and a
    copy of the output folder after each (after-1, after-2, after-3)."""
    root = tmp_path_factory.mktemp("grown")
    src, out = feed(root / "in", "day1.jsonl"), root / "out"
    found = []
    for day in ("day2.jsonl", "day3.jsonl", None):
        build(src, out, *FAST)
        found.append({"rows": rows(out), "rejects": rejects(out), "bytes": output_bytes(out), "splits": splits(out),
                      "incremental": incremental(out), "stats": json.loads((out / "stats.json").read_text())})
        shutil.copytree(out, root / f"after-{len(found)}")
        if day:
            feed(src, day)
    return root, found


@pytest.mark.slow  # whole builds, in this process
def test_a_rerun_after_a_file_is_added_processes_only_the_new_shard(grown):
    _, (first, second, third) = grown
    n1, n2, n3 = (run["stats"]["input"]["shards"] for run in (first, second, third))
    assert first["incremental"]["tasks"]["documents"] == [n1, 0] and n1 == 1
    assert second["incremental"]["tasks"]["documents"] == [n2 - n1, n1]  # day 2's shards run, day 1's reused
    assert third["incremental"]["tasks"]["documents"] == [n3 - n2, n2]
    assert n2 - n1 == 4  # a small batch is cut in input.piece_multiple shards: every worker has a share
    assert second["incremental"]["tasks"]["signatures"][1] == n1 and second["incremental"]["batches"] == 2
    assert third["stats"]["totals"]["entered"] == 13 == third["stats"]["totals"]["kept"] + third["stats"][
        "totals"]["rejected"]  # nothing lost


@pytest.mark.slow  # whole builds, in this process
def test_a_syndicated_copy_arriving_later_is_dropped_pointing_to_the_old_page(grown):
    _, (first, second, _) = grown
    old = by_url(first["rows"])["https://elwatannews.com/wire"]
    copy = by_url(second["rejects"])["https://masrawy.com/copy"]
    assert (copy["reason"], copy["kept_id"]) == ("near_duplicate", old["id"])
    kept = second["rows"][old["id"]]
    assert kept["dup_count"] == 2 and kept["dup_outlets"] == ["elwatan", "masrawy"]


@pytest.mark.slow  # whole builds, in this process
def test_a_newer_version_arriving_later_replaces_the_old_one_and_its_file_is_rewritten(grown):
    _, (first, second, _) = grown
    old = by_url(first["rows"])["https://www.youm7.com/story/0"]
    newer = by_url(second["rows"])["https://www.youm7.com/story/1"]
    assert old["id"] not in second["rows"]
    assert (second["rejects"][old["id"]]["reason"], second["rejects"][old["id"]]["kept_id"]) == \
        ("edited_version", newer["id"])
    assert newer["dup_versions"] == 2
    written = second["incremental"]["written"]
    assert "rejected/train-00000.parquet" in written and "rejected/train-00001.parquet" in written  # old and new
    history = second["stats"]["updates"]
    assert [(b["batch"], b["documents"], b["dropped_as_copies_of_older"], b["replaced_older"]) for b in history] == \
        [(0, 6, 0, 0), (1, 4, 1, 1)]


@pytest.mark.slow  # whole builds, in this process
def test_old_files_stay_byte_identical_when_no_decision_about_their_rows_changed(grown):
    _, (_, second, third) = grown
    assert sorted(third["incremental"]["written"]) == sorted(p for p in third["bytes"] if p.endswith("-00002.parquet"))
    for path, content in second["bytes"].items():
        assert third["bytes"][path] == content
    assert set(third["incremental"]["kept"]) == set(second["bytes"])


@pytest.mark.slow  # whole builds, in this process
def test_splits_are_stable_as_the_corpus_grows(grown):
    _, (first, second, third) = grown
    for before, after in ((first, second), (second, third)):
        assert all(after["splits"].get(i, s) == s for i, s in before["splits"].items() if i in after["splits"])
    old = by_url(first["rows"])["https://www.youm7.com/story/0"]
    newer = by_url(second["rows"])["https://www.youm7.com/story/1"]
    assert second["splits"][newer["id"]] == first["splits"][old["id"]]  # the new version joins its cluster's split


@pytest.mark.slow  # whole builds, in this process
def test_an_update_equals_a_full_rebuild(grown, tmp_path):
    root, (_, _, third) = grown
    out = tmp_path / "full"
    build(root / "in", out, *FAST)
    assert rows(out) == third["rows"] and rejects(out) == third["rejects"]


@pytest.mark.slow  # whole builds, in this process
def test_update_with_only_the_new_batch_and_a_batch_added_twice(grown, tmp_path):
    _, (_, second, _) = grown
    out = tmp_path / "out"
    build(feed(tmp_path / "b1", "day1.jsonl"), out, *FAST)
    shutil.rmtree(tmp_path / "b1")  # the earlier input is gone: the build keeps what it needs in .build/
    build(feed(tmp_path / "b2", "day2.jsonl"), out, "update=true", *FAST)
    assert rows(out) == second["rows"] and rejects(out) == second["rejects"]
    before = output_bytes(out)
    build(tmp_path / "b2", out, "update=true", *FAST)  # again: recognised by content, nothing added
    assert incremental(out)["batches"] == 2 and incremental(out)["written"] == []
    assert output_bytes(out) == before
    with pytest.raises(BuildError, match=r"its input .* is gone"):  # documents to redo need their input
        build(tmp_path / "b2", out, "update=true", "quality.min_words=12", *FAST)


@pytest.mark.slow  # whole builds, in this process
def test_a_kill_in_the_middle_of_an_update_then_a_rerun_gives_the_bytes_of_an_uninterrupted_one(
        grown, tmp_path, monkeypatch):
    root, (_, second, _) = grown
    out = tmp_path / "out"
    shutil.copytree(root / "after-1", out)
    run = LocalExecutor._run_pending

    def killed_in_dedup(self, pending):
        if pending and pending[0].name.startswith("buckets"):
            raise KeyboardInterrupt
        return run(self, pending)

    monkeypatch.setattr(LocalExecutor, "_run_pending", killed_in_dedup)
    with pytest.raises(KeyboardInterrupt):
        build(feed(tmp_path / "b2", "day2.jsonl"), out, "update=true", *FAST)
    monkeypatch.setattr(LocalExecutor, "_run_pending", run)
    build(tmp_path / "b2", out, "update=true", *FAST)
    assert output_bytes(out) == second["bytes"]


@pytest.mark.slow  # a build, and publish-corpus in processes of its own
def test_publishing_an_update_uploads_only_the_files_that_changed(grown, tmp_path):
    root, _ = grown
    out = tmp_path / "out"
    shutil.copytree(root / "after-2", out)
    with HubServer(TOKEN) as hub:
        assert publish(hub, tmp_path, out, "--repo-id", "org/news").returncode == 0
        before, commits = hub.files("org/news"), len(hub.committed)
        build(feed(tmp_path / "b3", "day3.jsonl"), out, "update=true", *FAST)
        result = publish(hub, tmp_path, out, "--repo-id", "org/news")
        assert result.returncode == 0, result.stderr
        sent = sorted(p for c in hub.committed[commits:] for p in c)
        changed = sorted(p for p, content in hub.files("org/news").items() if before.get(p) != content)
        assert sent == changed == sorted([*incremental(out)["written"], "README.md", "stats.json"])
        assert all(p.endswith("-00002.parquet") for p in incremental(out)["written"])  # the new batch's files
        assert {p: c for p, c in hub.files("org/news").items() if p != ".gitattributes"} == local_files(out)
