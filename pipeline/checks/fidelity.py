"""`pdf-text-fidelity`: what a screen reader hears is the sheet's own text, in order.

veraPDF checks how a PDF is built, not what its words say. This rule reads the
produced PDF as a tag-based screen reader does (readpdf.py: structure-tree
order, /ActualText and /Alt honoured, artifacts left out) and looks for the
sheet's own text in it, unit by unit in source order: the series and title,
then every heading, paragraph, list item, table cell and callout title of the
body, each whole, with its spaces, case and punctuation as written (reading
form: NFKC, invisible format characters dropped, white space collapsed). What
the template adds between units (labels, the help block, list markers) is
passed over; what the sheet says must all be there.

The first unit that is missing, or found only before the previous one, is
reported at its source line with what the PDF reads where they part: a word
glued to the next line's first word, a hyphen left in a word, capitals from
``text-transform``, a right-to-left run stored backwards or a lost vowel sign
all show up here, whatever template, font or renderer version made them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..source.markdown import plain_text
from ..source.model import Sheet
from .readpdf import reading_form
from .registry import Finding, finding, rule

PDF_TEXT_FIDELITY = rule(
    "pdf-text-fidelity",
    "error",
    "pdf",
    "the PDF's text in structure-tree order differs from the sheet's own text",
)

#: Units a reader hears as text; an image's alt text is heard as part of the
#: unit it sits in (its Figure's /Alt), so "alt" units are not looked for twice.
_TEXT_UNITS = ("heading", "paragraph", "item", "cell", "callout-title")
_CONTEXT = 30


@dataclass(frozen=True)
class Expected:
    text: str  # reading form
    line: int
    what: str


def expected_text(sheet: Sheet) -> list[Expected]:
    """The sheet's own text in reading order, each piece with its source line."""
    front = sheet.front
    out = []
    if front.series:
        out.append(Expected(reading_form(front.series), sheet.line_of("series"), "series"))
    out.append(Expected(reading_form(front.title), sheet.line_of("title"), "title"))
    for unit in sheet.body.units:
        if unit.kind in _TEXT_UNITS:
            text = reading_form(plain_text(unit.text))
            if text:
                out.append(Expected(text, unit.line, unit.kind))
    return out


def check_fidelity(text: str, sheet: Sheet, pdf_name: str) -> list[Finding]:
    """The first piece of the sheet's text that the PDF (``text``, in reading
    order) does not carry whole and in order; at most one finding per PDF."""
    heard = reading_form(text)
    cursor = 0
    for expected in expected_text(sheet):
        found = heard.find(expected.text, cursor)
        if found >= 0:
            cursor = found + len(expected.text)
            continue
        return [_divergence(heard, cursor, expected, sheet, pdf_name)]
    return []


def _divergence(heard: str, cursor: int, expected: Expected, sheet: Sheet, pdf_name: str):
    want = expected.text
    if heard.find(want) >= 0:
        message = (
            f"{pdf_name}: the {expected.what} '{_clip(want)}' is read out of order "
            "(before text that comes earlier in the sheet)"
        )
        hint = "the template or its CSS moved it; the structure tree must follow the source order"
        return finding(PDF_TEXT_FIDELITY, sheet.display, expected.line, message, hint)
    # The longest start of the unit that the PDF carries after the cursor: where
    # that match ends is where the PDF and the source part.
    low, high = 0, len(want)
    while low < high:
        middle = (low + high + 1) // 2
        if heard.find(want[:middle], cursor) >= 0:
            low = middle
        else:
            high = middle - 1
    at = heard.find(want[:low], cursor) if low else -1
    if low >= min(len(want), 8) and at >= 0:
        # Show both from the start of the word where they part (scripts without
        # spaces: a few characters back), and what came before it for context.
        space = want.rfind(" ", 0, low)
        start = space + 1 if space >= 0 and low - space <= _CONTEXT else max(0, low - 4)
        read = _whole_words(heard[at + start : at + start + _CONTEXT + 1])
        source = _whole_words(want[start : start + _CONTEXT + 1])
        before = want[max(0, start - _CONTEXT // 2) : start].strip()
        message = (
            f"{pdf_name}: the {expected.what} reads '{read}' where the source has "
            f"'{source}' (after '…{before}')"
        )
    else:
        message = f"{pdf_name}: the {expected.what} '{_clip(want)}' is not in the PDF's text"
    hint = (
        "this is the text a screen reader hears (structure-tree order, /ActualText); "
        "check the template, the CSS (text-transform, hyphens) and the fonts for this script"
    )
    return finding(PDF_TEXT_FIDELITY, sheet.display, expected.line, message, hint)


def _whole_words(text: str) -> str:
    """``text`` without a last word cut short (where it has spaces at all)."""
    space = text.rfind(" ")
    return text[:space] if space > len(text) // 2 else text[:-1]


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
