"""Translator round trip: export, CAT tools' files back in, the translation checks.

Every file a test imports is built from our own export, reshaped the way a CAT
tool writes it (tests/cat_tools.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from cat_tools import NBSP, NNBSP, PO_TOOLS, XLIFF_TOOLS, X, factsheet, fill, pseudo
from conftest import ROOT, run_cli
from lxml import etree

from pipeline.checks.readpdf import ReadPdf, contains
from pipeline.checks.translation import check_translation, numbers
from pipeline.source.loader import load_project

SLUG = "metastatic-breast-cancer"
SCHEMA = ROOT / "tests" / "data" / "xliff" / "xliff-core-1.2-strict.xsd"


def export(root: Path, lang: str, fmt: str = "xliff", slug: str = SLUG) -> Path:
    """What `factsheet translate export` writes (called in-process: the CLI's own
    behaviour is tested in test_export_refuses_the_source_language...)."""
    from pipeline.translate.export import export as export_file

    out = root / f"export.{lang}.{'po' if fmt == 'po' else 'xlf'}"
    out.write_bytes(export_file(load_project(root), slug, lang, fmt))
    return out


def write(tree: etree._ElementTree, path: Path) -> Path:
    tree.write(str(path), xml_declaration=True, encoding="utf-8")
    return path


def import_(root: Path, path: Path, *options: str) -> subprocess.CompletedProcess:
    result = factsheet(root, "translate", "import", str(path), *options)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def status(root: Path) -> dict:
    result = factsheet(root, "translate", "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def unit_ids(path: Path) -> list[str]:
    return [u.get("id") for u in etree.parse(str(path)).iter(f"{X}trans-unit")]


def unit_id_of(root: Path, text: str, lang: str = "en") -> str:
    project = load_project(root)
    return next(u.key for u in project.sheet(SLUG, lang).body.units if text in u.text)


# -- export ----------------------------------------------------------------------------


def test_export_has_content_ids_notes_and_validates_against_the_strict_schema(
    project_dir: Path,
) -> None:
    exported = export(project_dir, "fr")
    ids = unit_ids(exported)
    assert {"title", "series", "block:disclaimer", "label:page"} <= set(ids)
    assert not any(re.fullmatch(r"b\d+", i) for i in ids)  # no positional ids
    assert unit_id_of(project_dir, "The lungs.") in ids
    tree = etree.parse(str(exported))
    notes = " ".join(n.text for n in tree.iter(f"{X}note"))
    assert "keep as is: 1-877-555-0142" in notes
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(tree), schema.error_log
    # A target whose state is not an XLIFF state breaks the schema: the test can fail.
    tree.find(f".//{X}target").set("state", "done")
    assert not schema.validate(tree)


def test_po_export_passes_msgfmt_and_flags_label_placeholders(project_dir: Path) -> None:
    from translate.storage import po

    for lang in ("fr", "es"):  # empty, and pre-filled from the Spanish translation
        exported = export(project_dir, lang, "po")
        result = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(exported)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    store = po.pofile.parsefile(str(exported))
    page = next(u for u in store.units if u.getcontext() == "label:page")
    assert "python-brace-format" in page.typecomments[0]
    assert page.target == "Página {page} de {pages}"
    # msgfmt -c catches a broken placeholder in a translation: the check is real.
    page.target = "Página {pagina} de {pages}"
    broken = project_dir / "broken.po"
    broken.write_bytes(bytes(store))
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(broken)], capture_output=True)
    assert result.returncode != 0


def test_export_refuses_the_source_language_and_canonicalises_the_target(
    project_dir: Path,
) -> None:
    result = run_cli(project_dir, "translate", "export", SLUG, "--to", "en-US")
    assert result.returncode == 1 and "is the source language" in result.stderr
    out = project_dir / "x.xlf"
    run_cli(
        project_dir, "translate", "export", SLUG, "--to", "es_MX", "--out", str(out), check=True
    )
    assert etree.parse(str(out)).getroot()[0].get("target-language") == "es"


# -- round trips in the shapes of real CAT tools ------------------------------------------


def _tool_file(root: Path, tool: str) -> Path:
    if tool in PO_TOOLS:
        exported = export(root, "fr", "po")
        path = root / f"{tool}.fr.po"
        path.write_bytes(PO_TOOLS[tool](exported.read_bytes()))
        return path
    tree = etree.parse(str(export(root, "fr")))
    if tool in ("trados", "okapi"):
        fill(tree)
    return write(XLIFF_TOOLS[tool](tree), root / f"{tool}.fr.xlf")


@pytest.mark.parametrize("tool", [*XLIFF_TOOLS, *PO_TOOLS])
def test_cat_tool_file_imports_as_a_draft_with_markup_and_spaces_intact(
    project_dir: Path, tool: str
) -> None:
    result = import_(project_dir, _tool_file(project_dir, tool))
    assert result.returncode == 0, result.stderr
    text = (project_dir / "sheets" / SLUG / "fr.md").read_text()
    assert "\nstatus: draft\n" in text and "Draft translation" in text
    assert "[Qúéstíóns tó Ásk Yóúr Dóctór](sheet:questions-to-ask-your-doctor)" in text
    assert "[1-877-555-0142](tel:+18775550142)" in text
    assert f"168{NNBSP}000" in text and f"6{NNBSP}%" in text  # no-break spaces survive
    assert f"Whát ís ít{NBSP}?" in text
    assert "*dé nóvó*" in text and "**Íf á sympt" in text
    blocks = (project_dir / "sheets/_org/blocks/fr.yaml").read_text()
    assert "{lang=es}" in blocks and "Págé {page} óf {pages}" in blocks
    assert (project_dir / "sheets" / SLUG / "translations/fr.source.json").is_file()
    assert not list((project_dir / "sheets").rglob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("tool", [*XLIFF_TOOLS, *PO_TOOLS])
def test_cat_tool_round_trip_builds_and_passes_the_gate(project_dir: Path, tool: str) -> None:
    assert import_(project_dir, _tool_file(project_dir, tool)).returncode == 0
    run_cli(project_dir, "build", SLUG, "--lang", "fr", "--jobs", "1", check=True)
    pdf_path = project_dir / "output/fr/metastatic-breast-cancer.pdf"
    pdf = ReadPdf(pdf_path.read_bytes())
    assert pdf.lang == "fr"
    assert contains(pdf.text, "Métástátíc bréást cáncér ís bréást cáncér")
    assert contains(pdf.text, "1-877-555-0142")
    check = run_cli(project_dir, "check", f"sheets/{SLUG}/fr.md", str(pdf_path))
    assert check.returncode == 0, check.stdout
    assert status(project_dir)[SLUG]["fr"] == "draft, current"


def test_untouched_export_of_a_translation_imports_back_unchanged(project_dir: Path) -> None:
    """Spanish exported and imported as it is: not one byte of the body or blocks moves
    ([We speak English.]{lang=en} stays English, no-break spaces stay)."""
    sheet = project_dir / "sheets" / SLUG / "es.md"
    blocks = project_dir / "sheets/_org/blocks/es.yaml"
    body_before, blocks_before = sheet.read_text().split("---\n", 2)[2], blocks.read_bytes()
    for fmt in ("xliff", "po"):
        result = import_(project_dir, export(project_dir, "es", fmt))
        assert result.returncode == 0, result.stderr
        assert sheet.read_text().split("---\n", 2)[2] == body_before
        assert blocks.read_bytes() == blocks_before  # unchanged blocks are not rewritten
        assert result.stderr == ""  # no unit changed: no diff
    assert "[We speak English.]{lang=en}" in blocks.read_text()


# -- what import refuses --------------------------------------------------------------------


def _spoil(root: Path, tool, unit_text: str, change) -> tuple[Path, str, int]:
    """A filled file in a tool's shape where ``change(tu)`` spoils the unit holding text;
    returns the file, the unit's id and its line in the file."""
    tree = etree.parse(str(export(root, "fr")))
    fill(tree)
    unit_id = unit_id_of(root, unit_text)
    tu = next(u for u in tree.iter(f"{X}trans-unit") if u.get("id") == unit_id)
    index = list(tree.iter(f"{X}trans-unit")).index(tu)
    tree = tool(tree) if tool else tree  # (memoQ renumbers units: keep the element)
    change(tu)
    path = write(tree, root / "spoiled.xlf")
    line = list(etree.parse(str(path)).iter(f"{X}trans-unit"))[index].sourceline
    return path, unit_id, line


