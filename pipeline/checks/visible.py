"""The gate proves what is visible: the helpline is drawn where a reader can see it.

Presence in the text layer (pdf_content.py) is not enough: a stylesheet can
push the help box off the page, clip it, draw it invisibly or paint a box over
it, and the text is still "in the PDF". Read from the produced file
(drawn.py), these rules require that:

- every phone number, address and hours line of the help block is drawn as
  text inside the page's content area (the /ArtBox the renderer records from
  the @page margins, ISO 32000-1 14.11.2), inside its clipping box, in a
  visible text render mode and a readable size, in a colour that stands out
  from what is painted under it (WCAG 2.2 SC 1.4.3 contrast: 4.5:1, 3:1 from
  18 pt; alpha composited), and is not covered by any fill, image or text
  painted after it (pdf-contact-visible);
- the disclaimer, the review dates and the sheet id are drawn the same way
  (pdf-required-visible): a compliance block present only in the text layer
  proves nothing to a reader of the paper;
- no text of the page runs out of the content area or out of its box, or is
  printed over other text (layout-overflow, naming the sheet's source line).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..source.model import Sheet
from ..source.texts import SheetTexts
from .drawn import Box, Page, Run, area, intersect, read_page
from .readpdf import ReadPdf, normalise, tokens
from .registry import Finding, finding, rule

CONTACT_VISIBLE = rule(
    "pdf-contact-visible",
    "error",
    "pdf",
    "a help-block number, address or hours line is off the page, cut off, invisible, covered "
    "or too faint against what is under it",
)
REQUIRED_VISIBLE = rule(
    "pdf-required-visible",
    "error",
    "pdf",
    "the disclaimer, a review date or the sheet id is off the page, cut off, invisible, covered "
    "or too faint against what is under it",
)
OVERFLOW = rule(
    "layout-overflow",
    "error",
    "pdf",
    "text runs out of the page's content area or its box, or over other text (names the line)",
)

_SLACK = 1.5  # points: anti-aliasing and glyph overhang are not overflow
_MIN_SIZE = 5.0  # points: smaller text is not readable on paper
_COVERED = 0.25  # share of a run's box that a later paint may cover (underlines are thin)
_CONTRAST, _CONTRAST_LARGE, _LARGE = 4.5, 3.0, 18.0  # WCAG 2.2 SC 1.4.3, points
_WHITE = (1.0, 1.0, 1.0)
_LINE_END_HYPHEN = re.compile("[\u2010-]$")


def _outside(box: Box, frame: Box | None) -> bool:
    if frame is None:
        return False
    return (
        box[0] < frame[0] - _SLACK
        or box[1] < frame[1] - _SLACK * 3  # descenders below the last line
        or box[2] > frame[2] + _SLACK
        or box[3] > frame[3] + _SLACK * 3
    )


def art_box(pdf: ReadPdf, index: int) -> Box:
    """The page's content area: its /ArtBox (the @page margins), else its TrimBox."""
    page = pdf.reader.pages[index]
    box = page.artbox if "/ArtBox" in page else page.trimbox
    return float(box.left), float(box.bottom), float(box.right), float(box.top)


def _covered_by(run: Run, page: Page) -> str | None:
    own = area(run.box)
    if own <= 0:
        return None
    for paint in page.paints:
        if paint.order > run.order and area(intersect(run.box, paint.box)) > own * _COVERED:
            return "a box or image painted over it"
    for other in page.runs:
        if (
            other.order > run.order
            and other.text.strip()
            and area(intersect(run.box, other.box)) > own * _COVERED
        ):
            return f"text painted over it ('{other.text.strip()[:40]}')"
    return None


