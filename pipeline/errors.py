"""The one exception family for problems a user can fix.

Every error carries where it happened (path and line when known), what is wrong
and a hint. The CLI prints ``path:line: error: message (hint: ...)`` and exits 1;
any other exception reaching the user is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        #: 1-based column of the problem on its line, when known: the CLI may
        #: show the line with a caret under it; the one-line form never changes.
        self.column = column

    @property
    def location(self) -> str:
        if self.path is None:
            return "factsheet"
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return problem_line(self.location, "error", self.message, hint=self.hint)


class InputError(FactsheetError):
    """Source files (sheets, org data, brands, templates) that cannot be used."""


class InputErrors(InputError):
    """Several input errors found together: every problem of one file, or of the
    shared files. Printed one line each, in the order found."""

    def __init__(self, errors: Iterable[FactsheetError]) -> None:
        flat: list[FactsheetError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, InputErrors) else [error])
        if not flat:
            raise ValueError("InputErrors needs at least one error")
        first = flat[0]
        super().__init__(first.message, first.path, first.line, first.hint, first.column)
        self.errors = flat

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __reduce__(self):  # pickled (to or from a worker) as the errors it holds
        return (InputErrors, (self.errors,))


def raise_all(errors: list[FactsheetError]) -> None:
    """Raise the errors found, if any: one as itself, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


def each_error(error: FactsheetError) -> list[FactsheetError]:
    """The single errors an error stands for (several for InputErrors)."""
    return list(error.errors) if isinstance(error, InputErrors) else [error]


class RenderError(FactsheetError):
    """A sheet that loaded but cannot be rendered (missing glyphs, bad brand)."""


class CheckFailed(FactsheetError):
    """A produced PDF that fails the compliance gate."""

    def __init__(self, message: str, findings: list | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.findings = findings or []


class OutputError(FactsheetError):
    """output/ cannot be written: read-only, full, or locked by another build."""


#: The longest run of characters without a space kept whole in a message (a path,
#: a URL, a pasted value); longer runs keep their start and end around an ellipsis.
#: Long enough for a temp file's path in a deeply nested project folder (a CI
#: checkout, a test runner's tmp folder), which the user needs whole.
MAX_WORD = 240
#: The longest message, location or hint shown; longer ones are cut in the middle.
MAX_PART = 600


def printable(text: Any, limit: int = MAX_PART) -> str:
    """``text`` safe to print on one line of a terminal.

    Control characters (new lines, terminal escape sequences, bidi overrides,
    undecodable bytes of a file name) are shown escaped, as Python writes them
    (``\\x1b``, ``\\n``, ``\\u202e``), so that no value can break a line, recolour
    the terminal or reorder what is shown. Runs longer than MAX_WORD characters
    and texts longer than ``limit`` keep their start and end around an ellipsis.
    """
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    words = [_cut(word, MAX_WORD) for word in escaped.split(" ")]
    return _cut(" ".join(words), limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 1]}\u2026{text[-tail:]}"


def problem_line(
    location: str,
    severity: str,
    message: str,
    rule: str | None = None,
    hint: str | None = None,
) -> str:
    """The one line a problem is shown as: ``path:line: error: message [rule] (hint: ...)``.

    Every error and finding the CLI prints goes through here, so each is one
    sanitised line (see printable) whatever the input put into it.
    """
    text = f"{printable(location)}: {severity}: {printable(message)}"
    if rule:
        text += f" [{rule}]"
    if hint:
        text += f" (hint: {printable(hint)})"
    return text