def _set(path: str, **attrs):
    def change(tu):
        node = tu if path == "." else tu.find(path)
        for key, value in attrs.items():
            key = key.replace("__", ":").replace("_", "-")
            if ":" in key:
                prefix, name = key.split(":")
                key = f"{{{dict(sdl=SDL, mq=MQ, m=PHRASE)[prefix]}}}{name}"
            if value is None:
                node.attrib.pop(key, None)
            else:
                node.set(key, value)

    return change


from cat_tools import MQ, PHRASE, SDL, memoq, phrase, trados  # noqa: E402


def _trados_seg(**attrs):
    def change(tu):
        seg = tu.find(f"{{{SDL}}}seg-defs/{{{SDL}}}seg")
        for key, value in attrs.items():
            seg.set(key, value)

    return change


UNREADY = [
    (None, _set(f"{X}target", state=None), "no state: not marked translated"),
    (
        None,
        _set(f"{X}target", state="needs-review-translation"),
        "state 'needs-review-translation'",
    ),
    (None, _set(f"{X}target", state="new"), "state 'new'"),
    (
        None,
        _set(f"{X}target", state_qualifier="leveraged-mt"),
        "machine translation not reviewed (state-qualifier 'leveraged-mt')",
    ),
    (trados, _trados_seg(conf="Draft"), "Trados status Draft"),
    (trados, _trados_seg(origin="nmt"), "Trados: machine translation not reviewed"),
    (memoq, _set(".", mq__status="PartiallyEdited"), "memoQ status PartiallyEdited"),
    (memoq, _set(".", mq__status="MachineTranslated"), "memoQ status MachineTranslated"),
    (phrase, _set(".", m__confirmed="0"), "Phrase: not confirmed"),
]


