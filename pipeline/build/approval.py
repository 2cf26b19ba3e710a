"""`factsheet approve`: the one way a sheet or a translation becomes approved.

Approval is refused unless the sheet, as it will be once approved, passes the
whole gate: the source rules and a fresh render of each variant through the
PDF rules. A translation is approved only after its source is. What approval
writes: one entry in sheets/<slug>/reviews.yaml (who, in what role, when, and
a hash of the approved text) and ``status: approved`` in the sheet, both in one
transaction (source/atomic.py), so no failure leaves one without the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from ..checks.gate import pdf_findings, source_findings
from ..checks.registry import Finding, has_errors
from ..checks.review import check_approval
from ..errors import CheckFailed, InputError
from ..render.options import VARIANTS, Options
from ..render.pdf import render_sheet
from ..source.atomic import STATE, write_files
from ..source.dates import today
from ..source.files import read_text
from ..source.loader import Loader
from ..source.model import Approval, Project, Sheet
from ..source.reviews import (
    REVIEW_LOG,
    appended_log,
    approved_text,
    current_approval,
    new_approval,
)


@dataclass(frozen=True)
class Approved:
    sheet: Sheet  # as approved
    approval: Approval
    log: str  # the review log, as shown
    findings: list[Finding]  # warnings that did not stop it
    already: bool = False  # nothing written: this text was approved before


def _sheet(project: Project, slug: str, lang: str) -> Sheet:
    broken = project.broken.get((slug, lang))
    if broken is not None:
        raise broken.error()
    if (slug, lang) not in project.sheets:
        have = ", ".join(project.languages_of(slug))
        raise InputError(
            f"no sheet '{slug}' in '{lang}'",
            f"sheets/{slug}/",
            hint=f"it exists in: {have}" if have else "`factsheet list` shows the sheets",
        )
    return project.sheets[(slug, lang)]


def approve(
    project: Project,
    slug: str,
    lang: str,
    by: str,
    role: str | None = None,
    on: dt.date | None = None,
) -> Approved:
    """Approve one sheet in one language, or refuse with every reason (CheckFailed)."""
    by = " ".join(by.split())
    role = " ".join(role.split()) if role else None
    if not by:
        raise InputError("--by needs the reviewer's name", hint="--by 'Dr. Ana Ruiz'")
    for option, value in (("--by", by), ("--role", role or "")):
        if len(value) > 200 or not value.isprintable():
            raise InputError(
                f"{option} must be a name of at most 200 printable characters",
                hint="it is written into the review log as it is",
            )
    sheet = _sheet(project, slug, lang)
    log_path = sheet.path.parent / REVIEW_LOG
    shown_log = f"sheets/{slug}/{REVIEW_LOG}"
    if sheet.front.approved:
        earlier = current_approval(project, sheet)
        if earlier is not None:
            return Approved(sheet, earlier, shown_log, [], already=True)
    origin = sheet.front.translation_of
    if origin is not None:
        source = project.sheets.get((slug, origin.lang))
        if (
            source is None
            or not source.front.approved
            or has_errors(check_approval(project, source))
        ):
            if source is None:
                state = "missing or cannot be read"
            elif source.front.approved:
                state = "marked approved, but its approval is not in the review log"
            else:
                state = f"still {source.front.status}"
            raise InputError(
                f"the source sheet ({origin.lang}) is {state}: approve it first",
                sheet.display,
                sheet.line_of("translation_of"),
                hint="a translation can only be approved against an approved source",
            )
    loader = Loader(project.root)
    text = approved_text(sheet.source_text)
    candidate = loader.sheet_from_text(
        sheet.path, text, project.org, project.policy, tuple(project.brand.callouts)
    )
    approval = new_approval(sheet, by, role, on or today())
    trial = replace(
        project,
        sheets={**project.sheets, (slug, lang): candidate},
        approvals={
            **project.approvals,
            slug: (*project.approvals.get(slug, ()), approval),
        },
    )
    findings = gate(trial, candidate)
    if has_errors(findings):
        count = sum(1 for f in findings if f.severity == "error")
        raise CheckFailed(
            f"cannot approve: {count} problem(s) with the sheet as it would be approved",
            findings=findings,
            path=sheet.display,
            hint="fix them, then approve again; nothing was written",
        )
    existing = read_text(log_path, shown_log) if log_path.exists() else None
    # The log and the sheet together or neither (a kill between them would
    # leave an approval the log does not back, or a log entry for a draft).
    write_files(
        {
            log_path: appended_log(existing, approval).encode("utf-8"),
            sheet.path: text.encode("utf-8"),
        },
        project.root / "output" / STATE,
    )
    return Approved(candidate, approval, shown_log, findings)


def gate(project: Project, sheet: Sheet) -> list[Finding]:
    """The source rules, then the PDF rules on a fresh render of every variant."""
    findings = list(source_findings(project, sheet))
    if has_errors(findings):
        return findings  # rendering would only repeat what the source says
    for variant in VARIANTS:
        rendered = render_sheet(project, sheet, Options(variant=variant))
        shown = str(Path(sheet.lang) / f"{sheet.slug}.{variant}.pdf (fresh render)")
        findings += pdf_findings(project, sheet, rendered.pdf, shown, variant)
    return findings
