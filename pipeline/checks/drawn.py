"""What a page draws, and where: text runs and painted shapes read from the content stream.

The gate must prove that a patient can *see* the helpline, not only that its
characters are somewhere in the file: text can be drawn off the page, cut off
by a clipping path, drawn invisibly (text render mode 3 or 7, ISO 32000-1
9.3.6), or painted over by a later box or image. This module replays a page's
content stream (ISO 32000-1 8.4 graphics state, 9.4 text objects) with pypdf:
for each text-showing operator it records the text (through the font's
ToUnicode map), its box in page space from the font's glyph widths, and the
clipping rectangle in force; for each fill or image, its box and when it was
painted. Boxes are axis-aligned (WeasyPrint draws no rotated text).

Colour is followed too, so that text the colour of what lies under it (white
on white) or nearly transparent is not "visible": the non-stroking colour set
by g, rg, k, sc and scn in a device colour space (ISO 32000-1 8.6.8; a
pattern or a separation is unknown, None) and the constant alpha /ca of an
ExtGState (11.6.4.4) or a soft mask, which make it unknown too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pypdf._cmap import get_encoding
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from .readpdf import ReadPdf

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Colour = tuple[float, float, float]  # RGB, 0..1


@dataclass(frozen=True)
class Run:
    """One text-showing operator's text, as drawn."""

    text: str
    box: Box
    clip: Box | None
    order: int
    artifact: bool
    invisible: bool  # render mode 3/7, or zero size
    size: float
    colour: Colour | None = None  # None: not known (a pattern, a soft mask)
    alpha: float = 1.0


@dataclass(frozen=True)
class Paint:
    """A fill, stroke or image: something that can cover text drawn before it."""

    box: Box
    order: int
    image: bool = False  # an image or form (Do), not a fill or stroke
    artifact: bool = False
    colour: Colour | None = None  # a fill's colour; None for an image or a stroke
    alpha: float = 1.0


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    paints: list[Paint] = field(default_factory=list)


def _mul(a: list[float], b: list[float]) -> list[float]:
    """Matrix product a x b of PDF matrices [a b c d e f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _apply(m: list[float], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _bbox(points: list[tuple[float, float]]) -> Box | None:
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def intersect(a: Box | None, b: Box | None) -> Box | None:
    if a is None:
        return b
    if b is None:
        return a
    box = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return box if box[0] < box[2] and box[1] < box[3] else (box[0], box[1], box[0], box[1])


def area(box: Box | None) -> float:
    return 0.0 if box is None else max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


class _Font:
    """Widths and Unicode of one font (Type0/Identity-H as WeasyPrint writes, or simple)."""

    def __init__(self, font: DictionaryObject) -> None:
        self.two_byte = font.get("/Subtype") == "/Type0"
        _, self.unicode = get_encoding(font)
        self.widths: dict[int, float] = {}
        self.default = 1000.0 if self.two_byte else 500.0
        if self.two_byte:
            descendant = font["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            table = descendant.get("/W", ArrayObject())
            index = 0
            while index + 1 < len(table):
                first, second = int(table[index]), table[index + 1]
                if isinstance(second, ArrayObject | list):
                    for offset, width in enumerate(second):
                        self.widths[first + offset] = float(width)
                    index += 2
                else:
                    for code in range(first, int(second) + 1):
                        self.widths[code] = float(table[index + 2])
                    index += 3
        else:
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(font.get("/Widths", [])):
                self.widths[first + offset] = float(width)

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def text(self, codes: list[int]) -> str:
        return "".join(self.unicode.get(chr(code), "") for code in codes)


def _fonts(resources: DictionaryObject) -> dict[str, _Font]:
    fonts = resources.get("/Font") if resources else None
    out = {}
    for name, ref in (fonts.get_object() if fonts else {}).items():
        try:
            out[str(name)] = _Font(ref.get_object())
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return out


_SPACES = {"/DeviceGray": 1, "/G": 1, "/DeviceRGB": 3, "/RGB": 3, "/DeviceCMYK": 4, "/CMYK": 4}


def _device(values: list[float]) -> Colour | None:
    """Gray, RGB or CMYK components as RGB (CMYK naively, ISO 32000-1 10.3.5)."""
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return values[0], values[1], values[2]
    if len(values) == 4:
        c, m, y, k = values
        return (1 - min(1, c + k), 1 - min(1, m + k), 1 - min(1, y + k))
    return None


def _space_size(name, resources: DictionaryObject) -> int | None:
    """Components of a colour space named by cs: device spaces, and ICC-based
    ones by their /N; anything else (Pattern, Separation, Indexed) is unknown."""
    if str(name) in _SPACES:
        return _SPACES[str(name)]
    spaces = resources.get("/ColorSpace") if resources else None
    space = spaces.get_object().get(str(name)) if spaces else None
    space = space.get_object() if space is not None else None
    if isinstance(space, ArrayObject) and space and space[0] == "/ICCBased":
        return int(space[1].get_object().get("/N", 0)) or None
    if isinstance(space, NameObject) and str(space) in _SPACES:
        return _SPACES[str(space)]
    return None


def _alpha(name, resources: DictionaryObject, state: dict) -> None:
    """Apply an ExtGState's fill alpha; a soft mask makes it unknown (0..1 or None)."""
    states = resources.get("/ExtGState") if resources else None
    graphics = states.get_object().get(str(name)) if states else None
    graphics = graphics.get_object() if graphics is not None else None
    if not isinstance(graphics, DictionaryObject):
        return
    if "/ca" in graphics:
        state["alpha"] = float(graphics["/ca"])
    mask = graphics.get("/SMask")
    if mask is not None and mask != "/None":
        state["alpha"] = None


