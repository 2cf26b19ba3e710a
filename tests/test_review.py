"""Drafts never look final; `factsheet approve` is the one way to approved; a build
says why each job rebuilds, and adding a sheet rebuilds nothing else.

The PDF is the proof: the draft mark is read back from every page as drawn
(text, and the red of its pixels in the top margin) and as a screen reader
hears it, and the status from the document info.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_project, run_cli

from pipeline.checks.drawn import drawn_texts
from pipeline.checks.readpdf import ReadPdf, contains

MBC = "metastatic-breast-cancer"
QTA = "questions-to-ask-your-doctor"
ES = f"sheets/{MBC}/es.md"
EN = f"sheets/{MBC}/en.md"
ES_MARK = "Traducción en borrador: aún sin revisar"
BUILD = ("build", "--lang", "en", "--lang", "es", "--jobs", "2")

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs pdftoppm (Debian: poppler-utils)"
)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    """The sample built in English and Spanish (two sheets each), and the build's JSON."""
    root = copy_project(tmp_path_factory.mktemp("review"))
    result = run_cli(root, *BUILD, "--format", "json", check=True)
    return root, json.loads(result.stdout)


@pytest.fixture
def project(built, tmp_path: Path) -> Path:
    """A private copy of the built project (output, cache and all)."""
    root = tmp_path / "project"
    shutil.copytree(built[0], root)
    return root


def red_pixels_at_the_top(pdf: Path, page: int) -> int:
    """Pixels of the draft colour (#b00020) in the top 1.5 in of a page (the top
    margin and the header band), rendered at 72 dpi."""
    from PIL import Image

    png = subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", "-png"]
        + ["-x", "0", "-y", "0", "-W", "612", "-H", "108", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    data = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r > 120 and g < 90 and b < 100 and r > 2 * g)


# -- the mark on every page -----------------------------------------------------------------


@needs_poppler
def test_a_draft_translation_shows_its_mark_on_every_page(built) -> None:
    root, _ = built
    path = root / "output" / "es" / f"{MBC}.pdf"
    pdf = ReadPdf(path.read_bytes())
    assert len(drawn_texts(pdf)) == 2
    for number, text in enumerate(drawn_texts(pdf), 1):
        assert contains(text, ES_MARK), f"page {number}: {text[:200]}"
        assert red_pixels_at_the_top(path, number) > 50, f"page {number} shows no red mark"
    # A screen reader hears it on the first page, as tagged text.
    assert contains(pdf.page_texts[0], ES_MARK)
    assert pdf.info["/FactsheetStatus"] == "draft"


@needs_poppler
def test_an_approved_sheet_carries_no_mark(built) -> None:
    root, _ = built
    path = root / "output" / "en" / f"{MBC}.pdf"
    pdf = ReadPdf(path.read_bytes())
    assert pdf.info["/FactsheetStatus"] == "approved"
    for number, text in enumerate(drawn_texts(pdf), 1):
        assert "not yet" not in text
        assert red_pixels_at_the_top(path, number) == 0


def test_the_manifest_and_the_summary_count_drafts(built) -> None:
    root, report = built
    assert (report["built"], report["draft"], report["failed"]) == (4, 2, 0)
    by_path = {job["path"]: job for job in report["jobs"]}
    assert by_path[f"es/{MBC}.pdf"]["draft"] and not by_path[f"en/{MBC}.pdf"]["draft"]
    entries = {
        e["path"]: e for e in json.loads((root / "output/manifest.json").read_text())["pdfs"]
    }
    spanish = entries[f"es/{MBC}.pdf"]
    assert (spanish["status"], spanish["draft"], spanish["approval"]) == ("draft", True, None)
    english = entries[f"en/{MBC}.pdf"]
    assert (english["status"], english["draft"]) == ("approved", False)
    # The text summary says the same.
    again = run_cli(root, *BUILD, check=True)
    assert "built 0, skipped 4 (unchanged), failed 0" in again.stdout
    assert "draft 2 (not approved, marked on every page)" in again.stdout


