"""WeasyPrint's C declarations prepared once (pipeline/render/cffi_cache.py).

Each check runs in a fresh interpreter, as a render process does: the hook
only matters before WeasyPrint is first imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render.cffi_cache import _declarations

RENDER = """
import hashlib, json, sys
from pathlib import Path
from pipeline.render import cffi_cache
installed = cffi_cache.install() if sys.argv[2] == "hook" else False
from pipeline.render.pdf import render_sheet
from pipeline.source.loader import load_project
from pipeline.build.plan import plan
import cffi
from weasyprint.text import ffi as module
project = load_project(Path(sys.argv[1]))
sheets = []
for job in plan(project, langs=["en", "ar"])[:2]:
    sheet = project.sheet(job.slug, job.lang)
    sheets.append(hashlib.sha256(render_sheet(project, sheet, job.options()).pdf).hexdigest())
print(json.dumps({"installed": installed, "prepared": not isinstance(module.ffi, cffi.FFI),
                  "sheets": sheets}))
"""


def render(project_dir: Path, cache: Path | str, hook: bool) -> dict:
    import json

    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(project_dir), "hook" if hook else "plain"],
        capture_output=True,
        text=True,
        env={**os.environ, "FACTSHEET_CACHE_DIR": str(cache)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_prepared_declarations_render_the_same_bytes(project_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "parsed"
    plain = render(project_dir, cache, hook=False)
    first = render(project_dir, cache, hook=True)  # prepares the module
    prepared = list((cache / "cffi").glob("weasyprint_ffi_*.py"))
    again = render(project_dir, cache, hook=True)  # loads it
    assert not plain["prepared"]
    assert first["installed"] and first["prepared"] and again["prepared"]
    assert len(prepared) == 1
    assert plain["sheets"] == first["sheets"] == again["sheets"]  # English and Arabic


def test_a_damaged_prepared_module_falls_back_to_the_ordinary_import(
    project_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "parsed"
    reference = render(project_dir, cache, hook=True)
    (prepared,) = (cache / "cffi").glob("weasyprint_ffi_*.py")
    prepared.write_text("raise RuntimeError('damaged')\n")
    damaged = render(project_dir, cache, hook=True)
    assert damaged["installed"] and not damaged["prepared"]
    assert damaged["sheets"] == reference["sheets"]


def test_no_hook_without_a_cache_folder_of_our_own(project_dir: Path, tmp_path: Path) -> None:
    assert not render(project_dir, "", hook=True)["installed"]  # the cache is turned off
    shared = tmp_path / "shared"
    (shared / "cffi").mkdir(parents=True)
    (shared / "cffi").chmod(0o777)  # others could plant a module there
    outcome = render(project_dir, shared, hook=True)
    assert not outcome["installed"] and not outcome["prepared"]


SOURCE = """import cffi

ffi = cffi.FFI()
ffi.cdef('''
    typedef int gboolean;
''')

def helper():
    return ffi.NULL
"""


def test_the_declarations_are_taken_only_from_the_layout_expected() -> None:
    tree, declarations = _declarations(SOURCE)
    assert declarations.strip() == "typedef int gboolean;"
    assert [type(node).__name__ for node in tree.body] == ["Import", "FunctionDef"]


@pytest.mark.parametrize(
    "changed",
    [
        SOURCE.replace("ffi.cdef('''", "ffi.cdef(DECLARATIONS + '''"),  # not one literal
        SOURCE.replace("ffi.cdef('''", "ffi.cdef(override=True, csource='''"),
        SOURCE.replace("ffi = cffi.FFI()", "ffi = cffi.FFI(backend)"),
        SOURCE.replace("ffi = cffi.FFI()\n", "ffi = cffi.FFI()\nffi.set_unicode(True)\n"),
        "import cffi\n",
    ],
)
def test_another_layout_of_weasyprints_module_is_imported_the_ordinary_way(changed) -> None:
    assert _declarations(changed) is None
