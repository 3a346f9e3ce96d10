"""A build killed with SIGKILL at any moment, however often, resumes to exactly the files of a build never killed.

test_pipeline.py kills once, after a few document tasks. Here the whole process group (the CLI and its worker
pool) is killed again and again on one output folder, at seeded random moments of the work: in the document
tasks, the near-duplicate buckets, the cluster task, finalize, or while the writer swaps the output in. Then a
last run finishes, and every file under data/ and rejected/ and the card must match, byte for byte, a clean build
of the same input.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from conftest import article, cli, write_jsonl

WORKERS = "executor.workers=2"
KILLS = 3
STARTED = "documents:"  # the first progress line: imports are done and the build is at work


def make_corpus(root: Path, rng: random.Random, files: int = 10, per_file: int = 12) -> Path:
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


def markers(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".build" / "work" / "done").glob("*"))


def started(log: Path) -> bool:
    return log.exists() and STARTED in log.read_text(errors="replace")


def run_to_completion(src: Path, out: Path) -> float:
    """A whole build; returns the seconds from its first progress line to its exit."""
    log = out.parent / f"{out.name}.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(cli(f"input.path={src}", f"output.path={out}", WORKERS), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
        while proc.poll() is None and not started(log):
            time.sleep(0.02)
        at_work = time.monotonic()
        assert proc.wait(timeout=300) == 0, log.read_text()[-3000:]
    return time.monotonic() - at_work


def kill_after(src: Path, out: Path, delay: float, round_: int) -> tuple[bool, list[str]]:
    """Start a build, wait until it is at work, SIGKILL its process group `delay` seconds later.
    Returns whether it was still running when killed, and the task markers it had left by then."""
    log = out.parent / f"{out.name}-kill-{round_}.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(cli(f"input.path={src}", f"output.path={out}", WORKERS), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while proc.poll() is None and not started(log) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        running = proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return running, markers(out)


def test_kills_at_several_random_moments_then_a_rerun_give_the_same_files(tmp_path):
    rng = random.Random(2024)
    src = make_corpus(tmp_path / "in", rng)
    work_seconds = run_to_completion(src, tmp_path / "clean")
    expected = published_files(tmp_path / "clean")
    assert any(name.startswith("data/") for name in expected) and "README.md" in expected

    out = tmp_path / "killed"
    # Shares of a clean build's work time. Each rerun resumes with less left to do, so a later kill of the same
    # share lands in a later phase: the kills spread over the phases without aiming at any.
    moments = [rng.uniform(0.05, 0.5) for _ in range(KILLS)]
    landed = []
    for round_, share in enumerate(moments):
        running, done = kill_after(src, out, share * work_seconds, round_)
        landed.append((round(share, 2), running, len(done)))
    mid_build = [kill for kill in landed if kill[1]]
    assert len(mid_build) >= KILLS - 1, f"most kills must land while the build runs: {landed}"

    run_to_completion(src, out)
    got = published_files(out)
    assert sorted(got) == sorted(expected), f"files differ after kills at {landed}"
    differ = [name for name in expected if got[name] != expected[name]]
    assert not differ, f"files differ after kills at (share, running, markers) {landed}: {differ}"
