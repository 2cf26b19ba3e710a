"""The render side of a build: a job in, its PDF and findings out.

A render process serves jobs over a connection, one at a time, and keeps
WeasyPrint and its fonts warm between them. (The renderer is imported when
first needed: a Dask worker imports this module only to start one.) The local pool forks it from the
build process, so it inherits the loaded project; a Dask worker starts it as
``python -m pipeline.build.worker`` and tells it which project snapshot to
load. Either way it ignores Ctrl-C (its parent decides what stops), dies with
its parent, and returns plain data the parent can publish.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FactsheetError
from .executor import Task

if TYPE_CHECKING:
    from ..source.model import Project


def render_task(project: Project, task: Task) -> dict:
    """Render one job and run the PDF gate on it. Returns plain (picklable) data.

    With ``allow_failing``, a job that fails the gate (or whose source already
    failed) is rendered again with a visible DRAFT band.
    """
    from ..checks.gate import pdf_findings
    from ..checks.registry import has_errors
    from ..render.pdf import render_sheet
    from ..source.clinics import load_clinic

    job = task.job
    sheet = project.sheet(job.slug, job.lang)
    started = time.perf_counter()
    try:
        clinic = load_clinic(project, job.imprint) if job.imprint else None
        draft = task.source_failed
        rendered = render_sheet(project, sheet, job.options(draft_band=draft))
        findings = pdf_findings(project, sheet, rendered.pdf, task.relpath, job.variant, clinic)
        if has_errors(findings) and task.allow_failing and not draft:
            rendered = render_sheet(project, sheet, job.options(draft_band=True))
            findings = pdf_findings(project, sheet, rendered.pdf, task.relpath, job.variant, clinic)
            draft = True
    except FactsheetError as error:
        return {"error": str(error), "seconds": time.perf_counter() - started}
    return {
        "pdf": rendered.pdf,
        "pages": rendered.pages,
        "findings": findings,
        "draft": draft,
        "seconds": time.perf_counter() - started,
    }


def warm_up() -> None:
    """Import the renderer and the gate, so that processes forked afterwards start warm;
    and read the Public Suffix List, which every render needs (texts are kept whole
    around web addresses) and the parent may not have needed."""
    from ..render import cffi_cache

    cffi_cache.install()  # WeasyPrint's C declarations parsed once, not in every process
    from ..checks import gate  # noqa: F401
    from ..render import pdf, tagging  # noqa: F401
    from ..source.domain_names import registrable

    tagging.install()
    registrable("www.example.org")


def serve(conn: Connection, project: Project) -> None:
    """Answer tasks with outcomes until the parent closes the connection.

    Garbage is collected once after each job, while the parent publishes its
    result (see ``collect_between_jobs``)."""
    collect_between_jobs()
    for task in _messages(conn):
        _answer(conn, project, task)


def _messages(conn: Connection) -> Iterator:
    """What the parent sends, until it closes the connection."""
    while True:
        try:
            yield conn.recv()
        except (EOFError, OSError):
            return


def _answer(conn: Connection, project: Project, task: Task) -> None:
    conn.send(render_task(project, task))
    gc.collect()


def collect_between_jobs() -> None:
    """Tune Python's cycle collector for a process that renders job after job.

    A laid-out document is a large graph with reference cycles, and the loaded
    project, fonts and renderer are long-lived: with the default thresholds,
    full collections kept walking that long-lived heap in the middle of
    rendering (about a tenth of a job's time). The warm heap is frozen (moved
    out of the collector's sight, gc.freeze), young collections still run, and
    the full collection that frees a job's document runs once per job, after
    its result is sent, so memory returns to its warm size between jobs."""
    gc.freeze()
    gc.set_threshold(2000, 100, 1000)


def detach() -> None:
    """Leave Ctrl-C to the parent, and die with it (Linux: PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def serve_snapshot(conn: Connection) -> None:
    """A render process started by a Dask worker: load the snapshot it names, then serve.

    A ("load", root, environment) message names the snapshot's folder and what
    the client's machine renders with (keys.environment). It comes first, and
    again whenever the worker hands this process to another build (it outlives
    builds, so that the next one finds it warm). A worker whose versions or
    fonts differ would publish different bytes under the same cache key, so it
    refuses with a "fatal" reply and exits instead of rendering. Between loads,
    every message is a job.
    """
    project: Project | None = None
    loaded = ""
    for message in _messages(conn):
        if isinstance(message, Task):
            assert project is not None, "a job before any snapshot"
            _answer(conn, project, message)
            continue
        _, root, expected = message
        # A snapshot's folder is named by its digest: the same folder holds the same files.
        try:
            if root != loaded:
                project = None
                gc.unfreeze()  # the previous build's project goes with the next collection
                project, loaded = _load(Path(root)), root
            refused = _refusal(project, expected)
        except FactsheetError as error:
            refused = str(error)
        if refused:
            conn.send(("fatal", refused))
            return
        warm_up()
        collect_between_jobs()
        conn.send(("ready", None))


def _load(root: Path) -> Project:
    """The project of an unpacked snapshot (imported here: the local pool never needs it)."""
    from ..source.loader import load_project

    return load_project(root)


def _refusal(project: Project, expected: dict[str, str]) -> str:
    """Why this process must not render for a client that renders with ``expected``."""
    from .keys import environment, environment_difference

    return environment_difference(expected, environment(project)) or ""


def main() -> None:
    """``python -m pipeline.build.worker FD``: serve on the inherited socket FD."""
    detach()
    conn = Connection(int(sys.argv[1]))
    try:
        serve_snapshot(conn)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
