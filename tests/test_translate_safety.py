"""Translator files are untrusted: entities refused, size and units bounded, no
traceback, and an import killed at any moment leaves the old files or the new ones."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cat_tools import PO_TOOLS, X, factsheet, fill
from conftest import ROOT
from lxml import etree

from pipeline.source.loader import load_project
from pipeline.translate.export import export

SLUG = "metastatic-breast-cancer"
HEAD = (
    '<?xml version="1.0"?>\n{doctype}'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
    f'<file original="sheets/{SLUG}/en.md" source-language="en" target-language="fr"><body>'
    '<trans-unit id="title"><source>What Is It?</source>'
    '<target state="translated">{target}</target></trans-unit></body></file></xliff>'
)
LAUGHS = (
    '<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def filled(root: Path, name: str = "fr.xlf") -> Path:
    tree = etree.fromstring(export(load_project(root), SLUG, "fr"))
    path = root / name
    path.write_bytes(etree.tostring(fill(etree.ElementTree(tree)), xml_declaration=True))
    return path


def import_(root: Path, path: Path, *options: str) -> subprocess.CompletedProcess:
    result = factsheet(root, "translate", "import", str(path), *options)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize(
    "doctype,target",
    [
        ('<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "&xxe;"),
        ("<!DOCTYPE xliff [<!ENTITY name \"Qu'est-ce que c'est ?\">]>\n", "&name;"),
        (LAUGHS + "\n", "&d;"),
        ('<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/xliff.dtd">\n', "Qu’est-ce ?"),
    ],
    ids=["external-entity", "internal-entity", "billion-laughs", "external-dtd"],
)
def test_xliff_with_a_doctype_or_entities_is_refused(project_dir: Path, doctype, target) -> None:
    path = project_dir / "evil.xlf"
    path.write_text(HEAD.format(doctype=doctype, target=target))
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert "evil.xlf:1: error: the file declares a DOCTYPE (a DTD or entities)" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def test_an_entity_in_a_po_file_is_refused(project_dir: Path) -> None:
    data = PO_TOOLS["poedit"](export(load_project(project_dir), SLUG, "fr", "po")).decode()
    data, count = re.subn(r'(msgid "Shortness of breath."\nmsgstr )".*"', r'\1"&xxe;"', data)
    assert count == 1
    path = project_dir / "fr.po"
    path.write_text(data)
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert "broken placeholder markup: Entity 'xxe' not defined" in result.stderr
    assert "1 not ready" in result.stderr
    assert not (project_dir / "sheets" / SLUG / "fr.md").exists()


def _policy(root: Path, key: str, value: int) -> None:
    """Set one of policy.yaml's limits (replacing the sample's own line for it)."""
    path = root / "sheets/_org/policy.yaml"
    text = re.sub(rf"^  {key}:.*\n", "", path.read_text(), flags=re.M)
    path.write_text(text.replace("limits:\n", f"limits:\n  {key}: {value}\n"))


def test_a_huge_file_is_refused_before_it_is_read(project_dir: Path) -> None:
    path = project_dir / "huge.xlf"
    with open(path, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB on paper
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "file is 50,000,000 bytes, over the limit of 5,000,000" in result.stderr
    assert "limits.max_translation_bytes" in result.stderr
    _policy(project_dir, "max_translation_bytes", 1000)
    result = import_(project_dir, filled(project_dir))
    assert result.returncode == 1 and "over the limit of 1,000" in result.stderr


def test_unit_count_and_printed_problems_are_bounded(project_dir: Path) -> None:
    _policy(project_dir, "max_translation_units", 50)
    result = import_(project_dir, filled(project_dir))
    assert result.returncode == 1
    assert "units, over the limit of 50" in result.stderr
    _policy(project_dir, "max_translation_units", 5000)
    _policy(project_dir, "max_findings_per_file", 5)
    tree = etree.parse(str(filled(project_dir)))
    for target in tree.iter(f"{X}target"):
        target.set("state", "new")
    path = project_dir / "new.xlf"
    tree.write(str(path))
    result = import_(project_dir, path)
    lines = result.stderr.strip().split("\n")
    assert result.returncode == 1 and len(lines) == 7  # 5 problems, "and N more", summary
    assert lines[5].endswith("more problem(s)") and "... and " in lines[5]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01garbage",
        b"",
        b"<xliff/>",
        b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>',
        b'<?xml version="1.0" encoding="UTF-16"?><xliff/>',
        b"<" * 10_000,
        ("<a>" * 5000).encode(),
    ],
)
def test_broken_xliff_is_one_clear_line(project_dir: Path, content: bytes) -> None:
    path = project_dir / "bad.xlf"
    path.write_bytes(content)
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b'msgid "a"\nmsgstr ',
        b'msgid ""\nmsgstr ""\n"Language: \x1b[31mfr\\n"\n',
    ],
)
def test_broken_po_is_one_clear_line(project_dir: Path, content: bytes) -> None:
    path = project_dir / "bad.po"
    path.write_bytes(content)
    result = import_(project_dir, path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr


# -- atomic import: a real SIGKILL at every step of the write ----------------------------------

KILLER = """
import os, signal, sys
import pipeline.source.atomic as atomic

