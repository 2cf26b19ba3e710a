"""What the produced PDF says: the gate reads the file, not the source.

Each required element is rendered again for the sheet's language (texts.py,
CLDR) and looked for, whole and in order, in the text a screen reader hears
(readpdf.py: structure-tree order, /ActualText honoured, reading_form).
A finding names the page that should have carried the element and the
closest stretch of text that was there instead.

An imprinted copy is checked with its clinic (the build knows it; `factsheet
check` reads it from the document info): the clinic's channels and hours are
then required as well. A packet is checked sheet by sheet, each on its own
pages (packet.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..source.model import Clinic, Project, Sheet
from ..source.texts import SheetTexts
from .readpdf import ReadPdf, closest, contains
from .registry import Finding, finding, rule

PDF_DISCLAIMER = rule("pdf-disclaimer", "error", "pdf", "the PDF text lacks the disclaimer")
PDF_CONTACT = rule("pdf-contact", "error", "pdf", "the PDF text lacks a contact channel")
PDF_HOURS = rule("pdf-hours", "error", "pdf", "the PDF text lacks a channel's hours")
PDF_REVIEW_DATE = rule("pdf-review-date", "error", "pdf", "the PDF text lacks the review dates")
PDF_SHEET_ID = rule("pdf-sheet-id", "error", "pdf", "the PDF lacks the sheet id and version")
PDF_TITLE = rule("pdf-title", "error", "pdf", "the PDF title (metadata or text) does not match")
PDF_LANG = rule("pdf-lang", "error", "pdf", "the PDF's /Lang does not match the sheet")
PDF_UA_ID = rule("pdf-ua-id", "error", "pdf", "the PDF does not identify itself as PDF/UA-1")
PDF_PAGES = rule("pdf-pages", "error", "pdf", "the PDF has more pages than the policy allows")

_REQUIRED_RULES = {
    "disclaimer": (PDF_DISCLAIMER,),
    "contact_hours": (PDF_CONTACT, PDF_HOURS),
    "review_date": (PDF_REVIEW_DATE,),
    "sheet_id": (PDF_SHEET_ID,),
    "document_language": (PDF_LANG,),
    "title": (PDF_TITLE,),
}


def missing_finding(
    rule_id: str, path: str, pdf: ReadPdf, what: str, expected: str, page: int
) -> Finding:
    found = closest(pdf.page_texts[page - 1] if pdf.page_texts else "", expected)
    return finding(
        rule_id,
        path,
        None,
        f"{what} not found: expected '{expected[:120]}' on page {page}; "
        f"closest text there: '{found or '(no text)'}'",
        "the template or its CSS may have dropped it; the source is not enough",
        page=page,
    )


@dataclass(frozen=True)
class PageView:
    """Some pages of a PDF with the others blanked: one sheet inside a packet.
    ``text`` is what those pages carry in structure-tree order."""

    page_texts: list[str]
    text: str


def check_texts(
    pdf: ReadPdf | PageView,
    texts: SheetTexts,
    path: str,
    required: list[str],
) -> list[Finding]:
    """Look for every required element in the PDF's text as a reader hears it
    (structure-tree order, artifacts excluded): each one whole and in order,
    right-to-left sheets included."""
    out: list[Finding] = []
    last = max(1, len(pdf.page_texts))
    text = pdf.text
    if "disclaimer" in required and not contains(text, texts.disclaimer):
        out.append(missing_finding(PDF_DISCLAIMER, path, pdf, "disclaimer", texts.disclaimer, last))
    if "contact_hours" in required:
        owned = [("", c) for c in texts.channels] + [("clinic ", c) for c in texts.clinic_channels]
        for owner, channel in owned:
            name = f"{owner}{channel.id}"
            if not contains(text, channel.text):
                out.append(
                    missing_finding(
                        PDF_CONTACT,
                        path,
                        pdf,
                        f"{name} ({channel.label})",
                        channel.text,
                        last,
                    )
                )
            for line in channel.hours:
                if not contains(text, line):
                    out.append(
                        missing_finding(PDF_HOURS, path, pdf, f"hours of {name}", line, last)
                    )
    if "review_date" in required:
        for expected in (texts.reviewed, texts.next_review):
            if not contains(text, expected):
                out.append(
                    missing_finding(PDF_REVIEW_DATE, path, pdf, "review date", expected, last)
                )
    if "sheet_id" in required and not contains(text, texts.ident):
        out.append(
            missing_finding(PDF_SHEET_ID, path, pdf, "sheet id and version", texts.ident, last)
        )
    if "title" in required and not contains(
        pdf.page_texts[0] if pdf.page_texts else "", texts.title
    ):
        out.append(missing_finding(PDF_TITLE, path, pdf, "title", texts.title, 1))
    return out


def check_metadata(
    pdf: ReadPdf,
    project: Project,
    sheet: Sheet,
    texts: SheetTexts,
    path: str,
    max_pages: int | None = None,
) -> list[Finding]:
    """Title, language, PDF/UA identification, sheet id and page count."""
    out: list[Finding] = []
    required = project.policy.required
    info = pdf.info
    if "title" in required:
        title = str(info.get("/Title", ""))
        if title != texts.doc_title:
            out.append(
                finding(
                    PDF_TITLE,
                    path,
                    None,
                    f"document title is '{title}', expected '{texts.doc_title}'",
                )
            )
        if "<dc:title>" not in pdf.xmp and "dc:title" not in pdf.xmp:
            out.append(finding(PDF_TITLE, path, None, "XMP metadata has no dc:title"))
    if "document_language" in required and pdf.lang != sheet.lang:
        out.append(
            finding(PDF_LANG, path, None, f"catalog /Lang is {pdf.lang!r}, expected '{sheet.lang}'")
        )
    if not re.search(r"pdfuaid:part(=\"|>)1", pdf.xmp):
        out.append(
            finding(
                PDF_UA_ID,
                path,
                None,
                "XMP has no pdfuaid:part 1",
                "render with pdf_variant='pdf/ua-1'",
            )
        )
    if "sheet_id" in required:
        got = (str(info.get("/FactsheetId", "")), str(info.get("/FactsheetVersion", "")))
        if got != (sheet.front.id, sheet.front.version):
            out.append(
                finding(
                    PDF_SHEET_ID,
                    path,
                    None,
                    f"document info says sheet {got[0]!r} version {got[1]!r}, "
                    f"expected {sheet.front.id!r} version {sheet.front.version!r}",
                )
            )
    limit = max_pages or project.policy.max_pages_for(sheet.lang)
    pages = len(pdf.reader.pages)
    if pages > limit:
        out.append(
            finding(
                PDF_PAGES,
                path,
                None,
                f"{pages} pages, the policy allows {limit}",
                "shorten the sheet or raise max_pages in policy.yaml",
                page=pages,
            )
        )
    return out


def check_pdf_content(
    pdf: ReadPdf,
    project: Project,
    sheet: Sheet,
    texts: SheetTexts,
    path: str,
    variant: str = "standard",
    clinic: Clinic | None = None,
) -> list[Finding]:
    """The required elements of one sheet's PDF (``texts``: sheet_texts of the sheet
    and ``clinic``); an imprinted copy must carry the clinic's numbers and hours too."""
    policy = project.policy
    max_pages = policy.max_pages_large_print if variant == "large-print" else None
    if clinic is not None:  # the "Your clinic" box may take the sheet onto another page
        max_pages = (max_pages or policy.max_pages_for(sheet.lang)) + policy.imprint_extra_pages
    return [
        *check_texts(pdf, texts, path, project.policy.required),
        *check_metadata(pdf, project, sheet, texts, path, max_pages),
    ]
