"""`factsheet imprint CLINIC.yaml`: add a clinic from the file it sent, with a preview PDF.

A clinic describes itself in one YAML file (name, address, phone and email
with hours, optionally a logo beside it) and sends it to the coordinator,
who should not have to edit the repository by hand. The file comes from
outside, so it is read like every other untrusted input (size, encoding,
safe YAML, file:line errors) and its logo is checked like a sheet image.
The clinic is then copied into sheets/_org/clinics/ byte for byte, one
sheet is rendered with its box and put through the compliance gate (which
requires the clinic's numbers and hours in the PDF), and the preview PDF is
written outside the manifest. All of that happens in a staged copy of the
few files one sheet needs: the project only changes, by atomic writes, once
everything passed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.registry import Finding, has_errors
from ..errors import CheckFailed, InputError
from ..source.atomic import STATE, same_file_system, write_files
from ..source.clinics import CLINIC_ID, clinics_dir
from ..source.files import atomic_write, read_text
from ..source.images import check_image
from ..source.loader import load_project
from ..source.model import Clinic, Project
from ..source.yamlfile import parse_yaml, validate
from .executor import Task
from .output import OutputFolder
from .plan import Job
from .worker import render_task

PREVIEWS = "previews"
LOGO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass
class Intake:
    """What `factsheet imprint` did (or would have done, with ``keep`` false)."""

    clinic_id: str
    clinic: Clinic
    added: list[str]  # project files written, relative to the project
    preview: Path | None
    findings: list[Finding] = field(default_factory=list)


def read_clinic_file(path: Path, shown: str, project: Project) -> Clinic:
    """The clinic's file, validated; its logo, if any, must lie beside it and be an image."""
    limit = project.policy.limits.max_sheet_bytes
    data, lines = parse_yaml(read_text(path, shown, limit), shown)
    if data is not None and not isinstance(data, dict):
        raise InputError("a clinic file must be a mapping of keys to values", shown, 1)
    clinic = validate(Clinic, data, shown, lines, "clinic")
    if clinic.logo is not None:
        line = lines.get(("logo",), 1)
        if not LOGO_NAME.match(clinic.logo):
            raise InputError(
                f"logo '{clinic.logo}' is not a plain file name",
                shown,
                line,
                hint="put the logo next to the clinic's file and write only its name",
            )
        if (path.parent / clinic.logo).is_symlink():
            raise InputError(
                f"logo '{clinic.logo}' is a symbolic link",
                shown,
                line,
                hint="send the image file itself",
            )
        check_image(path.parent / clinic.logo, clinic.logo, shown, line, project.policy)
    return clinic


def clinic_id_for(path: Path, given: str | None) -> str:
    clinic_id = given or path.stem
    if not CLINIC_ID.match(clinic_id):
        raise InputError(
            f"'{clinic_id}' cannot be a clinic id",
            str(path),
            hint="ids are lower-case letters, digits and hyphens; choose one with --id",
        )
    return clinic_id


def add_clinic(
    root: Path,
    path: Path,
    out_dir: Path,
    clinic_id: str | None = None,
    slug: str | None = None,
    lang: str | None = None,
    replace: bool = False,
    keep: bool = True,
) -> Intake:
    """Check the clinic's file, render a preview through the gate, then add it to the project.

    The preview is rendered in a staged copy of the project's org files, the
    preview sheet and styles/, so the project itself changes only once
    everything passed (and never with ``keep`` false: a check of the file only).
    """
    shown = str(path)
    project = load_project(root)
    clinic_id = clinic_id_for(path, clinic_id)
    clinic = read_clinic_file(path, shown, project)
    folder = clinics_dir(project)
    target = folder / f"{clinic_id}.yaml"
    if target.exists() and not replace:
        raise InputError(
            f"a clinic '{clinic_id}' already exists",
            str(target.relative_to(root)),
            hint="pass --replace to update it, or --id to add it under another id",
        )
    copies = {}  # the logo first: a clinic file never names a logo not yet there
    if clinic.logo is not None:
        logo = folder / clinic.logo
        data = (path.parent / clinic.logo).read_bytes()
        if logo.exists() and logo.read_bytes() != data and not _own_logo(target, clinic.logo):
            raise InputError(
                f"another file named '{clinic.logo}' is already in sheets/_org/clinics/",
                shown,
                hint=f"rename the logo, for example to {clinic_id}-logo{Path(clinic.logo).suffix}",
            )
        copies[logo] = data
    copies[target] = path.read_bytes()
    slug, lang = _preview_sheet(project, slug, lang)
    relpath = f"{PREVIEWS}/imprint-{clinic_id}.{slug}.{lang}.pdf"
    with tempfile.TemporaryDirectory(prefix="factsheet-imprint-") as temp:
        stage = _stage(root, Path(temp), slug)
        for file, data in copies.items():
            atomic_write(stage / file.relative_to(root), data)
        staged = load_project(stage)  # the clinic as the build will see it (logo included)
        job = Job(slug, lang, paper=staged.org.default_paper, imprint=clinic_id)
        outcome = render_task(staged, Task(0, job, relpath, source=shown))
    if "error" in outcome:
        raise CheckFailed(outcome["error"], path=shown)
    findings = outcome["findings"]
    if has_errors(findings):
        first = next(f for f in findings if f.severity == "error")
        raise CheckFailed(
            f"the preview of {slug} [{lang}] with this clinic fails the checks: "
            f"{first.message} [{first.rule}]",
            findings=findings,
            path=shown,
            hint="fix the clinic's file (shorter texts, fewer channels) and run again",
        )
    together = keep and same_file_system(out_dir.parent, root)
    with OutputFolder(out_dir) as output:
        preview = output.write(relpath, outcome["pdf"])
        if together:  # the clinic's files and the preview: all of them or none
            for file, data in copies.items():
                output.changes.write(file, data)
    if keep and not together:  # another disk: the clinic's file and logo together
        write_files(copies, root / "output" / STATE)
    added = [str(file.relative_to(root)) for file in copies] if keep else []
    return Intake(clinic_id, clinic, added, preview, findings)


def _stage(root: Path, stage: Path, slug: str) -> Path:
    """A project holding only what one imprinted sheet needs: org files, the sheet, styles."""
    shutil.copytree(root / "styles", stage / "styles", symlinks=True)
    shutil.copytree(root / "sheets" / "_org", stage / "sheets" / "_org", symlinks=True)
    shutil.copytree(root / "sheets" / slug, stage / "sheets" / slug, symlinks=True)
    return stage


def _own_logo(target: Path, logo: str) -> bool:
    """The clinic being replaced already uses a logo of that name."""
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(re.search(rf"(?m)^logo:\s*['\"]?{re.escape(logo)}['\"]?\s*(#.*)?$", text))


def _preview_sheet(project: Project, slug: str | None, lang: str | None) -> tuple[str, str]:
    lang = lang or project.org.default_lang
    candidates = [slug] if slug else project.slugs
    for candidate in candidates:
        if (candidate, lang) in project.sheets:
            return candidate, lang
    what = f"sheet '{slug}'" if slug else "sheet"
    raise InputError(
        f"no {what} in {lang} to preview the clinic on",
        "sheets/",
        hint="choose one with --sheet SLUG and --lang LANG (`factsheet list` shows them)",
    )
