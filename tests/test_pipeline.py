"""End to end: input folder in, a Hub-shaped dataset out that `load_dataset` reads, nothing lost."""

import json
import random
import subprocess

import datasets
import pyarrow.parquet as pq
import pytest

from builder.schema import FEATURES, REJECTED_FEATURES
from conftest import article, build, cli, write_jsonl


def make_corpus(root, rng, files=12, per_file=10):
    for f in range(files):
        write_jsonl(root / f"feed-{f:02d}.jsonl", [
            {"url": f"https://youm7.com/story/{f}/{i}", "title": f"خبر رقم {i} من الملف {f}",
             "published": f"2024-0{1 + i % 9}-1{f % 10}T08:00:00", "text": article(rng)}
            for i in range(per_file)
        ])
    return root


def parquet_bytes(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Twelve files of ten articles built once: (input folder, output folder, stats). Read only."""
    root = tmp_path_factory.mktemp("pipeline")
    src = make_corpus(root / "in", random.Random(7))
    return src, root / "out", build(src, root / "out")


def test_load_dataset_round_trip_with_declared_features(built, tmp_path):
    _, out, stats = built
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "validation", "test"}
    assert ds["train"].features == FEATURES
    assert sum(len(ds[s]) for s in ds) == stats["totals"]["kept"] == 120
    row = ds["train"][0]
    assert row["lang"] == "ar" and row["outlet"] == "youm7" and row["outlet_evidence"] == "url"
    assert row["published"].year == 2024
    assert pq.read_schema(next((out / "data").glob("train-*"))).metadata[b"huggingface"]


def test_rejected_config_holds_every_dropped_document(tmp_path, rng):
    src = make_corpus(tmp_path / "in", rng, files=2)
    text = article(rng)
    write_jsonl(src / "bad.jsonl", [
        '{"url": "https://sabq.org/x", "text": "بداية خبر مقطوع',   # malformed JSON
        {"url": "https://sabq.org/y", "title": "خبر", "text": 12345},  # wrong type
        {"url": "https://sabq.org/z", "text": "   "},                   # empty
        {"url": "https://sabq.org/w", "title": "عنوان فقط"},            # no text
        ["not", "a", "record"],
        {"url": "https://sabq.org/a", "text": text},
        {"url": "https://sabq.org/b", "text": text},                    # exact copy
        {"url": "https://sabq.org/c", "text": "Cairo traffic eased on Sunday. " * 20},
    ])
    (src / "binary.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    (src / "blank.html").write_text("  \n ")
    out = tmp_path / "out"
    stats = build(src, out)
    rejected = datasets.load_dataset(str(out), "rejected", cache_dir=str(tmp_path / "cache"))["train"]
    assert rejected.features == REJECTED_FEATURES
    reasons = {(r["stage"], r["reason"]) for r in rejected}
    assert {("read", "malformed_json"), ("read", "bad_field_type"), ("read", "empty"), ("read", "no_text"),
            ("read", "not_an_object"), ("read", "undecodable"), ("exact", "exact_duplicate"),
            ("language", "lang_en")} <= reasons
    copy = next(r for r in rejected if r["reason"] == "exact_duplicate")
    assert copy["kept_id"]
    assert stats["totals"]["entered"] == stats["totals"]["kept"] + len(rejected)


def test_every_stage_accounts_for_its_input(built):
    _, out, _ = built
    stats = json.loads((out / "stats.json").read_text())
    for s in stats["stages"]:
        assert s["in"] + s["added"] == s["out"] + sum(s["dropped"].values()), s
    names = [s["stage"] for s in stats["stages"]]
    assert names == ["read", "extract", "repair", "segment", "clean", "personal_data", "metadata", "language",
                     "quality", "label", "exact", "near_dup"]
    # where the wall time went, phase by phase, serial ones included
    assert list(stats["phase_seconds"]) == ["documents", "site templates: site evidence", "site templates: sites",
                                            "site templates: counts", "site templates: merge",
                                            "site templates", "site templates: cut", "signatures", "exact copies",
                                            "near-dup buckets", "clusters", "finalize", "write"]
    assert sum(stats["phase_seconds"].values()) <= stats["seconds"]


@pytest.mark.slow
def test_two_builds_of_the_same_input_are_byte_identical(built, tmp_path):
    src, out, _ = built
    build(src, tmp_path / "b", "executor.workers=2", "input.files_per_shard=1")
    a, b = parquet_bytes(out), parquet_bytes(tmp_path / "b")
    assert a and a == b


def test_rebuilding_in_place_loads_the_new_rows(tmp_path, rng):
    """Same folder, same row counts, other rows: `datasets` must not serve the first build from its cache."""
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    build(make_corpus(tmp_path / "one", rng, files=2), out)
    first = datasets.load_dataset(str(out), cache_dir=cache)
    build(make_corpus(tmp_path / "two", rng, files=2), out)
    second = datasets.load_dataset(str(out), cache_dir=cache)
    assert [len(first[s]) for s in first] == [len(second[s]) for s in second]
    assert set(first["train"]["text"]).isdisjoint(second["train"]["text"])
    assert set(second["train"]["text"]) == set(pq.read_table(next((out / "data").glob("train-*")))["text"].to_pylist())


@pytest.mark.slow
def test_bad_paths_fail_at_once_with_one_line(tmp_path):
    missing = subprocess.run(cli(f"input.path={tmp_path}/nope", f"output.path={tmp_path}/out"),
                             capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"build-corpus: error: input path not found: {tmp_path}/nope"
    (tmp_path / "file").write_text("x")
    unwritable = subprocess.run(cli(f"output.path={tmp_path}/file/out"), capture_output=True, text=True)
    assert unwritable.returncode == 2
    assert unwritable.stderr.count("\n") == 1 and "cannot write to output folder" in unwritable.stderr


def test_a_folder_not_made_by_the_builder_is_never_overwritten(tmp_path, rng):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("...")
    with pytest.raises(Exception, match="not made by build-corpus"):
        build(make_corpus(tmp_path / "in", rng, files=1), out)
    assert (out / "thesis.tex").exists()


def test_warc_responses_are_pages_and_other_records_are_counted(tmp_path, rng):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "in" / "crawl.warc.gz"
    path.parent.mkdir()
    body = "".join(f"<p>{p}</p>" for p in article(rng).split("\n"))
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri, kind, payload in [
            ("https://sabq.org/news/1", "text/html; charset=utf-8",
             f"<html><head><title>خبر</title></head><body><article><h1>عنوان الخبر</h1>{body}</article></body></html>"),
            ("https://sabq.org/logo.png", "image/png", "\x89PNG"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(payload.encode()),
                                                          http_headers=headers))
    out = tmp_path / "out"
    stats = build(path, out)
    [row] = [r for f in (out / "data").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert row["url"] == "https://sabq.org/news/1" and row["outlet"] == "sabq"
    assert stats["rejected_by"] == {"read/not_a_page": 1}


def test_a_dedup_only_build_runs_without_document_stages(tmp_path, rng):
    out = tmp_path / "out"
    stats = build(make_corpus(tmp_path / "in", rng, files=2), out, "stages=[]")
    assert [s["stage"] for s in stats["stages"]] == ["read", "exact", "near_dup"]
    assert stats["totals"]["kept"] == 20 and "0 of 20 documents have a known outlet" in (out / "README.md").read_text()