def _artifact(properties) -> bool:
    return isinstance(properties, NameObject) and properties == "/Artifact"


def read_page(pdf: ReadPdf, index: int) -> Page:
    """Replay one page's content stream (once per file: every check shares it);
    forms (Do) are painted as their box."""
    cache = pdf.__dict__.setdefault("_drawn", {})
    if index not in cache:
        cache[index] = _replay(pdf, index)
    return cache[index]


def drawn_texts(pdf: ReadPdf) -> list[str]:
    """Every text drawn on each page, artifacts included (a running mark is an
    artifact a screen reader skips), runs in drawing order; a run on a new line
    or after a gap (a fifth of its height) is set off by a line break or space."""
    cache = pdf.__dict__.setdefault("_drawn_texts", None)
    if cache is None:
        cache = pdf.__dict__["_drawn_texts"] = [
            _page_text(read_page(pdf, index).runs) for index in range(len(pdf.reader.pages))
        ]
    return cache


def _page_text(runs: list[Run]) -> str:
    parts: list[str] = []
    before: Run | None = None
    for run in runs:
        if before is not None:
            height = max(run.box[3] - run.box[1], 1.0)
            if abs(run.box[1] - before.box[1]) > height / 2:
                parts.append("\n")
            elif abs(run.box[0] - before.box[2]) > height / 5:
                parts.append(" ")
        parts.append(run.text)
        before = run
    return "".join(parts)


