"""`translate export`: a sheet's units as XLIFF 1.2 or PO, for a translation tool.

Inline markup travels as XLIFF inline codes (inline.py) so links cannot be
broken. What the language already has comes along (previous.py): unchanged
units pre-filled and final, changed units with their previous translation to
review next to the old source, new units empty.
"""

from __future__ import annotations

import difflib

from ..errors import InputError
from ..source.langtag import canonical_tag
from ..source.markdown import plain_text
from ..source.model import Project, Sheet
from ..source.units import units_hash
from .incoming import shorten
from .inline import renumber, to_element, to_tagged_text
from .po import OutEntry, write_po
from .previous import Previous, previous_translations
from .units import TUnit, export_units
from .xliff import OutUnit, write_xliff


def export(project: Project, slug: str, lang: str, fmt: str = "xliff") -> bytes:
    """The export file for translating sheet ``slug`` into ``lang``."""
    source = _source_sheet(project, slug)
    target = target_language(project, lang, "--to")
    units = export_units(project, source)
    previous = previous_translations(project, source, target)
    original = source.display
    if fmt == "po":
        return _export_po(units, previous, source, original, target)
    out = [_xliff_unit(unit, previous.get(unit.key)) for unit in units]
    return write_xliff(out, original, source.lang, target, source.front.version, units_hash(source))


def target_language(project: Project, lang: str, option: str) -> str:
    """``lang`` as this project spells it (BCP 47, canonical); never the source language."""
    try:
        tag = canonical_tag(lang, project.org.languages)
    except ValueError as error:
        raise InputError(
            shorten(error, 200), hint=f"{option} takes a BCP 47 tag such as es, zh-Hans"
        ) from None
    if tag.split("-")[0] == project.org.default_lang.split("-")[0]:
        raise InputError(
            f"'{shorten(lang, 40)}' is the source language ({project.org.default_lang})",
            hint="translations go from the source language into another one",
        )
    return tag


def _source_sheet(project: Project, slug: str) -> Sheet:
    lang = project.org.default_lang
    if (slug, lang) in project.broken:
        raise project.broken[(slug, lang)].error()  # it cannot be read: its own errors
    if (slug, lang) not in project.sheets:
        raise InputError(
            f"no sheet '{slug}' in {lang}",
            "sheets/",
            hint=f"known sheets: {', '.join(project.slugs)}",
        )
    return project.sheets[(slug, lang)]


def _similarity(old: str, new: str) -> int:
    ratio = difflib.SequenceMatcher(a=plain_text(old), b=plain_text(new), autojunk=False).ratio()
    return round(ratio * 100)


def _target(text: str, unit: TUnit, source_codes) -> object:
    element, codes = to_element(text, "target", plain=unit.plain)
    return renumber(element, codes, source_codes)


def _changed_note(unit: TUnit, previous: Previous) -> str:
    if previous.old_source is None:
        return unit.note + "; the source changed since your translation: review it"
    return (
        unit.note
        + "; the source changed since your translation, it was: "
        + repr(plain_text(previous.old_source) if not unit.plain else previous.old_source)
    )


def _xliff_unit(unit: TUnit, previous: Previous | None) -> OutUnit:
    source, codes = to_element(unit.source, "source", plain=unit.plain)
    if previous is None:
        return OutUnit(unit.key, unit.note, source)
    target = _target(previous.text, unit, codes)
    if not previous.changed:
        return OutUnit(unit.key, unit.note, source, target, "translated")
    old_source = old_target = quality = None
    if previous.old_source is not None:
        old_source, old_codes = to_element(previous.old_source, "source", plain=unit.plain)
        old_target = _target(previous.text, unit, old_codes)
        quality = _similarity(previous.old_source, unit.source)
    return OutUnit(
        unit.key,
        _changed_note(unit, previous),
        source,
        target,
        "needs-review-translation",
        old_source,
        old_target,
        quality,
    )


def _po_text(text: str, unit: TUnit, source_codes=None) -> str:
    if unit.plain:
        return text
    element, codes = to_element(text, "target")
    if source_codes is not None:
        renumber(element, codes, source_codes)
    return to_tagged_text(element)


def _export_po(units, previous, source: Sheet, original: str, lang: str) -> bytes:
    entries = []
    for unit in units:
        codes = None if unit.plain else to_element(unit.source, "source")[1]
        before = previous.get(unit.key)
        entry = dict(
            id=unit.key,
            note=unit.note,
            source=_po_text(unit.source, unit),
            location=unit.location,
            brace_format=unit.kind == "label" and "{" in unit.source,
        )
        if before is not None:
            entry["target"] = _po_text(before.text, unit, codes)
            if before.changed:
                entry |= dict(fuzzy=True, note=_changed_note(unit, before))
                if before.old_source is not None:
                    entry["previous_source"] = _po_text(before.old_source, unit)
                    entry["previous_id"] = before.old_id
        entries.append(OutEntry(**entry))
    header = {
        "Project-Id-Version": f"factsheet {source.slug} {source.front.version}",
        "Language": lang,
        "X-Factsheet-Source": original,
        "X-Factsheet-Source-Hash": units_hash(source),
        "X-Factsheet-Language": lang,
    }
    return write_po(entries, header, f"{source.front.reviewed:%Y-%m-%d} 00:00+0000")
