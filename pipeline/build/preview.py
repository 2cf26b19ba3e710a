"""`factsheet preview`: rebuild one PDF whenever anything it depends on changes.

Watches the project's sheets/ and styles/ folders (watchfiles, so no polling)
and, after each change, reloads the project and builds the one job through
the normal engine: same gate, same atomic publish, same cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import FactsheetError
from ..source.loader import load_project
from .engine import BuildReport, build
from .plan import plan


def build_once(root: Path, slug: str, lang: str, variant: str, out: Path) -> BuildReport:
    project = load_project(root)
    jobs = plan(project, [slug], [lang], [variant])
    return build(project, jobs, out, workers=1)


def preview(
    root: Path,
    slug: str,
    lang: str,
    variant: str,
    out: Path,
    report: Callable[[BuildReport | FactsheetError], None],
    stop: threading.Event | None = None,
) -> None:
    """Build now, then again after every change until ``stop`` is set (or Ctrl-C)."""
    from watchfiles import watch

    def attempt() -> None:
        try:
            report(build_once(root, slug, lang, variant, out))
        except FactsheetError as error:  # a broken edit: say so, keep watching
            report(error)

    attempt()
    folders = [str(root / "sheets"), str(root / "styles")]
    for _changes in watch(*folders, stop_event=stop, debounce=300, rust_timeout=500):
        attempt()
