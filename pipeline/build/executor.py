"""The executor seam: where the render+gate jobs of a build run.

The engine decides what to build (plan, source checks, cache) and alone
writes output/; an executor only runs the jobs it is handed and reports, in
whatever order things happen, that a job started, was retried, or finished
with its outcome. Two executors sit behind this interface: the local process
pool (localpool.py, the default) and a Dask distributed cluster (cluster.py).

Both keep the same promises:
- each task finishes exactly once, with an outcome: the PDF and its findings,
  or an error line naming the sheet;
- a job over a limit of policy.yaml (``render_seconds``, ``worker_memory_mb``)
  is stopped and fails once, never retried: the same input would do it again;
- a job whose worker is lost (killed, crashed, disconnected) runs again
  elsewhere, at most ``MAX_ATTEMPTS`` times in all;
- closing the iterator (Ctrl-C, an error in the engine) stops every job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import RenderError

if TYPE_CHECKING:
    from ..source.model import Project
    from .plan import Job

#: Runs of one job before a lost worker fails it (Dask's default allowed-failures
#: is 3: the fourth loss gives up, and the local pool counts the same way).
MAX_ATTEMPTS = 4


@dataclass(frozen=True)
class Task:
    """One job to render and check, as the engine hands it to an executor."""

    index: int  # stable across retries: the engine's handle on the job
    job: Job
    relpath: str  # where the PDF will be published (the gate names it)
    source: str  # the sheet's path as shown in messages, e.g. sheets/x/en.md
    allow_failing: bool = False
    source_failed: bool = False


@dataclass(frozen=True)
class Update:
    """Something that happened to a task: ``started``, ``retrying`` or ``finished``."""

    kind: str
    task: Task
    outcome: dict | None = None  # finished: see worker.render_task
    note: str = ""  # retrying: why (which worker was lost)


@dataclass
class Tally:
    """Jobs of a build by state, for the progress line."""

    total: int
    done: int = 0
    running: set[int] = field(default_factory=set)
    note: str = ""  # set while reporting a retry: which job runs again, and why

    @property
    def queued(self) -> int:
        return self.total - self.done - len(self.running)


class Executor(Protocol):
    """Runs tasks; yields Updates until every task has finished."""

    def run(self, project: Project, tasks: Sequence[Task]) -> Iterator[Update]: ...


# -- outcomes every executor reports the same way -------------------------------


def failed(task: Task, message: str, hint: str | None = None, seconds: float = 0.0) -> dict:
    """The outcome of a job that failed outside the gate, as one error line."""
    return {"error": str(RenderError(message, task.source, hint=hint)), "seconds": seconds}


def over_time(task: Task, limit: float, seconds: float) -> dict:
    return failed(
        task,
        f"rendering {task.job.label} took longer than {limit:g} s, the limit per job; "
        "its worker was stopped",
        "look for a very large image, table or list in the sheet, or raise "
        "limits.render_seconds in policy.yaml",
        seconds,
    )


def over_memory(task: Task, limit_mb: int, used_mb: int, seconds: float) -> dict:
    return failed(
        task,
        f"rendering {task.job.label} used {used_mb} MB, over the limit of {limit_mb} MB "
        "per worker; its worker was stopped",
        "look for very large images in the sheet, or raise limits.worker_memory_mb in policy.yaml",
        seconds,
    )


def lost(task: Task, attempts: int, last: str) -> dict:
    """The job's worker was lost on every one of its ``attempts`` runs."""
    return failed(
        task,
        f"the worker rendering {task.job.label} was lost {attempts} times ({last})",
        "a job that crashes its worker every time has hit a renderer bug; "
        "build the sheet alone with -v to see it",
    ) | {"attempts": attempts}
