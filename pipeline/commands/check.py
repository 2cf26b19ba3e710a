"""`factsheet check`: the gate over sources and built PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .context import Context, pass_ctx


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder whose PDFs to check (default output/).",
)
@click.option("--no-pdf", is_flag=True, help="Check sources only.")
@pass_ctx
def check(ctx: Context, paths, fmt, strict, out, no_pdf) -> None:
    """Run the compliance gate on sheets (sources) and built PDFs.

    \b
    With no PATH: every sheet, and every PDF listed in output/manifest.json.
    A PATH may be a sheet file (.md), a sheet folder or a PDF. A sheet that
    cannot be read is reported (rule sheet-invalid) and the others are checked;
    JSON and JUnit output is always written, whatever fails.
    \b
    Examples:
      factsheet check
      factsheet check sheets/metastatic-breast-cancer/es.md
      factsheet check output/en/metastatic-breast-cancer.pdf --format json
      factsheet check --format junit > report.xml
    """
    from ..build.audit import run_checks
    from ..checks.registry import has_errors
    from ..checks.report import as_json, as_junit, as_text, use_colour
    from ..checks.review import PROJECT_INVALID, error_findings

    def unreadable(errors: list) -> str:
        found = error_findings(PROJECT_INVALID, errors, "sheets/_org")
        checked = sorted({f.path for f in found})
        return as_json(found, checked) if fmt == "json" else as_junit(found, checked, strict)

    project = ctx.project_or_report(fmt, unreadable)
    findings, checked = run_checks(project, list(paths), ctx.out_dir(out), include_pdfs=not no_pdf)
    if fmt == "json":
        click.echo(as_json(findings, checked))
    elif fmt == "junit":
        click.echo(as_junit(findings, checked, strict))
    else:
        limit = project.policy.limits.max_findings_per_file
        click.echo(as_text(findings, use_colour(), len(checked), limit))
    if has_errors(findings, strict):
        sys.exit(1)
