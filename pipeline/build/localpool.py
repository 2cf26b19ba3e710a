"""The default executor: render processes forked on this machine.

Each worker is a RenderProcess forked from the build process after the
project is loaded and the renderer imported, so it starts warm and needs no
copy of anything. One loop hands out jobs, reads outcomes as they come, and
looks at every running job's time and memory each TICK: a job over a limit
is stopped and fails; a worker that dies on its own is replaced and its job
runs again, up to MAX_ATTEMPTS. A worker left big by a job (over half the
memory limit) is replaced too, so that memory does not creep across jobs.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Sequence
from multiprocessing.connection import wait

from ..source.model import Project
from .executor import MAX_ATTEMPTS, Task, Update, lost
from .process import TICK, RenderProcess
from .worker import warm_up


class LocalPool:
    """Up to ``workers`` render processes on this machine."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    def run(self, project: Project, tasks: Sequence[Task]) -> Iterator[Update]:
        if not tasks:
            return
        limits = project.policy.limits
        queue: deque[Task] = deque(tasks)
        attempts: Counter[int] = Counter()
        idle: list[RenderProcess] = []
        busy: list[RenderProcess] = []
        size = min(self.workers, len(tasks))
        warm_up()
        try:
            while queue or busy:
                while queue and len(busy) < size:
                    process = idle.pop() if idle else RenderProcess.fork(project, idle + busy)
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
                        if process.memory_mb() > limits.worker_memory_mb / 2:
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
            for process in idle + busy:
                process.stop()