@pytest.mark.parametrize(
    "status,translation,expected,absent",
    [
        ("draft", True, "Draft translation: not yet reviewed", "Draft: not yet approved"),
        ("in-review", True, "Draft translation: not yet reviewed", "Draft: not yet approved"),
        ("machine-translated", True, "Machine translation: not yet reviewed", "Draft translation"),
        ("draft", False, "Draft: not yet approved", "Draft translation"),
        ("in-review", False, "Draft: not yet approved", "Draft translation"),
    ],
)
def test_the_mark_says_what_the_sheet_is(
    project_dir: Path, load, status: str, translation: bool, expected: str, absent: str
) -> None:
    """A sheet in its source language is never called a "Draft translation"."""
    from pipeline.checks.gate import pdf_findings
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    rel = f"sheets/{QTA}/en.md"
    edit(project_dir, rel, "status: approved", f"status: {status}")
    if translation:  # an English translation of the Spanish sheet, for the label's sake
        edit(
            project_dir,
            rel,
            "keywords:",
            "translation_of: {lang: es, version: '1.2', "
            "source_hash: 'sha256:0000000000000000'}\nkeywords:",
        )
    project = load(project_dir)
    sheet = project.sheet(QTA, "en")
    pdf = render_sheet(project, sheet, Options()).pdf
    read = ReadPdf(pdf)
    assert all(contains(text, expected) for text in drawn_texts(read))
    assert not any(absent in text for text in drawn_texts(read))
    assert read.info["/FactsheetStatus"] == status
    assert [
        f for f in pdf_findings(project, sheet, pdf, "x.pdf") if f.rule == "pdf-draft-mark"
    ] == []


def test_the_mark_is_localised_in_every_language(load) -> None:
    from conftest import ROOT

    from pipeline.source.texts import draft_mark

    project = load(ROOT)
    marks = {}
    for (slug, lang), sheet in project.sheets.items():
        if slug == MBC and lang != "en":
            marks[lang] = draft_mark(project.blocks[lang].labels, sheet)
    assert len(set(marks.values())) == 7 and None not in marks.values()
    assert marks["es"] == ES_MARK
    assert draft_mark(project.blocks["en"].labels, project.sheet(MBC, "en")) is None


def test_large_print_and_right_to_left_drafts_show_the_mark(load) -> None:
    from conftest import ROOT

    from pipeline.checks.gate import pdf_findings
    from pipeline.checks.review import drawn
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    project = load(ROOT)
    sheet = project.sheet(MBC, "ar")
    mark = project.blocks["ar"].labels.draft_translation
    for variant in ("standard", "large-print"):
        pdf = render_sheet(project, sheet, Options(variant=variant)).pdf
        read = ReadPdf(pdf)
        assert all(drawn(text, mark, rtl=True) for text in drawn_texts(read)), variant
        assert contains(read.page_texts[0], mark)  # heard exactly, in reading order
        assert pdf_findings(project, sheet, pdf, "ar.pdf", variant) == []


def test_a_mark_is_not_found_in_words_scattered_over_a_page() -> None:
    from pipeline.checks.review import drawn

    mark = "Draft translation: not yet reviewed"
    assert drawn("Draft translation: not\nyet reviewed\nPage 2 of 2", mark)
    assert not drawn("a draft of the translation was not reviewed yet", mark)
    assert not drawn("reviewed yet not translation Draft", mark)  # only right to left
    assert drawn("reviewed yet not translation: Draft", mark, rtl=True)
    # Right-to-left glyphs come in visual order: the run reversed is the mark.
    assert drawn(mark[::-1], mark, rtl=True) and not drawn(mark[::-1], mark)


