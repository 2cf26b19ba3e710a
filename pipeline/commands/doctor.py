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

    Exits 1 when something blocks rendering (no Pango >= 1.44, a language
    whose script no installed font covers). A script that an installed font
    covers but the brand's font stacks do not name is a warning that says
    which font to add to brand.yaml.

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
