"""Editorial safety for a whole catalog: one bad sheet never stops the rest,
errors an editor can act on, callouts that cannot swallow a sheet, and the
review board coordinators read.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import ROOT, copy_project, run_cli

MBC = "metastatic-breast-cancer"
QTA = "questions-to-ask-your-doctor"
QTA_EN = f"sheets/{QTA}/en.md"
MBC_EN = f"sheets/{MBC}/en.md"


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def stderr_errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines() if ": error: " in line]


def break_two_keys(root: Path) -> None:
    """A misspelt key and a missing one, in the same sheet's front matter."""
    edit(root, QTA_EN, "reviewed: 2026", "reviwed: 2026")
    edit(
        root,
        QTA_EN,
        "audience: People living with metastatic breast cancer and those close to them\n",
        "",
    )


# -- one broken sheet, every other sheet goes on ---------------------------------------


@pytest.fixture(scope="module")
def broken_catalog(tmp_path_factory) -> Path:
    """The sample with one sheet broken twice over, built in two languages."""
    root = copy_project(tmp_path_factory.mktemp("broken"))
    break_two_keys(root)
    return root


@pytest.fixture(scope="module")
def broken_build(broken_catalog: Path) -> subprocess.CompletedProcess:
    return run_cli(
        broken_catalog, "build", "--lang", "en", "--lang", "es", "--jobs", "2", "--format", "json"
    )


def test_a_broken_sheet_fails_alone_and_the_others_build(broken_catalog, broken_build) -> None:
    assert broken_build.returncode == 1, broken_build.stderr
    assert "Traceback" not in broken_build.stderr
    report = json.loads(broken_build.stdout)
    jobs = {job["path"]: job for job in report["jobs"]}
    assert jobs[f"en/{QTA}.pdf"]["status"] == "failed"
    for other in (f"en/{MBC}.pdf", f"es/{MBC}.pdf", f"es/{QTA}.pdf"):
        assert jobs[other]["status"] == "built", jobs[other]
        assert (broken_catalog / "output" / other).is_file()
    assert not (broken_catalog / "output" / "en" / f"{QTA}.pdf").exists()
    assert (report["built"], report["failed"]) == (3, 1)
    # Both problems of the broken sheet, each with its own line and hint.
    rules = {f["rule"] for f in jobs[f"en/{QTA}.pdf"]["findings"]}
    assert rules == {"sheet-invalid"}
    errors = stderr_errors(broken_build)
    assert errors == [
        f"{QTA_EN}:8: error: unknown key 'reviwed' in front matter "
        "(hint: did you mean 'reviewed'?)",
        f"{QTA_EN}:13: error: missing required key 'audience' in front matter (hint: add a "
        "line 'audience: People living with metastatic breast cancer' before the closing '---')",
    ]
    manifest = json.loads((broken_catalog / "output" / "manifest.json").read_text())
    assert {e["path"] for e in manifest["pdfs"]} == {
        f"en/{MBC}.pdf",
        f"es/{MBC}.pdf",
        f"es/{QTA}.pdf",
    }


