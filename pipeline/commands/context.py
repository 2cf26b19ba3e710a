"""What every command shares: the project folder, -q/-v, and table or JSON output."""

from __future__ import annotations

import json
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

    def out_dir(self, out: Path | None) -> Path:
        return (out or self.root / "output").resolve()


pass_ctx = click.make_pass_decorator(Context)


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
