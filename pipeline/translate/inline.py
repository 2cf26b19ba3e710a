"""Inline Markdown <-> XLIFF inline codes, so translators cannot break markup.

A unit's Markdown (``Call [our helpline](tel:+1...) **now**``) is exported as
text with XLIFF 1.2 inline elements: paired ``<g id="1" ctype="link">``
around link text, bold, italic and language spans, and standalone ``<x/>`` for
code and images. The link target, the language tag and the image path never
leave the project: on import they are taken from the SOURCE by id, so a
translation can move or drop a placeholder (and gets a finding) but cannot
change a URL or a phone link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..source.markdown import parse_inline

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"

_CTYPES = {
    "strong": "bold",
    "em": "italic",
    "link": "link",
    "span": "x-lang",
}


@dataclass
class Codes:
    """What each inline code id stands for in the source."""

    paired: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (kind, value)
    standalone: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (kind, a, b)


def to_element(markdown: str, tag: str, namespace: str = XLIFF_NS) -> tuple[etree._Element, Codes]:
    """Markdown inline source -> an lxml <source>/<target> element and its codes."""
    root = etree.Element(f"{{{namespace}}}{tag}")
    codes = Codes()
    stack = [root]
    counter = 0

    def append_text(text: str) -> None:
        node = stack[-1]
        if len(node):
            node[-1].tail = (node[-1].tail or "") + text
        else:
            node.text = (node.text or "") + text

    for token in parse_inline(markdown):
        kind = token.type
        if kind == "text":
            append_text(token.content)
        elif kind in ("softbreak", "hardbreak"):
            append_text(" ")
        elif kind.endswith("_open") and kind[:-5] in _CTYPES:
            counter += 1
            base = kind[:-5]
            value = str(token.attrGet("href") or token.attrGet("lang") or "")
            ctype = _CTYPES[base] + (f"-{value}" if base == "span" else "")
            element = etree.SubElement(stack[-1], f"{{{namespace}}}g", id=str(counter), ctype=ctype)
            codes.paired[str(counter)] = (base, value)
            stack.append(element)
        elif kind.endswith("_close") and kind[:-6] in _CTYPES:
            if len(stack) > 1:
                stack.pop()
        elif kind == "code_inline":
            counter += 1
            etree.SubElement(
                stack[-1],
                f"{{{namespace}}}x",
                id=str(counter),
                ctype="x-code",
                **{"equiv-text": token.content},
            )
            codes.standalone[str(counter)] = ("code", token.content, "")
        elif kind == "image":
            counter += 1
            etree.SubElement(
                stack[-1],
                f"{{{namespace}}}x",
                id=str(counter),
                ctype="image",
                **{"equiv-text": "[image]"},
            )
            codes.standalone[str(counter)] = (
                "image",
                str(token.attrGet("src") or ""),
                str(token.attrGet("class") or ""),
            )
        else:
            append_text(token.content)
    return root, codes


_ESCAPE = re.compile(r"([\\`*_\[\]])")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


class PlaceholderError(ValueError):
    """A translation whose inline codes do not match its source's."""


def from_element(element: etree._Element, codes: Codes, alts: dict[str, str] | None = None) -> str:
    """A translated element -> Markdown, taking link targets and tags from ``codes``."""
    seen: list[str] = []
    alts = alts or {}

    def render(node: etree._Element) -> str:
        parts = [_escape(node.text or "")]
        for child in node:
            local = etree.QName(child).localname
            code_id = child.get("id", "")
            seen.append(code_id)
            if local == "g":
                if code_id not in codes.paired:
                    raise PlaceholderError(f'placeholder <g id="{code_id}"> is not in the source')
                kind, value = codes.paired[code_id]
                inner = render(child)
                parts.append(
                    {
                        "strong": f"**{inner}**",
                        "em": f"*{inner}*",
                        "link": f"[{inner}]({value})",
                        "span": f"[{inner}]{{lang={value}}}",
                    }[kind]
                )
            elif local == "x":
                if code_id not in codes.standalone:
                    raise PlaceholderError(f'placeholder <x id="{code_id}"/> is not in the source')
                kind, first, second = codes.standalone[code_id]
                if kind == "code":
                    parts.append(f"`{first}`")
                else:
                    alt = alts.get(code_id, "")
                    parts.append(
                        f"![{_escape(alt)}]({first})" + ("{.decorative}" if second else "")
                    )
            else:
                raise PlaceholderError(f"unexpected element <{local}> in a translation")
            parts.append(_escape(child.tail or ""))
        return "".join(parts)

    text = render(element)
    expected = set(codes.paired) | set(codes.standalone)
    missing = sorted(expected - set(seen), key=int)
    doubled = sorted({i for i in seen if seen.count(i) > 1})
    if missing:
        raise PlaceholderError(f"placeholder(s) {', '.join(missing)} of the source are missing")
    if doubled:
        raise PlaceholderError(f"placeholder(s) {', '.join(doubled)} appear more than once")
    return " ".join(text.split())


def to_tagged_text(element: etree._Element) -> str:
    """The element's content as a string with literal <g>/<x/> tags (for PO files)."""
    markup = etree.tostring(element, encoding="unicode", with_tail=False)
    markup = re.sub(r"<(/?)\w+:", r"<\1", markup)  # drop namespace prefixes
    markup = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", markup)
    return re.sub(r"^<[^>]*?>|</[^>]+>$", "", markup) if not markup.endswith("/>") else ""


def from_tagged_text(text: str, tag: str = "target") -> etree._Element:
    """Parse PO text with literal <g>/<x/> tags back into an element."""
    try:
        return etree.fromstring(f'<{tag} xmlns="{XLIFF_NS}">{text}</{tag}>')
    except etree.XMLSyntaxError as error:
        raise PlaceholderError(f"broken placeholder markup: {error.msg}") from None
