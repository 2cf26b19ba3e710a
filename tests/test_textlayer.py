"""What a screen reader hears is the source, in every script (issue #13).

Read back in structure-tree order with /ActualText honoured (the way a
tag-based screen reader and "copy text" read a tagged PDF), every PDF must say
exactly what its source says: right-to-left runs in logical order, Indic and
Thai clusters whole, a space wherever a line ended on one, no hyphenation
hyphen inside a word, source case under text-transform. Each property is shown
two ways: the pipeline's PDF reads right, and the same PDF with its
/ActualText stripped (what WeasyPrint alone writes) reads wrong, so the test
cannot pass by accident. The gate rule `pdf-text-fidelity` is shown to fail a
PDF whose text diverges, at the source line where it does.
"""

from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, copy_project, run_cli
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pipeline.checks.fidelity import check_fidelity, expected_text
from pipeline.checks.gate import pdf_findings
from pipeline.checks.pdftext import CMap, marked_texts
from pipeline.checks.readpdf import ReadPdf, reading_form
from pipeline.render.options import Options
from pipeline.render.pdf import render_sheet
from pipeline.source.cldr import format_times
from pipeline.source.loader import load_project

SCRIPT_SHEETS = ROOT / "tests" / "script_sheets"
TEST_SLUG = "tiredness-during-treatment"
MBC = "metastatic-breast-cancer"
TEMPLATE = "styles/templates/sheet.html.j2"
CSS = "styles/harborlight/sheet.css"
SCRIPTS = ["he", "fa", "hi", "th", "ja"]


def with_script_sheets(root: Path) -> Path:
    """A project copy with the test sheets in Hebrew, Persian, Hindi, Thai, Japanese."""
    copy_project(root)
    for blocks in (SCRIPT_SHEETS / "blocks").glob("*.yaml"):
        shutil.copy(blocks, root / "sheets" / "_org" / "blocks" / blocks.name)
    shutil.copytree(SCRIPT_SHEETS / TEST_SLUG, root / "sheets" / TEST_SLUG)
    return root


def render(root: Path, slug: str, lang: str, options: Options | None = None):
    project = load_project(root)
    sheet = project.sheet(slug, lang)
    return project, sheet, render_sheet(project, sheet, options or Options()).pdf


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return with_script_sheets(tmp_path_factory.mktemp("textlayer"))


@pytest.fixture(scope="module")
def pdfs(root: Path) -> dict[str, bytes]:
    """The main sheet in en, es, ar and the test sheet in five more scripts."""
    out = {lang: render(root, MBC, lang)[2] for lang in ("en", "es", "ar")}
    out.update({lang: render(root, TEST_SLUG, lang)[2] for lang in SCRIPTS})
    return out


def sheet_of(root: Path, lang: str):
    project = load_project(root)
    return project, project.sheet(TEST_SLUG if lang in SCRIPTS else MBC, lang)


_ACTUAL = re.compile(rb"/ActualText\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))")


