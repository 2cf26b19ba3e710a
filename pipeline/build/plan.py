"""Build jobs: what the command line asks to build (the plan).

A job is (sheet, language, variant, paper, print marks, imprint, QR code);
keys.py says what its PDF depends on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import InputError
from ..render.options import VARIANTS, Options
from ..source.model import Project


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
