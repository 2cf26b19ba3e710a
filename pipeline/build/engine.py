"""plan -> jobs -> cache -> executor (render + gate) -> atomic publish -> manifest.

The build process plans, runs the cheap source checks, skips jobs whose key is
unchanged, and alone publishes; rendering and the PDF checks run on an
executor (executor.py): by default render processes forked on this machine
(localpool.py), or the workers of a Dask cluster (cluster.py). Outcomes come
back here whatever ran them, so a cluster build publishes and writes the
manifest exactly as a local one does.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..checks.gate import brand_findings, source_findings
from ..checks.registry import Finding, has_errors
from ..checks.review import broken_findings
from ..errors import CheckFailed
from ..source.model import Project
from ..source.reviews import current_approval
from .executor import Executor, Tally, Task
from .keys import job_key
from .localpool import LocalPool
from .output import OutputFolder
from .plan import Job


@dataclass
class JobResult:
    job: Job
    #: built | skipped | failed | failing (published with a DRAFT band although it
    #: fails the gate: --allow-failing); pending while it runs
    status: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    path: str | None = None
    seconds: float = 0.0
    attempts: int = 0  # runs on a worker: more than 1 when a lost worker was replaced
    #: The sheet is not approved: its PDF carries the draft mark on every page.
    draft: bool = False


@dataclass
class BuildReport:
    results: list[JobResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.results)


#: Called with a finished job's result, or with None when only the tally changed.
Progress = Callable[[JobResult | None, Tally], None]


def manifest_entry(
    project: Project, job: Job, relpath: str, data: bytes, pages: int, draft: bool
) -> dict:
    sheet = project.sheet(job.slug, job.lang)
    front = sheet.front
    approval = current_approval(project, sheet) if front.approved else None
    return {
        "path": relpath,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "pages": pages,
        "slug": job.slug,
        "sheet_id": front.id,
        "title": front.title,
        "series": front.series,
        "summary": front.summary,
        "keywords": front.keywords,
        "version": front.version,
        "lang": job.lang,
        "variant": job.variant,
        "paper": job.paper,
        "print_marks": job.print_marks,
        "imprint": job.imprint,
        "qr": job.qr and not job.print_marks,
        # draft, in-review, machine-translated or approved; "draft" is true for
        # every status but approved: the PDF carries the draft mark on every page.
        "status": front.status,
        "draft": not front.approved,
        "approval": None
        if approval is None
        else {"by": approval.by, "role": approval.role, "date": approval.date.isoformat()},
        "draft_band": draft,
        "reviewed": front.reviewed.isoformat(),
        "next_review": front.next_review.isoformat(),
    }


def build(
    project: Project,
    jobs: list[Job],
    out: Path,
    workers: int = 1,
    force: bool = False,
    allow_failing: bool = False,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> BuildReport:
    """Build the jobs into ``out``; see the module docstring for the flow.

    ``executor`` runs the jobs the cache cannot skip (default: a LocalPool of
    ``workers`` processes). Interrupted (Ctrl-C), the build publishes the PDFs
    finished so far with the manifest that lists them, then re-raises; stopped
    by an error, it publishes nothing (output/ keeps its previous state).
    """
    started = time.perf_counter()
    brand = [f for f in brand_findings(project) if f.severity == "error"]
    if brand:
        raise CheckFailed(
            "; ".join(f.message for f in brand),
            findings=brand,
            path=brand[0].path,
            hint="fix the colours or sizes in brand.yaml; no PDF was built",
        )
    folder = OutputFolder(out)
    results: list[JobResult] = []
    tally = Tally(len(jobs))
    default_paper = project.org.default_paper
    with folder:
        if force:
            folder.clear_cache()
        entries = folder.manifest()
        todo: list[tuple[Task, str]] = []  # (task, job key)
        checked: dict[tuple[str, str], list[Finding]] = {}  # a sheet's variants share them
        for job in jobs:
            relpath = job.relpath(default_paper)
            broken = project.broken.get((job.slug, job.lang))
            if broken is not None:  # it alone fails; every other sheet goes on
                results.append(
                    JobResult(
                        job,
                        "failed",
                        broken_findings(broken),
                        error="\n".join(str(error) for error in broken.errors),
                        path=relpath,
                    )
                )
                _tell(progress, results[-1], tally)
                continue
            sheet = project.sheet(job.slug, job.lang)
            if (job.slug, job.lang) not in checked:
                checked[(job.slug, job.lang)] = source_findings(project, sheet, reuse=not force)
            found = list(checked[(job.slug, job.lang)])
            if has_errors(found) and not allow_failing:
                results.append(JobResult(job, "failed", found, path=relpath))
                _tell(progress, results[-1], tally)
                continue
            key = job_key(project, sheet, job)
            source_failed = has_errors(found)
            entry = None if (force or source_failed) else folder.cached(key)
            if entry is not None and entry.get("path") == relpath:
                entries[relpath] = entry
                draft = not sheet.front.approved
                results.append(JobResult(job, "skipped", found, path=relpath, draft=draft))
                _tell(progress, results[-1], tally)
                continue
            task = Task(len(todo), job, relpath, sheet.display, allow_failing, source_failed)
            todo.append((task, key))
            results.append(JobResult(job, "pending", found, path=relpath))

        pending = [r for r in results if r.status == "pending"]
        runner = executor or LocalPool(workers)
        try:
            # closing(): an error or Ctrl-C here stops the workers at once, not
            # when the traceback that keeps this frame alive is dropped.
            with closing(runner.run(project, [task for task, _ in todo])) as updates:
                for update in updates:
                    index = update.task.index
                    if update.kind == "finished":
                        tally.running.discard(index)
                        result = pending[index]
                        outcome = update.outcome or {}
                        key = todo[index][1]
                        with _uninterrupted():  # a PDF, its entry and its cache record
                            _publish(project, folder, entries, result, update.task, key, outcome)
                        _tell(progress, result, tally)
                        continue
                    tally.running.add(index)
                    if update.kind == "retrying":
                        tally.note = f"{update.task.relpath} runs again: {update.note}"
                    _tell(progress, None, tally)
                    tally.note = ""
        except KeyboardInterrupt:
            # What finished is complete: publish it, listed in the manifest.
            with _uninterrupted():
                folder.write_manifest(entries, f"factsheet {__version__}")
                folder.commit()
            raise
        # Stopped by an error (a full disk), nothing is published: the
        # transaction is dropped, and no manifest is staged to fail in its turn.
        folder.write_manifest(entries, f"factsheet {__version__}")
    return BuildReport(results, time.perf_counter() - started)


def _publish(
    project: Project,
    folder: OutputFolder,
    entries: dict[str, dict],
    result: JobResult,
    task: Task,
    key: str,
    outcome: dict,
) -> None:
    """Publish a finished job's PDF if it passed the gate (or is a draft); record it."""
    result.seconds = outcome.get("seconds", 0.0)
    result.attempts = outcome.get("attempts", 1)
    if "error" in outcome:
        result.status, result.error = "failed", outcome["error"]
        return
    result.findings += outcome["findings"]
    if has_errors(result.findings) and not outcome["draft"]:
        result.status = "failed"  # the previous good PDF stays
        return
    relpath, data = task.relpath, outcome["pdf"]
    folder.write(relpath, data)
    entry = manifest_entry(project, task.job, relpath, data, outcome["pages"], outcome["draft"])
    entries[relpath] = entry
    if not outcome["draft"]:
        folder.remember(key, entry)
    result.status = "failing" if outcome["draft"] else "built"
    result.draft = entry["draft"]


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C waits until the block is done, then interrupts as usual: what the
    block stages belongs together. Signals reach only the main thread; in any
    other the block simply runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt


def _tell(progress: Progress | None, result: JobResult | None, tally: Tally) -> None:
    if result is not None:
        tally.done += 1
    if progress is not None:
        progress(result, tally)
