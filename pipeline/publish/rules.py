"""Publication rules: which built PDFs the public catalog and feed may list.

output/ holds every PDF anyone built: print-shop copies with crop marks, an
A4 run for one occasion, drafts, clinic imprints. Publishing all of it hands
clinics files never meant for them, so each manifest entry is placed here, by
policy.yaml's `publish:` section (source/catalog.py, Publish):

- catalog: listed on the public pages and in the feed;
- clinic: an imprint, listed only on its clinic's own page (never in the
  catalog or the feed), under the clinic's display name;
- internal: left out of every public page, the feed and the export, with
  the reason `factsheet site` reports.

Drafts are translations whose status is anything but approved (draft, in
review, machine translated ...) and PDFs carrying a DRAFT band; by default
they stay internal (DESIGN.md: "a draft never looks final: it is marked on
the page or kept out of the public output").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..source.catalog import Publish
from ..source.model import Clinic
from .manifest import Pdf

CATALOG, CLINIC, INTERNAL = "catalog", "clinic", "internal"


@dataclass(frozen=True)
class Placement:
    pdf: Pdf
    where: Literal["catalog", "clinic", "internal"]
    reason: str = ""  # why a PDF stays internal


def place(
    pdf: Pdf, rules: Publish, default_paper: str, clinics: dict[str, Clinic | None]
) -> Placement:
    """Where one PDF goes; ``clinics`` maps every imprint's id to its loaded file (or None)."""
    papers = rules.papers if rules.papers is not None else [default_paper]
    if pdf.draft_band and not rules.drafts:
        return Placement(pdf, INTERNAL, "carries a DRAFT band (publish.drafts is false)")
    if pdf.status != "approved" and not rules.drafts:
        return Placement(pdf, INTERNAL, f"status is {pdf.status}, not approved")
    if pdf.print_marks and not rules.print_shop:
        return Placement(pdf, INTERNAL, "print-shop copy with crop marks (publish.print_shop)")
    if pdf.qr and not rules.qr_copies:
        return Placement(pdf, INTERNAL, "office copy with a QR code (publish.qr_copies)")
    if pdf.variant not in rules.variants:
        return Placement(pdf, INTERNAL, f"variant {pdf.variant} is not in publish.variants")
    if pdf.paper not in papers:
        listed = "publish.papers" if rules.papers is not None else "org.yaml's default_paper"
        return Placement(pdf, INTERNAL, f"paper {pdf.paper} is not {listed}")
    if pdf.imprint is None:
        return Placement(pdf, CATALOG)
    if not clinic_is_public(pdf.imprint, rules):
        return Placement(pdf, INTERNAL, f"imprints of {pdf.imprint} are not in publish.imprints")
    if clinics.get(pdf.imprint) is None:
        return Placement(
            pdf, INTERNAL, f"no clinic file sheets/_org/clinics/{pdf.imprint}.yaml any more"
        )
    return Placement(pdf, CLINIC)


def clinic_is_public(clinic_id: str, rules: Publish) -> bool:
    if isinstance(rules.imprints, bool):
        return rules.imprints
    return clinic_id in rules.imprints


def place_all(
    pdfs: list[Pdf], rules: Publish, default_paper: str, clinics: dict[str, Clinic | None]
) -> list[Placement]:
    return [place(pdf, rules, default_paper, clinics) for pdf in pdfs]