def test_check_reports_the_broken_sheet_in_text_json_and_junit(broken_catalog, broken_build):
    text = run_cli(broken_catalog, "check")
    assert text.returncode == 1
    assert (
        f"{QTA_EN}:8: error: unknown key 'reviwed' in front matter [sheet-invalid]" in text.stdout
    )
    assert f"{QTA_EN}:13: error: missing required key 'audience'" in text.stdout
    # The built PDFs pass; the one warning is the Spanish questions sheet's short last
    # page (pdf-page-fill, unavoidable: see UNAVOIDABLE in tests/test_layout.py).
    assert "2 error(s), 1 warning(s)" in text.stdout
    assert f"output/es/{QTA}.pdf page 2: warning: " in text.stdout

    as_json = run_cli(broken_catalog, "check", "--format", "json")
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert data["errors"] == 2
    assert QTA_EN in data["checked"] and f"sheets/{MBC}/ar.md" in data["checked"]
    assert f"output/es/{QTA}.pdf" in data["checked"]
    broken = [f for f in data["findings"] if f["path"] == QTA_EN]
    assert [(f["rule"], f["line"]) for f in broken] == [("sheet-invalid", 8), ("sheet-invalid", 13)]

    junit = run_cli(broken_catalog, "check", "--format", "junit")
    assert junit.returncode == 1
    tree = ET.fromstring(junit.stdout.split("?>", 1)[1])
    assert tree.get("failures") == "2"
    suites = {suite.get("name"): suite for suite in tree}
    assert suites[QTA_EN].get("failures") == "2"
    failing = suites[QTA_EN].findall("testcase/failure")
    assert {node.get("message") for node in failing} == {
        "unknown key 'reviwed' in front matter",
        "missing required key 'audience' in front matter",
    }
    assert all(s.get("failures") == "0" for name, s in suites.items() if name != QTA_EN)


def test_list_and_status_show_the_broken_sheet_and_the_others(broken_catalog) -> None:
    listed = run_cli(broken_catalog, "list", "--format", "json")
    assert listed.returncode == 1
    rows = {(r["slug"], r["lang"]): r for r in json.loads(listed.stdout)}
    assert len(rows) == 10
    assert rows[(QTA, "en")]["status"] == "unreadable"
    assert len(rows[(QTA, "en")]["errors"]) == 2
    assert rows[(MBC, "es")]["status"] == "draft"

    status = run_cli(broken_catalog, "status", "--format", "json")
    assert status.returncode == 1
    board = json.loads(status.stdout)
    assert board[0]["slug"] == QTA and board[0]["due"] == "unreadable"
    assert {r["due"] for r in board[1:]} == {"current"}
    # The translation of the broken sheet is not failed by it.
    check = run_cli(broken_catalog, "check", "--no-pdf", f"sheets/{QTA}/es.md")
    assert check.returncode == 0, check.stdout


