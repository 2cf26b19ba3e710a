"""Reading produced PDFs back with pypdf: text, metadata, XMP and structure.

The compliance gate trusts nothing but what this module reads out of the file.
The text is what a tag-based screen reader hears: the structure tree walked in
order (ISO 32000-1 14.7), each marked-content sequence read as its /ActualText
or its glyphs through /ToUnicode (pdftext.py), an element's /ActualText or
/Alt in place of its content (14.9.3, 14.9.4), artifacts left out. An untagged
PDF falls back to pypdf's extraction of everything outside /Artifact.

Text is compared in its reading form (``reading_form``): Unicode NFKC, so a
ligature unfolds; invisible format characters (soft hyphens, zero-width and
bidi controls) dropped; white space collapsed to one space. Case, hyphens and
spaces count: "thathas", "work\u2010ing" and "WHAT IS IT?" differ from the
source they came from.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
)

from .contentstream import FastContentStream
from .pdftext import INLINE_TYPES, marked_texts

# pypdf reports what it repairs ("EOF marker not found") through logging; with no
# handler configured Python prints that to stderr, beside our one line per problem.
# A PDF it cannot read is our finding (gate.unreadable), so its own words stay quiet.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False

# White space, soft hyphens, invisible format characters, and list bullets
# (WeasyPrint draws a page's list markers after its text, so they interleave).
_DROP = re.compile(r"[\s\u00ad\u200b-\u200f\u2028-\u202f\u205f-\u206f\ufeff\u2022\u25e6\u25aa]+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """A loose form for finding the closest text: NFKC, case folded, no white
    space or invisibles. Never used to decide whether text is there."""
    # upper() first: some letters only meet their capitals that way (dotless
    # i: "ı".upper() == "I"). NFKC again after: case mapping can decompose.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).upper().casefold())
    return _DROP.sub("", text)


@lru_cache(maxsize=256)  # the same page text is searched for every required element
def reading_form(text: str) -> str:
    """Text as it is heard: NFKC, no invisible format characters (Unicode
    category Cf: soft hyphen, zero-width and bidi controls), white space runs
    as one space, trimmed. Case, letters, digits and punctuation are kept."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return _SPACE.sub(" ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack``, both in their reading form,
    in order: every character, space and case as written."""
    return reading_form(needle) in reading_form(haystack)


_TOKEN = re.compile(r"\d+|[a-z]+|[^\W\da-z_]+")


def tokens(text: str) -> list[str]:
    """Words and digit runs, normalised; punctuation and dashes dropped. For
    locating drawn glyph runs (visible.py), never for deciding that text is there."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def closest(haystack: str, needle: str) -> str:
    """The stretch of ``haystack`` most like ``needle``, for "found instead" messages."""
    import difflib

    words = haystack.split()
    size = max(1, len(needle.split()))
    best, best_ratio = "", 0.0
    target = normalise(needle)
    for start in range(0, max(1, len(words) - size + 1)):
        window = " ".join(words[start : start + size])
        ratio = difflib.SequenceMatcher(None, normalise(window), target).quick_ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best[:160]


def content_text(page) -> str:
    """A page's text outside /Artifact marked content (ISO 32000-1 14.8.2.2)."""
    parts: list[str] = []
    stack: list[str | None] = []

    def before(operator, args, cm, tm) -> None:
        if operator in (b"BMC", b"BDC"):
            stack.append(str(args[0]) if args else None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chunk, cm, tm, font, size) -> None:
        if "/Artifact" not in stack:
            parts.append(chunk)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return "".join(parts)


@dataclass
class StructElem:
    """A structure element read back from the tree."""

    type: str
    lang: str | None
    alt: str | None
    attributes: dict
    kids: list[StructElem]
    mcids: list[tuple[int, int]]  # (page index, mcid)
    objrefs: list[IndirectObject]
    obj: DictionaryObject
    #: Kids in /K order: StructElem, (page index, mcid) or an OBJR's object.
    order: list = field(default_factory=list)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def all_mcids(self):
        """(page, mcid) of this element's marked content and its kids', in order."""
        for item in self.order:
            if isinstance(item, StructElem):
                yield from item.all_mcids()
            elif isinstance(item, tuple):
                yield item


