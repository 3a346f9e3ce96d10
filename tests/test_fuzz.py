"""A dirty scrape, as a user's crawler leaves it: the real CLI must finish, keep every page that is damaged but
real, leave a trace of every file that is junk, and stay within a memory bound.

The corpus is made here at run time (never stored). It is built as three separate inputs so that a failure in
one kind of damage does not hide the others:

- pages:   page files with broken encodings (two stray bytes, BOMs, UTF-16, cp1256), NULs, invisible-character
           floods, unclosed and 200k-deep HTML, and junk (random bytes named .txt, blank pages, a page with
           nothing but a menu, an image);
- records: structured files that are broken or cut short (JSON lines of every wrong kind, a truncated
           .jsonl.gz, .warc.gz and .parquet, a .warc.gz of garbage);
- sizes:   a 100 MB page and a JSONL record with a 30 MB field, next to normal pages.

Each build runs as a process group watched with psutil: if the tree's RSS passes MEMORY_BOUND it is killed (so
a regression fails this test instead of taking the shared machine down) and the test says so.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import signal
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from builder.cli import summary
from builder.stats import BuildResult
from conftest import article, cli

psutil = pytest.importorskip("psutil")

MEMORY_BOUND = 3 * 2**30  # bytes, RSS summed over the build's process tree
BUILD_TIMEOUT = 240  # seconds; far above the target, only there so a hang fails instead of blocking the suite
LOG_PREFIX = "LOG "  # every log record is printed as "LOG <logger>: <message>", so stray output stands out
PROGRESS_LINE = re.compile(r"[a-z :-]+: \d+/\d+ tasks(, .+ docs/s)?, (ETA|done in) \w+")
INVISIBLE = "\u200b\u200d\u200e\u200f\u061c\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width and bidi controls the repair stage removes. ZWNJ (U+200C) is spelling in Persian and Urdu: kept.


# --- the corpus ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """A damaged but real page: it must come out whole. `paragraphs` are what its text must contain."""

    title: str
    paragraphs: tuple[str, ...]

    @classmethod
    def make(cls, rng: random.Random, title: str) -> Page:
        return cls(title, tuple(article(rng).split("\n")))

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def txt(self) -> str:
        return f"{self.title}\n{self.text}\n"

    def html(self, tail: str = "", close: bool = True) -> str:
        body = "".join(f"<p>{p}</p>" if close else f"<p>{p}" for p in self.paragraphs)
        head = f"<html><head><meta charset='utf-8'><title>{self.title}</title></head><body>"
        if not close:
            return f"{head}<div class='main'><article><h1>{self.title}<p>{body}<div><span>{tail}"
        return f"{head}<article><h1>{self.title}</h1>{body}</article>{tail}</body></html>"


def with_stray_bytes(text: str) -> bytes:
    """UTF-8 with two invalid bytes inside the first paragraph's words: a real page a crawler cut badly."""
    data = text.encode("utf-8")
    first = data.index(b"\n", data.index(b"\n") + 1)  # inside paragraph 1 (line 0 is the title)
    cut = data.rindex(b" ", 0, first - 20) + 1
    return data[:cut] + b"\xff" + data[cut:cut + 4] + b"\xfe" + data[cut + 4:]


def flooded(page: Page, rng: random.Random) -> str:
    """Invisible characters before the headline, between the words and inside the letters of every paragraph."""
    def flood(line: str) -> str:
        return "".join(ch + (rng.choice(INVISIBLE) if rng.random() < 0.5 else "") for ch in line)
    return "".join(rng.choice(INVISIBLE) for _ in range(20_000)) + page.title + "\n" + \
        "\n".join(flood(p) for p in page.paragraphs) + "\n"


def with_nuls(page: Page) -> bytes:
    text = page.txt().replace(" ", " \x00", 5).replace("\n", "\x00\x00\n")
    return text.encode("utf-8") + b"\x00" * 4096


def deep_html(page: Page, depth: int = 200_000) -> str:
    return page.html(tail="<div>" * depth + "نهاية")