@pytest.mark.parametrize(
    "old,new,pages,lang",
    [
        (" data-mark=\"{{ mark or '' }}\"", "", [2], "es"),
        (" data-mark=\"{{ mark or '' }}\"", "", [2], "ar"),  # glyphs in visual order
        ('<p class="draft-mark">{{ mark }}</p>', "", [1, 1], "es"),
    ],
    ids=["no-running-mark", "no-running-mark-rtl", "no-first-page-mark"],
)
def test_the_gate_fails_a_draft_whose_template_drops_the_mark(
    project_dir: Path, load, old: str, new: str, pages: list[int], lang: str
) -> None:
    from pipeline.checks.gate import pdf_findings
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    edit(project_dir, "styles/templates/sheet.html.j2", old, new)
    project = load(project_dir)
    sheet = project.sheet(MBC, lang)
    pdf = render_sheet(project, sheet, Options()).pdf
    found = [f for f in pdf_findings(project, sheet, pdf, "x.pdf") if f.rule == "pdf-draft-mark"]
    assert [f.page for f in found] == pages, found
    assert all(f.severity == "error" for f in found)


def test_the_gate_fails_a_pdf_whose_status_or_mark_is_wrong(load) -> None:
    from conftest import ROOT

    from pipeline.checks.review import check_draft_mark
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    project = load(ROOT)
    draft = project.sheet(MBC, "es")
    pdf = ReadPdf(render_sheet(project, draft, Options()).pdf)
    # Checked against the same sheet marked approved: the PDF says draft, and shows it.
    approved = type(draft)(
        **{**draft.__dict__, "front": draft.front.model_copy(update={"status": "approved"})}
    )
    messages = [f.message for f in check_draft_mark(pdf, project, approved, "es.pdf")]
    assert messages[0] == "the document info says status 'draft', the sheet is approved"
    assert messages[1:] == [f"the sheet is approved, but page {n} says '{ES_MARK}'" for n in (1, 2)]


# -- approve ----------------------------------------------------------------------------------


def approve(root: Path, lang: str = "es", *extra: str) -> subprocess.CompletedProcess:
    return run_cli(root, "approve", MBC, "--lang", lang, "--by", "Dr. Ana Ruiz", *extra)


def test_approve_records_who_when_and_in_what_role(project: Path) -> None:
    before = (project / ES).read_text()
    assert "# Draft translation" in before
    result = approve(project, "es", "--role", "medical translator")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"approved {ES} (version 3.0) by Dr. Ana Ruiz (medical translator) on 2026-11-21; "
        f"recorded in sheets/{MBC}/reviews.yaml"
    )
    after = (project / ES).read_text()
    assert "status: approved" in after and "# Draft translation" not in after
    # Nothing else in the sheet changed.
    assert [
        line for line in before.split("\n") if "status" not in line and "# Draft" not in line
    ] == [line for line in after.split("\n") if "status" not in line]
    log = (project / f"sheets/{MBC}/reviews.yaml").read_text()
    assert log.endswith(
        '  - lang: es\n    version: "3.0"\n    by: "Dr. Ana Ruiz"\n'
        '    role: "medical translator"\n    date: 2026-11-21\n    previous: draft\n'
        f"    content: {log.rsplit('content: ', 1)[1]}"
    )
    assert run_cli(project, "check", "--no-pdf", ES).returncode == 0
    # Built, it is final: no mark, approved in its document info and in the manifest.
    run_cli(project, "build", MBC, "--lang", "es", check=True)
    pdf = ReadPdf((project / "output/es" / f"{MBC}.pdf").read_bytes())
    assert pdf.info["/FactsheetStatus"] == "approved"
    assert not any(contains(text, ES_MARK) for text in drawn_texts(pdf))
    entry = next(
        e
        for e in json.loads((project / "output/manifest.json").read_text())["pdfs"]
        if e["path"] == f"es/{MBC}.pdf"
    )
    assert entry["approval"] == {
        "by": "Dr. Ana Ruiz",
        "role": "medical translator",
        "date": "2026-11-21",
    }
    # Approving the same text again writes nothing.
    again = approve(project)
    assert again.returncode == 0 and "is already approved: by Dr. Ana Ruiz" in again.stdout
    assert (project / f"sheets/{MBC}/reviews.yaml").read_text() == log