@pytest.mark.parametrize("tool,change,message", UNREADY, ids=[m for *_, m in UNREADY])
def test_unconfirmed_or_machine_translated_units_are_refused(
    project_dir: Path, tool, change, message
) -> None:
    path, unit_id, line = _spoil(project_dir, tool, "The lungs.", change)
    result = import_(project_dir, path)
    assert result.returncode == 1
    sheet_line = unit_line(project_dir, "The lungs.")
    expected = f"spoiled.xlf:{line}: error: unit {unit_id}: {message}"
    assert expected in result.stderr, result.stderr
    assert f"(sheet: sheets/{SLUG}/en.md:{sheet_line})" in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def unit_line(root: Path, text: str) -> int:
    project = load_project(root)
    return next(u.line for u in project.sheet(SLUG, "en").body.units if text in u.text)


@pytest.mark.parametrize(
    "tool,change",
    [
        (None, _set(f"{X}target", state="signed-off", state_qualifier="leveraged-mt")),
        (trados, _trados_seg(origin="nmt", conf="ApprovedTranslation")),
        (memoq, _set(".", mq__status="Reviewer1Confirmed")),
        (None, lambda tu: (tu.set("approved", "yes"), tu.find(f"{X}target").attrib.pop("state"))),
    ],
)
def test_reviewed_machine_translation_and_approved_units_are_accepted(
    project_dir: Path, tool, change
) -> None:
    path, *_ = _spoil(project_dir, tool, "The lungs.", change)
    result = import_(project_dir, path)
    assert result.returncode == 0, result.stderr


