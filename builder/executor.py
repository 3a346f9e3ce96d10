"""Run a phase's tasks: skip the ones a previous run finished, run the rest in a process pool or on Ray.

A task writes its outputs under temporary names and renames them when complete; the executor then leaves
a marker holding the task's key (what its output depends on: its inputs' content, its settings, the code). A killed
run leaves no marker for the task it was in, so the rerun redoes exactly that work; a task whose key changed since
its marker was written (an input grew, a setting changed) is run again and its stale output replaced.
Executors differ only in where `Task.fn(Task.job)` runs; they share the markers and the progress bar. One
executor serves every phase of a build (its worker pool is started once), and is closed when the build ends.
A task function may return the number of documents it handled: the progress lines add them up. Ctrl-C stops the
workers at once; the tasks they were in have no marker, and the rerun redoes them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from builder.errors import BuildError
from builder.files import atomic_write_bytes

log = logging.getLogger(__name__)
try:
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim  # glibc's; other C libraries lack it
except (AttributeError, OSError, TypeError):
    _malloc_trim = None

PROGRESS_SECONDS = 10.0  # at most one progress line this often, where stderr is no terminal


def run_task(fn: Callable[[Any], Any], job: Any) -> Any:
    """Run one task, then hand the memory it freed back to the system: the process lives on for the next task
    (a pool worker, or this process for a one-task phase), and glibc keeps freed heap otherwise (measured: the
    template learning task leaves 550 MB of RSS behind it, about 220 MB after the trim). No gc.collect: a full
    collection costs a worker 0.1 s per task, and what a task frees is freed by reference counting."""
    try:
        return fn(job)
    finally:
        if _malloc_trim is not None:
            _malloc_trim(0)  # 0.2 ms


@dataclass(frozen=True)
class Task:
    name: str  # unique within the build; names the completion marker
    fn: Callable[[Any], Any]  # may return the number of documents it handled (the progress lines count them)
    job: Any = None  # a frozen dataclass with everything the task needs (it is pickled to the worker)
    key: str = ""  # what the task's output depends on (builder/fingerprint.py); its marker holds it


def done(marker: Path, key: str) -> bool:
    """The task finished with this key: its output is what the key describes."""
    try:
        return marker.read_bytes() == key.encode()
    except FileNotFoundError:
        return False


def duration(seconds: float) -> str:
    """12s, 4m10s, 2h05m: an ETA needs no more."""
    s = round(seconds)
    return f"{s}s" if s < 60 else f"{s // 60}m{s % 60:02d}s" if s < 3600 else f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """A phase's progress where no bar is seen (stderr is a file: nohup, CI, a cluster job; tqdm is silent there),
    as plain lines: at most one each `every` seconds, on a task's completion, with the tasks done, the documents
    the tasks of this run reported and an ETA from this run's task rate. On a terminal the bar shows it instead."""

    def __init__(self, desc: str, total: int, done: int, every: float | None = None, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = not self.stream.isatty()
        self.desc, self.total, self.done = desc, total, done
        self.every = PROGRESS_SECONDS if every is None else every  # the module's value when the phase starts
        self.ran = 0  # tasks run by this run (the rate and the ETA are this run's)
        self.docs: int | None = None  # the documents they reported; unknown until one does
        self.started = self.printed = time.monotonic()

    def update(self, docs: int | None) -> None:
        self.done, self.ran = self.done + 1, self.ran + 1
        if isinstance(docs, int):
            self.docs = (self.docs or 0) + docs
        now = time.monotonic()
        if self.enabled and now - self.printed >= self.every:
            self.printed = now
            print(self.line(now - self.started), file=self.stream, flush=True)

    def line(self, elapsed: float) -> str:
        parts = [f"{self.done}/{self.total} tasks"]
        if self.docs is not None:
            parts += [f"{self.docs:,} docs", f"{self.docs / max(elapsed, 1e-3):,.0f} docs/s"]
        left = self.total - self.done
        parts.append(f"ETA {duration(left * elapsed / self.ran)}" if left else f"done in {duration(elapsed)}")
        return f"{self.desc}: {', '.join(parts)}"


def single_threaded() -> bool:
    """Whether this process may fork its workers: on Linux, with no Python thread but this one (a tqdm monitor, a
    Ray or logging thread could hold a lock the child then waits on forever). The native pools every build has
    (OpenBLAS's through numpy, jemalloc's background thread through pyarrow) register fork handlers with
    pthread_atfork, so they are no bar; Python 3.12+ still counts them in its DeprecationWarning about fork."""
    return sys.platform == "linux" and threading.active_count() == 1


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT held back (delivered after the block, never lost) in this thread; a process started in the block
    inherits the mask and keeps it. Where there is no pthread_sigmask (Windows), nothing is blocked."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Executor:
    """Skips finished tasks, runs the others with `_run_pending`, marks each one done as it completes, and keeps
    each phase's wall seconds (`phase_seconds`, in stats.json): where a build's time goes, serial phases included."""

    def __init__(self) -> None:
        self.phase_seconds: dict[str, float] = {}
        self.tasks_run: dict[str, list[int]] = {}  # per phase: [tasks run, tasks reused], in stats.json

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(interrupted=kind is KeyboardInterrupt)

    def close(self, interrupted: bool = False) -> None:
        """Release the workers (at once when the build was interrupted); the base class holds none."""

    def warm(self, fn: Callable[[Any], None], job: Any) -> None:
        """Start the workers now and run `fn(job)` in each (the set-up every task does first), so that their
        start-up overlaps the caller's own work. Tasks in this process or on Ray need none."""

    def run(self, tasks: list[Task], markers: Path, desc: str) -> None:
        markers.mkdir(parents=True, exist_ok=True)
        pending = [t for t in tasks if not done(markers / t.name, t.key)]
        log.info("%s: %d task%s%s", desc, len(tasks), "" if len(tasks) == 1 else "s",
                 f", {len(tasks) - len(pending)} already done" if len(pending) < len(tasks) else "")
        self.tasks_run[desc] = [len(pending), len(tasks) - len(pending)]
        started = time.perf_counter()
        progress = Progress(desc, len(tasks), len(tasks) - len(pending))
        with tqdm(total=len(tasks), initial=len(tasks) - len(pending), desc=desc, unit="task",
                  disable=None, leave=False) as bar:
            for task, docs in self._run_pending(pending):
                atomic_write_bytes(markers / task.name, task.key.encode())
                bar.update()
                progress.update(docs)
        self.phase_seconds[desc] = round(time.perf_counter() - started, 2)

    def _run_pending(self, pending: list[Task]) -> Iterator[tuple[Task, Any]]:
        """Run the tasks; yield each as it completes, with what its function returned."""
        raise NotImplementedError


class LocalExecutor(Executor):
    """Tasks in this process (workers=1) or in a pool of processes, forked once the stages are built (spawned
    where this process has other threads)."""

    def __init__(self, workers: int = 1):
        super().__init__()
        if workers < 1:
            raise BuildError(f"executor.workers must be at least 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def close(self, interrupted: bool = False) -> None:
        if self._pool is not None:
            if interrupted:  # the workers never saw the Ctrl-C (see _submit): their tasks are stopped, left unmarked
                for process in list(self._pool._processes.values()):  # no public way before Python 3.14
                    process.terminate()
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:  # started once per build: spawning workers and importing costs seconds
            resource_tracker.ensure_running()  # first: starting it unblocks SIGINT, which _submit blocks
            method = "fork" if single_threaded() else "spawn"  # a forked worker inherits what this process built
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context(method))
        return self._pool

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Submit with SIGINT blocked: a worker this starts keeps it blocked, so a Ctrl-C, which the terminal sends
        to every process of the group, reaches this process alone: no worker prints a KeyboardInterrupt traceback,
        and `close` stops them."""
        pool = self._started()
        with sigint_blocked():
            return pool.submit(fn, *args)

    def warm(self, fn: Callable[[Any], None], job: Any) -> None:
        if self.workers > 1 and self._pool is None and single_threaded():
            fn(job)  # here, once: the workers are forked (all at the first submit) with its result
        if self.workers > 1:  # one call per worker: each submit spawns a worker while none is idle
            for _ in range(self.workers):
                self._submit(run_task, fn, job)

    def _run_pending(self, pending: list[Task]) -> Iterator[tuple[Task, Any]]:
        if self.workers == 1 or len(pending) <= 1:
            for task in pending:
                yield task, run_task(task.fn, task.job)
            return
        futures = {self._submit(run_task, t.fn, t.job): t for t in pending}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                self._pool = None
                raise BuildError(f"a worker died while running {futures[future].name}; "
                                 "rerun the same command to resume") from None
            yield futures[future], result


class RayExecutor(Executor):
    """Tasks as Ray remote functions: a local Ray instance by default, or a cluster (`address=auto`).

    On a cluster every node must see the output folder (shared storage) and have this package installed.
    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        super().__init__()
        self.address = address
        self.num_cpus = num_cpus

    def _run_pending(self, pending: list[Task]) -> Iterator[tuple[Task, Any]]:
        try:
            import ray
        except ImportError:
            raise BuildError("executor=ray needs Ray: pip install 'ray>=2.30'") from None
        if not ray.is_initialized():
            ray.init(address=self.address, num_cpus=self.num_cpus if self.address is None else None,
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        remote = ray.remote(max_retries=0)(run_task)
        refs = {remote.remote(t.fn, t.job): t for t in pending}
        while refs:
            done, _ = ray.wait(list(refs), num_returns=1)
            for ref in done:
                task = refs.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayError as err:
                    raise BuildError(f"task {task.name} failed on Ray: {err}; rerun to resume") from None
                yield task, result
