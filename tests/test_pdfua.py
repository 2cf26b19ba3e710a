"""Our PDF/UA-1 checker (pipeline/checks/pdfua.py), and the structure tree we produce.

Each ua-* rule is shown to catch the failure it names: a good PDF rendered by
the pipeline is broken in exactly one property with pypdf and must then be
reported by that rule alone. The second half reads our own output back and
asserts what the tagging (pipeline/render/tagging.py) promises.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, copy_project
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from pipeline.checks import RULES
from pipeline.checks.pdfua import check_pdfua
from pipeline.checks.readpdf import ReadPdf, StructElem, content_text
from pipeline.render.options import Options
from pipeline.render.pdf import render_sheet
from pipeline.source.loader import load_project

MAIN = ("metastatic-breast-cancer", "en")
LAYOUT = ("layout-test", "en")

LAYOUT_SHEET = """\
---
id: HL-TEST-01
title: Layout Test
lang: en
version: "1.0"
status: approved
reviewed: 2026-03-06
next_review: 2028-03-06
reviewed_by: Test Panel
audience: The test suite
---

## A table

| Medicine | Dose |
| --- | --- |
| Medicine A | 100 mg |
| Medicine B | 5 ml |

## Introduction

{intro}

## A long list

{items}

## A long paragraph

PARASTART {words} PARAEND
"""


def layout_sheet() -> str:
    """A sheet whose 60-item list runs from page 1 onto page 2 and whose long
    paragraph runs from page 2 onto page 3 (two columns of 12 pt on letter)."""
    return LAYOUT_SHEET.format(
        intro=" ".join(f"intro{i}" for i in range(300)),
        items="\n".join(f"- List item number {i}." for i in range(1, 61)),
        words=" ".join(f"word{i}" for i in range(400)),
    )


@pytest.fixture(scope="module")
def project_root(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("pdfua"))
    (root / "sheets" / LAYOUT[0]).mkdir()
    (root / "sheets" / LAYOUT[0] / "en.md").write_text(layout_sheet())
    return root


@pytest.fixture(scope="module")
def pdfs(project_root: Path) -> dict[tuple[str, str], bytes]:
    """The main English sheet and the layout sheet, rendered once."""
    project = load_project(project_root)
    return {
        key: render_sheet(project, project.sheet(*key), Options()).pdf for key in (MAIN, LAYOUT)
    }


# -- breaking one property with pypdf ------------------------------------------


def edit(data: bytes, change) -> bytes:
    """``data`` after ``change(writer)``, written back to bytes."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def elements(writer: PdfWriter, kind: str) -> list[DictionaryObject]:
    """The structure elements of type ``kind`` in document order, editable."""
    found: list[DictionaryObject] = []

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject) or node.get("/Type") in ("/MCR", "/OBJR"):
            return
        if node.get("/S") == f"/{kind}":
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            if kid is not None and not isinstance(kid, int):
                walk(kid)

    walk(writer.root_object["/StructTreeRoot"])
    return found


def retype(kind: str, new: str, index: int = 0):
    def change(writer: PdfWriter) -> None:
        elements(writer, kind)[index][NameObject("/S")] = NameObject(f"/{new}")

    change.__name__ = f"{kind}_{index}_as_{new}"
    return change


def page_content(writer: PdfWriter, index: int, change) -> None:
    stream = writer.pages[index]["/Contents"].get_object()
    stream.set_data(change(stream.get_data()))


def first_font(writer: PdfWriter) -> DictionaryObject:
    fonts = writer.pages[0]["/Resources"]["/Font"]
    return fonts[sorted(fonts)[0]].get_object()


def first_link(writer: PdfWriter) -> DictionaryObject:
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/Link":
                return annot.get_object()
    raise AssertionError("the sample has no link annotation")


def no_mark_info(writer: PdfWriter) -> None:
    del writer.root_object["/MarkInfo"]


def no_struct_tree(writer: PdfWriter) -> None:
    del writer.root_object["/StructTreeRoot"]


