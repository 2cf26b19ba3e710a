"""Pages a designer would send back: a page whose content area is mostly empty.

Read from the produced file (drawn.py), like every PDF rule: for each half of
the page's content area (its /ArtBox) by width (a column of a two-column
sheet; a single column fills both halves), how far down the text and images a
reader gets are set, as a share of the area's height; a page's fill is the
mean of its two halves. A page under ``MIN_FILL`` is ``pdf-page-fill``, a
warning: the layout already tries tighter settings before it adds a page
(render/fit.py), so what is left is for an editor to decide (shorten the
sheet, or add to it).
"""

from __future__ import annotations

from .drawn import Box, Page, read_page
from .readpdf import ReadPdf
from .registry import Finding, finding, rule
from .visible import art_box

PAGE_FILL = rule(
    "pdf-page-fill",
    "warning",
    "pdf",
    "a page is less than 30% full: its text and images end high up in both halves of the page",
)
MIN_FILL = 0.30


def halves(page: Page, art: Box) -> tuple[float, float]:
    """How far down each half of the content area (left, right) text or images reach, 0..1."""
    x0, y0, x1, y1 = art
    height = y1 - y0
    if height <= 0 or x1 <= x0:
        return 1.0, 1.0
    middle = (x0 + x1) / 2
    lowest = [y1, y1]
    boxes = [r.box for r in page.runs if not r.artifact and not r.invisible and r.text.strip()]
    boxes += [p.box for p in page.paints if p.image and not p.artifact]
    for box in boxes:
        if box[2] <= x0 or box[0] >= x1 or box[3] <= y0 or box[1] >= y1:
            continue  # outside the content area: layout-overflow's business
        for half, (a, b) in enumerate(((x0, middle), (middle, x1))):
            if box[0] < b and box[2] > a:
                lowest[half] = min(lowest[half], max(box[1], y0))
    left, right = ((y1 - low) / height for low in lowest)
    return min(1.0, left), min(1.0, right)


def page_fill(page: Page, art: Box) -> float:
    left, right = halves(page, art)
    return (left + right) / 2


def check_page_fill(pdf: ReadPdf, path: str) -> list[Finding]:
    """One warning per page filled less than MIN_FILL."""
    out: list[Finding] = []
    count = len(pdf.reader.pages)
    for index in range(count):
        page = read_page(pdf, index)
        left, right = halves(page, art_box(pdf, index))
        fill = (left + right) / 2
        if fill >= MIN_FILL:
            continue
        out.append(
            finding(
                PAGE_FILL,
                path,
                None,
                f"page {index + 1} of {count} is {fill:.0%} full (text ends {left:.0%} of the "
                f"way down its left half, {right:.0%} down its right half)",
                "shorten the sheet to save the page, or give it more to say; the layout "
                "already tried tighter spacing and column fill",
                page=index + 1,
            )
        )
    return out
