"""Content streams parsed in one regular-expression pass, into pypdf's own objects.

The gate reads every page's content stream (ISO 32000-1 7.8.2) for the text a
reader hears, what is drawn where and what is tagged. pypdf parses it one byte
at a time through file-like reads, and that was half of the time the gate
took on a two-page sheet. ``FastContentStream`` is a pypdf ``ContentStream``
whose operations come from one scan with a compiled regular expression
(ISO 32000-1 7.2 lexical conventions: white space, comments, delimiters,
numbers, names with #xx escapes, literal strings with escapes and balanced
parentheses, hexadecimal strings, arrays and dictionaries), giving the same
pypdf objects, so every check reads it as before. A stream it does not
expect (an inline image, a token outside 7.2) is handed to pypdf's parser
whole, so nothing is read differently from pypdf, only faster.

WeasyPrint writes each glyph of a line as its own string in one TJ array,
with a 0 adjustment between (``[<0056>0<0057>0...] TJ``): most of a page's
tokens. Such an array is read by one expression, and the strings between
zero adjustments are joined: a 0 moves nothing (ISO 32000-1 9.4.3), so the
text and the advance are the same, in a few objects instead of thousands.
"""

from __future__ import annotations

import re
from io import BytesIO

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
)

_TOKEN = re.compile(
    rb"""
    (?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*  # white space and comments before a token
    (?:
    (?P<number>[+-]?(?:\d+\.\d*|\.\d+|\d+))(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)
  | <(?P<hex>[0-9A-Fa-f\x00\t\n\x0c\r ]*)>
  | (?P<word>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+)
  | (?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
  | (?P<open><<|\[)
  | (?P<close>>>|\])
  | (?P<string>\()
  | (?P<space>\Z)
  | (?P<bad>.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("("): b"(",
    ord(")"): b")",
    ord("\\"): b"\\",
}
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NUMBER = rb"[+-]?(?:\d+\.\d*|\.\d+|\d+)"
_TJ_ARRAY = re.compile(
    rb"\[((?:[\x00\t\n\x0c\r ]*(?:<[0-9A-Fa-f]*>|" + _NUMBER + rb"))*)[\x00\t\n\x0c\r ]*\]"
    rb"[\x00\t\n\x0c\r ]*TJ(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
)
_TJ_ITEM = re.compile(rb"<([0-9A-Fa-f]*)>|(" + _NUMBER + rb")")
_ODD_HEX = re.compile(rb"<(?:[0-9A-Fa-f]{2})*[0-9A-Fa-f]>")
_ZERO_BETWEEN = re.compile(rb">[\x00\t\n\x0c\r ]*(?:[+-]?(?:0+\.?0*|\.0+)[\x00\t\n\x0c\r ]*)?<")


class Unexpected(ValueError):
    """A construct left to pypdf's own parser."""


def _literal(data: bytes, at: int) -> tuple[bytes, int]:
    """The literal string starting after the '(' at ``at - 1``, and where it ends."""
    out = bytearray()
    depth = 1
    index = at
    size = len(data)
    while index < size:
        char = data[index]
        if char == 0x5C:  # backslash
            index += 1
            if index >= size:
                break
            code = data[index]
            if code in _ESCAPE:
                out += _ESCAPE[code]
            elif 0x30 <= code <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[index : index + 3]).group()
                out.append(int(digits, 8) & 0xFF)
                index += len(digits) - 1
            elif code == 0x0D:  # a line continuation: \ then CR (LF)
                if data[index + 1 : index + 2] == b"\n":
                    index += 1
            elif code != 0x0A:
                out.append(code)
        elif char == 0x28:
            depth += 1
            out.append(char)
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
            out.append(char)
        else:
            out.append(char)
        index += 1
    raise Unexpected("unbalanced literal string")


def _name(raw: bytes) -> NameObject:
    if b"#" in raw:
        raw = _NAME_ESCAPE.sub(lambda m: bytes((int(m[1], 16),)), raw)
    return NameObject(raw.decode("utf-8", "surrogateescape"))


