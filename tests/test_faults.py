"""Faults: a full disk, a read-only file system, a missing permission, SIGKILL.

Every command that writes must be atomic as a whole: whatever fails at
whichever write, the previous state stays complete (every manifest entry
matches its file), no temp file is left outside output/.factsheet/, and the
next run converges. The transaction under every write (source/atomic.py) is
swept at every point in-process and under real SIGKILL; then each writing
command is run with faults injected at its own writes (tests/inject_fault.py),
and on a real tiny tmpfs and a real read-only bind mount when the tests run
as root.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import copy_project, private_copy, run_cli
from test_imprint import LOGO, WESTSIDE

from pipeline.errors import OutputError
from pipeline.source.atomic import STATE, Transaction, clean_temp, recover

HERE = Path(__file__).resolve().parent
ERRNOS = ("ENOSPC", "EROFS", "EACCES")

# -- the transaction, every point --------------------------------------------------------

OLD = {"a.pdf": b"old a", "sub/b.pdf": b"old b", "gone.html": b"old gone"}
NEW = {"a.pdf": b"new a", "sub/b.pdf": b"new b", "new/c.pdf": b"new c"}


def files_of(root: Path) -> dict[str, bytes]:
    """Every file outside the tool's own folder, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and STATE not in path.relative_to(root).parts
    }


def scene(root: Path) -> None:
    for rel, data in OLD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def change(root: Path) -> None:
    """What every command does: stage files, mark one removed, commit."""
    changes = Transaction(root / STATE)
    try:
        for rel, data in NEW.items():
            changes.write(root / rel, data)
        changes.remove(root / "gone.html")
        changes.commit()
    finally:
        changes.abort()


class Faults:
    """Count the writing file-system calls under one folder; fail the n-th of one kind."""

    OPS = ("open", "fsync", "replace", "link", "mkdir", "unlink")

    def __init__(self, root: Path, op: str | None = None, number: int = 0, code: int = 0):
        self.root, self.op, self.number, self.code = str(root), op, number, code
        self.counts: dict[str, int] = {}

    def strike(self, op: str, path) -> None:
        if path is not None and not os.fspath(path).startswith(self.root + os.sep):
            return
        self.counts[op] = self.counts.get(op, 0) + 1
        if op == self.op and self.counts[op] == self.number:
            raise OSError(self.code, os.strerror(self.code), path)

    @contextmanager
    def armed(self) -> Iterator[Faults]:
        saved = {
            name: getattr(os, name) for name in ("fsync", "replace", "link", "mkdir", "unlink")
        }
        real_open = builtins.open

        def wrap(op, function):
            def call(*args, **kwargs):
                self.strike(op, None if op == "fsync" else args[0])
                return function(*args, **kwargs)

            return call

        def opener(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wxa+"):
                self.strike("open", file)
            return real_open(file, mode, *args, **kwargs)

        for name, function in saved.items():
            setattr(os, name, wrap(name, function))
        builtins.open = io.open = opener
        try:
            yield self
        finally:
            for name, function in saved.items():
                setattr(os, name, function)
            builtins.open = io.open = real_open


def points(tmp_path: Path) -> dict[str, int]:
    root = tmp_path / "count"
    scene(root)
    with Faults(root).armed() as counter:
        change(root)
    assert files_of(root) == NEW
    return counter.counts


def test_the_transaction_survives_a_fault_at_every_point(tmp_path: Path) -> None:
    counts = points(tmp_path)
    assert counts["replace"] >= 4 and counts["link"] >= 2, counts
    visited = 0
    for op, total in counts.items():
        for number in range(1, total + 1):
            for name in ERRNOS:
                root = tmp_path / f"{op}-{number}-{name}"
                scene(root)
                try:
                    with Faults(root, op, number, getattr(errno, name)).armed():
                        change(root)
                except OutputError as error:
                    assert files_of(root) == OLD, (op, number, name, str(error))
                    assert "cannot" in str(error) and "(hint:" in str(error)
                else:
                    # Faults the transaction may shrug off: cleaning up, fsync of a folder.
                    assert files_of(root) == NEW, (op, number, name)
                after = files_of(root)
                journals = list((root / STATE).glob("journal-*"))
                recover(root / STATE)  # what the next run does first ...
                clean_temp(root / STATE / "tmp")
                assert files_of(root) == (OLD if journals else after), (op, number, name)
                assert not list((root / STATE).glob("journal-*"))
                change(root)  # ... and it converges
                assert files_of(root) == NEW
                assert [p.name for p in (root / STATE / "tmp").iterdir()] == []
                visited += 1
    assert visited == sum(counts.values()) * len(ERRNOS)


KILLER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{tests!r}, {project!r}]
    import inject_fault  # arms FAULT at import
    from pathlib import Path
    from pipeline.source.atomic import Transaction
    root = Path.cwd()
    changes = Transaction(root / ".factsheet")
    for rel, data in {new!r}.items():
        changes.write(root / rel, data)
    changes.remove(root / "gone.html")
    changes.commit()
    """
)


@pytest.mark.slow
def test_the_transaction_survives_sigkill_at_every_point(tmp_path: Path) -> None:
    """A real SIGKILL before each write call; the next opener recovers the old or new state."""
    counts = points(tmp_path)
    code = KILLER.format(tests=str(HERE), project=str(HERE.parent), new=NEW)
    for op, total in counts.items():
        for number in range(1, total + 1):
            root = tmp_path / f"kill-{op}-{number}"
            scene(root)
            result = subprocess.run(
                [sys.executable, "-c", code],
                cwd=root,
                env={**os.environ, "FAULT": f"{op}@{number}=KILL"},
                capture_output=True,
            )
            assert result.returncode == -signal.SIGKILL, result.stderr.decode()
            # Between the kill and the next run, each file is an old or a new one, whole.
            for rel, data in files_of(root).items():
                assert data in (OLD.get(rel), NEW.get(rel)), (op, number, rel)
            recover(root / STATE)
            assert files_of(root) in (OLD, NEW), (op, number)
            change(root)
            assert files_of(root) == NEW


# -- the commands -------------------------------------------------------------------------

SLUG = "questions-to-ask-your-doctor"
BUILD = ("-q", "build", SLUG, "--jobs", "1")


def snapshot(root: Path) -> dict[str, str]:
    """sheets/, styles/ and output/ (not output/.factsheet/) by path and SHA-256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in ("sheets", "styles", "output")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file() and STATE not in path.relative_to(root).parts
    }


