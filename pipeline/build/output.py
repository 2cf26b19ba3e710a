"""The output folder: a lock, one transaction per command, the job cache and the manifest.

A command that writes here (build, site, bundle) holds the lock and stages
every file in output/.factsheet/tmp/; only when it finishes without error are
they all published together with the manifest that lists them (see
source/atomic.py: journal, hard-link backups, undo). Whatever stops it (an
error, a full disk, SIGKILL), output/ keeps its previous state complete: every
manifest entry matches its file. The next command that locks the folder undoes
a commit a killed process left half-done.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path

from ..errors import OutputError
from ..source.atomic import STATE, Transaction, clean_temp, explain_os_error, recover

#: Packets are listed apart from single sheets (publish/packet.py writes it).
PACKETS_MANIFEST = "packets/manifest.json"


class OutputFolder:
    """One output folder, locked for the duration of a build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / STATE
        self.tmp = self.state / "tmp"
        self.cache = self.state / "cache"
        self._lock_file = None
        self._changes: Transaction | None = None

    # -- lock -------------------------------------------------------------

    def lock(self) -> None:
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            self.cache.mkdir(parents=True, exist_ok=True)
            handle = open(self.state / "lock", "a+")  # noqa: SIM115 - held until unlock()
        except OSError as error:
            raise explain_os_error(error, self.root) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(100).strip() or "another process"
            handle.close()
            raise OutputError(
                f"another build is writing to this folder ({holder})",
                str(self.root),
                hint="wait for it to finish, or build into another folder with --out",
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        except OSError:
            pass  # the holder's id is only for the message above; the lock holds
        self._lock_file = handle
        try:
            # A commit a killed process left half-done is undone first (its
            # backups live in tmp/), then the leftovers of dead writers go.
            recover(self.state)
            clean_temp(self.tmp)
        except BaseException:
            self.unlock()
            raise
        self._changes = Transaction(self.state)

    def unlock(self) -> None:
        if self._changes is not None:
            self._changes.abort()
            self._changes = None
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                self._lock_file.truncate(0)
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> OutputFolder:
        self.lock()
        return self

    def commit(self) -> None:
        """Publish what is staged now (an interrupted build's finished PDFs)."""
        self.changes.commit()

    def __exit__(self, exc_type, *exc) -> None:
        try:
            if exc_type is None and self._changes is not None:
                self._changes.commit()
        finally:
            self.unlock()

    # -- files ------------------------------------------------------------

    @property
    def changes(self) -> Transaction:
        if self._changes is None:
            raise RuntimeError("lock the output folder (with OutputFolder(...)) before writing")
        return self._changes

    def write(self, relpath: str, data: bytes) -> Path:
        """Stage ``data`` for ``relpath``; published with everything else when the command ends."""
        return self.changes.write(self.root / relpath, data)

    def remove(self, relpath: str) -> None:
        """Remove a file this tool wrote, when the command ends."""
        self.changes.remove(self.root / relpath)

    def sha256(self, relpath: str) -> str | None:
        path = self.root / relpath
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None

    # -- job cache ----------------------------------------------------------

    def cached(self, key: str) -> dict | None:
        """The cache record for a job key if it is intact and its PDF is unchanged."""
        try:
            record = json.loads((self.cache / f"{key}.json").read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        entry = record.get("entry")
        if not isinstance(entry, dict) or self.sha256(entry.get("path", "")) != entry.get("sha256"):
            return None
        return entry

    def remember(self, key: str, entry: dict) -> None:
        """Cache a published job; its key's parts (keys.JobKey) are kept, and the
        path's latest key, so that a dry run can say which input changed."""
        parts = getattr(key, "parts", None)
        record = {"key": str(key), "entry": entry, "parts": parts}
        self.write(f"{STATE}/cache/{key}.json", json.dumps(record, sort_keys=True).encode())
        latest = {"path": entry.get("path"), "key": str(key), "parts": parts}
        self.write(self._latest(entry.get("path", "")), json.dumps(latest, sort_keys=True).encode())

    def _latest(self, relpath: str) -> str:
        return f"{STATE}/cache/path-{hashlib.sha256(relpath.encode()).hexdigest()[:24]}.json"

    def latest(self, relpath: str) -> dict | None:
        """The key and parts of the last good build of ``relpath``, if known."""
        try:
            record = json.loads((self.root / self._latest(relpath)).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("path") != relpath:
            return None
        return record

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        self.cache.mkdir(parents=True, exist_ok=True)

    # -- manifest -----------------------------------------------------------

    def manifest(self, name: str = "manifest.json", key: str = "pdfs") -> dict[str, dict]:
        """Entries by path of a manifest (``packets/manifest.json`` lists ``packets``)."""
        try:
            data = json.loads((self.root / name).read_text(encoding="utf-8"))
            return {entry["path"]: entry for entry in data.get(key, [])}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def write_manifest(
        self,
        entries: dict[str, dict],
        generator: str,
        name: str = "manifest.json",
        key: str = "pdfs",
    ) -> None:
        """Replace a manifest: every entry whose file is still on disk, sorted by path."""
        exists = self.changes.will_exist
        kept = [entries[path] for path in sorted(entries) if exists(self.root / path)]
        data = {"generator": generator, key: kept}
        self.write(
            name,
            # sort_keys: an entry read back from the cache and one made fresh
            # must give the same bytes, or a no-op build would change the file.
            (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode(),
        )
