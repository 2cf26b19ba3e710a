"""Images a sheet, clinic or brand points at: real files of a supported type and size.

An image is untrusted input like the text around it. Its content must match
its extension; its decoded size (pixels, read from the file's header, not its
byte count: a 30 KB PNG can decode to gigabytes) must stay under
limits.max_image_pixels. An SVG is XML: it is parsed with DTDs and entities
refused outright (defusedxml), may not reach outside itself (scripts,
external references), and may not make the renderer do unbounded work: its
elements are counted as drawn, each <use> counting the elements it copies,
so that a 1 KB file of nested <use> cannot expand to billions of shapes.
"""

from __future__ import annotations

import errno
import math
import re
import stat
import struct
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import InputError
from .model import Policy

IMAGE_TYPES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".svg": (),
}
SVG_HINT = "export a plain SVG with everything inline"


def check_image(real: Path, src: str, shown: str, line: int, policy: Policy) -> None:
    """Refuse a missing, unsupported, oversized, disguised or overly demanding image."""
    try:
        regular = stat.S_ISREG(real.stat().st_mode)
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):  # a name too long, a loop ...
            raise InputError(
                f"cannot read image '{src}': {error.strerror}",
                shown,
                line,
                hint="check the image's file name and permissions",
            ) from None
        regular = False
    if not regular:
        raise InputError(f"image '{src}' does not exist", shown, line)
    suffix = real.suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise InputError(
            f"image '{src}' has an unsupported type",
            shown,
            line,
            hint="use .png, .jpg, .gif or .svg",
        )
    limits = policy.limits
    size = real.stat().st_size
    if size > limits.max_image_bytes:
        raise InputError(
            f"image '{src}' is {size:,} bytes, over the limit of {limits.max_image_bytes:,}",
            shown,
            line,
            hint="make the image smaller, or raise limits.max_image_bytes in policy.yaml",
        )
    try:
        data = real.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read image '{src}': {error.strerror}", shown, line) from None
    if suffix == ".svg":
        width, height = check_svg(data, src, shown, line, policy)
    elif not data.startswith(IMAGE_TYPES[suffix]):
        raise InputError(
            f"image '{src}' is not a {suffix[1:].upper()} file",
            shown,
            line,
            hint="the file's content does not match its extension",
        )
    else:
        dimensions = raster_size(data)
        if dimensions is None or 0 in dimensions:
            raise InputError(
                f"image '{src}' is damaged: its size cannot be read",
                shown,
                line,
                hint="open it in an image editor and save it again",
            )
        width, height = dimensions
    if width * height > limits.max_image_pixels:
        raise InputError(
            f"image '{src}' is {_pixels(width)} x {_pixels(height)} pixels "
            f"({width * height:,.0f}), over the limit of {limits.max_image_pixels:,}",
            shown,
            line,
            hint="scale the image down (300 dpi at print size is plenty), "
            "or raise limits.max_image_pixels in policy.yaml",
        )


def _pixels(value: float) -> str:
    return f"{value:,.0f}"


# -- raster headers -------------------------------------------------------------------

#: JPEG start-of-frame markers (ITU T.81, B.1.1.3): every SOFn but DHT, JPG and DAC.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def raster_size(data: bytes) -> tuple[int, int] | None:
    """Width and height as decoded, from a PNG, GIF or JPEG header; None if unreadable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        # PNG (ISO 15948, 11.2.2): the first chunk is IHDR, width and height first.
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", data[16:24])
    if data.startswith((b"GIF87a", b"GIF89a")):
        # GIF89a, 18: the logical screen every frame is drawn on.
        return struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The largest frame of a JPEG (ITU T.81, B.2): walk the marker segments up to the scan."""
    index, found = 2, None
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return found
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            index += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: the frame header came first
            return found
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in _SOF and index + 9 <= len(data):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            if found is None or width * height > found[0] * found[1]:
                found = (width, height)
        index += 2 + length
    return found


# -- SVG ------------------------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
_HREF = ("href", "{http://www.w3.org/1999/xlink}href")
_SAFE_HREF = re.compile(r"^\s*(#|data:image/(png|jpeg|gif);)", re.I)
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
#: CSS lengths in CSS pixels (CSS Values 4, 6.2); em and ex at the usual 16 px.
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
    "em": 16.0,
    "ex": 8.0,
}
_LENGTH = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)\s*$", re.I)


