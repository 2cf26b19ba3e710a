"""`factsheet imprint CLINIC.yaml`: a clinic added from the file it sent, with a preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli
from pypdf import PdfReader

from pipeline.build.clinic import add_clinic
from pipeline.errors import InputError

WESTSIDE = """\
# Sent by Westside Family Health (fictional).
name: Westside Family Health
address: 9 Tidewater Lane, Harborview
logo: westside-logo.svg
channels:
  - id: reception
    kind: phone
    number: "+16175550164"
    display: 1-617-555-0164
    hours:
      timezone: America/New_York
      open:
        - {days: mon-fri, from: "07:30", to: "19:00"}
"""
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
    '<circle cx="20" cy="20" r="18" fill="#2a6f4e"/></svg>'
)


def clinic_files(project: Path) -> dict[str, bytes]:
    folder = project / "sheets" / "_org" / "clinics"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def incoming(tmp_path: Path, text: str = WESTSIDE, name: str = "westside.yaml") -> Path:
    folder = tmp_path / "mail"
    folder.mkdir(exist_ok=True)
    (folder / "westside-logo.svg").write_text(LOGO)
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.slow
def test_a_clinic_is_added_from_its_file_and_listed_on_its_page(
    project_dir: Path, tmp_path: Path
) -> None:
    sent = incoming(tmp_path)
    result = run_cli(project_dir, "imprint", str(sent), check=True)
    clinics = project_dir / "sheets" / "_org" / "clinics"
    assert (clinics / "westside.yaml").read_text() == WESTSIDE  # byte for byte, comments kept
    assert (clinics / "westside-logo.svg").read_text() == LOGO
    assert "wrote sheets/_org/clinics/westside.yaml" in result.stdout
    preview = (
        project_dir / "output" / "previews" / "imprint-westside.metastatic-breast-cancer.en.pdf"
    )
    assert f"preview: {preview}" in result.stdout
    text = " ".join(page.extract_text() for page in PdfReader(preview).pages)
    assert "Westside Family Health" in text and "1-617-555-0164" in text
    assert "7:30" in text  # its hours, printed in the sheet's language
    assert "1-877-555-0142" in text  # the organisation's helpline stays
    # The preview is not published: the manifest does not list it.
    manifest = project_dir / "output" / "manifest.json"
    assert not manifest.exists() or "previews/" not in manifest.read_text()

    # The rest of the workflow: build its imprints, write the site.
    run_cli(project_dir, "build", "--imprint", "westside", "--lang", "en", check=True)
    run_cli(project_dir, "site", check=True)
    page = (project_dir / "output" / "site" / "clinics" / "westside.html").read_text()
    assert "<h1>Westside Family Health</h1>" in page
    assert "imprints/westside/en/metastatic-breast-cancer.pdf" in page
    index = (project_dir / "output" / "index.html").read_text()
    assert "imprints/westside" not in index
    assert '<a href="site/clinics/westside.html">Westside Family Health</a>' in index


@pytest.mark.slow
def test_template_is_a_valid_clinic_file_and_check_adds_nothing(
    project_dir: Path, tmp_path: Path
) -> None:
    template = run_cli(project_dir, "imprint", "--template", check=True).stdout
    assert template.startswith("# A clinic's own box on Harborlight's fact sheets")
    path = tmp_path / "new-clinic.yaml"
    path.write_text(template)
    before = clinic_files(project_dir)
    result = run_cli(project_dir, "imprint", str(path), "--check", "--lang", "es", check=True)
    assert "ok: Your Clinic's Name; nothing added" in result.stdout
    assert "imprint-new-clinic.metastatic-breast-cancer.es.pdf" in result.stdout
    assert clinic_files(project_dir) == before


BAD = [
    (
        WESTSIDE.replace('number: "+16175550164"', "number: 617-555-0164"),
        r"westside\.yaml:8: error: channels\.0\.number: String should match pattern",
    ),
    (
        WESTSIDE.replace("address:", "adress:"),
        r"westside\.yaml:3: error: unknown key 'adress' in clinic "
        r"\(hint: did you mean 'address'\?\)",
    ),
    (
        WESTSIDE.replace('from: "07:30"', "from: 7"),
        r"westside\.yaml:13: error: .*write times in quotes",
    ),
    (
        WESTSIDE.replace("America/New_York", "Eastern"),
        r"westside\.yaml:11: error: .*'Eastern' is not an IANA time zone",
    ),
    (
        WESTSIDE.replace("westside-logo.svg", "missing.svg"),
        r"westside\.yaml:4: error: image 'missing\.svg' does not exist",
    ),
    (
        WESTSIDE.replace("westside-logo.svg", "../../etc/logo.svg"),
        r"westside\.yaml:4: error: logo '\.\./\.\./etc/logo\.svg' is not a plain file name",
    ),
    (
        WESTSIDE.replace("name: Westside Family Health", "name: [Westside"),
        r"westside\.yaml:[23]: error: YAML: ",
    ),
    ("- just\n- a list\n", r"westside\.yaml:1: error: a clinic file must be a mapping"),
    (
        WESTSIDE.replace("display: 1-617-555-0164", "display: 1-617-555-0165"),
        r"westside\.yaml:\d+: error: .*does not show the digits of \+16175550164",
    ),
]


@pytest.mark.parametrize(("text", "pattern"), BAD)
def test_a_bad_clinic_file_names_its_line(
    project_dir: Path, tmp_path: Path, text: str, pattern: str
) -> None:
    before = clinic_files(project_dir)
    sent = incoming(tmp_path, text)
    with pytest.raises(InputError) as raised:
        add_clinic(project_dir, sent, project_dir / "output")
    assert re.search(pattern, str(raised.value)), str(raised.value)
    assert str(raised.value).startswith(f"{sent}:")
    assert clinic_files(project_dir) == before
    assert not (project_dir / "output" / "previews").exists()


def test_a_bad_clinic_file_is_one_line_and_exit_1(project_dir: Path, tmp_path: Path) -> None:
    text, pattern = BAD[0]
    result = run_cli(project_dir, "imprint", str(incoming(tmp_path, text)))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert re.search(pattern, line), line


def test_a_logo_with_a_script_is_refused(project_dir: Path, tmp_path: Path) -> None:
    sent = incoming(tmp_path)
    (sent.parent / "westside-logo.svg").write_text(
        LOGO.replace("</svg>", "<script>x()</script></svg>")
    )
    result = run_cli(project_dir, "imprint", str(sent))
    assert result.returncode == 1
    assert "westside.yaml:4: error: " in result.stderr and "script" in result.stderr


@pytest.mark.parametrize(
    ("name", "message", "hint"),
    [
        ("eastside.yaml", "a clinic 'eastside' already exists", "--replace"),
        ("Westside Clinic.yaml", "'Westside Clinic' cannot be a clinic id", "--id"),
    ],
)
def test_the_clinic_id_must_be_new_and_well_formed(
    project_dir: Path, tmp_path: Path, name: str, message: str, hint: str
) -> None:
    result = run_cli(project_dir, "imprint", str(incoming(tmp_path, name=name)))
    assert result.returncode == 1
    assert message in result.stderr and hint in result.stderr


def test_a_logo_name_taken_by_another_clinic_is_refused(project_dir: Path, tmp_path: Path) -> None:
    sent = incoming(tmp_path, WESTSIDE.replace("westside-logo.svg", "eastside-logo.svg"))
    (sent.parent / "eastside-logo.svg").write_text(LOGO)
    result = run_cli(project_dir, "imprint", str(sent))
    assert result.returncode == 1
    assert "another file named 'eastside-logo.svg'" in result.stderr
    assert "westside-logo.svg" in result.stderr  # the hint suggests a name


@pytest.mark.slow
def test_a_clinic_whose_box_fails_the_gate_leaves_the_project_as_it_was(
    project_dir: Path, tmp_path: Path
) -> None:
    policy = project_dir / "sheets" / "_org" / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("imprint_extra_pages: 1", "imprint_extra_pages: 0")
    )
    eastside = project_dir / "sheets" / "_org" / "clinics" / "eastside.yaml"
    before = clinic_files(project_dir)
    sent = incoming(
        tmp_path, eastside.read_text().replace("Eastside", "Eastside East"), "eastside.yaml"
    )
    (sent.parent / "eastside-logo.svg").write_bytes(before["eastside-logo.svg"])
    result = run_cli(project_dir, "imprint", str(sent), "--replace", "--lang", "es")
    assert result.returncode == 1
    assert "fails the checks" in result.stderr and "[pdf-pages]" in result.stderr
    assert clinic_files(project_dir) == before  # the replaced clinic is back
    # With the page allowance back, the same file replaces the clinic.
    policy.write_text(
        policy.read_text().replace("imprint_extra_pages: 0", "imprint_extra_pages: 1")
    )
    run_cli(project_dir, "imprint", str(sent), "--replace", "--lang", "es", check=True)
    assert "Eastside East Community Clinic" in eastside.read_text()


def test_imprint_needs_a_file_or_template(project_dir: Path) -> None:
    result = run_cli(project_dir, "imprint")
    assert result.returncode == 2
    assert "give the clinic's file" in result.stderr


def test_imprint_help_shows_the_workflow(project_dir: Path) -> None:
    result = run_cli(project_dir, "imprint", "--help", check=True)
    assert "factsheet imprint --template > eastside.yaml" in result.stdout
    assert "factsheet build --imprint eastside && factsheet site" in result.stdout


def test_a_logo_that_is_a_symlink_is_refused(project_dir: Path, tmp_path: Path) -> None:
    sent = incoming(tmp_path)
    logo = sent.parent / "westside-logo.svg"
    logo.unlink()
    logo.symlink_to(project_dir / "sheets" / "_org" / "org.yaml")
    result = run_cli(project_dir, "imprint", str(sent))
    assert result.returncode == 1
    assert "westside.yaml:4: error: logo 'westside-logo.svg' is a symbolic link" in result.stderr


def test_every_clinic_is_read_once_per_loaded_project(project_dir: Path, load, monkeypatch) -> None:
    """The contact checks ask for every clinic for every sheet: each clinic file is
    parsed once per project, and one that does not load keeps failing with its error."""
    from pipeline.checks.gate import source_findings
    from pipeline.source.clinics import load_clinic
    from pipeline.source.loader import Loader

    folder = project_dir / "sheets" / "_org" / "clinics"
    (folder / "westside.yaml").write_text(WESTSIDE)
    (folder / "westside-logo.svg").write_text(LOGO)
    (folder / "broken.yaml").write_text("name: [unclosed\n")
    reads: list[str] = []
    original = Loader.load_clinic

    def counted(self, path, policy):
        reads.append(path.name)
        return original(self, path, policy)

    monkeypatch.setattr(Loader, "load_clinic", counted)
    project = load(project_dir)
    for sheet in project.sheets.values():
        source_findings(project, sheet)
    assert sorted(reads) == ["broken.yaml", "eastside.yaml", "westside.yaml"]
    assert load_clinic(project, "westside").name == "Westside Family Health"
    for _ in range(2):
        with pytest.raises(InputError, match=r"^sheets/_org/clinics/broken\.yaml:2: error: YAML: "):
            load_clinic(project, "broken")
    assert len(reads) == 3
    # A project loaded again reads the clinics again (an edit in between counts).
    load_clinic(load(project_dir), "westside")
    assert len(reads) == 4
