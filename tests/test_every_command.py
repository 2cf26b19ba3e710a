"""Every command against broken inputs and faults: one clear line, exit 1, nothing changed.

tests/test_bad_inputs.py breaks a project in every way it knows and runs
`build`. Here the classes of trouble that reach every command (a broken
shared file, a hostile sheet, hostile command-line values, a full or
read-only disk) are run through EVERY command: each must answer with exit 1,
one sanitised line ``path[:line]: error: message (hint: ...)``, no traceback,
and sheets/, styles/ and output/ exactly as they were. `preview` is left out:
it reports a broken edit and keeps watching, by design (tests/test_preview.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import copy_project, private_copy, run_cli
from test_bad_inputs import edit
from test_faults import restyle, retitle, snapshot

HERE = Path(__file__).resolve().parent
SLUG = "questions-to-ask-your-doctor"
SHEET = f"sheets/{SLUG}/en.md"
ORG = "sheets/_org/org.yaml"
POLICY = "sheets/_org/policy.yaml"
PACKET = "sheets/_packets/newly-diagnosed.yaml"
PDF = f"output/en/{SLUG}.pdf"

#: Every command, with arguments that make it do its whole job on the sample project.
COMMANDS: dict[str, tuple[str, ...]] = {
    "build": ("build", SLUG, "--jobs", "1"),
    "check": ("check",),
    "list": ("list",),
    "status": ("status",),
    "new": ("new", "a-new-sheet"),
    "translate-export": ("translate", "export", SLUG, "--to", "fr", "--out", "fr.xlf"),
    "translate-import": ("translate", "import", "import.md"),
    "translate-status": ("translate", "status"),
    "bundle": ("bundle", PACKET),
    "site": ("site",),
}
EVERY = sorted(COMMANDS)
#: `site` reads only org.yaml, the shared blocks and output/; the rest load every sheet.
LOADING = [command for command in EVERY if command != "site"]
#: The rest share one loader (Context.project): some inputs are run through a few of them.
SOME = ["build", "check", "translate-import"]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A project with a sheet built, its catalog written and a translation to import."""
    root = copy_project(tmp_path_factory.mktemp("published"))
    run_cli(root, "-q", "build", SLUG, "--jobs", "1", check=True)
    run_cli(root, "-q", "build", "metastatic-breast-cancer", "--lang", "en", check=True)
    run_cli(root, "-q", "site", check=True)
    # A translated Markdown sheet that imports cleanly: the Spanish one, as French.
    text = (root / f"sheets/{SLUG}/es.md").read_text(encoding="utf-8")
    (root / "import.md").write_text(text.replace("lang: es", "lang: fr"), encoding="utf-8")
    return root


@pytest.fixture
def project(published: Path, tmp_path: Path) -> Path:
    return private_copy(published, tmp_path)


# -- ways to break things -------------------------------------------------------------


def hostile_folder(root: Path) -> None:
    """A sheet folder whose name carries terminal escape sequences."""
    (root / "sheets" / "\x1b]0;pwned\x07\x1b[2J").mkdir()


def truncate(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return apply


@dataclass(frozen=True)
class Row:
    id: str
    commands: list[str]
    line: str  # the exact error line; "{...}" fields are filled per command
    breaks: Callable[[Path], None] | None = None
    args: tuple[str, ...] | None = None  # instead of the command's own arguments
    env: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # FAULT for tests/inject_fault.py
    stdout: bool = False  # the line is a finding of a report on stdout
    #: A sheet that cannot be read: `check` goes on with the other sheets and reports it
    #: in its report on stdout, as this rule's finding under the sheet's name (issue 16).
    checked_as: str | None = None


NESTED = "*" * 3000 + "x" + "*" * 3000
BOMB = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><defs><rect id="g0"/>'
    + "".join(f'<g id="g{i}">' + f'<use href="#g{i - 1}"/>' * 10 + "</g>" for i in range(1, 12))
    + '</defs><use href="#g11"/></svg>'
)
DEPTH = (
    "markup nests more than 20 levels deep (lists, callouts, quotes, emphasis, links) "
    "(hint: simplify the formatting, or raise limits.max_markup_depth in policy.yaml)"
)
DISK = "cannot write: the disk is full (hint: free some space; nothing was half-written)"

