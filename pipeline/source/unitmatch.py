"""Which unit is which: a translation's units against its source, then and now.

Two questions, both answered without trusting positions more than needed:

- ``pair_translation``: which source unit each unit of a translated sheet
  translates. The translation keeps the source's structure (the structure rule
  checks it), so body units pair by position with the units of the source the
  translation was MADE FROM (its snapshot), and front-matter units by key.
- ``align``: how the units of that old source map onto the source as it is
  now. Ids come from content (unitids.py), so a unit nobody touched keeps its
  id wherever it moved; an edited unit gets a new id and is paired with its old
  self by position inside the run of changes around it (difflib's opcodes),
  falling back to similarity when units were also inserted or deleted there.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .model import Project, Sheet, SnapshotUnit, Unit
from .unitids import FRONT_KEYS
from .units import front_units, sheet_snapshot

#: Below this similarity an edited unit counts as removed plus new, not as changed.
_SIMILAR = 0.5


@dataclass(frozen=True)
class Pair:
    """A translated unit and the source unit (as it was then) that it translates."""

    basis: SnapshotUnit
    unit: Unit | None  # the translated unit; None when the translation lacks it


def basis_of(project: Project, sheet: Sheet, source: Sheet) -> list[SnapshotUnit]:
    """The source units ``sheet`` was translated from: its snapshot, or else the
    source as it is now (the best guess when no snapshot was kept)."""
    snapshot = project.snapshots.get((sheet.slug, sheet.lang))
    return list(snapshot.units) if snapshot is not None else sheet_snapshot(source).units


def pair_translation(sheet: Sheet, basis: list[SnapshotUnit]) -> list[Pair] | None:
    """Pair ``sheet``'s units with ``basis``; None when the bodies do not line up
    (a different number or kind of units: the structure rule reports where)."""
    theirs_front = {u.key: u for u in front_units(sheet)}
    body = [b for b in basis if b.id not in FRONT_KEYS]
    units = list(sheet.body.units)
    if len(body) != len(units) or any(
        b.kind and b.kind != u.kind for b, u in zip(body, units, strict=True)
    ):
        return None
    pairs = [Pair(b, theirs_front.get(b.id)) for b in basis if b.id in FRONT_KEYS]
    return pairs + [Pair(b, u) for b, u in zip(body, units, strict=True)]


def align(
    old: list[tuple[str, str]], new: list[tuple[str, str]]
) -> list[tuple[int | None, int | None]]:
    """Index pairs (old, new) covering both lists in order; None on one side marks
    a unit removed from (or new in) the source. Equal ids pair; so do an edited
    unit's old and new versions."""
    matcher = difflib.SequenceMatcher(a=[i for i, _ in old], b=[i for i, _ in new], autojunk=False)
    out: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            # Unchanged units, or as many edited units as there were: pair in order.
            out += list(zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            out += _by_similarity(old, new, range(i1, i2), range(j1, j2))
    return _rejoin_moves(old, new, out)


def _by_similarity(old, new, olds: range, news: range) -> list[tuple[int | None, int | None]]:
    """Pair the most similar units of a run of changes, keeping their order."""
    out: list[tuple[int | None, int | None]] = []
    j = news.start
    for i in olds:
        best, best_ratio = None, _SIMILAR
        for k in range(j, news.stop):
            ratio = difflib.SequenceMatcher(a=old[i][1], b=new[k][1], autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best is None:
            out.append((i, None))
            continue
        out += [(None, k) for k in range(j, best)]
        out.append((i, best))
        j = best + 1
    out += [(None, k) for k in range(j, news.stop)]
    return out


def _rejoin_moves(old, new, pairs):
    """A unit that moved shows as removed here and new there: pair it again by id."""
    removed = {old[i][0]: n for n, (i, j) in enumerate(pairs) if j is None}
    added = {new[j][0]: n for n, (i, j) in enumerate(pairs) if i is None}
    moved = set(removed) & set(added)
    if not moved:
        return pairs
    out = list(pairs)
    for unit_id in moved:
        i = pairs[removed[unit_id]][0]
        out[added[unit_id]] = (i, pairs[added[unit_id]][1])
        out[removed[unit_id]] = None
    return [p for p in out if p is not None]


@dataclass(frozen=True)
class Change:
    """How one unit of the source differs between a snapshot and now."""

    what: str  # "same", "changed", "new" or "removed"
    old: SnapshotUnit | None  # the unit as the translation saw it
    new: Unit | None  # the unit as the source has it now


def changes(old: list[SnapshotUnit], new: list[Unit]) -> list[Change]:
    """Every unit of the old and the current source, paired, in document order."""
    out = []
    for i, j in align([(u.id, u.text) for u in old], [(u.key, u.text) for u in new]):
        a = old[i] if i is not None else None
        b = new[j] if j is not None else None
        if a is None:
            out.append(Change("new", None, b))
        elif b is None:
            out.append(Change("removed", a, None))
        else:
            out.append(Change("same" if a.text == b.text else "changed", a, b))
    return out
