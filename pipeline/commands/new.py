"""`factsheet new`: scaffold a sheet."""

from __future__ import annotations

import click

from .context import Context, pass_ctx


@click.command()
@click.argument("slug")
@click.option("--title", default="New Fact Sheet", help="The sheet's title.")
@click.option("--series", default=None, help="The series it belongs to.")
@click.option("--id", "sheet_id", default=None, help="Sheet id (default: derived from the slug).")
@pass_ctx
def new(ctx: Context, slug, title, series, sheet_id) -> None:
    """Scaffold a valid sheet at sheets/SLUG/<default language>.md.

    \b
    Example:
      factsheet new bone-metastases --title "Bone Metastases" --series "Metastatic Breast Cancer"
    """
    from ..source.scaffold import scaffold

    path = scaffold(ctx.project(), slug, title, series, sheet_id)
    click.echo(f"created {path}")
