"""Our own PDF/UA-1 checker: the machine-checkable rules of ISO 14289-1.

Run by `factsheet check` and by the build gate on every PDF, so a regression
in the renderer or a template fails the build, not a screen-reader user. It
does not replace veraPDF (the tests run both); it covers what our pipeline can
get wrong, with messages that say where.

Over 400 lines: the rules share one walk over the structure tree and one
parse of each page's content stream, which splitting would duplicate.
"""

from __future__ import annotations

import re

from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..source.langtag import check_language_tag
from .readpdf import ReadPdf, StructElem
from .registry import Finding, finding, rule

UA_MARKED = rule("ua-marked", "error", "pdf", "the catalog lacks MarkInfo /Marked true")
UA_TREE = rule(
    "ua-struct-tree",
    "error",
    "pdf",
    "no structure tree, or a ParentTree entry that does not resolve",
)
UA_METADATA = rule(
    "ua-metadata", "error", "pdf", "XMP lacks dc:title or the viewer is not told to show it"
)
UA_LANG = rule("ua-lang", "error", "pdf", "a missing or invalid /Lang (catalog or element)")
UA_TYPES = rule(
    "ua-struct-types", "error", "pdf", "a non-standard structure type without a RoleMap entry"
)
UA_LIST = rule(
    "ua-list",
    "error",
    "pdf",
    "a list or list item with children it may not have, or content outside Lbl and LBody",
)
UA_TABLE = rule(
    "ua-table",
    "error",
    "pdf",
    "a table element with children it may not have, or a TH without /Scope",
)
UA_FIGURE = rule("ua-figure-alt", "error", "pdf", "a Figure without /Alt")
UA_HEADINGS = rule("ua-headings", "error", "pdf", "headings do not start at H1 or skip a level")
UA_LINK = rule(
    "ua-link", "error", "pdf", "a link annotation without /Contents or a Link structure parent"
)
UA_TABS = rule("ua-tabs", "error", "pdf", "a page with annotations lacks /Tabs /S")
UA_FONTS = rule("ua-fonts", "error", "pdf", "a font is not embedded or has no ToUnicode map")
UA_NOTDEF = rule("ua-notdef", "error", "pdf", "text uses glyph 0 (.notdef)")
UA_UNTAGGED = rule(
    "ua-untagged", "error", "pdf", "page content that is neither tagged nor an artifact"
)

STANDARD_TYPES = {
    "Document",
    "Part",
    "Art",
    "Sect",
    "Div",
    "BlockQuote",
    "Caption",
    "TOC",
    "TOCI",
    "Index",
    "NonStruct",
    "Private",
    "P",
    "H",
    "H1",
    "H2",
    "H3",
    "H4",
    "H5",
    "H6",
    "L",
    "LI",
    "Lbl",
    "LBody",
    "Table",
    "TR",
    "TH",
    "TD",
    "THead",
    "TBody",
    "TFoot",
    "Span",
    "Quote",
    "Note",
    "Reference",
    "BibEntry",
    "Code",
    "Link",
    "Annot",
    "Ruby",
    "RB",
    "RT",
    "RP",
    "Warichu",
    "WT",
    "WP",
    "Figure",
    "Formula",
    "Form",
}
_PAINT = {
    b"Tj",
    b"TJ",
    b"'",
    b'"',
    b"Do",
    b"f",
    b"F",
    b"f*",
    b"S",
    b"s",
    b"B",
    b"B*",
    b"b",
    b"b*",
    b"sh",
    b"EI",
    b"BI",
}


