"""`factsheet list` and `factsheet status`: what the catalog holds and what is due."""

from __future__ import annotations

import datetime as dt
import sys

import click

from .context import Context, emit, pass_ctx, report_broken


@click.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def list_sheets(ctx: Context, fmt) -> None:
    """List sheets with their languages, versions, status and review dates.

    A sheet that cannot be read is listed too, with its first error; the
    exit code is then 1.

    \b
    Examples:
      factsheet list
      factsheet list --format json
    """
    project = ctx.project_or_report(fmt)
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
    for (slug, lang), broken in sorted(project.broken.items()):
        rows.append(
            {
                "slug": slug,
                "lang": lang,
                "id": "",
                "title": "",
                "version": "",
                "status": "unreadable",
                "reviewed": "",
                "next_review": "",
                "errors": [str(error) for error in broken.errors],
            }
        )
    rows.sort(key=lambda row: (row["slug"], row["lang"]))
    emit(rows, fmt, ["slug", "lang", "id", "version", "status", "reviewed", "next_review", "title"])
    report_broken(project)


def _days(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().lower().removesuffix("d")
    if not text.isdigit():
        raise click.BadParameter("write a number of days, like 90d", param_hint="--due-within")
    return int(text)


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from ..source.dates import date_problem

    problem = date_problem(value)
    if problem is not None:
        message, hint = problem
        raise click.BadParameter(f"{message} ({hint})", param_hint="--as-of")
    return dt.date.fromisoformat(value.strip())


@click.command()
@click.option(
    "--due-within", metavar="DAYS", help="Only sheets due within this many days (e.g. 90d)."
)
@click.option("--as-of", "as_of", metavar="DATE", help="Judge as if today were DATE (YYYY-MM-DD).")
@click.option(
    "--fail-on",
    type=click.Choice(["overdue", "due-soon"]),
    help="Exit 1 if a sheet is overdue (or overdue or due soon): for schedulers.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def status(ctx: Context, due_within, as_of, fail_on, fmt) -> None:
    """The review board: every sheet x language, overdue first, then due soon.

    \b
    Labels: overdue (the next review date has passed), due soon (inside the
    policy's review_warning_days), current; unreadable for a sheet that
    cannot be read (exit code 1). The last line gives the totals.
    \b
    Examples:
      factsheet status
      factsheet status --due-within 90d --format json
      factsheet status --as-of 2027-01-01 --fail-on overdue   # in a scheduled job
    """
    from ..build.board import DUE_SOON, OVERDUE, UNREADABLE, board, totals
    from ..source.dates import today

    limit = _days(due_within)
    on = _as_of(as_of) or today()
    project = ctx.project_or_report(fmt)
    rows = board(project, on)
    counts = totals(rows)
    shown = [r for r in rows if limit is None or r.days_left is None or r.days_left <= limit]
    if fmt == "json":
        emit([row.as_dict() for row in shown], fmt, [])
    elif not [r for r in shown if r.due != UNREADABLE] and limit is not None:
        upcoming = [r for r in rows if r.days_left is not None]
        message = f"Nothing falls due for review within {limit} days (as of {on.isoformat()})."
        if upcoming:
            first = min(upcoming, key=lambda r: r.days_left)
            message += f" Next: {first.slug} [{first.lang}] on {first.next_review}, {first.when}."
        click.echo(message)
        _unreadable_lines(shown)
    else:
        columns = ["due", "when", "slug", "lang", "version", "next_review", "status"]
        emit([row.as_dict() for row in shown], fmt, [*columns, "translation"])
    if fmt != "json":
        total = sum(counts.values())
        click.echo(
            f"{counts[OVERDUE]} overdue, {counts[DUE_SOON]} due soon, {counts['current']} current"
            + (f", {counts[UNREADABLE]} unreadable" if counts[UNREADABLE] else "")
            + f" ({total} sheet x language, as of {on.isoformat()})"
        )
    failing = {"overdue": (OVERDUE,), "due-soon": (OVERDUE, DUE_SOON)}.get(fail_on or "", ())
    if any(counts[label] for label in failing):
        sys.exit(1)
    report_broken(project)


def _unreadable_lines(rows) -> None:
    for row in rows:
        if row.problem:
            click.echo(f"unreadable  {row.slug} [{row.lang}]: {row.problem}")
