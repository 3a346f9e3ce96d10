"""Reading a real scrape: one big file uses every worker, damaged pages are kept, junk leaves a reason."""

import gzip
import itertools
import json
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from builder.config import InputConfig
from builder.dates import date_parser
from builder.document import Doc
from builder.readers import Piece, balanced_cuts, decode, plan_shards, read_shard
from builder.stats import StageStats
from conftest import article, build, write_jsonl

ARABIC = "أعلنت وزارة النقل عن افتتاح خط جديد للحافلات يربط وسط المدينة بالأحياء الشرقية"


def parquet_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


def read_all(path: Path, **settings) -> tuple[list[Doc], list[dict], StageStats]:
    config = InputConfig(**settings)
    shards, _ = plan_shards(path, config)
    stats, rejects, docs = StageStats("read"), [], []
    for shard in shards:
        docs += read_shard(shard, path, config, stats, rejects)
    return docs, rejects, stats


def records(rng, n: int) -> list[dict]:
    return [{"url": f"https://sabq.org/news/{i}", "title": f"خبر {i}", "text": article(rng)} for i in range(n)]


# --- shards by size -------------------------------------------------------------------------------------

def test_one_big_jsonl_file_is_cut_into_pieces_at_line_starts(tmp_path, rng):
    path = write_jsonl(tmp_path / "feed.jsonl", records(rng, 200))
    shards, _ = plan_shards(path, InputConfig(shard_bytes=20_000))
    assert len(shards) > 5
    assert [s.pieces[0].start for s in shards] == sorted({s.pieces[0].start for s in shards})
    docs, rejects, _ = read_all(path, shard_bytes=20_000)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(200)] and not rejects


def test_a_gzipped_file_is_cut_too_and_read_to_the_same_records(tmp_path, rng):
    plain = write_jsonl(tmp_path / "a" / "feed.jsonl", records(rng, 100))
    packed = tmp_path / "b" / "feed.jsonl.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(plan_shards(packed, InputConfig(shard_bytes=10_000))[0]) > 3
    docs_plain, _, _ = read_all(plain, shard_bytes=10_000)
    docs_packed, _, _ = read_all(packed, shard_bytes=10_000)
    assert [d.text for d in docs_packed] == [d.text for d in docs_plain] and len(docs_plain) == 100


def test_parquet_is_cut_by_row_groups(tmp_path, rng):
    path = tmp_path / "feed.parquet"
    pq.write_table(pa.Table.from_pylist(records(rng, 90)), path, row_group_size=10)
    shards, _ = plan_shards(path, InputConfig(shard_bytes=15_000))
    assert len(shards) > 2 and all(p.start % 10 == 0 for s in shards for p in s.pieces)
    docs, _, _ = read_all(path, shard_bytes=15_000)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(90)]


def test_a_warc_is_cut_at_record_boundaries(tmp_path, rng):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(40):
            html = f"<html><body><article><h1>خبر {i}</h1><p>{article(rng)}</p></article></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://sabq.org/news/{i}", "response",
                                                          payload=BytesIO(html.encode()), http_headers=headers))
    shards, _ = plan_shards(path, InputConfig(shard_bytes=4_000))
    assert len(shards) > 3 and shards[1].pieces[0].offset > 0
    docs, _, _ = read_all(path, shard_bytes=4_000)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(40)]


def test_one_big_file_is_cut_into_equal_pieces_a_multiple_of_piece_multiple(tmp_path, rng):
    plain = write_jsonl(tmp_path / "a" / "feed.jsonl", records(rng, 300))
    size = plain.stat().st_size  # about 11 shards of 20 kB: 12 pieces, as 2 or 4 workers share them evenly
    packed = tmp_path / "b" / "feed.jsonl.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for multiple in (1, 2, 4, 12):
        config = InputConfig(shard_bytes=size // 10 - 500, piece_multiple=multiple)
        shards, _ = plan_shards(plain, config)
        assert len(shards) % multiple == 0 and len(shards) >= 11
        offsets = [s.pieces[0].offset for s in shards] + [size]
        sizes = [b - a for a, b in itertools.pairwise(offsets)]
        assert max(sizes) - min(sizes) < 2 * max(len(line) for line in plain.read_bytes().splitlines(True))
        # a gzip stream is planned on its uncompressed bytes: the same records in each piece
        assert [(p.start, p.stop) for s in plan_shards(packed, config)[0] for p in s.pieces] == \
            [(p.start, p.stop) for s in shards for p in s.pieces]
        docs, rejects, _ = read_all(plain, shard_bytes=config.shard_bytes, piece_multiple=multiple)
        assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(300)] and not rejects


