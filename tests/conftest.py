"""Shared fixtures: a private copy of the sample project, and one built catalog."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
VERAPDF = ROOT.parent / "shared" / "tools" / "verapdf" / "verapdf"

# Review-date rules compare with today; pin it so the suite does not rot.
os.environ.setdefault("FACTSHEET_TODAY", "2026-11-21")
# Parsed sheets are cached per user; the suite keeps its own, dropped afterwards.
if "FACTSHEET_CACHE_DIR" not in os.environ:
    os.environ["FACTSHEET_CACHE_DIR"] = tempfile.mkdtemp(prefix="factsheet-parsed-")
    atexit.register(shutil.rmtree, os.environ["FACTSHEET_CACHE_DIR"], ignore_errors=True)

# Property tests: the same examples on every CI run (no flaky red builds);
# HYPOTHESIS_PROFILE=explore searches new random examples on each run.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def copy_project(target: Path) -> Path:
    """A private copy of sheets/ and styles/ that a test may break."""
    for name in ("sheets", "styles"):
        shutil.copytree(ROOT / name, target / name)
    return target


def private_copy(prepared: Path, tmp_path: Path) -> Path:
    """A copy of a prepared (built) project that one test may break."""
    root = tmp_path / "project"
    shutil.copytree(prepared, root, symlinks=True)
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def load():
    from pipeline.source.loader import load_project

    return load_project


@pytest.fixture(scope="session")
def catalog(tmp_path_factory) -> Path:
    """The sample catalog built once, standard and large print, into a temporary output/."""
    root = copy_project(tmp_path_factory.mktemp("catalog"))
    run_cli(root, "build", "--variant", "standard", "--variant", "large-print", check=True)
    return root


def run_cli(
    root: Path, *args: str, check: bool = False, env: dict | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run `factsheet` as a user would, in ``root``."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        input=input,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"factsheet {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def verapdf_available() -> str | None:
    """Why veraPDF cannot run here, or None if it can."""
    if not VERAPDF.exists():
        return f"veraPDF not found at {VERAPDF}"
    if not (shutil.which("java") and shutil.which("javac")):
        return "veraPDF needs java and javac (Debian: default-jdk-headless)"
    return None


def run_verapdf(*pdfs: Path) -> subprocess.CompletedProcess:
    """veraPDF's summary for the PDFs; skips the test if veraPDF cannot set itself up."""
    result = subprocess.run(
        [str(VERAPDF), "--format", "summary", *map(str, pdfs)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode == 3:  # its own first-use build failed (java, pip or apt-get)
        reason = (result.stdout + result.stderr).strip()[-300:]
        pytest.skip(f"veraPDF could not set itself up: {reason}")
    return result


def default_ctrl_c() -> None:
    """Popen preexec_fn for a child the test will send SIGINT: a shell runs background
    jobs with SIGINT ignored, and an ignored signal stays ignored across exec, so
    `make test &` would otherwise start builds that no Ctrl-C can reach."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
