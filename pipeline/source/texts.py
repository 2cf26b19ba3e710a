"""The strings a sheet must show, worked out once for the renderer and the gate.

The template prints these and the PDF checks look for exactly these, so the
two can never drift apart: change a label in blocks/<lang>.yaml and both
follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cldr import format_day, format_hours
from .markdown import plain_text
from .model import Channel, Clinic, Labels, Project, Sheet


def doc_title(sheet: Sheet) -> str:
    front = sheet.front
    return f"{front.series}: {front.title}" if front.series else front.title


def draft_mark(labels: Labels, sheet: Sheet) -> str | None:
    """The mark every page of a sheet that is not approved carries, or None.

    A translation says it is a draft (or a machine) translation; a sheet in its
    source language says only that it is not approved yet.
    """
    front = sheet.front
    if front.approved:
        return None
    if front.status == "machine-translated":
        return labels.machine_translation
    return labels.draft_translation if front.translation_of else labels.draft_sheet


def ident_text(labels: Labels, sheet: Sheet) -> str:
    return f"{labels.sheet_id} {sheet.front.id}, {labels.version} {sheet.front.version}"


@dataclass(frozen=True)
class ChannelText:
    id: str
    label: str
    href: str
    text: str
    hours: tuple[str, ...]


def channel_text(
    channel: Channel, labels: Labels, lang: str, label: str | None = None
) -> ChannelText:
    return ChannelText(
        id=channel.id,
        label=label or getattr(labels, channel.kind),
        href=channel.href,
        text=channel.text,
        hours=tuple(format_hours(channel.hours, labels, lang)),
    )


@dataclass(frozen=True)
class SheetTexts:
    title: str
    doc_title: str
    disclaimer: str
    reviewed: str  # "Last reviewed: March 6, 2026"
    next_review: str
    ident: str
    channels: tuple[ChannelText, ...]
    #: The clinic's own channels on an imprinted copy (none otherwise): the gate
    #: requires them as well as the organisation's.
    clinic_channels: tuple[ChannelText, ...] = ()
    #: "Draft translation: not yet reviewed" on every page, unless approved.
    draft_mark: str | None = None


def sheet_texts(project: Project, sheet: Sheet, clinic: Clinic | None = None) -> SheetTexts:
    blocks = project.blocks[sheet.lang]
    labels = blocks.labels
    clinic_channels = () if clinic is None else clinic.channels
    return SheetTexts(
        title=sheet.front.title,
        doc_title=doc_title(sheet),
        disclaimer=plain_text(blocks.disclaimer),
        reviewed=f"{labels.reviewed}: {format_day(sheet.front.reviewed, sheet.lang)}",
        next_review=f"{labels.next_review}: {format_day(sheet.front.next_review, sheet.lang)}",
        ident=ident_text(labels, sheet),
        channels=tuple(channel_text(c, labels, sheet.lang) for c in project.org.channels),
        clinic_channels=tuple(channel_text(c, labels, sheet.lang) for c in clinic_channels),
        draft_mark=draft_mark(labels, sheet),
    )