def test_every_problem_is_listed_at_once_and_nothing_written(project_dir: Path) -> None:
    tree = etree.parse(str(export(project_dir, "fr")))
    fill(tree)
    by_id = {u.get("id"): u for u in tree.iter(f"{X}trans-unit")}
    lungs, liver = unit_id_of(project_dir, "The lungs."), unit_id_of(project_dir, "The liver.")
    brain = unit_id_of(project_dir, "The brain.")
    by_id[lungs].find(f"{X}target").set("state", "needs-review-translation")
    target = by_id[liver].find(f"{X}target")
    for child in list(target):
        target.remove(child)
    target.text = ""
    by_id[brain].getparent().remove(by_id[brain])
    link = next(u for u in by_id.values() if u.find(f"{X}source/{X}g[@ctype='link']") is not None)
    g = link.find(f"{X}target/{X}g")
    g.getparent().text = (g.getparent().text or "") + "".join(g.itertext()) + (g.tail or "")
    g.getparent().remove(g)
    result = import_(project_dir, write(tree, project_dir / "fr.xlf"))
    assert result.returncode == 1
    assert f"unit {lungs}: state 'needs-review-translation'" in result.stderr
    assert f"unit {liver}: not translated (the target is empty)" in result.stderr
    assert f"unit {brain}: missing from the file" in result.stderr
    assert f"unit {link.get('id')}: placeholder(s) 1 of the source are missing" in result.stderr
    assert "4 not ready; nothing was written" in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def test_duplicate_units_and_msgctxt_are_refused(project_dir: Path) -> None:
    tree = etree.parse(str(export(project_dir, "fr")))
    fill(tree)
    first = tree.find(f".//{X}trans-unit")
    first.addnext(etree.fromstring(etree.tostring(first)))
    result = import_(project_dir, write(tree, project_dir / "dup.xlf"))
    assert result.returncode == 1 and "unit title: appears twice (also at line" in result.stderr
    po_file = project_dir / "dup.po"
    po_file.write_bytes(PO_TOOLS["poedit"](export(project_dir, "fr", "po").read_bytes()))
    text = po_file.read_text()
    entry = re.search(r'msgctxt "series"\nmsgid "[^"]*"\nmsgstr "[^"]*"\n', text).group(0)
    po_file.write_text(text + "\n" + entry.replace('msgstr "', 'msgstr "Autre '))
    result = import_(project_dir, po_file)
    assert result.returncode == 1 and "unit series: appears twice" in result.stderr


def test_broken_label_placeholder_is_a_problem_not_a_traceback(project_dir: Path) -> None:
    for bad, message in [
        ("Página {page de {pages}", "has a brace that opens or closes no placeholder"),
        ("Página {pagina} de {pages}", "has an unknown placeholder {pagina}"),
        ("Página {page.__class__} de {pages}", "has an unknown placeholder {page.__class__}"),
        ("Página de {pages}", "lacks the {page} placeholder"),
    ]:
        exported = export(project_dir, "fr", "po")
        path = project_dir / "labels.po"
        data = PO_TOOLS["poedit"](exported.read_bytes()).decode()
        data = re.sub(
            r'(msgctxt "label:page"\n.*\nmsgstr )".*"',
            lambda m, bad=bad: f'{m.group(1)}"{bad}"',
            data,
        )
        path.write_text(data)
        result = import_(project_dir, path)
        assert result.returncode == 1, bad
        assert "unit label:page: the label " + message in result.stderr, result.stderr
        assert "(sheet: sheets/_org/blocks/en.yaml:" in result.stderr


# -- languages --------------------------------------------------------------------------------


def test_language_tags_are_canonical_and_checked(project_dir: Path) -> None:
    poedit = project_dir / "poedit.po"
    poedit.write_bytes(PO_TOOLS["poedit"](export(project_dir, "fr", "po").read_bytes()))
    assert import_(project_dir, poedit, "--dry-run").stdout.startswith("dry run")  # fr_FR is fr
    data = poedit.read_text()
    # The file claims another language than it was exported for: refused unless --lang says.
    poedit.write_text(data.replace("Language: fr_FR", "Language: de"))
    result = import_(project_dir, poedit)
    assert result.returncode == 1
    assert "the file says it is in 'de', but it was exported for 'fr'" in result.stderr
    assert "hint: say which with --lang fr" in result.stderr
    assert import_(project_dir, poedit, "--lang", "fr").returncode == 0
    # A file in the source language would overwrite what every English sheet prints.
    poedit.write_text(
        data.replace("Language: fr_FR", "Language: en-GB").replace(
            "X-Factsheet-Language: fr", "X-Factsheet-Language: en"
        )
    )
    result = import_(project_dir, poedit)
    assert result.returncode == 1 and "is the source language (en)" in result.stderr
    assert import_(project_dir, poedit, "--lang", "en").returncode == 1
    assert "translation_of" not in (project_dir / "sheets" / SLUG / "en.md").read_text()


# -- stable units, staleness, re-export ----------------------------------------------------------


