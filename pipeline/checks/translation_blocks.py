"""The shared blocks and labels of a language against their source, like sheet units.

Every sheet in a language prints its help text, disclaimer, language assistance
and review note, and its labels, so a translated blocks/<lang>.yaml that adds
or changes a phone number misleads on every page. Each block and each label the
file sets is compared with the source language's text it translates (numbers,
contacts and links, markup, untranslated text), and staleness lists every
source block or label that changed since (the snapshot import keeps under
sheets/_org/blocks/translations/). Label placeholders are checked when the
file is loaded (model.label_problem), so a broken one never reaches a page.
"""

from __future__ import annotations

from ..source.model import Project
from ..source.units import block_units, blocks_hash
from .registry import Finding, finding
from .translation import STALE, UnitComparison, _quote


def blocks_path(lang: str) -> str:
    return f"sheets/_org/blocks/{lang}.yaml"


def _line(project: Project, lang: str, unit_id: str) -> int | None:
    lines = project.block_lines.get(lang, {})
    kind, name = unit_id.split(":", 1)
    return lines.get(("labels", name) if kind == "label" else (name,))


def check_blocks_translation(project: Project, lang: str) -> list[Finding]:
    """Findings for blocks/<lang>.yaml against the source language's blocks."""
    source_lang = project.org.default_lang
    blocks = project.blocks.get(lang)
    source = project.blocks.get(source_lang)
    if lang == source_lang or blocks is None or source is None:
        return []
    path, source_path = blocks_path(lang), blocks_path(source_lang)
    snapshot = project.block_snapshots.get(lang)
    basis = {u.id: u.text for u in snapshot.units} if snapshot else {}
    current = {u.key: u.text for u in block_units(source)}
    out = _stale(project, lang, basis, current)
    compare = UnitComparison(project, lang, source_lang, source_path)
    for unit in block_units(blocks, only_set=True):
        text = basis.get(unit.key, current.get(unit.key))
        if text is None:
            continue
        out += compare.compare(
            path,
            _line(project, lang, unit.key),
            unit.key,
            text,
            unit.text,
            _line(project, source_lang, unit.key),
        )
    return out


def _stale(
    project: Project, lang: str, basis: dict[str, str], current: dict[str, str]
) -> list[Finding]:
    origin = project.blocks[lang].translation_of
    source = project.blocks[project.org.default_lang]
    if origin is None or origin.source_hash == blocks_hash(source):
        return []
    path, source_path = blocks_path(lang), blocks_path(origin.lang)
    hint = "re-export any sheet, translate the changed blocks and labels, import"
    if not basis:
        line = project.block_lines.get(lang, {}).get(("translation_of", "source_hash"))
        message = (
            f"{source_path} changed since this translation was made (no snapshot to say which)"
        )
        return [finding(STALE, path, line, message, hint)]
    out = []
    for unit_id in [*basis, *(k for k in current if k not in basis)]:
        old, new = basis.get(unit_id), current.get(unit_id)
        if old == new:
            continue
        line = _line(project, lang, unit_id)
        where = f"{source_path}:{_line(project, origin.lang, unit_id) or 1}"
        if old is None:
            message = f"unit {unit_id} is new in {where}: {_quote(new, 200, False)}"
        elif new is None:
            message = f"unit {unit_id} was removed from {source_path}: {_quote(old, 200, False)}"
        else:
            message = (
                f"unit {unit_id} changed in {where}: was {_quote(old, 200, False)}, "
                f"now {_quote(new, 200, False)}"
            )
        out.append(finding(STALE, path, line, message, hint, unit=unit_id))
    return out
