"""Wall time, CPU time and peak memory of a child process tree.

Two memory figures, because a build is several processes at once: the largest sum of RSS over the whole
tree (psutil, sampled every `interval` seconds, so a spike shorter than that can be missed; shared pages
count once per process, so it is an upper bound), and the peak RSS of the largest single process (exact:
the kernel's maxrss of the tree as `/usr/bin/time` reports it, when that tool exists).

CPU seconds (user + system) are summed over the tree from the same samples (the last fraction of a second
of a process can be missed). On a shared machine they move much less with other people's load than wall
seconds do.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

GNU_TIME = shutil.which("time", path="/usr/bin")


def role(p: psutil.Process, root: psutil.Process) -> str:
    """What a process of the tree is, for the report: the command, a pool worker, a Ray process."""
    if p.pid == root.pid:
        return "command"
    line = " ".join(p.cmdline())
    for name in ("multiprocessing.spawn", "multiprocessing.resource_tracker", "raylet", "gcs_server",
                 "default_worker", "dashboard", "log_monitor", "monitor.py"):
        if name in line:
            return name.split(".")[-1]
    return p.name()


def sample(proc: psutil.Process, cpu: dict[tuple[int, float], float], peaks: dict[tuple[int, float], dict],
           elapsed: float) -> tuple[int, int]:
    """(sum, max) of RSS in bytes over a process and all its descendants; records each one's CPU seconds so far
    in `cpu` (its own time only, so a parent never counts its reaped children twice) and its peak RSS, with when
    it was reached, in `peaks`."""
    sizes = []
    for p in [proc, *proc.children(recursive=True)]:
        try:
            with p.oneshot():
                rss = p.memory_info().rss
                times = p.cpu_times()
                key = (p.pid, p.create_time())
                cpu[key] = times.user + times.system
            sizes.append(rss)
            if rss > peaks.get(key, {}).get("rss", 0):
                peaks[key] = {"rss": rss, "at_second": round(elapsed, 1), "role": role(p, proc)}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return sum(sizes), max(sizes, default=0)


def run_measured(cmd: list[str], log: Path, interval: float = 0.2) -> dict:
    """Run `cmd` to completion with its output in `log`; fail loudly, with the log's tail, if it fails."""
    with tempfile.NamedTemporaryFile(suffix=".maxrss") as maxrss, log.open("w") as out:
        full = [GNU_TIME, "-f", "%M", "-o", maxrss.name, *cmd] if GNU_TIME else cmd
        epoch, started = time.time(), time.perf_counter()
        proc = psutil.Popen(full, stdout=out, stderr=subprocess.STDOUT)
        peak_sum = peak_one = 0
        cpu: dict[tuple[int, float], float] = {}
        peaks: dict[tuple[int, float], dict] = {}
        while proc.poll() is None:
            total, largest = sample(proc, cpu, peaks, time.perf_counter() - started)
            peak_sum, peak_one = max(peak_sum, total), max(peak_one, largest)
            time.sleep(interval)
        wall = time.perf_counter() - started
        exact = Path(maxrss.name).read_text().strip().splitlines()
    if proc.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    if exact and exact[-1].isdigit():
        peak_one = max(peak_one, int(exact[-1]) * 1024)
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_mb_tree_sum": round(peak_sum / 2**20, 1),
        "peak_rss_mb_largest_process": round(peak_one / 2**20, 1),
        "cpu_seconds_tree": round(sum(cpu.values()), 1),
        "largest_processes": [{"role": p["role"], "peak_rss_mb": round(p["rss"] / 2**20, 1),
                               "at_second": p["at_second"]}
                              for p in sorted(peaks.values(), key=lambda p: -p["rss"])[:4]],
        "started_epoch": epoch,
    }