def check_pdfua(pdf: ReadPdf, path: str) -> list[Finding]:
    out: list[Finding] = []
    catalog = pdf.catalog
    mark_info = catalog.get("/MarkInfo")
    if not (mark_info and mark_info.get_object().get("/Marked") in (True, "true")):
        out.append(finding(UA_MARKED, path, None, "catalog /MarkInfo /Marked is not true"))
    prefs = catalog.get("/ViewerPreferences")
    if not (prefs and prefs.get_object().get("/DisplayDocTitle") in (True, "true")):
        out.append(
            finding(UA_METADATA, path, None, "/ViewerPreferences /DisplayDocTitle is not true")
        )
    if "dc:title" not in pdf.xmp:
        out.append(finding(UA_METADATA, path, None, "XMP metadata has no dc:title"))
    out.extend(_check_lang(pdf.lang, "catalog", path))
    tree = pdf.structure
    if tree is None:
        out.append(finding(UA_TREE, path, None, "the document has no StructTreeRoot"))
        return out
    role_map = _role_map(catalog)
    out.extend(_check_elements(tree, role_map, path))
    reachable = {id(elem.obj) for elem in tree.walk()}
    out.extend(_check_pages(pdf, path, reachable))
    return out


def _check_lang(value: str | None, where: str, path: str) -> list[Finding]:
    if value is None or value == "":
        return [finding(UA_LANG, path, None, f"{where} has no /Lang")]
    try:
        check_language_tag(value)
    except ValueError as error:
        return [finding(UA_LANG, path, None, f"{where} /Lang: {error}")]
    return []


def _role_map(catalog) -> dict[str, str]:
    root = catalog["/StructTreeRoot"].get_object()
    mapping = root.get("/RoleMap")
    if mapping is None:
        return {}
    return {str(k)[1:]: str(v)[1:] for k, v in mapping.get_object().items()}


def _standard(kind: str, role_map: dict[str, str]) -> str | None:
    seen = set()
    while kind not in STANDARD_TYPES:
        if kind in seen or kind not in role_map:
            return None
        seen.add(kind)
        kind = role_map[kind]
    return kind


def _page(elem: StructElem) -> int | None:
    """The page number (1-based) of an element's first marked content, its own or a kid's."""
    pages = [p for p, _ in elem.mcids if p is not None]
    if pages:
        return pages[0] + 1
    for kid in elem.kids:
        page = _page(kid)
        if page is not None:
            return page
    return None


def _check_elements(tree: StructElem, role_map: dict[str, str], path: str) -> list[Finding]:
    out: list[Finding] = []
    last_heading = 0
    for elem in tree.walk():
        if elem.type == "StructTreeRoot":
            continue
        kind = _standard(elem.type, role_map)
        page = _page(elem)
        if kind is None:
            out.append(
                finding(
                    UA_TYPES,
                    path,
                    None,
                    f"structure type /{elem.type} is not standard and has no RoleMap entry",
                    page=page,
                )
            )
            continue
        if elem.lang is not None:
            out.extend(_check_lang(elem.lang, f"{kind} element", path))
        kids = [_standard(k.type, role_map) for k in elem.kids]
        if kind == "L" and any(k not in ("LI", "L", "Caption") for k in kids):
            out.append(
                finding(
                    UA_LIST,
                    path,
                    None,
                    f"L contains {sorted(set(kids) - {'LI', 'L', 'Caption'})}",
                    page=page,
                )
            )
        elif kind == "LI" and any(k not in ("Lbl", "LBody") for k in kids):
            out.append(
                finding(
                    UA_LIST,
                    path,
                    None,
                    f"LI contains {sorted(set(kids) - {'Lbl', 'LBody'})}",
                    page=page,
                )
            )
        if kind in ("L", "LI") and (elem.mcids or elem.objrefs):
            # ISO 32000-1 14.8.4.3.3: an item's content sits in its Lbl and LBody.
            out.append(
                finding(
                    UA_LIST,
                    path,
                    None,
                    f"{kind} holds content directly (text or a drawing outside Lbl and LBody)",
                    page=page,
                )
            )
        elif kind == "Table" and any(
            k not in ("TR", "THead", "TBody", "TFoot", "Caption") for k in kids
        ):
            out.append(
                finding(UA_TABLE, path, None, f"Table contains {sorted(set(kids))}", page=page)
            )
        elif kind in ("THead", "TBody", "TFoot") and any(k != "TR" for k in kids):
            out.append(
                finding(UA_TABLE, path, None, f"{kind} contains {sorted(set(kids))}", page=page)
            )
        elif kind == "TR" and any(k not in ("TH", "TD") for k in kids):
            out.append(finding(UA_TABLE, path, None, f"TR contains {sorted(set(kids))}", page=page))
        if kind == "TH" and "/Scope" not in elem.attributes:
            out.append(finding(UA_TABLE, path, None, "TH has no /Scope attribute", page=page))
        if kind == "Figure" and not (elem.alt or elem.obj.get("/ActualText")):
            out.append(finding(UA_FIGURE, path, None, "Figure has no /Alt text", page=page))
        if re.fullmatch(r"H[1-6]", kind):
            level = int(kind[1])
            if last_heading == 0 and level != 1:
                out.append(
                    finding(
                        UA_HEADINGS, path, None, f"the first heading is {kind}, not H1", page=page
                    )
                )
            elif level > last_heading + 1 and last_heading:
                out.append(
                    finding(
                        UA_HEADINGS,
                        path,
                        None,
                        f"heading jumps from H{last_heading} to {kind}",
                        page=page,
                    )
                )
            last_heading = level
    return out


