"""What a translator gets: one unit per piece of text, with a note on what to keep.

One unit per heading, paragraph, list item, callout title, alt text and
translatable front matter value, plus the shared blocks and the template's
labels. Each note says where the unit sits and what must survive translation
(contacts, numbers, placeholders); notes are the only context many CAT tools
show next to a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..source.markdown import plain_text
from ..source.model import LABEL_PLACEHOLDERS, Project, Sheet
from ..source.unitids import FRONT_KEYS
from ..source.units import BLOCK_NAMES, block_units, front_units

_CONTACT = re.compile(r"\+?\d[\d\- ]{7,}\d|[^\s@()<>]+@[^\s@()<>]+\.[a-z]{2,}|https?://\S+", re.I)
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?%?")

__all__ = ["BLOCK_NAMES", "FRONT_KEYS", "TUnit", "export_units", "is_plain"]


@dataclass(frozen=True)
class TUnit:
    key: str
    kind: str
    source: str  # Markdown inline (or plain text for front matter and labels)
    note: str
    line: int  # in ``where``
    where: str  # the source file the unit comes from (a sheet, or the blocks file)

    @property
    def plain(self) -> bool:
        return is_plain(self.key)

    @property
    def location(self) -> str:
        return f"{self.where}:{self.line}" if self.line else self.where


def is_plain(key: str) -> bool:
    """Front-matter values and labels are plain text; everything else is Markdown."""
    return key in FRONT_KEYS or key.startswith("label:")


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
            "keep the numbers " + ", ".join(numbers) + " (your language's digit grouping is fine;"
            " a number written as a word needs a note 'number as word: N')"
        )
    return "; ".join(parts)


def export_units(project: Project, sheet: Sheet) -> list[TUnit]:
    """Every translatable unit of a sheet and of the shared blocks, in order."""
    units = [
        TUnit(
            u.key,
            f"front matter {u.key}",
            u.text,
            _note(f"front matter {u.key}", "", u.text),
            u.line,
            sheet.display,
        )
        for u in front_units(sheet)
    ]
    units += [
        TUnit(u.key, u.kind, u.text, _note(u.kind, u.section, u.text), u.line, sheet.display)
        for u in sheet.body.units
    ]
    blocks_file = f"sheets/_org/blocks/{sheet.lang}.yaml"
    lines = project.block_lines.get(sheet.lang, {})
    for unit in block_units(project.blocks[sheet.lang]):
        name = unit.key.split(":", 1)[1]
        if unit.kind == "block":
            note = _note(f"shared block '{name}' (on every sheet)", "", unit.text)
            line = lines.get((name,), 0)
        else:
            note = f"label '{name}' of the template (on every sheet)"
            if LABEL_PLACEHOLDERS.get(name):
                note += "; keep the {placeholders} exactly, you may reorder them"
            line = lines.get(("labels", name), 0)
        units.append(TUnit(unit.key, unit.kind, unit.text, note, line, blocks_file))
    return units
