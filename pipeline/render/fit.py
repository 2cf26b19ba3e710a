"""Page fit: a sheet that would spill a few lines onto a new page is set tighter first.

A print coordinator sends back a sheet whose last page holds three lines and
the disclaimer. Before a page is added, the layout tries, in order, tighter
settings that stay within the brand's rules (body size, line height, colours
and order never change):

1. ``fit-spacing``: less space between paragraphs, list items, headings and
   boxes (sheet.css);
2. ``fit-columns``: the same, and the boxes that otherwise move whole to the
   next column (a callout, the help box) may continue in the next column, so
   that columns fill to their foot.

The first setting that needs fewer pages wins; if none does, the sheet keeps
its own setting and the page. The fill of a page is measured as the
``pdf-page-fill`` rule measures it in the PDF (checks/pagefill.py): per half
of the page's width (a column), how far down the content area text is set.
"""

from __future__ import annotations

#: Tighter settings, in the order they are tried (classes on <body>).
LEVELS = ("fit-spacing", "fit-columns")
#: A last page filled less than this is worth trying to avoid.
SPILL = 0.35


def page_fill(page) -> float:
    """How full a laid-out WeasyPrint page is: for each half of the content
    area's width, the share of its height above the lowest line or image there;
    the mean of both halves (a single column fills both)."""
    from weasyprint.formatting_structure import boxes

    box = page._page_box
    left, top = box.content_box_x(), box.content_box_y()
    width, height = box.width, box.height
    if width <= 0 or height <= 0:
        return 1.0
    middle = left + width / 2
    lowest = [top, top]

    def visit(node) -> None:
        if isinstance(node, boxes.MarginBox):
            return
        if isinstance(node, boxes.LineBox | boxes.ReplacedBox):
            x0 = node.position_x
            x1 = x0 + node.width
            bottom = node.position_y + node.height
            for half, (a, b) in enumerate(((left, middle), (middle, left + width))):
                if x0 < b and x1 > a:
                    lowest[half] = max(lowest[half], bottom)
            return
        for child in getattr(node, "children", ()):
            visit(child)

    visit(box)
    return sum(min(1.0, (low - top) / height) for low in lowest) / 2


def spills(document, max_pages: int | None = None) -> bool:
    """Whether a laid-out document is worth setting tighter: more pages than
    allowed, or a last page (after the first) that is mostly empty."""
    pages = document.pages
    if max_pages is not None and len(pages) > max_pages:
        return True
    return len(pages) > 1 and page_fill(pages[-1]) < SPILL