def test_an_edit_after_approval_needs_a_new_approval(project: Path) -> None:
    assert approve(project).returncode == 0
    edit(project, ES, "sigue siendo cáncer de mama.", "sigue siendo un cáncer de mama.")
    check = run_cli(project, "check", "--no-pdf", ES)
    assert check.returncode == 1
    assert (
        f"{ES}:7: error: status is approved, but the text changed after its approval by "
        f"Dr. Ana Ruiz on 2026-11-21 (sheets/{MBC}/reviews.yaml) [review-unrecorded]"
    ) in check.stdout
    # A second approval covers the new text, and the log keeps both.
    assert approve(project).returncode == 0
    assert run_cli(project, "check", "--no-pdf", ES).returncode == 0
    assert (project / f"sheets/{MBC}/reviews.yaml").read_text().count("- lang: es") == 2


def test_a_translation_marked_approved_by_hand_is_not_approved(project: Path) -> None:
    """A translated file copied from an approved one keeps `status: approved`: the
    review log holds no approval of its text, so the gate refuses it."""
    edit(project, f"sheets/{MBC}/vi.md", "status: draft", "status: approved")
    check = run_cli(project, "check", "--no-pdf", f"sheets/{MBC}/vi.md")
    assert check.returncode == 1
    assert (
        f"sheets/{MBC}/reviews.yaml holds no approval of this text [review-unrecorded]"
        in check.stdout
    )
    build = run_cli(project, "build", MBC, "--lang", "vi")
    assert build.returncode == 1 and "[review-unrecorded]" in build.stderr


def test_a_source_sheet_needs_a_recorded_approval_once_it_has_one(project: Path) -> None:
    assert run_cli(project, "check", "--no-pdf", EN).returncode == 0  # the medical review
    assert approve(project, "en", "--role", "medical review panel").returncode == 0
    edit(project, EN, "it is still breast cancer.", "it is still a breast cancer.")
    check = run_cli(project, "check", "--no-pdf", EN)
    assert check.returncode == 1 and "[review-unrecorded]" in check.stdout


def test_approve_refuses_a_sheet_that_fails_the_source_gate(project: Path) -> None:
    before = (project / ES).read_bytes()
    edit(project, ES, "más de 168.000 mujeres", "más de 186.000 mujeres")
    changed = (project / ES).read_bytes()
    result = approve(project)
    assert result.returncode == 1
    assert "[translation-numbers]" in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"{ES}: error: cannot approve: 1 problem(s) with the sheet as it would be approved"
        )
    )
    assert (project / ES).read_bytes() == changed != before
    assert not (project / f"sheets/{MBC}/reviews.yaml").exists()


def test_approve_refuses_a_sheet_whose_fresh_pdf_fails_the_gate(project: Path) -> None:
    policy = project / "sheets/_org/policy.yaml"
    policy.write_text(policy.read_text().replace("max_pages: 2", "max_pages: 1"))
    result = approve(project)
    assert result.returncode == 1
    assert "(fresh render)" in result.stderr and "[pdf-pages]" in result.stderr
    assert "status: draft" in (project / ES).read_text()
    assert not (project / f"sheets/{MBC}/reviews.yaml").exists()


def test_approve_refuses_a_translation_of_a_source_that_is_not_approved(project: Path) -> None:
    edit(project, EN, "status: approved", "status: in-review")
    result = approve(project)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{ES}:15: error: the source sheet (en) is still in-review: approve it first "
        "(hint: a translation can only be approved against an approved source)"
    )


def test_approve_refuses_a_sheet_that_cannot_be_read(project: Path) -> None:
    edit(project, ES, "reviewed: 2026", "reviwed: 2026")
    result = approve(project)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{ES}:9: error: unknown key 'reviwed' in front matter (hint: did you mean 'reviewed'?)"
    )
    missing = run_cli(project, "approve", MBC, "--lang", "fr", "--by", "X")
    assert missing.returncode == 1 and f"no sheet '{MBC}' in 'fr'" in missing.stderr
    empty = run_cli(project, "approve", MBC, "--lang", "es", "--by", "  ")
    assert empty.returncode == 1 and "--by needs the reviewer's name" in empty.stderr


