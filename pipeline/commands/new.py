"""`factsheet new`: scaffold a sheet."""

from __future__ import annotations

import click

from .context import Context, pass_ctx


@click.command()
@click.argument("slug")
@click.option("--title", default=None, help="The sheet's title (a placeholder if not given).")
@click.option("--series", default=None, help="The series it belongs to.")
@click.option("--id", "sheet_id", default=None, help="Sheet id (default: derived from the slug).")
@pass_ctx
def new(ctx: Context, slug, title, series, sheet_id) -> None:
    """Scaffold a draft sheet at sheets/SLUG/<default language>.md.

    Its placeholder sentences fail `factsheet check` (scaffold-placeholder)
    until they are replaced.

    \b
    Example:
      factsheet new bone-metastases --title "Bone Metastases" --series "Metastatic Breast Cancer"
    """
    from ..source.scaffold import DEFAULT_TITLE, scaffold

    path = scaffold(ctx.project(), slug, title or DEFAULT_TITLE, series, sheet_id)
    click.echo(f"created {path} (a draft: replace its placeholder text, then check it)")
