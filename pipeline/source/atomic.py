"""Writing files so that a reader only ever sees the old state or the new one.

One file: a complete, fsync'ed temp file renamed over the target (rename is
atomic on POSIX file systems). Several files that belong together (PDFs and
the manifest that lists them; catalog pages and their record; a translated
sheet, its blocks and its source snapshot) go through a Transaction:

1. stage: each new file is written complete and fsync'ed into a temp folder
   on the same file system (output/.factsheet/tmp/); nothing visible changes;
2. prepare: every file about to be replaced gets a hard link in the temp
   folder (its old bytes, for free), and a journal naming every step is
   written atomically;
3. apply: the renames, then an fsync of every folder touched;
4. commit: the journal is deleted. That unlink is the moment the new state
   becomes the state.

A failure in 1-2 (a full disk, a read-only folder) leaves nothing changed. A
failure in 3 is undone at once from the hard links. A process killed in 3
(SIGKILL, power loss) leaves its journal behind, and the next process that
opens the folder (recover) undoes it the same way: the previous state,
complete. Temp files carry their writer's process id, so a cleaner never
deletes the files of a writer that is still alive.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import uuid
from pathlib import Path

from ..errors import OutputError

#: The tool's own folder inside an output folder: lock, temp files, journals, cache.
STATE = ".factsheet"
JOURNAL_PREFIX = "journal-"


def explain_os_error(error: OSError, path: Path | str, action: str = "write") -> OutputError:
    """An OSError as a user-facing line: what happened to which file, and what to do."""
    reasons = {
        errno.EROFS: ("the file system is read-only", "make it writable, or use another folder"),
        errno.EACCES: ("permission denied", "check the folder's permissions, or use another one"),
        errno.EPERM: ("operation not permitted", "check the folder's permissions"),
        errno.ENOSPC: ("the disk is full", "free some space; nothing was half-written"),
        errno.EDQUOT: ("the disk quota is exceeded", "free some space; nothing was half-written"),
        errno.EXDEV: (
            "it lies on another file system than the output folder",
            "do not link folders inside output/ to other disks; copy the output instead",
        ),
    }
    message, hint = reasons.get(error.errno, (error.strerror or type(error).__name__, None))
    return OutputError(f"cannot {action}: {message}", str(error.filename or path), hint=hint)


def temp_name(label: str = "") -> str:
    """A temp file name no other writer uses; it starts with our process id (see clean_temp)."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}{label}"