def _edit(root: Path, old: str, new: str, slug: str = SLUG) -> None:
    path = root / "sheets" / slug / "en.md"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_inserting_one_bullet_makes_exactly_that_unit_new_everywhere(project_dir: Path) -> None:
    _edit(project_dir, "- The liver.\n", "- The liver.\n- The skin.\n")
    new_id = unit_id_of(project_dir, "The skin.")
    project = load_project(project_dir)
    for lang in ("es", "ar", "ko", "ru", "tl", "vi", "zh-Hans"):
        sheet = project.sheet(SLUG, lang)
        stale = [f for f in check_translation(project, sheet) if f.rule == "translation-stale"]
        assert [f.unit for f in stale] == [new_id], (lang, stale)
        assert f"is new in sheets/{SLUG}/en.md:" in stale[0].message
        assert "'The skin.'" in stale[0].message
        liver_line = next(
            u.line
            for u in sheet.body.units
            if u.kind == "item" and "20" not in u.text and u.line > 30
        )
        assert stale[0].line and stale[0].line >= liver_line - 2
    assert status(project_dir)[SLUG]["es"] == "draft, stale (1 units)"


def test_editing_two_sentences_makes_exactly_those_two_stale(project_dir: Path) -> None:
    _edit(project_dir, "Doctors also call it stage IV breast cancer.", "Doctors call it stage IV.")
    _edit(project_dir, "- Seizures.", "- Seizures or fits.")
    project = load_project(project_dir)
    sheet = project.sheet(SLUG, "es")
    stale = [f for f in check_translation(project, sheet) if f.rule == "translation-stale"]
    assert len(stale) == 2
    first, second = stale
    assert "was 'Metastatic breast cancer is breast cancer" in first.message
    assert (
        "now 'Metastatic breast cancer" in first.message
        and "Doctors call it stage IV.'" in first.message
    )
    assert "was 'Seizures.', now 'Seizures or fits.'" in second.message
    es_lines = sheet.source_text.split("\n")
    assert "estadio IV" in es_lines[first.line - 1]  # each finding at its own unit's line
    assert "Convulsiones" in es_lines[second.line - 1]
    assert f"sheets/{SLUG}/en.md:{unit_line(project_dir, 'Seizures or fits.')}" in second.message
    assert status(project_dir)[SLUG]["es"] == "draft, stale (2 units)"
    # Re-export: both changed units come back for review with their previous translation.
    tree = etree.parse(str(export(project_dir, "es")))
    review = {
        u.get("id"): u
        for u in tree.iter(f"{X}trans-unit")
        if u.find(f"{X}target").get("state") == "needs-review-translation"
    }
    assert set(review) == {first.unit, second.unit}
    seizures = review[second.unit]
    assert seizures.findtext(f"{X}target") == "Convulsiones."
    assert seizures.findtext(f"{X}alt-trans/{X}source") == "Seizures."
    assert seizures.findtext(f"{X}alt-trans/{X}target") == "Convulsiones."
    states = {u.find(f"{X}target").get("state") for u in tree.iter(f"{X}trans-unit")}
    assert states == {"translated", "needs-review-translation"}  # the rest pre-filled
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(tree), schema.error_log
    # PO: fuzzy, previous translation, previous msgid.
    po_text = export(project_dir, "es", "po").read_text()
    assert (
        f'#, fuzzy\n#| msgctxt "{unit_id_of_snapshot(project_dir, "Seizures.")}"\n'
        f'#| msgid "Seizures."\nmsgctxt "{second.unit}"\nmsgid "Seizures or fits."\n'
        'msgstr "Convulsiones."' in po_text
    )


def unit_id_of_snapshot(root: Path, text: str) -> str:
    project = load_project(root)
    snapshot = project.snapshots[(SLUG, "es")]
    return next(u.id for u in snapshot.units if u.text == text)


def test_a_file_exported_before_a_source_edit_is_refused_unit_by_unit(project_dir: Path) -> None:
    _edit(project_dir, "- The bones.\n", "- The bones. {#bones}\n")  # keeps its id when edited
    tree = etree.parse(str(export(project_dir, "fr")))
    fill(tree)
    old_file = write(tree, project_dir / "old.xlf")
    _edit(project_dir, "- The bones. {#bones}", "- The bones and joints. {#bones}")
    _edit(project_dir, "- The lungs.", "- Both lungs.")  # a content id: the unit's id changes
    _edit(project_dir, "- The liver.\n", "- The liver.\n- The skin.\n")
    result = import_(project_dir, old_file)
    assert result.returncode == 1
    assert (
        "unit bones: translated from an older source: the file has 'The bones.', " in result.stderr
    )
    assert "the sheet now says 'The bones and joints.'" in result.stderr
    skin, lungs = unit_id_of(project_dir, "The skin."), unit_id_of(project_dir, "Both lungs.")
    assert f"unit {skin}: missing from the file" in result.stderr
    assert f"unit {lungs}: missing from the file" in result.stderr
    assert "not a unit of the current source (its text changed or it was removed" in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()
    # Re-exported, translated and imported, the explicit id stays in the translation.
    tree = etree.parse(str(export(project_dir, "fr")))
    assert "bones" in unit_ids(export(project_dir, "fr"))
    assert import_(project_dir, write(fill(tree), project_dir / "new.xlf")).returncode == 0
    assert (
        "- Thé bónés ánd jóínts. {#bones}" in (project_dir / "sheets" / SLUG / "fr.md").read_text()
    )


