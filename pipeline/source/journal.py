"""Several files under sheets/ written as one change: all of them, or none.

A translation import writes a sheet, its source snapshot, and maybe the
language's shared blocks and their snapshot. A reader must never see the new
sheet with the old snapshot, so the files are written the way a database
commits (write-ahead journal, redo on recovery):

1. each new file is written complete and fsync'ed in a staging folder,
   ``.factsheet/import/<id>/`` at the project root (never inside sheets/);
2. the list of files is written, fsync'ed and renamed to ``journal.json``:
   that rename is the commit, and nothing under sheets/ has changed yet;
3. each staged file is renamed over its target (rename is atomic on POSIX);
4. the staging folder goes.

A kill before step 2 leaves the old set (the next run drops the staging
folder); a kill after it leaves a journal that the next run of any command
replays before reading sheets/ (``finish_interrupted``, called by the loader),
so every reader sees the new set. Replaying is idempotent.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from ..errors import InputError
from .files import explain_os_error

STAGING = Path(".factsheet") / "import"
JOURNAL = "journal.json"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def _locked(root: Path):
    """One writer (or recovery) at a time per project."""
    folder = root / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / "import.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _apply(root: Path, stage: Path) -> None:
    """Move a committed change's files into place (again, if it was interrupted)."""
    entries = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))["files"]
    for entry in entries:
        target = root / entry["target"]
        staged = stage / entry["staged"]
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            _fsync_dir(target.parent)
    (stage / JOURNAL).unlink()
    shutil.rmtree(stage)
    _fsync_dir(stage.parent)


def _recover(root: Path, folder: Path) -> None:
    for stage in sorted(p for p in folder.iterdir() if p.is_dir()):
        if (stage / JOURNAL).is_file():
            _apply(root, stage)
        else:  # never committed: the old files are all still in place
            shutil.rmtree(stage)


def finish_interrupted(root: Path) -> None:
    """Complete (or drop, if uncommitted) an import that was killed half way."""
    folder = root / STAGING
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    try:
        with _locked(root) as folder:
            _recover(root, folder)
    except (OSError, ValueError, KeyError) as error:
        raise InputError(
            f"an interrupted import in {STAGING} cannot be finished: {error}",
            str(folder),
            hint="run factsheet again where it may write to the project; "
            "if the folder is damaged, delete it (the last import is then lost)",
        ) from None


def write_together(root: Path, files: dict[Path, bytes]) -> list[Path]:
    """Write ``files`` (absolute paths under ``root``/sheets) as one atomic change."""
    sheets = (root / "sheets").resolve()
    for path in files:
        if not path.resolve().is_relative_to(sheets):
            raise InputError("refusing to write outside sheets/", str(path))
    stage = None
    committed = False
    try:
        with _locked(root) as folder:
            _recover(root, folder)
            stage = folder / uuid.uuid4().hex
            stage.mkdir()
            entries = []
            for number, (path, data) in enumerate(files.items()):
                _write(stage / str(number), data)
                entries.append(
                    {
                        "target": str(path.relative_to(root)),
                        "staged": str(number),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            _write(stage / f"{JOURNAL}.tmp", json.dumps({"files": entries}).encode())
            os.replace(stage / f"{JOURNAL}.tmp", stage / JOURNAL)  # the commit
            committed = True
            _fsync_dir(stage)
            _apply(root, stage)
    except OSError as error:
        if stage is not None and not committed:
            shutil.rmtree(stage, ignore_errors=True)  # nothing under sheets/ was touched
        raise explain_os_error(error, root / "sheets") from None
    return list(files)
