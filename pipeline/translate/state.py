"""Where a translation stands against its source: current, stale, or unknown.

A translation records, in ``translation_of.source_hash``, a hash of the source
units it was made from; when the source's units change, the hash no longer
matches and the translation is stale (the translation checks say which units).
The shared blocks of each language are tracked the same way.
"""

from __future__ import annotations

from ..checks.translation import STALE, check_stale
from ..checks.translation_blocks import check_blocks_translation
from ..source.model import Project, Sheet
from ..source.unitmatch import basis_of, pair_translation
from ..source.units import blocks_hash, units_hash

#: The row of `translate status` for the shared blocks and labels.
BLOCKS_ROW = "(shared blocks)"


#: The state of a sheet file that cannot be read (and of a translation of one).
UNREADABLE = "unreadable"


def translation_state(project: Project, sheet: Sheet) -> str:
    """'source', 'current', 'stale', 'orphan' (no source) or 'source unreadable'."""
    origin = sheet.front.translation_of
    if origin is None:
        return "source"
    if (sheet.slug, origin.lang) in project.broken:
        return f"source {UNREADABLE}"
    source = project.sheets.get((sheet.slug, origin.lang))
    if source is None:
        return "orphan"
    return "current" if units_hash(source) == origin.source_hash else "stale"


def _stale_units(project: Project, sheet: Sheet) -> int:
    source = project.sheets[(sheet.slug, sheet.front.translation_of.lang)]
    basis = basis_of(project, sheet, source)
    found = check_stale(project, sheet, source, pair_translation(sheet, basis))
    return len([f for f in found if f.rule == STALE and f.unit])


def _blocks_state(project: Project, lang: str) -> str:
    blocks = project.blocks.get(lang)
    source = project.blocks.get(project.org.default_lang)
    if lang == project.org.default_lang:
        return "source"
    if blocks is None:
        return "missing"
    if blocks.translation_of is None or source is None:
        return f"{blocks.status}, untracked"
    if blocks.translation_of.source_hash == blocks_hash(source):
        return f"{blocks.status}, current"
    found = [f for f in check_blocks_translation(project, lang) if f.rule == STALE and f.unit]
    return f"{blocks.status}, stale ({len(found)} units)"


def languages(project: Project) -> list[str]:
    """The organisation's languages, then any other language a sheet is translated into."""
    listed = list(project.org.languages)
    extra = {lang for _, lang in (*project.sheets, *project.broken)} | set(project.blocks)
    return listed + sorted(extra - set(listed))


def matrix(project: Project) -> dict[str, dict[str, str]]:
    """slug -> lang -> 'source', 'missing', 'unreadable', or '<status>, <current|stale (n
    units)|source unreadable>'; the shared blocks are the last row."""
    out: dict[str, dict[str, str]] = {}
    langs = languages(project)
    for slug in project.slugs:
        row = {}
        for lang in langs:
            sheet = project.sheets.get((slug, lang))
            if sheet is None:
                row[lang] = UNREADABLE if (slug, lang) in project.broken else "missing"
                continue
            state = translation_state(project, sheet)
            if state == "stale":
                state = f"stale ({_stale_units(project, sheet)} units)"
            row[lang] = state if state == "source" else f"{sheet.front.status}, {state}"
        out[slug] = row
    out[BLOCKS_ROW] = {lang: _blocks_state(project, lang) for lang in langs}
    return out