def _parent_tree(pdf: ReadPdf) -> dict[int, object]:
    root = pdf.catalog["/StructTreeRoot"].get_object()
    tree = root.get("/ParentTree")
    entries: dict[int, object] = {}
    if tree is None:
        return entries

    def collect(node) -> None:
        node = node.get_object()
        nums = node.get("/Nums")
        if nums is not None:
            for index in range(0, len(nums) - 1, 2):
                entries[int(nums[index])] = nums[index + 1]
        for kid in node.get("/Kids", []):
            collect(kid)

    collect(tree)
    return entries


def _kid_has(elem_obj: DictionaryObject, mcid: int, page_ref: IndirectObject) -> bool:
    kids = elem_obj.get("/K")
    kids = kids if isinstance(kids, ArrayObject) else [kids]
    own_page = elem_obj.get("/Pg")

    def on_page(ref) -> bool:
        return ref is None or ref.idnum == page_ref.idnum

    # MCIDs are per page: an element that runs over pages may hold the same
    # number once as an integer (its own page) and again in an MCR (another).
    for kid in kids:
        if isinstance(kid, int):
            if int(kid) == mcid and on_page(own_page):
                return True
            continue
        target = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if (
            isinstance(target, DictionaryObject)
            and target.get("/Type") == "/MCR"
            and int(target["/MCID"]) == mcid
            and on_page(target.get("/Pg", own_page))
        ):
            return True
    return False


def _check_pages(pdf: ReadPdf, path: str, reachable: set[int]) -> list[Finding]:
    out: list[Finding] = []
    parent_tree = _parent_tree(pdf)
    for index, page in enumerate(pdf.reader.pages, start=1):
        page_ref = page.indirect_reference
        annots = [a.get_object() for a in page.get("/Annots", []) or []]
        if annots and page.get("/Tabs") != "/S":
            out.append(
                finding(UA_TABS, path, None, "page has annotations but no /Tabs /S", page=index)
            )
        for annot in annots:
            if annot.get("/Subtype") != "/Link":
                continue
            if not str(annot.get("/Contents", "")).strip():
                out.append(
                    finding(UA_LINK, path, None, "link annotation has no /Contents", page=index)
                )
            parent = parent_tree.get(int(annot.get("/StructParent", -1)))
            parent = parent.get_object() if parent is not None else None
            if not isinstance(parent, DictionaryObject) or parent.get("/S") != "/Link":
                out.append(
                    finding(
                        UA_LINK,
                        path,
                        None,
                        "link annotation's StructParent does not resolve to a Link element",
                        page=index,
                    )
                )
        mcids_parent = parent_tree.get(int(page.get("/StructParents", -1)))
        mcids_parent = mcids_parent.get_object() if mcids_parent is not None else None
        operations = pdf.content(index - 1).operations
        out.extend(_check_content(page, operations, index, mcids_parent, page_ref, path, reachable))
        out.extend(_check_fonts(page, index, path))
    return out