def _luminance(colour: tuple[float, float, float]) -> float:
    """Relative luminance (WCAG 2.2, sRGB)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(min(1.0, max(0.0, c))) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _over(top, alpha: float, under):
    return tuple(t * alpha + u * (1 - alpha) for t, u in zip(top, under, strict=True))


def _background(run: Run, page: Page):
    """The colour under the middle of a run: the fills painted before it, the
    last one on top, composited over the white page; None when an image,
    a pattern or a soft mask is there (its colour is not known)."""
    x = (run.box[0] + run.box[2]) / 2
    y = run.box[1] + (run.box[3] - run.box[1]) * 0.4
    under = [
        p
        for p in page.paints
        if p.order < run.order and p.box[0] <= x <= p.box[2] and p.box[1] <= y <= p.box[3]
    ]
    colour = _WHITE
    for paint in under:
        if paint.image:
            return None
        if paint.colour is None:  # a stroke (a border line) or an unknown fill
            continue
        colour = _over(paint.colour, paint.alpha, colour)
    return colour


def _faint(run: Run, page: Page) -> str | None:
    """Text that does not stand out from what is under it: its contrast ratio."""
    if run.colour is None:
        return None
    background = _background(run, page)
    if background is None:
        return None
    ink = _over(run.colour, run.alpha, background)
    light, dark = sorted((_luminance(ink), _luminance(background)), reverse=True)
    ratio = (light + 0.05) / (dark + 0.05)
    needed = _CONTRAST_LARGE if run.size >= _LARGE else _CONTRAST
    if ratio < needed:
        return (
            f"drawn with too little contrast against what is under it "
            f"({ratio:.1f}:1, {needed}:1 needed)"
        )
    return None


def _problem(run: Run, page: Page, art: Box) -> str | None:
    if run.invisible:
        return "drawn invisibly (text render mode 3 or 7, or size 0)"
    if run.size < _MIN_SIZE:
        return f"drawn at {run.size:.1f} pt, too small to read"
    if _outside(run.box, art):
        return "drawn outside the page's content area"
    if _outside(run.box, run.clip):
        return "cut off by the box it is in"
    return _covered_by(run, page) or _faint(run, page)


def _index(page: Page) -> tuple[list[Run], str, list[tuple[int, int]], list[Counter]]:
    """A page's visible runs, their normalised text joined, each run's span in it
    and its words: worked out once per page, searched once per needle."""
    cached = page.__dict__.get("_index")
    if cached is None:
        runs = [r for r in page.runs if not r.artifact and r.text.strip()]
        joined, spans = "", []
        for run in runs:
            start = len(joined)
            # A hyphen the line breaking added ends its run: "pro\u2010" + "vider".
            joined += _LINE_END_HYPHEN.sub("", normalise(run.text))
            spans.append((start, len(joined)))
        # Right-to-left runs are drawn in visual order: their words read backwards too.
        words = [Counter(tokens(r.text)) | Counter(tokens(r.text[::-1])) for r in runs]
        cached = (runs, joined, spans, words)
        page.__dict__["_index"] = cached
    return cached


def _find(page: Page, needle: str) -> list[Run]:
    """The runs that draw ``needle`` (exactly, or its words close together for RTL):
    the shortest window of runs holding all its words, the first of those."""
    runs, joined, spans, words = _index(page)
    target = normalise(needle)
    at = joined.find(target) if target else -1
    if at >= 0:
        return [r for r, (a, b) in zip(runs, spans, strict=True) if a < at + len(target) and b > at]
    want = Counter(tokens(needle))
    if not want:
        return []
    longest = min(len(runs), sum(want.values()) * 2 + 4)
    best: tuple[int, int] | None = None
    for start in range(len(runs)):
        if not want.keys() & words[start].keys():
            continue
        have: Counter = Counter()
        for end in range(start, min(len(runs), start + longest)):
            have.update(words[end])
            if best is not None and end - start >= best[1] - best[0]:
                break
            if all(have[word] >= count for word, count in want.items()):
                best = (start, end + 1)
                break
    return runs[best[0] : best[1]] if best else []


def check_visible(pdf: ReadPdf, texts: SheetTexts, path: str) -> list[Finding]:
    """Each help-block number, address and hours line is drawn where it can be seen."""
    pages = [read_page(pdf, index) for index in range(len(pdf.reader.pages))]
    owned = [("", c) for c in texts.channels] + [("clinic ", c) for c in texts.clinic_channels]
    return [
        finding(
            CONTACT_VISIBLE,
            path,
            None,
            f"'{needle}' of {owner}{channel.id} is {problem} on page {page}",
            "a reader must see it: check the template and CSS of the help box",
            page=page,
        )
        for owner, channel in owned
        for needle in (channel.text, *channel.hours)
        for page, problem in _judged(pdf, pages, needle)
    ]


def check_required_visible(
    pdf: ReadPdf, texts: SheetTexts, path: str, required: list[str]
) -> list[Finding]:
    """The disclaimer, the review dates and the sheet id are drawn where they can be seen."""
    pages = [read_page(pdf, index) for index in range(len(pdf.reader.pages))]
    wanted = {
        "disclaimer": [("the disclaimer", texts.disclaimer)],
        "review_date": [
            ("the review date", texts.reviewed),
            ("the next review", texts.next_review),
        ],
        "sheet_id": [("the sheet id", texts.ident)],
    }
    return [
        finding(
            REQUIRED_VISIBLE,
            path,
            None,
            f"{name} ('{needle[:60]}') is {problem} on page {page}",
            "a reader must see it: check the template and CSS of the sheet's footer",
            page=page,
        )
        for element in required
        for name, needle in wanted.get(element, [])
        for page, problem in _judged(pdf, pages, needle)
    ]


def _judged(pdf: ReadPdf, pages: list[Page], needle: str) -> list[tuple[int, str]]:
    """(page number, first problem) where ``needle`` is drawn but cannot be seen;
    nothing when it is fine or not drawn at all (presence is pdf_content's)."""
    for index, page in enumerate(pages):
        runs = _find(page, needle)
        if not runs:
            continue
        art = art_box(pdf, index)
        problems = [p for p in (_problem(r, page, art) for r in runs) if p]
        return [(index + 1, problems[0])] if problems else []
    return []


def _source_line(sheet: Sheet, text: str) -> int | None:
    """The sheet line that holds ``text`` (its first words), for overflow findings."""
    words = re.findall(r"\w+", text)
    for size in (6, 3, 1):
        probe = normalise(" ".join(words[:size]))
        if len(probe) < 4:
            continue
        for number, line in enumerate(sheet.source_text.split("\n"), 1):
            if probe in normalise(line):
                return number
    return None


def _letters(text: str) -> bool:
    """Whether a run draws base characters (not only marks placed on a neighbour's glyph)."""
    return any(not c.isspace() and unicodedata.category(c)[0] != "M" for c in text)


def check_overflow(pdf: ReadPdf, sheet: Sheet, path: str) -> list[Finding]:
    """Text drawn outside the content area or its box, or over other text."""
    out: list[Finding] = []
    seen: set[str] = set()
    for index in range(len(pdf.reader.pages)):
        page = read_page(pdf, index)
        art = art_box(pdf, index)
        runs = [r for r in page.runs if not r.artifact and _letters(r.text) and not r.invisible]
        for run in runs:
            why = None
            if _outside(run.box, art):
                why = "runs out of the page's content area"
            elif _outside(run.box, run.clip):
                why = "is cut off by its box"
            else:
                x0, y0, x1, y1 = run.box
                over = next(
                    (
                        o
                        for o in runs
                        if o.order > run.order
                        and o.box[0] < x1
                        and o.box[2] > x0
                        and o.box[1] < y1
                        and o.box[3] > y0
                        and area(intersect(run.box, o.box)) > area(run.box) * _COVERED
                    ),
                    None,
                )
                if over is not None:
                    why = f"is printed over by '{over.text.strip()[:40]}' (a box overflows)"
            if why is None or run.text in seen:
                continue
            seen.add(run.text)
            line = _source_line(sheet, run.text)
            out.append(
                finding(
                    OVERFLOW,
                    sheet.display if line else path,
                    line,
                    f"'{run.text.strip()[:60]}' {why} on page {index + 1} of {path}",
                    "shorten it, allow it to break (a long URL or word), or fix the CSS",
                    page=index + 1,
                )
            )
    return out