def check_svg(data: bytes, src: str, shown: str, line: int, policy: Policy) -> tuple[float, float]:
    """Parse and check an SVG; return its size in CSS pixels."""

    def refuse(problem: str, hint: str = SVG_HINT) -> InputError:
        return InputError(f"SVG image '{src}' {problem}", shown, line, hint=hint)

    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise refuse("declares a DOCTYPE or entities") from None
    except ParseError as error:
        where = error.position[0] if getattr(error, "position", None) else "?"
        raise refuse(
            f"is not well-formed XML (line {where})", "open it in an editor and save it again"
        ) from None
    if _local(root.tag) != "svg":
        raise InputError(f"image '{src}' is not an SVG file", shown, line)
    ids = _check_elements(root, refuse)
    _check_expansion(root, ids, policy.limits, refuse)
    return _svg_size(root, refuse)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _check_elements(root: Element, refuse) -> dict[str, Element]:
    """Refuse scripts and references out of the file; return the elements by id."""
    ids: dict[str, Element] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "script":
            raise refuse("contains a script")
        if name == "foreignObject":
            raise refuse("contains HTML (foreignObject)")
        texts = [element.text or ""] if name == "style" else []
        for key, value in element.attrib.items():
            if key in _HREF and not _SAFE_HREF.match(value):
                raise refuse("refers to an external resource")
            texts.append(value)
            if key == "id":
                ids.setdefault(value, element)
        for text in texts:
            if "@import" in text.lower():
                raise refuse("imports CSS")
            if any(not target.startswith("#") for target in _URL.findall(text)):
                raise refuse("refers to an external resource in CSS")
    return ids


def _references(element: Element, ids: dict[str, Element]) -> list[Element]:
    """Elements drawn again where ``element`` is drawn: <use> targets, patterns, markers ..."""
    found = []
    for key, value in element.attrib.items():
        targets = [value.strip()] if key in _HREF else _URL.findall(value)
        for target in targets:
            if target.startswith("#") and target[1:] in ids:
                found.append(ids[target[1:]])
    return found


def _check_expansion(root: Element, ids: dict[str, Element], limits, refuse) -> None:
    """Count the elements as the renderer draws them, following every reference.

    Each element's drawn size, height and <use> depth is computed once
    (memoised), and the walk stops at the first limit it passes, so a file
    that would expand to 10^30 shapes costs as little to refuse as a small one.
    """
    memo: dict[int, tuple[int, int, int]] = {}
    visiting: set[int] = set()

    def visit(element: Element, depth: int) -> tuple[int, int, int]:
        key = id(element)
        if key in visiting:
            raise refuse("refers to itself (a <use> or url(#...) loop)")
        if key in memo:
            _check_depth(depth + memo[key][1] - 1)
            return memo[key]
        _check_depth(depth)
        visiting.add(key)
        count, height, uses = 1, 1, 0
        for child in element:
            size, child_height, child_uses = visit(child, depth + 1)
            count, height, uses = count + size, max(height, child_height + 1), max(uses, child_uses)
            _check_count(count)
        for target in _references(element, ids):
            size, target_height, target_uses = visit(target, depth + 1)
            count, height = count + size, max(height, target_height + 1)
            uses = max(uses, target_uses + 1)
            if uses > limits.max_svg_use_depth:
                raise refuse(
                    f"nests <use> references more than {limits.max_svg_use_depth} deep",
                    "flatten the drawing, or raise limits.max_svg_use_depth in policy.yaml",
                )
            _check_count(count)
        visiting.discard(key)
        memo[key] = (count, height, uses)
        return memo[key]

    def _check_depth(depth: int) -> None:
        if depth > limits.max_svg_depth:
            raise refuse(
                f"nests elements more than {limits.max_svg_depth} deep "
                "(each <use> counts as a level)",
                "flatten its groups, or raise limits.max_svg_depth in policy.yaml",
            )

    def _check_count(count: int) -> None:
        if count > limits.max_svg_elements:
            raise refuse(
                f"draws more than {limits.max_svg_elements:,} elements "
                "(each <use> counts the elements it copies)",
                "simplify the drawing, or raise limits.max_svg_elements in policy.yaml",
            )

    visit(root, 1)


def _svg_size(root: Element, refuse) -> tuple[float, float]:
    """The SVG's intrinsic size in CSS pixels (SVG 2, 8.2): width/height, else the viewBox."""
    box = None
    view_box = root.get("viewBox")
    if view_box is not None:
        parts = re.split(r"[\s,]+", view_box.strip())
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise refuse(f"has an invalid viewBox '{view_box}'", "write four numbers")
        if numbers[2] < 0 or numbers[3] < 0:
            raise refuse("has a viewBox with a negative size", "write four numbers")
        box = numbers[2], numbers[3]
    size = []
    for name, index in (("width", 0), ("height", 1)):
        value = root.get(name)
        length = _length(value) if value is not None and "%" not in value else None
        if value is not None and "%" not in value and length is None:
            raise refuse(f"has an invalid {name} '{value}'", "write a length like 120 or 30mm")
        size.append(length if length is not None else (box[index] if box else 0.0))
    return size[0], size[1]


def _length(text: str) -> float | None:
    match = _LENGTH.match(text)
    if not match or match.group(2).lower() not in _UNITS:
        return None
    value = float(match.group(1)) * _UNITS[match.group(2).lower()]
    return value if math.isfinite(value) and value >= 0 else None
