"""Editorial rules: a sheet that cannot be read, an approval the review log does
not back, text `factsheet new` left for the author to replace, and the draft
mark a sheet that is not approved must show on every page of its PDF.

A sheet that cannot be read fails only itself: its load errors become
``sheet-invalid`` findings, so that text, JSON and JUnit reports name it
beside the sheets that loaded. That rule cannot be tuned: a sheet that cannot
be read cannot be built.
"""

from __future__ import annotations

from ..source.cldr import direction
from ..source.markdown import plain_text
from ..source.model import BrokenSheet, Project, Sheet
from ..source.reviews import REVIEW_LOG, STATUS_KEY, approvals_of, current_approval
from ..source.scaffold import PLACEHOLDERS
from ..source.texts import draft_mark
from .drawn import drawn_texts
from .readpdf import ReadPdf, contains, normalise, tokens
from .registry import Finding, finding, rule

SHEET_INVALID = rule(
    "sheet-invalid",
    "error",
    "source",
    "the sheet cannot be read (YAML, front matter or Markdown errors); it alone fails",
    tunable=False,
)
PROJECT_INVALID = rule(
    "project-invalid",
    "error",
    "source",
    "a shared file (org, policy, blocks, brand) cannot be read; no sheet can be built",
    tunable=False,
)
REVIEW_UNRECORDED = rule(
    "review-unrecorded",
    "error",
    "source",
    "status is approved, but the review log holds no approval of this text (translations; "
    "source sheets once they have an entry)",
)
PDF_DRAFT_MARK = rule(
    "pdf-draft-mark",
    "error",
    "pdf",
    "a sheet that is not approved lacks its draft mark on a page or its status in the "
    "document info (or an approved one shows a draft mark)",
)
SCAFFOLD_PLACEHOLDER = rule(
    "scaffold-placeholder",
    "error",
    "source",
    "placeholder text from `factsheet new` has not been replaced",
)


def broken_findings(broken: BrokenSheet) -> list[Finding]:
    """Every load error of a sheet that could not be read, as a finding."""
    return error_findings(SHEET_INVALID, list(broken.errors), broken.display)


def error_findings(rule_id: str, errors: list, default_path: str) -> list[Finding]:
    """Input errors as findings of ``rule_id`` (for reports that must list them)."""
    return [
        finding(rule_id, error.path or default_path, error.line, error.message, error.hint)
        for error in errors
    ]


def check_approval(project: Project, sheet: Sheet) -> list[Finding]:
    """``status: approved`` holds only with an approval of this very text in the log.

    `factsheet approve` is the one way a translation becomes approved. A sheet
    in its source language may be approved by its medical review alone
    (reviewed, reviewed_by); once its language has an entry in the log, it
    too needs an approval of its current text.
    """
    if not sheet.front.approved or current_approval(project, sheet) is not None:
        return []
    earlier = approvals_of(project, sheet)
    if sheet.front.translation_of is None and not earlier:
        return []
    log = f"sheets/{sheet.slug}/{REVIEW_LOG}"
    command = f"factsheet approve {sheet.slug} --lang {sheet.lang} --by NAME"
    if earlier:
        last = earlier[0]
        message = (
            f"status is approved, but the text changed after its approval by {last.by} "
            f"on {last.date.isoformat()} ({log})"
        )
    else:
        message = f"status is approved, but {log} holds no approval of this text"
    return [
        finding(
            REVIEW_UNRECORDED,
            sheet.display,
            sheet.line_of("status"),
            message,
            f"have it reviewed, then run `{command}`; until then write status: draft",
        )
    ]


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def check_placeholders(sheet: Sheet) -> list[Finding]:
    """The sentences `factsheet new` writes for the author to replace."""
    wanted = {_normal(text) for text in PLACEHOLDERS}
    front = sheet.front
    pieces = [
        (value, sheet.line_of(key))
        for key, value in (
            ("title", front.title),
            ("summary", front.summary),
            ("audience", front.audience),
        )
        if value
    ]
    pieces += [(unit.text, unit.line) for unit in sheet.body.units]
    out = []
    for text, line in pieces:
        shown = plain_text(text).strip()
        if _normal(shown) in wanted:
            out.append(
                finding(
                    SCAFFOLD_PLACEHOLDER,
                    sheet.display,
                    line,
                    f"placeholder text from `factsheet new` is still here: '{shown}'",
                    "replace it with the sheet's own words",
                )
            )
    return out


def drawn(text: str, mark: str, rtl: bool = False) -> bool:
    """Whether ``mark`` is drawn in a page's text as its glyphs are drawn
    (drawn.drawn_texts), artifacts included. The running mark is an artifact,
    so no /ActualText says what its glyphs read: compared loosely
    (readpdf.normalise: no spaces, so a Devanagari conjunct split in two still
    counts). Right-to-left glyphs are drawn in visual order, so for those
    scripts the text is also read reversed, then word by word."""
    haystack = normalise(text)
    if normalise(mark) in haystack:
        return True
    if not rtl:
        return False
    backwards = normalise(text[::-1])
    if normalise(mark) in backwards:
        return True
    return all(normalise(w) in haystack or normalise(w) in backwards for w in tokens(mark))


def check_draft_mark(pdf: ReadPdf, project: Project, sheet: Sheet, path: str) -> list[Finding]:
    """A draft never looks final: its mark is drawn on every page and read out on
    the first (tagged text, read exactly), and the document info names its status."""
    out = []
    status = str(pdf.info.get(f"/{STATUS_KEY}", "") or "")
    if status != sheet.front.status:
        out.append(
            finding(
                PDF_DRAFT_MARK,
                path,
                None,
                f"the document info says status '{status or '(none)'}', "
                f"the sheet is {sheet.front.status}",
                "rebuild the PDF",
            )
        )
    labels = project.blocks[sheet.lang].labels
    mark = draft_mark(labels, sheet)
    rtl = direction(sheet.lang) == "rtl"
    if mark is None:
        marks = (labels.draft_translation, labels.machine_translation, labels.draft_sheet)
        for index, text in enumerate(drawn_texts(pdf), 1):
            shown = next((m for m in marks if drawn(text, m)), None)
            if shown:
                out.append(
                    finding(
                        PDF_DRAFT_MARK,
                        path,
                        None,
                        f"the sheet is approved, but page {index} says '{shown}'",
                        "the template marks drafts only; rebuild the PDF",
                        page=index,
                    )
                )
        return out
    heard = pdf.page_texts
    for index, text in enumerate(drawn_texts(pdf), 1):
        tagged = index <= len(heard) and contains(heard[index - 1], mark)
        if not (tagged or drawn(text, mark, rtl)):
            out.append(
                finding(
                    PDF_DRAFT_MARK,
                    path,
                    None,
                    f"the sheet is {sheet.front.status}, but page {index} does not show '{mark}'",
                    "the template or its CSS dropped the draft mark (data-mark on the header "
                    "band, .draft-mark under the title)",
                    page=index,
                )
            )
    if heard and not contains(heard[0], mark):
        out.append(
            finding(
                PDF_DRAFT_MARK,
                path,
                None,
                f"the sheet is {sheet.front.status}, but a screen reader does not hear "
                f"'{mark}' on page 1",
                "keep the tagged .draft-mark paragraph under the title",
                page=1,
            )
        )
    return out
