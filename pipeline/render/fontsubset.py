"""Small CJK fonts: CID-keyed CFF fonts subset to the glyphs used, not to their glyph count.

WeasyPrint 70 subsets every font with HarfBuzz keeping glyph ids
(``HB_SUBSET_FLAGS_RETAIN_GIDS``), because its content streams and width
arrays name glyphs by their id in the full font. For a Chinese, Japanese or
Korean font of 65,535 glyphs that keeps an empty entry for every glyph up to
the last one used, in the charstrings and in the metrics tables: about 800 KB
per weight before compression, so a two-page Chinese sheet weighed 385 KB.

A CID-keyed CFF font (Noto Sans CJK, Source Han) does not need the ids kept:
a PDF names its glyphs by CID (ISO 32000-1 9.7.4.2, CIDFontType0), and the
font's charset maps each CID to whichever glyph holds it. So for such a font,
``install`` subsets without keeping ids and checks, on the result, that every
glyph used still carries the CID the content stream names (its glyph id in the
full font); any other font, or a result that fails the check, is subset as
WeasyPrint does. Vertical metrics are dropped as well (no sheet sets text
vertically).

Pinned to WeasyPrint 70.x (pyproject.toml): it wraps one of its internals.
"""

from __future__ import annotations

import io

_INSTALLED = False
_DROP = (
    b"BASE",
    b"DSIG",
    b"EBDT",
    b"EBLC",
    b"EBSC",
    b"GPOS",
    b"GSUB",
    b"JSTF",
    b"LTSH",
    b"PCLT",
    b"SVG ",
    b"VORG",
    b"vhea",
    b"vmtx",
)


def install() -> None:
    """Subset CID-keyed CFF fonts by CID (idempotent, per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.pdf.fonts import Font

    original = Font._harfbuzz_subset
    kind = Font.type

    def harfbuzz_subset(self, to_unicode, hinting):
        content = subset_by_cid(self.hb_face, sorted(to_unicode), hinting, bool(self.missing))
        if content is None:
            original(self, to_unicode, hinting)
        else:
            self.file_content = content
            self.bare_cff = True

    def font_type(self) -> str:
        return "otf" if getattr(self, "bare_cff", False) else kind.fget(self)

    Font._harfbuzz_subset = harfbuzz_subset
    Font.type = property(font_type)
    _INSTALLED = True


def finish(document, pdf) -> None:
    """WeasyPrint finisher: a bare CFF program is a /CIDFontType0C stream, and no
    CIDFontType0 dictionary carries /CIDToGIDMap."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            extra = obj.extra
            content = obj.stream[0] if len(obj.stream) == 1 else b""
            if extra.get("Subtype") == "/OpenType" and content[:4] != b"OTTO":
                extra["Subtype"] = "/CIDFontType0C"
        elif isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/CIDFontType0":
            obj.pop("CIDToGIDMap", None)


def _is_cid_keyed_cff(hb_face) -> bool:
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        if not length[0]:
            return False
        # CFF 1.0 (Adobe TN 5176): header, Name INDEX, Top DICT INDEX; a
        # CID-keyed font's Top DICT starts with the ROS operator (12 30).
        return b"\x0c\x1e" in ffi.buffer(data, min(length[0], 4096))[:]
    finally:
        harfbuzz.hb_blob_destroy(blob)


def subset_by_cid(hb_face, gids: list[int], hinting: bool, notdef: bool) -> bytes | None:
    """The font cut down to ``gids`` with every glyph keeping its CID, or None
    when the font is not CID-keyed CFF or its CIDs are not its glyph ids."""
    from weasyprint.pdf.fonts import get_hb_object_data
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not gids or harfbuzz_subset is None or not _is_cid_keyed_cff(hb_face):
        return None
    plan = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(plan)
    array = ffi.new(f"hb_codepoint_t[{len(gids)}]", gids)
    harfbuzz.hb_set_add_sorted_array(glyphs, array, len(gids))
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if notdef:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    drop = harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in _DROP)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = harfbuzz_subset.hb_subset_or_fail(hb_face, plan)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    content = get_hb_object_data(face)
    return _bare_cff(content, gids) if content else None


def _bare_cff(content: bytes, gids: list[int]) -> bytes | None:
    """The CFF table of a subset font, if every glyph used keeps its CID there
    (HarfBuzz may keep a few more glyphs, such as those a substitution reaches)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(content), lazy=True)
        top = font["CFF "].cff.topDictIndex[0]
        if not hasattr(top, "ROS"):
            return None
        cids = {0 if name == ".notdef" else int(name[3:]) for name in top.charset}
        # Written again by fontTools, whose Top DICT starts with ROS as CFF
        # requires of a CID-keyed font (Adobe TN 5176, 18); HarfBuzz 6 puts it later.
        table = font["CFF "].compile(font)
    except Exception:  # a font fontTools cannot read is one WeasyPrint should subset
        return None
    return table if set(gids) <= cids else None
