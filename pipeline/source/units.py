"""The translatable units of a sheet and of the shared blocks, and their hash.

A translation records, in ``translation_of.source_hash``, the hash of the
source units it was made from, and import keeps a snapshot of those units; the
translation checks and the translator workflow compare both with the source as
it is now. The hash covers what a translation depends on (each unit's kind and
text, and the block outline), not the units' ids: adding an explicit
``{#id}`` to a unit changes nothing a translator has to redo.
"""

from __future__ import annotations

import hashlib

from .model import Blocks, Sheet, Snapshot, SnapshotUnit, Unit
from .unitids import FRONT_KEYS

#: The texts of a blocks file printed on every sheet, each a unit for translators
#: (``trademark`` only where the file has one: without it a sheet prints org.yaml's).
BLOCK_NAMES = ("disclaimer", "helpline_intro", "language_assistance", "review_note", "trademark")


def front_units(sheet: Sheet) -> list[Unit]:
    """The front-matter values a translator gets: title, series, summary, audience, keywords."""
    out = []
    for key in FRONT_KEYS:
        value = getattr(sheet.front, key)
        if key == "keywords":
            value = ", ".join(value) if value else None
        if value:
            out.append(Unit(key, key, value, sheet.line_of(key)))
    return out


def all_units(sheet: Sheet) -> list[Unit]:
    """Front-matter units, then the body's, in document order."""
    return [*front_units(sheet), *sheet.body.units]


def source_units(sheet: Sheet) -> list[tuple[str, str]]:
    """(id, text) of every translatable unit: front matter values, then the body."""
    return [(unit.key, unit.text) for unit in all_units(sheet)]


def _hash(units: list[tuple[str, str]], outline: list[str] | tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    digest.update(("\x1d".join(outline) + "\x1e").encode())
    for kind, text in units:
        digest.update(f"{kind}\x1f{text}\x1e".encode())
    return "sha256:" + digest.hexdigest()[:16]


def units_hash(sheet: Sheet) -> str:
    return _hash([(u.kind, u.text) for u in all_units(sheet)], sheet.body.outline)


def block_units(blocks: Blocks, only_set: bool = False) -> list[Unit]:
    """The shared blocks and labels of one language as units (``block:disclaimer``,
    ``label:page``); ``only_set`` keeps only the labels the file sets (a default
    left in English is not a translation)."""
    units = [
        Unit(f"block:{name}", "block", getattr(blocks, name), 0)
        for name in BLOCK_NAMES
        if getattr(blocks, name) is not None
    ]
    labels = blocks.labels.model_dump(exclude_unset=only_set)
    units += [Unit(f"label:{name}", "label", text, 0) for name, text in labels.items()]
    return units


def blocks_hash(blocks: Blocks) -> str:
    return _hash([(u.key, u.text) for u in block_units(blocks)], ())


def sheet_snapshot(source: Sheet) -> Snapshot:
    """What import records about the source a translation was made from."""
    return Snapshot(
        source=source.display,
        version=source.front.version,
        source_hash=units_hash(source),
        outline=list(source.body.outline),
        units=[SnapshotUnit(id=u.key, kind=u.kind, text=u.text) for u in all_units(source)],
    )


def blocks_snapshot(source: Blocks) -> Snapshot:
    return Snapshot(
        source=f"sheets/_org/blocks/{source.lang}.yaml",
        source_hash=blocks_hash(source),
        units=[SnapshotUnit(id=u.key, kind=u.kind, text=u.text) for u in block_units(source)],
    )
