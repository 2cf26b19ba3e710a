"""A translator's file as the importer sees it, whatever its format.

xliff.py and po.py read their formats into these; importer.py only deals
with these. Every problem carries the line in the translator's file, so a
report can point there as well as at the sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import printable
from .segments import Token


def shorten(text: object, limit: int = 160) -> str:
    """Untrusted text for a message: control characters escaped, cut at ``limit``."""
    shown = printable(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass
class IncomingUnit:
    """One unit of a translator's file."""

    id: str
    line: int | None
    source: list[Token] | None  # the file's copy of the source (None: the format has none)
    target: list[Token] | None  # the translation (None when empty or not final)
    plain_target: str | None = None  # PO front matter and labels: text, not tagged
    plain_source: str | None = None
    problem: str | None = None  # why the translation is not usable as it is (state, empty)
    notes: list[str] = field(default_factory=list)  # the translator's own notes
    resname: str | None = None  # XLIFF: our id again, for tools that renumber units


@dataclass
class Problem:
    line: int | None
    unit: str | None
    message: str


@dataclass
class Incoming:
    """What a translation file says, format aside."""

    fmt: str  # "xliff", "po" or "markdown"
    original: str  # the source sheet it names: sheets/<slug>/<lang>.md
    declared_lang: str  # the language the file says it is in (as the tool wrote it)
    exported_lang: str | None  # the language it was exported for (our own record), if kept
    units: dict[str, IncomingUnit] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: A Markdown file's line for a line of the sheet composed from it.
    line_of: Callable[[int], int] | None = None

    def add(self, unit: IncomingUnit) -> None:
        """Add a unit; a second unit with the same id is a problem, never a silent winner."""
        first = self.units.get(unit.id)
        if first is not None:
            self.problems.append(
                Problem(
                    unit.line,
                    unit.id,
                    f"appears twice (also at line {first.line}); keep one",
                )
            )
            return
        self.units[unit.id] = unit
