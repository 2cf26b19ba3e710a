"""`factsheet list` and `factsheet status`: what the catalog holds and what is due."""

from __future__ import annotations

import click

from .context import Context, emit, pass_ctx


@click.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def list_sheets(ctx: Context, fmt) -> None:
    """List sheets with their languages, versions and review dates.

    \b
    Examples:
      factsheet list
      factsheet list --format json
    """
    project = ctx.project()
    rows = []
    for (slug, lang), sheet in sorted(project.sheets.items()):
        front = sheet.front
        rows.append(
            {
                "slug": slug,
                "lang": lang,
                "id": front.id,
                "title": front.title,
                "version": front.version,
                "status": front.status,
                "reviewed": front.reviewed.isoformat(),
                "next_review": front.next_review.isoformat(),
            }
        )
    emit(rows, fmt, ["slug", "lang", "id", "version", "status", "reviewed", "next_review", "title"])


@click.command()
@click.option(
    "--due-within", metavar="DAYS", help="Only sheets due within this many days (e.g. 90d)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def status(ctx: Context, due_within, fmt) -> None:
    """Every sheet x language, most urgent review first.

    \b
    Examples:
      factsheet status
      factsheet status --due-within 90d --format json
    """
    from ..source.dates import today
    from ..translate.state import translation_state

    limit = None
    if due_within:
        text = due_within.strip().lower().removesuffix("d")
        if not text.isdigit():
            raise click.BadParameter("write a number of days, like 90d", param_hint="--due-within")
        limit = int(text)
    project = ctx.project()
    now = today()
    rows = []
    for (slug, lang), sheet in project.sheets.items():
        front = sheet.front
        days = (front.next_review - now).days
        if limit is not None and days > limit:
            continue
        rows.append(
            {
                "slug": slug,
                "lang": lang,
                "version": front.version,
                "reviewed": front.reviewed.isoformat(),
                "next_review": front.next_review.isoformat(),
                "days_left": days,
                "status": front.status,
                "translation": translation_state(project, sheet),
            }
        )
    rows.sort(key=lambda r: (r["days_left"], r["slug"], r["lang"]))
    columns = ["slug", "lang", "version", "reviewed", "next_review", "days_left", "status"]
    emit(rows, fmt, [*columns, "translation"])
