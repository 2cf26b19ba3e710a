"""End to end: build the sample catalog, then read every PDF back with pypdf."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import copy_project, run_cli, run_verapdf, verapdf_available

from pipeline.checks.readpdf import ReadPdf, contains
from pipeline.source.loader import load_project
from pipeline.source.markdown import plain_text
from pipeline.source.texts import sheet_texts


def sample_pdfs(root: Path) -> list[Path]:
    return sorted((root / "output").glob("*/*.pdf"))


def test_one_pdf_per_sheet_and_language(catalog: Path) -> None:
    project = load_project(catalog)
    for slug, lang in project.sheets:
        assert (catalog / "output" / lang / f"{slug}.pdf").is_file()
        assert (catalog / "output" / lang / f"{slug}.large-print.pdf").is_file()
    manifest = json.loads((catalog / "output" / "manifest.json").read_text())
    assert len(manifest["pdfs"]) == 2 * len(project.sheets)


@pytest.mark.parametrize(
    "slug,lang",
    [
        ("metastatic-breast-cancer", "en"),
        ("metastatic-breast-cancer", "es"),
        ("questions-to-ask-your-doctor", "en"),
    ],
)
def test_pdf_text_carries_every_element(catalog: Path, slug: str, lang: str) -> None:
    project = load_project(catalog)
    sheet = project.sheet(slug, lang)
    pdf = ReadPdf((catalog / "output" / lang / f"{slug}.pdf").read_bytes())
    texts = sheet_texts(project, sheet)
    text = pdf.text
    assert contains(text, sheet.front.title)
    for heading in sheet.body.headings:
        assert contains(text, plain_text(heading.text)), heading.text
    helpline = next(c for c in texts.channels if c.id == "helpline")
    assert contains(text, "1-877-555-0142")
    for line in helpline.hours:
        assert contains(text, line), line
    assert contains(text, texts.disclaimer)
    assert contains(text, texts.reviewed) and contains(text, texts.next_review)


def test_english_hours_and_dates_read_as_expected(catalog: Path) -> None:
    pdf = ReadPdf((catalog / "output/en/metastatic-breast-cancer.pdf").read_bytes())
    assert contains(pdf.text, "Monday – Thursday, 9 AM – 7 PM ET")
    assert contains(pdf.text, "Friday, 9 AM – 6 PM ET")
    assert contains(pdf.text, "Last reviewed: March 6, 2026")
    assert contains(pdf.text, "Next review due: March 6, 2028")


def test_spanish_hours_come_from_cldr(catalog: Path) -> None:
    pdf = ReadPdf((catalog / "output/es/metastatic-breast-cancer.pdf").read_bytes())
    assert contains(pdf.text, "lunes – jueves, 9:00–19:00 hora oriental")
    assert contains(pdf.text, "6 de marzo de 2026")


def test_metadata_matches_the_sheet(catalog: Path) -> None:
    project = load_project(catalog)
    for (slug, lang), sheet in project.sheets.items():
        pdf = ReadPdf((catalog / "output" / lang / f"{slug}.pdf").read_bytes())
        assert pdf.lang == lang
        assert pdf.info["/Title"] == sheet_texts(project, sheet).doc_title
        assert pdf.info["/Author"] == project.org.name
        assert pdf.info["/FactsheetId"] == sheet.front.id
        assert pdf.info["/FactsheetVersion"] == sheet.front.version
        assert pdf.info["/CreationDate"].startswith("D:" + sheet.front.reviewed.strftime("%Y%m%d"))
        assert "pdfuaid:part" in pdf.xmp
        assert pdf.catalog["/MarkInfo"]["/Marked"] in (True, "true")
        assert pdf.structure is not None and pdf.structure.kids[0].type == "Document"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    digests = []
    for _ in range(2):
        run_cli(
            root,
            "build",
            "metastatic-breast-cancer",
            "--lang",
            "en",
            "--lang",
            "ar",
            "--force",
            "--jobs",
            "1",
            check=True,
        )
        digests.append(
            {
                p.name + p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sample_pdfs(root)
            }
            | {"manifest": hashlib.sha256((root / "output/manifest.json").read_bytes()).hexdigest()}
        )
    assert digests[0] == digests[1]


def test_no_replacement_characters_or_notdef(catalog: Path) -> None:
    for path in sample_pdfs(catalog):
        text = ReadPdf(path.read_bytes()).text
        assert "\ufffd" not in text, path


@pytest.mark.slow
def test_verapdf_says_pdf_ua_1(catalog: Path) -> None:
    reason = verapdf_available()
    if reason:
        pytest.skip(reason)
    pdfs = sample_pdfs(catalog)
    result = run_verapdf(*pdfs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASS ") == len(pdfs), result.stdout


def test_third_party_pdfua_checker_agrees(catalog: Path, tmp_path: Path) -> None:
    """The `pdfua` package (pikepdf-based, independent of us) finds no error or warning."""
    pdfua = pytest.importorskip("pdfua")
    for path in sample_pdfs(catalog):
        report = pdfua.validate(str(path))
        serious = [
            f
            for f in report.findings
            if str(f.severity).lower().split(".")[-1] in ("error", "warning", "fatal", "critical")
        ]
        assert serious == [], (path, [str(f) for f in serious])
    # The same checker does catch a broken file: drop the document language.
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=str(sample_pdfs(catalog)[0]))
    del writer._root_object[NameObject("/Lang")]
    broken = tmp_path / "no-lang.pdf"
    writer.write(broken)
    assert pdfua.validate(str(broken)).findings


def test_readme_documents_every_rule_id() -> None:
    from conftest import ROOT

    from pipeline.checks import RULES

    readme = (ROOT / "README.md").read_text()
    missing = [rule for rule in RULES if f"`{rule}`" not in readme]
    assert missing == []


def test_right_to_left_sheet_isolates_other_languages(catalog: Path) -> None:
    """Arabic: the English phrase keeps its order and gets /Lang en; the trademark
    line is the Arabic block, the organisation's Latin name inside it isolated."""
    pdf = ReadPdf((catalog / "output/ar/metastatic-breast-cancer.pdf").read_bytes())
    assert "We speak English.\n" in pdf.text  # its full stop at its end, not before it
    assert contains(pdf.text, "علامتان تجاريتان لشبكة Harborlight Breast Cancer Network.")
    english = [e for e in pdf.structure.walk() if e.type == "Span" and e.lang == "en"]
    assert len(english) == 1  # the language line; a name in Latin letters is not English
    assert ReadPdf((catalog / "output/ar/metastatic-breast-cancer.pdf").read_bytes()).lang == "ar"
    assert contains(pdf.text, "1-877-555-0142") and contains(
        pdf.text, "helpline@harborlight.example"
    )
