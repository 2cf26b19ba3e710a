"""Parsed sheets kept between runs, keyed by everything parsing reads.

Loading a catalog parses every sheet's YAML front matter and Markdown body
(a few milliseconds each, seconds for thousands), and every shared blocks
file (tens of milliseconds each: their texts are kept whole around names and
contacts); after an edit only the edited file needs parsing again. An
entry's key is a SHA-256 over the file's text and its path inside the
project, what parsing takes from org.yaml and policy.yaml (base URL, limits,
the names kept whole), and the code that parses (the source/ modules and the
versions of the LIBRARIES), so any change to one of them is a miss, never a
stale hit. The project's own folder is not part of the key: a parsed sheet
holds no absolute path (its images are URLs relative to sheets/, checked
again on every hit), so the same project unpacked elsewhere (a Dask worker's
snapshot of it, a second checkout) starts warm.

Entries live in the user's cache folder ($XDG_CACHE_HOME/factsheet/parsed,
or $FACTSHEET_CACHE_DIR; an empty value turns the cache off), outside every
project: a project folder from someone else cannot bring a pickle with it,
and a folder other users can write to is not used. Files are written
atomically; the oldest go when there are more than MAX_ENTRIES.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

from .. import __version__

MAX_ENTRIES = 50_000
#: What parsing runs besides source/: the schema and YAML and Markdown parsers, and
#: what keeps names and contacts whole (CLDR, libphonenumber, IDNA, UTS #39 data,
#: the Public Suffix List).
LIBRARIES = (
    "pydantic", "pydantic-core", "PyYAML", "markdown-it-py", "mdit-py-plugins",
    "babel", "phonenumbers", "idna", "confusable-homoglyphs", "publicsuffixlist",
)  # fmt: skip


@lru_cache(maxsize=1)
def _code() -> str:
    """The parsing code itself: the source/ modules and the libraries they use."""
    from importlib.metadata import version

    digest = hashlib.sha256(__version__.encode())
    for name in LIBRARIES:
        digest.update(f"{name} {version(name)}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def default_folder() -> Path | None:
    configured = os.environ.get("FACTSHEET_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "factsheet" / "parsed"


def usable_folder(folder: Path) -> bool:
    """Created if missing; ours, and no one else may write to it (what we load from
    a cache folder must be what we wrote)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return False
    others_write = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return info.st_uid == os.getuid() and not others_write


class ParseCache:
    """Pickled parse results by key; every failure to read or write is a miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder if folder is not None and usable_folder(folder) else None
        self._pruned = False

    @staticmethod
    def key(*parts: str) -> str:
        digest = hashlib.sha256(_code().encode())
        for part in parts:
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def get(self, key: str):
        if self.folder is None:
            return None
        try:
            with open(self.folder / key, "rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing, truncated or from another version: a miss
            return None

    def put(self, key: str, value) -> None:
        if self.folder is None:
            return
        try:
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.folder / key)
        except (OSError, pickle.PicklingError):
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temp)
            return
        if not self._pruned:
            self._pruned = True
            self.prune()

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Drop the oldest entries beyond ``keep`` (and temp files of killed writers)."""
        assert self.folder is not None
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        if len(entries) <= keep:
            return
        by_age = sorted(entries, key=lambda entry: entry.stat().st_mtime)
        for entry in by_age[: len(entries) - keep * 4 // 5]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
