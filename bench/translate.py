"""Benchmark: the translator round trip, and how import bounds hostile files.

Measures, on a copy of the sample project, with `factsheet` as a user runs it:
- export of the sample sheet as XLIFF and as PO;
- import (--dry-run) of a complete XLIFF translation, and of the same file in
  Trados's shape (segmented) and memoQ's (bpt/ept, renumbered units);
- import of a 50 MB file (refused from its size) and of a file of 5,000
  units, the default limit (refused: 50 problems printed, then "and N more"):
  wall time, peak RSS of the process and the lines printed on stderr.

Usage: python bench/translate.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
SLUG = "metastatic-breast-cancer"


def run(root: Path, *args: str) -> tuple[float, int, int, int]:
    """Seconds, exit code, lines on stderr and peak RSS (MB) of one `factsheet` run."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        lines = len(errors.read().splitlines())
    return seconds, process.returncode, lines, usage.ru_maxrss // 1024


def main() -> None:
    from cat_tools import X, fill, memoq, trados
    from lxml import etree

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("sheets", "styles"):
            shutil.copytree(ROOT / name, root / name)
        rows = []
        xlf, po = root / "fr.xlf", root / "fr.po"
        rows.append(
            (
                "export XLIFF",
                *run(root, "translate", "export", SLUG, "--to", "fr", "--out", str(xlf)),
            )
        )
        rows.append(
            (
                "export PO",
                *run(
                    root,
                    "translate",
                    "export",
                    SLUG,
                    "--to",
                    "fr",
                    "--format",
                    "po",
                    "--out",
                    str(po),
                ),
            )
        )
        for name, shape in (("generic", None), ("trados", trados), ("memoq", memoq)):
            tree = fill(etree.parse(str(xlf)))
            tree = shape(tree) if shape else tree
            path = root / f"{name}.xlf"
            tree.write(str(path))
            rows.append(
                (
                    f"import {name} (dry run)",
                    *run(root, "translate", "import", str(path), "--dry-run"),
                )
            )
        huge = root / "huge.xlf"
        with open(huge, "wb") as handle:
            handle.truncate(50_000_000)
        rows.append(("import 50 MB file", *run(root, "translate", "import", str(huge))))
        tree = etree.parse(str(xlf))
        body = tree.find(f".//{X}body")
        template = body[-1]
        while len(body) < 5_000:
            clone = etree.fromstring(etree.tostring(template))
            clone.set("id", f"u{len(body)}")
            body.append(clone)
        many = root / "many.xlf"
        tree.write(str(many))
        size = os.path.getsize(many) / 1e6
        rows.append(
            (f"import 5,000 units ({size:.1f} MB)", *run(root, "translate", "import", str(many)))
        )
        print(f"{'case':34} {'seconds':>8} {'exit':>5} {'lines':>6} {'peak MB':>8}")
        for name, seconds, code, lines, peak in rows:
            print(f"{name:34} {seconds:8.2f} {code:5} {lines:6} {peak:8}")


if __name__ == "__main__":
    main()
