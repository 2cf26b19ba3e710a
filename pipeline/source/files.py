"""Files in and out: untrusted text read safely, any file written atomically.

Reading: sheets, translations, clinic and brand files come from many hands,
so size, encoding and file type are checked before anything parses them.
Writing (atomic.py, imported here for callers of atomic_write): every file
the pipeline writes appears in one step, complete and fsync'ed, or not at all.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..errors import InputError
from .atomic import atomic_write, explain_os_error  # noqa: F401 - writing lives in atomic.py

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
