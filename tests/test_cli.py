"""The command line as a user meets it: help, version, doctor, list, new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

COMMANDS = [
    "build",
    "check",
    "list",
    "status",
    "doctor",
    "new",
    "preview",
    "site",
    "bundle",
    ["translate", "export"],
    ["translate", "import"],
    ["translate", "status"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_every_command_has_help_with_examples(project_dir: Path, command) -> None:
    args = command if isinstance(command, list) else [command]
    result = run_cli(project_dir, *args, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout or "example" in result.stdout, result.stdout


def test_version(project_dir: Path) -> None:
    from pipeline import __version__

    assert run_cli(project_dir, "--version").stdout.strip() == f"factsheet, version {__version__}"


def test_doctor_reports_harfbuzz_subsetting_and_fonts(project_dir: Path) -> None:
    result = run_cli(project_dir, "doctor")
    assert result.returncode == 0, result.stdout
    assert "[ok ] HarfBuzz subsetting: active" in result.stdout
    for lang in ("en", "ar", "zh-Hans", "ko"):
        assert f"[ok ] fonts for {lang} " in result.stdout


def test_doctor_fails_on_a_language_without_a_font(project_dir: Path) -> None:
    brand = project_dir / "styles/harborlight/brand.yaml"
    brand.write_text(
        brand.read_text()
        .replace("Arab: [Noto Naskh Arabic, Noto Sans Arabic]", "Arab: [No Such Font]")
        .replace("default: [Noto Sans, DejaVu Sans]", "default: [No Such Font Either]")
    )
    result = run_cli(project_dir, "doctor")
    assert result.returncode == 1
    assert "[ERR] fonts for ar (Arab): none of" in result.stdout


def test_list_json(project_dir: Path) -> None:
    rows = json.loads(run_cli(project_dir, "list", "--format", "json", check=True).stdout)
    assert {(r["slug"], r["lang"]) for r in rows} >= {("metastatic-breast-cancer", "ar")}


def test_new_scaffolds_a_draft_whose_placeholders_fail_until_replaced(project_dir: Path) -> None:
    from pipeline.source.scaffold import PLACEHOLDERS

    result = run_cli(
        project_dir,
        "new",
        "bone-metastases",
        "--series",
        "Metastatic Breast Cancer",
        env={"SOURCE_DATE_EPOCH": "1784000000", "FACTSHEET_TODAY": ""},
    )
    assert result.returncode == 0, result.stderr
    path = project_dir / "sheets/bone-metastases/en.md"
    text = path.read_text()
    assert "reviewed: 2026-07-14" in text  # from SOURCE_DATE_EPOCH, not the clock
    assert "status: draft" in text
    check = ("check", "--no-pdf", "sheets/bone-metastases/en.md")
    today = {"FACTSHEET_TODAY": "2026-07-14"}
    fresh = run_cli(project_dir, *check, "--format", "json", env=today)
    assert fresh.returncode == 1
    found = json.loads(fresh.stdout)["findings"]
    # Every placeholder is named, at its own line, and nothing else is wrong.
    assert {f["rule"] for f in found} == {"scaffold-placeholder"}
    assert len(found) == len(PLACEHOLDERS)
    lines = text.split("\n")
    for item in found:
        assert any(p in lines[item["line"] - 1] for p in PLACEHOLDERS), item
    # Replacing all but one still fails, on that one.
    own = {
        PLACEHOLDERS[0]: "Bone Metastases",
        PLACEHOLDERS[1]: "What spread to the bones means and how it is treated.",
        PLACEHOLDERS[2]: "People whose breast cancer has spread to the bones",
        PLACEHOLDERS[3]: "Cancer cells from the breast can settle in the bones.",
        PLACEHOLDERS[4]: "Tell your care team about new bone pain.",
    }
    for old, new in own.items():
        text = text.replace(old, new)
    path.write_text(text)
    partial = run_cli(project_dir, *check, env=today)
    assert partial.returncode == 1
    assert f"'{PLACEHOLDERS[5]}' [scaffold-placeholder]" in partial.stdout
    path.write_text(text.replace(PLACEHOLDERS[5], "Ask about medicines that protect bones."))
    done = run_cli(project_dir, *check, env=today)
    assert done.returncode == 0, done.stdout
    again = run_cli(project_dir, "new", "bone-metastases")
    assert again.returncode == 1 and "sheet already exists" in again.stderr


def test_status_sorted_by_urgency_and_filtered(project_dir: Path) -> None:
    rows = json.loads(run_cli(project_dir, "status", "--format", "json", check=True).stdout)
    assert [r["days_left"] for r in rows] == sorted(r["days_left"] for r in rows)
    assert rows[0]["translation"] in ("source", "current")
    due = json.loads(
        run_cli(
            project_dir, "status", "--due-within", "500d", "--format", "json", check=True
        ).stdout
    )
    assert due and all(r["days_left"] <= 500 for r in due)
    bad = run_cli(project_dir, "status", "--due-within", "soon")
    assert bad.returncode == 2
