"""output/manifest.json as the catalog reads it: checked before anything links to it.

The manifest is the single source for the catalog pages and the feed. It is
checked here because a page for clinics must never link to a file that is
gone, lies outside the output folder, or no longer has the bytes (sha256)
that the feed announces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import OutputError
from ..source.catalog import CLINIC_ID
from ..source.langtag import check_language_tag

HINT = "run `factsheet build` again to publish the PDFs and rewrite manifest.json"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Pdf(BaseModel):
    """One published PDF, as build/engine.py (manifest_entry) wrote it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    path: str
    sha256: str
    size: int
    pages: int
    slug: str
    sheet_id: str
    title: str
    series: str | None = None
    summary: str | None = None
    keywords: list[str] = []
    version: str
    lang: str
    variant: str
    paper: str
    print_marks: bool = False
    imprint: str | None = None
    qr: bool = False  # an office copy with a QR code (<slug>.qr.pdf)
    status: str
    draft_band: bool = False
    reviewed: dt.date
    next_review: dt.date

    _lang = field_validator("lang")(check_language_tag)

    @field_validator("imprint")
    @classmethod
    def _clinic(cls, value: str | None) -> str | None:
        """A clinic id names files and pages: nothing but the id's own characters."""
        if value is not None and not CLINIC_ID.match(value):
            raise ValueError(f"'{value}' is not a clinic id")
        return value

    @property
    def unapproved(self) -> bool:
        """Not approved (a draft, in review, machine translated ...): never looks final."""
        return self.status != "approved"


def read_manifest(out_dir: Path) -> list[Pdf]:
    """The published PDFs listed in ``out_dir``/manifest.json, sorted by path."""
    shown = str(out_dir / "manifest.json")
    try:
        data = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(
            "no manifest.json: nothing has been built here", shown, hint=HINT
        ) from None
    except (OSError, ValueError) as error:
        raise OutputError(f"cannot read manifest.json: {error}", shown, hint=HINT) from None
    entries = data.get("pdfs") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise OutputError("manifest.json lists no published PDFs", shown, hint=HINT)
    pdfs = []
    for index, entry in enumerate(entries):
        try:
            pdf = Pdf.model_validate(entry)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise OutputError(
                f"pdfs[{index}].{where}: {problem['msg']}", shown, hint=HINT
            ) from None
        _check_file(out_dir, pdf, shown)
        pdfs.append(pdf)
    return sorted(pdfs, key=lambda pdf: pdf.path)


def _check_file(out_dir: Path, pdf: Pdf, shown: str) -> None:
    """The entry names a PDF inside the output folder with the bytes it says it has."""
    path = PurePosixPath(pdf.path)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".pdf":
        raise OutputError(f"'{pdf.path}' is not a PDF inside the output folder", shown, hint=HINT)
    if not SLUG.match(pdf.slug):
        raise OutputError(f"'{pdf.slug}' is not a sheet slug", shown, hint=HINT)
    try:
        data = (out_dir / path).read_bytes()
    except OSError:
        raise OutputError(f"'{pdf.path}' is listed but missing", shown, hint=HINT) from None
    if len(data) != pdf.size or hashlib.sha256(data).hexdigest() != pdf.sha256:
        raise OutputError(f"'{pdf.path}' changed after it was built", shown, hint=HINT)
