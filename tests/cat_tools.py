"""Translator's files in the shapes CAT tools write, built from our own export.

Each shape starts from a file `factsheet translate export` wrote and changes it
the way the tool does when it hands the translation back: Trados Studio
(sentence segments in <seg-source>/<mrk mtype="seg">, confirmations in
sdl:seg-defs), memoQ (inline codes as <bpt>/<ept>/<ph> with its own numbering,
mq:status), Okapi Rainbow (segments plus bpt/ept/ph, XLIFF states), Phrase
(m:confirmed), Weblate (approved="yes", a regional language tag), Poedit and
OmegaT (PO: Language fr_FR / fr-FR, msgstr filled, fuzzy cleared).

The text is a French pseudo-translation (accented vowels; numbers grouped the
French way with a narrow no-break space; a no-break space before ? and %), so
the round trip also proves that no-break spaces survive.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

NS = "urn:oasis:names:tc:xliff:document:1.2"
X = f"{{{NS}}}"
SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
MQ = "MQXliff"
PHRASE = "http://www.memsource.com/mxlf/2.0"
NNBSP, NBSP = "\u202f", "\u00a0"
PLAIN = ("title", "series", "summary", "audience", "keywords")  # front matter: plain text

_KEEP = re.compile(r"(\S+@\S+|https?://\S+|\+?\d[\d\- ]{7,}\d|\{\w+\})")
_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")


def pseudo(text: str | None) -> str | None:
    """French pseudo-translation of a text node: contacts and {placeholders} kept."""
    if not text:
        return text
    parts = _KEEP.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        part = part.translate(_ACCENTS)
        part = re.sub(r"(\d),(\d{3})", rf"\1{NNBSP}\2", part)  # 168,000 -> 168 000
        part = re.sub(r"(\d)%", rf"\1{NNBSP}%", part)
        part = re.sub(r"(\w)\?", rf"\1{NBSP}?", part)
        out.append(part)
    return "".join(out)


def translate_element(source: etree._Element, tag: str = "target") -> etree._Element:
    target = copy.deepcopy(source)
    target.tag = f"{X}{tag}"
    for node in target.iter():
        node.text = pseudo(node.text)
        if node is not target:
            node.tail = pseudo(node.tail)
    return target


def units(tree: etree._ElementTree):
    return list(tree.iter(f"{X}trans-unit"))


def fill(tree: etree._ElementTree, state: str | None = "translated") -> etree._ElementTree:
    """Every unit translated, as a generic XLIFF editor does."""
    for tu in units(tree):
        old = tu.find(f"{X}target")
        new = translate_element(tu.find(f"{X}source"))
        if state:
            new.set("state", state)
        if old is not None:
            tu.replace(old, new)
        else:
            tu.find(f"{X}source").addnext(new)
        for alt in tu.findall(f"{X}alt-trans"):
            tu.remove(alt)
    return tree


# -- segmentation ------------------------------------------------------------------


def _items(element: etree._Element) -> list:
    """Top-level content as a list of strings and elements."""
    items: list = []
    if element.text:
        items.append(element.text)
    for child in element:
        tail = child.tail
        child.tail = None
        items.append(child)
        if tail:
            items.append(tail)
    return items


def _segments(element: etree._Element) -> tuple[list[list], list[str]]:
    """Sentences (lists of items) and the white space between them."""
    segments: list[list] = [[]]
    gaps: list[str] = []
    for item in _items(element):
        if not isinstance(item, str):
            segments[-1].append(item)
            continue
        pieces = re.split(r"(?<=[.?!])(\s+)(?=\S)", item)
        for n, piece in enumerate(pieces):
            if n % 2:
                gaps.append(piece)
                segments.append([])
            elif piece:
                segments[-1].append(piece)
    return segments, gaps


def _build_segmented(tag: str, element: etree._Element) -> etree._Element:
    out = etree.Element(f"{X}{tag}")
    segments, gaps = _segments(copy.deepcopy(element))
    for mid, items in enumerate(segments, start=1):
        mrk = etree.SubElement(out, f"{X}mrk", mtype="seg", mid=str(mid))
        for item in items:
            if isinstance(item, str):
                if len(mrk):
                    mrk[-1].tail = (mrk[-1].tail or "") + item
                else:
                    mrk.text = (mrk.text or "") + item
            else:
                mrk.append(item)
        if mid <= len(gaps):
            mrk.tail = gaps[mid - 1]
    return out


def segment(tu: etree._Element) -> int:
    """Give a unit <seg-source> and a segmented <target>; returns the segment count."""
    source = tu.find(f"{X}source")
    seg_source = _build_segmented("seg-source", source)
    source.addnext(seg_source)
    old = tu.find(f"{X}target")
    target = _build_segmented("target", translate_element(source))
    tu.replace(old, target)
    return len(seg_source)


# -- inline codes as bpt/ept/ph ------------------------------------------------------


def to_bpt(element: etree._Element, offset: int) -> None:
    """<g id=n> -> <bpt id=n+offset>{}</bpt>...<ept id=..>{}</ept>; <x/> -> <ph>."""
    for g in list(element.iter(f"{X}g")):
        number = str(int(g.get("id")) + offset)
        parent = g.getparent()
        index = parent.index(g)
        bpt = etree.Element(f"{X}bpt", id=number, ctype=g.get("ctype", ""))
        bpt.text = "{}"
        ept = etree.Element(f"{X}ept", id=number)
        ept.text = "{}"
        bpt.tail = g.text
        children = list(g)
        parent.remove(g)
        parent.insert(index, bpt)
        for n, child in enumerate(children, start=1):
            parent.insert(index + n, child)
        parent.insert(index + len(children) + 1, ept)
        ept.tail = g.tail
    for x in list(element.iter(f"{X}x")):
        ph = etree.Element(f"{X}ph", id=str(int(x.get("id")) + offset))
        ph.text = f'<x id="{x.get("id")}"/>'
        ph.tail = x.tail
        x.getparent().replace(x, ph)


# -- the tools -----------------------------------------------------------------------


def trados(tree: etree._ElementTree, conf: str = "Translated", origin: str = "interactive"):
    etree.register_namespace("sdl", SDL)
    for tu in units(tree):
        count = segment(tu)
        defs = etree.SubElement(tu, f"{{{SDL}}}seg-defs")
        for mid in range(1, count + 1):
            etree.SubElement(defs, f"{{{SDL}}}seg", id=str(mid), conf=conf, origin=origin)
        for alt in tu.findall(f"{X}alt-trans"):
            tu.remove(alt)
    return tree


def memoq(tree: etree._ElementTree, status: str = "ManuallyConfirmed"):
    """memoQ's bilingual XLIFF: its own unit numbers (our ids survive only in the source
    text), mq:status, bpt/ept/ph codes renumbered, no XLIFF state."""
    fill(tree, state=None)
    for number, tu in enumerate(units(tree), start=1):
        tu.set("id", str(number))
        tu.attrib.pop("resname", None)
        tu.set(f"{{{MQ}}}status", status)
        for tag in ("source", "target"):
            element = tu.find(f"{X}{tag}")
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            to_bpt(element, 100)
    return tree


def okapi(tree: etree._ElementTree):
    for tu in units(tree):
        segment(tu)
        tu.find(f"{X}target").set("state", "translated")
        for tag in ("source", "seg-source", "target"):
            to_bpt(tu.find(f"{X}{tag}"), 0)
        for alt in tu.findall(f"{X}alt-trans"):
            tu.remove(alt)
    return tree


def phrase(tree: etree._ElementTree, confirmed: str = "1"):
    fill(tree, state=None)
    for tu in units(tree):
        tu.set(f"{{{PHRASE}}}confirmed", confirmed)
    return tree


def weblate(tree: etree._ElementTree):
    fill(tree, state=None)
    tree.getroot().find(f"{X}file").set("target-language", "fr-FR")
    for tu in units(tree):
        tu.set("approved", "yes")
    return tree


XLIFF_TOOLS = {
    "trados": trados,
    "memoq": memoq,
    "okapi": okapi,
    "phrase": phrase,
    "weblate": weblate,
}


def po_tool(data: bytes, language: str, generator: str) -> bytes:
    """A PO file as Poedit or OmegaT saves it: every msgstr filled, no fuzzy flags."""
    from translate.storage import po

    store = po.pofile.parsestring(data)
    for unit in store.units:
        if unit.isheader():
            continue
        context = unit.getcontext()
        if context in PLAIN or context.startswith("label:"):
            unit.target = pseudo(unit.source)
        else:
            element = etree.fromstring(f'<t xmlns="{NS}">{unit.source}</t>')
            for node in element.iter():
                node.text = pseudo(node.text)
                if node is not element:
                    node.tail = pseudo(node.tail)
            inner = etree.tostring(element, encoding="unicode")
            inner = re.sub(r'^<t xmlns="[^"]+">|</t>$', "", inner)
            unit.target = re.sub(r'\sxmlns="[^"]+"', "", inner)
        if unit.isfuzzy():
            unit.markfuzzy(False)
    store.updateheader(add=True, Language=language, X_Generator=generator)
    return bytes(store)


PO_TOOLS = {
    "poedit": lambda data: po_tool(data, "fr_FR", "Poedit 3.4.2"),
    "omegat": lambda data: po_tool(data, "fr-FR", "OmegaT 6.0.0"),
}


def factsheet(root, *args: str):
    """Run `factsheet --project ROOT ARGS...` in this process, as the console entry
    point does (its error handling included), and return what a subprocess would:
    exit code, stdout, stderr. An exception that escapes is printed to stderr as a
    traceback, so a test's "no Traceback" assertion still sees it. (No interpreter
    start-up per call: the translator tests run a few hundred commands.)"""
    import contextlib
    import io
    import subprocess
    import sys
    import traceback

    from pipeline.commands.main import main

    out, err = io.StringIO(), io.StringIO()
    argv, code = sys.argv, 0
    sys.argv = ["factsheet", "--project", str(root), *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
            except Exception:  # a bug: show it the way a user would see it
                traceback.print_exc(file=sys.stderr)
                code = 1
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
