"""The PDF structure tree, built our way (replaces weasyprint.pdf.tags.add_tags).

WeasyPrint 70's own tagging (weasyprint/pdf/tags.py) passes validators on simple
pages but leaves gaps that matter to people using assistive technology
(Kozea/WeasyPrint #1836, #2482, #2902, #2903). This builder closes them where
they arise, while the content streams are still objects we can edit, instead
of patching the finished file afterwards:

- the marked content of every line of text carries /ActualText with the
  source text it stands for wherever its glyphs would read back otherwise
  (ISO 32000-1 14.9.4; textlayer.py): right-to-left runs in logical order,
  Indic and Thai clusters whole, line-end spaces kept, no hyphenation hyphen,
  source case under text-transform;
- an element that breaks across pages or lines stays ONE structure element
  (its marked content on later pages is referenced with MCR dictionaries,
  ISO 32000-1 14.7.4.3);
- ``lang`` on an inner element becomes /Lang on its structure element
  (ISO 32000-1 14.9.2), so "Se habla español" is read with a Spanish voice;
- page margin boxes (running footers, page numbers) become /Artifact of /Type
  /Pagination, /Subtype /Footer or /Header, decorative images /Type /Layout
  (ISO 32000-1 14.8.2.2), not orphaned tags (crop marks are already artifacts);
- table header cells get /Scope, lists /ListNumbering, figures /Alt and a
  /BBox on the page (structattrs.py); <figure> is one Figure with its caption,
  also around an inline <svg> (the QR code, its alt from <title>); every link
  annotation gets /Contents (PDF/UA-1 7.18.5), flex items included
  (flexlinks.py);
- a list item's content, its own text included, sits in LBody
  (ISO 32000-1 14.8.4.3.3); an element that ends up holding nothing (a
  paragraph holding only a decorative image) is dropped.

Pinned to WeasyPrint 70.x in pyproject.toml because it follows its internals.
Over 400 lines: one walk over WeasyPrint's boxes decides every element, marked
sequence and artifact; split, each part would need the walk's whole state.
"""

from __future__ import annotations

import pydyf

from .flexlinks import install as install_flex_links
from .structattrs import SVG, artifact_properties, decorate, figure_alt, is_decorative, layout_only
from .textlayer import TextLayer, glyph_text
from .textlayer import install as install_text_layer

_INSTALLED = False


class MissingLanguage(ValueError):
    """PDF/UA needs a document language; WeasyPrint would only log its absence."""


