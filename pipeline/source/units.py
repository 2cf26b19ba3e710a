"""The translatable units of a sheet, and a hash that says when they changed.

A translation records, in ``translation_of.source_hash``, the hash of the
source units it was made from; the translation checks and the translator
workflow compare it with the source's current hash.
"""

from __future__ import annotations

import hashlib

from .model import Sheet


def source_units(sheet: Sheet) -> list[tuple[str, str]]:
    """(key, text) of every translatable unit: front matter values, then the body."""
    front = sheet.front
    units = [("title", front.title)]
    if front.series:
        units.append(("series", front.series))
    if front.summary:
        units.append(("summary", front.summary))
    units.append(("audience", front.audience))
    if front.keywords:
        units.append(("keywords", ", ".join(front.keywords)))
    units.extend((unit.key, unit.text) for unit in sheet.body.units)
    return units


def units_hash(sheet: Sheet) -> str:
    digest = hashlib.sha256()
    for key, text in source_units(sheet):
        digest.update(f"{key}\x1f{text}\x1e".encode())
    return "sha256:" + digest.hexdigest()[:16]
