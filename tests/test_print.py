"""Print coordinators and clinics: paper sizes, print marks, QR codes, packets,
booklets and clinic imprints, each checked by reading the produced PDFs back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_project, run_cli, run_verapdf, verapdf_available
from pypdf import PdfReader
from pypdf.generic import ContentStream

from pipeline.build.keys import job_key
from pipeline.build.plan import Job
from pipeline.checks.gate import pdf_findings
from pipeline.checks.packet import packet_findings
from pipeline.checks.readpdf import ReadPdf, contains
from pipeline.errors import InputError
from pipeline.publish.booklet import booklet_order
from pipeline.render.options import BLEED_MM, MARKS_MM
from pipeline.render.packet import render_packet
from pipeline.render.qr import publish_url
from pipeline.source.clinics import load_clinic
from pipeline.source.loader import load_project
from pipeline.source.packets import load_packet
from pipeline.source.texts import sheet_texts

MBC = "metastatic-breast-cancer"
QUESTIONS = "questions-to-ask-your-doctor"
PACKET = "sheets/_packets/newly-diagnosed.yaml"
MM = 72 / 25.4
SIZES = {"letter": (612, 792), "a4": (595.28, 841.89)}
BAND = (0x0B, 0x3D, 0x5C)  # brand.yaml: band

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="needs pdftoppm and pdftotext (Debian: poppler-utils)",
)


# -- one project, built once per feature ---------------------------------------------------


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("print"))


@pytest.fixture(scope="module")
def papers(root: Path) -> Path:
    args = ("-l", "en", "-l", "es", "--paper", "letter", "--paper", "a4", "--jobs", "2")
    run_cli(root, "build", MBC, *args, check=True)
    return root / "output"


@pytest.fixture(scope="module")
def printed(root: Path) -> Path:
    variants = ("--variant", "standard", "--variant", "large-print")
    run_cli(root, "build", MBC, "-l", "en", "-l", "es", *variants, "--print-marks", check=True)
    return root / "output"


@pytest.fixture(scope="module")
def with_qr(root: Path) -> Path:
    run_cli(root, "build", MBC, "-l", "en", "--qr", check=True)
    return root / "output"


@pytest.fixture(scope="module")
def imprinted(root: Path) -> Path:
    run_cli(root, "build", "-l", "en", "--imprint", "eastside", "--jobs", "2", check=True)
    return root / "output"


@pytest.fixture(scope="module")
def packet(root: Path) -> Path:
    run_cli(root, "bundle", PACKET, "--booklet", check=True)
    return root / "output" / "packets"


@pytest.fixture(scope="module")
def project(root: Path):
    return load_project(root)


def box(page, name: str) -> list[float]:
    return [float(v) for v in page[name]]


def page_text(path: Path, page: int) -> str:
    """Everything printed on a page, artifacts (running footers) included."""
    return PdfReader(path).pages[page - 1].extract_text()


# -- 1. paper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_main_sheet_keeps_two_pages_on_either_paper(papers: Path, lang: str, paper: str) -> None:
    name = MBC if paper == "letter" else f"{MBC}.a4"  # letter is org.yaml's default
    reader = PdfReader(papers / lang / f"{name}.pdf")
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert box(page, "/MediaBox") == pytest.approx([0, 0, *SIZES[paper]], abs=0.01)


# -- 2. print marks -----------------------------------------------------------------------


def print_pdf(out: Path, lang: str = "en", variant: str = "standard") -> Path:
    name = MBC if variant == "standard" else f"{MBC}.{variant}"
    return out / lang / f"{name}.print.pdf"


def test_print_copy_has_trim_bleed_and_room_for_marks(printed: Path) -> None:
    bleed, marks = BLEED_MM * MM, MARKS_MM * MM
    for page in PdfReader(print_pdf(printed)).pages:
        assert box(page, "/TrimBox") == pytest.approx([0, 0, 612, 792], abs=0.01)
        assert box(page, "/BleedBox") == pytest.approx(
            [-bleed, -bleed, 612 + bleed, 792 + bleed], abs=0.01
        )
        assert box(page, "/MediaBox") == pytest.approx(
            [-marks, -marks, 612 + marks, 792 + marks], abs=0.01
        )
        assert marks >= bleed + 6  # the marks need room beyond the bleed


def test_print_copies_are_their_own_files(printed: Path, papers: Path) -> None:
    manifest = json.loads((printed / "manifest.json").read_text())
    entries = {entry["path"]: entry for entry in manifest["pdfs"]}
    assert entries[f"en/{MBC}.print.pdf"]["print_marks"] is True
    assert entries[f"en/{MBC}.pdf"]["print_marks"] is False
    plain = PdfReader(papers / "en" / f"{MBC}.pdf").pages[0]
    assert box(plain, "/TrimBox") == box(plain, "/MediaBox")  # no bleed, no marks


def render_png(pdf: Path, page: int, dpi: int, target: Path):
    """One page as an image, as a print shop's RIP would see it (the whole MediaBox)."""
    from PIL import Image

    base = target / f"{pdf.stem}-{page}-{dpi}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(pdf), str(base)],
        check=True,
        timeout=120,
    )
    return Image.open(f"{base}.png").convert("RGB")


