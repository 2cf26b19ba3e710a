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

Each try is a whole layout again, so it is only made where it can succeed:
when what the last page holds would fit in the room left at the foot of the
page before it plus what tighter spacing saves (``SAVING`` of the content, a
little more than the tighter settings were measured to save on the sample
sheets), or when the sheet has more pages than the policy allows.
"""

from __future__ import annotations

#: Tighter settings, in the order they are tried (classes on <body>).
LEVELS = ("fit-spacing", "fit-columns")
#: The share of a sheet's height tighter settings may save (measured: 2-5 %).
SAVING = 0.06


def page_fill(page) -> float:
    """How full a laid-out WeasyPrint page is: the mean of ``halves``."""
    left, right = halves(page)
    return (left + right) / 2


def halves(page) -> tuple[float, float]:
    """For each half of a laid-out page's content area by width (a column; a
    single column spans both), the share of its height above the lowest line
    or image there."""
    from weasyprint.formatting_structure import boxes

    box = page._page_box
    left, top = box.content_box_x(), box.content_box_y()
    width, height = box.width, box.height
    if width <= 0 or height <= 0:
        return 1.0, 1.0
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
    left, right = (min(1.0, (low - top) / height) for low in lowest)
    return left, right


def spills(document, max_pages: int | None = None) -> bool:
    """Whether a laid-out document is worth setting tighter: more pages than
    allowed, or a last page whose content could move back onto the one before."""
    pages = document.pages
    if max_pages is not None and len(pages) > max_pages:
        return True
    if len(pages) < 2:
        return False
    fills = [sum(halves(page)) for page in pages]  # in half pages (columns)
    room = 2 - fills[-2]
    return fills[-1] <= room + SAVING * sum(fills)