def test_explicit_ids_are_checked(project_dir: Path) -> None:
    _edit(project_dir, "- The bones.\n- The lungs.", "- The bones. {#organ}\n- The lungs. {#organ}")
    result = factsheet(project_dir, "translate", "status")
    assert result.returncode == 1
    assert f"sheets/{SLUG}/en.md:33: error: unit id 'organ' is used twice" in result.stderr


# -- approved translations, Markdown ------------------------------------------------------------


def test_approved_translation_is_not_replaced_without_replace(project_dir: Path) -> None:
    sheet = project_dir / "sheets" / SLUG / "es.md"
    sheet.write_text(sheet.read_text().replace("status: draft", "status: approved"))
    tree = etree.parse(str(export(project_dir, "es")))
    lungs = unit_id_of(project_dir, "The lungs.")
    tu = next(u for u in tree.iter(f"{X}trans-unit") if u.get("id") == lungs)
    tu.find(f"{X}target").text = "Ambos pulmones."
    path = write(tree, project_dir / "es.xlf")
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert f"sheets/{SLUG}/es.md is approved; nothing was written" in result.stderr
    assert f"unit {lungs} (sheets/{SLUG}/es.md:" in result.stderr
    assert "  - Los pulmones.\n  + Ambos pulmones." in result.stderr
    assert "status: approved" in sheet.read_text()
    result = import_(project_dir, path, "--replace")
    assert result.returncode == 0, result.stderr
    assert "  + Ambos pulmones." in result.stderr
    assert "status: draft" in sheet.read_text() and "- Ambos pulmones." in sheet.read_text()


def test_approved_blocks_are_not_replaced_without_replace(project_dir: Path) -> None:
    blocks = project_dir / "sheets/_org/blocks/es.yaml"
    blocks.write_text(blocks.read_text().replace("status: draft", "status: approved"))
    tree = etree.parse(str(export(project_dir, "es")))
    tu = next(u for u in tree.iter(f"{X}trans-unit") if u.get("id") == "label:hours")
    tu.find(f"{X}target").text = "Horas"
    result = import_(project_dir, write(tree, project_dir / "es.xlf"))
    assert result.returncode == 1
    assert "sheets/_org/blocks/es.yaml is approved" in result.stderr
    assert "unit label:hours (sheets/_org/blocks/es.yaml):\n  - Horario\n  + Horas" in result.stderr


def test_markdown_copied_from_an_approved_translation_is_imported_as_draft(
    project_dir: Path,
) -> None:
    es = (project_dir / "sheets" / SLUG / "es.md").read_text()
    copy = project_dir / "es-copy.md"
    copy.write_text(
        es.replace("status: draft", "status: approved").replace(
            "# Draft translation: not yet reviewed by a qualified medical translator.\n", ""
        )
    )
    approved = project_dir / "sheets" / SLUG / "es.md"
    approved.write_text(es.replace("status: draft", "status: approved"))
    copy.write_text(copy.read_text().replace("- Los pulmones.", "- Ambos pulmones."))
    result = import_(project_dir, copy)
    assert result.returncode == 1 and "es.md is approved; nothing was written" in result.stderr
    assert "  - Los pulmones.\n  + Ambos pulmones." in result.stderr  # the diff, unit by unit
    result = import_(project_dir, copy, "--replace")
    assert result.returncode == 0, result.stderr
    text = (project_dir / "sheets" / SLUG / "es.md").read_text()
    assert "\nstatus: draft\n" in text and "status: approved" not in text
    assert "Draft translation" in text
    # A Markdown translation of an older source is refused.
    copy.write_text(es.replace('source_hash: "sha256:', 'source_hash: "sha256:0'))
    result = import_(project_dir, copy)
    assert result.returncode == 1 and "translated from an older" in result.stderr