def write_complete(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file and fsync it: complete on disk before anyone renames it."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write(target: Path, data: bytes, temp_dir: Path | None = None) -> Path:
    """Replace one file in one step (``temp_dir`` must be on the target's file system).

    Without ``temp_dir`` the temp file sits beside the target as a hidden file.
    """
    folder = temp_dir or target.parent
    temp = folder / (temp_name(".tmp") if temp_dir else f".{target.name}.{temp_name('.tmp')}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_complete(temp, data)
        os.replace(temp, target)
    except OSError as error:
        _unlink_quietly(temp)
        raise explain_os_error(error, target) from None
    return target


def same_file_system(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def clean_temp(tmp: Path) -> None:
    """Delete temp files left by writers that are no longer running."""
    try:
        leftovers = list(tmp.iterdir())
    except OSError:
        return
    for leftover in leftovers:
        if not _alive(leftover.name.split("-", 1)[0]):
            _unlink_quietly(leftover)


def _alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # ours, from an earlier run with the same id, or about to be replaced
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


class Transaction:
    """Files written, replaced and removed together, or not at all (see the module docstring).

    ``state`` holds tmp/ and the journal and must be on the same file system as
    every target. Targets are absolute paths.
    """

    def __init__(self, state: Path) -> None:
        self.state = state
        self.tmp = state / "tmp"
        self.staged: dict[Path, Path] = {}  # target -> complete temp file
        self.removals: list[Path] = []

    # -- staging ------------------------------------------------------------

    def write(self, target: Path, data: bytes) -> Path:
        """Stage ``data`` for ``target``; visible only after commit().

        A file that already holds exactly ``data`` is left alone (a no-op build
        changes nothing, and needs no free space).
        """
        if target not in self.staged and target not in self.removals and _holds(target, data):
            return target
        temp = self.tmp / temp_name(".new")
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_complete(temp, data)
        except OSError as error:
            _unlink_quietly(temp)
            raise explain_os_error(error, target) from None
        previous = self.staged.pop(target, None)
        if previous is not None:
            _unlink_quietly(previous)
        self.staged[target] = temp
        return target

    def remove(self, target: Path) -> None:
        """Remove ``target`` at commit() (only if it is a file then)."""
        self.staged.pop(target, None)
        self.removals.append(target)

    def staged_data(self, target: Path) -> bytes | None:
        temp = self.staged.get(target)
        return temp.read_bytes() if temp is not None else None

    def will_exist(self, target: Path) -> bool:
        if target in self.staged:
            return True
        return target not in self.removals and target.is_file()

    # -- commit ---------------------------------------------------------------

    def commit(self) -> None:
        """Publish every staged change at once; on failure nothing has changed."""
        steps = []
        journal = self.state / f"{JOURNAL_PREFIX}{temp_name('.json')}"
        try:
            for target, temp in self.staged.items():
                steps.append(
                    {
                        "op": "replace",
                        "target": str(target),
                        "temp": str(temp),
                        **self._backup(target),
                    }
                )
            for target in self.removals:
                if target.is_file() and not target.is_symlink():
                    backup = self.tmp / temp_name(".old")
                    steps.append({"op": "remove", "target": str(target), "backup": str(backup)})
            if not steps:
                return
            record = json.dumps({"steps": steps}).encode()
            atomic_write(journal, record, self.tmp)
            _fsync_folder(self.state)
        except (OSError, OutputError) as error:
            _discard(steps)
            self.abort()
            if isinstance(error, OutputError):
                raise
            raise explain_os_error(error, self.state) from None
        done = None
        try:
            for step in steps:
                done = Path(step["target"])
                if step["op"] == "replace":
                    os.replace(step["temp"], step["target"])
                else:
                    os.replace(step["target"], step["backup"])
            for folder in sorted({Path(step["target"]).parent for step in steps}):
                _fsync_folder(folder)
        except OSError as error:
            try:
                undo(steps)
                _discard(steps)
                _unlink_quietly(journal)
            except OSError:
                pass  # the journal stays: the next run (recover) undoes the rest
            self.abort()
            raise explain_os_error(error, done or self.state) from None
        try:
            journal.unlink()  # the commit point
        except OSError as error:
            # Not committed: put the old files back now rather than at the next run.
            with contextlib.suppress(OSError):
                undo(steps)
                _discard(steps)
                journal.unlink()
            self.abort()
            raise explain_os_error(error, self.state) from None
        _fsync_folder(self.state)
        _discard(steps)
        self.staged.clear()
        self.removals.clear()

    def abort(self) -> None:
        """Forget every staged change; delete the temp files."""
        for temp in self.staged.values():
            _unlink_quietly(temp)
        self.staged.clear()
        self.removals.clear()

    def _backup(self, target: Path) -> dict:
        """A hard link to the file about to be replaced (its old bytes), if there is one."""
        if not target.is_file():
            return {"backup": None}
        backup = self.tmp / temp_name(".old")
        try:
            os.link(target, backup)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK):
                raise
            shutil.copy2(target, backup)  # a file system without hard links
        return {"backup": str(backup)}


def undo(steps: list[dict]) -> None:
    """Put back what a journal's steps replaced or removed (any that already ran)."""
    for step in reversed(steps):
        target, backup = Path(step["target"]), step.get("backup")
        if step["op"] == "replace":
            if backup and os.path.exists(backup):
                os.replace(backup, target)
            elif not backup and not os.path.exists(step["temp"]):
                _unlink_quietly(target)  # it was new: the rename ran, so take it away
        elif backup and os.path.exists(backup) and not target.exists():
            os.replace(backup, target)


def _discard(steps: list[dict]) -> None:
    for step in steps:
        for key in ("temp", "backup"):
            if step.get(key):
                _unlink_quietly(Path(step[key]))


def recover(state: Path) -> bool:
    """Undo the commits that a killed process left half-done in ``state``; True if any."""
    found = False
    if not state.is_dir():
        return False
    for journal in sorted(state.glob(f"{JOURNAL_PREFIX}*.json")):
        if _alive(journal.name[len(JOURNAL_PREFIX) :].split("-", 1)[0]):
            continue
        try:
            steps = json.loads(journal.read_text(encoding="utf-8"))["steps"]
        except (OSError, ValueError, KeyError, TypeError):
            steps = []  # written atomically, so unreadable means never completed
        try:
            undo(steps)
            _discard(steps)
            journal.unlink()
        except OSError as error:
            raise explain_os_error(error, journal, "recover an interrupted build") from None
        found = True
    return found


def _fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename still happened
    finally:
        os.close(fd)


def write_files(files: dict[Path, bytes], state: Path) -> list[Path]:
    """Write several files outside a locked output folder together (new, import, bundle --out).

    The temp files and the journal go to ``state`` (the project's
    output/.factsheet/) when the output folder exists and shares the files'
    file system; otherwise to a hidden .factsheet folder beside the first file,
    removed afterwards (no output folder is made just for this).
    """
    if not files:
        return []
    first = next(iter(files))
    try:
        first.parent.mkdir(parents=True, exist_ok=True)
        usable = state.parent.is_dir()
        if usable:
            (state / "tmp").mkdir(parents=True, exist_ok=True)
            usable = all(same_file_system(state, target.parent) for target in files)
    except OSError:
        usable = False
    if not usable:
        state = first.parent / ".factsheet"
    recover(state)
    changes = Transaction(state)
    try:
        for target, data in files.items():
            changes.write(target, data)
        changes.commit()
    finally:
        changes.abort()
    if not usable:
        with contextlib.suppress(OSError):
            (state / "tmp").rmdir()
            state.rmdir()
    return list(files)