# -- build --dry-run: why each job rebuilds, and which will fail -------------------------------


def dry_run(root: Path, *extra: str, env: dict | None = None) -> dict[str, dict]:
    result = run_cli(root, *BUILD, "--dry-run", "--format", "json", *extra, env=env)
    assert result.returncode == 0, result.stderr
    return {row["path"]: row for row in json.loads(result.stdout)}


def test_dry_run_says_which_input_changed(project: Path) -> None:
    rows = dry_run(project)
    assert {row["state"] for row in rows.values()} == {"up to date"}
    blocks = project / "sheets/_org/blocks/es.yaml"
    blocks.write_text(
        blocks.read_text().replace(
            'help_title: "Hable con nosotros"', 'help_title: "Hable con nosotras"'
        )
    )
    edit(project, "styles/harborlight/sheet.css", "body { margin: 0; }", "body { margin: 0pt; }")
    edit(project, f"sheets/{QTA}/en.md", "Pick the ones", "Choose the ones")
    rows = dry_run(project)
    assert rows[f"es/{MBC}.pdf"]["reasons"] == [
        "sheets/_org/blocks/es.yaml changed",
        "styles/harborlight/sheet.css changed",
    ]
    assert rows[f"en/{MBC}.pdf"]["reasons"] == ["styles/harborlight/sheet.css changed"]
    assert rows[f"en/{QTA}.pdf"]["reasons"] == [
        f"sheets/{QTA}/en.md changed",
        "styles/harborlight/sheet.css changed",
    ]
    # Its translation is stale now: the gate will refuse it, and the dry run says so.
    stale = rows[f"es/{QTA}.pdf"]
    assert stale["state"] == "will fail"
    assert stale["reasons"][0].startswith("the gate will refuse it (translation-stale): ")
    text = run_cli(project, *BUILD, "--dry-run").stdout
    assert f"to build    es/{MBC}.pdf" in text
    assert "            sheets/_org/blocks/es.yaml changed" in text
    assert text.splitlines()[-1] == "4 job(s): 3 to build, 0 up to date, 1 will fail"
    (project / "output/en" / f"{MBC}.pdf").unlink()
    edit(project, "styles/harborlight/sheet.css", "body { margin: 0pt; }", "body { margin: 0; }")
    rows = dry_run(project)
    assert rows[f"en/{MBC}.pdf"]["reasons"] == ["the published PDF is missing or was changed"]
    assert rows[f"es/{MBC}.pdf"]["reasons"] == ["sheets/_org/blocks/es.yaml changed"]
    forced = dry_run(project, "--force")[f"en/{MBC}.pdf"]
    assert forced["reasons"] == ["--force rebuilds every job"]


def test_dry_run_predicts_gate_failures_from_review_dates(project: Path) -> None:
    later = {"FACTSHEET_TODAY": "2028-04-01"}  # the main sheet was due on 2028-03-06
    rows = dry_run(project, env=later)
    main = rows[f"en/{MBC}.pdf"]
    assert main["state"] == "will fail" and main["will_fail"]
    assert main["reasons"] == [
        f"the gate will refuse it (review-overdue): {EN}:9: review was due on 2028-03-06, "
        "26 days ago"
    ]
    assert rows[f"en/{QTA}.pdf"]["state"] == "up to date"  # due on 2028-05-12
    text = run_cli(project, *BUILD, "--dry-run", env=later).stdout
    assert text.splitlines()[-1] == "4 job(s): 0 to build, 2 up to date, 2 will fail"
    build = run_cli(project, *BUILD, env=later)
    assert build.returncode == 1 and "failed 2" in build.stdout


