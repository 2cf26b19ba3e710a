"""Two columns laid out in one pass: ``column-fill: auto`` without WeasyPrint's trial runs.

WeasyPrint 70 lays out a multi-column box (layout/column.py) by trial: it renders
every column at the full height, renders the box that would come next in a
column once more to measure it, and, when the content fits, starts again at
the average height and grows the columns until they balance (``column-fill:
balance``, the initial value); only then does it render the columns for real.
Profiling a warm render of a two-page sheet put about 70 % of the time there.

A fact sheet's columns are filled in order (CSS Multi-column Layout 1, 7.1:
``column-fill: auto`` "fills columns sequentially"), so no trial is needed:
each column is laid out once, at the height left on the page, and continues
where the previous one stopped. ``install`` makes WeasyPrint do exactly that
for a column box with ``column-fill: auto``, no spanning element
(``column-span: all``), no fixed height and no footnotes on the page; any other
column box keeps WeasyPrint's own algorithm.

Pinned to WeasyPrint 70.x (pyproject.toml): it replaces one of its internals and
mirrors the part of ``columns_layout`` it keeps.
"""

from __future__ import annotations

from math import floor

_INSTALLED = False


def install() -> None:
    """Route ``column-fill: auto`` column boxes through the one-pass layout (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.layout import block, column

    original = column.columns_layout

    def columns_layout(context, box, *args, **kwargs):
        if not _one_pass(context, box):
            return original(context, box, *args, **kwargs)
        return fill_columns(context, box, *args, **kwargs)

    block.columns_layout = columns_layout
    _INSTALLED = True


def _one_pass(context, box) -> bool:
    style = box.style
    return (
        style["column_fill"] == "auto"
        and style["height"] == "auto"
        and style["position"] != "relative"
        and not context.current_page_footnotes
        and context.current_footnote_area.height == "auto"
        and all(child.style["column_span"] != "all" for child in box.children)
    )


def fill_columns(
    context,
    box,
    bottom_space,
    skip_stack,
    containing_block,
    page_is_empty,
    absolute_boxes,
    fixed_boxes,
    adjoining_margins,
    first_letter_style,
    first_line_style,
):
    """Lay out ``box``'s children in its columns, each column once, in order.

    Returns what WeasyPrint's ``columns_layout`` returns: the laid-out box (its
    children are the column boxes), where to resume on the next page, the
    next page's break type, adjoining margins and whether it collapsed through.
    """
    from weasyprint.layout.block import block_box_layout, block_level_width, collapse_margin
    from weasyprint.layout.column import _create_column_box
    from weasyprint.layout.percent import percentage

    style = box.style
    context.in_column = True
    box = box.copy_with_children(box.children)
    box.position_y += collapse_margin(adjoining_margins)
    block_level_width(box, containing_block)
    width, count = style["column_width"], style["column_count"]
    gap = style["font_size"] if style["column_gap"] == "normal" else None
    if gap is None:
        gap = percentage(style["column_gap"], box.style, box.width)
    if width == "auto" and count != "auto":
        width = max(0, box.width - (count - 1) * gap) / count
    elif width != "auto" and count == "auto":
        count = max(1, floor((box.width + gap) / (width + gap)))
        width = (box.width + gap) / count - gap
    else:
        count = max(1, min(count, floor((box.width + gap) / (width + gap))))
        width = (box.width + gap) / count - gap

    (skip,) = skip_stack.keys() if skip_stack else (0,)
    children = [child.copy() for child in box.children[skip:]]
    column_skip = {0: skip_stack[skip]} if skip_stack else None
    top = box.content_box_y()
    next_page = {"break": "any", "page": None}
    columns = []
    tallest = 0
    for index in range(count):
        column_box = _create_column_box(box, containing_block, children, width, top)
        if style["direction"] == "rtl":
            column_box.position_x += box.width - (index + 1) * width - index * gap
        else:
            column_box.position_x += index * (width + gap)
        new_child, resume_at, column_next_page, _, _, _ = block_box_layout(
            context,
            column_box,
            bottom_space,
            column_skip,
            containing_block,
            page_is_empty and index == 0,
            absolute_boxes,
            fixed_boxes,
            None,
            first_letter_style,
            first_line_style,
            discard=False,
            max_lines=None,
        )
        if new_child is None:
            break
        column_skip = resume_at
        next_page = column_next_page
        columns.append(new_child)
        tallest = max(tallest, new_child.margin_height())
        if column_skip is None:
            break
    context.in_column = False
    if box.children and not columns:
        # Nothing fits on this page: WeasyPrint moves the whole box on.
        return None, (0, None), {"break": "any", "page": None}, [], False
    for column_box in columns:
        column_box.height = tallest
    box.children = columns
    if box.height == "auto":
        box.height = tallest
    if box.min_height != "auto" and box.min_height > box.height:
        extra = box.min_height - box.height
        box.height = box.min_height
        for column_box in columns:
            column_box.height += extra
    resume = None
    if column_skip:
        (inner,) = column_skip.keys()
        resume = {skip + inner: column_skip[inner]}
    return box, resume, next_page, [], False
