"""What CAT tools do to a unit's content, undone: segments joined, codes mapped back.

Translation tools hand XLIFF 1.2 back in more than one shape:

- segmented: ``<seg-source>`` and ``<target>`` hold one ``<mrk mtype="seg">``
  per sentence (Trados, memoQ, Okapi); the unit is the segments joined with
  the text between them.
- inline codes as ``<g>``/``<x/>`` (what we export) or as ``<bpt>``/``<ept>``
  pairs, ``<ph>``, ``<it>`` and ``<bx/>``/``<ex/>`` (memoQ, Okapi, Phrase), whose
  content is the tool's own copy of the original code (not text).
- other markers (``<mrk mtype="protected">``, term and comment markers) around text.

``tokens()`` reads any of these as one flat sequence; ``rebuild()`` turns a
target's sequence back into our own ``<g>``/``<x/>`` form. A tool may renumber
codes, so they are matched by ORDER against the file's own source (the codes
there are the tool's names for ours, in our order): the n-th code opened in
the file's source is our n-th code.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .inline import XLIFF_NS, PlaceholderError

_CLOSING = {"ept", "ex"}
#: Standalone codes; <bpt>, <ept>, <ph> and <it> hold the tool's copy of the original
#: code (and maybe <sub>), never text, so their content is skipped.
_STANDALONE = {"x", "ph", "it"}
_TRANSPARENT = {"mrk"}  # segment, protected, term and comment markers: their text counts


@dataclass(frozen=True)
class Token:
    kind: str  # "text", "open", "close" or "code"
    value: str  # the text, or the code's key in the file: "p:1" (paired), "s:2" (standalone)
    ctype: str = ""


def _key(element: etree._Element, kind: str) -> str:
    """A code's name in the file; <g> and <bpt> (or <x/> and <ph>) name codes alike,
    so a target written with other elements than its source still matches."""
    return f"{kind}:{element.get('rid') or element.get('id') or ''}"


def tokens(element: etree._Element) -> list[Token]:
    """The element's content as text and code tokens, segments and markers dissolved."""
    out: list[Token] = []

    def text(value: str | None) -> None:
        if value:
            out.append(Token("text", value))

    def walk(node: etree._Element) -> None:
        text(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                text(child.tail)
                continue
            name = etree.QName(child)
            local = name.localname
            if name.namespace not in (XLIFF_NS, None):
                raise PlaceholderError(
                    f"unexpected element <{local}> (namespace {name.namespace}) in the text"
                )
            ctype = child.get("ctype", "")
            if local == "g":
                out.append(Token("open", _key(child, "p"), ctype))
                walk(child)
                out.append(Token("close", _key(child, "p")))
            elif local in ("bpt", "bx"):
                out.append(Token("open", _key(child, "p"), ctype))
            elif local in _CLOSING:
                out.append(Token("close", _key(child, "p")))
            elif local in _STANDALONE:
                out.append(Token("code", _key(child, "s"), ctype))
            elif local in _TRANSPARENT:
                walk(child)
            else:
                raise PlaceholderError(f"unexpected element <{local}> in the text")
            text(child.tail)

    walk(element)
    return out


def plain(sequence: list[Token]) -> str:
    return "".join(t.value for t in sequence if t.kind == "text")


def code_order(sequence: list[Token]) -> list[tuple[str, str]]:
    """(kind, key) of each code in order of opening: ("paired", "g:1"), ("standalone", "ph:2")."""
    return [
        ("paired" if t.kind == "open" else "standalone", t.value)
        for t in sequence
        if t.kind in ("open", "code")
    ]


def code_map(file_source: list[Token], ours: list[Token]) -> dict[str, str] | None:
    """File code key -> our code id, matched by order; None if the codes differ in
    number or kind (the file's source is not the sheet's)."""
    theirs, mine = code_order(file_source), code_order(ours)
    if [k for k, _ in theirs] != [k for k, _ in mine]:
        return None
    return {key: our.split(":", 1)[1] for (_, key), (_, our) in zip(theirs, mine, strict=True)}


def rebuild(sequence: list[Token], mapping: dict[str, str], tag: str = "target") -> etree._Element:
    """A target's tokens as our element: ``<g id=..>`` around paired codes, ``<x id=../>``."""
    root = etree.Element(f"{{{XLIFF_NS}}}{tag}")
    stack: list[tuple[str, etree._Element]] = [("", root)]

    def append_text(value: str) -> None:
        node = stack[-1][1]
        if len(node):
            node[-1].tail = (node[-1].tail or "") + value
        else:
            node.text = (node.text or "") + value

    def ours(key: str) -> str:
        if key not in mapping:
            kind, _, number = key.partition(":")
            raise PlaceholderError(
                f"inline code {number or '?'} is not in the source of this unit "
                "(copy the source's tags, do not type new ones)"
            )
        return mapping[key]

    for token in sequence:
        if token.kind == "text":
            append_text(token.value)
        elif token.kind == "open":
            attrs = {"id": ours(token.value)}
            if token.ctype:
                attrs["ctype"] = token.ctype
            element = etree.SubElement(stack[-1][1], f"{{{XLIFF_NS}}}g", **attrs)
            stack.append((token.value, element))
        elif token.kind == "close":
            if stack[-1][0] != token.value:
                raise PlaceholderError(
                    "inline codes overlap or close out of order "
                    "(a tag pair must close inside the pair around it)"
                )
            stack.pop()
        else:
            etree.SubElement(stack[-1][1], f"{{{XLIFF_NS}}}x", id=ours(token.value))
    if len(stack) > 1:
        raise PlaceholderError("an inline code pair is opened but never closed")
    return root
