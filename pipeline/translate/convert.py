"""A translator's units onto the sheet's: which is which, and each as Markdown.

Units are matched by id, then by resname, then by their source text (a tool
that renumbers units still has the source). Each translation is then checked
against the CURRENT source (a unit translated from an older source is refused),
its inline codes mapped back through the file's own copy of the source
(segments.py) and rendered as Markdown, or as plain text for front matter and
labels, whose placeholders must be exactly the label's.
"""

from __future__ import annotations

from ..source.model import label_problem
from .incoming import Incoming, IncomingUnit, Problem
from .inline import PlaceholderError, collapse, from_element, to_element
from .segments import code_map, plain, rebuild, tokens
from .units import TUnit


def match_units(
    units: list[TUnit], incoming: Incoming
) -> tuple[dict[str, IncomingUnit], list[Problem]]:
    """Each current unit's counterpart in the file: by id, else by resname (tools that
    renumber units keep it), else by its source text (memoQ's bilingual files number
    units their own way)."""
    known = {u.key: u for u in units}
    matched: dict[str, IncomingUnit] = {}
    strays = []
    for unit_id, unit in incoming.units.items():
        key = unit_id if unit_id in known else unit.resname if unit.resname in known else None
        if key is not None and key not in matched:
            matched[key] = unit
        else:
            strays.append(unit)
    # Two spellings of each unit's text: as XLIFF shows it (codes left out) and as
    # PO shows a plain unit (placeholders in braces).
    by_text: dict[tuple[bool, str], list[str]] = {}
    for unit in units:
        if unit.key not in matched:
            shown = plain(tokens(to_element(unit.source, "s", plain=unit.plain)[0]))
            by_text.setdefault((False, collapse(shown)), []).append(unit.key)
            if unit.plain:
                by_text.setdefault((True, collapse(unit.source)), []).append(unit.key)
    problems = []
    for stray in strays:  # in file order, taking same-text units in document order
        is_plain = stray.source is None
        text = stray.plain_source if is_plain else plain(stray.source)
        keys = [k for k in by_text.get((is_plain, collapse(text or "")), []) if k not in matched]
        if keys:
            matched[keys.pop(0)] = stray
            continue
        problems.append(
            Problem(
                stray.line,
                stray.id,
                "not a unit of the current source (its text changed or it was removed "
                "since the export): re-export and translate the new file",
            )
        )
    return matched, problems


def translate_unit(unit: TUnit, theirs: IncomingUnit, alts: dict) -> str:
    """One unit's translation as Markdown (or plain text), or PlaceholderError saying why not."""
    if theirs.problem:
        raise PlaceholderError(theirs.problem)
    ours, codes = to_element(unit.source, "source", plain=unit.plain)
    our_tokens = tokens(ours)
    if theirs.plain_target is not None:  # PO front matter or label: text as the translator wrote it
        if collapse(theirs.plain_source or "") != collapse(unit.source):
            raise PlaceholderError(_older(theirs.plain_source or "", unit.source))
        text = collapse(theirs.plain_target)
    else:
        if theirs.source is not None and collapse(plain(theirs.source)) != collapse(
            plain(our_tokens)
        ):
            raise PlaceholderError(_older(plain(theirs.source), plain(our_tokens)))
        mapping = code_map(theirs.source if theirs.source is not None else our_tokens, our_tokens)
        if mapping is None:
            raise PlaceholderError(
                "the file's source has other inline codes than the sheet's: re-export"
            )
        element = rebuild(theirs.target or [], mapping)
        alt_texts = {
            code: _alt_text(alts.get(f"{unit.key}.alt" + (str(n) if n > 1 else "")))
            for n, (code, spec) in enumerate(
                ((c, s) for c, s in codes.standalone.items() if s[0] == "image"), start=1
            )
        }
        text = from_element(element, codes, alt_texts, plain=unit.plain)
    if unit.kind == "label":
        problem = label_problem(unit.key.split(":", 1)[1], text)
        if problem:
            raise PlaceholderError(f"the label {problem}")
    if not text.strip():
        raise PlaceholderError("the translation is empty")
    return text


def _alt_text(unit: IncomingUnit | None) -> str:
    if unit is None:
        return ""
    if unit.plain_target is not None:
        return unit.plain_target
    return collapse(plain(unit.target or []))


def _older(theirs: str, ours: str) -> str:
    return (
        "translated from an older source: the file has "
        f"'{collapse(theirs)[:100]}', the sheet now says '{collapse(ours)[:100]}' "
        "(re-export: the new file keeps your translation for review)"
    )
