"""`factsheet approve`: record a reviewer's approval of one sheet in one language."""

from __future__ import annotations

import click

from .context import Context, pass_ctx


@click.command()
@click.argument("slug")
@click.option("--lang", "-l", "lang", required=True, help="The language approved (e.g. es).")
@click.option("--by", "by", required=True, metavar="NAME", help="Who reviewed and approves it.")
@click.option(
    "--role", metavar="ROLE", help="In what role (e.g. 'medical translator', 'clinical editor')."
)
@pass_ctx
def approve(ctx: Context, slug, lang, by, role) -> None:
    """Approve SLUG in one language, after checking it passes the whole gate.

    \b
    The only way a sheet or a translation becomes approved: the sheet, as it
    will be once approved, must pass every source rule and a fresh render of
    each variant must pass every PDF rule (a translation also needs an
    approved source). Approval appends who, in what role and when to
    sheets/SLUG/reviews.yaml and sets `status: approved` in the sheet; any
    later edit of the text needs a new approval (rule review-unrecorded).
    \b
    Examples:
      factsheet approve metastatic-breast-cancer --lang es --by "Dr. Ana Ruiz" \\
          --role "medical translator"
      factsheet approve questions-to-ask-your-doctor --lang en --by "Medical Advisory Panel"
    """
    from ..build.approval import approve as run_approve
    from ..checks.report import as_text
    from ..errors import CheckFailed

    project = ctx.project()
    try:
        done = run_approve(project, slug, lang, by, role)
    except CheckFailed as error:
        click.echo(as_text(error.findings), err=True)
        raise
    record = done.approval
    who = record.by + (f" ({record.role})" if record.role else "")
    if done.already:
        click.echo(
            f"{done.sheet.display} is already approved: by {who} on {record.date.isoformat()}"
        )
        return
    for item in done.findings:
        click.echo(f"{item.location}: {item.severity}: {item.message} [{item.rule}]", err=True)
    click.echo(
        f"approved {done.sheet.display} (version {record.version}) by {who} "
        f"on {record.date.isoformat()}; recorded in {done.log}"
    )
