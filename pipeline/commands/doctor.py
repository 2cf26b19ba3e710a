"""`factsheet doctor`: can this machine render every configured language?"""

from __future__ import annotations

import sys

import click

from ..errors import FactsheetError
from .context import Context, pass_ctx


@click.command()
@pass_ctx
def doctor(ctx: Context) -> None:
    """Check the renderer: WeasyPrint, Pango, HarfBuzz subsetting, fonts per language.

    Exits 1 when something blocks rendering as the brand means it: no Pango
    >= 1.44, or a language whose script no font of the brand's stacks covers.
    Each such line names its fix: the installed font to add to brand.yaml, or
    the package to install.

    \b
    Example:
      factsheet doctor
    """
    from ..render.doctor import diagnose

    try:
        project = ctx.project()
    except FactsheetError as error:
        click.echo(f"note: no project loaded ({error})", err=True)
        project = None
    lines = diagnose(project)
    for line in lines:
        mark = "ok " if line.ok else ("ERR" if line.blocker else "warn")
        click.echo(f"[{mark}] {line.label}: {line.value}")
    if any(line.blocker for line in lines):
        sys.exit(1)
