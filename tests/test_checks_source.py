"""Source rules (pipeline/checks/source.py): each one catches the failure it names.

Every case breaks a private copy of the sample project in one way, loads it,
runs the gate's source half (pipeline.checks.gate.source_findings) and asserts that
exactly that rule fires, with its severity and the sheet's file:line; the
unbroken sample passes. Then policy.yaml tuning, and `factsheet check` as CI
runs it (exit codes, JSON, JUnit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import run_cli
from test_contacts import COVERED as CONTACT_RULES

from pipeline.checks import RULES, has_errors
from pipeline.checks.gate import source_findings
from pipeline.checks.source import check_source
from pipeline.errors import InputError

EN = "sheets/metastatic-breast-cancer/en.md"
ES = "sheets/metastatic-breast-cancer/es.md"
TODAY = dt.date(2026, 11, 21)  # reviewed 2026-03-06, next review 2028-03-06
WEBSITE = "[Harborlight website](https://www.harborlight.example)"


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    assert old in text, f"{old!r} is not in {relpath}"
    path.write_text(text.replace(old, new, 1))


def line_of(root: Path, relpath: str, pattern: str) -> int:
    """The 1-based line of the first line matching ``pattern`` (a regex)."""
    for number, line in enumerate((root / relpath).read_text().split("\n"), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} is not in {relpath}")


def write_policy(root: Path, text: str) -> None:
    (root / "sheets" / "_org" / "policy.yaml").write_text(text)


def break_spanish_link(root: Path) -> int:
    """A vague link in the Spanish sheet; returns its line. (A translation: changing
    it leaves no other sheet stale, unlike the English source.)"""
    edit(
        root,
        ES,
        "[sitio web de Harborlight](https://www.harborlight.example)",
        "[aquí](https://www.harborlight.example)",
    )
    return line_of(root, ES, re.escape("[aquí]"))


def findings_for(load, root: Path, relpath: str = EN, on: dt.date = TODAY):
    project = load(root)
    sheet = next(s for s in project.sheets.values() if s.display == relpath)
    return source_findings(project, sheet, on=on)


def summary(findings) -> list[tuple[str, str, str, int | None]]:
    return [(f.rule, f.severity, f.path, f.line) for f in findings]


# -- the sample passes ---------------------------------------------------------------


def test_every_sample_sheet_passes(project_dir: Path, load) -> None:
    project = load(project_dir)
    for sheet in project.sheets.values():
        assert source_findings(project, sheet, on=TODAY) == [], sheet.display


# -- review dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "rule,on,field",
    [
        ("review-future", dt.date(2026, 3, 5), "reviewed"),
        ("review-overdue", dt.date(2028, 3, 7), "next_review"),
        ("review-due-soon", dt.date(2028, 1, 10), "next_review"),
    ],
)
def test_review_rules(project_dir: Path, load, rule: str, on: dt.date, field: str) -> None:
    found = findings_for(load, project_dir, on=on)
    line = line_of(project_dir, EN, rf"^{field}:")
    assert summary(found) == [(rule, RULES[rule].severity, EN, line)]


def test_review_due_soon_window_edges(project_dir: Path, load) -> None:
    project = load(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "en")
    next_review = dt.date(2028, 3, 6)
    window = project.policy.review_warning_days
    assert window == 60

    def rules_on(day: dt.date) -> list[str]:
        return [f.rule for f in source_findings(project, sheet, on=day)]

    assert rules_on(next_review - dt.timedelta(window + 1)) == []
    assert rules_on(next_review - dt.timedelta(window)) == ["review-due-soon"]
    assert rules_on(next_review) == ["review-due-soon"]  # due today: not yet overdue
    assert rules_on(next_review + dt.timedelta(1)) == ["review-overdue"]
    overdue = source_findings(project, sheet, on=next_review + dt.timedelta(1))
    assert "1 days ago" in overdue[0].message


def test_review_interval(project_dir: Path, load) -> None:
    edit(project_dir, EN, "next_review: 2028-03-06", "next_review: 2028-03-07")
    found = findings_for(load, project_dir)
    assert summary(found) == [
        ("review-interval", "error", EN, line_of(project_dir, EN, r"^next_review:"))
    ]
    assert "on or before 2028-03-06" in found[0].hint


def test_review_interval_follows_the_policy(project_dir: Path, load) -> None:
    write_policy(project_dir, "max_review_interval_months: 12\n")
    found = findings_for(load, project_dir)
    assert [f.rule for f in found] == ["review-interval"]
    assert "more than 12 months" in found[0].message


def test_review_default_day_is_pinned_by_factsheet_today(
    project_dir: Path, load, monkeypatch
) -> None:
    monkeypatch.setenv("FACTSHEET_TODAY", "2028-03-07")
    project = load(project_dir)
    found = source_findings(project, project.sheet("metastatic-breast-cancer", "en"))
    assert [f.rule for f in found] == ["review-overdue"]


# -- links ----------------------------------------------------------------------------

LINK_CASES = [
    ("link-empty", WEBSITE, "[Harborlight website]()"),
    ("link-placeholder", WEBSITE, "[Harborlight website](#)"),
    ("link-placeholder", WEBSITE, "[Harborlight website](TODO)"),
    ("link-scheme", WEBSITE, "[Harborlight website](http://www.harborlight.example)"),
    ("link-scheme", WEBSITE, "[Harborlight website](javascript:alert(1))"),
    ("link-target", "(sheet:questions-to-ask-your-doctor)", "(sheet:questions-to-ask-your-nurse)"),
    ("link-target", "(sheet:questions-to-ask-your-doctor)", "(../no-such-sheet/)"),
    ("link-text", WEBSITE, "[click here](https://www.harborlight.example)"),
    ("link-text", WEBSITE, "[Read more.](https://www.harborlight.example)"),
    ("link-text", WEBSITE, "[https://www.harborlight.example](https://www.harborlight.example)"),
    ("link-text", WEBSITE, "<https://www.harborlight.example>"),
    ("link-text", WEBSITE, "[www.harborlight.example](https://www.harborlight.example)"),
]


@pytest.mark.parametrize(
    "rule,old,new", LINK_CASES, ids=[f"{rule}:{new}" for rule, _, new in LINK_CASES]
)
def test_link_rules(project_dir: Path, load, rule: str, old: str, new: str) -> None:
    edit(project_dir, EN, old, new)
    line = line_of(project_dir, EN, re.escape(new))
    assert summary(findings_for(load, project_dir)) == [(rule, "error", EN, line)]


def test_vague_link_text_in_spanish(project_dir: Path, load) -> None:
    edit(
        project_dir,
        ES,
        "[sitio web de Harborlight](https://www.harborlight.example)",
        "[haga clic aquí](https://www.harborlight.example)",
    )
    found = findings_for(load, project_dir, ES)
    assert summary(found) == [("link-text", "error", ES, line_of(project_dir, ES, "clic aquí"))]


@pytest.mark.parametrize(
    "text",
    [
        "[Harborlight website](HTTPS://www.harborlight.example)",  # scheme case
        "[Questions to Ask Your Doctor](../questions-to-ask-your-doctor/)",  # relative sheet
        "[write to us](mailto:helpline@harborlight.example)",
        "[Here is our helpline](tel:+18775550142)",  # 'here' only as a whole text is vague
    ],
)
def test_good_links_pass(project_dir: Path, load, text: str) -> None:
    edit(project_dir, EN, WEBSITE, text)
    assert findings_for(load, project_dir) == []


def test_link_policy_tunes_schemes_and_bare_urls(project_dir: Path, load) -> None:
    edit(project_dir, EN, WEBSITE, "<https://www.harborlight.example>")
    write_policy(
        project_dir,
        "allowed_link_schemes: [https, mailto]\nlink_text:\n  forbid_bare_urls: false\n",
    )
    found = findings_for(load, project_dir)
    # The bare URL is now allowed; the helpline's tel: link no longer is.
    assert summary(found) == [
        ("link-scheme", "error", EN, line_of(project_dir, EN, re.escape("(tel:+18775550142)")))
    ]


def test_link_on_second_line_of_a_paragraph_has_its_own_line(project_dir: Path, load) -> None:
    edit(
        project_dir,
        EN,
        "Even when it grows in another organ, it is still breast cancer.",
        "Even when it grows in another organ,\nit is still breast cancer ([click here](https://www.harborlight.example)).",
    )
    found = findings_for(load, project_dir)
    assert summary(found) == [
        ("link-text", "error", EN, line_of(project_dir, EN, re.escape("[click here]")))
    ]


# -- images and headings ------------------------------------------------------------------


def add_image(root: Path, markdown: str) -> int:
    shutil.copy(
        root / "styles" / "harborlight" / "logo.svg", root / "sheets/metastatic-breast-cancer"
    )
    anchor = "Even when it grows in another organ, it is still breast cancer."
    edit(root, EN, anchor, f"{anchor}\n\n{markdown}")
    return line_of(root, EN, re.escape(markdown))


def test_image_without_alt(project_dir: Path, load) -> None:
    line = add_image(project_dir, "![](logo.svg)")
    found = findings_for(load, project_dir)
    assert summary(found) == [("image-alt", "error", EN, line)]
    assert "logo.svg" in found[0].message


@pytest.mark.parametrize("markdown", ["![A lighthouse](logo.svg)", "![](logo.svg){.decorative}"])
def test_image_with_alt_or_decorative_passes(project_dir: Path, load, markdown: str) -> None:
    add_image(project_dir, markdown)
    assert findings_for(load, project_dir) == []


def test_image_alt_of_only_spaces_counts_as_missing(project_dir: Path, load) -> None:
    line = add_image(project_dir, "![  ](logo.svg)")
    assert summary(findings_for(load, project_dir)) == [("image-alt", "error", EN, line)]


@pytest.mark.parametrize(
    "rule,new", [("heading-h1", "# Who gets it?"), ("heading-skip", "#### Who gets it?")]
)
def test_heading_rules(project_dir: Path, load, rule: str, new: str) -> None:
    edit(project_dir, EN, "## Who gets it?", new)
    line = line_of(project_dir, EN, f"^{re.escape(new)}$")
    assert summary(findings_for(load, project_dir)) == [(rule, "error", EN, line)]


def test_heading_one_level_down_passes(project_dir: Path, load) -> None:
    edit(project_dir, EN, "## Who gets it?", "### Who gets it?")
    assert findings_for(load, project_dir) == []


# -- shared blocks and contact channels --------------------------------------------------


def test_block_missing(project_dir: Path, load) -> None:
    (project_dir / "sheets" / "_org" / "blocks" / "es.yaml").unlink()
    found = findings_for(load, project_dir, ES)
    assert summary(found) == [("block-missing", "error", ES, line_of(project_dir, ES, r"^lang:"))]
    assert "sheets/_org/blocks/es.yaml" in found[0].hint
    assert findings_for(load, project_dir, EN) == []


def test_contact_missing_is_refused_by_the_loader(project_dir: Path, load) -> None:
    """org.yaml without channels never loads, so contact-missing cannot fire
    from a project on disk; the loader names the file instead."""
    org = project_dir / "sheets" / "_org" / "org.yaml"
    text = org.read_text()
    org.write_text(text[: text.index("channels:")] + "channels: []\n")
    with pytest.raises(InputError) as caught:
        load(project_dir)
    assert caught.value.path == "sheets/_org/org.yaml"


def test_contact_missing_fires_on_a_project_without_channels(project_dir: Path, load) -> None:
    project = load(project_dir)
    bare = dataclasses.replace(project, org=project.org.model_copy(update={"channels": []}))
    sheet = project.sheet("metastatic-breast-cancer", "en")
    found = check_source(bare, sheet, on=TODAY)
    assert summary(found) == [("contact-missing", "error", "sheets/_org/org.yaml", None)]


def test_every_source_rule_is_covered() -> None:
    covered = {"review-future", "review-overdue", "review-due-soon", "review-interval"}
    covered |= {rule for rule, _, _ in LINK_CASES}
    covered |= {"image-alt", "heading-h1", "heading-skip", "block-missing", "contact-missing"}
    covered |= CONTACT_RULES  # tests/test_contacts.py breaks and keeps each
    # tests/test_editorial.py and tests/test_review.py cover the editorial rules.
    covered |= {"sheet-invalid", "project-invalid", "scaffold-placeholder", "review-unrecorded"}
    covered |= {"link-missing-scheme"}
    assert covered == {r.id for r in RULES.values() if r.scope == "source"}


# -- policy.yaml tuning --------------------------------------------------------------------

DUE_SOON = dt.date(2028, 1, 10)


def test_severity_override(project_dir: Path, load) -> None:
    write_policy(project_dir, "severity: {review-due-soon: error}\n")
    found = findings_for(load, project_dir, on=DUE_SOON)
    line = line_of(project_dir, EN, r"^next_review:")
    assert summary(found) == [("review-due-soon", "error", EN, line)]
    assert has_errors(found)


def test_severity_off(project_dir: Path, load) -> None:
    edit(project_dir, EN, WEBSITE, "[click here](https://www.harborlight.example)")
    write_policy(project_dir, 'severity:\n  link-text: "off"\n')
    assert findings_for(load, project_dir) == []


def test_severity_off_unquoted(project_dir: Path, load) -> None:
    edit(project_dir, EN, WEBSITE, "[click here](https://www.harborlight.example)")
    write_policy(project_dir, "severity:\n  link-text: off\n")
    assert findings_for(load, project_dir) == []


def test_severity_per_language(project_dir: Path, load) -> None:
    # English: another sheet than the Spanish one's source, so that stays current.
    questions = "sheets/questions-to-ask-your-doctor/en.md"
    edit(
        project_dir,
        questions,
        "bring this list along.",
        "bring this list along. [Click here](https://www.harborlight.example).",
    )
    line = break_spanish_link(project_dir)
    write_policy(
        project_dir,
        'severity: {link-text: "off"}\nlanguages:\n  es:\n    severity: {link-text: warning}\n',
    )
    assert findings_for(load, project_dir, questions) == []
    found = findings_for(load, project_dir, ES)
    assert summary(found) == [("link-text", "warning", ES, line)]
    assert not has_errors(found) and has_errors(found, strict=True)
    # Without the policy both are errors.
    write_policy(project_dir, "{}\n")
    assert [f.severity for f in findings_for(load, project_dir, questions)] == ["error"]
    assert [f.severity for f in findings_for(load, project_dir, ES)] == ["error"]


def test_unknown_severity_is_refused(project_dir: Path, load) -> None:
    write_policy(project_dir, "severity: {link-text: fatal}\n")
    with pytest.raises(InputError) as caught:
        load(project_dir)
    assert caught.value.path == "sheets/_org/policy.yaml"


# -- factsheet check --------------------------------------------------------------------------


def sheet_paths(load, root: Path) -> set[str]:
    return {sheet.display for sheet in load(root).sheets.values()}


def test_check_on_the_sample_exits_0(project_dir: Path) -> None:
    result = run_cli(project_dir, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(
        r"^0 error\(s\), 0 warning\(s\) in \d+ file\(s\) checked$", result.stdout, re.M
    )


def test_check_json(project_dir: Path, load) -> None:
    line = break_spanish_link(project_dir)
    result = run_cli(project_dir, "check", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["errors"] == 1 and report["warnings"] == 0
    assert sheet_paths(load, project_dir) <= set(report["checked"])
    assert [(f["rule"], f["severity"], f["path"], f["line"]) for f in report["findings"]] == [
        ("link-text", "error", ES, line)
    ]


def junit_failures(xml: str) -> dict[tuple[str, str], list[str]]:
    """(suite, test case) -> failure messages, read as a JUnit consumer reads them."""
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    failed: dict[tuple[str, str], list[str]] = {}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        count = 0
        for case in cases:
            failures = case.findall("failure")
            count += len(failures)
            if failures:
                failed[(suite.get("name"), case.get("name"))] = [f.get("message") for f in failures]
        assert int(suite.get("failures")) == count
    assert int(root.get("failures")) == sum(len(v) for v in failed.values())
    return failed


def test_check_junit(project_dir: Path) -> None:
    line = break_spanish_link(project_dir)
    result = run_cli(
        project_dir, "check", "--format", "junit", env={"FACTSHEET_TODAY": "2028-01-10"}
    )
    assert result.returncode == 1
    failed = junit_failures(result.stdout)
    assert list(failed) == [(ES, "link-text")]
    assert "'aquí'" in failed[(ES, "link-text")][0]
    failure = ET.fromstring(result.stdout).find(
        f"testsuite[@name='{ES}']/testcase[@name='link-text']/failure"
    )
    assert failure.get("type") == "error" and failure.text.startswith(f"{ES}:{line}: ")
    # The warnings are there too, as output of their test case, not failures.
    root = ET.fromstring(result.stdout)
    due = root.find(f"testsuite[@name='{EN}']/testcase[@name='review-due-soon']/system-out")
    assert due is not None and due.text.startswith(f"warning: {EN}:")


def test_check_junit_on_the_sample_has_no_failures(project_dir: Path, load) -> None:
    result = run_cli(project_dir, "check", "--format", "junit")
    assert result.returncode == 0
    assert junit_failures(result.stdout) == {}
    suites = {suite.get("name"): suite for suite in ET.fromstring(result.stdout)}
    assert sheet_paths(load, project_dir) <= set(suites)
    names = {case.get("name") for case in suites[EN].findall("testcase")}
    assert names == {r.id for r in RULES.values() if r.scope in ("source", "translation")}


def test_check_strict_fails_on_a_warning(project_dir: Path) -> None:
    env = {"FACTSHEET_TODAY": "2028-01-10"}  # every sheet of the 2026-03-06 review is due soon
    relaxed = run_cli(project_dir, "check", env=env)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "warning" in relaxed.stdout and "[review-due-soon]" in relaxed.stdout
    strict = run_cli(project_dir, "check", "--strict", env=env)
    assert strict.returncode == 1
    assert "[review-due-soon]" in strict.stdout


def test_check_strict_junit_reports_the_warning_as_a_failure(project_dir: Path) -> None:
    result = run_cli(
        project_dir,
        "check",
        "sheets/metastatic-breast-cancer/en.md",
        "--strict",
        "--format",
        "junit",
        env={"FACTSHEET_TODAY": "2028-01-10"},
    )
    assert result.returncode == 1
    assert list(junit_failures(result.stdout)) == [(EN, "review-due-soon")]


def test_check_usage_error_exits_2(project_dir: Path) -> None:
    result = run_cli(project_dir, "check", "--format", "nope")
    assert result.returncode == 2
    assert "Invalid value for '--format'" in result.stderr
    assert result.stdout == ""
