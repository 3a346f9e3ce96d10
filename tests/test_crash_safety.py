"""A build killed with SIGKILL at any moment, however often, resumes to exactly the files of a build never killed.

The whole process group (the CLI and its worker pool) is killed again and again on one output folder: first
once a few document tasks have finished (the finished ones must survive the kill), then at seeded random
moments of the work: in the document tasks, the near-duplicate buckets, the cluster task, finalize, or while
the writer swaps the output in (each kill aims at a phase drawn by a seeded generator, then waits a seeded
fraction of a second). Then a last run finishes, and every file under data/ and rejected/ and the card must
match, byte for byte, a clean build of the same input.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import article, cli, write_jsonl

# Two workers, and input pieces small enough that the document phase has many tasks to be killed among.
BUILD = ("executor.workers=2", "input.shard_bytes=20000")
KILLS = 3
PHASE_LINE = re.compile(r"^(.+): \d+ tasks?\b")  # the executor's line at the start of each phase


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


def phase_lines(log: Path) -> list[str]:
    return [m.group(1) for line in log.read_text(errors="replace").splitlines() if (m := PHASE_LINE.match(line))]


def build(src: Path, out: Path, log: Path) -> subprocess.Popen:
    with log.open("w") as fh:
        return subprocess.Popen(cli(f"input.path={src}", f"output.path={out}", *BUILD), stdout=fh,
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


def test_kills_in_several_phases_then_a_rerun_give_the_same_files(tmp_path):
    rng = random.Random(2024)
    src = make_corpus(tmp_path / "in", rng)
    clean = build(src, tmp_path / "clean", tmp_path / "clean.log")
    assert clean.wait(timeout=300) == 0, (tmp_path / "clean.log").read_text()[-3000:]
    expected = published_files(tmp_path / "clean")
    assert any(name.startswith("data/") for name in expected) and "README.md" in expected
    phases = phase_lines(tmp_path / "clean.log")
    assert len(phases) >= KILLS, phases

    # Seeded: which phases (in pipeline order, on one output folder, so each rerun resumes the last) and how long
    # after the phase starts. A delay past the last phase's start lands in the writer.
    out = tmp_path / "killed"
    first = kill_in(src, out, phases[0], 0.0, 0, after_tasks=3)
    total = document_tasks_done(tmp_path / "clean")
    assert first["running"] and 3 <= first["document_tasks_done"] < total, f"kill midway in the documents: {first}"
    aims = sorted(rng.sample(range(len(phases)), KILLS))
    landed = [first, *(kill_in(src, out, phases[i], rng.uniform(0.0, 0.6), k + 1) for k, i in enumerate(aims))]
    assert sum(kill["running"] for kill in landed) >= KILLS - 1, f"most kills must land mid-build: {landed}"
    assert len({kill["in"] for kill in landed if kill["running"]}) >= 2, f"kills must hit several phases: {landed}"

    rerun = build(src, out, tmp_path / "rerun.log")
    assert rerun.wait(timeout=300) == 0, (tmp_path / "rerun.log").read_text()[-3000:]
    got = published_files(out)
    assert sorted(got) == sorted(expected), f"other files after kills {landed}"
    differ = [name for name in expected if got[name] != expected[name]]
    assert not differ, f"files differ after kills {landed}: {differ}"
