"""PDF content rules (pipeline/checks/content.py): the gate reads the PDF, not the source.

Each case changes the TEMPLATE or the CSS of a private copy, so the sheet's
source stays valid while the PDF loses an element; the rule must say which
page should have carried it and what text was there instead. Then the
acceptance test: `factsheet build` refuses to publish such a PDF, keeps the
previous good one, and `--allow-failing` publishes it with a DRAFT band.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_project, run_cli
from pypdf import PdfWriter

from pipeline.checks import RULES, Finding
from pipeline.checks.gate import pdf_findings, source_findings
from pipeline.checks.readpdf import ReadPdf, contains
from pipeline.errors import RenderError
from pipeline.render.options import Options
from pipeline.render.pdf import render_sheet
from pipeline.source.loader import load_project
from pipeline.source.model import Project, Sheet

MAIN = ("metastatic-breast-cancer", "en")
QUESTIONS = ("questions-to-ask-your-doctor", "en")
TEMPLATE = "styles/templates/sheet.html.j2"
CSS = "styles/harborlight/sheet.css"
PUBLISHED = "output/en/metastatic-breast-cancer.pdf"
FOOTER = re.compile(r'<footer class="sheet-footer">.*?</footer>\n', re.S)


@dataclass
class Built:
    root: Path
    project: Project
    sheet: Sheet
    pdf: bytes

    def findings(self) -> list[Finding]:
        return pdf_findings(self.project, self.sheet, self.pdf, "out.pdf")


def edit(root: Path, relpath: str, old: str | re.Pattern, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    changed = old.sub(new, text) if isinstance(old, re.Pattern) else text.replace(old, new)
    assert changed != text, f"{old!r} is not in {relpath}"
    path.write_text(changed)


def drop_footer(root: Path) -> None:
    edit(root, TEMPLATE, FOOTER, "")


def build_copy(root: Path, change=None, key=MAIN) -> Built:
    copy_project(root)
    if change is not None:
        change(root)
    project = load_project(root)
    sheet = project.sheet(*key)
    return Built(root, project, sheet, render_sheet(project, sheet, Options()).pdf)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Built:
    return build_copy(tmp_path_factory.mktemp("good"))


@pytest.fixture(scope="module")
def footerless(tmp_path_factory) -> Built:
    return build_copy(tmp_path_factory.mktemp("footerless"), drop_footer)


def closest_text(finding: Finding) -> str:
    match = re.search(r"closest text there: '(.*)'$", finding.message)
    assert match, finding.message
    return match.group(1)


def page_words(pdf: bytes, page: int) -> str:
    return " ".join(ReadPdf(pdf).page_texts[page - 1].split())


def flat(text: str) -> str:
    """White space runs (CLDR's thin and narrow no-break spaces too) as one space."""
    return " ".join(text.split())


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


# -- the unbroken PDF passes ------------------------------------------------------------


def test_good_pdf_passes(good: Built) -> None:
    assert good.findings() == []
    assert source_findings(good.project, good.sheet) == []


# -- template and CSS changes the source checks cannot see ----------------------------------


def test_footerless_template_fails_the_pdf_check_only(footerless: Built) -> None:
    assert source_findings(footerless.project, footerless.sheet) == []
    findings = footerless.findings()
    assert rules_of(findings) == {"pdf-disclaimer", "pdf-review-date", "pdf-sheet-id"}
    by_rule = {f.rule: f for f in findings}
    disclaimer = by_rule["pdf-disclaimer"]
    assert disclaimer.severity == "error" and disclaimer.page == 2
    assert "expected 'This sheet is meant to help you learn" in disclaimer.message
    assert "on page 2" in disclaimer.message
    # Both review dates are missing; each finding names the one it looked for.
    reviews = [f for f in findings if f.rule == "pdf-review-date"]
    assert [re.search(r"expected '([^']*)'", f.message).group(1) for f in reviews] == [
        "Last reviewed: March 6, 2026",
        "Next review due: March 6, 2028",
    ]
    # The id in the running footer is an artifact: it does not count as content.
    assert "Sheet HL-MBC-01, version 3.0" in by_rule["pdf-sheet-id"].message
    for item in findings:
        found = closest_text(item)
        assert found and found in page_words(footerless.pdf, 2), item.message


def test_hidden_help_section(tmp_path: Path) -> None:
    def hide_help(root: Path) -> None:
        with open(root / CSS, "a") as css:
            css.write("\n.help { display: none; }\n")

    built = build_copy(tmp_path, hide_help)
    findings = built.findings()
    assert rules_of(findings) == {"pdf-contact", "pdf-hours"}
    # The helpline number is also in the body's Resources box; the email address is not.
    contacts = [f.message for f in findings if f.rule == "pdf-contact"]
    assert len(contacts) == 1
    assert (
        "email (Email) not found: expected 'helpline@harborlight.example' on page 2"
        in (contacts[0])
    )
    hours = [f for f in findings if f.rule == "pdf-hours"]
    assert [f.page for f in hours] == [2, 2, 2]
    assert "expected 'Monday – Thursday, 9 AM – 7 PM ET'" in flat(hours[0].message)


def test_changed_hours_line(tmp_path: Path) -> None:
    def later_hours(root: Path) -> None:
        # "Monday – Thursday, 9 AM – 7 PM ET" -> "... 8 PM ET" (CLDR puts a narrow
        # no-break space before PM, so replace the digit alone).
        edit(root, TEMPLATE, "<li>{{ line }}</li>", '<li>{{ line | replace("7", "8") }}</li>')

    built = build_copy(tmp_path, later_hours)
    findings = built.findings()
    assert [(f.rule, f.page) for f in findings] == [("pdf-hours", 2)]
    assert "hours of helpline not found" in findings[0].message
    assert "expected 'Monday – Thursday, 9 AM – 7 PM ET' on page 2" in flat(findings[0].message)
    assert closest_text(findings[0]).startswith("Monday – Thursday, 9 AM – 8 PM")


def test_sheet_id_only_in_the_running_footer(tmp_path: Path) -> None:
    built = build_copy(tmp_path, lambda root: edit(root, TEMPLATE, "{{ ident }}", ""))
    findings = built.findings()
    assert [(f.rule, f.page) for f in findings] == [("pdf-sheet-id", 2)]
    assert "expected 'Sheet HL-MBC-01, version 3.0' on page 2" in findings[0].message
    assert closest_text(findings[0]) in page_words(built.pdf, 2)


def test_title_in_text_and_metadata(tmp_path: Path) -> None:
    """The questions sheet: its title is nowhere else on page 1 (the main sheet's
    first heading repeats its title, so it would pass without the H1)."""

    def other_titles(root: Path) -> None:
        edit(root, TEMPLATE, "<h1>{{ title }}</h1>", "<h1>{{ series }}</h1>")
        edit(root, TEMPLATE, "<title>{{ doc_title }}</title>", "<title>{{ front.title }}</title>")

    built = build_copy(tmp_path, other_titles, QUESTIONS)
    findings = built.findings()
    # The title is the sheet's own text too: pdf-text-fidelity names its source line.
    # (pdf-page-fill: this sheet's short last page, a warning the layout cannot avoid;
    # see UNAVOIDABLE in tests/test_layout.py.)
    assert rules_of(findings) - {"pdf-page-fill"} == {"pdf-title", "pdf-text-fidelity"}
    (fidelity,) = [f for f in findings if f.rule == "pdf-text-fidelity"]
    assert fidelity.location == "sheets/questions-to-ask-your-doctor/en.md:3"
    findings = [f for f in findings if f.rule == "pdf-title"]
    text, metadata = sorted(findings, key=lambda f: f.page is None)
    assert text.page == 1
    assert "title not found: expected 'Questions to Ask Your Doctor' on page 1" in text.message
    assert closest_text(text) in page_words(built.pdf, 1)
    assert metadata.message == (
        "document title is 'Questions to Ask Your Doctor', "
        "expected 'Metastatic Breast Cancer: Questions to Ask Your Doctor'"
    )


def test_wrong_document_language(tmp_path: Path) -> None:
    built = build_copy(
        tmp_path, lambda root: edit(root, TEMPLATE, '<html lang="{{ lang }}"', '<html lang="es"')
    )
    findings = built.findings()
    assert [(f.rule, f.message) for f in findings] == [
        ("pdf-lang", "catalog /Lang is 'es', expected 'en'")
    ]


def no_lang(root: Path) -> None:
    edit(root, TEMPLATE, '<html lang="{{ lang }}"', "<html")


def test_missing_document_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no language"):
        build_copy(tmp_path, no_lang)


def test_missing_document_language_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        build_copy(tmp_path, no_lang)


def edit_pdf(data: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_ua_identification(good: Built) -> None:
    def no_pdfuaid(writer: PdfWriter) -> None:
        stream = writer.root_object["/Metadata"].get_object()
        xmp = stream.get_data().decode()
        assert 'pdfuaid:part="1"' in xmp
        stream.set_data(xmp.replace('pdfuaid:part="1"', "").encode())

    findings = pdf_findings(good.project, good.sheet, edit_pdf(good.pdf, no_pdfuaid), "out.pdf")
    assert [(f.rule, f.message) for f in findings] == [("pdf-ua-id", "XMP has no pdfuaid:part 1")]


def test_sheet_id_in_document_info(good: Built) -> None:
    def older_version(writer: PdfWriter) -> None:
        writer.add_metadata({"/FactsheetVersion": "2.9"})

    data = edit_pdf(good.pdf, older_version)
    findings = pdf_findings(good.project, good.sheet, data, "out.pdf")
    assert [(f.rule, f.message) for f in findings] == [
        (
            "pdf-sheet-id",
            "document info says sheet 'HL-MBC-01' version '2.9', "
            "expected 'HL-MBC-01' version '3.0'",
        )
    ]


def test_wrong_title_in_document_info(good: Built) -> None:
    def no_title(writer: PdfWriter) -> None:
        writer.add_metadata({"/Title": "Untitled"})

    findings = pdf_findings(good.project, good.sheet, edit_pdf(good.pdf, no_title), "out.pdf")
    assert [f.rule for f in findings] == ["pdf-title"]
    assert "document title is 'Untitled'" in findings[0].message


# -- policy.yaml: page limits, severities, what is required -------------------------------


def with_policy(tmp_path: Path, policy: str) -> Project:
    root = copy_project(tmp_path / "policy")
    (root / "sheets" / "_org" / "policy.yaml").write_text(policy)
    return load_project(root)


@pytest.mark.parametrize(
    "policy,variant",
    [
        ("max_pages: 1\n", "standard"),
        ("languages:\n  en:\n    max_pages: 1\n", "standard"),
        ("max_pages_large_print: 1\n", "large-print"),
    ],
)
def test_page_limit(good: Built, tmp_path: Path, policy: str, variant: str) -> None:
    project = with_policy(tmp_path, policy)
    sheet = project.sheet(*MAIN)
    assert pdf_findings(project, sheet, good.pdf, "out.pdf", variant) == [
        Finding(
            "pdf-pages",
            "error",
            "out.pdf",
            None,
            "2 pages, the policy allows 1",
            "shorten the sheet or raise max_pages in policy.yaml",
            page=2,
        )
    ]


def test_page_limit_of_another_language_does_not_apply(good: Built, tmp_path: Path) -> None:
    project = with_policy(tmp_path, "languages:\n  es:\n    max_pages: 1\n")
    assert pdf_findings(project, project.sheet(*MAIN), good.pdf, "out.pdf") == []


def test_policy_severity_and_required_apply_to_pdf_rules(footerless: Built, tmp_path: Path) -> None:
    project = with_policy(tmp_path, 'severity: {pdf-disclaimer: "off"}\n')
    sheet = project.sheet(*MAIN)
    found = pdf_findings(project, sheet, footerless.pdf, "out.pdf")
    assert rules_of(found) == {"pdf-review-date", "pdf-sheet-id"}
    project = with_policy(tmp_path / "2", "required: [contact_hours, document_language, title]\n")
    assert pdf_findings(project, project.sheet(*MAIN), footerless.pdf, "out.pdf") == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda pdf: pdf[: len(pdf) // 2], id="truncated"),
        pytest.param(lambda pdf: pdf.replace(b"/FlateDecode", b"/FlaveDecode"), id="bad-filter"),
        pytest.param(lambda pdf: b"%PDF-1.7\n" + b"[" * 200_000, id="brackets"),
        pytest.param(lambda pdf: b"", id="empty"),
    ],
)
def test_a_pdf_that_cannot_be_read_fails_the_gate_as_unreadable(good: Built, damage) -> None:
    """Whatever pypdf raises on a damaged file becomes one finding, never a traceback."""
    assert not [f for f in good.findings() if f.rule == "pdf-unreadable"]
    found = pdf_findings(good.project, good.sheet, damage(good.pdf), "out.pdf")
    assert [f.rule for f in found] == ["pdf-unreadable"]
    assert found[0].severity == "error" and found[0].message.startswith("the PDF cannot be read (")


def test_every_pdf_content_rule_is_covered() -> None:
    covered = {
        "pdf-disclaimer",
        "pdf-contact",
        "pdf-hours",
        "pdf-review-date",
        "pdf-sheet-id",
        "pdf-title",
        "pdf-lang",
        "pdf-ua-id",
        "pdf-pages",
        "pdf-text-fidelity",  # and in tests/test_textlayer.py
        "pdf-unreadable",
        "pdf-draft-mark",  # tests/test_review.py
    }
    # tests/test_contacts.py breaks and keeps these
    covered |= {"pdf-contact-visible", "pdf-required-visible", "pdf-link", "layout-overflow"}
    covered |= {"pdf-page-fill"}  # tests/test_layout.py
    pdf_rules = {r.id for r in RULES.values() if r.scope == "pdf" and not r.id.startswith("ua-")}
    assert covered == pdf_rules  # the ua-* rules: tests/test_pdfua.py


# -- the acceptance test: `factsheet build` is gated by what the PDF says ------------------------


def build(root: Path, *extra: str):
    return run_cli(root, "build", *MAIN[:1], "--lang", "en", "--jobs", "1", *extra)


def manifest_paths(root: Path) -> list[str]:
    path = root / "output" / "manifest.json"
    return [entry["path"] for entry in json.loads(path.read_text())["pdfs"]]


def test_build_does_not_publish_a_footerless_pdf(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    drop_footer(root)
    project = load_project(root)
    assert source_findings(project, project.sheet(*MAIN)) == []  # the source is fine

    result = build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed en/metastatic-breast-cancer.pdf" in result.stderr
    assert "[pdf-disclaimer]" in result.stderr and "[pdf-review-date]" in result.stderr
    assert "en/metastatic-breast-cancer.pdf (page 2): error: disclaimer not found" in result.stderr
    assert "failed 1" in result.stdout
    assert not (root / PUBLISHED).exists()
    assert "en/metastatic-breast-cancer.pdf" not in manifest_paths(root)

    # --allow-failing publishes it, marked as a draft for everyone to see.
    result = build(root, "--allow-failing")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failing 1 (published anyway)" in result.stdout
    draft = ReadPdf((root / PUBLISHED).read_bytes())
    label = project.blocks["en"].labels.draft
    assert label == "DRAFT – not for distribution"
    assert contains(draft.page_texts[0], label)
    entry = json.loads((root / "output" / "manifest.json").read_text())["pdfs"][0]
    assert entry["path"] == "en/metastatic-breast-cancer.pdf" and entry["draft_band"] is True


def test_build_keeps_the_previous_good_pdf(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    assert build(root).returncode == 0
    before = (root / PUBLISHED).read_bytes()
    manifest = (root / "output" / "manifest.json").read_bytes()

    drop_footer(root)
    result = build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[pdf-disclaimer]" in result.stderr
    assert (root / PUBLISHED).read_bytes() == before
    assert (root / "output" / "manifest.json").read_bytes() == manifest
