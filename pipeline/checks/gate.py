"""The compliance gate: every check that decides whether a PDF may be published.

One function for the source of a sheet and one for a produced PDF, so that
`factsheet check` and `factsheet build` apply exactly the same rules.
"""

from __future__ import annotations

import datetime as dt

from ..source.dates import today
from ..source.model import Clinic, Project, Sheet
from ..source.texts import sheet_texts
from .brand import check_brand
from .contacts import check_contacts
from .fidelity import check_fidelity
from .findingcache import finding_cache, findings_key
from .pagefill import check_page_fill
from .pdf_content import check_pdf_content
from .pdf_links import check_pdf_links
from .pdfua import check_pdfua
from .readpdf import ReadPdf
from .registry import Finding, apply_policy, finding, rule
from .review import check_approval, check_draft_mark, check_placeholders
from .source import check_source
from .translation import check_translation
from .translation_blocks import check_blocks_translation
from .visible import check_overflow, check_required_visible, check_visible

PDF_UNREADABLE = rule(
    "pdf-unreadable",
    "error",
    "pdf",
    "the PDF cannot be read back (damaged, truncated, too complex)",
)


def source_findings(
    project: Project, sheet: Sheet, on: dt.date | None = None, reuse: bool = True
) -> list[Finding]:
    """Rules on the sheet as written, with the policy's severities applied.

    The shared blocks of the sheet's language are part of every sheet printed in
    it, so their translation findings (blocks/<lang>.yaml) gate each such sheet.
    The findings are kept between runs under a key of everything the rules read
    (findingcache.py); ``reuse=False`` (build --force) works them out again."""
    now = on or today()
    cache = finding_cache(project)
    key = findings_key(project, sheet, now)
    if reuse:
        kept = cache.get(key)
        if kept is not None:
            return kept
    found = _source_rules(project, sheet, now)
    cache.put(key, found)
    return found


def _source_rules(project: Project, sheet: Sheet, on: dt.date) -> list[Finding]:
    found = [
        *check_source(project, sheet, on),
        *check_contacts(project, sheet),
        *check_approval(project, sheet),
        *check_placeholders(sheet),
        *_translation(project, sheet),
        *project.derived(  # the same for every sheet in the language: once per project
            f"blocks_translation:{sheet.lang}",
            lambda: check_blocks_translation(project, sheet.lang),
        ),
    ]
    return apply_policy(found, project.policy, sheet.lang)


def _translation(project: Project, sheet: Sheet) -> list[Finding]:
    """Translation rules, unless the source cannot be read (it fails on its own:
    one broken sheet never fails another)."""
    origin = sheet.front.translation_of
    if origin is not None and (sheet.slug, origin.lang) in project.broken:
        return []
    return check_translation(project, sheet)


def brand_findings(project: Project) -> list[Finding]:
    """Brand rules (contrast, type size), once per build."""
    shown = str((project.brand_dir / "brand.yaml").relative_to(project.root))
    return apply_policy(check_brand(project.brand, shown), project.policy, None)


def pdf_findings(
    project: Project,
    sheet: Sheet,
    data: bytes,
    path: str,
    variant: str = "standard",
    clinic: Clinic | None = None,
) -> list[Finding]:
    """Rules on a produced PDF, read back from its bytes (``clinic``: an imprinted copy's)."""
    try:
        pdf = ReadPdf(data)
        texts = sheet_texts(project, sheet, clinic)
        found = [
            *check_pdf_content(pdf, project, sheet, texts, path, variant, clinic),
            *check_fidelity(pdf.text, sheet, path),
            *check_draft_mark(pdf, project, sheet, path),
            *check_pdfua(pdf, path),
            *check_overflow(pdf, sheet, path),
            *check_pdf_links(pdf, project, path),
            *check_page_fill(pdf, path),
        ]
        if "contact_hours" in project.policy.required:
            found += check_visible(pdf, texts, path)
        found += check_required_visible(pdf, texts, path, project.policy.required)
    except Exception as error:  # noqa: BLE001 - see unreadable()
        found = [unreadable(path, error)]
    return apply_policy(found, project.policy, sheet.lang)


def unreadable(path: str, error: Exception) -> Finding:
    """A PDF that cannot be read back fails the gate: nothing it should carry can be proven.

    A damaged or hostile file (truncated, a stream past pypdf's limits, broken
    objects) makes pypdf raise almost any exception type, so any is caught here.
    """
    return finding(
        PDF_UNREADABLE,
        path,
        None,
        f"the PDF cannot be read ({type(error).__name__}: {error})",
        "a damaged file, or one too complex to read back (a huge drawing, a word of "
        "thousands of characters): rebuild it, or simplify the sheet",
    )
