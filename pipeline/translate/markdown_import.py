"""A translated sheet handed back as Markdown (a copy of the source, translated).

Its front matter says which sheet it translates (``id``) and its language; the
importer makes it a draft whatever it says (a copy of an approved translation
must not stay approved), records the source it translates when it does not say,
and refuses it when it says it was made from an older source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import InputError
from ..source.loader import split_front_matter
from ..source.model import Project, Sheet
from ..source.units import units_hash
from ..source.yamlfile import parse_yaml
from .compose import DRAFT_NOTE
from .export import target_language
from .incoming import Incoming


@dataclass
class MarkdownPlan:
    source: Sheet
    lang: str
    text: str
    incoming: Incoming


def _decode(data: bytes, shown: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("not valid UTF-8", shown, line, hint="save the file as UTF-8") from None
    if "\x00" in text:
        raise InputError("file contains a NUL character", shown, hint="is it a text file?")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _set_key(front: str, key: str, value: str) -> str:
    """Replace a top-level ``key:`` line of the front matter (or add it at the end)."""
    pattern = re.compile(rf"^{key}:.*$", re.M)
    if pattern.search(front):
        return pattern.sub(lambda _: f"{key}: {value}", front, count=1)
    return front.rstrip("\n") + f"\n{key}: {value}"


def read_markdown(project: Project, data: bytes, shown: str, wanted: str | None) -> MarkdownPlan:
    text = _decode(data, shown)
    front_text, body, _ = split_front_matter(text, shown)
    data_, lines = parse_yaml(front_text, shown, first_line=2)
    front = data_ if isinstance(data_, dict) else {}
    sheet_id = front.get("id")
    sources = [
        s
        for s in project.sheets.values()
        if s.front.id == sheet_id and s.front.translation_of is None
    ]
    if not sources:
        unreadable = [
            b for b in project.broken.values() if b.sheet_id == sheet_id and not b.translation
        ]
        if unreadable:  # the source is there but cannot be read: its own errors say why
            raise unreadable[0].error()
        raise InputError(
            f"no source sheet has id {printable_id(sheet_id)}",
            shown,
            lines.get(("id",)),
            hint="keep the id of the sheet you translated",
        )
    source = sources[0]
    lang = wanted or front.get("lang")
    if not isinstance(lang, str):
        raise InputError("front matter has no lang", shown, 2, hint="add lang, or pass --lang")
    lang = target_language(project, lang, "--lang" if wanted else "lang")
    origin = front.get("translation_of")
    current = units_hash(source)
    if isinstance(origin, dict) and origin.get("source_hash") not in (None, current):
        raise InputError(
            f"translated from an older {source.display} "
            f"(source_hash {origin.get('source_hash')}, the sheet's is now {current})",
            shown,
            lines.get(("translation_of", "source_hash")),
            hint="translate the current sheet: export it, or diff the two versions",
        )
    new_front = _set_key(front_text, "lang", lang)
    new_front = _set_key(new_front, "status", "draft")
    if not isinstance(origin, dict):
        new_front = re.sub(r"^translation_of:.*(\n[ \t]+.*)*$", "", new_front, flags=re.M)
        new_front = new_front.rstrip("\n") + (
            f'\ntranslation_of:\n  lang: {source.lang}\n  version: "{source.front.version}"\n'
            f'  source_hash: "{current}"'
        )
    head = 0
    if DRAFT_NOTE.strip() not in new_front:
        new_front = DRAFT_NOTE + new_front
        head = 1
    new_front = new_front.strip("\n")
    composed = f"---\n{new_front}\n---\n{body}"
    incoming = Incoming("markdown", source.display, lang, None)
    body_start = new_front.count("\n") + 3  # the composed sheet's first body line
    shift = composed.count("\n") - text.count("\n")
    incoming.line_of = lambda line: line - (head if line < body_start else shift)
    return MarkdownPlan(source, lang, composed, incoming)


def printable_id(value: object) -> str:
    return repr(value)[:80]