def _check_content(page, operations, index, mcid_array, page_ref, path, reachable) -> list[Finding]:
    """Walk a page's (already parsed) operations: tagging, ParentTree, glyph 0."""
    out: list[Finding] = []
    stack: list[str] = []  # "tag" (has MCID), "artifact", "other"
    untagged = 0
    glyph_zero = 0
    font_is_cid = False
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    unresolved: list[int] = []
    for operands, operator in operations:
        if operator in (b"BDC", b"BMC"):
            tag = str(operands[0]) if operands else ""
            props = operands[1] if operator == b"BDC" and len(operands) > 1 else None
            if tag == "/Artifact":
                stack.append("artifact")
            elif isinstance(props, DictionaryObject) and "/MCID" in props:
                stack.append("tag")
                mcid = int(props["/MCID"])
                ref = (
                    mcid_array[mcid]
                    if isinstance(mcid_array, ArrayObject) and mcid < len(mcid_array)
                    else None
                )
                target = ref.get_object() if ref is not None else None
                if (
                    not isinstance(target, DictionaryObject)
                    or id(target) not in reachable
                    or not _kid_has(target, mcid, page_ref)
                ):
                    unresolved.append(mcid)
            else:
                stack.append("other")
        elif operator == b"EMC":
            if stack:
                stack.pop()
        elif operator == b"Tf" and operands:
            font = fonts.get(operands[0])
            font = font.get_object() if font is not None else None
            font_is_cid = bool(font is not None and font.get("/Subtype") == "/Type0")
        elif operator in _PAINT:
            if not any(s in ("tag", "artifact") for s in stack):
                untagged += 1
            if operator in (b"Tj", b"TJ", b"'", b'"') and font_is_cid:
                glyph_zero += _zero_glyphs(operands)
    if untagged:
        out.append(
            finding(
                UA_UNTAGGED,
                path,
                None,
                f"{untagged} drawing operations are neither tagged nor artifacts",
                page=index,
            )
        )
    if unresolved:
        out.append(
            finding(
                UA_TREE,
                path,
                None,
                f"marked content {unresolved[:5]} does not resolve through the ParentTree",
                page=index,
            )
        )
    if glyph_zero:
        out.append(
            finding(UA_NOTDEF, path, None, f"{glyph_zero} glyphs are .notdef (glyph 0)", page=index)
        )
    return out


def _zero_glyphs(operands) -> int:
    count = 0
    items = operands[0] if operands and isinstance(operands[0], ArrayObject) else operands
    for item in items:
        data = getattr(item, "original_bytes", None)
        if data is None:
            continue
        count += sum(1 for i in range(0, len(data) - 1, 2) if data[i] == 0 and data[i + 1] == 0)
    return count


def _check_fonts(page, index, path) -> list[Finding]:
    out: list[Finding] = []
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    for name, ref in fonts.items():
        font = ref.get_object()
        base = str(font.get("/BaseFont", name))
        if "/ToUnicode" not in font:
            out.append(
                finding(UA_FONTS, path, None, f"font {base} has no ToUnicode map", page=index)
            )
        descriptor_font = font
        if font.get("/Subtype") == "/Type0":
            descriptor_font = font["/DescendantFonts"][0].get_object()
        descriptor = descriptor_font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if font.get("/Subtype") != "/Type3" and not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            out.append(finding(UA_FONTS, path, None, f"font {base} is not embedded", page=index))
    return out


__all__ = ["check_pdfua", "NameObject"]
