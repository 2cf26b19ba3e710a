"""A content-addressed snapshot of the project files that some jobs need.

Cluster workers share no file system with the client, so the client packs
what rendering reads (org, policy and block files, the brand and its
templates, the jobs' sheets and their images, clinic files for imprints) into
one snapshot named by a SHA-256 over every path and file hash. A worker
unpacks it once under its own scratch folder, checks every byte against the
name, and loads the project from there; a second build with the same files
finds the folder already there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import FactsheetError
from ..source.clinics import clinics_dir, load_clinic
from ..source.model import Project
from .plan import Job

#: Marks a folder whose files were all written and checked.
COMPLETE = ".complete"


def digest_of(files: dict[str, bytes]) -> str:
    listing = [[path, hashlib.sha256(data).hexdigest()] for path, data in sorted(files.items())]
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """Files by project-relative POSIX path, and the digest naming them."""

    digest: str
    files: dict[str, bytes]

    @classmethod
    def of(cls, project: Project, jobs: Iterable[Job]) -> Snapshot:
        """The files rendering ``jobs`` reads (paths as the loader will look them up)."""
        root = project.root
        org = root / "sheets" / "_org"
        wanted = {org / "org.yaml", org / "policy.yaml"}
        for folder in (project.brand_dir, root / "styles" / "templates"):
            wanted.update(path for path in folder.rglob("*") if path.is_file())
        for job in jobs:
            sheet = project.sheet(job.slug, job.lang)
            wanted.add(sheet.path)
            wanted.update(sheet.path.parent / image.src for image in sheet.body.images)
            wanted.add(org / "blocks" / f"{job.lang}.yaml")
            if job.imprint:
                wanted.add(clinics_dir(project) / f"{job.imprint}.yaml")
                clinic = load_clinic(project, job.imprint)
                if clinic.logo:
                    wanted.add(clinics_dir(project) / clinic.logo)
        files = {}
        for path in wanted:
            relative = Path(os.path.normpath(path)).relative_to(root).as_posix()
            try:
                files[relative] = path.read_bytes()
            except FileNotFoundError:
                continue  # optional files (policy.yaml, a language without blocks)
            except OSError as error:
                raise FactsheetError(
                    f"cannot read {relative} for the cluster: {error.strerror}", relative
                ) from None
        return cls(digest_of(files), files)

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    def unpack(self, parent: Path) -> Path:
        """The snapshot as a folder ``parent/<digest>``, written and checked once."""
        root = parent / self.digest
        if (root / COMPLETE).is_file():
            return root
        if digest_of(self.files) != self.digest:
            raise FactsheetError("the project snapshot arrived damaged (its digest differs)")
        parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=parent))
        try:
            for relative, data in self.files.items():
                parts = PurePosixPath(relative).parts
                if PurePosixPath(relative).is_absolute() or ".." in parts:
                    raise FactsheetError(f"the project snapshot names a path outside: {relative}")
                target = temp.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (temp / COMPLETE).touch()
            try:
                os.rename(temp, root)
            except OSError:  # unpacked meanwhile by another build on this worker
                if not (root / COMPLETE).is_file():
                    raise
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        return root
