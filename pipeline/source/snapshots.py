"""Snapshots: the source units a translation was made from, as import recorded them.

``sheets/<slug>/translations/<lang>.source.json`` for a sheet,
``sheets/_org/blocks/translations/<lang>.source.json`` for a language's shared
blocks. Staleness compares a snapshot with the source as it is now, unit by
unit (unitmatch.py). The loader reads them (it alone reads sheets/); this
module says where they live and what a valid one is.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from ..errors import InputError
from .model import Snapshot

_HINT = "delete it: the translation then counts as stale until it is imported again"


def snapshot_path(root: Path, slug: str, lang: str) -> Path:
    """Where import keeps the source units a translation was made from (slug "_org":
    the shared blocks)."""
    if slug == "_org":
        return root / "sheets" / "_org" / "blocks" / "translations" / f"{lang}.source.json"
    return root / "sheets" / slug / "translations" / f"{lang}.source.json"


def parse_snapshot(text: str, shown: str) -> Snapshot:
    """A snapshot file's text as a Snapshot; format 1 (positional ids) is read too."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InputError(f"not valid JSON: {error}", shown, hint=_HINT) from None
    if isinstance(data, dict) and isinstance(data.get("units"), dict) and "format" not in data:
        # Format 1 (positional ids b1, b2 ...): the units in order, their kinds unknown.
        data = {
            **{k: v for k, v in data.items() if k in ("source", "version", "source_hash")},
            "units": [{"id": k, "kind": "", "text": v} for k, v in data["units"].items()],
        }
    try:
        return Snapshot.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"not a snapshot: {where}: {first['msg']}", shown, hint=_HINT) from None