def empty_parent_tree_entry(writer: PdfWriter) -> None:
    """Page 1's marked content no longer maps to any structure element."""
    nums = writer.root_object["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    assert nums[0] == 0
    nums[1] = ArrayObject()


def detached_paragraph(writer: PdfWriter) -> None:
    """A P the ParentTree still names, cut out of its parent's /K."""
    paragraph = elements(writer, "P")[1]
    parent = paragraph["/P"].get_object()
    parent[NameObject("/K")] = ArrayObject(
        kid
        for kid in parent["/K"]
        if not (isinstance(kid, IndirectObject) and kid.get_object() is paragraph)
    )


def display_doc_title_false(writer: PdfWriter) -> None:
    writer.root_object["/ViewerPreferences"][NameObject("/DisplayDocTitle")] = BooleanObject(False)


def no_dc_title(writer: PdfWriter) -> None:
    stream = writer.root_object["/Metadata"].get_object()
    xmp = stream.get_data().decode()
    stripped = re.sub(r"<dc:title>.*?</dc:title>", "", xmp, flags=re.S)
    assert stripped != xmp
    stream.set_data(stripped.encode())


def no_catalog_lang(writer: PdfWriter) -> None:
    del writer.root_object["/Lang"]


def underscore_catalog_lang(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/Lang")] = TextStringObject("en_US")


def bad_span_lang(writer: PdfWriter) -> None:
    span = next(s for s in elements(writer, "Span") if "/Lang" in s)
    span[NameObject("/Lang")] = TextStringObject("Spanish")


def li_text_without_lbody(writer: PdfWriter) -> None:
    """An hours item's text straight in its LI, as WeasyPrint's own tagger leaves
    a list item without a marker (the ParentTree follows, so only the list rule sees it)."""
    for item in elements(writer, "LI"):
        kids = item["/K"]
        body = kids[0].get_object() if len(kids) == 1 else None
        if (
            body is None
            or body["/S"] != "/LBody"
            or not all(isinstance(k, int) for k in body["/K"])
        ):
            continue
        item[NameObject("/K")] = ArrayObject(body["/K"])
        nums = writer.root_object["/StructTreeRoot"]["/ParentTree"]["/Nums"]
        for index in range(1, len(nums), 2):
            refs = nums[index].get_object()
            if not isinstance(refs, ArrayObject):
                continue
            for position, ref in enumerate(refs):
                if ref.idnum == body.indirect_reference.idnum:
                    refs[position] = item.indirect_reference
        return
    raise AssertionError("no list item holds only text in its LBody")


def no_th_scope(writer: PdfWriter) -> None:
    del elements(writer, "TH")[0]["/A"].get_object()["/Scope"]


def no_figure_alt(writer: PdfWriter) -> None:
    del elements(writer, "Figure")[0]["/Alt"]


def no_link_contents(writer: PdfWriter) -> None:
    del first_link(writer)["/Contents"]


def no_link_struct_parent(writer: PdfWriter) -> None:
    del first_link(writer)["/StructParent"]


def no_tabs(writer: PdfWriter) -> None:
    page = next(p for p in writer.pages if p.get("/Annots"))
    del page["/Tabs"]


def no_to_unicode(writer: PdfWriter) -> None:
    del first_font(writer)["/ToUnicode"]


def font_not_embedded(writer: PdfWriter) -> None:
    descendant = first_font(writer)["/DescendantFonts"][0].get_object()
    del descendant["/FontDescriptor"].get_object()["/FontFile2"]


def notdef_glyph(writer: PdfWriter) -> None:
    """The first glyph drawn with a CID font on page 1 becomes glyph 0."""

    def change(data: bytes) -> bytes:
        new = re.sub(rb"\[<[0-9a-f]{4}>", b"[<0000>", data, count=1)
        assert new != data
        return new

    page_content(writer, 0, change)


def untagged_rectangle(writer: PdfWriter) -> None:
    page_content(writer, 0, lambda data: data + b"\n0 0 10 10 re f\n")


# (rule, which PDF, how to break it, the page the finding must name or None)
BREAKS = [
    ("ua-marked", MAIN, no_mark_info, None),
    ("ua-struct-tree", MAIN, no_struct_tree, None),
    ("ua-struct-tree", MAIN, empty_parent_tree_entry, 1),
    ("ua-struct-tree", MAIN, detached_paragraph, 1),
    ("ua-metadata", MAIN, display_doc_title_false, None),
    ("ua-metadata", MAIN, no_dc_title, None),
    ("ua-lang", MAIN, no_catalog_lang, None),
    ("ua-lang", MAIN, underscore_catalog_lang, None),
    ("ua-lang", MAIN, bad_span_lang, None),
    ("ua-struct-types", MAIN, retype("P", "Paragraph"), 1),
    ("ua-list", MAIN, retype("LI", "P"), 1),  # L contains P
    ("ua-list", MAIN, retype("LBody", "P"), 1),  # LI contains P
    ("ua-list", MAIN, li_text_without_lbody, 2),  # the hours list in the help block
    ("ua-table", LAYOUT, no_th_scope, 1),
    ("ua-table", LAYOUT, retype("TD", "P"), 1),  # TR contains P
    ("ua-table", LAYOUT, retype("TR", "P"), 1),  # THead contains P
    ("ua-figure-alt", MAIN, no_figure_alt, 1),
    ("ua-headings", MAIN, retype("H1", "H3"), 1),  # the first heading is H3
    ("ua-headings", MAIN, retype("H2", "H4", 1), 1),  # H2 -> H4
    ("ua-link", MAIN, no_link_contents, 2),
    ("ua-link", MAIN, no_link_struct_parent, 2),
    ("ua-tabs", MAIN, no_tabs, 2),
    ("ua-fonts", MAIN, no_to_unicode, 1),
    ("ua-fonts", MAIN, font_not_embedded, 1),
    ("ua-notdef", MAIN, notdef_glyph, 1),
    ("ua-untagged", MAIN, untagged_rectangle, 1),
]


def test_every_ua_rule_has_a_breaking_case() -> None:
    ua_rules = {r.id for r in RULES.values() if r.id.startswith("ua-")}
    assert ua_rules == {rule for rule, *_ in BREAKS}


@pytest.mark.parametrize("key", [MAIN, LAYOUT], ids=lambda key: key[0])
def test_good_pdf_reports_nothing(pdfs, key) -> None:
    # The layout sheet has a paragraph over three pages: MCID n on its first page
    # (an integer kid) and MCID n on a later page (an MCR) must not be confused.
    assert check_pdfua(ReadPdf(pdfs[key]), "good.pdf") == []
    # A round trip through pypdf alone breaks nothing, so every failure below
    # comes from the one property the case changes.
    assert check_pdfua(ReadPdf(edit(pdfs[key], lambda writer: None)), "good.pdf") == []


@pytest.mark.parametrize(
    "rule,key,breaker,page",
    BREAKS,
    ids=[f"{rule}-{breaker.__name__}" for rule, _, breaker, _ in BREAKS],
)
def test_broken_property_is_reported(pdfs, rule, key, breaker, page) -> None:
    findings = check_pdfua(ReadPdf(edit(pdfs[key], breaker)), "broken.pdf")
    assert {f.rule for f in findings} == {rule}, findings
    assert all(f.severity == "error" and f.path == "broken.pdf" for f in findings)
    if page is not None:
        assert findings[0].page == page, findings


def test_role_map_makes_a_custom_type_standard(pdfs) -> None:
    def custom_type_with_role(writer: PdfWriter) -> None:
        retype("P", "Paragraph")(writer)
        root = writer.root_object["/StructTreeRoot"]
        root[NameObject("/RoleMap")] = DictionaryObject(
            {NameObject("/Paragraph"): NameObject("/P")}
        )

    assert check_pdfua(ReadPdf(edit(pdfs[MAIN], custom_type_with_role)), "x.pdf") == []


def test_role_map_cycle_is_not_standard(pdfs) -> None:
    def cycle(writer: PdfWriter) -> None:
        retype("P", "Para")(writer)
        writer.root_object["/StructTreeRoot"][NameObject("/RoleMap")] = DictionaryObject(
            {NameObject("/Para"): NameObject("/Block"), NameObject("/Block"): NameObject("/Para")}
        )

    findings = check_pdfua(ReadPdf(edit(pdfs[MAIN], cycle)), "x.pdf")
    assert {f.rule for f in findings} == {"ua-struct-types"}


# -- plain WeasyPrint tagging is caught ------------------------------------------

PLAIN_WEASYPRINT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import weasyprint

    from pipeline.source.loader import load_project
    from pipeline.render.html import sheet_html
    from pipeline.render.options import Options

    root, target = Path(sys.argv[1]), sys.argv[2]
    project = load_project(root)
    html = sheet_html(project, project.sheet("metastatic-breast-cancer", "en"), Options())
    weasyprint.HTML(string=html, base_url=(root / "sheets").as_uri() + "/").write_pdf(
        target, pdf_variant="pdf/ua-1"
    )
    """
)


def test_plain_weasyprint_tagging_is_caught(project_root: Path, tmp_path: Path) -> None:
    """WeasyPrint's own tagger (run in a subprocess: pipeline.render.tagging.install()
    replaces it process-wide) leaves the running footer's marked content
    without a structure parent."""
    target = tmp_path / "plain.pdf"
    subprocess.run(
        [sys.executable, "-c", PLAIN_WEASYPRINT, str(project_root), str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    findings = check_pdfua(ReadPdf(target.read_bytes()), "plain.pdf")
    assert "ua-struct-tree" in {f.rule for f in findings}
    unresolved = [f for f in findings if f.rule == "ua-struct-tree"]
    assert {f.page for f in unresolved} == {1, 2}
    assert all("does not resolve through the ParentTree" in f.message for f in unresolved)


# -- what our tagging promises ---------------------------------------------------


def structure(data: bytes) -> StructElem:
    tree = ReadPdf(data).structure
    assert tree is not None
    return tree


def pages_of(elem: StructElem) -> set[int]:
    """Page indexes (0-based) of the marked content under ``elem``."""
    return {page for kid in elem.walk() for page, _ in kid.mcids}


def test_inline_spanish_phrase_is_a_span_with_lang_es(pdfs) -> None:
    spans = [e for e in structure(pdfs[MAIN]).walk() if e.lang is not None]
    assert [(e.type, e.lang) for e in spans] == [("Span", "es")]
    assert ReadPdf(pdfs[MAIN]).lang == "en"


def marked_text(page, artifacts: bool) -> str:
    """Text shown inside /Artifact marked content (or outside it)."""
    parts: list[str] = []
    stack: list[str] = []

    def before(operator, args, cm, tm) -> None:
        if operator in (b"BMC", b"BDC"):
            stack.append(str(args[0]))
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chunk, cm, tm, font, size) -> None:
        if ("/Artifact" in stack) == artifacts:
            parts.append(chunk)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return " ".join("".join(parts).split())


def test_running_footer_is_an_artifact(pdfs) -> None:
    pdf = ReadPdf(pdfs[MAIN])
    page = pdf.reader.pages[0]
    artifacts = marked_text(page, artifacts=True)
    assert "Page 1 of 2" in artifacts
    assert "Sheet HL-MBC-01, version 3.0" in artifacts
    # The content a reader hears has neither (the sheet footer with the id is on page 2).
    for text in (content_text(page), marked_text(page, artifacts=False)):
        assert "Page 1 of 2" not in text
        assert "HL-MBC-01" not in text
    # And no margin-box text sits inside marked content with an MCID.
    operations = ContentStream(page.get_contents(), pdf.reader).operations
    stack: list[bool] = []  # True: this level carries an MCID
    for operands, operator in operations:
        if operator in (b"BMC", b"BDC"):
            props = operands[1] if operator == b"BDC" else None
            is_tag = isinstance(props, DictionaryObject) and "/MCID" in props
            stack.append(is_tag or (bool(stack) and stack[-1]))
            assert not (str(operands[0]) == "/Artifact" and stack[-1]), "artifact inside a tag"
        elif operator == b"EMC":
            stack.pop()
    assert "Page 2 of 2" in marked_text(pdf.reader.pages[1], artifacts=True)


def test_list_across_pages_is_one_l(pdfs) -> None:
    lists = [e for e in structure(pdfs[LAYOUT]).walk() if e.type == "L"]
    # The sheet's only long list; the help section's hours lists have 1 or 2 items.
    across = [lst for lst in lists if {0, 1} <= set().union(*map(pages_of, lst.kids or [lst]))]
    assert len(across) == 1, [(len(lst.kids), pages_of(lst)) for lst in lists]
    only = across[0]
    assert len(only.kids) == 60 and {kid.type for kid in only.kids} == {"LI"}
    assert pages_of(only.kids[0]) == {0} and pages_of(only.kids[-1]) == {1}
    assert [len(lst.kids) for lst in lists if lst is not only and len(lst.kids) > 2] == []


def test_table_header_cells_have_scope(pdfs) -> None:
    tree = structure(pdfs[LAYOUT])
    headers = [e for e in tree.walk() if e.type == "TH"]
    assert len(headers) == 2
    assert all(str(th.attributes.get("/Scope")) == "/Column" for th in headers)
    cells = [e for e in tree.walk() if e.type == "TD"]
    assert len(cells) == 4 and all("/Scope" not in td.attributes for td in cells)


def test_paragraph_across_pages_is_one_p(pdfs) -> None:
    pdf = ReadPdf(pdfs[LAYOUT])
    start = next(i for i, text in enumerate(pdf.page_texts) if "PARASTART" in text)
    end = next(i for i, text in enumerate(pdf.page_texts) if "PARAEND" in text)
    assert end > start, "the paragraph no longer breaks across pages"
    paragraphs = [e for e in structure(pdfs[LAYOUT]).walk() if e.type == "P"]
    split = [p for p in paragraphs if len(pages_of(p)) > 1]
    assert len(split) == 1
    # Its marked content on later pages is referenced from the same P (MCR).
    assert {page for page, _ in split[0].mcids} == set(range(start, end + 1))


def test_link_annotation_contents_is_the_link_text(pdfs) -> None:
    pdf = ReadPdf(pdfs[MAIN])
    contents = [
        str(annot.get_object()["/Contents"])
        for page in pdf.reader.pages
        for annot in page.get("/Annots") or []
    ]
    assert "Questions to Ask Your Doctor" in contents
    assert not any(text.startswith(("https://", "tel:", "mailto:")) for text in contents)
