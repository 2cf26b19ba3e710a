"""Clinics: who hands the sheets out, and their own box ("Your clinic") on imprints.

A clinic is described once in sheets/_org/clinics/<id>.yaml (name, address,
phone and email with hours, an optional logo beside it). The organisation's
helpline and disclaimer stay on every imprinted sheet; the clinic's box is
added (render/imprint.py), and the compliance gate then requires the clinic's
numbers and hours in the PDF as well as the organisation's.

A clinic is read and checked once per loaded project (Project.derived): the
contact checks ask for every clinic for every sheet, and a build of a catalog
with many clinics would otherwise parse each clinic file again for each sheet.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import FactsheetError, InputError
from .catalog import CLINIC_ID
from .loader import Loader
from .model import Clinic, Project

#: Document-info key naming the clinic of an imprinted PDF: the gate reads it back.
IMPRINT_KEY = "FactsheetImprint"


def clinics_dir(project: Project) -> Path:
    return project.root / "sheets" / "_org" / "clinics"


def known_clinics(project: Project) -> list[str]:
    def listed() -> list[str]:
        folder = clinics_dir(project)
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    return list(project.derived("clinics", listed))


def clinic_path(project: Project, clinic_id: str) -> Path:
    """The clinic's file; an unknown or malformed id is an error naming the known ones."""
    known = known_clinics(project)
    if not CLINIC_ID.match(clinic_id) or clinic_id not in known:
        close = difflib.get_close_matches(clinic_id, known, n=1)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif known:
            hint = f"known clinics: {', '.join(known)}"
        else:
            hint = "describe the clinic in sheets/_org/clinics/<id>.yaml"
        raise InputError(f"no clinic '{clinic_id}'", "sheets/_org/clinics/", hint=hint)
    return clinics_dir(project) / f"{clinic_id}.yaml"


def load_clinic(project: Project, clinic_id: str) -> Clinic:
    """Load and check a clinic (its logo too); errors name the file and line.

    Once per project: a clinic that does not load gives the same error each time
    it is asked for, without being read again."""

    def attempt() -> Clinic | FactsheetError:
        try:
            path = clinic_path(project, clinic_id)
            return Loader(project.root).load_clinic(path, project.policy)[0]
        except FactsheetError as error:
            return error

    outcome = project.derived(f"clinic:{clinic_id}", attempt)
    if isinstance(outcome, FactsheetError):
        raise outcome.with_traceback(None)
    return outcome
