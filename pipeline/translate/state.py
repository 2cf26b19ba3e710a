"""Where a translation stands against its source: current, stale, or unknown.

A translation records, in ``translation_of.source_hash``, a hash of the source
units it was made from; when the source's units change, the hash no longer
matches and the translation is stale.
"""

from __future__ import annotations

from ..checks.translation import STALE, check_translation
from ..source.model import Project, Sheet
from ..source.units import units_hash


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