count = {"n": 0}
at = int(os.environ["KILL_AT"])

def hooked(function):
    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return wrapper

# Every step of the write that touches the disk: temp files, hard links of the
# old files, the journal, each rename, each folder fsync, the unlink that commits.
atomic.write_complete = hooked(atomic.write_complete)
atomic._fsync_folder = hooked(atomic._fsync_folder)
os.replace = hooked(os.replace)
os.link = hooked(os.link)
os.unlink = hooked(os.unlink)
from pipeline.commands.main import main
sys.argv = ["factsheet", "translate", "import", sys.argv[1]]
try:
    main()
finally:
    print("STEPS", count["n"], file=sys.stderr)
"""

WRITTEN = [
    f"sheets/{SLUG}/fr.md",
    f"sheets/{SLUG}/translations/fr.source.json",
    "sheets/_org/blocks/fr.yaml",
    "sheets/_org/blocks/translations/fr.source.json",
]


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "sheets").rglob("*"))
        if p.is_file()
    }


def _kill_at(root: Path, path: Path, step: int) -> subprocess.CompletedProcess:
    script = root / "killer.py"
    script.write_text(KILLER)
    return subprocess.run(
        [sys.executable, str(script), str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "KILL_AT": str(step), "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


@pytest.mark.slow
def test_an_import_killed_at_any_step_leaves_the_old_files_or_the_new(
    project_dir: Path, tmp_path: Path
) -> None:
    import shutil

    path = filled(project_dir)
    before = _files(project_dir)
    # The same import, not killed: the files it writes, and how many steps it takes.
    done = tmp_path / "done"
    shutil.copytree(project_dir, done)
    result = _kill_at(done, path, 0)
    assert result.returncode == 0, result.stderr
    steps = int(result.stderr.rsplit("STEPS", 1)[1])
    after = _files(done)
    assert set(after) - set(before) == set(WRITTEN)
    assert steps >= 2 * len(WRITTEN)
    outcomes = set()
    for step in range(1, steps + 1):
        root = tmp_path / f"kill{step}"
        shutil.copytree(project_dir, root)
        result = _kill_at(root, path, step)
        assert result.returncode == -signal.SIGKILL, (step, result.stderr)
        on_disk = _files(root)
        assert set(on_disk) <= set(after), step  # never a temp file in sheets/
        load_project(root)  # any command finishes (or drops) the interrupted import first
        recovered = _files(root)
        assert recovered in (before, after), (step, set(recovered) ^ set(after))
        outcomes.add("new" if recovered == after else "old")
        state = root / ".factsheet"
        assert not list(state.glob("journal-*")) and not list(state.glob("tmp/*"))
    assert outcomes == {"old", "new"}  # the kills landed before and after the commit
