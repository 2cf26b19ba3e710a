"""Booklet imposition: a packet as 2-up pages for saddle stitching.

The print shop prints each sheet of paper on both sides, stacks them, folds
the stack in the middle and staples along the fold. For that, the pages are
padded with blanks to a multiple of 4 and placed two to a double-width side so
that the folded stack reads 1, 2, 3 ... n. For n pages, paper sheet i (from 0)
carries on its front [n-2i, 2i+1] and on its back [2i+2, n-2i-1] (left, right).

The result is a print master, not a document to read on screen: it keeps the
pages' look but not their structure tree, so it is not PDF/UA.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter, Transformation


def padded(pages: int) -> int:
    """The page count rounded up to a multiple of 4 (one folded sheet holds 4 pages)."""
    return max(4, -(-pages // 4) * 4)


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers (1-based) of every printed side, in print order:
    front and back of the first paper sheet, then the next. Numbers above
    ``pages`` are blanks."""
    n = padded(pages)
    sides = []
    for i in range(n // 4):
        sides.append((n - 2 * i, 2 * i + 1))  # front
        sides.append((2 * i + 2, n - 2 * i - 1))  # back
    return sides


def impose(data: bytes, title: str) -> bytes:
    """The 2-up saddle-stitch imposition of a PDF (all pages the size of the first)."""
    reader = PdfReader(io.BytesIO(data))
    count = len(reader.pages)
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    writer = PdfWriter()
    for pair in booklet_order(count):
        side = writer.add_blank_page(width=2 * width, height=height)
        for slot, number in enumerate(pair):
            if number > count:
                continue  # a blank page
            page = reader.pages[number - 1]
            origin = page.mediabox
            move = Transformation().translate(
                tx=slot * width - float(origin.left), ty=-float(origin.bottom)
            )
            side.merge_transformed_page(page, move)
    writer.add_metadata({"/Title": f"{title} (booklet)"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
