"""`factsheet doctor` names the fix that applies when a script has no font in the brand.

Three states of one language (Hindi, Devanagari): the brand names an installed
font (ok); a font is installed but the brand does not name it (an error that
names the font and the brand file: WeasyPrint would fall back to whatever the
machine has); no font is installed at all (an error that says what to install). The last state is
made with a fontconfig configuration that has no font folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_cli

BRAND = "styles/harborlight/brand.yaml"

needs_fc_list = pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fc-list")


def with_hindi(root: Path) -> Path:
    copy_project(root)
    blocks = ROOT / "tests" / "script_sheets" / "blocks" / "hi.yaml"
    shutil.copy(blocks, root / "sheets" / "_org" / "blocks" / "hi.yaml")
    return root


def hindi_line(result) -> str:
    (line,) = [line for line in result.stdout.splitlines() if "fonts for hi (Deva)" in line]
    return line


@needs_fc_list
def test_the_sample_brand_covers_devanagari_thai_and_hebrew(tmp_path: Path) -> None:
    root = with_hindi(tmp_path)
    for lang in ("th", "he"):
        source = ROOT / "tests" / "script_sheets" / "blocks" / f"{lang}.yaml"
        shutil.copy(source, root / "sheets" / "_org" / "blocks" / f"{lang}.yaml")
    result = run_cli(root, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    for label, family in (
        ("hi (Deva)", "Noto Sans Devanagari"),
        ("th (Thai)", "Noto Sans Thai"),
        ("he (Hebr)", "Noto Sans Hebrew"),
    ):
        assert f"[ok ] fonts for {label}: {family}" in result.stdout


@needs_fc_list
def test_installed_but_not_in_the_brand_says_which_font_to_add(tmp_path: Path) -> None:
    root = with_hindi(tmp_path)
    brand = root / BRAND
    brand.write_text(brand.read_text().replace("  Deva: [Noto Sans Devanagari]\n", ""))
    result = run_cli(root, "doctor")
    assert result.returncode == 1
    line = hindi_line(result)
    assert line.startswith("[ERR]")
    assert "installed but not in the brand's fonts: Noto Sans Devanagari" in line
    assert f"add it under fonts: Deva: in {BRAND}" in line
    assert "install" not in line.replace("installed", "")


@needs_fc_list
def test_no_installed_font_says_what_to_install(tmp_path: Path) -> None:
    root = with_hindi(tmp_path)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n"
    )
    result = run_cli(root, "doctor", env={"FONTCONFIG_FILE": str(config)})
    assert result.returncode == 1
    line = hindi_line(result)
    assert line.startswith("[ERR]")
    assert "no installed font covers 'ह' U+0939" in line
    assert "install Noto Sans Devanagari (Debian: apt-get install fonts-noto-core)" in line
    brand = root / BRAND
    brand.write_text(brand.read_text().replace("  Deva: [Noto Sans Devanagari]\n", ""))
    line = hindi_line(run_cli(root, "doctor", env={"FONTCONFIG_FILE": str(config)}))
    assert "install a font for it (Debian: apt-get install fonts-noto-core)" in line
    assert f"add it under fonts: Deva: in {BRAND}" in line
