"""The `factsheet` command: the group, its entry point, and every subcommand.

Commands are thin (arguments in, output out); each lives in the module named
after it and imports the pipeline lazily, so `--help` and `list` stay fast.
Exit codes: 0 success, 1 bad input or failed checks, 2 usage error (Click).
Results go to stdout, diagnostics and progress to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import FactsheetError
from . import build, check, doctor, imprint, new, publish, sheets, translate
from .context import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="factsheet")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest folder with sheets/_org/org.yaml).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only print problems and the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print every job and every finding.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, quiet: bool, verbose: bool) -> None:
    """Render health fact sheets into tagged, checked PDFs.

    \b
    Examples:
      factsheet doctor          # can this machine render every language?
      factsheet list            # sheets, languages, versions, review dates
      factsheet build           # build the catalog into output/
      factsheet check           # run the compliance gate on sources and PDFs
      factsheet status --due-within 90d
    """
    ctx.obj = Context(project_dir, quiet, verbose)


def main() -> None:
    """Console entry point: user errors become one line and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # Click's name for Ctrl-C
            click.echo("interrupted; output/ keeps its previous good files", err=True)
            sys.exit(130)
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except FactsheetError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; output/ keeps its previous good files", err=True)
        sys.exit(130)


for command in (
    build.build,
    build.preview,
    check.check,
    sheets.list_sheets,
    sheets.status,
    doctor.doctor,
    new.new,
    translate.translate,
    publish.site,
    imprint.imprint,
    publish.bundle_command,
):
    cli.add_command(command)
