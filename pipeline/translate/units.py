"""What a translator gets: one unit per piece of text, with a note on what to keep.

One unit per heading, paragraph, list item, callout title, alt text and
translatable front matter value, plus the shared blocks and the template's
labels. The snapshot of the source units a translation was made from lets
staleness say exactly which units changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..source.markdown import plain_text
from ..source.model import Project, Sheet
from ..source.units import source_units, units_hash

BLOCK_NAMES = ("disclaimer", "helpline_intro", "language_assistance", "review_note")
FRONT_KEYS = ("title", "series", "summary", "audience", "keywords")
_CONTACT = re.compile(r"\+?\d[\d\- ]{7,}\d|[^\s@()<>]+@[^\s@()<>]+\.[a-z]{2,}|https?://\S+", re.I)
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?%?")


@dataclass(frozen=True)
class TUnit:
    key: str
    kind: str
    source: str  # Markdown inline (or plain text for front matter and labels)
    note: str
    line: int


def snapshot_path(project: Project, slug: str, lang: str) -> Path:
    return project.root / "sheets" / slug / "translations" / f"{lang}.source.json"


def _note(kind: str, section: str, text: str) -> str:
    parts = [
        f"{kind.replace('-', ' ')}" + (f" in section '{plain_text(section)}'" if section else "")
    ]
    shown = plain_text(text)
    keep = sorted(set(_CONTACT.findall(shown)))
    if keep:
        parts.append("keep as is: " + ", ".join(keep))
    numbers = [n for n in _NUMBER.findall(shown) if n not in "".join(keep)]
    if numbers:
        parts.append(
            "keep the numbers " + ", ".join(numbers) + " (your language's digit grouping is fine)"
        )
    return "; ".join(parts)


def export_units(project: Project, sheet: Sheet) -> list[TUnit]:
    """Every translatable unit of a sheet and of the shared blocks, in order."""
    front = sheet.front
    units: list[TUnit] = []
    for key in FRONT_KEYS:
        value = getattr(front, key)
        if key == "keywords":
            value = ", ".join(value) if value else None
        if value:
            units.append(
                TUnit(key, f"front matter {key}", value, _note(key, "", value), sheet.line_of(key))
            )
    for unit in sheet.body.units:
        units.append(
            TUnit(
                unit.key, unit.kind, unit.text, _note(unit.kind, unit.section, unit.text), unit.line
            )
        )
    blocks = project.blocks[sheet.lang]
    for name in BLOCK_NAMES:
        text = getattr(blocks, name)
        units.append(
            TUnit(
                f"block:{name}",
                "shared block",
                text,
                _note(f"shared block '{name}' (on every sheet)", "", text),
                0,
            )
        )
    for name, text in blocks.labels.model_dump().items():
        note = f"label '{name}' of the template"
        if "{" in text:
            note += "; keep the {placeholders} exactly, you may reorder them"
        units.append(TUnit(f"label:{name}", "label", text, note, 0))
    return units


def snapshot(source: Sheet) -> dict:
    return {
        "source": f"sheets/{source.slug}/{source.lang}.md",
        "version": source.front.version,
        "source_hash": units_hash(source),
        "units": dict(source_units(source)),
    }


def read_snapshot(project: Project, slug: str, lang: str) -> dict | None:
    try:
        return json.loads(snapshot_path(project, slug, lang).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_snapshot(project: Project, source: Sheet, lang: str) -> Path:
    path = snapshot_path(project, source.slug, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(snapshot(source), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path
