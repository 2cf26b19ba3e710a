"""A job's key: a SHA-256 over every input its PDF depends on.

An unchanged job can be skipped with confidence, and a changed input always
rebuilds exactly the jobs using it. The key keeps its parts (one digest per
input), and the cache keeps them too, so that `build --dry-run` can say which
input changed. Other sheets enter a key only through the sheet's own links:
the slugs it links to and whether each exists, so adding a sheet rebuilds
nothing else.
"""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..render.fonts import font_stack
from ..source.clinics import load_clinic
from ..source.markdown import sheet_target
from ..source.model import Project, Sheet
from .plan import Job


class JobKey(str):
    """A job's key (hex SHA-256) that remembers the parts it was made of."""

    parts: dict[str, str]

    def __new__(cls, parts: dict[str, str]) -> JobKey:
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
        key = super().__new__(cls, digest)
        key.parts = parts
        return key

    def __reduce__(self):  # pickled as its parts: the digest follows from them
        return (JobKey, (self.parts,))


def _file_digest(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "-"
    if not stat.S_ISREG(info.st_mode):
        return "-"
    return _digest_of(str(path), info.st_mtime_ns, info.st_size, info.st_ino)


@lru_cache(maxsize=4096)
def _digest_of(path: str, mtime_ns: int, size: int, inode: int) -> str:
    """A file's SHA-256, read once while it stays the same file (the shared files of
    thousands of jobs: org, policy, blocks, templates)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "-"


@lru_cache(maxsize=64)
def _font_files(family: str) -> str:
    """The font file fontconfig picks for a family, with its size: fonts are inputs too."""
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, timeout=10
        )
        path = Path(result.stdout.strip())
        return f"{path}:{path.stat().st_size}" if path.is_file() else f"?{family}"
    except (OSError, subprocess.SubprocessError):
        return f"?{family}"


@lru_cache(maxsize=1)
def _versions() -> str:
    """Versions that shape the output, read from package metadata: importing
    WeasyPrint just to learn its version would cost a no-op build half a second."""
    from importlib.metadata import version

    return f"factsheet {__version__}; weasyprint {version('weasyprint')}; pypdf {version('pypdf')}"


#: Distributions whose code shapes the bytes of a PDF, beyond WeasyPrint and pypdf.
_SHAPING = (
    "weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "fonttools", "pypdf",
    "segno", "jinja2", "markdown-it-py", "mdit-py-plugins", "babel",
)  # fmt: skip


@lru_cache(maxsize=1)
def _native_versions() -> tuple[tuple[str, str], ...]:
    """Versions of the C libraries that lay out and shape text."""
    import ctypes
    import ctypes.util

    found = []
    for name, symbol in (("pango-1.0", "pango_version_string"), ("harfbuzz", "hb_version_string")):
        try:
            function = getattr(ctypes.CDLL(ctypes.util.find_library(name)), symbol)
            function.restype = ctypes.c_char_p
            found.append((name, function().decode()))
        except (OSError, AttributeError, TypeError):
            found.append((name, "-"))
    return tuple(found)


def environment(project: Project) -> dict[str, str]:
    """What a machine renders with besides the project's files: versions and fonts.

    A cluster build checks every worker against the client, because the job
    key is computed on the client: a worker with another WeasyPrint, Pango or
    font file would publish different bytes under the same key.
    """
    import platform
    import zlib
    from importlib.metadata import PackageNotFoundError, version

    found = {"factsheet": __version__, "python": platform.python_version()}
    for name in _SHAPING:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    found["zlib"] = zlib.ZLIB_RUNTIME_VERSION
    found.update(_native_versions())
    families = sorted({f for stack in project.brand.fonts.values() for f in stack})
    found.update({f"font {family}": _font_files(family) for family in families})
    return found


def environment_difference(expected: dict[str, str], actual: dict[str, str]) -> str | None:
    """One line naming what differs (at most three items), or None."""
    differs = [
        f"{name} {actual.get(name, '-')} (client: {expected.get(name, '-')})"
        for name in sorted(set(expected) | set(actual))
        if expected.get(name) != actual.get(name)
    ]
    if not differs:
        return None
    more = f" and {len(differs) - 3} more" if len(differs) > 3 else ""
    return "this worker renders with " + ", ".join(differs[:3]) + more


def template_files(project: Project, name: str = "sheet.html.j2") -> list[Path]:
    """The files that shape every sheet of a brand: its template, CSS, logo, brand.yaml."""
    return list(project.derived(f"template_files:{name}", lambda: _template_files(project, name)))


def _template_files(project: Project, name: str) -> list[Path]:
    for folder in (project.brand_dir / "templates", project.root / "styles" / "templates"):
        if (folder / name).is_file():
            template = folder / name
            break
    else:
        template = project.root / "styles" / "templates" / name
    brand_files = sorted(
        p for p in project.brand_dir.rglob("*") if p.is_file() and "templates" not in p.parts
    )
    return [template, *brand_files]


def linked_sheets(project: Project, sheet: Sheet) -> str:
    """The sheets this one links to, each with whether it exists: the one way other
    sheets reach its PDF (a link to a missing sheet fails the gate)."""
    known = set(project.slugs)
    targets = {sheet_target(link.href) for link in sheet.body.links} - {None}
    return ",".join(f"{slug}={'yes' if slug in known else 'no'}" for slug in sorted(targets))


def job_key(project: Project, sheet: Sheet, job: Job) -> JobKey:
    """SHA-256 over everything the job's PDF depends on."""
    root = project.root
    org_dir = root / "sheets" / "_org"
    parts: dict[str, str] = {
        "versions": _versions(),
        "job": json.dumps(asdict(job), sort_keys=True),
        "sheet": hashlib.sha256(sheet.source_text.encode()).hexdigest(),
        "links": linked_sheets(project, sheet),
        "org": _file_digest(org_dir / "org.yaml"),
        "policy": _file_digest(org_dir / "policy.yaml"),
        "blocks": _file_digest(org_dir / "blocks" / f"{sheet.lang}.yaml"),
        "fonts": ";".join(_font_files(f) for f in font_stack(project, sheet.lang)),
    }
    if job.imprint:
        parts["imprint"] = _file_digest(org_dir / "clinics" / f"{job.imprint}.yaml")
        clinic = load_clinic(project, job.imprint)
        if clinic.logo:
            parts["imprint-logo"] = _file_digest(org_dir / "clinics" / clinic.logo)
    if job.qr or job.print_marks:
        import segno

        parts["qr"] = f"segno {segno.__version__}"  # the code's modules are drawn by segno
    for path in template_files(project):
        parts[f"style:{path.relative_to(root)}"] = _file_digest(path)
    for image in sheet.body.images:
        parts[f"image:{image.src}"] = _file_digest(sheet.path.parent / image.src)
    return JobKey(parts)


_WHAT = {
    "versions": "the pipeline, WeasyPrint or pypdf version",
    "job": "the job's options",
    "links": "which linked sheets exist",
    "org": "sheets/_org/org.yaml",
    "policy": "sheets/_org/policy.yaml",
    "fonts": "the fonts",
    "imprint": "the clinic's file",
    "imprint-logo": "the clinic's logo",
    "qr": "the QR code library",
}


def changed_inputs(before: dict[str, str], now: dict[str, str], sheet: Sheet) -> list[str]:
    """What changed between two jobs' key parts, in words an editor understands."""
    out = []
    for name in sorted(set(before) | set(now)):
        if before.get(name) == now.get(name):
            continue
        if name == "sheet":
            what = sheet.display
        elif name == "blocks":
            what = f"sheets/_org/blocks/{sheet.lang}.yaml"
        elif name.startswith(("style:", "image:")):
            kind, _, path = name.partition(":")
            what = path if kind == "style" else f"image {path}"
        else:
            what = _WHAT.get(name, name)
        if name not in before:
            out.append(f"{what} is new")
        elif name not in now:
            out.append(f"{what} is gone")
        else:
            out.append(f"{what} changed")
    return out
