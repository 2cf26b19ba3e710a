"""GNU gettext PO in and out (the format Poedit, Weblate and OmegaT's PO filter speak).

Out: one entry per unit, ``msgctxt`` = the unit id, inline codes as literal
``<g id="1">``/``<x id="2"/>`` tags in the text; labels carry ``{placeholders}``
flagged ``python-brace-format`` so ``msgfmt -c`` and the editors check them. A
unit whose source changed since its translation comes back ``#, fuzzy`` with
its previous translation and the previous source as ``#| msgid``, the way
msgmerge marks it, so an editor shows exactly what changed. The file passes
``msgfmt -c``. Our record of the export sits in ``X-Factsheet-*`` header fields,
which editors keep.

In: translate-toolkit reads the file (escapes, flags, obsolete entries); a
fuzzy or empty entry is not final; a msgctxt given twice is a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InputError
from .incoming import Incoming, IncomingUnit, shorten
from .inline import PlaceholderError, from_tagged_text
from .segments import tokens


def _po():
    from translate.storage import po

    return po


# -- reading -------------------------------------------------------------------------


def read_po(data: bytes, shown: str, max_units: int, is_plain: Callable[[str], bool]) -> Incoming:
    """``is_plain(id)``: the unit's text is plain (front matter, labels), not tagged."""
    try:
        store = _po().pofile.parsestring(data)
    except (ValueError, UnicodeDecodeError, AssertionError) as error:
        raise InputError(
            f"not a PO file: {shorten(str(error))}", shown, hint="save it again from your PO editor"
        ) from None
    units = [u for u in store.units if not u.isheader() and not u.isobsolete()]
    if len(units) > max_units:
        raise InputError(
            f"the file has {len(units):,} units, over the limit of {max_units:,}",
            shown,
            hint="raise limits.max_translation_units in policy.yaml if this is right",
        )
    header = store.parseheader()
    incoming = Incoming(
        "po",
        str(header.get("X-Factsheet-Source", "")),
        str(header.get("Language", "")),
        header.get("X-Factsheet-Language"),
    )
    for entry in units:
        incoming.add(_unit(entry, is_plain))
    return incoming


def _unit(entry, is_plain: Callable[[str], bool]) -> IncomingUnit:
    unit_id = entry.getcontext() or "?"
    line = getattr(entry, "line_number", None) or None
    notes = [n for n in entry.getnotes("translator").splitlines() if n.strip()]
    unit = IncomingUnit(unit_id, line, None, None, notes=notes)
    plain = is_plain(unit_id)
    source, target = str(entry.source), str(entry.target or "")
    if plain:
        unit.plain_source = source
    else:
        try:
            unit.source = tokens(from_tagged_text(source, "source"))
        except PlaceholderError as error:
            unit.problem = f"its msgid is not ours: {error}"
            return unit
    if not target.strip():
        unit.problem = "not translated (empty msgstr)"
    elif entry.isfuzzy():
        unit.problem = "marked fuzzy: not confirmed (clear 'Needs work' / the fuzzy flag)"
    elif plain:
        unit.plain_target = target
    else:
        try:
            unit.target = tokens(from_tagged_text(target))
        except PlaceholderError as error:
            unit.problem = str(error)
    return unit


# -- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutEntry:
    id: str
    note: str
    source: str  # tagged text, or plain text
    location: str | None
    target: str | None = None
    fuzzy: bool = False
    previous_source: str | None = None
    previous_id: str | None = None
    brace_format: bool = False


def write_po(entries: list[OutEntry], header: dict[str, str], date: str) -> bytes:
    store = _po().pofile()
    store.updateheader(
        add=True,
        Project_Id_Version=header.pop("Project-Id-Version"),
        POT_Creation_Date=date,
        PO_Revision_Date=date,
        Last_Translator="",
        Language_Team="",
    )
    store.updateheader(add=True, **{k.replace("-", "_"): v for k, v in header.items()})
    for entry in entries:
        unit = store.addsourceunit(entry.source)
        unit.setcontext(entry.id)
        unit.addnote(entry.note, origin="developer")
        if entry.location:
            unit.addlocation(entry.location)
        if entry.brace_format:
            unit.settypecomment("python-brace-format")
        if entry.target is not None:
            unit.target = entry.target
        if entry.fuzzy:
            unit.markfuzzy()
            if entry.previous_source is not None:
                unit.prev_source = entry.previous_source
                if entry.previous_id and entry.previous_id != entry.id:
                    unit.prev_context = entry.previous_id
    return bytes(store)
