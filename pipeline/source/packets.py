"""Packet files (sheets/_packets/<name>.yaml): several sheets to bind as one PDF.

A packet names a title, a language and the sheets in order; loading it checks
that every sheet exists in the packet's language, pointing at the line of the
slug that does not.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .loader import SLUG, Loader
from .model import Packet, Project, Sheet


@dataclass(frozen=True)
class LoadedPacket:
    name: str  # the file's stem: output/packets/<name>.pdf
    display: str  # the file, as shown in messages
    packet: Packet
    sheets: tuple[Sheet, ...]


def load_packet(project: Project, path: Path) -> LoadedPacket:
    """Read and check a packet file: every sheet exists in the packet's language."""
    loader = Loader(project.root)
    packet, lines = loader.load_packet(path)
    shown = loader.display(path)
    if not SLUG.match(path.stem):
        raise InputError(
            f"'{path.stem}' is not a packet name",
            shown,
            hint="name the file with lower-case letters, digits and hyphens",
        )
    if packet.lang not in project.blocks:
        raise InputError(
            f"no shared blocks for language '{packet.lang}'",
            shown,
            lines.get(("lang",)),
            hint=f"create sheets/_org/blocks/{packet.lang}.yaml",
        )
    sheets = []
    for index, slug in enumerate(packet.sheets):
        line = lines.get(("sheets", index), lines.get(("sheets",)))
        if slug not in project.slugs:
            close = difflib.get_close_matches(slug, project.slugs, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"sheets: {', '.join(project.slugs)}"
            raise InputError(f"no sheet '{slug}'", shown, line, hint=hint)
        broken = project.broken.get((slug, packet.lang))
        if broken is not None:
            raise InputError(
                f"sheet '{slug}' in '{packet.lang}' cannot be read",
                shown,
                line,
                hint=f"fix {broken.errors[0].location}: {broken.errors[0].message}",
            )
        if (slug, packet.lang) not in project.sheets:
            have = ", ".join(project.languages_of(slug))
            raise InputError(
                f"sheet '{slug}' has no '{packet.lang}' version",
                shown,
                line,
                hint=f"it exists in: {have}; translate it or leave it out",
            )
        sheets.append(project.sheet(slug, packet.lang))
    return LoadedPacket(path.stem, shown, packet, tuple(sheets))
