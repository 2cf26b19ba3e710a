"""The build engine: incremental, parallel, atomic, locked, observable."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_project, run_cli

LANGS = ("--lang", "en", "--lang", "es")


def build(root: Path, *args: str) -> dict:
    result = run_cli(root, "build", *LANGS, "--format", "json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def built_paths(summary: dict) -> set[str]:
    return {job["path"] for job in summary["jobs"] if job["status"] == "built"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project built once (en + es); tests copy it."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    build(root, "--jobs", "2")
    return root


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "p"
    shutil.copytree(built, target, symlinks=True)
    return target


def test_unchanged_catalog_builds_nothing(root: Path) -> None:
    summary = build(root)
    assert summary["built"] == 0 and summary["skipped"] == 4


def test_editing_one_sheet_rebuilds_only_its_jobs(root: Path) -> None:
    sheet = root / "sheets/questions-to-ask-your-doctor/en.md"
    sheet.write_text(sheet.read_text().replace("reviewed_by: ", "reviewed_by: The "))
    assert built_paths(build(root)) == {"en/questions-to-ask-your-doctor.pdf"}


def test_a_source_change_makes_its_translations_stale_and_keeps_their_pdfs(root: Path) -> None:
    sheet = root / "sheets/questions-to-ask-your-doctor/en.md"
    sheet.write_text(sheet.read_text().replace("## ", "## Your ", 1))
    before = (root / "output/es/questions-to-ask-your-doctor.pdf").read_bytes()
    result = run_cli(root, "build", *LANGS)
    assert result.returncode == 1
    assert re.search(
        r"es\.md:23: error: unit h-[0-9a-f]{8} changed in sheets/questions-to-ask-your-doctor/"
        r"en\.md:18: was 'About your diagnosis', now 'Your About your diagnosis'",
        result.stderr,
    ), result.stderr
    assert (root / "output/es/questions-to-ask-your-doctor.pdf").read_bytes() == before


def test_touching_the_template_rebuilds_every_job_using_it(root: Path) -> None:
    template = root / "styles/templates/sheet.html.j2"
    template.write_text(template.read_text() + "\n{# touched #}\n")
    assert len(built_paths(build(root))) == 4


def test_a_language_block_rebuilds_only_that_language(root: Path) -> None:
    blocks = root / "sheets/_org/blocks/es.yaml"
    blocks.write_text(blocks.read_text().replace("lang: es", "lang: es\n# edited"))
    assert built_paths(build(root)) == {
        "es/metastatic-breast-cancer.pdf",
        "es/questions-to-ask-your-doctor.pdf",
    }


def test_a_corrupted_cache_entry_is_rebuilt_not_trusted(root: Path) -> None:
    cache = root / "output/.factsheet/cache"
    entries = sorted(cache.glob("*.json"))
    entries[0].write_text("{not json")
    record = json.loads(entries[1].read_text())
    record["entry"]["sha256"] = "0" * 64
    entries[1].write_text(json.dumps(record))
    assert len(built_paths(build(root))) == 2


def test_a_tampered_pdf_is_rebuilt(root: Path) -> None:
    pdf = root / "output/en/metastatic-breast-cancer.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-100])
    assert built_paths(build(root)) == {"en/metastatic-breast-cancer.pdf"}
    assert verify_manifest(root) == 4


def test_force_rebuilds_everything_and_dry_run_builds_nothing(root: Path) -> None:
    dry = run_cli(root, "build", *LANGS, "--dry-run", "--format", "json")
    plan = json.loads(dry.stdout)
    assert len(plan) == 4 and all(row["up_to_date"] for row in plan)
    assert len(built_paths(build(root, "--force"))) == 4


def test_manifest_lists_every_pdf_with_its_facts(root: Path) -> None:
    manifest = json.loads((root / "output/manifest.json").read_text())
    entry = next(e for e in manifest["pdfs"] if e["path"] == "en/metastatic-breast-cancer.pdf")
    assert entry["sheet_id"] == "HL-MBC-01" and entry["version"] == "3.0"
    assert entry["pages"] == 2 and entry["lang"] == "en" and entry["variant"] == "standard"
    assert entry["reviewed"] == "2026-03-06" and entry["next_review"] == "2028-03-06"
    assert verify_manifest(root) == 4


def verify_manifest(root: Path) -> int:
    """Every PDF in output/ is listed in the manifest with its true sha256 and size."""
    manifest = json.loads((root / "output/manifest.json").read_text())
    listed = {e["path"]: e for e in manifest["pdfs"]}
    on_disk = {str(p.relative_to(root / "output")) for p in (root / "output").glob("*/*.pdf")}
    assert on_disk == set(listed), (on_disk, set(listed))
    for path, entry in listed.items():
        data = (root / "output" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert len(data) == entry["size"]
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    return len(listed)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.2, 2.5, 4.0])
def test_sigkill_mid_build_leaves_only_good_pdfs(root: Path, delay: float) -> None:
    """Kill a forced rebuild at several points; output/ holds old or new good PDFs only."""
    css = root / "styles/harborlight/sheet.css"
    css.write_text(css.read_text() + "\n.sheet-footer { letter-spacing: 0.01em; }\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-q", "build", *LANGS, "--force", "--jobs", "2"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pdf in (root / "output").glob("*/*.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf
    leftovers = [
        p
        for p in (root / "output").rglob("*")
        if p.is_file() and ".factsheet" not in p.parts and p.suffix not in (".pdf", ".json")
    ]
    assert leftovers == []
    build(root)  # the next build completes ...
    assert verify_manifest(root) == 4  # ... and every PDF matches the manifest


def test_a_second_build_at_once_is_refused_by_the_lock(root: Path) -> None:
    import fcntl

    (root / "output/.factsheet").mkdir(parents=True, exist_ok=True)
    with open(root / "output/.factsheet/lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("pid 4242")
        handle.flush()
        result = run_cli(root, "build", *LANGS)
    assert result.returncode == 1
    assert "error: another build is writing to this folder (pid 4242)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_output_gives_a_clear_error(root: Path) -> None:  # pragma: no cover
    out = root / "ro"
    out.mkdir()
    out.chmod(0o500)
    result = run_cli(root, "build", "--out", str(out), *LANGS)
    assert result.returncode == 1 and "cannot write" in result.stderr


def test_unwritable_output_gives_a_clear_error(root: Path) -> None:
    """A file where the output folder should be: the same code path as a read-only disk."""
    blocker = root / "not-a-folder"
    blocker.write_text("x")
    result = run_cli(root, "build", "--out", str(blocker / "out"), *LANGS)
    assert result.returncode == 1
    assert "error: cannot write" in result.stderr and "Traceback" not in result.stderr


def test_progress_lines_and_quiet(root: Path) -> None:
    loud = run_cli(root, "build", *LANGS, "--force", "--jobs", "1")
    assert "[1/4] built" in loud.stderr and "built 4, skipped 0" in loud.stdout
    quiet = run_cli(root, "-q", "build", *LANGS)
    assert quiet.stderr == "" and "skipped 4" in quiet.stdout


def test_help_and_list_do_not_import_weasyprint(root: Path) -> None:
    code = (
        "import sys\n"
        "from pipeline.commands.main import cli\n"
        "for args in (['--help'], ['list']):\n"
        "    try:\n"
        "        cli.main(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('WEASYPRINT' if 'weasyprint' in sys.modules else 'LIGHT')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.stdout.strip().endswith("LIGHT"), result.stdout + result.stderr


def test_a_brand_below_contrast_fails_the_build_with_the_pair_and_ratio(root: Path) -> None:
    brand = root / "styles/harborlight/brand.yaml"
    brand.write_text(brand.read_text().replace('link: "#0a5a8a"', 'link: "#8fb8d8"'))
    result = run_cli(root, "build", *LANGS, "--force")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("styles/harborlight/brand.yaml: error: links: link #8fb8d8 on paper")
    assert "has contrast 2.10:1, needs 4.5:1" in line


def test_body_text_under_12pt_fails_the_build(root: Path) -> None:
    brand = root / "styles/harborlight/brand.yaml"
    brand.write_text(brand.read_text().replace("body_size_pt: 12", "body_size_pt: 10"))
    result = run_cli(root, "build", *LANGS)
    assert result.returncode == 1
    assert "body_size_pt is 10.0, needs at least 12" in result.stderr
