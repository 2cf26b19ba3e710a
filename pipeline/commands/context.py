"""What every command shares: the project folder, -q/-v, and table or JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click


class Context:
    def __init__(self, project_dir: Path | None, quiet: bool, verbose: bool) -> None:
        self.project_dir = project_dir
        self.quiet = quiet
        self.verbose = verbose
        self._project = None

    @property
    def root(self) -> Path:
        from ..source.loader import find_root

        return find_root(self.project_dir)

    def project(self):
        if self._project is None:
            from ..checks import check_policy_rules
            from ..source.loader import load_project

            project = load_project(self.root)
            check_policy_rules(project)
            self._project = project
        return self._project

    def project_or_report(self, fmt: str, report: Callable[[list], str] | None = None):
        """The project; if a shared file cannot be read and the output is for a
        machine (JSON, JUnit), that output is still written, valid, with the
        errors in it (``report`` renders them; default: an empty JSON list);
        the errors also go to stderr, and the exit code is 1."""
        from ..errors import FactsheetError, each_error

        try:
            return self.project()
        except FactsheetError as error:
            if fmt not in ("json", "junit"):
                raise
            click.echo(report(each_error(error)) if report else "[]")
            click.echo(str(error), err=True)
            sys.exit(1)

    def out_dir(self, out: Path | None) -> Path:
        return (out or self.root / "output").resolve()


pass_ctx = click.make_pass_decorator(Context)


def show_errors(error, root: Path | None, indent: str = "") -> None:
    """Each error on its own line on stderr; on a terminal, each followed by its
    source line with a caret under the problem (coloured unless NO_COLOR is
    set). What scripts read, the one-line form, never changes."""
    from ..errors import each_error

    tty = sys.stderr.isatty()
    colour = tty and "NO_COLOR" not in os.environ
    for single in each_error(error):
        click.echo(indent + str(single), err=True)
        if not tty or root is None:
            continue
        from ..source.excerpt import excerpt

        lines = excerpt(root, single)
        if lines and colour:
            lines[1] = lines[1].replace("^", "\033[31m^", 1) + "\033[0m"
        for line in lines:
            click.echo(indent + line, err=True)


def report_broken(project) -> None:
    """Each sheet that cannot be read, with its errors, on stderr; exit code 1.

    For commands whose output is a table (list, status, translate status): the
    table shows such a sheet as unreadable, and here is why.
    """
    if not project.broken:
        return
    for broken in project.broken.values():
        show_errors(broken.error(), project.root)
    sys.exit(1)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def emit(rows: list[dict], fmt: str, columns: list[str]) -> None:
    """Rows as JSON, or as a table of the given columns (headers from the keys)."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    header = [column.replace("_", " ").upper() for column in columns]
    click.echo(table([[str(row[c]) for c in columns] for row in rows], header))
