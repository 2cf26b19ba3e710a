"""What a structure element or an artifact says about itself: its attributes.

Kept apart from the tree builder (tagging.py), which decides which elements
exist; this module decides what each one carries:
- /Lang from the element's ``lang`` (ISO 32000-1 14.9.2);
- a Figure's /Alt (14.9.3) and its /BBox in PDF user space (14.8.5.4.3, Table
  344: the rectangle on the page, in points from the bottom left);
- /Scope, /ColSpan, /RowSpan of table cells (Table 349);
- /ListNumbering of a list from its CSS list-style-type (Table 347);
- an artifact's property list: /Type /Pagination with /Subtype /Header or
  /Footer for running headers, footers and page numbers, /Type /Layout for
  decoration (14.8.2.2.2, Table 330).
"""

from __future__ import annotations

import pydyf

SVG = "{http://www.w3.org/2000/svg}svg"
#: CSS pixels to PDF points: WeasyPrint draws at 72 / 96 (pdf/__init__.py).
PT_PER_PX = 0.75

#: CSS list-style-type -> /ListNumbering (ISO 32000-1 Table 347). Counter styles
#: that count in other digits are Decimal, alphabetic ones in other scripts
#: LowerAlpha: PDF 1.7 has no names for them and they are ordered all the same.
_NUMBERING = {
    "none": "None",
    "disc": "Disc",
    "circle": "Circle",
    "square": "Square",
    "decimal": "Decimal",
    "decimal-leading-zero": "Decimal",
    "lower-roman": "LowerRoman",
    "upper-roman": "UpperRoman",
    "lower-alpha": "LowerAlpha",
    "lower-latin": "LowerAlpha",
    "upper-alpha": "UpperAlpha",
    "upper-latin": "UpperAlpha",
    "lower-greek": "LowerAlpha",
}
_NUMERIC = (
    "arabic-indic",
    "persian",
    "devanagari",
    "bengali",
    "thai",
    "lao",
    "khmer",
    "myanmar",
    "tamil",
    "gujarati",
    "gurmukhi",
    "kannada",
    "malayalam",
    "oriya",
    "telugu",
    "tibetan",
    "mongolian",
    "cjk-decimal",
    "hebrew",
    "armenian",
    "georgian",
)


def alt_of(element) -> str | None:
    """Alt text of an image: <img alt>, or an inline <svg>'s aria-label or <title>."""
    if element is None:
        return None
    if element.tag == SVG:
        title = element.find("{http://www.w3.org/2000/svg}title")
        return element.get("aria-label") or (title.text if title is not None else None)
    return element.get("alt")


def is_decorative(element) -> bool:
    return element is not None and (
        element.get("role") in ("presentation", "none")
        or (element.tag == "img" and element.get("alt") == "")
    )


def figure_alt(box) -> str | None:
    """A Figure's alt text: its own, or that of the image a <figure> holds."""
    alt = alt_of(box.element)
    if not alt and box.element_tag == "figure":
        image = box.element.find(".//img")
        if image is None:
            image = box.element.find(f".//{SVG}")
        alt = alt_of(image)
    return alt


def bbox(box, page_height: float) -> pydyf.Array:
    """The box's border box in PDF user space: points, origin at the bottom left
    of the page, y upwards (WeasyPrint lays out in CSS pixels from the top left
    and draws with the matrix [0.75 0 0 -0.75 0 0.75 * page height])."""
    left, top = box.border_box_x(), box.border_box_y()
    right, bottom = left + box.border_width(), top + box.border_height()
    return pydyf.Array(
        (
            round(left * PT_PER_PX, 2),
            round((page_height - bottom) * PT_PER_PX, 2),
            round(right * PT_PER_PX, 2),
            round((page_height - top) * PT_PER_PX, 2),
        )
    )


def list_numbering(box) -> str:
    """/ListNumbering for a <ul> or <ol> box, from its first item's list-style-type."""
    unordered = box.element_tag == "ul"
    item = next((c for c in getattr(box, "children", ()) if c.element_tag == "li"), box)
    style = item.style["list_style_type"]
    if not isinstance(style, str):  # a marker string or symbols(): a bullet of its own
        return "Disc" if unordered else "Decimal"
    if style in _NUMBERING:
        return _NUMBERING[style]
    if style in _NUMERIC or style.endswith("-decimal"):
        return "Decimal"
    return "Disc" if unordered else "Decimal"


def decorate(element: pydyf.Dictionary, tag: str, box, page_height: float) -> None:
    """Attributes a structure element needs: Lang, Alt, BBox, Scope, ListNumbering."""
    source = box.element
    if source is not None and source.get("lang") and box.element_tag not in ("html", "body"):
        element["Lang"] = pydyf.String(source.get("lang"))
    if tag == "Figure":
        element["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": bbox(box, page_height)})
        alt = figure_alt(box)
        if alt:
            element["Alt"] = pydyf.String(alt)
    elif tag in ("TH", "TD"):
        attributes = pydyf.Dictionary({"O": "/Table"})
        if tag == "TH":
            attributes["Scope"] = "/" + scope(box)
        if getattr(box, "colspan", 1) != 1:
            attributes["ColSpan"] = box.colspan
        if getattr(box, "rowspan", 1) != 1:
            attributes["RowSpan"] = box.rowspan
        element["A"] = attributes
    elif tag == "L" and box.element_tag in ("ul", "ol"):
        element["A"] = pydyf.Dictionary({"O": "/List", "ListNumbering": "/" + list_numbering(box)})


def scope(box) -> str:
    """/Scope of a header cell: its scope attribute, else Column (HTML's default
    for a header row, which is the only place Markdown tables put <th>)."""
    value = (box.element.get("scope") or "").lower() if box.element is not None else ""
    return {"row": "Row", "rowgroup": "Row", "both": "Both"}.get(value, "Column")


def artifact_properties(box) -> pydyf.Dictionary:
    """The property list of an artifact: what kind of artifact it is."""
    keyword = getattr(box, "at_keyword", None)
    if keyword is None:
        return pydyf.Dictionary({"Type": "/Layout"})
    properties = pydyf.Dictionary({"Type": "/Pagination"})
    if keyword.startswith("@top"):
        properties["Subtype"] = "/Header"
    elif keyword.startswith("@bottom"):
        properties["Subtype"] = "/Footer"
    return properties


#: Classes of spans that only steer line breaking (source/linebreak.py).
LAYOUT_CLASSES = frozenset({"unbroken", "unhyphenated"})


def layout_only(element) -> bool:
    """A span that steers line breaking or direction only (no language, no other
    class): it says nothing to a reader, so it is no structure element."""
    if element is None or element.get("lang") is not None:
        return False
    classes = set((element.get("class") or "").split())
    return classes <= LAYOUT_CLASSES and (bool(classes) or element.get("dir") is not None)
