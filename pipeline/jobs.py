"""Build jobs: what to build (the plan) and a job's key (what its output depends on).

A job is (sheet, language, variant, paper, print marks, imprint, QR code). Its key is a
SHA-256 over every input its PDF depends on, so an unchanged job can be skipped
with confidence and a changed input always rebuilds exactly the jobs using it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from . import __version__
from .errors import InputError
from .imprint import load_clinic
from .model import Project, Sheet
from .render import VARIANTS, Options, font_stack


@dataclass(frozen=True, order=True)
class Job:
    slug: str
    lang: str
    variant: str = "standard"
    paper: str = "letter"
    print_marks: bool = False
    imprint: str | None = None
    qr: bool = False  # print-mark copies always carry the QR code

    def options(self, draft_band: bool = False) -> Options:
        return Options(
            variant=self.variant,
            paper=self.paper,
            draft_band=draft_band,
            print_marks=self.print_marks,
            imprint=self.imprint,
            qr=self.qr or self.print_marks,
        )

    def relpath(self, default_paper: str) -> str:
        """Where the PDF is published, relative to the output folder."""
        name = self.slug
        if self.variant != "standard":
            name += f".{self.variant}"
        if self.paper != default_paper:
            name += f".{self.paper}"
        if self.print_marks:
            name += ".print"
        elif self.qr:
            name += ".qr"  # never replaces the online copy the code points to
        folder = f"imprints/{self.imprint}/{self.lang}" if self.imprint else self.lang
        return f"{folder}/{name}.pdf"

    @property
    def label(self) -> str:
        extras = [
            x
            for x in (
                self.variant if self.variant != "standard" else "",
                self.paper,
                "print" if self.print_marks else "",
                "qr" if self.qr and not self.print_marks else "",
                self.imprint or "",
            )
            if x
        ]
        return f"{self.slug} [{self.lang}] ({', '.join(extras)})"


def plan(
    project: Project,
    slugs: list[str] | None = None,
    langs: list[str] | None = None,
    variants: list[str] | None = None,
    papers: list[str] | None = None,
    print_marks: bool = False,
    imprint: str | None = None,
    qr: bool = False,
) -> list[Job]:
    """Every job the command line asks for, in a stable order."""
    known = project.slugs
    for slug in slugs or []:
        if slug not in known:
            close = difflib.get_close_matches(slug, known, n=1)
            raise InputError(
                f"no sheet '{slug}'",
                "sheets/",
                hint=f"did you mean '{close[0]}'?"
                if close
                else f"known sheets: {', '.join(known)}",
            )
    for variant in variants or []:
        if variant not in VARIANTS:
            raise InputError(
                f"unknown variant '{variant}'", hint=f"variants: {', '.join(VARIANTS)}"
            )
    chosen = slugs or known
    jobs = []
    for slug in chosen:
        for lang in project.languages_of(slug):
            if langs and lang not in langs:
                continue
            for variant in variants or ["standard"]:
                for paper in papers or [project.org.default_paper]:
                    jobs.append(Job(slug, lang, variant, paper, print_marks, imprint, qr))
    if langs:
        available = {job.lang for job in jobs}
        missing = [lang for lang in langs if lang not in available]
        if missing:
            raise InputError(
                f"no selected sheet exists in {', '.join(missing)}",
                "sheets/",
                hint="`factsheet list` shows the languages of each sheet",
            )
    return sorted(jobs)


# -- keys -----------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


@lru_cache(maxsize=64)
def _font_files(family: str) -> str:
    """The font file fontconfig picks for a family, with its size: fonts are inputs too."""
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, timeout=10
        )
        path = Path(result.stdout.strip())
        return f"{path}:{path.stat().st_size}" if path.is_file() else f"?{family}"
    except (OSError, subprocess.SubprocessError):
        return f"?{family}"


@lru_cache(maxsize=1)
def _versions() -> str:
    """Versions that shape the output, read from package metadata: importing
    WeasyPrint just to learn its version would cost a no-op build half a second."""
    from importlib.metadata import version

    return f"factsheet {__version__}; weasyprint {version('weasyprint')}; pypdf {version('pypdf')}"


def template_files(project: Project, name: str = "sheet.html.j2") -> list[Path]:
    """The files that shape every sheet of a brand: its template, CSS, logo, brand.yaml."""
    for folder in (project.brand_dir / "templates", project.root / "styles" / "templates"):
        if (folder / name).is_file():
            template = folder / name
            break
    else:
        template = project.root / "styles" / "templates" / name
    brand_files = sorted(
        p for p in project.brand_dir.rglob("*") if p.is_file() and "templates" not in p.parts
    )
    return [template, *brand_files]


def job_key(project: Project, sheet: Sheet, job: Job) -> str:
    """SHA-256 over everything the job's PDF depends on."""
    root = project.root
    org_dir = root / "sheets" / "_org"
    parts: dict[str, str] = {
        "versions": _versions(),
        "job": json.dumps(asdict(job), sort_keys=True),
        "sheet": hashlib.sha256(sheet.source_text.encode()).hexdigest(),
        "catalog": ",".join(project.slugs),  # sheet: links are checked against it
        "org": _file_digest(org_dir / "org.yaml"),
        "policy": _file_digest(org_dir / "policy.yaml"),
        "blocks": _file_digest(org_dir / "blocks" / f"{sheet.lang}.yaml"),
        "fonts": ";".join(_font_files(f) for f in font_stack(project, sheet.lang)),
    }
    if job.imprint:
        parts["imprint"] = _file_digest(org_dir / "clinics" / f"{job.imprint}.yaml")
        clinic = load_clinic(project, job.imprint)
        if clinic.logo:
            parts["imprint-logo"] = _file_digest(org_dir / "clinics" / clinic.logo)
    if job.qr or job.print_marks:
        import segno

        parts["qr"] = f"segno {segno.__version__}"  # the code's modules are drawn by segno
    for path in template_files(project):
        parts[f"style:{path.relative_to(root)}"] = _file_digest(path)
    for image in sheet.body.images:
        parts[f"image:{image.src}"] = _file_digest(sheet.path.parent / image.src)
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode())
    return digest.hexdigest()
