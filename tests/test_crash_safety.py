"""A build killed with SIGKILL at any moment, however often, resumes to exactly the files of a build never killed.

The whole process group (the CLI and its worker pool) is killed again and again on one output folder, at three
moments that each leave another kind of half-done work behind: once a few document tasks have finished (the
finished ones must survive the kill, the others are redone), once the near-duplicate buckets have started (the
global dedup tasks: bucket files, clusters), and once finalize has started (the per-shard decisions applied, or
the writer swapping the output in); the last two wait a seeded fraction of a second more, so the kill lands
somewhere inside the work (the last one may find the build finished on a quiet machine). Then a last run
finishes, and every file under data/ and rejected/ and the card must match, byte for byte, a clean build of the
same input. The clean build and the last run are made in this process with one worker (the killed folder resumes
whatever the worker count: it is not in the fingerprint), so only the killed builds pay for starting the CLI and
its pool.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import article, cli, write_jsonl
from conftest import build as in_process

# Input pieces small enough that the document phase has many tasks to be killed among; the killed builds have two
# workers.
BUILD = ("input.shard_bytes=10000",)
KILLED = (*BUILD, "executor.workers=2")
PHASE_LINE = re.compile(r"^(.+): \d+ tasks?\b")  # the executor's line at the start of each phase


def make_corpus(root: Path, rng: random.Random, files: int = 10, per_file: int = 6) -> Path:
    for f in range(files):
        write_jsonl(root / f"feed-{f:02d}.jsonl", [
            {"url": f"https://youm7.com/story/{f}/{i}", "title": f"خبر رقم {i} من الملف {f}",
             "published": f"2024-0{1 + i % 9}-1{f % 10}T08:00:00", "text": article(rng)}
            for i in range(per_file)])
    text = article(rng)  # copies, so the dedup phases have decisions to make
    write_jsonl(root / "copies.jsonl", [{"url": f"https://sabq.org/copy/{i}", "text": text} for i in range(3)])
    return root


def published_files(out: Path) -> dict[str, bytes]:
    """What a user publishes: the data and rejected shards and the card."""
    files = [*sorted(out.glob("data/**/*")), *sorted(out.glob("rejected/**/*")), out / "README.md"]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in files if p.is_file()}


def phase_lines(log: Path) -> list[str]:
    return [m.group(1) for line in log.read_text(errors="replace").splitlines() if (m := PHASE_LINE.match(line))]


def build(src: Path, out: Path, log: Path) -> subprocess.Popen:
    with log.open("w") as fh:
        return subprocess.Popen(cli(f"input.path={src}", f"output.path={out}", *KILLED), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)


def document_tasks_done(out: Path) -> int:
    return len(list((out / ".build" / "work" / "done").glob("docs-*")))


def kill_in(src: Path, out: Path, phase: str, delay: float, round_: int, after_tasks: int = 0) -> dict:
    """Start a build, wait until it enters `phase` (and has finished `after_tasks` document tasks), SIGKILL its
    whole process group `delay` seconds later. Returns where the kill landed: the phase the build was in,
    whether it was still running and how many document tasks had finished."""
    log = out.parent / f"{out.name}-kill-{round_}.log"
    proc = build(src, out, log)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and (
            phase not in phase_lines(log) or document_tasks_done(out) < after_tasks):
        time.sleep(0.01)
    time.sleep(delay)
    running = proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    seen = phase_lines(log)
    return {"aimed_at": phase, "delay": round(delay, 2), "running": running, "in": seen[-1] if seen else "startup",
            "document_tasks_done": document_tasks_done(out)}


@pytest.mark.slow
def test_kills_in_several_phases_then_a_rerun_give_the_same_files(tmp_path):
    rng = random.Random(2024)
    src = make_corpus(tmp_path / "in", rng)
    in_process(src, tmp_path / "clean", *BUILD)
    expected = published_files(tmp_path / "clean")
    assert any(name.startswith("data/") for name in expected) and "README.md" in expected
    total = document_tasks_done(tmp_path / "clean")

    out = tmp_path / "killed"
    first = kill_in(src, out, "documents", 0.0, 0, after_tasks=3)
    assert first["running"] and 3 <= first["document_tasks_done"] < total, f"kill midway in the documents: {first}"
    # each rerun resumes the last; seeded delays after the phase starts (past finalize's start: the writer)
    landed = [first, kill_in(src, out, "near-dup buckets", rng.uniform(0.0, 0.3), 1),
              kill_in(src, out, "finalize", rng.uniform(0.0, 0.2), 2)]
    # the last phases take a fraction of a second: on a quiet machine the last kill may come after the build
    assert all(kill["running"] for kill in landed[:2]), f"the kills must land mid-build: {landed}"
    assert landed[1]["document_tasks_done"] == total, f"the second kill must land after the documents: {landed}"
    assert len({kill["in"] for kill in landed}) >= 2, f"kills must hit several phases: {landed}"

    in_process(src, out, *BUILD)
    got = published_files(out)
    assert sorted(got) == sorted(expected), f"other files after kills {landed}"
    differ = [name for name in expected if got[name] != expected[name]]
    assert not differ, f"files differ after kills {landed}: {differ}"
