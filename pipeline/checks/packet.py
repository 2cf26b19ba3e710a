"""The gate for a packet: each sheet carries its own required elements on its own
pages (pdf_content.check_packet_content), and the whole document is PDF/UA-1.
A packet has no page limit."""

from __future__ import annotations

import re

from ..source.model import Project, Sheet
from ..source.packets import LoadedPacket
from ..source.texts import sheet_texts
from .fidelity import check_fidelity
from .gate import unreadable
from .pdf_content import (
    PDF_LANG,
    PDF_SHEET_ID,
    PDF_TITLE,
    PDF_UA_ID,
    PageView,
    check_texts,
    missing_finding,
)
from .pdfua import check_pdfua
from .readpdf import ReadPdf, contains
from .registry import Finding, apply_policy, finding


def packet_findings(
    project: Project, loaded: LoadedPacket, data: bytes, path: str
) -> list[Finding]:
    """The gate for a packet: each sheet's required elements on its pages, and PDF/UA."""
    packet = loaded.packet
    try:
        pdf = ReadPdf(data)
        found = [
            *check_packet_content(
                pdf, project, packet.title, packet.lang, list(loaded.sheets), path
            ),
            *check_pdfua(pdf, path),
        ]
    except Exception as error:  # noqa: BLE001 - a damaged PDF; see gate.unreadable
        found = [unreadable(path, error)]
    return apply_policy(found, project.policy, packet.lang)


def sheet_pages(pdf: ReadPdf, idents: list[str]) -> list[range | None]:
    """The pages of each sheet in a packet, in order.

    Every sheet starts on a new page and ends with its footer, whose id line
    (in the text, not the running footer artifact) closes the sheet; a sheet
    whose id is nowhere after the previous one gets None.
    """
    ranges: list[range | None] = []
    start = 0
    count = len(pdf.page_texts)
    for ident in idents:
        end = next((i for i in range(start, count) if contains(pdf.page_texts[i], ident)), None)
        if end is None:
            ranges.append(None)
            continue
        ranges.append(range(start, end + 1))
        start = end + 1
    return ranges


def check_packet_content(
    pdf: ReadPdf, project: Project, title: str, lang: str, sheets: list[Sheet], path: str
) -> list[Finding]:
    """A packet: each sheet carries its own required elements on its own pages; the
    packet's title and language are the document's. No page limit for packets."""
    required = project.policy.required
    per_sheet = [r for r in required if r not in ("title", "document_language")]
    out: list[Finding] = []
    texts_of = [sheet_texts(project, sheet) for sheet in sheets]
    idents = [t.ident for t in texts_of]
    for sheet, texts, pages in zip(sheets, texts_of, sheet_pages(pdf, idents), strict=True):
        if pages is None:
            if "sheet_id" in required:
                out.append(missing_finding(PDF_SHEET_ID, path, pdf, "sheet id", texts.ident, 1))
            view = PageView(pdf.page_texts, pdf.text)
        else:
            view = PageView(
                [t if i in pages else "" for i, t in enumerate(pdf.page_texts)],
                pdf.tree_text(set(pages)),
            )
        out.extend(check_texts(view, texts, path, per_sheet))
        out.extend(check_fidelity(view.text, sheet, path))
        if "title" in required and not contains(view.text, texts.title):
            first = pages.start + 1 if pages else 1
            out.append(missing_finding(PDF_TITLE, path, pdf, "sheet title", texts.title, first))
    if "title" in required:
        found = str(pdf.info.get("/Title", ""))
        if found != title:
            out.append(
                finding(PDF_TITLE, path, None, f"document title is '{found}', expected '{title}'")
            )
        if "dc:title" not in pdf.xmp:
            out.append(finding(PDF_TITLE, path, None, "XMP metadata has no dc:title"))
    if "document_language" in required and pdf.lang != lang:
        out.append(
            finding(PDF_LANG, path, None, f"catalog /Lang is {pdf.lang!r}, expected '{lang}'")
        )
    if not re.search(r"pdfuaid:part(=\"|>)1", pdf.xmp):
        out.append(finding(PDF_UA_ID, path, None, "XMP has no pdfuaid:part 1"))
    return out