def is_band(pixel: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel, BAND, strict=True))


@needs_poppler
def test_header_band_runs_into_the_bleed_and_marks_stay_outside_it(
    printed: Path, tmp_path: Path
) -> None:
    image = render_png(print_pdf(printed), 1, 72, tmp_path)  # 1 px = 1 pt
    width, height = image.size
    marks, bleed = MARKS_MM * MM, BLEED_MM * MM
    trim_left, trim_top, trim_right = marks, marks, width - marks
    in_bleed = bleed / 2
    row = round(trim_top + 30)  # inside the band, below the trim line
    assert is_band(image.getpixel((round(trim_left - in_bleed), row)))  # left bleed
    assert is_band(image.getpixel((round(trim_right + in_bleed), row)))  # right bleed
    assert is_band(image.getpixel((width // 2, round(trim_top - in_bleed))))  # top bleed
    assert image.getpixel((round(trim_left - bleed - 3), row)) == (255, 255, 255)  # beyond it
    # Crop marks: dark strokes on the trim lines, in the room outside the bleed.
    for x_range, y in (
        (range(0, round(trim_left - bleed - 1)), round(trim_top)),
        (range(round(trim_right + bleed + 1), width), round(trim_top)),
        (range(0, round(trim_left - bleed - 1)), round(height - marks)),
    ):
        assert any(
            max(image.getpixel((x, yy))) < 128 for x in x_range for yy in (y - 1, y, y + 1)
        ), (x_range, y)


def test_crop_marks_are_artifacts(printed: Path) -> None:
    """WeasyPrint paints the marks with the page background: a form XObject
    inside /Artifact marked content, so readers and validators skip it."""
    reader = PdfReader(print_pdf(printed))
    page = reader.pages[0]
    stack: list[str] = []
    artifact_forms = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator in (b"BMC", b"BDC"):
            stack.append(str(operands[0]))
        elif operator == b"EMC":
            stack.pop()
        elif operator == b"Do" and "/Artifact" in stack:
            artifact_forms.append(page["/Resources"]["/XObject"][operands[0]].get_object())
    strokes = [
        form
        for form in artifact_forms
        if any(op in (b"S", b"B") for _, op in ContentStream(form, reader).operations)
    ]
    assert strokes, "no stroked artifact (crop marks) on the page"


@pytest.mark.parametrize("variant", ["standard", "large-print"])
@pytest.mark.parametrize("lang", ["en", "es"])
@needs_poppler
def test_text_stays_a_quarter_inch_inside_the_trim(printed: Path, lang: str, variant: str) -> None:
    path = print_pdf(printed, lang, variant)
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    safe = MARKS_MM * MM + 18  # media edge -> trim, then 1/4 in
    pages = xml.split("<page ")[1:]
    assert pages
    for number, page in enumerate(pages, 1):
        width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', page)[:2])
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            inside = (
                float(x0) >= safe
                and float(y0) >= safe
                and float(x1) <= width - safe
                and float(y1) <= height - safe
            )
            assert inside, f"page {number}: '{word}' at {x0},{y0}-{x1},{y1}"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_print_copies_pass_the_gate_in_two_pages(printed: Path, project, lang: str) -> None:
    path = print_pdf(printed, lang)
    data = path.read_bytes()
    assert len(PdfReader(path).pages) == 2
    assert pdf_findings(project, project.sheet(MBC, lang), data, str(path)) == []


# -- 3. QR code -----------------------------------------------------------------------------


def decode_qr(pdf: Path, tmp_path: Path) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="pip install zxing-cpp (the dev extra)")
    image = render_png(pdf, 1, 300, tmp_path)
    return [code.text for code in zxingcpp.read_barcodes(image)]


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "es"])
def test_printed_qr_code_decodes_to_the_online_pdf(
    printed: Path, project, lang: str, tmp_path: Path
) -> None:
    url = publish_url(project, lang, MBC)
    assert url == f"https://www.harborlight.example/factsheets/{lang}/{MBC}.pdf"
    assert decode_qr(print_pdf(printed, lang), tmp_path) == [url]


