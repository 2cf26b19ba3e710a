"""The `factsheet` command: the group, its entry point, and every subcommand.

Commands are thin (arguments in, output out); each lives in the module named
after it and imports the pipeline lazily, so `--help` and `list` stay fast.
Exit codes: 0 success, 1 bad input or failed checks, 2 usage error (Click).
Results go to stdout, diagnostics and progress to stderr.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import FactsheetError, printable, problem_line
from ..source.files import explain_os_error
from . import approve, build, check, doctor, imprint, new, publish, sheets, translate
from .context import Context, show_errors

_CONTEXT: list[Context] = []  # the running command's, for error display


def _root() -> Path | None:
    """The project folder, to read an error's source line from (None if unknown)."""
    try:
        return _CONTEXT[-1].root if _CONTEXT else None
    except FactsheetError:
        return None


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
    _CONTEXT.append(ctx.obj)


def main() -> None:
    """Console entry point: every problem becomes one sanitised line, never a traceback.

    Exit codes: 1 for bad input, failed checks and an unusable environment (a
    full or read-only disk), 2 for usage errors, 130 on Ctrl-C, and 70
    (EX_SOFTWARE) for a bug: an exception nobody turned into a user error.
    FACTSHEET_DEBUG=1 shows the traceback of such a bug.
    """
    try:
        _run()
    finally:
        # The command is over and the process ends: what it loaded is moved out of
        # the cycle collector's sight, so that the interpreter's exit does not walk
        # a loaded catalog once more (about a tenth of a second). Files are closed
        # and published by now; atexit handlers still run.
        gc.freeze()


def _run() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # Click's name for Ctrl-C
            click.echo("interrupted; output/ keeps its previous good files", err=True)
            sys.exit(130)
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        # Click quotes values as given (a path with escape bytes, a pasted novel).
        error.message = printable(error.message)
        error.show()
        sys.exit(error.exit_code)
    except FactsheetError as error:
        show_errors(error, _root())
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; output/ keeps its previous good files", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `factsheet list | head`: the reader left; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as error:
        # The environment, not the input: a disk that filled, a folder made read-only.
        click.echo(str(explain_os_error(error, error.filename or "factsheet")), err=True)
        sys.exit(1)
    except (RecursionError, MemoryError) as error:
        problem = "too deeply nested" if isinstance(error, RecursionError) else "too large"
        click.echo(
            problem_line(
                "factsheet",
                "error",
                f"the input is {problem} to process ({type(error).__name__})",
                hint="a limit in policy.yaml should have caught this; please report it",
            ),
            err=True,
        )
        sys.exit(1)
    except Exception as error:  # a bug: one line, the traceback only on request
        if os.environ.get("FACTSHEET_DEBUG"):
            raise
        click.echo(
            problem_line(
                "factsheet",
                "error",
                f"internal error: {type(error).__name__}: {error}",
                hint="this is a bug in factsheet; FACTSHEET_DEBUG=1 shows the traceback",
            ),
            err=True,
        )
        sys.exit(70)


for command in (
    build.build,
    build.preview,
    check.check,
    sheets.list_sheets,
    sheets.status,
    approve.approve,
    doctor.doctor,
    new.new,
    translate.translate,
    publish.site,
    imprint.imprint,
    publish.bundle_command,
):
    cli.add_command(command)
