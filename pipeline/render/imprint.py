"""The "Your clinic" box of an imprinted copy, as the template prints it."""

from __future__ import annotations

from ..source.clinics import clinics_dir
from ..source.model import Clinic, Project
from ..source.texts import ChannelText


def logo_url(project: Project, clinic_id: str, clinic: Clinic) -> str | None:
    """The file URL of the clinic's logo (checked by load_clinic), for the template."""
    if clinic.logo is None:
        return None
    return (clinics_dir(project) / clinic.logo).resolve().as_uri()


def imprint_context(
    project: Project, clinic_id: str, clinic: Clinic, channels: tuple[ChannelText, ...]
) -> dict:
    """What the template's "Your clinic" box prints.

    ``channels`` are SheetTexts.clinic_channels: the very strings the gate looks for.
    """
    return {
        "id": clinic_id,
        "name": clinic.name,
        "address": clinic.address,
        "logo_url": logo_url(project, clinic_id, clinic),
        "channels": channels,
    }
