"""Translator round trip and the translation checks, each proven by a broken translation."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli
from lxml import etree

from pipeline.checks.readpdf import ReadPdf, contains
from pipeline.checks.translation import check_translation
from pipeline.source.loader import load_project

NS = "urn:oasis:names:tc:xliff:document:1.2"
SLUG = "metastatic-breast-cancer"
_KEEP = re.compile(r"(<[^>]+>|\S+@\S+|https?://\S+|\+?\d[\d\- ]{7,}\d|\{\w+\})")


def pseudo(text: str | None) -> str | None:
    """A pseudo-translation: accented vowels, contacts and placeholders untouched."""
    if not text:
        return text
    parts = _KEEP.split(text)
    table = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")
    return "".join(p if i % 2 else p.translate(table) for i, p in enumerate(parts))


def fill_xliff(source: Path, target: Path, edit=None) -> None:
    """Translate every unit of an exported XLIFF file with pseudo(); ``edit`` may spoil some."""
    tree = etree.parse(str(source))
    for unit in tree.iter(f"{{{NS}}}trans-unit"):
        src = unit.find(f"{{{NS}}}source")
        old = unit.find(f"{{{NS}}}target")
        new = copy.deepcopy(src)
        new.tag = f"{{{NS}}}target"
        new.set("state", "translated")
        for element in new.iter():
            element.text = pseudo(element.text)
            if element is not new:
                element.tail = pseudo(element.tail)
        old.getparent().replace(old, new)
        if edit:
            edit(unit.get("id"), new)
    tree.write(str(target), xml_declaration=True, encoding="utf-8")


def export(root: Path, lang: str, fmt: str = "xliff") -> Path:
    out = root / f"export.{lang}.{'po' if fmt == 'po' else 'xlf'}"
    run_cli(
        root,
        "translate",
        "export",
        SLUG,
        "--to",
        lang,
        "--format",
        fmt,
        "--out",
        str(out),
        check=True,
    )
    return out


def test_round_trip_export_fill_import_build(project_dir: Path) -> None:
    exported = export(project_dir, "fr")
    units = etree.parse(str(exported)).findall(f".//{{{NS}}}trans-unit")
    ids = {u.get("id") for u in units}
    assert {"title", "series", "b1", "block:disclaimer", "label:page"} <= ids
    notes = " ".join(u.findtext(f"{{{NS}}}note") for u in units)
    assert "keep as is: 1-877-555-0142" in notes
    filled = project_dir / "fr.xlf"
    fill_xliff(exported, filled)
    result = run_cli(project_dir, "translate", "import", str(filled))
    assert result.returncode == 0, result.stderr
    sheet_file = project_dir / "sheets" / SLUG / "fr.md"
    text = sheet_file.read_text()
    assert "status: draft" in text and "Draft translation" in text
    assert "[Qúéstíóns tó Ásk Yóúr Dóctór](sheet:questions-to-ask-your-doctor)" in text
    assert (project_dir / "sheets/_org/blocks/fr.yaml").is_file()
    run_cli(project_dir, "build", SLUG, "--lang", "fr", check=True)
    pdf = ReadPdf((project_dir / "output/fr/metastatic-breast-cancer.pdf").read_bytes())
    assert pdf.lang == "fr"
    assert contains(pdf.text, "Métástátíc bréást cáncér ís bréást cáncér")
    assert contains(pdf.text, "1-877-555-0142")
    check = run_cli(
        project_dir, "check", f"sheets/{SLUG}/fr.md", "output/fr/metastatic-breast-cancer.pdf"
    )
    assert check.returncode == 0, check.stdout
    status = json.loads(
        run_cli(project_dir, "translate", "status", "--format", "json", check=True).stdout
    )
    assert status[SLUG]["fr"] == "draft, current" if "fr" in status[SLUG] else True


def test_po_round_trip(project_dir: Path) -> None:
    from translate.storage import po

    exported = export(project_dir, "de", "po")
    store = po.pofile.parsefile(str(exported))
    for unit in store.units:
        if not unit.isheader():
            unit.target = pseudo(unit.source)
    filled = project_dir / "de.po"
    filled.write_bytes(bytes(store))
    result = run_cli(project_dir, "translate", "import", str(filled))
    assert result.returncode == 0, result.stderr
    assert "lang: de" in (project_dir / "sheets" / SLUG / "de.md").read_text()


def test_import_refuses_and_lists_untranslated_fuzzy_and_empty_units(project_dir: Path) -> None:
    exported = export(project_dir, "fr")

    def spoil(unit_id: str, target) -> None:
        if unit_id == "b2":
            target.set("state", "needs-review-translation")  # fuzzy
        elif unit_id == "b3":
            for child in list(target):
                target.remove(child)
            target.text = ""  # empty

    filled = project_dir / "fr.xlf"
    fill_xliff(exported, filled, spoil)
    # and one unit left out entirely
    tree = etree.parse(str(filled))
    unit = tree.find(f".//{{{NS}}}trans-unit[@id='b4']")
    unit.getparent().remove(unit)
    tree.write(str(filled), xml_declaration=True, encoding="utf-8")
    result = run_cli(project_dir, "translate", "import", str(filled))
    assert result.returncode == 1
    assert "unit b2: state 'needs-review-translation'" in result.stderr
    assert "unit b3: not translated (empty target)" in result.stderr
    assert "unit b4: missing from the file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def test_import_refuses_broken_placeholders(project_dir: Path) -> None:
    exported = export(project_dir, "fr")
    tree = etree.parse(str(exported))
    link_unit = next(
        u.get("id")
        for u in tree.iter(f"{{{NS}}}trans-unit")
        if u.get("id").startswith("b")
        and u.find(f"{{{NS}}}source/{{{NS}}}g[@ctype='link']") is not None
    )

    def drop_link(unit_id: str, target) -> None:
        if unit_id == link_unit:  # the translator's tool lost the link: text only
            child = target[0]
            target.text = (target.text or "") + "".join(child.itertext()) + (child.tail or "")
            target.remove(child)

    filled = project_dir / "fr.xlf"
    fill_xliff(exported, filled, drop_link)
    result = run_cli(project_dir, "translate", "import", str(filled))
    assert result.returncode == 1
    assert f"unit {link_unit}: placeholder(s) 1 of the source are missing" in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def _break_spanish(project_dir: Path, old: str, new: str, count: int = 1) -> list:
    path = project_dir / "sheets" / SLUG / "es.md"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))
    project = load_project(project_dir)
    return check_translation(project, project.sheet(SLUG, "es"))


def test_sample_translations_pass(project_dir: Path) -> None:
    project = load_project(project_dir)
    for (slug, lang), sheet in project.sheets.items():
        assert check_translation(project, sheet) == [], (slug, lang)


@pytest.mark.parametrize(
    "old,new,rule,fragment",
    [
        ("1-877-555-0142", "1-877-555-0143", "translation-contacts", "phone +18775550143"),
        (
            "https://www.harborlight.example/topics/bone-metastases",
            "https://www.harborlight.example/topics/bones",
            "translation-contacts",
            "link https://",
        ),
        ("168.000", "186.000", "translation-numbers", "186000"),
        ("**Si un síntoma", "**Si un síntoma", None, None),  # unchanged: control row
    ],
)
def test_translation_check_catches(project_dir: Path, old, new, rule, fragment) -> None:
    findings = _break_spanish(project_dir, old, new)
    if rule is None:
        assert findings == []
        return
    assert [f.rule for f in findings] == [rule], findings
    assert fragment in findings[0].message
    assert findings[0].line and findings[0].path.endswith("es.md")


def test_dropped_bullet_breaks_structure(project_dir: Path) -> None:
    text = (project_dir / "sheets" / SLUG / "es.md").read_text()
    bullet = re.search(r"^- .*hígado.*$", text, re.M).group(0)
    findings = _break_spanish(project_dir, bullet + "\n", "")
    assert [f.rule for f in findings] == ["translation-structure"]
    assert "source has 'li', translation has" in findings[0].message


def test_unbalanced_bold(project_dir: Path) -> None:
    text = (project_dir / "sheets" / SLUG / "es.md").read_text()
    bold = re.search(r"\*\*[^*]+\*\*", text).group(0)
    findings = _break_spanish(project_dir, bold, bold[:-2])
    assert [f.rule for f in findings] == ["translation-markup"]
    assert "unclosed" in findings[0].message


def test_untranslated_unit(project_dir: Path) -> None:
    en = (project_dir / "sheets" / SLUG / "en.md").read_text()
    english = re.search(r"^Even when it grows.*$", en, re.M).group(0)
    es = (project_dir / "sheets" / SLUG / "es.md").read_text()
    spanish_lines = es.split("## ")[1].strip().split("\n\n")
    findings = _break_spanish(project_dir, spanish_lines[-1], english)
    assert [f.rule for f in findings] == ["translation-untranslated"]


def test_stale_source_lists_changed_units(project_dir: Path) -> None:
    en = project_dir / "sheets" / SLUG / "en.md"
    en.write_text(
        en.read_text().replace(
            "Doctors also call it stage IV breast cancer.",
            "Doctors also call it stage 4 breast cancer.",
        )
    )
    project = load_project(project_dir)
    findings = check_translation(project, project.sheet(SLUG, "es"))
    stale = [f for f in findings if f.rule == "translation-stale"]
    assert len(stale) == 1
    assert "unit b2 changed: was 'Metastatic breast cancer" in stale[0].message
    assert "stage 4 breast cancer" in stale[0].message
    status = json.loads(
        run_cli(project_dir, "translate", "status", "--format", "json", check=True).stdout
    )
    assert status[SLUG]["es"] == "draft, stale (1 units)"
    assert status["questions-to-ask-your-doctor"]["vi"] == "missing"


def test_missing_glyph_fails_the_build_naming_the_character(project_dir: Path) -> None:
    path = project_dir / "sheets" / SLUG / "en.md"
    path.write_text(path.read_text().replace("Even when it grows", "Even \U000f0001 when it grows"))
    result = run_cli(project_dir, "build", SLUG, "--lang", "en", "--jobs", "1")
    assert result.returncode == 1
    assert "U+F0001" in result.stderr and "no installed font has a glyph" in result.stderr
    assert not (project_dir / "output/en/metastatic-breast-cancer.pdf").exists()
