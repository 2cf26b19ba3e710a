"""Reading produced PDFs back with pypdf: text, metadata, XMP and structure.

The compliance gate trusts nothing but what this module reads out of the file.
Text comparison is done on a normalised form (Unicode NFKC, so ligatures
unfold; case folded; white space, soft hyphens and line-end hyphenation
dropped), because the same words come back from a PDF broken into lines.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
)

# White space, soft hyphens, invisible format characters, and list bullets
# (WeasyPrint draws a page's list markers after its text, so they interleave).
_DROP = re.compile(r"[\s\u00ad\u200b-\u200f\u2028-\u202f\u205f-\u206f\ufeff\u2022\u25e6\u25aa]+")
_HYPHENS = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2212]")


def normalise(text: str, hyphens: bool = True) -> str:
    """Comparable form of a text: NFKC, case folded, no white space or invisibles.

    With ``hyphens=False`` dashes are dropped as well, so that "ef-\\nfects"
    and "effects" compare equal; callers try both forms.
    """
    # upper() first: text-transform may have upper-cased the text, and some
    # letters only meet their capitals that way (dotless i: "ı".upper() == "I").
    # NFKC again after: case mapping can decompose ("ΐ".upper() is three code points).
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).upper().casefold())
    text = _DROP.sub("", text)
    if not hyphens:
        text = _HYPHENS.sub("", text)
    return text


def contains(haystack: str, needle: str, rtl: bool = False) -> bool:
    """Whether ``needle`` occurs in ``haystack`` after normalisation.

    Right-to-left text comes out of a PDF in visual order run by run (an Arabic
    sentence with a number in it reads back with the runs swapped), so for RTL
    documents the words of ``needle`` must instead all occur close together.
    """
    if normalise(needle) in normalise(haystack):
        return True
    if normalise(needle, hyphens=False) in normalise(haystack, hyphens=False):
        return True
    return rtl and _near(tokens(haystack), tokens(needle))


_TOKEN = re.compile(r"\d+|[a-z]+|[^\W\da-z_]+")


def tokens(text: str) -> list[str]:
    """Words and digit runs, normalised; punctuation and dashes dropped."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _near(haystack: list[str], needle: list[str]) -> bool:
    """All of ``needle`` (with repeats) inside some window of ``haystack``."""
    from collections import Counter

    if not needle:
        return True
    want = Counter(needle)
    size = len(needle) * 2 + 4
    for start in range(0, max(1, len(haystack) - len(needle) + 1)):
        if haystack[start] not in want:
            continue
        window = Counter(haystack[start : start + size])
        if not want - window:
            return True
    return False


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

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


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
        parsed = ContentStream(source, self.reader, "bytes")
        page[NameObject("/Contents")] = parsed
        return parsed

    @cached_property
    def page_texts(self) -> list[str]:
        """The text of each page that a reader hears: artifacts (running
        headers and footers, page numbers, decoration) left out."""
        texts = []
        for index, page in enumerate(self.reader.pages):
            self.content(index)
            texts.append(content_text(page))
        return texts

    @cached_property
    def text(self) -> str:
        return "\n".join(self.page_texts)

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
    kids, mcids, objrefs = [], [], []
    for kid in kids_list:
        if isinstance(kid, int):
            mcids.append((page, int(kid)))
            continue
        target = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if not isinstance(target, DictionaryObject):
            continue
        kind = target.get("/Type")
        if kind == "/MCR":
            mcr_page = target.get("/Pg")
            mp = pages.get(mcr_page.idnum, page) if isinstance(mcr_page, IndirectObject) else page
            mcids.append((mp, int(target["/MCID"])))
        elif kind == "/OBJR":
            objrefs.append(target["/Obj"])
        else:
            kids.append(_read_elem(target, pages, page, seen))
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
    )