def parse_operations(data: bytes) -> list[tuple[list, bytes]]:
    """(operands, operator) pairs of a content stream, as pypdf gives them with
    ``forced_encoding="bytes"`` (strings are ByteStringObject)."""
    operations: list[tuple[list, bytes]] = []
    operands: list = []
    stack: list[list] = []  # open arrays and dictionaries: [opening, items]
    target = operands
    position = 0
    while position is not None:
        # One scan to the next literal string or glyph array; its end is where the
        # next scan starts (a "%" inside a string is no comment).
        position, operands, target = _scan(data, position, operations, operands, stack, target)
        target = operands if target is None else target
    if stack:
        raise Unexpected("an array or dictionary left open")
    return operations


def _scan(data: bytes, position: int, operations: list, operands: list, stack: list, target):
    for found in _TOKEN.finditer(data, position):
        kind = found.lastgroup
        token = found.group(kind)  # without the white space before it
        if kind == "number":
            text = token
            value = FloatObject(text.decode()) if b"." in text else NumberObject(int(text))
        elif kind == "hex":
            digits = token
            if len(digits.translate(None, b"\x00\t\n\x0c\r ")) % 2:
                digits += b"0"
            value = ByteStringObject(bytes.fromhex(digits.replace(b"\x00", b"").decode()))
        elif kind == "word":
            word = token
            # Inside an array or dictionary these are objects; at the top level
            # pypdf reads any word as an operator, and so does this parser.
            if stack and word in (b"true", b"false"):
                value = BooleanObject(word == b"true")
            elif stack and word == b"null":
                value = NullObject()
            elif stack:
                raise Unexpected("an operator inside an array or dictionary")
            elif word in (b"BI", b"ID", b"EI"):
                raise Unexpected("an inline image")
            else:
                operations.append((operands, word))
                operands = []
                target = operands
                continue
        elif kind == "name":
            value = _name(token)
        elif kind == "space":
            continue
        elif kind == "open":
            if not stack and token == b"[":
                shown = _tj_array(data, found.start(kind))
                if shown is not None:  # the whole "[...] TJ", read at once
                    items, resume = shown
                    operands.append(items)
                    operations.append((operands, b"TJ"))
                    return resume, [], None
            stack.append([token, []])
            target = stack[-1][1]
            continue
        elif kind == "close":
            if not stack:
                raise Unexpected("a close without an open")
            opened, items = stack.pop()
            if (opened == b"[") != (token == b"]"):
                raise Unexpected("mismatched brackets")
            if opened == b"[":
                value = ArrayObject(items)
            else:
                if len(items) % 2:
                    raise Unexpected("odd dictionary")
                value = DictionaryObject(zip(items[::2], items[1::2], strict=True))
            target = stack[-1][1] if stack else operands
        elif kind == "string":
            raw, resume = _literal(data, found.end())
            target.append(ByteStringObject(raw))
            return resume, operands, target
        else:
            raise Unexpected(f"byte {token!r} at {found.start()}")
        target.append(value)
    return None, operands, target


def _tj_array(data: bytes, at: int) -> tuple[ArrayObject, int] | None:
    """A TJ array of hexadecimal strings and numbers at ``at``, its strings
    joined across zero adjustments; None when it is anything else (a literal
    string, an odd-length string, another operator), left to the full scan."""
    found = _TJ_ARRAY.match(data, at)
    if found is None or _ODD_HEX.search(found.group(1)):
        return None
    items: list = []
    for digits, number in _TJ_ITEM.findall(_ZERO_BETWEEN.sub(b"", found.group(1))):
        if not number:
            items.append(ByteStringObject(bytes.fromhex(digits.decode())))
            continue
        value = FloatObject(number.decode()) if b"." in number else NumberObject(int(number))
        if value != 0:
            items.append(value)
    return ArrayObject(items), found.end()


class FastContentStream(ContentStream):
    """pypdf's ContentStream, parsed by ``parse_operations`` (pypdf's parser as fallback)."""

    def _parse_content_stream(self, stream) -> None:
        stream.seek(0, 0)
        data = stream.read()
        try:
            self._operations = parse_operations(data)
        except Unexpected:
            self._operations = []
            super()._parse_content_stream(BytesIO(data))
