"""The logical text of every drawn line of text: what its /ActualText must say.

WeasyPrint 70 writes a text layer that a reader cannot trust:
- each glyph gets ONE /ToUnicode entry, made the first time it is drawn, so a
  glyph that stands for different text in different places (a Devanagari
  conjunct or matra, a Thai vowel mark, a hyphen glyph shared by U+2010 and
  U+002D) reads back wrong everywhere but once;
- glyphs are drawn in visual order, so a right-to-left run reads backwards;
- the space that ended a line is not drawn, so the line's last word is glued to
  the next line's first; a hyphenation hyphen (U+2010) is drawn into the word;
  ``text-transform`` puts "WHAT IS IT?" in capitals into the text.

The remedy is ISO 32000-1 14.9.4 (replacement text): the marked-content
sequence of each text box carries /ActualText with the source text it stands
for, whenever the glyphs would read back differently (tagging.py compares
``glyph_text`` with ``TextLayer.logical_text``). That also meets 14.8.2.5
(identifying word breaks: the space that separates words must be in the text
even where a line, a show string, ends) and 14.8.2.2.3 (a hyphen added to
divide a word at a line end is an incidental artifact, not part of the word:
as in 14.9.4's own example, the replacement text spells the word without it;
a soft hyphen of the source is dropped too).

To know that source text, ``install`` makes WeasyPrint remember, for each box,
its text before ``text-transform`` (``source_text``) and, for each line it
cuts a box into (layout/inline.py split_text_box), the byte range of the box's
text the line stands for, up to where the next line resumes: so a line that
ended on a space keeps it, and a hyphen added at the break is not in the range.

Pinned to WeasyPrint 70.x (pyproject.toml): it wraps two of its internals.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

_INSTALLED = False
_GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>")
_FONT = re.compile(rb"^/(\S+) \S+ Tf$")


def install() -> None:
    """Make WeasyPrint record the source text of every box and line (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    transform = boxes.TextBox.process_text_transform
    split = inline.split_text_box

    def process_text_transform(self) -> None:
        if not hasattr(self, "source_text"):
            self.source_text = self.text
            self.text_origin = object()  # shared by every copy and line of this box
        transform(self)
        changed = self.text != self.source_text
        self.source_map = align(self.source_text, self.text, self.style) if changed else None

    def split_text_box(context, box, available_width, skip, is_line_start=True):
        result = split(context, box, available_width, skip, is_line_start)
        line = result[0]
        if line is not None and line is not box:
            data = box.text.encode()
            end = result[1] if result[1] is not None else len(data)
            start = len(data[: skip or 0].decode(errors="ignore"))
            line.text_range = (start, len(data[:end].decode(errors="ignore")))
            line.range_text = box.text
        return result

    boxes.TextBox.process_text_transform = process_text_transform
    inline.split_text_box = split_text_box
    _INSTALLED = True


def align(source: str, shown: str, style) -> list[int]:
    """For each index into ``shown`` (0..len), the index into ``source`` it came from.

    ``shown`` is ``source`` after text-transform (and, with ``hyphens: none``,
    without soft hyphens); a character may become several (German ß -> SS) or
    none (Greek tonos in capitals), so each source character is matched with
    the longest of its own possible transforms that ``shown`` continues with.
    """
    from weasyprint.formatting_structure.text import transform

    function = style["text_transform"]
    lang = (style["lang"] or "").split("-")[0].lower()
    mapping: list[int] = []
    j = 0
    for i, char in enumerate(source):
        candidates = {char, char.upper(), char.lower(), char.title()}
        if function != "none":
            candidates.add(transform(function, char, lang))
        stripped = "".join(
            c for c in unicodedata.normalize("NFD", char.upper()) if not unicodedata.combining(c)
        )
        candidates.add(stripped)
        match = max((c for c in candidates if c and shown.startswith(c, j)), key=len, default="")
        if not match and char != "\u00ad" and not unicodedata.combining(char) and j < len(shown):
            match = shown[j]  # no rule explains it: take one character for one
        mapping.extend([i] * len(match))
        j += len(match)
    mapping.extend([len(source)] * (len(shown) - j + 1))
    return mapping


class TextLayer:
    """The logical text of every text box laid out on the document's pages.

    The lines of one source box are gathered first, over all pages, so that
    each line's range can start where the previous line's ended: spaces that
    WeasyPrint skipped at the start of a line then belong to a line too.
    """

    def __init__(self, page_boxes) -> None:
        self.starts: dict[int, int] = {}
        #: Text boxes followed by a forced line break (<br>), whose own text
        #: does not say so: the break is heard as one.
        self.breaks: set[int] = set()
        lines: dict[int, list] = defaultdict(list)
        for page_box in page_boxes:
            last = None
            for box in _text_boxes(page_box):
                if box.element_tag == "br":
                    if last is not None:
                        self.breaks.add(id(last))
                    continue
                last = box
                origin = getattr(box, "text_origin", None)
                if origin is not None and hasattr(box, "text_range"):
                    lines[id(origin)].append(box)
        for group in lines.values():
            group.sort(key=lambda box: box.text_range)
            end = 0
            for box in group:
                self.starts[id(box)] = min(end, box.text_range[0])
                end = max(end, box.text_range[1])

    def logical_text(self, box) -> str:
        """The source text a text box stands for: source case, no added hyphen,
        the line's final space kept, no soft hyphens."""
        text = box.text
        if hasattr(box, "text_range"):
            start = self.starts.get(id(box), box.text_range[0])
            end = box.text_range[1]
            shown = box.range_text
            mapping = getattr(box, "source_map", None)
            source = getattr(box, "source_text", shown)
            if mapping is not None and len(mapping) == len(shown) + 1:
                text = source[mapping[start] : mapping[end]]
            elif source == shown or len(source) == len(shown):
                text = source[start:end]
        elif getattr(box, "source_text", None) is not None and box.source_text != box.text:
            text = box.source_text
        if id(box) in self.breaks and not text[-1:].isspace():
            text += "\n"
        return text.replace("\u00ad", "")


def _text_boxes(box):
    """Text boxes in document order, and the (empty) boxes of <br> elements."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox) or box.element_tag == "br":
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def glyph_text(content: list, start: int, fonts: dict) -> str:
    """What the glyphs of the marked-content sequence whose property list sits at
    ``content[start]`` read as through their fonts' /ToUnicode maps.

    ``content`` is a pydyf stream's list of operations as WeasyPrint wrote them
    (``/F 12 Tf``, ``[<0012>-5<0034>] TJ``); ``fonts`` maps font names to
    WeasyPrint Font objects, whose ``to_unicode`` became the /ToUnicode map.
    """
    out: list[str] = []
    font = None
    depth = 0
    for item in content[start + 2 :]:
        data = item if isinstance(item, bytes) else str(item).encode()
        if data == b"EMC":
            if depth == 0:
                break
            depth -= 1
        elif data in (b"BDC", b"BMC"):
            depth += 1
        elif data.endswith(b"Tf"):
            match = _FONT.match(data)
            font = fonts.get(match.group(1).decode()) if match else None
        elif data.endswith(b"TJ") or data.endswith(b"Tj"):
            width = 2 if font is not None and font.bitmap else 4
            for hexes in _GLYPHS.findall(data):
                for index in range(0, len(hexes), width):
                    glyph = int(hexes[index : index + width], 16)
                    out.append(font.to_unicode.get(glyph, "\ufffd") if font else "\ufffd")
    return "".join(out)