def test_cuts_are_never_empty_pieces_nor_inside_a_record():
    assert balanced_cuts([(1, 10, 10), (2, 20, 20), (3, 30, 30)], 40, 40, 4) == []  # fits in one shard
    assert balanced_cuts([(1, 10, 10), (2, 20, 20), (3, 30, 30)], 40, 10, 1) == [(1, 10), (2, 20), (3, 30)]
    # a huge record (5 to 90) passes several shares: fewer pieces, none of them empty
    assert balanced_cuts([(1, 5, 5), (2, 90, 90), (3, 95, 95)], 100, 10, 2) == [(2, 90)]
    assert balanced_cuts([(5, 3, 0), (5, 4, 60)], 100, 50, 1) == [(5, 4)]  # a row group of no rows starts none


def test_small_files_are_grouped_in_order(tmp_path, rng):
    for f in range(6):
        write_jsonl(tmp_path / "in" / f"feed-{f}.jsonl", records(rng, 3))
    shards, _ = plan_shards(tmp_path / "in", InputConfig())
    assert [p.file for s in shards for p in s.pieces] == [f"feed-{f}.jsonl" for f in range(6)] and len(shards) == 1


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_one_big_file_on_two_workers_gives_the_bytes_of_one_worker(tmp_path, rng):
    path = write_jsonl(tmp_path / "in" / "feed.jsonl", records(rng, 60))
    one = build(path, tmp_path / "one", "input.shard_bytes=1000000000")
    two = build(path, tmp_path / "two", "input.shard_bytes=20000", "executor.workers=2")
    assert one["input"]["shards"] == 1 and two["input"]["shards"] > 3
    assert parquet_bytes(tmp_path / "two") == parquet_bytes(tmp_path / "one")


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_a_build_resumed_with_other_workers_reuses_its_shards(tmp_path, rng):
    path = write_jsonl(tmp_path / "in" / "feed.jsonl", records(rng, 60))
    first = build(path, tmp_path / "out", "input.shard_bytes=20000")
    work = tmp_path / "out" / ".build" / "work"
    done, plan = sorted((work / "done").glob("docs-*")), (work / "inputs.json").read_text()
    stamps = [p.stat().st_mtime_ns for p in done]
    build(path, tmp_path / "out", "input.shard_bytes=20000", "executor.workers=2", "output.overwrite=true")
    assert (work / "inputs.json").read_text() == plan and len(done) == first["input"]["shards"] > 3
    assert [p.stat().st_mtime_ns for p in done] == stamps  # the plan does not depend on the workers: nothing redone


# --- decoding --------------------------------------------------------------------------------------------

def test_utf8_with_two_stray_bytes_stays_utf8():
    damaged = ARABIC[:10].encode() + b"\xff" + ARABIC[10:20].encode() + b"\xc3" + ARABIC[20:].encode()
    decoded = decode(damaged, ["cp1256"])
    assert decoded.replaced == 2 and decoded.text.replace("\ufffd", "") == ARABIC


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_a_byte_order_mark_decides_the_encoding(encoding):
    assert decode(ARABIC.encode(encoding), ["cp1256"]).text == ARABIC


def test_a_legacy_code_page_only_when_utf8_is_clearly_wrong():
    assert decode(ARABIC.encode("cp1256"), ["cp1256"]).text == ARABIC
    assert decode(bytes(range(256)) * 40, ["cp1256"]) is None  # binary junk is no text in any encoding


def test_a_page_with_replaced_bytes_is_kept_and_counted(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(("عنوان\n" + ARABIC).encode()[:30] + b"\xfe" + ("عنوان\n" + ARABIC).encode()[30:])
    docs, _, stats = read_all(page)
    assert len(docs) == 1 and stats.notes == {"utf8_invalid_bytes_replaced": 1}


# --- the page-size cap -----------------------------------------------------------------------------------

def test_a_page_over_the_cap_is_rejected_unparsed_and_the_file_goes_on(tmp_path, rng):
    big = {"url": "https://sabq.org/big", "text": "كلمة " * 50_000}
    path = write_jsonl(tmp_path / "feed.jsonl", [records(rng, 1)[0], big, records(rng, 1)[0]])
    docs, rejects, _ = read_all(path, max_page_bytes=100_000)
    assert len(docs) == 2
    [reject] = rejects
    assert reject["reason"] == "page_too_large" and "line 2" in reject["detail"] and reject["text"] == ""


def test_a_truncated_gzip_keeps_what_came_before_it(tmp_path, rng):
    data = gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(rng, 50)).encode())
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    docs, rejects, _ = read_all(path)
    assert 10 < len(docs) < 50 and [r["reason"] for r in rejects] == ["unreadable_file"]


