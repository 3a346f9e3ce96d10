"""Run a phase's tasks: skip the ones a previous run finished, run the rest in a process pool.

A task writes its outputs under temporary names and renames them when complete; the executor then leaves
a marker. A killed run leaves no marker for the task it was in, so the rerun redoes exactly that work.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from builder.files import atomic_write_bytes

log = logging.getLogger(__name__)


class BuildError(Exception):
    """A failure the user can act on; the CLI prints it as one line."""


@dataclass(frozen=True)
class Task:
    name: str  # unique within the build; names the completion marker
    fn: Callable[..., Any]
    args: tuple = ()


class LocalExecutor:
    def __init__(self, workers: int = 1):
        if workers < 1:
            raise BuildError(f"executor.workers must be at least 1, got {workers}")
        self.workers = workers

    def run(self, tasks: list[Task], markers: Path, desc: str) -> None:
        markers.mkdir(parents=True, exist_ok=True)
        pending = [t for t in tasks if not (markers / t.name).exists()]
        if len(pending) < len(tasks):
            log.info("%s: %d of %d tasks already done, resuming", desc, len(tasks) - len(pending), len(tasks))
        with tqdm(total=len(tasks), initial=len(tasks) - len(pending), desc=desc, unit="task",
                  disable=None, leave=False) as bar:
            if self.workers == 1 or len(pending) <= 1:
                for task in pending:
                    task.fn(*task.args)
                    self._done(markers, task, bar)
            else:
                self._run_pool(pending, markers, bar)

    def _run_pool(self, pending: list[Task], markers: Path, bar: tqdm) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            futures = {pool.submit(t.fn, *t.args): t for t in pending}
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_EXCEPTION)
                for future in done:
                    task = futures[future]
                    try:
                        future.result()
                    except BrokenProcessPool:
                        raise BuildError(f"a worker died while running {task.name}; "
                                         "rerun the same command to resume") from None
                    self._done(markers, task, bar)

    @staticmethod
    def _done(markers: Path, task: Task, bar: tqdm) -> None:
        atomic_write_bytes(markers / task.name, b"")
        bar.update()
