"""The compliance gate: every check that decides whether a PDF may be published.

One function for the source of a sheet and one for a produced PDF, so that
`factsheet check` and `factsheet build` apply exactly the same rules.
"""

from __future__ import annotations

import datetime as dt

from .checks import Finding, apply_policy
from .checks.brand import check_brand
from .checks.content import check_pdf_content
from .checks.pdfua import check_pdfua
from .checks.source import check_source
from .checks.translation import check_translation
from .model import Project, Sheet
from .pdf import ReadPdf


def source_findings(project: Project, sheet: Sheet, on: dt.date | None = None) -> list[Finding]:
    """Rules on the sheet as written, with the policy's severities applied."""
    found = [*check_source(project, sheet, on), *check_translation(project, sheet)]
    return apply_policy(found, project.policy, sheet.lang)


def brand_findings(project: Project) -> list[Finding]:
    """Brand rules (contrast, type size), once per build."""
    shown = str((project.brand_dir / "brand.yaml").relative_to(project.root))
    return apply_policy(check_brand(project.brand, shown), project.policy, None)


def pdf_findings(
    project: Project, sheet: Sheet, data: bytes, path: str, variant: str = "standard"
) -> list[Finding]:
    """Rules on a produced PDF, read back from its bytes."""
    pdf = ReadPdf(data)
    found = [*check_pdf_content(pdf, project, sheet, path, variant), *check_pdfua(pdf, path)]
    return apply_policy(found, project.policy, sheet.lang)