def without_actual_text(data: bytes) -> bytes:
    """The PDF with every /ActualText removed: the glyphs alone, as WeasyPrint wrote them."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    for page in writer.pages:
        stream = page["/Contents"].get_object()
        stream.set_data(_ACTUAL.sub(b"", stream.get_data()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- the reader ---------------------------------------------------------------------------------


def test_cmap_reads_bfchar_and_both_forms_of_bfrange() -> None:
    cmap = CMap.parse(
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"2 beginbfchar <0003> <0020> <0010> <00660069> endbfchar\n"
        b"2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<05D0> <05D1>] endbfrange\n"
    )
    assert cmap.decode(bytes.fromhex("0003 0010 0020 0021 0022 0030 0031")) == " fiABCאב"
    assert cmap.decode(bytes.fromhex("0099")) == "\ufffd"


def test_actual_text_replaces_what_is_drawn_inside_it() -> None:
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject()})

    def bdc(mcid: int, actual: str | None = None):
        props = DictionaryObject({NameObject("/MCID"): NumberObject(mcid)})
        if actual is not None:
            props[NameObject("/ActualText")] = TextStringObject(actual)
        return ([NameObject("/Span"), props], b"BDC")

    shown = ([ByteStringObject(b"\x00\x01")], b"Tj")
    operations = [
        bdc(0, "logical "),
        shown,
        ([NameObject("/Span")], b"BMC"),
        shown,
        ([], b"EMC"),
        ([], b"EMC"),
        bdc(1),
        shown,
        ([], b"EMC"),
        ([NameObject("/Artifact")], b"BMC"),
        shown,
        ([], b"EMC"),
    ]
    texts = marked_texts(operations, resources)
    assert texts == {0: "logical ", 1: "\ufffd\ufffd"}  # no font: unknown, but read


def test_reading_form_keeps_case_spaces_and_hyphens() -> None:
    assert reading_form("  What\u00ad is\n it?\u200f ") == "What is it?"
    assert reading_form("ﬁne") == "fine"
    assert reading_form("work\u2010ing") != reading_form("working")
    assert reading_form("WHAT") != reading_form("What")


# -- every sample PDF and every test script reads as its source ---------------------------------


def test_every_sample_pdf_reads_as_its_source(catalog: Path) -> None:
    project = load_project(catalog)
    for (slug, lang), sheet in project.sheets.items():
        for name in (f"{slug}.pdf", f"{slug}.large-print.pdf"):
            text = ReadPdf((catalog / "output" / lang / name).read_bytes()).text
            assert check_fidelity(text, sheet, name) == [], (lang, name)
            assert "\u2010" not in text, (lang, name)


@pytest.mark.parametrize("lang", SCRIPTS)
def test_test_sheets_pass_the_whole_gate(root: Path, pdfs, lang: str) -> None:
    project, sheet = sheet_of(root, lang)
    assert pdf_findings(project, sheet, pdfs[lang], f"{lang}.pdf") == []


@pytest.mark.parametrize("lang", ["en", "es", "ar", "he", "fa", "hi", "th"])
def test_glyphs_alone_diverge_and_the_gate_says_where(root: Path, pdfs, lang: str) -> None:
    """Without /ActualText the same PDF reads wrong in every one of these scripts
    (glued words, capitals, reversed runs, lost vowel signs), and the gate names
    a source line of the sheet."""
    project, sheet = sheet_of(root, lang)
    findings = check_fidelity(ReadPdf(without_actual_text(pdfs[lang])).text, sheet, "x.pdf")
    assert [f.rule for f in findings] == ["pdf-text-fidelity"]
    assert findings[0].path == sheet.display
    lines = {expected.line for expected in expected_text(sheet)}
    assert findings[0].line in lines


def test_right_to_left_runs_read_in_logical_order(pdfs) -> None:
    pdf = ReadPdf(pdfs["ar"])
    assert "ما هو؟" in pdf.page_texts[0]
    assert "في عام 2020، كان في الولايات المتحدة أكثر من 168,000 امرأة" in reading_form(pdf.text)
    glyphs = ReadPdf(without_actual_text(pdfs["ar"])).page_texts[0]
    assert "ما هو؟" not in glyphs and "؟وه ام" in glyphs  # what WeasyPrint alone gives
    for lang, words in (("he", "עייפות בזמן הטיפול"), ("fa", "خستگی در دوران درمان")):
        assert words in ReadPdf(pdfs[lang]).page_texts[0]


def test_complex_script_clusters_read_whole(pdfs) -> None:
    hindi = reading_form(ReadPdf(pdfs["hi"]).text)
    assert "पिछली समीक्षा: 6 मार्च 2026" in hindi
    assert "ज़्यादातर दिनों में 10 से 15 मिनट की छोटी सैर करें।" in hindi
    assert "การพักผ่อนไม่ได้ช่วยให้หายไปทุกครั้ง" in ReadPdf(pdfs["th"]).text
    assert "休んでもいつも消えるとは限りません。" in ReadPdf(pdfs["ja"]).text


def glued_words(sheet, text: str) -> list[str]:
    """Words of ``text`` that are two consecutive words of the sheet run together."""
    lines = [expected.text for expected in expected_text(sheet)]
    words = set(" ".join(lines).split())
    joins = {a + b for line in lines for a, b in zip(line.split(), line.split()[1:], strict=False)}
    return [word for word in reading_form(text).split() if word in joins - words]


def test_lines_end_with_their_space_and_hyphenation_adds_no_hyphen(root: Path, pdfs) -> None:
    for lang in ("en", "es"):
        project, sheet = sheet_of(root, lang)
        glyphs = ReadPdf(without_actual_text(pdfs[lang])).text
        text = ReadPdf(pdfs[lang]).text
        # The layout does hyphenate, and lines do end on spaces WeasyPrint drops ...
        assert "\u2010" in glyphs and glued_words(sheet, glyphs), lang
        # ... and none of it reaches what a reader hears.
        assert "\u2010" not in text and glued_words(sheet, text) == [], lang


def test_text_transform_keeps_the_source_case(pdfs) -> None:
    assert "WHAT IS IT?" in ReadPdf(without_actual_text(pdfs["en"])).page_texts[0]
    first = ReadPdf(pdfs["en"]).page_texts[0].splitlines()
    assert "What Is It?" in first and "WHAT IS IT?" not in first


def test_a_shared_hyphen_glyph_reads_as_the_source_character(pdfs) -> None:
    for lang, data in pdfs.items():
        assert "1-877-555-0142" in ReadPdf(data).text, lang


def test_any_text_transform_keeps_the_source_case(tmp_path: Path) -> None:
    """Capitals, small letters and full-width forms on every paragraph and item."""
    root = copy_project(tmp_path)
    css = root / CSS
    css.write_text(
        css.read_text()
        + "\np { text-transform: uppercase; }\nli { text-transform: lowercase; }\n"
        + "h2 { text-transform: full-width; }\n"
    )
    project, sheet, data = render(root, MBC, "es")
    glyphs = ReadPdf(without_actual_text(data)).text
    assert "EL CÁNCER DE MAMA METASTÁSICO ES" in glyphs and "¿Ｑｕé ｅｓ？" in glyphs
    findings = pdf_findings(project, sheet, data, "es.pdf")
    assert [f.rule for f in findings if f.rule != "pdf-pages"] == []  # capitals take room


def test_align_maps_transformed_text_back_to_its_source() -> None:
    from pipeline.render.textlayer import align

    def style(transform: str, lang: str = "de") -> dict:
        return {"text_transform": transform, "lang": lang}

    source = "Straße zu"
    shown = "STRASSE ZU"
    mapping = align(source, shown, style("uppercase"))
    assert len(mapping) == len(shown) + 1
    assert source[mapping[0] : mapping[shown.index(" ")]] == "Straße"
    assert source[mapping[shown.index("Z")] :] == "zu"
    greek = align("άι όχι", "ΑΪ ΟΧΙ", style("uppercase", "el"))
    assert greek[3] == 3  # the space after the diphthong
    assert align("ab\u00adcd", "abcd", style("none")) == [0, 1, 3, 4, 5]


# -- the gate rule ------------------------------------------------------------------------------


def test_fidelity_names_the_first_divergence_and_its_line(root: Path, pdfs) -> None:
    project, sheet = sheet_of(root, "en")
    text = ReadPdf(pdfs["en"]).text
    assert check_fidelity(text, sheet, "en.pdf") == []
    glued = text.replace("that has spread", "thathas spread", 1)
    (finding,) = check_fidelity(glued, sheet, "en.pdf")
    source = (ROOT / "sheets" / MBC / "en.md").read_text().splitlines()
    assert "that has spread" in source[finding.line - 1]
    assert finding.location == f"sheets/{MBC}/en.md:{finding.line}"
    assert "reads 'thathas spread past" in finding.message
    assert "where the source has 'that has spread past" in finding.message
    assert "(after '…breast cancer')" in finding.message


def test_fidelity_reports_text_read_out_of_order(root: Path, pdfs) -> None:
    project, sheet = sheet_of(root, "en")
    text = ReadPdf(pdfs["en"]).text
    first, second = "Who gets it?", "Where it can spread"
    swapped = text.replace(first, "\0").replace(second, first).replace("\0", second)
    (finding,) = check_fidelity(swapped, sheet, "en.pdf")
    assert "read out of order" in finding.message
    source = (ROOT / "sheets" / MBC / "en.md").read_text().splitlines()
    start, end = source.index(f"## {first}") + 1, source.index(f"## {second}") + 1
    assert start <= finding.line < end  # a block of the section read too late


def test_fidelity_reads_the_structure_tree_not_the_page(pdfs, root: Path) -> None:
    """Two paragraphs swapped in the structure tree, the page untouched: the gate fails."""
    project, sheet = sheet_of(root, "en")
    writer = PdfWriter(clone_from=io.BytesIO(pdfs["en"]))

    def sections(node, out):
        node = node.get_object()
        if isinstance(node, DictionaryObject) and node.get("/S") == "/Sect":
            out.append(node)
        kids = node.get("/K") if isinstance(node, DictionaryObject) else None
        for kid in kids if isinstance(kids, ArrayObject) else []:
            if not isinstance(kid, int):
                sections(kid, out)
        return out

    first = sections(writer.root_object["/StructTreeRoot"], [])[0]
    kids = first["/K"]
    kids[1], kids[2] = kids[2], kids[1]  # the first section's two paragraphs
    out = io.BytesIO()
    writer.write(out)
    findings = pdf_findings(project, sheet, out.getvalue(), "en.pdf")
    assert [f.rule for f in findings] == ["pdf-text-fidelity"]
    assert "read out of order" in findings[0].message


@pytest.mark.slow
def test_build_refuses_a_template_that_changes_the_title_case(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    template = root / TEMPLATE
    template.write_text(
        template.read_text().replace("<h1>{{ title }}</h1>", "<h1>{{ title|upper }}</h1>")
    )
    result = run_cli(root, "build", MBC, "--lang", "en", "--jobs", "1")
    assert result.returncode == 1
    assert f"sheets/{MBC}/en.md:3: error:" in result.stderr
    assert "[pdf-text-fidelity]" in result.stderr
    assert not (root / "output" / "en" / f"{MBC}.pdf").exists()


# -- right-to-left hours are matched in order (issue #12, item 4) --------------------------------


def words(text: str) -> list[str]:
    """Letters and digit runs: the bag of words the old right-to-left check compared."""
    return re.findall(r"\d+|[^\W\d_]+", text)


@pytest.mark.parametrize("lang", ["ar", "fa", "he"])
def test_swapped_opening_and_closing_times_fail(tmp_path: Path, lang: str, monkeypatch) -> None:
    """The same words in another order: a bag-of-words match would pass it."""
    from markupsafe import escape

    from pipeline.render import html

    # The hours lines as plain text, so that the template's replace finds the times
    # (they are otherwise kept whole in spans, source/linebreak.py).
    monkeypatch.setattr(html, "protect_html", lambda text, guard: str(escape(text)))
    root = with_script_sheets(tmp_path)
    project = load_project(root)
    spans = [span for channel in project.org.channels for span in channel.hours.open]
    swaps = {}
    for span in spans:
        right = format_times(span, lang)
        wrong = format_times(SimpleNamespace(opens=span.closes, closes=span.opens), lang)
        assert Counter(words(right)) == Counter(words(wrong)) and right != wrong
        swaps[right] = wrong
    filters = "".join(f' | replace("{a}", "{b}")' for a, b in swaps.items())
    template = root / TEMPLATE
    template.write_text(
        template.read_text().replace("<li>{{ line }}</li>", f"<li>{{{{ line{filters} }}}}</li>")
    )
    project, sheet, data = render(root, TEST_SLUG if lang in SCRIPTS else MBC, lang)
    rules = Counter(f.rule for f in pdf_findings(project, sheet, data, "x.pdf"))
    assert rules == {"pdf-hours": 3}


# -- structure ---------------------------------------------------------------------------------


def structure(data: bytes):
    return ReadPdf(data).structure


def test_list_items_hold_their_text_in_lbody(pdfs) -> None:
    for lang, data in pdfs.items():
        items = [e for e in structure(data).walk() if e.type == "LI"]
        assert items, lang
        for item in items:
            assert not item.mcids, lang
            assert [k.type for k in item.kids] in (["LBody"], ["Lbl", "LBody"]), lang
    pdf = ReadPdf(pdfs["en"])
    bodies = [e for e in pdf.structure.walk() if e.type == "LBody"]
    read = [reading_form("".join(pdf.marked_text(p)[m] for p, m in b.mcids)) for b in bodies]
    hours = [text for text in read if "9 AM" in text]
    assert len(hours) == 3


def test_running_footers_are_pagination_footer_artifacts(pdfs) -> None:
    reader = PdfReader(io.BytesIO(pdfs["en"]))
    for page in reader.pages:
        artifacts = [
            operands[1]
            for operands, operator in page.get_contents().operations
            if operator == b"BDC" and operands[0] == "/Artifact"
        ]
        kinds = [(str(a.get("/Type")), str(a.get("/Subtype"))) for a in artifacts]
        assert kinds.count(("/Pagination", "/Footer")) == 2, kinds  # sheet id, page number


def test_figure_bbox_is_where_the_logo_is_on_the_page(pdfs) -> None:
    """PDF user space: points from the bottom left. The logo is 38 pt square at
    the top of the page, at the left in English and at the right in Arabic."""
    for lang, side in (("en", "left"), ("ar", "right")):
        reader = PdfReader(io.BytesIO(pdfs[lang]))
        width, height = (float(v) for v in reader.pages[0].mediabox[2:])
        figures = [e for e in structure(pdfs[lang]).walk() if e.type == "Figure"]
        x1, y1, x2, y2 = (float(v) for v in figures[0].attributes["/BBox"])
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height, lang
        assert abs((x2 - x1) - 38) < 0.5 and abs((y2 - y1) - 38) < 0.5, lang
        assert y2 > height - 72, lang  # within an inch of the top
        assert (x2 < width / 2) if side == "left" else (x1 > width / 2), lang


def test_lists_say_how_they_are_numbered(pdfs) -> None:
    for lang in SCRIPTS:
        numbering = [
            str(e.attributes.get("/ListNumbering"))
            for e in structure(pdfs[lang]).walk()
            if e.type == "L"
        ]
        assert numbering.count("/Decimal") == 1, (lang, numbering)  # "What can help"
        assert "/Disc" in numbering and "/None" in numbering  # bullets; the hours


def test_a_paragraph_holding_only_a_decorative_image_is_no_element(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    shutil.copy(root / "styles" / "harborlight" / "logo.svg", root / "sheets" / MBC / "rule.svg")
    sheet = root / "sheets" / MBC / "en.md"
    sheet.write_text(
        sheet.read_text().replace(
            "## Who gets it?", "![](rule.svg){.decorative}\n\n## Who gets it?"
        )
    )
    project, sheet, data = render(root, MBC, "en")
    assert pdf_findings(project, sheet, data, "en.pdf") == []
    empty = [e.type for e in structure(data).walk() if not e.order]
    assert empty == []
    page = PdfReader(io.BytesIO(data)).pages[0]
    layout = [
        operands
        for operands, operator in page.get_contents().operations
        if operator == b"BDC"
        and operands[0] == "/Artifact"
        and operands[1].get("/Type") == "/Layout"
    ]
    assert layout  # the image itself is a layout artifact


def test_qr_alt_text_is_in_the_sheets_language(root: Path) -> None:
    from pipeline.render.qr import qr_context

    project = load_project(root)
    for (slug, lang), sheet in sorted(project.sheets.items()):
        labels = project.blocks[lang].labels
        assert "qr_alt" in labels.model_fields_set, lang
        alt = qr_context(project, sheet)["alt"]
        assert alt.endswith(f"/{lang}/{slug}.pdf")
        if lang != "en":
            assert not alt.startswith("QR code: "), lang


# -- any line break, any inline markup: a sweep of widths -----------------------------------------

SWEEP = [
    (
        "en",
        "none",
        "Call <b>our</b> <i>helpline</i> at <a href='tel:+18775550142'>1-877-555-0142</a>, or "
        "<span lang='es'>se habla español</span> <b>every</b> <em>single</em> day. "
        "Extraordinarily long-winded words like incomprehensibilities, <b>un</b>believable "
        "fragments<i> with</i> spaces <b>inside </b>tags, a hard<br>break, light&shy;house "
        "keep&shy;ers and ﬁne oﬃce ligatures.",
    ),
    (
        "ar",
        "none",
        "في عام 2020، كان <b>في</b> الولايات المتحدة <i>أكثر من</i> 168,000 امرأة يعشن مع "
        "<a href='https://x.example'>سرطان الثدي</a> النقيلي (IV). ومعظمهن أُصبن أولًا.",
    ),
    (
        "hi",
        "none",
        "कैंसर के इलाज के <b>दौरान</b> बहुत से लोग बहुत ज़्यादा थकान महसूस करते हैं। इस <i>थकान</i> "
        "को कैंसर से जुड़ी थकान कहते हैं, और आराम करने से यह हमेशा दूर नहीं होती।",
    ),
    (
        "th",
        "none",
        "หลายคนรู้สึกเหนื่อยมาก<b>ระหว่าง</b>การรักษามะเร็ง อาการแบบนี้เรียกว่าภาวะเหนื่อยล้าจากมะเร็ง "
        "และการพักผ่อน<i>ไม่ได้</i>ช่วยให้หายไปทุกครั้ง",
    ),
    ("de", "uppercase", "Die Straße ist groß, und die Fußgänger gehen über die Brücke zur Schule."),
    ("el", "uppercase", "Η άιδα και οι όροι της ζωής είναι άυλοι και όμορφοι."),
    ("tr", "uppercase", "İstanbul ve izmir şehirleri çok güzel ve kalabalıktır."),
]


@pytest.mark.slow
@pytest.mark.parametrize("lang,transform,markup", SWEEP, ids=[case[0] for case in SWEEP])
def test_every_line_break_keeps_the_source_text(lang: str, transform: str, markup: str) -> None:
    """The same paragraph laid out at many widths, justified and hyphenated, so
    that lines break inside words, at spaces inside and between inline elements,
    after a <br> and at soft hyphens: it always reads as its source."""
    from weasyprint import HTML

    from pipeline.render.tagging import install

    install()
    source = reading_form(html_text(markup))
    direction = "rtl" if lang == "ar" else "ltr"
    for width in range(60, 400, 23):
        html = (
            f"<html lang='{lang}' dir='{direction}'><body style='margin: 0'>"
            f"<p style='width: {width}px; hyphens: auto; text-align: justify; "
            f"text-transform: {transform}; font-family: Noto Sans, Noto Naskh Arabic, "
            f"Noto Sans Devanagari, Noto Sans Thai'>{markup}</p></body></html>"
        )
        text = ReadPdf(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")).text
        assert reading_form(text) == source, (width, text)


def html_text(markup: str) -> str:
    """What the markup says, as a browser's textContent would (a <br> is a break)."""
    from xml.etree import ElementTree

    element = ElementTree.fromstring(
        "<p>" + markup.replace("<br>", "<br/>").replace("&shy;", "\u00ad") + "</p>"
    )
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return "".join(element.itertext())


@pytest.mark.slow
def test_verapdf_passes_the_test_sheets_in_every_script(pdfs, tmp_path: Path) -> None:
    from conftest import run_verapdf, verapdf_available

    reason = verapdf_available()
    if reason:
        pytest.skip(reason)
    paths = []
    for lang in SCRIPTS:
        paths.append(tmp_path / f"{lang}.pdf")
        paths[-1].write_bytes(pdfs[lang])
    result = run_verapdf(*paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASS ") == len(paths), result.stdout