@needs_poppler
def test_qr_flag_adds_the_code_to_a_normal_copy(with_qr: Path, project, tmp_path: Path) -> None:
    path = with_qr / "en" / f"{MBC}.qr.pdf"
    assert len(PdfReader(path).pages) == 2
    assert decode_qr(path, tmp_path) == [publish_url(project, "en", MBC)]
    assert pdf_findings(project, project.sheet(MBC, "en"), path.read_bytes(), str(path)) == []


@pytest.mark.parametrize("lang,alt", [("en", "QR code: "), ("es", "Código QR: ")])
def test_qr_code_is_a_figure_with_alt_text_and_its_url_printed(
    printed: Path, project, lang: str, alt: str
) -> None:
    pdf = ReadPdf(print_pdf(printed, lang).read_bytes())
    url = publish_url(project, lang, MBC)
    figures = [e.alt for e in pdf.structure.walk() if e.type == "Figure"]
    assert alt + url in figures
    assert contains(pdf.page_texts[0], url)  # the caption: real text, not an artifact


def test_a_normal_copy_has_no_qr_code(papers: Path) -> None:
    pdf = ReadPdf((papers / "en" / f"{MBC}.pdf").read_bytes())
    assert not any("QR" in (e.alt or "") for e in pdf.structure.walk())


# -- 4. packets -------------------------------------------------------------------------------


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def test_packet_is_one_document_with_cover_contents_and_bookmarks(packet: Path) -> None:
    reader = PdfReader(packet / "newly-diagnosed.pdf")
    marks = outline(reader)
    assert marks[0] == (0, "Newly Diagnosed", 0)
    top = [(title, page) for depth, title, page in marks if depth == 1]
    assert [title for title, _ in top] == [
        "Contents",
        "What Is It?",
        "Questions to Ask Your Doctor",
    ]
    sections = [title for depth, title, _ in marks if depth == 2]
    for title in ("What is it?", "Treatment goals", "About your diagnosis", "Tips for your visit"):
        assert title in sections
    assert sections.count("Talk with us") == 2  # each sheet keeps its own help block


