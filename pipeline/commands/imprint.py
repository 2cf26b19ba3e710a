"""`factsheet imprint`: add a clinic from the file it sent, with a preview PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .context import Context, pass_ctx

TEMPLATE = """\
# A clinic's own box on {org}'s fact sheets ("Your clinic").
# Fill this in and send it back; a logo (PNG, JPEG or SVG) may go beside it.
name: Your Clinic's Name
address: Street and number, Town            # optional
# logo: your-logo.svg                       # optional, a file next to this one
channels:                                   # at least one phone or email, each with hours
  - id: front-desk
    kind: phone
    number: "+16175550100"                  # E.164: + country code and number
    display: 1-617-555-0100                 # as printed; the same digits
    hours:
      timezone: America/New_York            # IANA time zone
      open:
        - {{days: mon-fri, from: "08:00", to: "17:00"}}
  - id: nurses
    kind: email
    address: nurses@your-clinic.example
    hours:
      timezone: America/New_York
      open:
        - {{days: mon-fri, from: "09:00", to: "16:00"}}
"""


@click.command(name="imprint")
@click.argument("clinic_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "clinic_id", help="The clinic's id (default: the file's name without .yaml).")
@click.option("--sheet", "slug", help="Sheet to preview the clinic's box on (default: the first).")
@click.option("--lang", "-l", "lang", help="Language of the preview (default: the organisation's).")
@click.option("--replace", is_flag=True, help="Update a clinic that already exists.")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Check the file and render the preview; add nothing.",
)
@click.option("--template", is_flag=True, help="Print a clinic file to fill in, and exit.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default output/).",
)
@pass_ctx
def imprint(
    ctx: Context, clinic_file, clinic_id, slug, lang, replace, check_only, template, out
) -> None:
    """Add a clinic from the file it sent, so its imprints can be built and listed.

    \b
    CLINIC_FILE is the clinic's YAML (name, address, phone and email channels
    with hours, optionally a logo next to it). It is checked (file:line
    errors), one sheet is rendered with the clinic's box through the compliance
    gate (the preview lands in output/previews/), and only then is the file
    copied to sheets/_org/clinics/ID.yaml with its logo. Nothing changes if any
    step fails.
    \b
    Examples:
      factsheet imprint --template > eastside.yaml     # a file to send a clinic
      factsheet imprint ~/Downloads/eastside.yaml --check
      factsheet imprint ~/Downloads/eastside.yaml
      factsheet build --imprint eastside && factsheet site
    """
    if template:
        click.echo(TEMPLATE.format(org=ctx.project().org.short_name), nl=False)
        return
    if clinic_file is None:
        raise click.UsageError("give the clinic's file (or --template for one to fill in)")
    from ..build.clinic import add_clinic

    intake = add_clinic(
        ctx.root,
        clinic_file,
        ctx.out_dir(out),
        clinic_id=clinic_id,
        slug=slug,
        lang=lang,
        replace=replace,
        keep=not check_only,
    )
    for item in intake.findings:  # warnings only: an error stops add_clinic
        click.echo(f"{item.location}: {item.severity}: {item.message} [{item.rule}]", err=True)
    if check_only:
        click.echo(f"{clinic_file}: ok: {intake.clinic.name}; nothing added")
    else:
        for path in intake.added:
            click.echo(f"wrote {path}")
    click.echo(f"preview: {intake.preview}")
    if not check_only and not ctx.quiet:
        click.echo(
            f"next: factsheet build --imprint {intake.clinic_id} && factsheet site "
            f"(its page: site/clinics/{intake.clinic_id}.html)",
            err=True,
        )
    sys.exit(0)
