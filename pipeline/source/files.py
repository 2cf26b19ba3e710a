"""Files in and out: untrusted text read safely, any file written atomically.

Reading: sheets, translations, clinic and brand files come from many hands,
so size, encoding and file type are checked before anything parses them.
Writing: every file the pipeline writes (PDFs, manifests, imported
translations, new sheets) appears in one step, complete and fsync'ed, or not
at all.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from pathlib import Path

from ..errors import InputError, OutputError

#: Default size limits; policy.yaml may lower or raise them.
MAX_TEXT_BYTES = 1_000_000


def read_text(path: Path, display: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file (BOM and CRLF accepted), refusing huge or binary files."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", display) from None
    if not path.is_file():
        # A folder, a FIFO or a device named like a sheet: reading it fails or never ends.
        raise InputError("not a regular file", display, hint="source files are plain text files")
    if size > max_bytes:
        raise InputError(
            f"file is {size:,} bytes, over the limit of {max_bytes:,}",
            display,
            hint="split the sheet, or raise limits.max_sheet_bytes in policy.yaml",
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", display) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x})",
            display,
            line,
            hint="save the file as UTF-8",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("file contains a NUL character", display, line, hint="is it a text file?")
    # NFC: a translator's editor may write decomposed Vietnamese or Korean; the
    # renderer, the checks and the fonts all expect composed characters.
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def atomic_write(target: Path, data: bytes, temp: Path | None = None) -> Path:
    """Write a file in one step: a complete, fsync'ed temp file, then a rename.

    ``temp`` must be on the same file system (default: beside the target).
    """
    temp = temp or target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise explain_os_error(error, target) from None
    return target


def explain_os_error(error: OSError, path: Path) -> OutputError:
    reasons = {
        errno.EROFS: ("the output folder is read-only", "choose another folder with --out"),
        errno.EACCES: ("permission denied", "check the folder's permissions or use --out"),
        errno.ENOSPC: ("the disk is full", "free some space; nothing was half-written"),
        errno.EDQUOT: ("the disk quota is exceeded", "free some space; nothing was half-written"),
    }
    message, hint = reasons.get(error.errno, (error.strerror or str(error), None))
    return OutputError(f"cannot write: {message}", str(path), hint=hint)