def _replay(pdf: ReadPdf, index: int) -> Page:
    page = pdf.reader.pages[index]
    resources = page.get("/Resources", DictionaryObject()).get_object()
    fonts = _fonts(resources)
    xobjects = resources.get("/XObject", {}) or {}
    out = Page()
    ctm = [1.0, 0, 0, 1.0, 0, 0]
    clip: Box | None = None
    stack: list[tuple[list[float], Box | None, dict]] = []
    text = {"tm": [1.0, 0, 0, 1.0, 0, 0], "lm": [1.0, 0, 0, 1.0, 0, 0], "font": None, "size": 0.0}
    state = {"tc": 0.0, "tw": 0.0, "th": 1.0, "tl": 0.0, "rise": 0.0, "mode": 0}
    state.update(fill=(0.0, 0.0, 0.0), components=1, alpha=1.0)  # 8.6.8: black, opaque
    marked: list[bool] = []
    path: list[tuple[float, float]] = []
    pending_clip = False
    subpaths = 0
    order = 0
    for operands, operator in pdf.content(index).operations:
        op = operator
        if op == b"q":
            stack.append((list(ctm), clip, dict(state)))
        elif op == b"Q" and stack:
            ctm, clip, state = stack.pop()
        elif op == b"cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op in (b"BDC", b"BMC"):
            marked.append(bool(operands) and _artifact(operands[0]))
        elif op == b"EMC" and marked:
            marked.pop()
        elif op == b"BT":
            text["tm"] = [1.0, 0, 0, 1.0, 0, 0]
            text["lm"] = [1.0, 0, 0, 1.0, 0, 0]
        elif op == b"Tf":
            text["font"] = fonts.get(str(operands[0]))
            text["size"] = float(operands[1])
        elif op == b"Tc":
            state["tc"] = float(operands[0])
        elif op == b"Tw":
            state["tw"] = float(operands[0])
        elif op == b"Tz":
            state["th"] = float(operands[0]) / 100
        elif op == b"TL":
            state["tl"] = float(operands[0])
        elif op == b"Ts":
            state["rise"] = float(operands[0])
        elif op == b"Tr":
            state["mode"] = int(operands[0])
        elif op in (b"g", b"rg", b"k"):
            state["fill"] = _device([float(v) for v in operands])
            state["components"] = len(operands)
        elif op == b"cs":
            state["components"] = _space_size(operands[0], resources)
            state["fill"] = (0.0, 0.0, 0.0) if state["components"] else None
        elif op in (b"sc", b"scn"):
            numbers = [float(v) for v in operands if not isinstance(v, NameObject)]
            known = state["components"] and len(numbers) == state["components"]
            state["fill"] = _device(numbers) if known and len(numbers) == len(operands) else None
        elif op == b"gs" and operands:
            _alpha(operands[0], resources, state)
        elif op in (b"Td", b"TD"):
            if op == b"TD":
                state["tl"] = -float(operands[1])
            text["lm"] = _mul([1, 0, 0, 1, float(operands[0]), float(operands[1])], text["lm"])
            text["tm"] = list(text["lm"])
        elif op == b"Tm":
            text["lm"] = [float(v) for v in operands]
            text["tm"] = list(text["lm"])
        elif op == b"T*":
            text["lm"] = _mul([1, 0, 0, 1, 0, -state["tl"]], text["lm"])
            text["tm"] = list(text["lm"])
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            if op in (b"'", b'"'):
                text["lm"] = _mul([1, 0, 0, 1, 0, -state["tl"]], text["lm"])
                text["tm"] = list(text["lm"])
            parts = operands[0] if op == b"TJ" else [operands[-1]]
            run = _show(parts, text, state, ctm)
            if run is not None:
                shown, box = run
                out.runs.append(
                    Run(
                        shown,
                        box,
                        clip,
                        order,
                        any(marked),
                        state["mode"] in (3, 7) or text["size"] == 0,
                        abs(text["size"] * ctm[3]),
                        state["fill"] if state["alpha"] is not None else None,
                        1.0 if state["alpha"] is None else state["alpha"],
                    )
                )
                order += 1
        elif op in (b"m", b"l"):
            subpaths += op == b"m"
            path.append(_apply(ctm, float(operands[0]), float(operands[1])))
        elif op in (b"c", b"v", b"y"):
            values = [float(v) for v in operands]
            path.extend(_apply(ctm, values[i], values[i + 1]) for i in range(0, len(values), 2))
        elif op == b"re":
            subpaths += 1
            x, y, w, h = (float(v) for v in operands)
            path.extend(_apply(ctm, px, py) for px, py in ((x, y), (x + w, y + h)))
        elif op in (b"W", b"W*"):
            pending_clip = True
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s", b"n"):
            box = _bbox(path)
            if op != b"n" and box is not None:
                # A solid area only when one subpath is filled: a border is drawn
                # as a ring (two rectangles, even-odd), its box is not its area.
                filled = op not in (b"S", b"s") and subpaths <= 1
                out.paints.append(
                    Paint(
                        intersect(box, clip) or box,
                        order,
                        False,
                        any(marked),
                        state["fill"] if filled and state["alpha"] is not None else None,
                        1.0 if state["alpha"] is None else state["alpha"],
                    )
                )
                order += 1
            if pending_clip:
                clip = intersect(clip, box)
                pending_clip = False
            path = []
            subpaths = 0
        elif op == b"Do" and str(operands[0]) in xobjects:
            corners = [_apply(ctm, x, y) for x, y in ((0, 0), (1, 1))]
            xobject = xobjects[str(operands[0])].get_object()
            if xobject.get("/Subtype") == "/Form" and "/BBox" in xobject:
                x0, y0, x1, y1 = (float(v) for v in xobject["/BBox"])
                corners = [_apply(ctm, x0, y0), _apply(ctm, x1, y1)]
            box = _bbox(corners)
            if box is not None:
                out.paints.append(Paint(intersect(box, clip) or box, order, True, any(marked)))
                order += 1
    return out


def _show(parts, text: dict, state: dict, ctm: list[float]) -> tuple[str, Box] | None:
    font: _Font | None = text["font"]
    if font is None:
        return None
    size, th = text["size"], state["th"]
    start = _apply(_mul(text["tm"], ctm), 0, state["rise"])
    shown = []
    moved = 0.0  # the horizontal displacement in text space (ISO 32000-1 9.4.4)
    widths, default, spacing = font.widths, font.default, state["tc"]
    for part in parts:
        if isinstance(part, bytes | str):
            data = part if isinstance(part, bytes) else part.encode("latin-1", "replace")
            codes = font.codes(data)
            shown.append(font.text(codes))
            moved += sum(widths.get(code, default) for code in codes) / 1000 * size
            moved += spacing * len(codes)
            if not font.two_byte:
                moved += state["tw"] * codes.count(32)
        else:  # a TJ adjustment, in thousandths of the font size
            moved -= float(part) / 1000 * size
    tm = text["tm"]
    shift = moved * th
    text["tm"] = [tm[0], tm[1], tm[2], tm[3], shift * tm[0] + tm[4], shift * tm[1] + tm[5]]
    end = _apply(_mul(text["tm"], ctm), 0, state["rise"])
    height = size * abs(_mul(text["tm"], ctm)[3]) / (abs(size) or 1) * abs(size)
    low, high = min(start[1], end[1]) - 0.2 * height, max(start[1], end[1]) + 0.75 * height
    return "".join(shown), (min(start[0], end[0]), low, max(start[0], end[0]), high)
