"""`factsheet site --export DIR`: exactly the public part of the output folder, to upload.

output/ also holds what stays internal (drafts, print-shop copies, one-off
papers, imprints of clinics not published, the build's own state), and a
file left in an uploaded folder is reachable by anyone who guesses its
address. The export holds the catalog pages, the feed and the PDFs they
link to, nothing else. It is assembled beside DIR and swapped in with
renames, so DIR is always a complete export (the previous or the new one),
and a folder that is not an earlier export is never replaced.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import OutputError
from ..source.files import explain_os_error
from .rules import CATALOG, CLINIC, Placement

MARKER = ".factsheet-export"


def export_site(out_dir: Path, written: list[str], placements: list[Placement], dest: Path) -> int:
    """Copy the pages in ``written`` and every public PDF to ``dest``; return the file count."""
    out_dir, dest = out_dir.resolve(), dest.resolve()
    if dest == out_dir or out_dir.is_relative_to(dest):
        raise OutputError(
            "cannot export into the output folder or a folder holding it",
            str(dest),
            hint="choose a separate folder, for example public/",
        )
    if dest.exists() and (
        not dest.is_dir() or (any(dest.iterdir()) and not (dest / MARKER).is_file())
    ):
        raise OutputError(
            "the folder exists and is not an earlier export",
            str(dest),
            hint="choose a new or empty folder; an export replaces the whole folder",
        )
    files = sorted({*written, *(p.pdf.path for p in placements if p.where in (CATALOG, CLINIC))})
    staging = dest.with_name(f".{dest.name}.{os.getpid()}.new")
    previous = dest.with_name(f".{dest.name}.{os.getpid()}.old")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        for relpath in files:
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out_dir / relpath, target)
        (staging / MARKER).write_text("written by factsheet site --export; replaced whole\n")
        if dest.exists():
            dest.rename(previous)
        staging.rename(dest)
        shutil.rmtree(previous, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if previous.exists() and not dest.exists():
            previous.rename(dest)
        raise explain_os_error(error, dest) from None
    return len(files)