def test_packet_headings_never_skip(packet: Path) -> None:
    pdf = ReadPdf((packet / "newly-diagnosed.pdf").read_bytes())
    levels = [int(e.type[1]) for e in pdf.structure.walk() if re.fullmatch(r"H[1-6]", e.type)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert levels.count(2) == 3  # Contents and the two sheet titles


def test_packet_numbers_pages_across_sheets_and_contents_point_at_them(packet: Path) -> None:
    path = packet / "newly-diagnosed.pdf"
    count = len(PdfReader(path).pages)
    assert "Page" not in page_text(path, 1)  # the cover has no footer
    for number in range(2, count + 1):
        assert f"Page {number} of {count}" in page_text(path, number)
    contents = page_text(path, 2)
    starts = {title: page + 1 for depth, title, page in outline(PdfReader(path)) if depth == 1}
    assert re.search(rf"What Is It\?\s*{starts['What Is It?']}\b", contents), contents
    assert re.search(
        rf"Questions to Ask Your Doctor\s*{starts['Questions to Ask Your Doctor']}\b", contents
    )
    # The running footer names the sheet on its pages.
    assert "Sheet HL-MBC-01, version 3.0" in page_text(path, starts["What Is It?"])
    assert "Sheet HL-MBC-02, version 1.2" in page_text(path, count)


def test_packet_contents_entries_are_links_to_their_sheets(packet: Path) -> None:
    """Each entry of the table of contents (a flex item, whose link WeasyPrint 70
    drops) is a Link element with an annotation that goes to its sheet's first page."""
    path = packet / "newly-diagnosed.pdf"
    reader = PdfReader(path)
    pdf = ReadPdf(path.read_bytes())
    starts = {title: page for depth, title, page in outline(reader) if depth == 1}
    links = [e for e in pdf.structure.walk() if e.type == "Link"][:2]
    for link, title in zip(links, ["What Is It?", "Questions to Ask Your Doctor"], strict=True):
        entry = f"Metastatic Breast Cancer: {title}"
        assert "".join(pdf.marked_text(p)[m] for p, m in link.all_mcids()) == entry
        (annotation,) = [ref.get_object() for ref in link.objrefs]
        assert annotation["/Subtype"] == "/Link" and annotation["/Contents"] == entry
        destination = reader.named_destinations[str(annotation["/Dest"])]
        assert reader.get_destination_page_number(destination) == starts[title]


def test_packet_passes_the_gate_with_every_sheets_elements(packet: Path, project) -> None:
    data = (packet / "newly-diagnosed.pdf").read_bytes()
    loaded = load_packet(project, project.root / PACKET)
    assert packet_findings(project, loaded, data, "packet.pdf") == []
    pdf = ReadPdf(data)
    assert pdf.lang == "en" and pdf.info["/Title"] == "Newly Diagnosed"
    for sheet in loaded.sheets:
        texts = sheet_texts(project, sheet)
        for expected in (texts.disclaimer, texts.reviewed, texts.next_review, texts.ident):
            assert contains(pdf.text, expected), expected


def test_packet_manifest_entry(packet: Path) -> None:
    data = json.loads((packet / "manifest.json").read_text())
    (entry,) = data["packets"]
    assert entry["path"] == "packets/newly-diagnosed.pdf"
    assert entry["pages"] == len(PdfReader(packet / "newly-diagnosed.pdf").pages)
    assert [s["sheet_id"] for s in entry["sheets"]] == ["HL-MBC-01", "HL-MBC-02"]
    assert entry["booklet"]["path"] == "packets/newly-diagnosed.booklet.pdf"
    # The sheets' own manifest (catalog, `factsheet check`) lists sheets only.
    sheets = json.loads((packet.parent / "manifest.json").read_text())["pdfs"]
    assert all(not e["path"].startswith("packets/") for e in sheets)


def test_packet_gate_checks_each_sheet_on_its_own_pages(tmp_path: Path) -> None:
    """The second sheet's help block hidden: its hours are missing from its pages,
    though the first sheet's help block still has them."""
    root = copy_project(tmp_path)
    with open(root / "styles/harborlight/sheet.css", "a") as css:
        css.write("\n.packet-sheet + .packet-sheet .help { display: none; }\n")
    project = load_project(root)
    loaded = load_packet(project, root / PACKET)
    rendered = render_packet(project, loaded)
    found = packet_findings(project, loaded, rendered.pdf, "packet.pdf")
    assert {f.rule for f in found} == {"pdf-hours"}
    assert contains(ReadPdf(rendered.pdf).text, "Monday – Thursday, 9 AM – 7 PM ET")


@pytest.mark.parametrize(
    "edit,expected",
    [
        (
            ("  - questions-to-ask-your-doctor", "  - questions-to-ask-your-doktor"),
            f"{PACKET}:7: error: no sheet 'questions-to-ask-your-doktor' "
            "(hint: did you mean 'questions-to-ask-your-doctor'?)",
        ),
        (
            ("lang: en", "lang: vi"),
            f"{PACKET}:7: error: sheet 'questions-to-ask-your-doctor' has no 'vi' version",
        ),
        (("cover: true", "cover: yes please"), f"{PACKET}:8: error: cover:"),
        (("toc: true", "contents: true"), f"{PACKET}:9: error: unknown key 'contents' in packet"),
    ],
)
def test_bad_packet_is_one_clear_line(tmp_path: Path, edit, expected: str) -> None:
    root = copy_project(tmp_path)
    path = root / PACKET
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]))
    result = run_cli(root, "bundle", PACKET)
    assert result.returncode == 1
    assert result.stderr.startswith(expected), result.stderr
    assert not (root / "output" / "packets").exists()


