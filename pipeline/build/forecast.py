"""`factsheet build --dry-run`: what a build would do, and why, without building.

For each job: up to date, to build (with the inputs that changed since its
last good build, read from the cache's key parts), or will fail, predicted
from what can be known without rendering: a sheet that cannot be read, and
every source rule (a review date that has passed, a link to no sheet ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks.gate import source_findings
from ..checks.registry import Finding, has_errors
from ..checks.review import broken_findings
from .keys import changed_inputs, job_key
from .output import OutputFolder
from .plan import Job


@dataclass
class Forecast:
    job: Job
    path: str
    state: str  # up to date | to build | will fail
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    key: str = ""

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "job": self.job.label,
            "state": self.state,
            "up_to_date": self.state == "up to date",
            "will_fail": self.state == "will fail",
            "reasons": self.reasons,
            "key": self.key[:12],
            "findings": [f.as_dict() for f in self.findings if f.severity == "error"],
        }


def forecast(project, jobs: list[Job], out_dir: Path, force: bool = False) -> list[Forecast]:
    """What building ``jobs`` into ``out_dir`` would do, job by job."""
    folder = OutputFolder(out_dir)
    default_paper = project.org.default_paper
    out = []
    for job in jobs:
        path = job.relpath(default_paper)
        broken = project.broken.get((job.slug, job.lang))
        if broken is not None:
            found = broken_findings(broken)
            reasons = [f"the sheet cannot be read: {len(found)} error(s), first: {_first(found)}"]
            out.append(Forecast(job, path, "will fail", reasons, found))
            continue
        sheet = project.sheet(job.slug, job.lang)
        found = source_findings(project, sheet, reuse=not force)
        key = job_key(project, sheet, job)
        if has_errors(found):
            errors = [f for f in found if f.severity == "error"]
            rules = ", ".join(sorted({f.rule for f in errors}))
            reasons = [f"the gate will refuse it ({rules}): {_first(errors)}"]
            out.append(Forecast(job, path, "will fail", reasons, found, key))
            continue
        if force:
            out.append(Forecast(job, path, "to build", ["--force rebuilds every job"], found, key))
        elif folder.cached(key) is not None:
            out.append(Forecast(job, path, "up to date", [], found, key))
        else:
            out.append(Forecast(job, path, "to build", _why(folder, path, key, sheet), found, key))
    return out


def _first(findings: list[Finding]) -> str:
    item = findings[0]
    return f"{item.location}: {item.message}"


def _why(folder: OutputFolder, path: str, key, sheet) -> list[str]:
    latest = folder.latest(path)
    if latest is None:
        return ["never built here"]
    if latest.get("key") == str(key):
        return ["the published PDF is missing or was changed"]
    before = latest.get("parts")
    if not isinstance(before, dict):
        return ["its inputs changed (the cache predates the record of them)"]
    return changed_inputs(before, key.parts, sheet) or ["its inputs changed"]
