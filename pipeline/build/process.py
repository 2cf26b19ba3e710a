"""One render process, watched against the limits of policy.yaml.

Why a separate process per worker slot, also on a Dask worker: a thread that
runs away inside WeasyPrint or Pango cannot be stopped, and a process that
decodes a huge image takes its whole host down with it. A process can be
killed the moment it passes ``limits.render_seconds`` or
``limits.worker_memory_mb`` (its resident memory is read every ``TICK``), and
the job then fails once, naming its sheet. A process that dies without being
told to (killed from outside, crashed) is a lost worker: the caller retries.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FactsheetError
from .executor import Task, over_memory, over_time
from .worker import detach, serve, warm_up

if TYPE_CHECKING:
    from ..source.model import Policy, Project

#: How often a running job's time and memory are looked at (seconds).
TICK = 0.05
#: How long a render process started on a Dask worker may take to load its snapshot
#: (and a prestarted one to import the renderer).
START_SECONDS = 300
#: What a prestarted process says once it has the renderer and the project.
READY = "ready"


def _forked(conn: Connection, project: Project, inherited: list[Connection]) -> None:
    for other in inherited:  # the parent's ends of the pipes to its other workers
        other.close()
    detach()
    serve(conn, project)


def _prestarted(conn: Connection, inherited: list[Connection]) -> None:
    """Import the renderer while the parent loads and plans, then wait for the project."""
    for other in inherited:
        other.close()
    detach()
    warm_up()
    try:
        project = conn.recv()
        conn.send(READY)
    except (EOFError, OSError):  # the parent had nothing to build
        return
    serve(conn, project)


def left_big(process: RenderProcess, limits: Policy.Limits) -> bool:
    """A process that a finished job left over half the memory limit is replaced, by
    the local pool and on a Dask worker alike, so that memory does not creep across
    jobs (and, on a worker, across builds)."""
    return process.memory_mb() > limits.worker_memory_mb / 2


class RenderProcess:
    """A render process and the job it is running, if any."""

    def __init__(self, conn: Connection, handle, pid: int) -> None:
        self.conn = conn
        self._handle = handle  # a multiprocessing.Process or a subprocess.Popen
        self.pid = pid
        self.task: Task | None = None
        self.started = 0.0
        self.peak_mb = 0
        self._psutil = None
        self._code: int | None = None  # exit status, once reaped
        #: Prestarted and not ready yet: its job's clock starts when it is (warmed()).
        self.warming = False

    @classmethod
    def fork(cls, project: Project, others: Iterable[RenderProcess] = ()) -> RenderProcess:
        """Fork from this (single-threaded) process; the child inherits the project."""
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        inherited = [parent, *(other.conn for other in others)]
        process = context.Process(target=_forked, args=(child, project, inherited), daemon=True)
        process.start()
        child.close()
        return cls(parent, process, process.pid)

    @classmethod
    def prestart(cls) -> RenderProcess:
        """Fork before the project is loaded: the child imports the renderer (about
        half a second) on another core while this process loads and plans, and
        renders once it is given the project (give())."""
        for stream in (sys.stdout, sys.stderr):  # nothing buffered to be written twice
            stream.flush()
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        process = context.Process(target=_prestarted, args=(child, [parent]), daemon=True)
        process.start()
        child.close()
        prestarted = cls(parent, process, process.pid)
        prestarted.warming = True
        return prestarted

    def give(self, project: Project) -> None:
        """Hand a prestarted process its project (pickled: only what its jobs read).
        If it died meanwhile, the first job it is handed comes back as lost."""
        with contextlib.suppress(OSError):
            self.conn.send(project)

    @classmethod
    def spawn(cls, root: Path, expected: dict[str, str]) -> RenderProcess:
        """Start ``python -m pipeline.build.worker`` on a snapshot (safe in threads)."""
        ours, theirs = socket.socketpair()
        with theirs:
            popen = subprocess.Popen(
                [sys.executable, "-m", "pipeline.build.worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        process = cls(Connection(ours.detach()), popen, popen.pid)
        process.load(root, expected)
        return process

    def load(self, root: Path, expected: dict[str, str]) -> None:
        """Make a spawned process render from the snapshot at ``root``, for a client that
        renders with ``expected``: at its start, and when another build takes it over.
        If it cannot (it refuses, dies or hangs), it is stopped and FactsheetError says why."""
        try:
            self.conn.send(("load", str(root), expected))
            if not self.conn.poll(START_SECONDS):
                raise FactsheetError(
                    f"a render process did not load its project in {START_SECONDS} s"
                )
            kind, message = self.conn.recv()
        except (EOFError, OSError):
            why = self.exit()
            self.stop()
            raise FactsheetError(
                f"a render process died while loading its project ({why})"
            ) from None
        except BaseException:
            self.stop()
            raise
        if kind != "ready":
            self.stop()
            raise FactsheetError(message)

    # -- jobs -----------------------------------------------------------------

    def start(self, task: Task) -> None:
        with contextlib.suppress(OSError):  # dead already: receive() will say so
            self.conn.send(task)
        self.task = task
        self.started = time.monotonic()
        self.peak_mb = 0

    def warmed(self) -> bool:
        """Read a prestarted process's READY (it has the renderer and the project): its
        job's time counts from now. False if it died instead (receive() says so)."""
        try:
            said = self.conn.recv()
        except (EOFError, OSError):
            return False
        if said != READY:
            raise RuntimeError(f"a prestarted render process said {said!r}")
        self.warming = False
        self.started = time.monotonic()
        return True

    def receive(self) -> dict | None:
        """The finished job's outcome, or None if the process died instead."""
        try:
            outcome = self.conn.recv()
        except (EOFError, OSError):
            return None
        self.task = None
        return outcome

    def over_limit(self, limits: Policy.Limits) -> dict | None:
        """The failed outcome if the running job is over a limit (then stop the process)."""
        assert self.task is not None
        elapsed = time.monotonic() - self.started
        if self.warming and elapsed > START_SECONDS:  # stuck importing: lost, its job retried
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        elif not self.warming and elapsed > limits.render_seconds:
            return over_time(self.task, limits.render_seconds, elapsed)
        used = self.memory_mb()
        self.peak_mb = max(self.peak_mb, used)
        if used > limits.worker_memory_mb:
            return over_memory(self.task, limits.worker_memory_mb, used, elapsed)
        return None

    def run(self, task: Task, limits: Policy.Limits) -> dict | None:
        """Run one job to its end (blocking); None if the process was lost."""
        self.start(task)
        while not self.conn.poll(TICK):
            stopped = self.over_limit(limits)
            if stopped is not None:
                self.stop()
                return stopped
        return self.receive()

    # -- the process ------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """False once stopped or reaped (it may still be dying on its own)."""
        return self._code is None

    def memory_mb(self) -> int:
        """Resident memory in MB (0 once the process is gone)."""
        import psutil

        try:
            if self._psutil is None:
                self._psutil = psutil.Process(self.pid)
            return self._psutil.memory_info().rss // (1 << 20)
        except psutil.Error:
            return 0

    def stop(self) -> None:
        """Kill the process (no job is worth waiting for) and reap it."""
        if self._code is None:  # once reaped, its pid may belong to another process
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self.exit()
        self.conn.close()

    def exit(self) -> str:
        """Wait for the process to end; how it ended, for messages."""
        if self._code is None:
            if isinstance(self._handle, subprocess.Popen):
                self._code = self._handle.wait()
            else:
                self._handle.join()
                self._code = self._handle.exitcode
        code = self._code
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exited with status {code}"
