"""Stable ids for translatable units: anchored to their content, not their position.

A translation unit's id must survive insertions, deletions and moves of OTHER
units, or one new bullet in the English sheet would mark every later unit of
every translation as changed. So an id is derived from the unit's own text
(``p-3fa9c2d1``: kind, then the first 8 hex digits of a SHA-256 over the text
with its white space collapsed, so re-wrapping a paragraph keeps its id). A
text that occurs twice is told apart by its section (the heading it sits
under), then by a counter. An edit to a unit gives it a new id; staleness pairs
the old and the new unit by alignment (unitmatch.py), so the edit still shows
as "changed" with its old and new text.

Authors who want an id to survive edits of the unit itself write one at the end
of a heading, paragraph, list item or callout title, after a space:
``## Who gets it? {#who-gets-it}``. The id is removed from the text (it is never
printed or translated) and kept in translations.
"""

from __future__ import annotations

import hashlib
import re

from ..errors import InputError

#: Front-matter values translators get as units; their keys are their ids.
FRONT_KEYS = ("title", "series", "summary", "audience", "keywords")

#: An explicit id: a letter, then letters, digits, - or _ (no dots: ".alt" suffixes are ours).
EXPLICIT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_TRAILING_ID = re.compile(r"[ \t]+\{#([^{}\s]*)\}[ \t]*$")
_SPACE = re.compile(r"[ \t\r\n]+")  # ASCII white space only: a no-break space is content
_PREFIX = {
    "heading": "h",
    "paragraph": "p",
    "item": "li",
    "callout-title": "callout",
    "cell": "cell",
}


def split_explicit_id(text: str) -> tuple[str, str | None]:
    """``"Who gets it? {#who}"`` -> ``("Who gets it?", "who")``; the id may be invalid
    (the caller reports it with its line); text without one comes back unchanged."""
    match = _TRAILING_ID.search(text)
    if not match:
        return text, None
    return text[: match.start()], match.group(1)


def normalised(text: str) -> str:
    """The text an id is computed from: runs of ASCII white space as one space."""
    return _SPACE.sub(" ", text).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]


class IdMaker:
    """Hands out ids for one sheet, in document order, each unique within it."""

    def __init__(self, reserved: tuple[str, ...] = FRONT_KEYS) -> None:
        self.used: set[str] = set(reserved)

    def claim(self, kind: str, text: str, where, explicit: str | None, line: int) -> str:
        """The unit's id: the author's ``{#id}`` if given, else one from its content.
        ``where`` is the parse state: its section and the file shown in errors."""
        if explicit is None:
            return self.auto(kind, text, where.section)
        problem = self.explicit(explicit)
        if problem:
            raise InputError(
                problem,
                where.display,
                line,
                hint="write an id such as {#who-gets-it} at the end of the line, after a space",
            )
        return explicit

    def auto(self, kind: str, text: str, section: str) -> str:
        prefix = _PREFIX.get(kind, kind)
        base = f"{prefix}-{_digest(normalised(text))}"
        if base in self.used:  # the same text again: its section tells them apart
            base = f"{prefix}-{_digest(normalised(section), normalised(text))}"
        unit_id, count = base, 1
        while unit_id in self.used:
            count += 1
            unit_id = f"{base}-{count}"
        self.used.add(unit_id)
        return unit_id

    def explicit(self, unit_id: str) -> str | None:
        """Claim an author's id; the reason it cannot be used, or None."""
        if not EXPLICIT_ID.fullmatch(unit_id):
            return (
                f"'{{#{unit_id}}}' is not a usable unit id "
                "(a letter, then letters, digits, - or _; at most 64)"
            )
        if unit_id in self.used:
            return f"unit id '{unit_id}' is used twice in this sheet"
        self.used.add(unit_id)
        return None


def take_explicit_id(token) -> str | None:
    """Remove a trailing `` {#id}`` from a markdown-it inline token (its text and
    its last child, so it is never rendered); return the id."""
    text, explicit = split_explicit_id(token.content)
    if explicit is None:
        return None
    token.content = text
    children = token.children or []
    if children and children[-1].type == "text":
        children[-1].content = split_explicit_id(children[-1].content)[0]
        if not children[-1].content:
            children.pop()
    return explicit
