"""Build on a Dask distributed cluster: the same jobs, rendered by its workers.

The client (the build process) keeps everything that writes: plan, cache,
publishing, manifest (engine.py). This executor only moves work:

- the project goes to the workers as a Snapshot inside a worker plugin, so
  the scheduler hands it to every worker once, also to workers that join or
  restart mid-build;
- each job is one task; the task runs the job in a RenderProcess on the
  worker (the same limits as the local pool: a job over them fails once) and
  returns the PDF bytes and findings, which the client gathers one by one;
- tasks are submitted in a window a few times the cluster's threads, so the
  client and scheduler hold little however large the catalog;
- a task logs "started" through the scheduler's event log: the progress line
  counts running jobs and the report counts runs per job;
- a worker lost mid-job makes the scheduler run the job elsewhere (up to its
  ``allowed-failures``; KilledWorker after that), and a render process that
  dies is a task error retried the same number of times;
- Ctrl-C or any error cancels what is left and removes the plugin (workers
  stop their render processes and delete the snapshot).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from distributed import Client, WorkerPlugin, as_completed, get_worker

from ..errors import FactsheetError, printable
from ..source.model import Policy, Project
from .executor import MAX_ATTEMPTS, Task, Update, failed, lost
from .keys import environment
from .process import RenderProcess
from .snapshot import Snapshot

#: How long to wait for the scheduler to answer, and for a first worker.
CONNECT_SECONDS = 10
WORKER_WAIT_SECONDS = 60

# -- on a worker -------------------------------------------------------------------

_LOCK = threading.Lock()
_SNAPSHOTS: dict[str, Path] = {}  # digest -> unpacked folder
_USERS: Counter[str] = Counter()  # digest -> plugins (builds) using it
_RENDERERS: dict[tuple[str, int], RenderProcess] = {}  # (digest, thread) -> process


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
        digest = self.snapshot.digest
        with _LOCK:
            _USERS[digest] -= 1
            if _USERS[digest] > 0:
                return
            del _USERS[digest]
            root = _SNAPSHOTS.pop(digest, None)
            processes = [_RENDERERS.pop(k) for k in list(_RENDERERS) if k[0] == digest]
        for process in processes:
            process.stop()
        if root is not None:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


class RenderProcessLost(RuntimeError):
    """The render process died on its own: the scheduler may retry the task."""


def _renderer(digest: str, expected: dict[str, str]) -> RenderProcess:
    """This thread's render process for the snapshot (started on first use)."""
    key = (digest, threading.get_ident())
    with _LOCK:
        process = _RENDERERS.get(key)
        root = _SNAPSHOTS.get(digest)
    if process is not None:
        return process
    if root is None:
        raise RenderProcessLost(f"no project snapshot {digest[:12]} on this worker")
    process = RenderProcess.spawn(root, expected)
    with _LOCK:
        _RENDERERS[key] = process
    return process


def render_on_worker(
    digest: str, task: Task, limits: Policy.Limits, expected: dict[str, str], topic: str
) -> dict:
    """The Dask task: one job on this worker's render process, within the limits."""
    worker = get_worker()
    worker.log_event(topic, {"index": task.index, "worker": worker.address})
    try:
        process = _renderer(digest, expected)
    except FactsheetError as error:  # this worker cannot render like the client
        return {"fatal": f"{worker.address}: {error.message}"}
    outcome = process.run(task, limits)
    if not process.alive:
        with _LOCK:
            _RENDERERS.pop((digest, threading.get_ident()), None)
    if outcome is None:
        why = process.exit()
        raise RenderProcessLost(f"the render process on {worker.address} {why}")
    return outcome


# -- on the client -----------------------------------------------------------------


