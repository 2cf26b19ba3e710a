"""What a build job varies besides the sheet: variant, paper, marks, imprint, QR code."""

from __future__ import annotations

from dataclasses import dataclass

from ..source.model import Project

VARIANTS = ("standard", "large-print")
PAPERS = {"letter": "letter", "a4": "A4"}

#: Print-shop geometry. The artwork runs 3 mm past the trim (the PDF's BleedBox);
#: the media reaches further, so WeasyPrint's crop marks (drawn from the media
#: edge inwards, half the CSS bleed long: here from 10 to 5 mm outside the trim)
#: stay clear of the bleed and are not painted over by the header band.
BLEED_MM = 3.0
MARKS_MM = 10.0
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Options:
    """What a build job varies besides the sheet itself."""

    variant: str = "standard"
    paper: str | None = None  # None: the organisation's default
    draft_band: bool = False
    print_marks: bool = False
    imprint: str | None = None
    qr: bool = False

    def paper_for(self, project: Project) -> str:
        return self.paper or project.org.default_paper
