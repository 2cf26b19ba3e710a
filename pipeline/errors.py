"""The one exception family for problems a user can fix.

Every error carries where it happened (path and line when known), what is wrong
and a hint. The CLI prints ``path:line: error: message (hint: ...)`` and exits 1;
any other exception reaching the user is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class FactsheetError(Exception):
    """A user-facing error: bad input, a missing font, a failed check."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str:
        if self.path is None:
            return "factsheet"
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location}: error: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class InputError(FactsheetError):
    """Source files (sheets, org data, brands, templates) that cannot be used."""


class RenderError(FactsheetError):
    """A sheet that loaded but cannot be rendered (missing glyphs, bad brand)."""


class CheckFailed(FactsheetError):
    """A produced PDF that fails the compliance gate."""

    def __init__(self, message: str, findings: list | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.findings = findings or []


class OutputError(FactsheetError):
    """output/ cannot be written: read-only, full, or locked by another build."""


def printable(text: Any) -> str:
    """``text`` with control characters escaped, so that an error stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
