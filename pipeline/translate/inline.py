"""Inline Markdown <-> XLIFF inline codes, so translators cannot break markup.

A unit's Markdown (``Call [our helpline](tel:+1...) **now**``) is exported as
text with XLIFF 1.2 inline elements: paired ``<g id="1" ctype="link">``
around link text, bold, italic and language spans, and standalone ``<x/>`` for
code, images and a label's ``{placeholders}``. The link target and the image
path never leave the project: on import they are taken from the SOURCE by id,
so a translation can move or drop a placeholder (and gets a finding) but cannot
change a URL or a phone link. A language span is the exception that proves the
rule: its language may change with the translation ("[Se habla español.]{lang=es}"
becomes "[We speak English.]{lang=en}" in Spanish), so a valid ``x-lang-*``
ctype on the target's ``<g>`` wins over the source's.

Plain units (front-matter values, labels) are text, not Markdown: nothing in
them is escaped on the way back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..source.langtag import check_language_tag
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


_PLACEHOLDER = re.compile(r"(\{\w+\})")
_SPACES = re.compile(r"[ \t\r\n]+")  # XML white space; a no-break space is content


def collapse(text: str) -> str:
    """Runs of XML white space as one space; no-break and thin spaces stay."""
    return _SPACES.sub(" ", text).strip()


def to_element(
    markdown: str, tag: str, namespace: str = XLIFF_NS, plain: bool = False
) -> tuple[etree._Element, Codes]:
    """Markdown inline source -> an lxml <source>/<target> element and its codes.

    ``plain``: the text is not Markdown (a label or front-matter value); only its
    ``{placeholders}`` become codes."""
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

    if plain:
        for part in _PLACEHOLDER.split(markdown):
            if _PLACEHOLDER.fullmatch(part):
                counter += 1
                etree.SubElement(
                    root,
                    f"{{{namespace}}}x",
                    id=str(counter),
                    ctype="x-python-brace-param",
                    **{"equiv-text": part},
                )
                codes.standalone[str(counter)] = ("placeholder", part, "")
            elif part:
                append_text(part)
        return root, codes

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


#: Markdown's active characters in translated text: emphasis, links, code, autolinks
#: (<...>), entities (&...;) and attribute braces all come back escaped, so text can
#: never turn into markup or a link the source did not have.
_ESCAPE = re.compile(r"([\\`*_\[\]<>&{}])")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


class PlaceholderError(ValueError):
    """A translation whose inline codes do not match its source's."""


def _span_lang(child: etree._Element, source_lang: str) -> str:
    """The language of a translated span: the target's ctype if it names a valid tag."""
    ctype = child.get("ctype") or ""
    if ctype.startswith("x-lang-"):
        try:
            return check_language_tag(ctype[len("x-lang-") :])
        except ValueError:
            raise PlaceholderError(
                f'language span <g id="{child.get("id")}"> names an unknown language '
                f"'{ctype[len('x-lang-') :]}'"
            ) from None
    return source_lang


def from_element(
    element: etree._Element,
    codes: Codes,
    alts: dict[str, str] | None = None,
    plain: bool = False,
) -> str:
    """A translated element -> Markdown (or plain text), taking link targets from ``codes``."""
    seen: list[str] = []
    alts = alts or {}
    escape = (lambda text: text) if plain else _escape

    def render(node: etree._Element) -> str:
        parts = [escape(node.text or "")]
        for child in node:
            local = etree.QName(child).localname
            code_id = child.get("id", "")
            seen.append(code_id)
            if local == "g":
                if code_id not in codes.paired:
                    raise PlaceholderError(f'placeholder <g id="{code_id}"> is not in the source')
                kind, value = codes.paired[code_id]
                inner = render(child)
                if kind == "span":
                    value = _span_lang(child, value)
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
                if kind in ("code", "placeholder"):
                    parts.append(f"`{first}`" if kind == "code" else first)
                else:
                    alt = alts.get(code_id, "")
                    parts.append(
                        f"![{_escape(alt)}]({first})" + ("{.decorative}" if second else "")
                    )
            else:
                raise PlaceholderError(f"unexpected element <{local}> in a translation")
            parts.append(escape(child.tail or ""))
        return "".join(parts)

    text = render(element)
    expected = set(codes.paired) | set(codes.standalone)
    missing = sorted(expected - set(seen), key=_number)
    doubled = sorted({i for i in seen if seen.count(i) > 1}, key=_number)
    if missing:
        raise PlaceholderError(f"placeholder(s) {', '.join(missing)} of the source are missing")
    if doubled:
        raise PlaceholderError(f"placeholder(s) {', '.join(doubled)} appear more than once")
    text = collapse(text)
    return text if plain else _inline_start(text)


#: What would start a new block if it began a unit's line: a heading, quote, list
#: item, callout fence, code fence or thematic break.
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|:::|~~~|=+$|-+$)")


def _inline_start(text: str) -> str:
    """Escape a block marker at the start of translated text: it stays text, in place."""
    match = _BLOCK_START.match(text)
    if not match:
        return text
    marker = match.group(0)
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1] + text[len(marker) :]
    return "\\" + text


def _number(code_id: str) -> tuple[int, str]:
    return (int(code_id), "") if code_id.isdigit() else (0, code_id)


def to_tagged_text(element: etree._Element) -> str:
    """The element's content as a string with literal <g>/<x/> tags (for PO files)."""
    markup = etree.tostring(element, encoding="unicode", with_tail=False)
    markup = re.sub(r"<(/?)\w+:", r"<\1", markup)  # drop namespace prefixes
    markup = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", markup)
    return re.sub(r"^<[^>]*?>|</[^>]+>$", "", markup) if not markup.endswith("/>") else ""


_SAFE = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def from_tagged_text(text: str, tag: str = "target") -> etree._Element:
    """Parse PO text with literal <g>/<x/> tags back into an element (no entities, no DTD)."""
    try:
        return etree.fromstring(f'<{tag} xmlns="{XLIFF_NS}">{text}</{tag}>', _SAFE)
    except etree.XMLSyntaxError as error:
        raise PlaceholderError(f"broken placeholder markup: {error.msg}") from None


def renumber(element: etree._Element, codes: Codes, source: Codes) -> etree._Element:
    """Give a translation's codes the ids of the source's matching codes.

    A translation built from Markdown numbers its codes in its own order; a
    translator who moved the link before the bold has them the other way round.
    Each code takes the id of the first unused source code of the same kind and
    value (a language span matches any span: its language may differ)."""
    unused = {**{i: ("g",) + v for i, v in source.paired.items()}}
    unused |= {i: ("x",) + v for i, v in source.standalone.items()}
    mine = {i: ("g",) + v for i, v in codes.paired.items()}
    mine |= {i: ("x",) + v for i, v in codes.standalone.items()}

    def same(a: tuple, b: tuple) -> bool:
        return a[:2] == b[:2] and (a[1] == "span" or a == b)

    for node in element.iter(f"{{{XLIFF_NS}}}g", f"{{{XLIFF_NS}}}x"):
        want = mine.get(node.get("id", ""))
        match = next((i for i, v in unused.items() if want and same(v, want)), None)
        if match is not None:
            del unused[match]
            node.set("id", match)
    return element