class ReadPdf:
    """A produced PDF, opened once and read lazily."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))

    def content(self, index: int) -> ContentStream:
        """A page's content stream, parsed once and shared by every check.

        Parsing dominates the cost of the gate; installing the parsed stream
        as the page's /Contents makes pypdf's text extraction reuse it.
        """
        page = self.reader.pages[index]
        current = page.get(NameObject("/Contents"))
        if isinstance(current, ContentStream):
            return current
        source = current.get_object() if current is not None else None
        # "bytes": keep text operands as raw bytes, as pypdf's text extraction does,
        # so that each font's ToUnicode map decodes them.
        parsed = FastContentStream(source, self.reader, "bytes")
        page[NameObject("/Contents")] = parsed
        return parsed

    def marked_text(self, index: int) -> dict[int, str]:
        """Page ``index``'s marked-content sequences: MCID -> the text read for it."""
        cache = self.__dict__.setdefault("_marked", {})
        if index not in cache:
            page = self.reader.pages[index]
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else None
            cache[index] = marked_texts(self.content(index).operations, resources)
        return cache[index]

    def tree_text(self, pages: set[int] | None = None) -> str:
        """The document's text in structure-tree order, as a screen reader
        hears it; with ``pages``, only what those pages (0-based) carry.

        A block-level element starts and ends a line; inline ones (Span, Link
        ...) run on without a break, so nothing is added between two marked
        sequences of one paragraph that the file does not say.
        """
        pieces = self._tree_pieces
        return _joined(
            text for page, text in pieces if page is _EVERY or (pages is None or page in pages)
        )

    @cached_property
    def _tree_pieces(self) -> list[tuple[object, str]]:
        """The tree walked once: (page, text) in reading order. A line break
        belongs to every page (``_EVERY``); a replaced element (/ActualText,
        /Alt) to the page of its first marked content (``None``: no page)."""
        out: list[tuple[object, str]] = []
        if self.structure is not None:
            self._elem_pieces(self.structure, out)
        return out

    def _elem_pieces(self, elem: StructElem, out: list[tuple[object, str]]) -> None:
        block = elem.type not in INLINE_TYPES
        if block:
            out.append((_EVERY, "\n"))
        replacement = elem.obj.get("/ActualText")
        if replacement is None:
            replacement = elem.obj.get("/Alt")
        if replacement is not None:
            first = next(iter(elem.all_mcids()), None)
            out.append((first[0] if first is not None else None, str(replacement)))
        else:
            for item in elem.order:
                if isinstance(item, StructElem):
                    self._elem_pieces(item, out)
                elif isinstance(item, tuple) and item[0] is not None:
                    page, mcid = item
                    out.append((page, self.marked_text(page).get(mcid, "")))
        if block:
            out.append((_EVERY, "\n"))

    @cached_property
    def page_texts(self) -> list[str]:
        """The text of each page that a reader hears, in structure-tree order:
        artifacts (running headers and footers, page numbers, decoration)
        left out. An untagged PDF: everything outside /Artifact, as drawn."""
        if self.structure is None:
            texts = []
            for index, page in enumerate(self.reader.pages):
                self.content(index)
                texts.append(content_text(page))
            return texts
        return [self.tree_text({index}) for index in range(len(self.reader.pages))]

    @cached_property
    def text(self) -> str:
        """The whole document's text in reading order (see ``tree_text``)."""
        if self.structure is None:
            return "\n".join(self.page_texts)
        return _joined(text for page, text in self._tree_pieces)

    @property
    def catalog(self) -> DictionaryObject:
        return self.reader.trailer["/Root"]

    @property
    def info(self) -> dict:
        return dict(self.reader.metadata or {})

    @cached_property
    def xmp(self) -> str:
        meta = self.catalog.get("/Metadata")
        if meta is None:
            return ""
        return meta.get_object().get_data().decode("utf-8", "replace")

    @property
    def lang(self) -> str | None:
        value = self.catalog.get("/Lang")
        return str(value) if value is not None else None

    def page_index(self, page_ref) -> int | None:
        target = page_ref.idnum if isinstance(page_ref, IndirectObject) else None
        for index, page in enumerate(self.reader.pages):
            if page.indirect_reference is not None and page.indirect_reference.idnum == target:
                return index
        return None

    @cached_property
    def structure(self) -> StructElem | None:
        root = self.catalog.get("/StructTreeRoot")
        if root is None:
            return None
        root = root.get_object()
        page_numbers = {
            page.indirect_reference.idnum: index
            for index, page in enumerate(self.reader.pages)
            if page.indirect_reference is not None
        }
        return _read_elem(root, page_numbers, None, set())


_EVERY = object()  # a line break: on every page's text


def _joined(pieces) -> str:
    return re.sub(r"[ \t]*\n[\s]*", "\n", "".join(pieces)).strip("\n")


def _read_elem(obj: DictionaryObject, pages: dict, page: int | None, seen: set) -> StructElem:
    if id(obj) in seen:  # a cycle would be a broken file; stop rather than loop
        return StructElem("Cycle", None, None, {}, [], [], [], obj)
    seen.add(id(obj))
    page_ref = obj.get("/Pg")
    if isinstance(page_ref, IndirectObject):
        page = pages.get(page_ref.idnum, page)
    kids_obj = obj.get("/K")
    kids_list = (
        kids_obj
        if isinstance(kids_obj, ArrayObject)
        else ([kids_obj] if kids_obj is not None else [])
    )
    kids, mcids, objrefs, order = [], [], [], []
    for kid in kids_list:
        if isinstance(kid, int):
            mcids.append((page, int(kid)))
            order.append(mcids[-1])
            continue
        target = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if not isinstance(target, DictionaryObject):
            continue
        kind = target.get("/Type")
        if kind == "/MCR":
            mcr_page = target.get("/Pg")
            mp = pages.get(mcr_page.idnum, page) if isinstance(mcr_page, IndirectObject) else page
            mcids.append((mp, int(target["/MCID"])))
            order.append(mcids[-1])
        elif kind == "/OBJR":
            objrefs.append(target["/Obj"])
            order.append(target["/Obj"])
        else:
            kids.append(_read_elem(target, pages, page, seen))
            order.append(kids[-1])
    attributes = obj.get("/A")
    attrs = {}
    for entry in attributes if isinstance(attributes, ArrayObject) else [attributes]:
        entry = entry.get_object() if isinstance(entry, IndirectObject) else entry
        if isinstance(entry, DictionaryObject):
            attrs.update({str(k): entry[k] for k in entry})
    kind = obj.get("/S")
    lang = obj.get("/Lang")
    alt = obj.get("/Alt")
    return StructElem(
        type=str(kind)[1:] if isinstance(kind, NameObject) else "StructTreeRoot",
        lang=str(lang) if lang is not None else None,
        alt=str(alt) if alt is not None else None,
        attributes=attrs,
        kids=kids,
        mcids=mcids,
        objrefs=objrefs,
        obj=obj,
        order=order,
    )