ROWS = [
    # -- broken inputs every command reads
    Row(
        "org-yaml-syntax",
        EVERY,
        f"{ORG}:2: error: YAML: mapping values are not allowed in this context "
        "(hint: check indentation, colons and quotes)",
        edit(ORG, "name: Harborlight", "name: Harborlight: x"),
    ),
    Row(
        "policy-limit-negative",
        SOME,
        f"{POLICY}:21: error: limits.max_list_depth: Input should be greater than 0 (got -1)",
        edit(POLICY, "max_list_depth: 4", "max_list_depth: -1"),
    ),
    Row(
        "sheet-nested-emphasis",
        SOME,
        f"{SHEET}:16: error: {DEPTH}",
        edit(SHEET, "A doctor visit", f"{NESTED}\n\nA doctor visit"),
        checked_as="sheet-invalid",
    ),
    Row(
        "sheet-svg-use-bomb",
        SOME,
        f"{SHEET}:16: error: SVG image 'bomb.svg' draws more than 10,000 elements (each <use> "
        "counts the elements it copies) (hint: simplify the drawing, or raise "
        "limits.max_svg_elements in policy.yaml)",
        lambda root: (
            (root / f"sheets/{SLUG}/bomb.svg").write_text(BOMB),
            edit(SHEET, "A doctor visit", "![A bomb](bomb.svg)\n\nA doctor visit")(root),
        ),
        checked_as="sheet-invalid",
    ),
    Row(
        "folder-name-with-escape-bytes",
        LOADING,
        "sheets/\\x1b]0;pwned\\x07\\x1b[2J: error: '\\x1b]0;pwned\\x07\\x1b[2J' is not a valid "
        "sheet slug (hint: use lower-case letters, digits and hyphens)",
        hostile_folder,
    ),
    Row(
        "clock-not-a-date",
        ["build", "check", "status", "new"],
        "environment: error: FACTSHEET_TODAY=\\x1b[31m2026 is not a date "
        "(hint: write it as YYYY-MM-DD, or unset it)",
        env={"FACTSHEET_TODAY": "\x1b[31m2026"},
    ),
    # -- hostile values on the command line
    Row(
        "slug-with-escape-bytes",
        ["new"],
        "factsheet: error: '\\x1b[2J\\nrm' is not a valid slug "
        "(hint: use lower-case letters, digits and hyphens)",
        args=("new", "\x1b[2J\nrm"),
    ),
    Row(
        "title-too-long",
        ["new"],
        "factsheet new: error: the new sheet would not load: title: String should have at most "
        "200 characters (got '",
        args=("new", "long-title", "--title", "T" * 100_000),
    ),
    Row(
        "language-with-escape-bytes",
        ["translate-export"],
        "factsheet: error: 'e\\x1bs' is not a BCP 47 language tag (use a form like en, es, "
        "zh-Hans, pt-BR; a hyphen, not an underscore) (hint: --to takes a BCP 47 tag such as "
        "es, zh-Hans)",
        args=("translate", "export", SLUG, "--to", "e\x1bs"),
    ),
    # -- broken output the read-side commands meet
    Row(
        "check-truncated-pdf",
        ["check"],
        f"  {PDF}: error: the PDF cannot be read (PdfStreamError: Stream has ended unexpectedly) "
        "[pdf-unreadable] (hint: a damaged file, or one too complex to read back (a huge "
        "drawing, a word of thousands of characters): rebuild it, or simplify the sheet)",
        truncate(PDF),
        args=("check", PDF),
        stdout=True,
    ),
    Row(
        "site-truncated-manifest",
        ["site"],
        "{out}/manifest.json: error: cannot read manifest.json: ",
        truncate("output/manifest.json"),
    ),
    Row(
        "site-pdf-changed-since-built",
        ["site"],
        "{out}/manifest.json: error: 'en/questions-to-ask-your-doctor.pdf' changed after it was "
        "built (hint: run `factsheet build` again to publish the PDFs and rewrite manifest.json)",
        truncate(PDF),
    ),
    Row(
        "site-broken-feed-history",
        ["site"],
        "{out}/.factsheet/feed-history.json: error: cannot read the feed history: ",
        truncate("output/.factsheet/feed-history.json"),
    ),
    # -- a full disk at the first write of every command that writes
    Row("disk-full", ["build", "new", "bundle", "site"], "at: error: " + DISK, fault="open@2"),
    Row(
        "disk-full-translate",
        ["translate-import", "translate-export"],
        "at: error: " + DISK,
        fault="open@1",
    ),
    Row(
        "read-only",
        ["build", "new", "bundle", "site", "translate-export", "translate-import"],
        "at: error: cannot write: the file system is read-only "
        "(hint: make it writable, or use another folder)",
        fault="open@1=EROFS",
    ),
]

