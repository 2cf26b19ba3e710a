"""Where a translation stands against its source: current, stale, or unknown.

A translation records, in ``translation_of.source_hash``, a hash of the source
units it was made from; when the source's units change, the hash no longer
matches and the translation is stale.
"""

from __future__ import annotations

import hashlib

from .model import Project, Sheet


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


def translation_state(project: Project, sheet: Sheet) -> str:
    """'source', 'current', 'stale', 'orphan' (no source) for a sheet."""
    origin = sheet.front.translation_of
    if origin is None:
        return "source"
    source = project.sheets.get((sheet.slug, origin.lang))
    if source is None:
        return "orphan"
    return "current" if units_hash(source) == origin.source_hash else "stale"


def matrix(project: Project) -> dict[str, dict[str, str]]:
    """slug -> lang -> 'source', 'missing', or '<draft|approved>, <current|stale (n units)>'."""
    from .checks.translation import STALE, check_translation

    out: dict[str, dict[str, str]] = {}
    for slug in project.slugs:
        row = {}
        for lang in project.org.languages:
            sheet = project.sheets.get((slug, lang))
            if sheet is None:
                row[lang] = "missing"
                continue
            state = translation_state(project, sheet)
            if state == "stale":
                changed = [f for f in check_translation(project, sheet) if f.rule == STALE]
                state = f"stale ({len(changed)} units)"
            row[lang] = state if state == "source" else f"{sheet.front.status}, {state}"
        out[slug] = row
    return out