# -- the translation checks ----------------------------------------------------------------------


def _break_spanish(project_dir: Path, old: str, new: str, count: int = 1) -> list:
    path = project_dir / "sheets" / SLUG / "es.md"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))
    project = load_project(project_dir)
    return check_translation(project, project.sheet(SLUG, "es"))


def test_sample_translations_pass_and_are_current(project_dir: Path) -> None:
    project = load_project(project_dir)
    for (slug, lang), sheet in project.sheets.items():
        assert check_translation(project, sheet) == [], (slug, lang)
    rows = status(project_dir)
    assert all(
        s in ("source", "missing") or s.endswith(", current")
        for r in rows.values()
        for s in r.values()
    ), rows


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
        ("168.000", "168,000", "translation-numbers", "168"),  # Spanish: 168,000 is 168
        ("**Si un síntoma", "**Si un síntoma", None, None),  # unchanged: control row
    ],
)
def test_translation_check_catches(project_dir: Path, old, new, rule, fragment) -> None:
    findings = _break_spanish(project_dir, old, new)
    if rule is None:
        assert findings == []
        return
    assert [f.rule for f in findings] == [rule], findings
    finding = findings[0]
    assert fragment in finding.message
    assert finding.unit and finding.message.startswith(f"unit {finding.unit}: ")
    assert f"(source: sheets/{SLUG}/en.md:" in finding.message
    es = (project_dir / "sheets" / SLUG / "es.md").read_text().split("\n")
    assert new in es[finding.line - 1]  # the unit's own line in the translation


def test_numbers_compare_by_value_with_cldr_grouping() -> None:
    assert numbers("168,000 women", "en") == numbers("1,68,000 महिलाएं", "hi")
    assert numbers("168,000 women", "en") == numbers("۱۶۸٬۰۰۰ زن", "fa")
    assert numbers("168,000 women", "en") == numbers(f"168{NNBSP}000 femmes", "fr")
    assert numbers("168,000 women", "en") == numbers("168.000 mujeres", "es")
    assert numbers("168,000", "en") != numbers("1,68,000", "en")  # not how English groups
    assert numbers("2.5 cm", "en") == numbers("2,5 cm", "es") != numbers("25 cm", "es")


def test_a_number_written_as_a_word_needs_the_translators_note(project_dir: Path) -> None:
    tree = etree.parse(str(export(project_dir, "fr")))
    fill(tree)
    unit_id = unit_id_of(project_dir, "more than 2 weeks")
    tu = next(u for u in tree.iter(f"{X}trans-unit") if u.get("id") == unit_id)
    g = tu.find(f"{X}target/{X}g")
    g.text = g.text.replace("2 wééks", "déux sémáínés")
    path = write(tree, project_dir / "fr.xlf")
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert f"unit {unit_id}: numbers differ: source has 2, translation has nothing" in result.stderr
    etree.SubElement(tu, f"{X}note", **{"from": "translator"}).text = "number as word: 2 = deux"
    write(tree, path)
    result = import_(project_dir, path)
    assert result.returncode == 0, result.stderr
    project = load_project(project_dir)
    sheet = project.sheet(SLUG, "fr")
    assert sheet.front.numbers_as_words == {unit_id: "number as word: 2 = deux"}
    found = check_translation(project, sheet)
    assert [f.rule for f in found] == ["translation-number-word"]
    assert found[0].severity == "warning" and "2 written as words" in found[0].message


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


# -- the shared blocks are checked like sheet units ----------------------------------------------


def _blocks_findings(project_dir: Path, old: str, new: str) -> list:
    path = project_dir / "sheets/_org/blocks/es.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    from pipeline.checks.translation_blocks import check_blocks_translation

    return check_blocks_translation(load_project(project_dir), "es")


