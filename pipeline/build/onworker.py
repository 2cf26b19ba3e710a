"""What runs on a Dask worker for `build --executor dask` (the client side: cluster.py).

A worker holds the snapshots of the builds it serves (SnapshotPlugin) and one
render process per thread and build, started on the first job; a process
outlives its build, parked, for the next build on that thread. Module-level
state, since a Dask worker process has no place of ours to keep it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from ..errors import FactsheetError
from ..source.model import Policy
from .executor import Task
from .process import RenderProcess, left_big
from .snapshot import Snapshot

_LOCK = threading.Lock()
_SNAPSHOTS: dict[str, Path] = {}  # digest -> unpacked folder
_USERS: Counter[str] = Counter()  # digest -> plugins (builds) using it
_RENDERERS: dict[tuple[str, int], RenderProcess] = {}  # (digest, thread) -> process
#: thread -> a warm render process no build is using, and until when it is kept
_PARKED: dict[int, tuple[RenderProcess, float]] = {}
_REAPER: threading.Thread | None = None  # stops them when their time is up
_PARKING = threading.Condition(_LOCK)  # wakes the reaper
#: How long a render process outlives its build, warm, for the next build on the same
#: worker thread (which loads its own snapshot into it, skipping the renderer's start).
PARK_SECONDS = 600.0


class SnapshotPlugin(WorkerPlugin):
    """Carries a project snapshot to every worker, present and future."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def setup(self, worker) -> None:
        root = self.snapshot.unpack(Path(worker.local_directory) / "factsheet")
        with _LOCK:
            _SNAPSHOTS[self.snapshot.digest] = root
            _USERS[self.snapshot.digest] += 1

    def teardown(self, worker) -> None:
        """The build is over: its snapshot goes, its idle render processes are parked."""
        digest = self.snapshot.digest
        with _LOCK:
            _USERS[digest] -= 1
            if _USERS[digest] > 0:
                return
            del _USERS[digest]
            root = _SNAPSHOTS.pop(digest, None)
            mine = [(k[1], _RENDERERS.pop(k)) for k in list(_RENDERERS) if k[0] == digest]
            stopped = [old for thread, process in mine for old in _park(thread, process)]
        for process in stopped:
            process.stop()
        if root is not None:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


def _park(thread: int, process: RenderProcess) -> list[RenderProcess]:
    """Keep an idle render process for the thread's next build, PARK_SECONDS at most
    (one per thread; call with _LOCK held). Returns the processes to stop: this one if
    it is not worth keeping (mid-job in a cancelled build, or dead), or the one it
    replaces."""
    global _REAPER
    if not process.alive or process.task is not None:
        return [process]
    older = _PARKED.pop(thread, None)
    _PARKED[thread] = (process, time.monotonic() + PARK_SECONDS)
    if _REAPER is None:
        _REAPER = threading.Thread(target=_reap, name="factsheet-reaper", daemon=True)
        _REAPER.start()
    _PARKING.notify()  # its deadline may come before the ones the reaper waits for
    return [older[0]] if older is not None else []


def _reap() -> None:
    """Stop parked render processes whose time is up; end when none is left."""
    global _REAPER
    while True:
        with _PARKING:
            now = time.monotonic()
            expired = [thread for thread, (_, until) in _PARKED.items() if until <= now]
            stopped = [_PARKED.pop(thread)[0] for thread in expired]
            if not stopped:
                if not _PARKED:
                    _REAPER = None
                    return
                _PARKING.wait(min(until for _, until in _PARKED.values()) - now)
        for process in stopped:
            process.stop()


class RenderProcessLost(RuntimeError):
    """This worker has no render process for the task (its snapshot is gone): the
    scheduler may retry the task. A render process that dies is a {"lost": why}."""


def _renderer(digest: str, expected: dict[str, str]) -> RenderProcess:
    """This thread's render process for the snapshot: the one it has, or the one a
    finished build parked (given this snapshot), or a new one."""
    thread = threading.get_ident()
    with _LOCK:
        process = _RENDERERS.get((digest, thread))
        root = _SNAPSHOTS.get(digest)
        taking = process is None and root is not None
        parked, _ = _PARKED.pop(thread, (None, 0.0)) if taking else (None, 0.0)
    if process is not None:
        return process
    if root is None:
        raise RenderProcessLost(f"no project snapshot {digest[:12]} on this worker")
    if parked is not None:
        try:
            parked.load(root, expected)
            process = parked
        except FactsheetError:
            pass  # stopped; a new process says what is wrong, if anything is
    if process is None:
        process = RenderProcess.spawn(root, expected)
    with _LOCK:
        _RENDERERS[(digest, thread)] = process
    return process


def render_on_worker(
    digest: str, tasks: list[Task], limits: Policy.Limits, expected: dict[str, str], topic: str
) -> list[dict]:
    """The Dask task: a batch of jobs on this worker's render process, within the limits.

    One outcome per job, in order. If the render process dies on a job, the
    list ends with ``{"lost": why}`` in that job's place and the jobs after it
    are left to the client, which counts that job's runs: a job that kills its
    process every time fails alone, never the jobs batched with it. A process
    left big by a job is replaced (process.left_big)."""
    worker = get_worker()
    outcomes: list[dict] = []
    for task in tasks:
        worker.log_event(topic, {"index": task.index, "worker": worker.address})
        try:
            process = _renderer(digest, expected)
        except FactsheetError as error:  # this worker cannot render like the client
            return [*outcomes, {"fatal": f"{worker.address}: {error.message}"}]
        outcome = process.run(task, limits)
        if outcome is None:  # died: reaped now, so that the next job starts a new process
            outcome = {"lost": f"the render process on {worker.address} {process.exit()}"}
        elif process.alive and left_big(process, limits):
            process.stop()
        if not process.alive:
            with _LOCK:
                _RENDERERS.pop((digest, threading.get_ident()), None)
        outcomes.append(outcome)
        if "lost" in outcome:
            break
    return outcomes
