"""The text of marked content, as a tag-based reader gets it.

A screen reader that follows the structure tree (and "copy text" in a tagged
viewer) reads each marked-content sequence as either its /ActualText
(ISO 32000-1 14.9.4), which replaces everything drawn inside it, or its glyphs
decoded through the font's /ToUnicode CMap (ISO 32000-1 9.10.3). This module
does exactly that and nothing more: no space or line break is guessed from
where glyphs sit on the page, so a word glued to the next line's first word,
a right-to-left run stored in visual order or a hyphen drawn into a word reads
back the way a reader hears it, and the gate can see it.

Only what our renderer writes needs to be read: Type0 fonts with two-byte
codes, simple fonts with one-byte codes, ToUnicode maps with bfchar and
bfrange (both forms). A code that no map covers reads as U+FFFD.
"""

from __future__ import annotations

import re

from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
    create_string_object,
)

UNKNOWN = "\ufffd"
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|\[|\]|[^\s\[\]<>]+")


class CMap:
    """A ToUnicode CMap: code bytes -> text (ISO 32000-1 9.10.3, Adobe TN 5411)."""

    def __init__(self, widths: tuple[int, ...], mapping: dict[bytes, str]) -> None:
        self.widths = widths or (2,)
        self.mapping = mapping

    @classmethod
    def parse(cls, data: bytes) -> CMap:
        mapping: dict[bytes, str] = {}
        widths: set[int] = set()
        section = None
        pending: list[bytes | list] = []
        array: list | None = None
        for token in _TOKEN.findall(data):
            if token in (b"begincodespacerange", b"beginbfchar", b"beginbfrange"):
                section, pending = token[5:], []
            elif token in (b"endcodespacerange", b"endbfchar", b"endbfrange"):
                section = None
            elif section is None:
                continue
            elif token == b"[":
                array = []
            elif token == b"]":
                pending.append(array or [])
                array = None
            elif token.startswith(b"<"):
                value = bytes.fromhex(_HEX.fullmatch(token).group(1).decode().replace(" ", ""))
                if array is not None:
                    array.append(value)
                    continue
                pending.append(value)
            if section == b"codespacerange" and len(pending) == 2:
                widths.add(len(pending[0]))
                pending = []
            elif section == b"bfchar" and len(pending) == 2:
                mapping[pending[0]] = _utf16(pending[1])
                pending = []
            elif section == b"bfrange" and len(pending) == 3:
                _add_range(mapping, *pending)
                pending = []
        return cls(tuple(sorted(widths, reverse=True)), mapping)

    def decode(self, data: bytes) -> str:
        out = []
        index = 0
        while index < len(data):
            for width in self.widths:
                code = data[index : index + width]
                if code in self.mapping:
                    out.append(self.mapping[code])
                    index += width
                    break
            else:
                out.append(UNKNOWN)
                index += self.widths[-1]
        return "".join(out)


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace")


def _add_range(mapping: dict[bytes, str], low: bytes, high: bytes, target) -> None:
    start, end = int.from_bytes(low, "big"), int.from_bytes(high, "big")
    if end < start or end - start > 0xFFFF:  # a broken range; do not allocate for it
        return
    for offset, code in enumerate(range(start, end + 1)):
        key = code.to_bytes(len(low), "big")
        if isinstance(target, list):
            if offset < len(target):
                mapping[key] = _utf16(target[offset])
        else:
            # The last byte of the destination increments (Adobe TN 5411, 1.4.1).
            value = bytearray(target)
            last = value[-1] + offset if value else offset
            value[-1:] = bytes([last & 0xFF]) if value else b""
            mapping[key] = _utf16(bytes(value))


def _font_cmaps(resources) -> dict[str, CMap | None]:
    fonts = (resources or {}).get("/Font") or {}
    fonts = fonts.get_object() if isinstance(fonts, IndirectObject) else fonts
    cmaps: dict[str, CMap | None] = {}
    for name, ref in fonts.items():
        font = ref.get_object()
        stream = font.get("/ToUnicode")
        cmaps[str(name)] = CMap.parse(stream.get_object().get_data()) if stream else None
    return cmaps


def text_string(value) -> str:
    """A PDF text string (ISO 32000-1 7.9.2.2): UTF-16BE with its BOM, UTF-8
    with its BOM, or PDFDocEncoding; content streams parsed as bytes keep it raw."""
    if isinstance(value, TextStringObject):
        return str(value)
    if isinstance(value, (ByteStringObject, bytes)):
        return str(create_string_object(bytes(value)))
    return str(value)


def _properties(operands, resources) -> DictionaryObject | None:
    """The property list of a BDC: inline, or named in /Properties (ISO 32000-1 14.6.2)."""
    if len(operands) < 2:
        return None
    props = operands[1]
    if isinstance(props, NameObject):
        named = ((resources or {}).get("/Properties") or {}).get(props)
        props = named.get_object() if named is not None else None
    return props if isinstance(props, DictionaryObject) else None


def _shown(operator: bytes, operands) -> list[bytes]:
    """The strings a text-showing operator draws (Tj, TJ, ' and ")."""
    if operator == b"TJ":
        items = operands[0] if operands and isinstance(operands[0], ArrayObject) else []
    elif operator == b'"':
        items = operands[2:3]
    else:
        items = operands[:1]
    out = []
    for item in items:
        if isinstance(item, (ByteStringObject, bytes)):
            out.append(bytes(item))
        elif isinstance(item, TextStringObject):
            out.append(item.get_original_bytes())
    return out


def marked_texts(operations, resources) -> dict[int, str]:
    """The text of every marked-content sequence with an MCID on one page.

    /ActualText replaces what is drawn inside the sequence, nested ones
    included; text outside any MCID (artifacts, untagged content) is not read.
    """
    cmaps = _font_cmaps(resources)
    texts: dict[int, list[str]] = {}
    # One entry per open BMC/BDC: (mcid or None, replaced: whether an enclosing
    # or this sequence has ActualText, so its glyphs are not read).
    stack: list[tuple[int | None, bool]] = []
    cmap: CMap | None = None
    for operands, operator in operations:
        if operator in (b"BDC", b"BMC"):
            props = _properties(operands, resources) if operator == b"BDC" else None
            outer_mcid, replaced = stack[-1] if stack else (None, False)
            mcid = outer_mcid
            if props is not None and isinstance(props.get("/MCID"), NumberObject):
                mcid = int(props["/MCID"])
                texts.setdefault(mcid, [])
            actual = props.get("/ActualText") if props is not None else None
            if actual is not None and not replaced and mcid is not None:
                texts.setdefault(mcid, []).append(text_string(actual))
            stack.append((mcid, replaced or actual is not None))
        elif operator == b"EMC":
            if stack:
                stack.pop()
        elif operator == b"Tf" and operands:
            cmap = cmaps.get(str(operands[0]))
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            mcid, replaced = stack[-1] if stack else (None, False)
            if mcid is None or replaced:
                continue
            for data in _shown(operator, operands):
                texts[mcid].append(cmap.decode(data) if cmap else UNKNOWN * len(data))
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


#: Structure types read inline, without a break around them (ISO 32000-1
#: 14.8.4.4, inline-level structure elements, plus Link and the like).
INLINE_TYPES = frozenset(
    {"Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "Warichu"}
    | {"RB", "RT", "RP", "WT", "WP"}
)


__all__ = ["CMap", "INLINE_TYPES", "UNKNOWN", "marked_texts", "text_string"]
