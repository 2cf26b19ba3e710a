"""The files an import writes: the translated sheet, the blocks, the snapshots.

The translated sheet is the source with each unit's text replaced (so every
line that is not a unit, list markers, callout fences, images, ``{#id}``s,
stays exactly as in the source), under new front matter that always says
``status: draft`` and records the source it was made from.
"""

from __future__ import annotations

import json

import yaml

from ..errors import InputError
from ..source.loader import split_front_matter
from ..source.model import Blocks, Sheet, Snapshot
from ..source.units import BLOCK_NAMES, blocks_hash, units_hash

DRAFT_NOTE = "# Draft translation: not yet reviewed by a qualified medical translator.\n"


def compose_sheet(
    source: Sheet, lang: str, text: dict[str, str], number_words: dict[str, str]
) -> str:
    """The translated sheet: ``text`` maps unit ids to their translations."""
    front = source.front
    data: dict = {"id": front.id, "title": text["title"]}
    if front.series:
        data["series"] = text["series"]
    data |= {
        "lang": lang,
        "version": front.version,
        "status": "draft",
        "reviewed": front.reviewed,
        "next_review": front.next_review,
        "reviewed_by": front.reviewed_by,
        "audience": text["audience"],
    }
    if front.summary:
        data["summary"] = text["summary"]
    if front.keywords:
        data["keywords"] = [k.strip() for k in text["keywords"].split(",") if k.strip()]
    data["translation_of"] = {
        "lang": source.lang,
        "version": front.version,
        "source_hash": units_hash(source),
    }
    if number_words:
        data["numbers_as_words"] = number_words
    head = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{DRAFT_NOTE}{head}---\n{_replace_units(source, text)}"


def _replace_units(source: Sheet, text: dict[str, str]) -> str:
    _, body, body_line = split_front_matter(source.source_text, source.display)
    lines = body.split("\n")
    units = [u for u in source.body.units if u.kind != "alt"]
    # Right to left, bottom to top: a replacement never moves a unit still to come.
    limits: dict[int, int] = {}
    for _, unit in sorted(enumerate(units), key=lambda p: (p[1].line, p[0]), reverse=True):
        content = unit.text.split("\n")
        index = unit.line - body_line
        first = lines[index]
        at = first.rfind(content[0], 0, limits.get(index, len(first)))
        if at < 0:
            raise InputError(
                f"cannot place unit {unit.key} in the source text", source.display, unit.line
            )
        last = lines[index + len(content) - 1]
        if len(content) == 1:
            rest = first[at + len(content[0]) :]
        else:
            end = last.rfind(content[-1])
            rest = last[end + len(content[-1]) :] if end >= 0 else ""
        lines[index : index + len(content)] = [first[:at] + text[unit.key] + rest]
        limits[index] = at
    return "\n".join(lines)


def compose_blocks(
    source: Blocks, lang: str, text: dict[str, str], existing: Blocks | None = None
) -> dict:
    """blocks/<lang>.yaml data: every block and label, draft, with its provenance.
    The catalog site's strings are not exported: the file keeps its own."""
    data: dict = {"lang": lang, "status": "draft"}
    data["translation_of"] = {"lang": source.lang, "source_hash": blocks_hash(source)}
    data |= {name: text[f"block:{name}"] for name in BLOCK_NAMES if f"block:{name}" in text}
    data["labels"] = {k[len("label:") :]: v for k, v in text.items() if k.startswith("label:")}
    if existing is not None and existing.catalog is not None:
        data["catalog"] = existing.catalog.model_dump()
    return data


def blocks_yaml(data: dict) -> bytes:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return (DRAFT_NOTE + body).encode("utf-8")


def same_blocks(existing: Blocks | None, data: dict) -> bool:
    """True when ``data`` would change nothing in the existing file but its status."""
    if existing is None:
        return False
    mine = existing.model_dump(exclude={"status"}, exclude_none=True)
    theirs = Blocks.model_validate(data).model_dump(exclude={"status"}, exclude_none=True)
    return mine == theirs


def snapshot_json(snapshot: Snapshot) -> bytes:
    return (json.dumps(snapshot.model_dump(), indent=2, ensure_ascii=False) + "\n").encode()
