"""Build on a Dask distributed cluster: the same jobs, rendered by its workers (onworker.py).

The client (the build process) keeps everything that writes: plan, cache,
publishing, manifest (engine.py). This executor only moves work:

- the project goes to the workers as a Snapshot inside a worker plugin, so
  the scheduler hands it to every worker once, also to workers that join or
  restart mid-build;
- a task is a batch of jobs (up to ``MAX_BATCH``, fewer as the build nears
  its end, so every thread has work until the last job); it runs them one
  after the other in a RenderProcess on the worker (the same limits as the
  local pool: a job over them fails once) and returns their PDF bytes and
  findings, which the client gathers task by task. Why batches: every task
  costs messages between client, scheduler and worker, and on a machine
  whose cores all render, their CPU comes out of rendering;
- tasks are submitted in a window a few times the cluster's threads, so the
  client and scheduler hold little however large the catalog;
- each job logs "started" through the scheduler's event log: the progress
  line counts running jobs and the report counts runs per job;
- a worker lost mid-batch makes the scheduler run the batch elsewhere (up to
  its ``allowed-failures``; KilledWorker after that). A render process that
  dies ends its batch early: the task returns the outcomes it has, and the
  client submits the lost job again (``MAX_ATTEMPTS`` runs in all, counted
  per job, so batch-mates of a job that always crashes are not failed with
  it) and the jobs after it; a batch the scheduler gives up on (KilledWorker)
  is split, each of its jobs submitted alone, for the same reason;
- Ctrl-C or any error cancels what is left and removes the plugin (workers
  delete the snapshot);
- a render process outlives its build, idle, for ``PARK_SECONDS``: the next
  build on that worker thread gives it its own snapshot to load and skips
  the renderer's start (about a second). It re-checks what it renders with
  against that build's client, as a new process does.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from itertools import zip_longest

from distributed import Client, as_completed

from ..errors import FactsheetError, printable
from ..source.model import Project
from .executor import MAX_ATTEMPTS, Task, Update, failed, lost
from .keys import environment
from .onworker import RenderProcessLost, SnapshotPlugin, render_on_worker
from .snapshot import Snapshot

#: How long to wait for the scheduler to answer, and for a first worker.
CONNECT_SECONDS = 10
WORKER_WAIT_SECONDS = 60
#: Jobs in one Dask task at most (see batch_size).
MAX_BATCH = 16


def batch_size(remaining: int, threads: int) -> int:
    """Jobs in the next task: ``MAX_BATCH`` while many remain, then fewer (a quarter
    of the jobs left per thread, guided self-scheduling), so that the last tasks
    are single jobs and no thread waits long on another's batch."""
    return max(1, min(MAX_BATCH, remaining // (4 * threads)))


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
        """Submit batches in a window, yield updates until every job has finished."""
        limits = project.policy.limits
        expected = environment(project)
        waiting: deque[Task] = deque(tasks)
        every = {task.index: task for task in tasks}
        finished: set[int] = set()
        runs: Counter[int] = Counter()  # "started" events seen per job
        losses: Counter[int] = Counter()  # render processes that died on the job
        completed = as_completed(loop=client.loop)
        checked = time.monotonic()
        empty_since: float | None = None

        alone: set[int] = set()  # from a batch the scheduler gave up on: one job per task

        def next_batch() -> list[Task]:
            batch = [waiting.popleft()]
            if batch[0].index in alone:
                return batch
            while len(batch) < batch_size(len(waiting) + len(batch), threads):
                if not waiting or waiting[0].index in alone:
                    break
                batch.append(waiting.popleft())
            return batch

        def submit() -> None:
            while len(futures) < 2 * threads + 4 and waiting:
                batch = next_batch()
                future = client.submit(
                    render_on_worker,
                    snapshot.digest,
                    batch,
                    limits,
                    expected,
                    topic,
                    key=f"factsheet-{topic[-12:]}-{batch[0].index}-{uuid.uuid4().hex[:8]}",
                    pure=False,
                    retries=MAX_ATTEMPTS - 1,
                )
                futures[future.key] = (future, batch)
                completed.add(future)

        submit()
        while futures:
            done = completed.next_batch(block=False)
            yield from self._started(_drain(events, 0 if done else 0.1), every, finished, runs)
            for future in done:
                _, batch = futures.pop(future.key)
                for task, outcome in self._outcomes(future, batch, runs):
                    if outcome is None:  # after a lost job: not run yet
                        waiting.appendleft(task)
                    elif "alone" in outcome:
                        alone.add(task.index)
                        waiting.appendleft(task)
                    elif "lost" in outcome:
                        losses[task.index] += 1
                        attempts = max(runs[task.index], losses[task.index])
                        if attempts >= MAX_ATTEMPTS:
                            finished.add(task.index)
                            yield Update("finished", task, lost(task, attempts, outcome["lost"]))
                        else:
                            waiting.appendleft(task)
                    else:
                        if losses[task.index]:  # its started events may still be on the way
                            runs[task.index] = max(runs[task.index], losses[task.index] + 1)
                            outcome["attempts"] = runs[task.index]
                        finished.add(task.index)
                        yield Update("finished", task, outcome)
            if done:
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

    def _started(self, events, every, finished, runs) -> Iterator[Update]:
        """Updates for the "started" events: a second run of a job is a retry."""
        for event in events:
            message = event[1] if isinstance(event, tuple) else event
            index = message.get("index")
            if index in finished or index not in every:
                continue
            runs[index] += 1
            task = every[index]
            if runs[index] == 1:
                yield Update("started", task)
            else:
                yield Update("retrying", task, note=f"run {runs[index]} on {message['worker']}")

    def _outcomes(
        self, future, batch: list[Task], runs: Counter[int]
    ) -> Iterator[tuple[Task, dict | None]]:
        """Each job of a finished task with its outcome: None for a job the task did not
        reach (its render process died on an earlier one), ``{"lost": why}`` for that one."""
        if future.status == "finished":
            outcomes = future.result()
            for task, outcome in zip_longest(batch, outcomes):
                if outcome is not None and "fatal" in outcome:
                    raise FactsheetError(
                        outcome["fatal"],
                        hint="install the same factsheet release, system libraries and fonts "
                        "on every worker as on this machine",
                    )
                if outcome is None or "lost" in outcome:
                    yield task, outcome
                else:
                    yield task, outcome | {"attempts": max(runs[task.index], 1)}
            return
        error = future.exception() if future.status == "error" else None
        gave_up = error is None or type(error).__name__ == "KilledWorker"
        if gave_up and len(batch) > 1:
            # Its workers kept dying (allowed-failures): which job killed them is not
            # known, so each runs again alone, and only a job that does it alone fails.
            for task in batch:
                yield task, {"alone": True}
            return
        for task in batch:
            attempts = max(runs[task.index], 1)
            if gave_up:
                yield task, lost(task, attempts, "the scheduler gave up on it")
            elif isinstance(error, RenderProcessLost):
                yield task, lost(task, attempts, str(error))
            else:
                message = f"the job failed on the cluster: {printable(error)}"
                yield task, failed(task, message) | {"attempts": attempts}


def _drain(events: queue.SimpleQueue, timeout: float) -> list:
    """Every event waiting, after waiting up to ``timeout`` for a first one."""
    found = []
    try:
        found.append(events.get(timeout=timeout) if timeout else events.get_nowait())
        while True:
            found.append(events.get_nowait())
    except queue.Empty:
        return found
