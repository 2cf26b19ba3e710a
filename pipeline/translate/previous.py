"""What a language already has for each source unit: the translator's starting point.

A unit whose source is unchanged since its translation comes pre-filled and
final; a unit whose source changed comes with its previous translation marked
for review, next to the old source text, so a CAT tool shows exactly what
changed; a new unit comes empty. Units are found through the snapshot the
translation was made from (source/unitmatch.py), never by position in the
current source.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..source.model import Project, Sheet
from ..source.unitmatch import basis_of, changes, pair_translation
from ..source.units import all_units, block_units, blocks_hash, units_hash


@dataclass(frozen=True)
class Previous:
    text: str  # the existing translation (Markdown, or plain text)
    changed: bool  # the source unit changed since it was translated
    old_source: str | None = None  # what it was translated from, when that changed and is known
    old_id: str | None = None


def previous_translations(project: Project, source: Sheet, lang: str) -> dict[str, Previous]:
    """Current unit id -> the existing translation of that unit, sheet and blocks."""
    return {**_sheet(project, source, lang), **_blocks(project, lang)}


def _sheet(project: Project, source: Sheet, lang: str) -> dict[str, Previous]:
    target = project.sheets.get((source.slug, lang))
    if target is None or target.front.translation_of is None:
        return {}
    snapshot = project.snapshots.get((source.slug, lang))
    current = all_units(source)
    basis = basis_of(project, target, source)
    pairs = pair_translation(target, basis)
    if pairs is None:
        return {}
    translated = {p.basis.id: p.unit.text for p in pairs if p.unit is not None}
    if snapshot is None:
        unchanged = target.front.translation_of.source_hash == units_hash(source)
        return {
            u.key: Previous(translated[u.key], not unchanged)
            for u in current
            if u.key in translated
        }
    out = {}
    for change in changes(basis, current):
        if change.old is None or change.new is None or change.old.id not in translated:
            continue
        changed = change.what == "changed"
        out[change.new.key] = Previous(
            translated[change.old.id],
            changed,
            change.old.text if changed else None,
            change.old.id,
        )
    return out


def _blocks(project: Project, lang: str) -> dict[str, Previous]:
    blocks = project.blocks.get(lang)
    source = project.blocks.get(project.org.default_lang)
    if blocks is None or source is None or lang == project.org.default_lang:
        return {}
    current = {u.key: u.text for u in block_units(source)}
    snapshot = project.block_snapshots.get(lang)
    origin = blocks.translation_of
    basis = {u.id: u.text for u in snapshot.units} if snapshot is not None else None
    out = {}
    for unit in block_units(blocks, only_set=True):
        if unit.key not in current:
            continue
        if basis is not None:
            old = basis.get(unit.key)
            changed = old != current[unit.key]
            out[unit.key] = Previous(unit.text, changed, old if changed else None, unit.key)
        else:  # no record: unchanged if the file says it translates the current blocks
            changed = origin is not None and origin.source_hash != blocks_hash(source)
            out[unit.key] = Previous(unit.text, changed)
    return out