def consistent(root: Path) -> None:
    """Every manifest entry (sheets and packets) matches its file."""
    for name, key in (("manifest.json", "pdfs"), ("packets/manifest.json", "packets")):
        path = root / "output" / name
        if not path.is_file():
            continue
        for entry in json.loads(path.read_text())[key]:
            data = (root / "output" / entry["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]


def strays(root: Path) -> list[str]:
    """Temp files anywhere but output/.factsheet/."""
    return [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if (".tmp" in path.name or ".new" in path.name or ".old" in path.name)
        and STATE not in path.relative_to(root).parts
    ]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A project with one sheet built (en, es), its catalog and a packet published."""
    root = copy_project(tmp_path_factory.mktemp("published"))
    run_cli(root, *BUILD, check=True)
    run_cli(root, "-q", "build", "metastatic-breast-cancer", "--lang", "en", check=True)
    run_cli(root, "-q", "site", check=True)
    return root


@pytest.fixture
def project(published: Path, tmp_path: Path) -> Path:
    return private_copy(published, tmp_path)


def restyle(root: Path) -> None:
    """A change that makes every PDF of the sheet new, so a build has writes to make."""
    css = root / "styles/harborlight/sheet.css"
    css.write_text(css.read_text() + "\n.sheet-footer { letter-spacing: 0.01em; }\n")


def retitle(root: Path) -> None:
    """A change that makes site pages and the feed new: one sheet less in the manifest."""
    manifest = root / "output/manifest.json"
    data = json.loads(manifest.read_text())
    data["pdfs"] = [e for e in data["pdfs"] if e["slug"] != "metastatic-breast-cancer"]
    manifest.write_text(json.dumps(data, indent=2))


def clinic_mail(root: Path) -> None:
    """A clinic's file and its logo, as a clinic sends them (outside sheets/)."""
    mail = root / "mail"
    mail.mkdir()
    (mail / "westside.yaml").write_text(WESTSIDE)
    (mail / "westside-logo.svg").write_text(LOGO)


# Each writing command: what to change first (so it has writes to make), its arguments.
# approve writes the review log and the sheet, imprint the clinic's file and its logo:
# both pairs together or neither.
COMMANDS = {
    "build": (restyle, BUILD),
    "site": (retitle, ("-q", "site")),
    "new": (None, ("-q", "new", "a-new-sheet", "--title", "A New Sheet")),
    "bundle": (None, ("-q", "bundle", "sheets/_packets/newly-diagnosed.yaml")),
    "approve": (
        None,
        ("-q", "approve", "metastatic-breast-cancer", "--lang", "es", "--by", "Dr. Ana Ruiz"),
    ),
    "imprint": (clinic_mail, ("-q", "imprint", "mail/westside.yaml")),
}
RENDERING = ("build", "bundle", "approve", "imprint")


def inject(root: Path, spec: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HERE / "inject_fault.py"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "FAULT": spec, "PYTHONPATH": str(HERE.parent)},
        timeout=600,
    )


def count_points(root: Path, args: tuple[str, ...]) -> dict[str, int]:
    counts = root.parent / "counts.json"
    result = subprocess.run(
        [sys.executable, str(HERE / "inject_fault.py"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "FAULT": "count", "FAULT_COUNTS": str(counts)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(counts.read_text())


def check_fault(root: Path, spec: str, args: tuple[str, ...], before: dict, after: dict) -> None:
    """One fault: the command either shrugs it off (a folder that already exists) and
    finishes, or prints one clear line and exits 1 (or dies by SIGKILL) leaving the
    previous state whole; either way no temp file outside output/.factsheet/."""
    result = inject(root, spec, *args)
    if spec.endswith("=KILL"):
        assert result.returncode == -signal.SIGKILL, (spec, result.stderr)
        # Killed mid-commit, the next command that opens the folder undoes the
        # half-done commit from its journal.
        recover(root / "output" / STATE)
        assert snapshot(root) in (before, after), spec
    elif result.returncode == 0:
        assert snapshot(root) == after, spec
    else:
        assert result.returncode == 1, (spec, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, (spec, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (spec, result.stderr)
        assert ": error: cannot " in lines[0] and "(hint: " in lines[0], (spec, lines[0])
        assert snapshot(root) == before, spec
    assert strays(root) == [], spec
    consistent(root)


def fault_points(counts: dict[str, int], renderer: bool = False) -> list[str]:
    """Where to strike a command (source/atomic.py's order of calls): the lock file,
    the first file staged, the journal (the last fsync before the renames), a rename
    in the middle of the commit, and SIGKILL there and at the last rename (after the
    journal is gone). Every point of the same code is swept in-process above."""
    renames, fsyncs = counts.get("replace", 0), counts.get("fsync", 0)
    specs = ["open@1=EROFS", "fsync@1=ENOSPC", f"fsync@{fsyncs}=EACCES"]
    specs += ["replace@2=ENOSPC", "replace@2=KILL", f"replace@{renames}=KILL"]
    if renderer:  # each run renders: the commit's two ends are enough here
        specs = ["fsync@1=ENOSPC", "replace@2=ENOSPC", f"replace@{renames}=KILL"]
    return list(dict.fromkeys(specs))


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_writing_command_survives_faults_at_its_writes(project: Path, command: str) -> None:
    """A fault at each kind of write, then the next run converges."""
    prepare, args = COMMANDS[command]
    if prepare:
        prepare(project)
    fresh = project.parent / "fresh"
    shutil.copytree(project, fresh, symlinks=True)
    counts = count_points(fresh, args)
    assert counts.get("replace", 0) >= 2, counts  # a journal and at least one file
    before, after = snapshot(project), snapshot(fresh)
    assert before != after
    for number, spec in enumerate(fault_points(counts, command in RENDERING)):
        root = project.parent / f"fault-{number}"
        shutil.copytree(project, root, symlinks=True)
        check_fault(root, spec, args, before, after)
        if snapshot(root) != after:
            result = run_cli(root, *args)  # the next run converges
            assert result.returncode == 0, (spec, result.stderr)
            assert snapshot(root) == after, spec
        assert strays(root) == []
        consistent(root)


def test_site_removes_only_the_files_it_wrote(project: Path) -> None:
    """output/site linked to a web folder: other people's files there are never touched."""
    web = project.parent / "web"
    web.mkdir()
    (web / "about.html").write_text("the clinic's own page")
    (web / "fr.html").write_text("a page named like one of ours, but not ours")
    shutil.rmtree(project / "output" / "site")
    os.symlink(web, project / "output" / "site")
    run_cli(project, "-q", "site", check=True)
    page = web / "sheets" / "metastatic-breast-cancer.html"
    assert page.is_file() and (web / "en.html").is_file()
    retitle(project)  # that sheet is gone from the manifest: its page is stale now
    run_cli(project, "-q", "site", check=True)
    assert not page.exists()  # ours, and unchanged since: removed
    assert (web / "about.html").read_text() == "the clinic's own page"
    assert (web / "fr.html").read_text() == "a page named like one of ours, but not ours"
    assert (web / "en.html").is_file()
    assert strays(project) == []


def test_site_with_no_record_of_an_earlier_run_removes_nothing(project: Path) -> None:
    (project / "output" / STATE / "site-files.json").unlink()
    retitle(project)
    run_cli(project, "-q", "site", check=True)
    assert (project / "output" / "site" / "sheets" / "metastatic-breast-cancer.html").is_file()


# -- real file systems: a tmpfs that fills up, and one turned read-only ------------------


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs of our own (root only; skipped where mounting is not allowed)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)])
    if mounted.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


@pytest.mark.slow
def test_a_disk_that_fills_between_two_pdfs_publishes_neither(project: Path, disk: Path) -> None:
    out = ("--out", str(disk))
    run_cli(project, *BUILD, *out, check=True)
    before = {p.name: p.read_bytes() for p in disk.rglob("*.pdf")} | {
        "manifest": (disk / "manifest.json").read_bytes()
    }
    used = os.statvfs(disk)
    used_kb = (used.f_blocks - used.f_bfree) * used.f_frsize // 1024
    pdf_kb = max(p.stat().st_size for p in disk.rglob("*.pdf")) // 1024 + 12
    remount(disk, f"size={used_kb + pdf_kb}k")  # room for one new PDF, not two
    restyle(project)
    result = run_cli(project, *BUILD, *out)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        ": error: cannot write: the disk is full (hint: free some space; nothing was half-written)"
    ), result.stderr
    assert "/es/" in lines[0]  # the first PDF was staged; the second did not fit
    after = {p.name: p.read_bytes() for p in disk.rglob("*.pdf")} | {
        "manifest": (disk / "manifest.json").read_bytes()
    }
    assert after == before
    for entry in json.loads((disk / "manifest.json").read_text())["pdfs"]:
        data = (disk / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    remount(disk, "size=1m")  # space freed: the next run converges
    run_cli(project, *BUILD, *out, check=True)
    assert {p.name: p.read_bytes() for p in disk.rglob("*.pdf")} != {
        k: v for k, v in before.items() if k != "manifest"
    }


@pytest.mark.slow
def test_a_read_only_disk_is_one_clear_line_and_changes_nothing(project: Path, disk: Path) -> None:
    out = ("--out", str(disk))
    run_cli(project, *BUILD, *out, check=True)
    run_cli(project, "-q", "site", *out, check=True)
    files = {p: p.read_bytes() for p in disk.rglob("*") if p.is_file()}
    remount(disk, "ro")
    restyle(project)
    for args in (
        BUILD,
        ("-q", "site"),
        ("-q", "bundle", "sheets/_packets/newly-diagnosed.yaml", "--out", str(disk / "packet.pdf")),
    ):
        result = run_cli(project, *args, *(out if args[1] != "bundle" else ()))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().endswith(
            "error: cannot write: the file system is read-only "
            "(hint: make it writable, or use another folder)"
        ), result.stderr
    assert {p: p.read_bytes() for p in disk.rglob("*") if p.is_file()} == files
    remount(disk, "rw")
    run_cli(project, *BUILD, *out, check=True)
