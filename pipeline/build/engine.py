"""plan -> jobs -> cache -> (parallel) render + gate -> atomic publish -> manifest.

The main process plans, runs the cheap source checks, skips jobs whose key is
unchanged, and publishes; rendering and the PDF checks run in worker processes
that each load the project once and keep WeasyPrint's fonts warm across jobs.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..checks.gate import brand_findings, pdf_findings, source_findings
from ..checks.registry import Finding, has_errors
from ..errors import CheckFailed, FactsheetError
from ..render.pdf import render_sheet
from ..source.clinics import load_clinic
from ..source.loader import load_project
from ..source.model import Project
from .keys import job_key
from .output import OutputFolder
from .plan import Job


@dataclass
class JobResult:
    job: Job
    status: str  # built | skipped | failed | draft
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    path: str | None = None
    seconds: float = 0.0


@dataclass
class BuildReport:
    results: list[JobResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.results)


# -- worker side -------------------------------------------------------------

_PROJECT: Project | None = None


def _worker_init(root: str) -> None:
    global _PROJECT
    _PROJECT = load_project(Path(root))


def render_job(
    project: Project, job: Job, relpath: str, allow_failing: bool, source_failed: bool = False
) -> dict:
    """Render one job and run the PDF gate on it. Returns plain data (picklable).

    With ``allow_failing``, a job that fails the gate (or whose source already
    failed) is rendered again with a visible DRAFT band.
    """
    sheet = project.sheet(job.slug, job.lang)
    started = time.perf_counter()
    try:
        clinic = load_clinic(project, job.imprint) if job.imprint else None
        rendered = render_sheet(project, sheet, job.options(draft_band=source_failed))
        findings = pdf_findings(project, sheet, rendered.pdf, relpath, job.variant, clinic)
        draft = source_failed
        if has_errors(findings) and allow_failing and not draft:
            rendered = render_sheet(project, sheet, job.options(draft_band=True))
            findings = pdf_findings(project, sheet, rendered.pdf, relpath, job.variant, clinic)
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


def _worker_job(job: Job, relpath: str, allow_failing: bool, source_failed: bool) -> dict:
    assert _PROJECT is not None
    return render_job(_PROJECT, job, relpath, allow_failing, source_failed)


# -- main side ---------------------------------------------------------------


def manifest_entry(
    project: Project, job: Job, relpath: str, data: bytes, pages: int, draft: bool
) -> dict:
    front = project.sheet(job.slug, job.lang).front
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
        "status": front.status,
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
    progress: Callable[[JobResult, int, int], None] | None = None,
) -> BuildReport:
    """Build the jobs into ``out``; see the module docstring for the flow."""
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
    default_paper = project.org.default_paper
    with folder:
        if force:
            folder.clear_cache()
        entries = folder.manifest()
        todo: list[tuple[Job, str, str, bool]] = []
        done = 0
        for job in jobs:
            sheet = project.sheet(job.slug, job.lang)
            relpath = job.relpath(default_paper)
            found = source_findings(project, sheet)
            if has_errors(found) and not allow_failing:
                results.append(JobResult(job, "failed", found, path=relpath))
                done += 1
                _tell(progress, results[-1], done, len(jobs))
                continue
            key = job_key(project, sheet, job)
            source_failed = has_errors(found)
            entry = None if (force or source_failed) else folder.cached(key)
            if entry is not None and entry.get("path") == relpath:
                entries[relpath] = entry
                results.append(JobResult(job, "skipped", found, path=relpath))
                done += 1
                _tell(progress, results[-1], done, len(jobs))
                continue
            todo.append((job, relpath, key, source_failed))
            results.append(JobResult(job, "pending", found, path=relpath))

        pending = {(r.job, r.path): r for r in results if r.status == "pending"}
        for (job, relpath, key, _), outcome in _run(project, todo, workers, allow_failing):
            result = pending[(job, relpath)]
            result.seconds = outcome.get("seconds", 0.0)
            if "error" in outcome:
                result.status, result.error = "failed", outcome["error"]
            else:
                result.findings += outcome["findings"]
                if has_errors(result.findings) and not outcome["draft"]:
                    result.status = "failed"  # the previous good PDF stays
                else:
                    folder.write(relpath, outcome["pdf"])
                    entry = manifest_entry(
                        project, job, relpath, outcome["pdf"], outcome["pages"], outcome["draft"]
                    )
                    entries[relpath] = entry
                    if not outcome["draft"]:
                        folder.remember(key, entry)
                    result.status = "draft" if outcome["draft"] else "built"
            done += 1
            _tell(progress, result, done, len(jobs))
        folder.write_manifest(entries, f"factsheet {__version__}")
    return BuildReport(results, time.perf_counter() - started)


def _tell(progress, result: JobResult, done: int, total: int) -> None:
    if progress is not None:
        progress(result, done, total)


def _run(project: Project, todo, workers: int, allow_failing: bool) -> Iterator[tuple]:
    """Render jobs; yield (job, relpath, key, source_failed), outcome as they complete."""
    if not todo:
        return
    if workers <= 1 or len(todo) == 1:
        for item in todo:
            job, relpath, _, source_failed = item
            yield item, render_job(project, job, relpath, allow_failing, source_failed)
        return
    workers = min(workers, len(todo))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(str(project.root),)
    ) as pool:
        futures = {
            pool.submit(_worker_job, item[0], item[1], allow_failing, item[3]): item
            for item in todo
        }
        remaining = set(futures)
        while remaining:
            finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in finished:
                yield futures[future], future.result()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