def install() -> None:
    """Make WeasyPrint use this builder (idempotent, per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import weasyprint.pdf

    weasyprint.pdf.add_tags = add_tags
    install_text_layer()
    install_flex_links()
    _INSTALLED = True


_TAGS = {
    "div": "Div",
    "header": "Div",
    "footer": "Div",
    "aside": "Div",
    "nav": "Div",
    "main": "Part",
    "article": "Art",
    "section": "Sect",
    "blockquote": "BlockQuote",
    "p": "P",
    "h1": "H1",
    "h2": "H2",
    "h3": "H3",
    "h4": "H4",
    "h5": "H5",
    "h6": "H6",
    "ul": "L",
    "ol": "L",
    "dl": "L",
    "li": "LI",
    "dt": "LI",
    "dd": "LI",
    "li::marker": "Lbl",
    "table": "Table",
    "tr": "TR",
    "th": "TH",
    "td": "TD",
    "thead": "THead",
    "tbody": "TBody",
    "tfoot": "TFoot",
    "img": "Figure",
    "figure": "Figure",
    "caption": "Caption",
    "figcaption": "Caption",
    "span": "Span",
    "strong": "Span",
    "em": "Span",
    "b": "Span",
    "i": "Span",
    "code": "Code",
    "q": "Quote",
    "abbr": "Span",
    "{http://www.w3.org/2000/svg}svg": "Figure",
}


def pdf_tag(element_tag: str | None) -> str:
    """The standard structure type for an HTML element (ISO 32000-1 14.8.4)."""
    if element_tag is None:
        return "NonStruct"
    if element_tag.split(":")[0] == "a":
        return "Link"
    return _TAGS.get(element_tag, "NonStruct")


class _Builder:
    def __init__(self, pdf, document, page_streams) -> None:
        self.pdf = pdf
        self.document = document
        self.page_streams = page_streams
        self.elements: dict[tuple, pydyf.Dictionary] = {}
        self.page_nums: list[dict[int, object]] = []
        self.annotations: list[tuple] = []
        self.page = 0
        self.tags: dict = {}
        self.slots: dict[int, tuple[list, int]] = {}
        self.next_mcid = 0
        self.lbodies: dict[int, pydyf.Dictionary] = {}
        self.by_reference: dict[bytes, pydyf.Dictionary] = {}
        self.text_layer = TextLayer(page._page_box for page in document.pages)
        self.fonts = {font.hash: font for font in document.fonts.values()}

    # -- marked content ---------------------------------------------------

    def _index_stream(self, stream) -> dict[int, tuple[list, int]]:
        """Where each MCID's property list sits in the page's content list."""
        slots = {}
        content = stream.stream
        for index, item in enumerate(content):
            if isinstance(item, pydyf.Dictionary) and "MCID" in item:
                slots[item["MCID"]] = (content, index)
        return slots

    def _mark(self, box, element: pydyf.Dictionary) -> None:
        """Move a box's marked content under ``element`` with a fresh MCID."""
        info = self.tags.pop(box, None)
        if info is None:
            return
        mcid = self.next_mcid
        self.next_mcid += 1
        slot = self.slots.get(info["mcid"])
        if slot is not None:
            slot[0][slot[1]]["MCID"] = mcid
            if hasattr(box, "text"):
                self._actual_text(box, *slot)
        self.page_nums[self.page][mcid] = element.reference
        if element["Pg"] == self.pdf.page_references[self.page]:
            element["K"].append(mcid)
        else:
            element["K"].append(
                pydyf.Dictionary(
                    {
                        "Type": "/MCR",
                        "Pg": self.pdf.page_references[self.page],
                        "MCID": mcid,
                    }
                )
            )

    def _actual_text(self, box, content: list, index: int) -> None:
        """/ActualText (ISO 32000-1 14.9.4) where the glyphs would read back
        other than the source text the box stands for (textlayer.py)."""
        logical = self.text_layer.logical_text(box)
        if glyph_text(content, index, self.fonts) != logical:
            content[index]["ActualText"] = pydyf.String(logical)

    def _artifact(self, old_mcid: int, properties: pydyf.Dictionary | None = None) -> None:
        """Turn a tagged sequence into an artifact, typed by ``properties``."""
        slot = self.slots.get(old_mcid)
        if slot is None:
            return
        content, index = slot
        content[index] = properties if properties is not None else pydyf.Dictionary()
        content[index - 1] = "/Artifact"

    def _artifact_box(self, box, properties: pydyf.Dictionary) -> None:
        info = self.tags.pop(box, None)
        if info is not None:
            self._artifact(info["mcid"], properties)
        for child in getattr(box, "children", ()):
            self._artifact_box(child, properties)

    # -- elements ---------------------------------------------------------

    def _element(self, tag: str, box, parent) -> tuple[pydyf.Dictionary, bool]:
        """The structure element for a box: the one made for an earlier fragment
        of the same element (previous line or page) if there is one."""
        key = (id(box.element), box.element_tag, tag, id(parent))
        element = self.elements.get(key)
        if element is not None:
            return element, False
        element = pydyf.Dictionary(
            {
                "Type": "/StructElem",
                "S": f"/{tag}",
                "K": pydyf.Array([]),
                "Pg": self.pdf.page_references[self.page],
                "P": parent.reference,
            }
        )
        self.pdf.add_object(element)
        self.elements[key] = element
        self.by_reference[element.reference] = element
        return element, True

    def _attach(self, parent, child) -> None:
        parent["K"].append(child.reference)

    def build(self, box, parent) -> None:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        element_tag = None if box.element is None else box.element_tag
        tag = pdf_tag(element_tag)

        if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
            if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
                for child in box.children:
                    self.build(child, parent)
            return
        if isinstance(box, boxes.MarginBox) or (
            isinstance(box, boxes.ReplacedBox) and is_decorative(box.element)
        ):
            self._artifact_box(box, artifact_properties(box))
            return
        if element_tag == "span" and layout_only(box.element):
            # Its text joins the parent's; inside a link it carries a copy of the
            # link's annotation (WeasyPrint's link is inherited), which belongs there.
            if box.link_annotation and parent["S"] == "/Link":
                self._link(parent, box)
            self._build_children(box, parent)
            return
        if tag == "Figure" and element_tag in ("img", SVG) and parent["S"] == "/Figure":
            # <img> or inline <svg> inside <figure>: one Figure element, alt text on it.
            alt = figure_alt(box)
            if alt and "Alt" not in parent:
                parent["Alt"] = pydyf.String(alt)
            self._mark(box, parent)
            return
        if tag in ("TD", "TH") and parent["S"] in ("/TD", "/TH"):
            tag = "NonStruct"  # anonymous block inside a cell
        elif tag == "LI" and parent["S"] == "/LBody":
            tag = "NonStruct"
        if parent["S"] == "/LI" and tag != "Lbl":
            # The item's text (an anonymous block) and any block in it (p,
            # nested list) share the item's one LBody.
            parent = self._lbody(parent)
            if tag == "LI":  # the anonymous block itself adds no element
                self._build_children(box, parent)
                return

        element, new = self._element(tag, box, parent)
        if new:
            decorate(element, tag, box, self.document.pages[self.page].height)
            self._attach(parent, element)

        if tag == "Table" and getattr(box, "is_table_wrapper", False):
            table = box.get_wrapped_table()
            if table is not None:
                children = []
                for child in box.children:
                    children.extend(child.children if child is table else [child])
                for child in children:
                    self.build(child, element)
                return

        if box.link_annotation:
            self._link(element, box)

        self._build_children(box, element)
        if isinstance(box, boxes.ReplacedBox):
            self._mark(box, element)

    def _build_children(self, box, element) -> None:
        """Text of line boxes goes straight into ``element`` (into its LBody if
        it is a list item: ISO 32000-1 14.8.4.3.3); other boxes recurse."""
        from weasyprint.formatting_structure import boxes

        for child in getattr(box, "children", ()):
            items = child.children if isinstance(child, boxes.LineBox) else [child]
            for item in items:
                if isinstance(item, boxes.TextBox):
                    self._mark(item, self._lbody(element) if element["S"] == "/LI" else element)
                else:
                    self.build(item, element)

    def _lbody(self, item: pydyf.Dictionary) -> pydyf.Dictionary:
        body = self.lbodies.get(id(item))
        if body is None:
            body = pydyf.Dictionary(
                {
                    "Type": "/StructElem",
                    "S": "/LBody",
                    "K": pydyf.Array([]),
                    "Pg": self.pdf.page_references[self.page],
                    "P": item.reference,
                }
            )
            self.pdf.add_object(body)
            self.by_reference[body.reference] = body
            self.lbodies[id(item)] = body
            self._attach(item, body)
        return body

    def _link(self, element, box) -> None:
        annotation = box.link_annotation
        # What a screen reader announces for the link: its text (WeasyPrint puts
        # the URL here, which gets spelt out character by character).
        text = " ".join("".join(box.element.itertext()).split())
        annotation["Contents"] = pydyf.String(text or box.element.get("href", ""))
        objr = pydyf.Dictionary(
            {
                "Type": "/OBJR",
                "Obj": annotation.reference,
                "Pg": self.pdf.page_references[self.page],
            }
        )
        self.pdf.add_object(objr)
        self.annotations.append((element.reference, annotation))
        element["K"].append(objr.reference)

    def _prune(self, element: pydyf.Dictionary) -> bool:
        """Drop elements that hold nothing (no marked content, no annotation, no
        element that holds something): a paragraph holding only a decorative
        image is not an empty P. Dropped objects are written as free. Returns
        whether ``element`` holds something."""
        kept = pydyf.Array()
        for kid in element["K"]:
            child = self.by_reference.get(kid) if isinstance(kid, bytes) else None
            if child is not None and not self._prune(child):
                child.free = "f"
                continue
            kept.append(kid)
        element["K"] = kept
        return bool(kept)

    # -- the whole document ---------------------------------------------------

    def run(self) -> None:
        pdf = self.pdf
        parent_tree = pydyf.Dictionary({})
        pdf.add_object(parent_tree)
        root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference})
        pdf.add_object(root)
        document = pydyf.Dictionary(
            {
                "Type": "/StructElem",
                "S": "/Document",
                "K": pydyf.Array(),
                "P": root.reference,
            }
        )
        pdf.add_object(document)
        root["K"] = pydyf.Array([document.reference])
        pdf.catalog["StructTreeRoot"] = root.reference

        nums = pydyf.Array()
        for page_number, (page, stream) in enumerate(
            zip(self.document.pages, self.page_streams, strict=True)
        ):
            self.page = page_number
            self.tags = stream._tags
            self.slots = self._index_stream(stream)
            self.next_mcid = 0
            self.page_nums.append({})
            self.build(page._page_box, document)
            # Anything drawn but not reached from the box tree is not content.
            for info in list(self.tags.values()):
                self._artifact(info["mcid"])
            self.tags.clear()
            refs = [ref for _, ref in sorted(self.page_nums[page_number].items())]
            nums.append(page_number)
            nums.append(pydyf.Array(refs))
        self._prune(document)
        start = len(self.document.pages)
        for index, (reference, annotation) in enumerate(self.annotations, start=start):
            nums.append(index)
            nums.append(reference)
            annotation["StructParent"] = index
        parent_tree["Nums"] = nums
        root["ParentTreeNextKey"] = start + len(self.annotations)

        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        if "Lang" not in pdf.catalog:
            raise MissingLanguage("the document has no language (lang on <html>)")


def add_tags(pdf, document, pdf_version, page_streams) -> None:
    """Drop-in for weasyprint.pdf.tags.add_tags."""
    _Builder(pdf, document, page_streams).run()