class DaskExecutor:
    """Runs the build's jobs on the Dask cluster whose scheduler is at ``address``."""

    def __init__(self, address: str) -> None:
        self.address = address

    def _connect(self) -> Client:
        try:
            return Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise FactsheetError(
                f"cannot reach the Dask scheduler at {self.address}: {printable(error)}",
                hint="start one with `dask scheduler`, or check --scheduler / "
                "FACTSHEET_SCHEDULER (tcp://HOST:PORT)",
            ) from None

    def _workers(self, client: Client) -> int:
        """Threads of the connected workers (0: none)."""
        return sum(client.nthreads().values())

    def run(self, project: Project, tasks: Sequence[Task]) -> Iterator[Update]:
        if not tasks:
            return
        quiet = logging.getLogger("distributed")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # lost workers are reported as updates, not log lines
        client = self._connect()
        nonce = uuid.uuid4().hex[:12]
        plugin = None
        futures: dict[str, tuple] = {}
        try:
            snapshot = Snapshot.of(project, [task.job for task in tasks])
            threads = self._wait_for_workers(client, len(tasks))
            plugin = f"factsheet-snapshot-{snapshot.digest[:16]}-{nonce}"
            client.register_plugin(SnapshotPlugin(snapshot), name=plugin)
            topic = f"factsheet-started-{nonce}"
            events: queue.SimpleQueue = queue.SimpleQueue()
            client.subscribe_topic(topic, events.put)
            yield from self._jobs(client, project, tasks, snapshot, topic, events, threads, futures)
        finally:
            with contextlib.suppress(Exception):
                client.cancel([future for future, _ in futures.values()])
            if plugin is not None:
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(plugin)
            with contextlib.suppress(Exception):
                client.close(timeout=CONNECT_SECONDS)
            quiet.setLevel(level)

    def _wait_for_workers(self, client: Client, jobs: int) -> int:
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while (threads := self._workers(client)) == 0:
            if time.monotonic() > deadline:
                raise FactsheetError(
                    f"no Dask worker joined the scheduler at {self.address} in "
                    f"{WORKER_WAIT_SECONDS} s; {jobs} job(s) not built",
                    hint=f"start workers with `dask worker {self.address}`",
                )
            time.sleep(0.5)
        return threads

    def _jobs(self, client, project, tasks, snapshot, topic, events, threads, futures):
        """Submit in a window, yield updates until every task has finished."""
        limits = project.policy.limits
        expected = environment(project)
        waiting = iter(tasks)
        finished: set[int] = set()
        runs: Counter[int] = Counter()
        completed = as_completed(loop=client.loop)
        checked = time.monotonic()
        empty_since: float | None = None

        def submit() -> None:
            while len(futures) < 4 * threads + 16 and (task := next(waiting, None)) is not None:
                future = client.submit(
                    render_on_worker,
                    snapshot.digest,
                    task,
                    limits,
                    expected,
                    topic,
                    key=f"factsheet-{topic[-12:]}-{task.index}",
                    pure=False,
                    retries=MAX_ATTEMPTS - 1,
                )
                futures[future.key] = (future, task)
                completed.add(future)

        submit()
        while futures:
            batch = completed.next_batch(block=False)
            yield from self._started(_drain(events, 0 if batch else 0.1), futures, finished, runs)
            for future in batch:
                _, task = futures.pop(future.key)
                outcome = self._outcome(future, task, runs)
                finished.add(task.index)
                yield Update("finished", task, outcome)
            if batch:
                submit()
            if time.monotonic() - checked < 1:
                continue
            checked = time.monotonic()
            if client.status != "running":
                raise FactsheetError(
                    f"lost the connection to the Dask scheduler at {self.address}",
                    hint="the jobs published so far are in the manifest; build again",
                )
            if connected := self._workers(client):
                threads, empty_since = connected, None
            else:
                empty_since = empty_since or checked
                if checked - empty_since > WORKER_WAIT_SECONDS:
                    raise FactsheetError(
                        f"every Dask worker left the scheduler at {self.address} "
                        f"for {WORKER_WAIT_SECONDS} s; {len(futures)} job(s) not built",
                        hint=f"start workers with `dask worker {self.address}`",
                    )
            submit()

    def _started(self, events, futures, finished, runs) -> Iterator[Update]:
        """Updates for the "started" events: a second run of a job is a retry."""
        by_index = {task.index: task for _, task in futures.values()}
        for event in events:
            message = event[1] if isinstance(event, tuple) else event
            index = message.get("index")
            if index in finished or index not in by_index:
                continue
            runs[index] += 1
            task = by_index[index]
            if runs[index] == 1:
                yield Update("started", task)
            else:
                yield Update("retrying", task, note=f"run {runs[index]} on {message['worker']}")

    def _outcome(self, future, task: Task, runs: Counter[int]) -> dict:
        attempts = max(runs[task.index], 1)
        if future.status == "finished":
            outcome = future.result()
            if "fatal" in outcome:
                raise FactsheetError(
                    outcome["fatal"],
                    hint="install the same factsheet release, system libraries and fonts "
                    "on every worker as on this machine",
                )
            return outcome | {"attempts": attempts}
        error = future.exception() if future.status == "error" else None
        if error is None or type(error).__name__ == "KilledWorker":
            return lost(task, attempts, "the scheduler gave up on it")
        if isinstance(error, RenderProcessLost):
            return lost(task, attempts, str(error))
        return failed(task, f"the job failed on the cluster: {printable(error)}") | {
            "attempts": attempts
        }


def _drain(events: queue.SimpleQueue, timeout: float) -> list:
    """Every event waiting, after waiting up to ``timeout`` for a first one."""
    found = []
    try:
        found.append(events.get(timeout=timeout) if timeout else events.get_nowait())
        while True:
            found.append(events.get_nowait())
    except queue.Empty:
        return found
