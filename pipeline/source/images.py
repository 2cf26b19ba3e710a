"""Images a sheet or clinic file points at: real files of a supported type and size.

An image is untrusted input like the text around it: its content must match
its extension, and an SVG may not reach outside itself (entities, scripts,
external references), because the renderer would follow them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .model import Policy

IMAGE_TYPES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".svg": (),
}


def check_image(real: Path, src: str, shown: str, line: int, policy: Policy) -> None:
    """Refuse a missing file, an unsupported type, an oversized file or a disguised one."""
    if not real.is_file():
        raise InputError(f"image '{src}' does not exist", shown, line)
    suffix = real.suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise InputError(
            f"image '{src}' has an unsupported type",
            shown,
            line,
            hint="use .png, .jpg, .gif or .svg",
        )
    size = real.stat().st_size
    if size > policy.limits.max_image_bytes:
        raise InputError(
            f"image '{src}' is {size:,} bytes, over the limit of {policy.limits.max_image_bytes:,}",
            shown,
            line,
            hint="make the image smaller, or raise limits.max_image_bytes in policy.yaml",
        )
    head = real.read_bytes()[:4096]
    if suffix == ".svg":
        check_svg(real.read_bytes(), src, shown, line)
    elif not head.startswith(IMAGE_TYPES[suffix]):
        raise InputError(
            f"image '{src}' is not a {suffix[1:].upper()} file",
            shown,
            line,
            hint="the file's content does not match its extension",
        )


_SVG_FORBIDDEN = (
    (re.compile(rb"<!DOCTYPE|<!ENTITY", re.I), "declares a DOCTYPE or entities"),
    (re.compile(rb"<script", re.I), "contains a script"),
    (
        re.compile(rb"""(?:href|src)\s*=\s*["']\s*(?!#|data:image/(?:png|jpeg|gif);)""", re.I),
        "refers to an external resource",
    ),
    (re.compile(rb"url\(\s*['\"]?\s*(?!#)", re.I), "refers to an external resource in CSS"),
    (re.compile(rb"@import", re.I), "imports CSS"),
)


def check_svg(data: bytes, src: str, shown: str, line: int) -> None:
    """Refuse SVG that could reach outside the file: entities, scripts, references."""
    if b"<svg" not in data[:4096].lower():
        raise InputError(f"image '{src}' is not an SVG file", shown, line)
    for pattern, problem in _SVG_FORBIDDEN:
        if pattern.search(data):
            raise InputError(
                f"SVG image '{src}' {problem}",
                shown,
                line,
                hint="export a plain SVG with everything inline",
            )
