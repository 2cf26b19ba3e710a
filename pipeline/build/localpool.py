"""The default executor: render processes forked on this machine.

Each worker is a RenderProcess forked from the build process after the
project is loaded and the renderer imported, so it starts warm and needs no
copy of anything; `factsheet build` forks the first one earlier, before
loading, and hands it the project when there is something to build (see
LocalPool). One loop hands out jobs, reads outcomes as they come, and
looks at every running job's time and memory each TICK: a job over a limit
is stopped and fails; a worker that dies on its own is replaced and its job
runs again, up to MAX_ATTEMPTS. A worker left big by a job (over half the
memory limit) is replaced too, so that memory does not creep across jobs.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import replace
from multiprocessing.connection import wait
from typing import TYPE_CHECKING

from .executor import MAX_ATTEMPTS, Task, Update, lost
from .process import TICK, RenderProcess, left_big
from .worker import warm_up

if TYPE_CHECKING:
    from ..source.model import Project


class LocalPool:
    """Up to ``workers`` render processes on this machine.

    With ``prestart``, the first one is forked at once, before the project is
    loaded (RenderProcess.prestart), so that importing the renderer overlaps
    with loading and planning; it is stopped unused if nothing needs building.
    Use the pool as a context manager then, so that it is stopped in any case.
    """

    def __init__(self, workers: int = 1, prestart: bool = False) -> None:
        self.workers = max(1, workers)
        self._early = RenderProcess.prestart() if prestart else None

    def close(self) -> None:
        """Stop the prestarted process if no run took it."""
        if self._early is not None:
            self._early.stop()
            self._early = None

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, project: Project, tasks: Sequence[Task]) -> Iterator[Update]:
        early, self._early = self._early, None
        if not tasks:
            if early is not None:
                early.stop()
            return
        limits = project.policy.limits
        queue: deque[Task] = deque(tasks)
        attempts: Counter[int] = Counter()
        idle: list[RenderProcess] = []
        busy: list[RenderProcess] = []
        size = min(self.workers, len(tasks))
        warm = False

        def new_process() -> RenderProcess:
            nonlocal early, warm
            if early is not None:
                process, early = early, None
                process.give(for_tasks(project, tasks))
                return process
            if not warm:  # processes forked from here start warm
                warm_up()
                warm = True
            return RenderProcess.fork(project, idle + busy)

        try:
            while queue or busy:
                while queue and len(busy) < size:
                    process = idle.pop() if idle else new_process()
                    task = queue.popleft()
                    attempts[task.index] += 1
                    process.start(task)
                    busy.append(process)
                    yield Update("started", task)
                ready = wait([process.conn for process in busy], timeout=TICK)
                for process in list(busy):
                    task = process.task
                    assert task is not None
                    if process.conn in ready:
                        if process.warming and process.warmed():
                            continue  # prestarted, now ready: its job starts
                        outcome = process.receive()
                        if outcome is None:  # died on its own: a lost worker
                            busy.remove(process)
                            why = process.exit()
                            process.conn.close()
                            if attempts[task.index] >= MAX_ATTEMPTS:
                                yield Update("finished", task, lost(task, MAX_ATTEMPTS, why))
                            else:
                                queue.appendleft(task)
                                yield Update("retrying", task, note=f"its worker was lost ({why})")
                            continue
                        busy.remove(process)
                        if left_big(process, limits):
                            process.stop()
                        else:
                            idle.append(process)
                        yield Update("finished", task, outcome | {"attempts": attempts[task.index]})
                        continue
                    stopped = process.over_limit(limits)
                    if stopped is not None:
                        busy.remove(process)
                        process.stop()
                        yield Update("finished", task, stopped | {"attempts": attempts[task.index]})
        finally:
            for process in idle + busy + ([early] if early is not None else []):
                process.stop()


def default_workers() -> int:
    """One render process per CPU this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def for_tasks(project: Project, tasks: Sequence[Task]) -> Project:
    """The project a prestarted process needs: every shared file as loaded, and only
    the sheets of the tasks (rendering and the PDF checks read no other sheet, as
    on a Dask worker, whose snapshot holds only those); smaller to send."""
    wanted = {(task.job.slug, task.job.lang) for task in tasks}
    sheets = {key: sheet for key, sheet in project.sheets.items() if key in wanted}
    return replace(project, sheets=sheets, broken={})