def make_pages(root: Path, rng: random.Random) -> tuple[dict[str, Page], list[str]]:
    """Page files: {name: page that must be kept}, [junk file names that must leave a trace]."""
    root.mkdir(parents=True)
    kept = {name: Page.make(rng, f"عنوان الصفحة {i}") for i, name in enumerate([
        "stray-bytes.txt", "utf8-bom.txt", "utf16-bom.txt", "utf16be-bom.html", "cp1256.txt", "cp1256.html",
        "nuls.txt", "invisible-flood.txt", "unclosed.html", "deep.html", "plain.txt"])}
    files = {
        "stray-bytes.txt": with_stray_bytes(kept["stray-bytes.txt"].txt()),
        "utf8-bom.txt": b"\xef\xbb\xbf" + kept["utf8-bom.txt"].txt().encode("utf-8"),
        "utf16-bom.txt": kept["utf16-bom.txt"].txt().encode("utf-16"),  # BOM + little-endian
        "utf16be-bom.html": b"\xfe\xff" + kept["utf16be-bom.html"].html().encode("utf-16-be"),
        "cp1256.txt": kept["cp1256.txt"].txt().encode("cp1256"),
        "cp1256.html": kept["cp1256.html"].html().replace("utf-8", "windows-1256").encode("cp1256"),
        "nuls.txt": with_nuls(kept["nuls.txt"]),
        "invisible-flood.txt": flooded(kept["invisible-flood.txt"], rng).encode("utf-8"),
        "unclosed.html": kept["unclosed.html"].html(tail='<a href="/more', close=False).encode("utf-8"),
        "deep.html": deep_html(kept["deep.html"]).encode("utf-8"),
        "plain.txt": kept["plain.txt"].txt().encode("utf-8"),
        "binary.txt": rng.randbytes(256 * 1024),
        "zeros.html": bytes(64 * 1024),
        "blank.txt": b" \n\t\r\n   \n",
        "empty.html": b"",
        "menu-only.html": "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>".encode(),
        "logo.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(2048),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return kept, [name for name in files if name not in kept]


@dataclass(frozen=True)
class Record:
    """A good JSONL record: it must come out with this url and these paragraphs."""

    url: str
    page: Page

    def json(self) -> dict:
        return {"url": self.url, "title": self.page.title, "text": self.page.text, "published": "2024-03-01"}


def write_warc(path: Path, pages: list[Page]) -> list[int]:
    """A real .warc.gz (one gzip member per record); returns the file offset after each record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    ends = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, page in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://sabq.org/news/{i}", "response",
                                               payload=io.BytesIO(page.html().encode("utf-8")), http_headers=headers)
            writer.write_record(record)
            ends.append(fh.tell())
    return ends


def truncate(path: Path, size: int) -> None:
    with path.open("r+b") as fh:
        fh.truncate(size)


def make_records(root: Path, rng: random.Random) -> tuple[dict[str, Page], dict[str, int], list[str]]:
    """Structured files: {url: page that must be kept}, {file: reject rows it must leave at least},
    [files that must leave a trace]."""
    root.mkdir(parents=True)
    records = [Record(f"https://youm7.com/story/{i}", Page.make(rng, f"خبر رقم {i}")) for i in range(12)]

    def line(r: Record) -> bytes:
        return json.dumps(r.json(), ensure_ascii=False).encode("utf-8")

    stray = line(records[1]).replace("رقم".encode(), "ر".encode() + b"\xff" + "قم".encode() + b"\xc0", 1)
    # a mistyped optional field is only dropped (tests/test_read.py); these pages then go for their two-letter text,
    # so they leave a trace all the same, but not the reader's: they are not counted as broken lines
    mistyped = [
        b'{"url": "https://sabq.org/z", "title": ["a", "list"], "text": "\xd9\x86\xd8\xb5"}',
        b'{"url": {"not": "a string"}, "text": "\xd9\x86\xd8\xb5"}',
        b'{"url": "https://sabq.org/v", "text": "\xd9\x86\xd8\xb5", "published": 1709251200}',
    ]
    broken = [
        b'{"url": "https://sabq.org/x", "text": "\xd8\xa8\xd8\xaf\xd8\xa7\xd9\x8a\xd8\xa9',  # cut mid-string
        b'{"url": "https://sabq.org/y", "text": 12345}',
        b'{"url": "https://sabq.org/w", "text": null, "html": 7}',
        b"null", b"[1, 2, 3]", b'"just a string"', b"42", b"{}", b"}{", b"\xff\xfe\x00\x00\x81\x8d",
        b"[" * 100_000 + b"]" * 100_000,  # valid JSON, deeper than a recursive parser goes
        b'{"text": "' + "نص ".encode() * 10 + b'", "text": {"duplicate": "key"}}',
    ]
    lines = [line(records[0]), *broken[:4], *mistyped, stray, *broken[4:], line(records[2]), line(records[3])]
    (root / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (root / "surrogate.jsonl").write_text(json.dumps(records[4].json()).replace("\\u060c", "\\ud800\\u060c", 1) + "\n")

    gz = root / "feed.jsonl.gz"
    with gzip.open(gz, "wb") as fh:
        for r in records[5:8] + [Record(f"https://youm7.com/late/{i}", Page.make(rng, "خبر")) for i in range(40)]:
            fh.write(line(r) + b"\n")
    truncate(gz, gz.stat().st_size * 2 // 3)

    warc = root / "crawl.warc.gz"
    ends = write_warc(warc, [records[8].page, records[9].page, Page.make(rng, "ثالث"), Page.make(rng, "رابع")])
    truncate(warc, (ends[1] + ends[2]) // 2)  # the first two records whole, the third cut in the middle
    (root / "garbage.warc.gz").write_bytes(rng.randbytes(8192))

    table = pa.Table.from_pylist([records[10].json(), records[11].json()] * 50)
    pq.write_table(table, root / "table.parquet", row_group_size=10)
    truncate(root / "table.parquet", (root / "table.parquet").stat().st_size // 2)
    (root / "footer-only.parquet").write_bytes(b"PAR1" + rng.randbytes(512) + b"PAR1")

    good = {r.url: r.page for r in [records[0], records[1], records[2], records[3], *records[5:8]]}
    good |= {f"https://sabq.org/news/{i}": records[8 + i].page for i in range(2)}  # the archive's own urls
    traces = ["surrogate.jsonl", "feed.jsonl.gz", "crawl.warc.gz", "garbage.warc.gz", "table.parquet",
              "footer-only.parquet"]
    return good, {"feed.jsonl": len(broken)}, traces


def make_sizes(root: Path, rng: random.Random) -> tuple[dict[str, Page], Record]:
    """A 100 MB page and a 30 MB JSONL field, next to pages that must be kept."""
    root.mkdir(parents=True)
    kept = {"normal.txt": Page.make(rng, "صفحة عادية")}
    (root / "normal.txt").write_text(kept["normal.txt"].txt(), encoding="utf-8")
    filler = ("\n".join(article(rng) for _ in range(20)) + "\n").encode("utf-8")
    with (root / "huge-page.txt").open("wb") as fh:
        fh.write("صفحة ضخمة\n".encode())
        for _ in range(100 * 2**20 // len(filler) + 1):
            fh.write(filler)
    after = Record("https://youm7.com/after-the-big-one", Page.make(rng, "بعد السجل الكبير"))
    big = {"url": "https://youm7.com/big", "title": "سجل كبير", "text": filler.decode() * (30 * 2**20 // len(filler))}
    with (root / "big-field.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(big, ensure_ascii=False) + "\n")
        fh.write(json.dumps(after.json(), ensure_ascii=False) + "\n")
    return kept, after


# --- running the CLI under watch -------------------------------------------------------------------------------

@dataclass
class Run:
    out: Path
    returncode: int | None
    stdout: str
    stderr: str
    peak_rss: int  # bytes, summed over the process tree, sampled every 0.1 s
    killed: str | None  # why the watcher killed the build, if it did

    def require_finished(self) -> None:
        if self.killed or self.returncode != 0:
            pytest.fail(f"the build did not finish ({self.killed or f'exit {self.returncode}'}); "
                        f"stderr tail:\n{self.stderr[-2500:]}")

    @property
    def stats(self) -> dict:
        self.require_finished()
        return json.loads((self.out / "stats.json").read_text())

    def kept(self) -> list[dict]:
        self.require_finished()
        return [r for f in sorted((self.out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]

    def rejected(self) -> datasets.Dataset:
        self.require_finished()
        return datasets.load_dataset(str(self.out), "rejected", cache_dir=str(self.out.parent / "hf-cache"))["train"]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def run_watched(src: Path, out: Path, *overrides: str) -> Run:
    """`build-corpus` in its own process group, killed whole if it passes the memory bound or the timeout."""
    log_format = f"hydra.job_logging.formatters.simple.format='{LOG_PREFIX}%(name)s: %(message)s'"
    cmd = cli(f"input.path={src}", f"output.path={out}", "executor.workers=2", log_format, *overrides)
    with (out.parent / f"{out.name}.stdout").open("w+") as so, (out.parent / f"{out.name}.stderr").open("w+") as se:
        proc = psutil.Popen(cmd, stdout=so, stderr=se, start_new_session=True)
        peak, killed, deadline = 0, None, time.monotonic() + BUILD_TIMEOUT
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc))
            if peak > MEMORY_BOUND or time.monotonic() > deadline:
                killed = f"RSS {peak / 2**30:.1f} GB > bound" if peak > MEMORY_BOUND else "timeout"
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.1)
        so.seek(0)
        se.seek(0)
        return Run(out, proc.returncode, so.read(), se.read(), peak, killed)


class Corpus:
    """The three fuzz inputs and their builds, made once per module."""

    def __init__(self, root: Path):
        self.root = root
        rng = random.Random(11)
        self.pages, self.page_junk = make_pages(root / "pages", rng)
        self.records, self.must_reject, self.record_traces = make_records(root / "records", rng)
        self.size_pages, self.after_big = make_sizes(root / "sizes", rng)
        self._runs: dict[str, Future[Run]] = {}

    def run(self, name: str) -> Run:
        """One input's build. The three start together on first use, each watched on its own: their start-ups
        (the CLI and its workers importing) overlap."""
        if not self._runs:
            with ThreadPoolExecutor(len(GROUPS)) as pool:
                self._runs = {g: pool.submit(run_watched, self.root / g, self.root / f"out-{g}") for g in GROUPS}
        return self._runs[name].result()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("fuzz"))


GROUPS = ["pages", "records", "sizes"]


def by_source(rows: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["source_file"], []).append(row)
    return found


def assert_whole(row: dict, page: Page, what: str) -> None:
    """Every paragraph of the page is a line of the row's text; a replacement character (where the input had
    an invalid byte) is ignored."""
    lines = set(row["text"].replace("\ufffd", "").split("\n"))
    missing = [p for p in page.paragraphs if p not in lines]
    assert not missing, f"{what}: paragraphs lost or garbled, e.g. {missing[0][:60]!r} not in {row['text'][:300]!r}"


# --- the build as a whole ------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_the_build_exits_0_within_the_memory_bound(corpus, group):
    run = corpus.run(group)
    assert run.killed is None, f"{group}: watcher killed the build: {run.killed}"
    assert run.returncode == 0, f"{group}: exit {run.returncode}; stderr tail:\n{run.stderr[-2500:]}"
    assert run.peak_rss < MEMORY_BOUND


@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_every_stage_accounts_for_its_input(corpus, group):
    run = corpus.run(group)
    stats = run.stats
    for s in stats["stages"]:
        assert s["in"] + s["added"] == s["out"] + sum(s["dropped"].values()), s
    assert stats["totals"]["entered"] == stats["totals"]["kept"] + stats["totals"]["rejected"]
    assert len(run.kept()) == stats["totals"]["kept"] and len(run.rejected()) == stats["totals"]["rejected"]


@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_nothing_but_the_builders_own_lines_is_printed(corpus, group):
    run = corpus.run(group)
    expected_tail = summary(BuildResult.from_dict(run.stats), str(run.out)).split("\n")
    stray = [line for line in run.stdout.splitlines()
             if not line.startswith(f"{LOG_PREFIX}builder") and line not in expected_tail]
    assert not stray, f"{group}: stray lines on stdout: {stray[:5]}"
    # where stderr is no terminal, a phase that runs long prints plain progress lines (builder/executor.py)
    other = [line for line in run.stderr.splitlines() if not PROGRESS_LINE.fullmatch(line)]
    assert not other, f"{group}: stderr holds more than progress lines: {run.stderr[:1000]!r}"


# --- pages ------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_damaged_but_real_pages_are_kept_whole(corpus):
    rows = by_source(corpus.run("pages").kept())
    problems = []
    for name, page in corpus.pages.items():
        if name not in rows:
            problems.append(f"{name}: not in the output")
            continue
        try:
            assert_whole(rows[name][0], page, name)
        except AssertionError as err:
            problems.append(str(err))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_stray_bytes_are_replaced_not_read_as_a_code_page(corpus):
    rows = by_source(corpus.run("pages").kept())
    assert "stray-bytes.txt" in rows, "the page with two invalid bytes was lost"
    text = rows["stray-bytes.txt"][0]["text"]
    assert text.count("\ufffd") <= 2, "more replacement characters than invalid bytes"
    assert_whole(rows["stray-bytes.txt"][0], corpus.pages["stray-bytes.txt"], "stray-bytes.txt")


@pytest.mark.slow
def test_controls_nuls_and_boms_do_not_reach_the_text(corpus):
    rows = corpus.run("pages").kept()
    dirty = {r["source_file"]: sorted({f"U+{ord(c):04X}" for c in r["text"] if c in INVISIBLE or c == "\x00" or
                                       (c == "\ufffd" and r["source_file"] != "stray-bytes.txt")})
             for r in rows}
    assert not {k: v for k, v in dirty.items() if v}


@pytest.mark.slow
def test_every_junk_page_file_leaves_a_trace(corpus):
    run = corpus.run("pages")
    rejected_files = set(run.rejected()["source_file"])
    ignored = run.stats["input"]["ignored_files"]
    untraced = [n for n in corpus.page_junk if n not in rejected_files and Path(n).suffix not in ignored]
    assert not untraced


# --- records ------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_good_records_around_broken_ones_are_kept_whole(corpus):
    """Including one whose title holds two invalid bytes, and the records read before a cut."""
    rows = {r["url"]: r for r in corpus.run("records").kept()}
    problems = []
    for url, page in corpus.records.items():
        if url not in rows:
            problems.append(f"{url}: not in the output")
            continue
        try:
            assert_whole(rows[url], page, url)
        except AssertionError as err:
            problems.append(str(err))
        if (rows[url]["title"] or "").replace("\ufffd", "") != page.title:
            problems.append(f"{url}: title {rows[url]['title']!r}, expected {page.title!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_broken_line_and_file_leaves_a_trace(corpus):
    run = corpus.run("records")
    rejected = by_source(run.rejected().to_list())
    kept = by_source(run.kept())
    short = {f: len(rejected.get(f, [])) for f, n in corpus.must_reject.items() if len(rejected.get(f, [])) < n}
    assert not short, f"reject rows per file: {short}, expected at least {corpus.must_reject}"
    untraced = [f for f in corpus.record_traces if f not in rejected and f not in kept]
    assert not untraced


@pytest.mark.slow
def test_a_reader_failure_is_an_unreadable_file_row_after_what_was_read(corpus):
    run = corpus.run("records")
    unreadable = {r["source_file"] for r in run.rejected() if r["reason"] == "unreadable_file"}
    cut = {"feed.jsonl.gz", "crawl.warc.gz", "garbage.warc.gz", "table.parquet", "footer-only.parquet"}
    assert cut <= unreadable, f"no unreadable_file row for {sorted(cut - unreadable)}"
    kept = by_source(run.kept())
    assert len(kept.get("feed.jsonl.gz", [])) >= 3 and len(kept.get("crawl.warc.gz", [])) >= 2


# --- sizes --------------------------------------------------------------------------------------------------------

@cache
def page_cap() -> int | None:
    job = yaml.safe_load(subprocess.run(cli("--cfg", "job"), capture_output=True, text=True, check=True).stdout)
    return job["input"].get("max_page_bytes")


def test_the_page_cap_is_a_setting_with_a_sensible_default():
    cap = page_cap()
    assert cap is not None, "input.max_page_bytes is not in the config"
    assert 2**20 <= cap <= 50 * 2**20


@pytest.mark.slow
def test_a_100_mb_page_is_rejected_as_too_large_and_its_neighbours_are_kept(corpus):
    run = corpus.run("sizes")
    reasons = {(r["source_file"], r["reason"]) for r in run.rejected()}
    assert ("huge-page.txt", "page_too_large") in reasons
    kept = by_source(run.kept())
    assert "normal.txt" in kept, "the normal page next to the huge one was lost"
    assert_whole(kept["normal.txt"][0], corpus.size_pages["normal.txt"], "normal.txt")
    after = [r for r in kept.get("big-field.jsonl", []) if r["url"] == corpus.after_big.url]
    assert after, "the record after the 30 MB field was lost"
    assert_whole(after[0], corpus.after_big.page, corpus.after_big.url)


@pytest.mark.slow
def test_a_30_mb_field_over_the_cap_is_rejected_as_too_large(corpus):
    run = corpus.run("sizes")
    cap = page_cap()
    assert cap is not None, "input.max_page_bytes is not in the config"
    rows = [r for r in run.rejected() if r["source_file"] == "big-field.jsonl"]
    if cap < 30 * 2**20:
        assert [r["reason"] for r in rows] == ["page_too_large"]
    else:
        assert rows or any(r["url"] == "https://youm7.com/big" for r in run.kept())