def test_bundle_out_writes_the_named_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    target = tmp_path / "hand-out.pdf"
    result = run_cli(root, "bundle", PACKET, "--out", str(target), check=True)
    assert str(target) in result.stdout
    assert PdfReader(target).metadata["/Title"] == "Newly Diagnosed"
    assert not (root / "output").exists()


# -- 5. booklet -------------------------------------------------------------------------------


def test_booklet_order_pads_to_a_multiple_of_four() -> None:
    assert booklet_order(4) == [(4, 1), (2, 3)]
    assert booklet_order(6) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert len(booklet_order(9)) == 6  # 12 pages, three paper sheets
    assert booklet_order(9)[0] == (12, 1)


@needs_poppler
def test_booklet_sides_carry_the_pages_in_folding_order(packet: Path) -> None:
    source = PdfReader(packet / "newly-diagnosed.pdf")
    count = len(source.pages)
    width, height = (float(v) for v in source.pages[0].mediabox[2:])
    path = packet / "newly-diagnosed.booklet.pdf"
    booklet = PdfReader(path)
    order = booklet_order(count)
    assert len(booklet.pages) == len(order)

    def page_on(side: int, half: int) -> int | None:
        text = subprocess.run(
            ["pdftotext", "-f", str(side), "-l", str(side), "-x", str(round(half * width))]
            + ["-y", "0", "-W", str(round(width)), "-H", str(round(height)), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = re.search(rf"Page (\d+) of {count}", text)
        if found:
            return int(found[1])
        if "Newly Diagnosed" in text:  # pdftotext reads /ActualText: the source case
            return 1  # the cover carries no page number
        assert not text.strip(), text
        return None

    for side, (left, right) in enumerate(order, 1):
        page = booklet.pages[side - 1]
        assert float(page.mediabox.width) == pytest.approx(2 * width)
        expected = [n if n <= count else None for n in (left, right)]
        assert [page_on(side, 0), page_on(side, 1)] == expected, side


# -- 6. clinic imprints -----------------------------------------------------------------------


def imprint_pdf(out: Path, slug: str = MBC) -> Path:
    return out / "imprints" / "eastside" / "en" / f"{slug}.pdf"


@pytest.mark.parametrize("slug", [MBC, QUESTIONS])
def test_imprinted_copy_carries_the_clinic_and_the_helpline(
    imprinted: Path, project, slug: str
) -> None:
    path = imprint_pdf(imprinted, slug)
    pdf = ReadPdf(path.read_bytes())
    text = pdf.text
    for expected in (
        "Your clinic",
        "Eastside Community Clinic",
        "214 Lantern Row, Suite 3, Harborview",
        "1-617-555-0187",
        "Monday – Friday, 8 AM – 6 PM ET",
        "Saturday, 9 AM – 1 PM ET",
        "nurses@eastside-clinic.example",
        "Monday – Friday, 9 AM – 5 PM ET",
        "1-877-555-0142",  # the organisation's helpline stays
        "Monday – Thursday, 9 AM – 7 PM ET",
    ):
        assert contains(text, expected), expected
    sheet = project.sheet(slug, "en")
    assert contains(text, sheet_texts(project, sheet).disclaimer)
    assert pdf.info["/FactsheetImprint"] == "eastside"
    assert len(pdf.reader.pages) <= 2
    assert pdf_findings(project, sheet, path.read_bytes(), str(path)) == []


def test_imprinted_copies_have_their_own_manifest_entries(imprinted: Path) -> None:
    manifest = json.loads((imprinted / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["pdfs"]}
    for slug in (MBC, QUESTIONS):
        entry = entries[f"imprints/eastside/en/{slug}.pdf"]
        assert entry["imprint"] == "eastside" and entry["slug"] == slug


def test_gate_fails_when_css_hides_the_clinic_box(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    with open(root / "styles/harborlight/sheet.css", "a") as css:
        css.write("\n.imprint { display: none; }\n")
    result = run_cli(root, "build", MBC, "-l", "en", "--imprint", "eastside")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "clinic front-desk (Phone) not found" in result.stderr
    assert "hours of clinic front-desk not found" in result.stderr
    assert "[pdf-contact]" in result.stderr and "[pdf-hours]" in result.stderr
    assert not imprint_pdf(root / "output").exists()


def test_unknown_clinic_lists_the_known_ones(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    result = run_cli(root, "build", "--imprint", "northside")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "sheets/_org/clinics/: error: no clinic 'northside' (hint: known clinics: eastside)"
    )


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            'from: "08:00"\n          to: "18:00"',
            'from: "18:00"\n          to: "08:00"',
            "eastside.yaml:15: error: channels.0.hours.open.0: opening time 18:00 "
            "is not before closing time 08:00",
        ),
        (
            "logo: eastside-logo.svg",
            "logo: ../../../../logo.svg",
            "eastside.yaml:6: error: image '../../../../logo.svg' lies outside the project",
        ),
        ("logo: eastside-logo.svg", "logo: missing.png", "eastside.yaml:6: error: image "),
        ("name: Eastside", "nmae: Eastside", "eastside.yaml:4: error: unknown key 'nmae'"),
    ],
)
def test_bad_clinic_file_is_one_clear_line(
    project_dir: Path, load, old: str, new: str, expected: str
) -> None:
    path = project_dir / "sheets/_org/clinics/eastside.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(InputError) as error:
        load_clinic(load(project_dir), "eastside")
    assert str(error.value).startswith(f"sheets/_org/clinics/{expected}"), str(error.value)


def test_job_key_follows_the_clinic_file(project_dir: Path, load) -> None:
    job = Job(MBC, "en", imprint="eastside")
    project = load(project_dir)
    before = job_key(project, project.sheet(MBC, "en"), job)
    path = project_dir / "sheets/_org/clinics/eastside.yaml"
    path.write_text(path.read_text().replace("Suite 3", "Suite 4"))
    assert job_key(project, project.sheet(MBC, "en"), job) != before
    logo = project_dir / "sheets/_org/clinics/eastside-logo.svg"
    changed = job_key(project, project.sheet(MBC, "en"), job)
    logo.write_text(logo.read_text().replace("#2e7d5b", "#2e7d5c"))
    assert job_key(project, project.sheet(MBC, "en"), job) != changed


def test_job_paths_keep_every_kind_of_copy_apart() -> None:
    assert Job(MBC, "en").relpath("letter") == f"en/{MBC}.pdf"
    assert Job(MBC, "en", qr=True).relpath("letter") == f"en/{MBC}.qr.pdf"
    assert Job(MBC, "en", print_marks=True, qr=True).relpath("letter") == f"en/{MBC}.print.pdf"
    assert Job(MBC, "en", paper="a4", print_marks=True).relpath("letter") == (
        f"en/{MBC}.a4.print.pdf"
    )
    assert Job(MBC, "en", imprint="eastside").relpath("letter") == (
        f"imprints/eastside/en/{MBC}.pdf"
    )
    assert Job(MBC, "en", print_marks=True).options().qr


# -- veraPDF ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_verapdf_says_pdf_ua_1(printed: Path, with_qr: Path, imprinted: Path, packet: Path) -> None:
    reason = verapdf_available()
    if reason:
        pytest.skip(reason)
    pdfs = [
        print_pdf(printed, "en"),
        print_pdf(printed, "es"),
        with_qr / "en" / f"{MBC}.qr.pdf",
        imprint_pdf(imprinted),
        packet / "newly-diagnosed.pdf",
    ]
    result = run_verapdf(*pdfs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASS ") == len(pdfs), result.stdout