@pytest.mark.parametrize(
    "old,new,rule",
    [
        (
            "encontrar respuestas.",
            "encontrar respuestas al 1-877-555-0199.",
            "translation-contacts",
        ),
        ("Hable con nosotros", "Hable con nosotros 24 horas", "translation-numbers"),
        ("[We speak English.]{lang=en}", "We speak English.", "translation-markup"),
        (
            "Esta hoja tiene fines educativos y no cubre todos los detalles.",
            "This sheet is meant to help you learn, and it does not cover every detail.",
            None,  # one sentence of three left in English: not the whole block
        ),
    ],
)
def test_shared_block_translation_is_checked(project_dir: Path, old, new, rule) -> None:
    findings = _blocks_findings(project_dir, old, new)
    assert [f.rule for f in findings] == ([rule] if rule else [])
    if rule:
        assert findings[0].path == "sheets/_org/blocks/es.yaml" and findings[0].line
        assert "(source: sheets/_org/blocks/en.yaml:" in findings[0].message


def test_a_changed_english_block_makes_the_translated_blocks_stale(project_dir: Path) -> None:
    path = project_dir / "sheets/_org/blocks/en.yaml"
    path.write_text(path.read_text().replace("Have a question,", "Got a question,"))
    from pipeline.checks.translation_blocks import check_blocks_translation

    findings = check_blocks_translation(load_project(project_dir), "es")
    assert [(f.rule, f.unit) for f in findings] == [("translation-stale", "block:helpline_intro")]
    assert (
        "was 'Have a question," in findings[0].message
        and "now 'Got a question," in findings[0].message
    )
    assert status(project_dir)["(shared blocks)"]["es"] == "draft, stale (1 units)"
    # ... and the Spanish sheets' gate fails on it, naming the blocks file.
    result = factsheet(
        project_dir, "check", "--no-pdf", str(project_dir / "sheets" / SLUG / "es.md")
    )
    assert result.returncode == 1 and "sheets/_org/blocks/es.yaml:" in result.stdout


def test_missing_glyph_fails_the_build_naming_the_character(project_dir: Path) -> None:
    path = project_dir / "sheets" / SLUG / "en.md"
    path.write_text(path.read_text().replace("Even when it grows", "Even \U000f0001 when it grows"))
    result = run_cli(project_dir, "build", SLUG, "--lang", "en", "--jobs", "1")
    assert result.returncode == 1
    assert "U+F0001" in result.stderr and "no installed font has a glyph" in result.stderr
    assert not (project_dir / "output/en/metastatic-breast-cancer.pdf").exists()


def test_pseudo_keeps_contacts() -> None:  # the test helper itself
    assert pseudo("Call 1-877-555-0142 at {page}") == "Cáll 1-877-555-0142 át {page}"


def test_translated_text_cannot_become_markup_links_or_blocks(project_dir: Path) -> None:
    """What a translator types is text: a link, an autolink, an entity, a block marker
    or an {#id} in a target stays literally what it says, in its own unit."""
    hostile = {
        "The bones.": "# Les os [ici](#haut) <b>gras</b> &eacute;",
        "The lungs.": "+ Les poumons {#lungs}",
        "The liver.": "::: callout Foie",
        "The brain.": "> Le cerveau *",
    }
    tree = etree.parse(str(export(project_dir, "fr")))
    fill(tree)
    by_id = {u.get("id"): u for u in tree.iter(f"{X}trans-unit")}
    for english, french in hostile.items():
        target = by_id[unit_id_of(project_dir, english)].find(f"{X}target")
        target.text = french
    result = import_(project_dir, write(tree, project_dir / "fr.xlf"))
    assert result.returncode == 0, result.stderr
    project = load_project(project_dir)
    sheet = project.sheet(SLUG, "fr")
    assert sheet.body.outline == project.sheet(SLUG, "en").body.outline
    assert len(sheet.body.links) == len(project.sheet(SLUG, "en").body.links)
    texts = {u.text for u in sheet.body.units}
    from pipeline.source.markdown import plain_text

    shown = {plain_text(t) for t in texts}
    assert set(hostile.values()) <= shown, shown - set(hostile.values())


def test_a_translation_starting_like_a_list_or_heading_stays_text() -> None:
    from pipeline.translate.inline import Codes, from_element, to_element

    for text in ("1. Uno", "12) Doce", "# Uno", "- Uno", "---", "~~~"):
        element = to_element(text, "target")[0]
        markdown = from_element(element, Codes())
        from pipeline.source.markdown import _MD

        html = _MD.render(markdown)
        assert html.startswith("<p>"), (text, markdown, html)