def test_dry_run_predicts_a_broken_sheet_fails(project: Path) -> None:
    edit(project, f"sheets/{QTA}/es.md", "title:", "titel:")
    row = dry_run(project)[f"es/{QTA}.pdf"]
    assert row["state"] == "will fail"
    assert row["reasons"] == [
        f"the sheet cannot be read: 1 error(s), first: sheets/{QTA}/es.md:4: unknown key 'titel' "
        "in front matter"
    ]


# -- adding a sheet rebuilds nothing else ------------------------------------------------------

NEW_SHEET = """\
---
id: HL-BONE-01
title: Bone Health
series: Metastatic Breast Cancer
lang: en
version: "1.0"
status: draft
reviewed: 2026-09-01
next_review: 2028-09-01
reviewed_by: Harborlight Medical Advisory Panel
audience: People whose breast cancer has spread to the bones
summary: How to look after your bones when breast cancer has spread to them.
keywords: [bone metastases]
---

## Looking after your bones

When cancer spreads to the bones, they can grow weaker. Medicines can help keep them strong.

- Tell your care team about new bone pain.
- Ask whether a bone-strengthening medicine is right for you.

::: callout Resources
- Call our helpline at [1-877-555-0142](tel:+18775550142).
- Read [Questions to Ask Your Doctor](sheet:questions-to-ask-your-doctor).
:::
"""


def test_adding_a_sheet_rebuilds_nothing_else(project: Path) -> None:
    (project / "sheets/bone-health").mkdir()
    (project / "sheets/bone-health/en.md").write_text(NEW_SHEET)
    rows = dry_run(project)
    assert rows.pop("en/bone-health.pdf")["reasons"] == ["never built here"]
    assert {row["state"] for row in rows.values()} == {"up to date"}
    result = run_cli(project, *BUILD, check=True)
    assert "built 1, skipped 4 (unchanged), failed 0" in result.stdout


def test_a_key_depends_on_the_sheets_it_links_to_and_nothing_else(project: Path, load) -> None:
    from pipeline.build.keys import changed_inputs, job_key
    from pipeline.build.plan import plan

    before = load(project)
    keys = {job: job_key(before, before.sheet(job.slug, job.lang), job) for job in plan(before)}
    (project / "sheets/bone-health").mkdir()
    (project / "sheets/bone-health/en.md").write_text(NEW_SHEET)
    added = load(project)
    for job, key in keys.items():
        assert job_key(added, added.sheet(job.slug, job.lang), job) == key, job
    # The main sheet links to the questions sheet: whether that exists is part of its key.
    shutil.rmtree(project / "sheets" / QTA)
    removed = load(project)
    job = next(j for j in keys if (j.slug, j.lang) == (MBC, "en"))
    now = job_key(removed, removed.sheet(MBC, "en"), job)
    assert now.parts["links"] == f"{QTA}=no" and keys[job].parts["links"] == f"{QTA}=yes"
    assert changed_inputs(keys[job].parts, now.parts, removed.sheet(MBC, "en")) == [
        "which linked sheets exist changed"
    ]


def test_a_job_key_keeps_its_parts_across_processes(load) -> None:
    import pickle

    from conftest import ROOT

    from pipeline.build.keys import job_key
    from pipeline.build.plan import plan

    project = load(ROOT)
    job = plan(project, [MBC], ["es"])[0]
    key = job_key(project, project.sheet(MBC, "es"), job)
    again = pickle.loads(pickle.dumps(key))
    assert again == key and again.parts == key.parts and len(key) == 64


@pytest.mark.parametrize("name", ["Dr. Ruiz\x07", "x" * 201])
def test_approve_refuses_a_name_it_cannot_write_safely(project_dir: Path, name: str) -> None:
    result = run_cli(project_dir, "approve", MBC, "--lang", "es", "--by", name)
    assert result.returncode == 1
    assert "--by must be a name of at most 200 printable characters" in result.stderr
    assert not (project_dir / f"sheets/{MBC}/reviews.yaml").exists()