def test_a_published_pdf_whose_sheet_is_gone_fails_alone(broken_catalog, broken_build, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(broken_catalog, root)
    shutil.rmtree(root / "sheets" / QTA)
    result = run_cli(root, "check", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    gone = [f for f in data["findings"] if f["path"] == f"output/es/{QTA}.pdf"]
    assert [(f["rule"], f["message"]) for f in gone] == [
        ("sheet-invalid", "cannot tell which sheet this PDF is")
    ]
    assert f"output/es/{MBC}.pdf" in data["checked"]
    # The rest is checked: the main sheet's links to the removed sheet are reported.
    assert {f["rule"] for f in data["findings"] if f["path"] == f"sheets/{MBC}/es.md"} == {
        "link-target"
    }


def test_a_broken_sheet_can_be_named_and_is_still_reported(broken_catalog) -> None:
    result = run_cli(broken_catalog, "check", "--no-pdf", QTA_EN, "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["checked"] == [QTA_EN] and data["errors"] == 2


BROKEN = [f"{QTA_EN}:8: error: unknown key 'reviwed'", f"{QTA_EN}:13: error: missing required key"]


def its_errors(result: subprocess.CompletedProcess) -> list[str]:
    """The error lines on stderr, cut to the length of BROKEN's (flush left: not stripped)."""
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    cut = [error[: len(start)] for error, start in zip(errors, BROKEN, strict=False)]
    return cut + errors[len(BROKEN) :]


def test_a_broken_sheet_is_reported_once_however_many_of_its_jobs_fail(
    broken_catalog, tmp_path
) -> None:
    variants = ("--variant", "standard", "--variant", "large-print")
    out = ("--out", str(tmp_path / "out"))
    result = run_cli(broken_catalog, "build", QTA, "-l", "en", *variants, *out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert its_errors(result) == BROKEN
    assert result.stderr.count(f"  {QTA_EN} cannot be read (see above)") == 1


def test_commands_that_need_a_broken_sheet_give_its_own_errors(project_dir, tmp_path) -> None:
    xlf = tmp_path / "fr.xlf"
    run_cli(project_dir, "translate", "export", QTA, "--to", "fr", "--out", str(xlf), check=True)
    exported = xlf.read_bytes()
    break_two_keys(project_dir)
    for args in (
        ("translate", "export", QTA, "--to", "fr", "--out", str(xlf)),
        ("translate", "import", str(xlf)),
        ("approve", QTA, "--lang", "en", "--by", "A. Reviewer"),
    ):
        result = run_cli(project_dir, *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr, args
        assert its_errors(result) == BROKEN, (args, result.stderr)
    assert xlf.read_bytes() == exported
    assert not (project_dir / "sheets" / QTA / "fr.md").exists()
    status = run_cli(project_dir, "translate", "status", "--format", "json")
    assert status.returncode == 1
    assert its_errors(status) == BROKEN
    rows = json.loads(status.stdout)
    assert rows[QTA]["en"] == "unreadable" and rows[QTA]["es"] == "draft, source unreadable"
    assert rows[MBC]["en"] == "source"


def test_shared_files_stop_the_run_with_every_error(project_dir: Path) -> None:
    """org.yaml, policy.yaml, blocks and brand are needed by every sheet: all their
    problems are listed at once, and machine-readable output stays valid."""
    edit(project_dir, "sheets/_org/org.yaml", "short_name:", "shortname:")
    edit(
        project_dir,
        "sheets/_org/org.yaml",
        "timezone: America/New_York",
        "timezone: America/New_Yrok",
    )
    edit(project_dir, "sheets/_org/blocks/es.yaml", "help_title:", "helptitle:")
    build = run_cli(project_dir, "build")
    assert build.returncode == 1
    errors = stderr_errors(build)
    assert len(errors) == 3, build.stderr
    assert errors[0].startswith("sheets/_org/org.yaml:") and "unknown key 'shortname'" in errors[0]
    assert "America/New_Yrok" in errors[1]
    assert errors[2].startswith("sheets/_org/blocks/es.yaml:") and "helptitle" in errors[2]
    assert not (project_dir / "output" / "manifest.json").exists()

    as_json = run_cli(project_dir, "check", "--format", "json")
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert [f["rule"] for f in data["findings"]] == ["project-invalid"] * 3
    junit = run_cli(project_dir, "check", "--format", "junit")
    tree = ET.fromstring(junit.stdout.split("?>", 1)[1])
    assert junit.returncode == 1 and tree.get("failures") == "3"
    build_json = json.loads(run_cli(project_dir, "build", "--format", "json").stdout)
    assert build_json["built"] == 0 and len(build_json["errors"]) == 3
    listed = run_cli(project_dir, "list", "--format", "json")
    assert listed.returncode == 1 and json.loads(listed.stdout) == []


def test_sheet_invalid_cannot_be_turned_off(project_dir: Path) -> None:
    (project_dir / "sheets/_org/policy.yaml").write_text(
        "severity:\n  sheet-invalid: off\n  reveiw-overdue: warning\n"
    )
    result = run_cli(project_dir, "list")
    assert result.returncode == 1
    assert stderr_errors(result) == [
        "sheets/_org/policy.yaml:2: error: rule 'sheet-invalid' cannot be tuned (hint: it "
        "reports input that cannot be read, which cannot be built; fix the input)",
        "sheets/_org/policy.yaml:3: error: unknown rule id 'reveiw-overdue' "
        "(hint: did you mean 'review-overdue'?)",
    ]


# -- every problem of a sheet, each an editor can act on ------------------------------------


def problems(root: Path, rel: str) -> list[str]:
    """The load errors of one sheet, as the one-line form."""
    from pipeline.source.loader import load_project

    project = load_project(root)
    path = root / rel
    broken = project.broken.get((path.parent.name, path.stem))
    return [str(error) for error in broken.errors] if broken else []


def test_all_problems_of_a_sheet_are_listed_in_file_order(project_dir: Path) -> None:
    edit(project_dir, QTA_EN, 'version: "1.2"', "version: 1.2")
    edit(project_dir, QTA_EN, "status: approved", "status: aproved")
    edit(project_dir, QTA_EN, "next_review: 2028-05-12", "next_review: 2028/05/12")
    edit(
        project_dir,
        QTA_EN,
        "## About treatment",
        "::: tip Good to know\nA tip.\n:::\n\n## About treatment",
    )
    found = problems(project_dir, QTA_EN)
    assert [re.match(r"[^:]+:(\d+):", line)[1] for line in found] == ["6", "7", "9", "26"], found
    assert "write the version in quotes" in found[0]
    assert "did you mean 'approved'?" in found[1]
    assert "not written YYYY-MM-DD" in found[2] and "write 2028-05-12" in found[2]
    assert "unknown callout kind 'tip'" in found[3]


@pytest.mark.parametrize(
    "value,message,hint",
    [
        (
            "03/06/2026",
            "'03/06/2026' is ambiguous: it could be 6 March 2026 or 3 June 2026",
            "write 2026-03-06 for 6 March 2026 or 2026-06-03 for 3 June 2026 (YYYY-MM-DD)",
        ),
        ("06/03/2026", "could be 3 June 2026 or 6 March 2026", "write 2026-06-03 for 3 June"),
        ("13/05/2026", "'13/05/2026' is not written YYYY-MM-DD", "write 2026-05-13"),
        ("05/13/2026", "'05/13/2026' is not written YYYY-MM-DD", "write 2026-05-13"),
        ("2026/05/12", "is not written YYYY-MM-DD", "write 2026-05-12"),
        ("12 May 2026", "is not written YYYY-MM-DD", "write 2026-05-12"),
        ("May 12, 2026", "is not written YYYY-MM-DD", "write 2026-05-12"),
        ("05/12/26", "two-digit year", "write dates as YYYY-MM-DD (year, month, day)"),
        ('"2026-02-30"', "'2026-02-30' is not a day that exists", "write dates as YYYY-MM-DD"),
        ("soon", "'soon' is not a date", "write dates as YYYY-MM-DD (year, month, day), like"),
        ("2026-05-12 10:30:00", "is a date and a time", "write only the date: 2026-05-12"),
    ],
)
def test_dates_explain_the_form_and_flag_day_month_ambiguity(
    project_dir: Path, value: str, message: str, hint: str
) -> None:
    edit(project_dir, QTA_EN, "reviewed: 2026-05-12", f"reviewed: {value}")
    (found,) = problems(project_dir, QTA_EN)
    assert found.startswith(f"{QTA_EN}:8: error: reviewed: "), found
    assert message in found and f"(hint: {hint}" in found, found


@pytest.mark.parametrize(
    "value,hint",
    [
        ("sp", "did you mean 'es' (Español)?"),
        ("spanish", "did you mean 'es' (Español)?"),
        ("español", "did you mean 'es' (Español)?"),
        ("en_US", "did you mean 'en-US' (English (United States))?"),
        ("EN", "did you mean 'en' (English)?"),
        ("jp", "did you mean 'ja' (日本語)?"),
        ("kr", "did you mean 'ko' (한국어)?"),
        ("vn", "did you mean 'vi' (Tiếng Việt)?"),
    ],
)
def test_language_codes_get_a_did_you_mean(project_dir: Path, value: str, hint: str) -> None:
    edit(project_dir, QTA_EN, "lang: en", f"lang: {value}")
    (found,) = problems(project_dir, QTA_EN)
    assert found.startswith(f"{QTA_EN}:5: error: lang: '{value}'"), found
    assert found.endswith(f"(hint: {hint})"), found


def test_an_unknown_language_gets_no_invented_suggestion(project_dir: Path) -> None:
    edit(project_dir, QTA_EN, "lang: en", "lang: qqq")
    (found,) = problems(project_dir, QTA_EN)
    assert "'qqq' is not a language CLDR knows" in found and "hint" not in found


@pytest.mark.parametrize(
    "key,example",
    [
        ("audience", "audience: People living with metastatic breast cancer"),
        ("next_review", "next_review: 2028-03-06 (YYYY-MM-DD)"),
        ("status", "status: draft"),
    ],
)
def test_a_missing_key_points_at_the_end_of_the_front_matter(
    project_dir: Path, key: str, example: str
) -> None:
    text = (project_dir / QTA_EN).read_text()
    (project_dir / QTA_EN).write_text(re.sub(rf"(?m)^{key}:.*\n", "", text))
    closing = line_of(project_dir, QTA_EN, "keywords:") + 1
    assert (project_dir / QTA_EN).read_text().split("\n")[closing - 1] == "---"
    (found,) = problems(project_dir, QTA_EN)
    assert found == (
        f"{QTA_EN}:{closing}: error: missing required key '{key}' in front matter "
        f"(hint: add a line '{example}' before the closing '---')"
    )


def test_a_duplicate_id_blames_the_newer_file(project_dir: Path) -> None:
    from pipeline.source.loader import load_project

    # The questions sheet is edited last: it is the one in error.
    edit(project_dir, QTA_EN, "id: HL-MBC-02", "id: HL-MBC-01")
    project = load_project(project_dir)
    assert set(project.broken) == {(QTA, "en")}
    (error,) = project.broken[(QTA, "en")].errors
    assert str(error) == (
        f"{QTA_EN}:2: error: id 'HL-MBC-01' is already used by {MBC_EN} "
        "(hint: every sheet needs its own id; this file is the newer one)"
    )
    # Now the other sheet is the newer one: every language of it is blamed.
    past = time.time() - 3600
    for path in (project_dir / "sheets" / QTA).glob("*.md"):
        os.utime(path, (past, past))
    (project_dir / MBC_EN).touch()
    project = load_project(project_dir)
    assert {slug for slug, _ in project.broken} == {MBC}
    assert len(project.broken) == 8
    assert f"already used by {QTA_EN}" in str(project.broken[(MBC, "es")].errors[0])


@pytest.mark.parametrize(
    "target,meant",
    [
        ("www.harborlight.example", "https://www.harborlight.example"),
        ("harborlight.example/help", "https://harborlight.example/help"),
        ("help@harborlight.example", "mailto:help@harborlight.example"),
        ("1-877-555-0142", "tel:+18775550142"),
    ],
)
def test_a_missing_url_scheme_says_so(project_dir: Path, load, target: str, meant: str) -> None:
    from pipeline.checks.gate import source_findings

    edit(project_dir, QTA_EN, "Pick the ones", f"See [our help page]({target}). Pick the ones")
    project = load(project_dir)
    found = source_findings(project, project.sheet(QTA, "en"))
    assert [(f.rule, f.line) for f in found] == [("link-missing-scheme", 16)]
    assert f"'{target}'" in found[0].message and "has no scheme" in found[0].message
    assert found[0].hint == f"write ({meant})"
    # And the PDF never links to a file named like the address.
    html = project.sheet(QTA, "en").body.html
    assert f"/{target}.pdf" not in html and f'href="{target}' not in html


def test_a_relative_sheet_link_is_not_mistaken_for_a_web_address(project_dir: Path, load):
    from pipeline.checks.gate import source_findings

    edit(project_dir, QTA_EN, "Pick the ones", f"See [the main sheet](../{MBC}/). Pick the ones")
    project = load(project_dir)
    assert source_findings(project, project.sheet(QTA, "en")) == []


# -- callouts -----------------------------------------------------------------------------

CALLOUT_CASES = [
    pytest.param(
        "## About treatment",
        "::: callout Good to know\nKeep a list.\n\n## About treatment",
        "callout opened here is never closed (the section heading on line 29 is inside)",
        26,
        id="unclosed-swallows-the-sections-after-it",
    ),
    pytest.param(
        "(sheet:metastatic-breast-cancer).\n:::",
        "(sheet:metastatic-breast-cancer).",
        "callout opened here is never closed (no ':::' line closes it)",
        None,
        id="unclosed-at-the-end",
    ),
    pytest.param(
        "## About treatment",
        "::: tip Good to know\nKeep a list.\n:::\n\n## About treatment",
        "unknown callout kind 'tip' (hint: the brand's callout kinds: 'callout'; "
        "write '::: callout Title')",
        26,
        id="unknown-kind",
    ),
    pytest.param(
        "## About treatment",
        "::: calout Good to know\nKeep a list.\n:::\n\n## About treatment",
        "unknown callout kind 'calout' (hint: did you mean 'callout'? the brand's callout kinds: "
        "'callout'; write '::: callout Title')",
        26,
        id="misspelt-kind",
    ),
    pytest.param(
        "## About treatment",
        ":::\n\n## About treatment",
        "this ':::' closes no callout (hint: delete it, or open the callout with "
        "'::: callout Title' above)",
        26,
        id="stray-closing-marker",
    ),
    pytest.param(
        "## About treatment",
        "::: callout Outer\nText.\n\n::: callout Inner\nMore.\n:::\n\n## About treatment",
        "callout opened here is never closed (a callout cannot hold another)",
        26,
        id="nested",
    ),
]


@pytest.mark.parametrize("old,new,message,line", CALLOUT_CASES)
def test_callout_errors_name_the_line_where_they_open(
    project_dir: Path, old: str, new: str, message: str, line: int | None
) -> None:
    edit(project_dir, QTA_EN, old, new)
    if line is None:
        line = line_of(project_dir, QTA_EN, "::: callout Resources")
    found = problems(project_dir, QTA_EN)
    assert found[0].startswith(f"{QTA_EN}:{line}: error: {message}"), found
    # The whole command line says so too, and the sheet is not built.
    result = run_cli(project_dir, "check", "--no-pdf", QTA_EN)
    assert result.returncode == 1 and "[sheet-invalid]" in result.stdout


def test_a_closed_callout_of_a_brand_kind_renders_its_kind(project_dir: Path, load) -> None:
    brand = project_dir / "styles/harborlight/brand.yaml"
    brand.write_text(brand.read_text() + "  warning: a box for safety warnings\n")
    edit(
        project_dir,
        QTA_EN,
        "## About treatment",
        "::: warning Call at once\nCall if you have a fever.\n:::\n\n## About treatment",
    )
    sheet = load(project_dir).sheet(QTA, "en")
    assert '<section class="callout callout-warning">' in sheet.body.html
    assert "Call at once" in sheet.body.html and ":::" not in sheet.body.html


def test_the_sample_brand_documents_its_callout_kinds() -> None:
    text = (ROOT / "styles/harborlight/brand.yaml").read_text()
    assert "callouts:\n  callout: " in text
    assert "::: <kind> Title" in text


# -- the review board -------------------------------------------------------------------


def board(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_cli(root, "status", *args, env=env)


def test_status_labels_totals_and_fail_on(project_dir: Path) -> None:
    edit(project_dir, QTA_EN, "next_review: 2028-05-12", "next_review: 2026-12-01")
    edit(project_dir, f"sheets/{QTA}/es.md", "next_review: 2028-05-12", "next_review: 2026-10-26")
    today = {"FACTSHEET_TODAY": "2026-11-21"}
    rows = json.loads(board(project_dir, "--format", "json", env=today).stdout)
    first, second = rows[:2]
    assert (first["slug"], first["lang"], first["due"], first["days_left"]) == (
        QTA,
        "es",
        "overdue",
        -26,
    )
    assert first["when"] == "26 day(s) overdue"
    assert (second["lang"], second["due"], second["when"]) == ("en", "due soon", "in 10 day(s)")
    assert {r["due"] for r in rows[2:]} == {"current"}
    text = board(project_dir, env=today)
    assert text.returncode == 0
    assert text.stdout.splitlines()[1].split()[:4] == ["overdue", "26", "day(s)", "overdue"]
    assert text.stdout.splitlines()[-1] == (
        "1 overdue, 1 due soon, 8 current (10 sheet x language, as of 2026-11-21)"
    )
    assert board(project_dir, "--fail-on", "overdue", env=today).returncode == 1
    assert board(project_dir, "--fail-on", "due-soon", env=today).returncode == 1
    # As of a day before the es review fell due: nothing overdue, one due soon.
    early = board(project_dir, "--as-of", "2026-10-20", "--fail-on", "overdue", env=today)
    assert early.returncode == 0, early.stdout
    assert "0 overdue, 2 due soon" in early.stdout and "as of 2026-10-20" in early.stdout
    assert board(project_dir, "--as-of", "2026-10-20", "--fail-on", "due-soon").returncode == 1


def test_status_says_clearly_when_nothing_is_due(project_dir: Path) -> None:
    result = board(project_dir, "--due-within", "90d", env={"FACTSHEET_TODAY": "2026-11-21"})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Nothing falls due for review within 90 days (as of 2026-11-21). "
        f"Next: {MBC} [ar] on 2028-03-06, in 471 day(s)."
    )
    assert lines[1] == "0 overdue, 0 due soon, 10 current (10 sheet x language, as of 2026-11-21)"
    assert board(project_dir, "--fail-on", "due-soon").returncode == 0


@pytest.mark.parametrize(
    "value,message",
    [("03/06/2026", "ambiguous"), ("tomorrow", "is not a date"), ("2026-02-30", "not a day")],
)
def test_status_as_of_refuses_a_date_it_cannot_read(project_dir: Path, value, message) -> None:
    result = board(project_dir, "--as-of", value)
    assert result.returncode == 2 and message in result.stderr


# -- the source line and a caret, on a terminal only -------------------------------------


def run_on_terminal(root: Path, *args: str, env: dict | None = None) -> str:
    """stderr of `factsheet` run with a pseudo-terminal as stdout and stderr."""
    primary, secondary = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=root,
        stdout=secondary,
        stderr=secondary,
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None},
    )
    os.close(secondary)
    chunks = []
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_a_terminal_shows_the_source_line_with_a_caret(project_dir: Path) -> None:
    edit(project_dir, QTA_EN, "reviewed: 2026", "reviwed: 2026")
    env = {"NO_COLOR": None}
    out = run_on_terminal(project_dir, "list", env={**os.environ, **env, "NO_COLOR": None})
    lines = out.splitlines()
    at = lines.index(
        f"{QTA_EN}:8: error: unknown key 'reviwed' in front matter (hint: did you mean 'reviewed'?)"
    )
    assert lines[at + 1] == " 8 | reviwed: 2026-05-12"
    assert lines[at + 2] in ("   | \x1b[31m^~~~~~~\x1b[0m", "   | ^~~~~~~")
    # NO_COLOR changes only the colour, never the content.
    plain = run_on_terminal(project_dir, "list", env={"NO_COLOR": "1"}).splitlines()
    at = plain.index(lines[lines.index(lines[at])])
    assert plain[at + 1 : at + 3] == [" 8 | reviwed: 2026-05-12", "   | ^~~~~~~"]
    # A script (no terminal) gets the one line and nothing else.
    piped = run_cli(project_dir, "list")
    assert [line for line in piped.stderr.splitlines() if line] == [lines[at]]


def test_the_caret_sits_under_the_value_and_counts_wide_characters(project_dir: Path) -> None:
    from pipeline.errors import InputError
    from pipeline.source.excerpt import excerpt

    rel = f"sheets/{MBC}/zh-Hans.md"
    edit(project_dir, rel, "lang: zh-Hans", "lang: 中文")
    lines = excerpt(project_dir, InputError("x", rel, 6, column=7))
    assert lines == [" 6 | lang: 中文", "   |       ^~~~"]
    assert excerpt(project_dir, InputError("x", "../outside.md", 1)) == []
    assert excerpt(project_dir, InputError("x", rel, 10_000)) == []
