"""XLIFF 1.2 in and out (OASIS XLIFF 1.2, docs.oasis-open.org/xliff/v1.2/os/xliff-core.html).

Out: plain XLIFF 1.2 that validates against the OASIS strict schema, one
``<trans-unit>`` per unit, never segmented (the translator's tool segments).
Our record of the export lives where tools keep it: the source sheet in
``file/@original``, the source units' hash in ``@build-num``, and the language
the file was exported for in the header's ``<phase>`` (``job-id``).

In: what CAT tools write back. The file is parsed with DTDs and entities
refused outright (a DOCTYPE is never needed in XLIFF and is how entity attacks
arrive). Segmented units are joined, tool-specific inline codes mapped back
(segments.py), and each unit's readiness read from the XLIFF state and the
tools' own confirmation marks (states.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .. import __version__
from ..errors import InputError
from .incoming import Incoming, IncomingUnit, Problem
from .inline import XLIFF_NS, PlaceholderError
from .segments import Token, tokens
from .states import readiness

_NAMESPACES = (XLIFF_NS, "urn:oasis:names:tc:xliff:document:1.1", None)
TOOL_ID = "factsheet"


def _parser() -> etree.XMLParser:
    """No DTD loading, no entity expansion, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def parse_xml(data: bytes, shown: str) -> etree._ElementTree:
    """Parse untrusted XML, refusing any DOCTYPE (and so every DTD and entity)."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise InputError(
            f"not well-formed XML: {error.msg}",
            shown,
            line,
            hint="save the file again from your translation tool",
        ) from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InputError(
            "the file declares a DOCTYPE (a DTD or entities); XLIFF needs neither",
            shown,
            1,
            hint="remove the <!DOCTYPE ...> declaration; entities are never expanded",
        )
    return tree


# -- reading -------------------------------------------------------------------------


def _q(namespace: str | None, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def read_xliff(data: bytes, shown: str, max_units: int) -> Incoming:
    tree = parse_xml(data, shown)
    root = tree.getroot()
    name = etree.QName(root)
    if name.localname != "xliff" or name.namespace not in _NAMESPACES:
        hint = "export XLIFF 1.2 from your tool" if "2.0" in str(name.namespace) else None
        raise InputError(f"not an XLIFF 1.2 file (root <{name.localname}>)", shown, 1, hint=hint)
    ns = name.namespace
    files = root.findall(_q(ns, "file"))
    if not files:
        raise InputError("the XLIFF file has no <file> element", shown, root.sourceline)
    originals = {f.get("original", "") for f in files}
    if len(originals) > 1:
        raise InputError(
            "the XLIFF file holds several source files: " + ", ".join(sorted(originals)),
            shown,
            files[1].sourceline,
            hint="import each exported file on its own",
        )
    first = files[0]
    units = [tu for f in files for tu in f.iter(_q(ns, "trans-unit"))]
    if len(units) > max_units:
        raise InputError(
            f"the file has {len(units):,} units, over the limit of {max_units:,}",
            shown,
            hint="a sheet has a few hundred units at most; raise "
            "limits.max_translation_units in policy.yaml if this is right",
        )
    phase = first.find(f"{_q(ns, 'header')}/{_q(ns, 'phase-group')}/{_q(ns, 'phase')}")
    exported = (
        phase.get("job-id") if phase is not None and phase.get("tool-id") == TOOL_ID else None
    )
    incoming = Incoming(
        "xliff", first.get("original", ""), first.get("target-language", ""), exported
    )
    for tu in units:
        incoming.add(_unit(tu, ns, incoming))
    return incoming


def _unit(tu: etree._Element, ns: str | None, incoming: Incoming) -> IncomingUnit:
    unit_id = tu.get("id") or tu.get("resname") or "?"
    line = tu.sourceline
    source = tu.find(_q(ns, "seg-source"))
    if source is None:
        source = tu.find(_q(ns, "source"))
    target = tu.find(_q(ns, "target"))
    notes = [
        " ".join("".join(n.itertext()).split())
        for n in tu.findall(_q(ns, "note"))
        if n.get("from") not in (TOOL_ID, "developer")
    ]
    unit = IncomingUnit(unit_id, line, None, None, notes=notes, resname=tu.get("resname"))
    if source is None:
        unit.problem = "the unit has no <source> (a file our export did not write)"
        return unit
    try:
        unit.source = tokens(source)
        target_tokens = tokens(target) if target is not None else None
        if target is None or not any(t.kind != "text" or t.value.strip() for t in target_tokens):
            unit.problem = "not translated (the target is empty)"
            return unit
        empty = _empty_segments(source, target, ns)
    except PlaceholderError as error:
        unit.problem = str(error)
        return unit
    if empty:
        unit.problem = f"segment(s) {', '.join(empty)} not translated"
        return unit
    unit.problem = readiness(tu, target, _segment_ids(target, ns))
    if unit.problem is None:
        unit.target = target_tokens
    return unit


def _segments(element: etree._Element | None, ns: str | None) -> dict[str, etree._Element]:
    if element is None:
        return {}
    return {m.get("mid", ""): m for m in element.iter(_q(ns, "mrk")) if m.get("mtype") == "seg"}


def _segment_ids(target: etree._Element, ns: str | None) -> list[str]:
    return list(_segments(target, ns))


def _has_text(element: etree._Element | None) -> bool:
    return element is not None and bool(
        "".join(t.value for t in tokens(element) if t.kind == "text").strip()
    )


def _empty_segments(source, target, ns) -> list[str]:
    """Source segments with text whose target segment is missing or empty."""
    theirs = _segments(target, ns)
    return [
        mid
        for mid, seg in _segments(source, ns).items()
        if _has_text(seg) and not _has_text(theirs.get(mid))
    ]


# -- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutUnit:
    """One unit as exported: ids, source element, and what the translator starts from."""

    id: str
    note: str
    source: etree._Element
    target: etree._Element | None = None  # a previous translation, if any
    state: str = "needs-translation"
    previous_source: etree._Element | None = None  # the old source, when it changed since
    previous_target: etree._Element | None = None  # the translation of the old source
    match_quality: int | None = None


def write_xliff(
    units: list[OutUnit],
    original: str,
    source_lang: str,
    lang: str,
    version: str,
    source_hash: str,
) -> bytes:
    """A complete XLIFF 1.2 document (strict schema) for the units."""
    x = f"{{{XLIFF_NS}}}"
    root = etree.Element(f"{x}xliff", version="1.2", nsmap={None: XLIFF_NS})
    file_node = etree.SubElement(
        root,
        f"{x}file",
        original=original,
        **{
            "source-language": source_lang,
            "target-language": lang,
            "datatype": "x-markdown",
            "product-name": "factsheet",
            "product-version": version,
            "build-num": source_hash,
            "tool-id": TOOL_ID,
        },
    )
    header = etree.SubElement(file_node, f"{x}header")
    group = etree.SubElement(header, f"{x}phase-group")
    etree.SubElement(
        group,
        f"{x}phase",
        **{
            "phase-name": "export",
            "process-name": "translation",
            "tool-id": TOOL_ID,
            "job-id": lang,
        },
    )
    etree.SubElement(
        header,
        f"{x}tool",
        **{"tool-id": TOOL_ID, "tool-name": "factsheet", "tool-version": __version__},
    )
    body = etree.SubElement(file_node, f"{x}body")
    for unit in units:
        tu = etree.SubElement(body, f"{x}trans-unit", id=unit.id, resname=unit.id)
        tu.append(unit.source)
        target = unit.target if unit.target is not None else etree.Element(f"{x}target")
        target.set("state", unit.state)
        tu.append(target)
        etree.SubElement(tu, f"{x}note", **{"from": TOOL_ID}).text = unit.note
        if unit.previous_source is not None and unit.previous_target is not None:
            alt = etree.SubElement(
                tu,
                f"{x}alt-trans",
                origin="factsheet: previous version",
                **(
                    {"match-quality": f"{unit.match_quality}%"}
                    if unit.match_quality is not None
                    else {}
                ),
            )
            alt.append(unit.previous_source)
            alt.append(unit.previous_target)
    _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_TEXT_ELEMENTS = {"source", "target", "note", "seg-source"}


def _indent(element: etree._Element, level: int = 0) -> None:
    """Line breaks and indents between structural elements only: white space inside
    a <source> or <target> would be content (lxml's pretty_print adds it there when
    an element holds only inline codes)."""
    if etree.QName(element).localname in _TEXT_ELEMENTS or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level


def source_text(sequence: list[Token] | None) -> str:
    return "".join(t.value for t in sequence or [] if t.kind == "text")


__all__ = ["OutUnit", "Problem", "parse_xml", "read_xliff", "source_text", "write_xliff"]