def test_a_piece_knows_its_records():
    assert Piece("f", 10, 20).holds(10) and not Piece("f", 10, 20).holds(20) and Piece("f", 5).holds(10**9)


# --- the file types scrapers write ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["feed.jl", "feed.json", "feed.ndjson"])
def test_json_lines_under_any_of_their_names_are_read(tmp_path, rng, name):
    path = write_jsonl(tmp_path / name, records(rng, 5))
    docs, rejects, _ = read_all(path)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(5)] and not rejects


@pytest.mark.parametrize("name", ["feed.jl.gz", "feed.json.gz"])
def test_gzipped_json_lines_are_read_and_cut(tmp_path, rng, name):
    plain = write_jsonl(tmp_path / "plain.jsonl", records(rng, 100))
    path = tmp_path / name
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(plan_shards(path, InputConfig(shard_bytes=10_000))[0]) > 3
    docs, rejects, _ = read_all(path, shard_bytes=10_000)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(100)] and not rejects


@pytest.mark.parametrize("gz", [False, True])
def test_a_json_array_file_is_read_whole_as_one_piece(tmp_path, rng, gz):
    data = ("\ufeff \n" + json.dumps(records(rng, 60), ensure_ascii=False, indent=2)).encode()
    path = tmp_path / ("feed.json.gz" if gz else "feed.json")
    path.write_bytes(gzip.compress(data) if gz else data)
    assert [len(s.pieces) for s in plan_shards(path, InputConfig(shard_bytes=5_000))[0]] == [1]  # never cut in lines
    docs, rejects, _ = read_all(path, shard_bytes=5_000)
    assert [d.url for d in docs] == [f"https://sabq.org/news/{i}" for i in range(60)] and not rejects
    assert docs[3].title == "خبر 3" and len({d.id for d in docs}) == 60


def test_a_json_array_over_the_page_cap_is_rejected_with_its_reason(tmp_path, rng):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(records(rng, 40), ensure_ascii=False))
    docs, rejects, _ = read_all(path, max_page_bytes=5_000)
    [reject] = rejects
    assert not docs and reject["reason"] == "json_array_too_large" and "JSON lines" in reject["detail"]


def test_a_broken_json_array_leaves_one_reject_row(tmp_path, rng):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(records(rng, 3), ensure_ascii=False)[:-20])
    docs, rejects, _ = read_all(path)
    assert not docs and [r["reason"] for r in rejects] == ["malformed_json"]


# --- fields of the wrong type ----------------------------------------------------------------------------

@pytest.mark.parametrize("epoch", [1709251200, 1709251200000, 1709251200.0])
def test_an_epoch_publication_time_is_read_as_utc(tmp_path, rng, epoch):
    path = write_jsonl(tmp_path / "feed.jsonl", [{**records(rng, 1)[0], "published": epoch}])
    [doc], rejects, stats = read_all(path)
    assert doc.published_hint == "2024-03-01T00:00:00+00:00" and not rejects and not stats.notes
    assert date_parser().parse(doc.published_hint) == datetime(2024, 3, 1)  # as an ISO string with +00:00 is


def test_an_optional_field_of_the_wrong_type_is_dropped_and_counted(tmp_path, rng):
    good = records(rng, 4)
    path = write_jsonl(tmp_path / "feed.jsonl", [
        {**good[0], "title": 2024},
        {**good[1], "url": {"href": "https://sabq.org/x"}, "title": ["a", "list"]},
        {**good[2], "published": True, "outlet": 7},
        {**good[3], "title": 5, "text": "   "},  # rejected for its text: no note for the title it would lose
        {"url": "https://sabq.org/y", "title": 1, "text": 12345},  # the body itself: still rejected
    ])
    docs, rejects, stats = read_all(path)
    assert [(d.url, d.title, d.published_hint, d.outlet_hint) for d in docs] == [
        (good[0]["url"], None, None, None), (None, None, None, None), (good[2]["url"], "خبر 2", None, None)]
    assert [d.text for d in docs] == [r["text"] for r in good[:3]]
    assert [r["reason"] for r in rejects] == ["empty", "bad_field_type"] and "text is int" in rejects[1]["detail"]
    assert stats.notes == {"field_dropped:title": 2, "field_dropped:url": 1, "field_dropped:published": 1,
                           "field_dropped:outlet": 1}
