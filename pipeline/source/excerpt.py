"""The source line of an error with a caret under the problem, as compilers show it.

Shown under the one-line error only when stderr is a terminal; scripts always
get the same one line (``path:line: error: message (hint: ...)``). The caret
sits under the error's column when known, else under the line's first
character that is not blank; wide (East Asian) characters count two cells.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..errors import FactsheetError, printable
from .files import MAX_TEXT_BYTES


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes: wide characters two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def excerpt(root: Path, error: FactsheetError) -> list[str]:
    """Two lines (the source line, the caret) for an error in a project file, or none."""
    if not error.path or not error.line:
        return []
    path = (root / error.path).resolve()
    try:
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return []
        if path.stat().st_size > MAX_TEXT_BYTES:
            return []
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    except OSError:
        return []
    if not 1 <= error.line <= len(lines):
        return []
    raw = lines[error.line - 1].replace("\t", "    ")
    if error.column and 1 <= error.column <= len(raw) + 1:
        start = error.column - 1
    else:
        start = len(raw) - len(raw.lstrip())
    token = raw[start:].split(" ", 1)[0].rstrip(",:]}") or " "
    shown = printable(raw)
    before = printable(raw[:start])
    number = str(error.line)
    gutter = " " * len(number)
    marker = "^" + "~" * max(0, _cells(printable(token)) - 1)
    return [f" {number} | {shown}", f" {gutter} | {' ' * _cells(before)}{marker}"]
