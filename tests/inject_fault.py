"""Run `factsheet` with one fault injected at one point: how tests/test_faults.py
simulates a disk that fills, a file system that turns read-only, a permission
that is missing, or a SIGKILL, at any write the command makes.

    FAULT=replace@3=ENOSPC python tests/inject_fault.py build ...
    FAULT=fsync@2=KILL     python tests/inject_fault.py site
    FAULT=count FAULT_COUNTS=counts.json python tests/inject_fault.py new x

A point is the n-th call of one file-system operation that writes: opening a
file for writing, fsync, rename (os.replace), hard link, mkdir, unlink. The
fault either raises OSError with the errno named, as the kernel would, or
kills the process with SIGKILL before the call. ``count`` runs undisturbed and
records how many calls of each operation the command made, so that a test can
visit every point. Reads are never disturbed. Worker processes are not
patched: tests run with --jobs 1.
"""

from __future__ import annotations

import atexit
import builtins
import errno
import io
import json
import os
import signal
import sys

SPEC = os.environ.get("FAULT", "count")
COUNTS: dict[str, int] = {}

if SPEC == "count":
    TARGET, NUMBER, ACTION = None, 0, None
else:
    point, ACTION = SPEC.split("=")
    TARGET, number = point.split("@")
    NUMBER = int(number)
#: ``open:.factsheet/@1=ENOSPC``: count only calls on paths holding that text (a
#: library's own best-effort cache writes in the project are not the point).
TARGET, _, FRAGMENT = (TARGET or "").partition(":")
TARGET = TARGET or None


def _strike(op: str, path) -> None:
    if FRAGMENT and op == TARGET and FRAGMENT not in os.fspath(path or ""):
        return
    COUNTS[op] = COUNTS.get(op, 0) + 1
    if op != TARGET or COUNTS[op] != NUMBER:
        return
    if ACTION == "KILL":
        os.kill(os.getpid(), signal.SIGKILL)
    code = getattr(errno, ACTION)
    raise OSError(code, os.strerror(code), os.fspath(path) if path is not None else None)


#: Only writes inside the project (the working folder) count: libraries may
#: write their own caches and temp files elsewhere.
PROJECT = os.path.realpath(os.getcwd())


def _ours(path) -> bool:
    if isinstance(path, int):
        return True  # fsync(fd): only our code calls it
    if not isinstance(path, (str, os.PathLike)):
        return False
    return os.path.realpath(os.path.abspath(os.fspath(path))).startswith(PROJECT + os.sep)


def _wrap(op: str, function, writes=lambda *args, **kwargs: True):
    def wrapper(*args, **kwargs):
        if args and _ours(args[0]) and writes(*args, **kwargs):
            _strike(op, args[0] if not isinstance(args[0], int) else None)
        return function(*args, **kwargs)

    return wrapper


def _writing(file, mode="r", *args, **kwargs) -> bool:
    return any(c in mode for c in "wxa+")


def _os_open_writing(path, flags, *args, **kwargs) -> bool:
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


_open = _wrap("open", builtins.open, _writing)
builtins.open = _open
io.open = _open
os.open = _wrap("open", os.open, _os_open_writing)
os.fsync = _wrap("fsync", os.fsync)
os.replace = _wrap("replace", os.replace)
os.rename = _wrap("replace", os.rename)
os.link = _wrap("link", os.link)
os.mkdir = _wrap("mkdir", os.mkdir)
os.unlink = _wrap("unlink", os.unlink)


@atexit.register
def _record() -> None:
    target = os.environ.get("FAULT_COUNTS")
    if target:
        with io.FileIO(target, "w") as handle:  # not the patched open
            handle.write(json.dumps(COUNTS).encode())


if __name__ == "__main__":
    from pipeline.commands.main import main

    sys.argv = ["factsheet", *sys.argv[1:]]
    main()