#: Where a disk fault strikes: the lock file, or the first file staged (a temp file).
AT = {
    "build": ("/output/.factsheet/",),
    "site": ("/output/.factsheet/",),
    "bundle": ("/output/.factsheet/",),
    "new": ("/output/.factsheet/tmp/",),
    "translate-export": ("/output/.factsheet/tmp/",),
    "translate-import": ("/.factsheet/tmp/",),  # staged like every write (source/atomic.py)
}


#: Before a fault: a change, so that the command has something to write.
CHANGE = {"build": restyle, "site": retitle}


def cases():
    for row in ROWS:
        for command in row.commands:
            yield pytest.param(row, command, id=f"{row.id}-{command}")


def run(root: Path, row: Row, command: str) -> subprocess.CompletedProcess:
    args = row.args or COMMANDS[command]
    env = {**os.environ, "NO_COLOR": "1", **row.env}
    if row.fault is None:
        runner = [sys.executable, "-m", "pipeline", *args]
    else:
        spec = row.fault if "=" in row.fault else f"{row.fault}=ENOSPC"
        op, rest = spec.split("@")
        # import stages in the project's .factsheet/ (it writes sheets/, not output/)
        where = "/.factsheet/tmp/" if command == "translate-import" else "/output/.factsheet/"
        spec = f"{op}:{where}@{rest}"
        runner = [sys.executable, str(HERE / "inject_fault.py"), *args]
        env |= {"FAULT": spec, "PYTHONPATH": str(HERE.parent)}
    return subprocess.run(runner, cwd=root, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize(("row", "command"), list(cases()))
def test_every_command_gives_one_clear_line(project: Path, row: Row, command: str) -> None:
    if row.breaks:
        row.breaks(project)
    if row.fault and command in CHANGE:
        CHANGE[command](project)
    before = snapshot(project)
    result = run(project, row, command)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    expected = row.line
    reported = command == "check" and row.checked_as is not None
    if reported:  # a finding of check's report: indented under its file, with its rule id
        expected = "  " + expected.replace(" (hint: ", f" [{row.checked_as}] (hint: ", 1)
    stream = result.stdout if row.stdout or reported else result.stderr
    errors = [line for line in stream.splitlines() if ": error: " in line]
    assert len(errors) == 1, stream
    for line in stream.splitlines():
        assert line.isprintable() and len(line) < 1500, line[:2000]
    out = str(project / "output")
    if row.fault:
        # The place is a path (a temp file's name is random): its kind, then the reason.
        place, reason = errors[0].split(": error: ", 1)
        assert any(fragment in place for fragment in AT[command]), errors[0]
        assert reason == row.line.split(": error: ", 1)[1], errors[0]
    else:
        expected = expected.format(out=out)
        if expected.endswith(("'", ": ")):
            assert errors[0].startswith(expected), errors[0]
        else:
            assert errors[0] == expected
    assert snapshot(project) == before
    leftovers = [p for p in project.rglob("*") if ".tmp" in p.name and ".factsheet" not in p.parts]
    assert leftovers == []
