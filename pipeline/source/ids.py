"""Sheet ids: one id per sheet (all its languages share it).

When two sheets claim one id, the newer one (the sheet whose files changed
last) is the one in error: usually a folder copied to start a new sheet.
Its files become BrokenSheets naming the sheet that holds the id; the older
sheet builds on.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .model import BrokenSheet, Project, Sheet


def refuse_duplicate_ids(project: Project) -> None:
    """Move every sheet of a newer sheet that reuses an id to project.broken."""
    by_id: dict[str, dict[str, list[Sheet]]] = {}
    for sheet in project.sheets.values():
        by_id.setdefault(sheet.front.id, {}).setdefault(sheet.slug, []).append(sheet)
    for sheet_id, slugs in by_id.items():
        if len(slugs) < 2:
            continue
        ages = {slug: max(_mtime(s.path) for s in sheets) for slug, sheets in slugs.items()}
        owner = min(slugs, key=lambda slug: (ages[slug], slug))
        first = min(slugs[owner], key=lambda s: (s.front.translation_of is not None, s.lang))
        for slug, sheets in slugs.items():
            if slug == owner:
                continue
            for sheet in sheets:
                error = InputError(
                    f"id '{sheet_id}' is already used by {first.display}",
                    sheet.display,
                    sheet.line_of("id"),
                    hint="every sheet needs its own id; this file is the newer one",
                    column=getattr(sheet.front_lines, "value_columns", {}).get(("id",)),
                )
                del project.sheets[(sheet.slug, sheet.lang)]
                project.broken[(sheet.slug, sheet.lang)] = BrokenSheet(
                    sheet.slug,
                    sheet.lang,
                    sheet.path,
                    sheet.display,
                    (error,),
                    sheet_id,
                    sheet.front.translation_of is not None,
                )


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
