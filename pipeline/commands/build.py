"""`factsheet build` and `factsheet preview`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .context import Context, pass_ctx, show_errors

STATES = ("to build", "up to date", "will fail")
EPILOG_BUILD = """\b
Examples:
  factsheet build                                  # the whole catalog
  factsheet build metastatic-breast-cancer --lang es
  factsheet build --variant large-print --paper a4
  factsheet build --dry-run                        # what would be built, and why
  factsheet build --executor dask --scheduler tcp://10.0.0.5:8786
"""


class Progress:
    """One updating line on a terminal (done / running / queued); plain lines otherwise."""

    def __init__(self, quiet: bool, verbose: bool, limit: int = 20, project=None) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.limit = limit  # findings printed per file (limits.max_findings_per_file)
        self.project = project  # to show a broken sheet's source lines on a terminal
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.last = ""
        self.shown: set[tuple[str, str]] = set()  # broken sheets whose errors were shown

    def __call__(self, result, tally) -> None:
        from ..checks.review import SHEET_INVALID
        from ..errors import InputErrors, printable

        if result is None:  # a job started or runs again
            if tally.note and not self.quiet:
                click.echo(("\r\033[K" if self.tty else "") + tally.note, err=True)
            if self.tty and not self.verbose:
                click.echo("\r\033[K" + self._line(tally, self.last), err=True, nl=False)
            return
        done, total = tally.done, tally.total
        failed = result.status == "failed"
        if self.tty and not self.verbose:
            self.last = f"{result.status:7} {result.job.label}"
            click.echo("\r\033[K" + self._line(tally, self.last), err=True, nl=done == total)
        elif self.verbose or failed or (not self.quiet and result.status != "skipped"):
            took = f" {result.seconds:.2f}s" if result.seconds else ""
            again = f" (attempt {result.attempts})" if result.attempts > 1 else ""
            click.echo(f"[{done}/{total}] {result.status} {result.path}{took}{again}", err=True)
        if failed or self.verbose:
            if self.tty and not self.verbose:
                click.echo("", err=True)
            broken = (
                self.project.broken.get((result.job.slug, result.job.lang))
                if self.project
                else None
            )
            if broken is not None and (broken.slug, broken.lang) in self.shown:
                click.echo(f"  {printable(broken.display)} cannot be read (see above)", err=True)
            elif broken is not None:
                # The sheet's own load errors, not this job's: flush left, exactly
                # the lines every other command gives for them, and once per
                # sheet file however many of its jobs (variants, papers) fail.
                self.shown.add((broken.slug, broken.lang))
                show_errors(InputErrors(broken.errors), self.project.root)
            else:
                for line in (result.error or "").splitlines():
                    click.echo(f"  {line}", err=True)
            # A broken sheet's load errors are shown above; its findings say the
            # same for --format json.
            findings = [f for f in result.findings if f.rule != SHEET_INVALID]
            show_findings(findings, self.verbose, self.limit, "  ")

    def _line(self, tally, last: str) -> str:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / tally.done * (tally.total - tally.done) if tally.done else 0
        return (
            f"[{tally.done}/{tally.total}] {last + '  ' if last else ''}"
            f"running {len(tally.running)}, queued {tally.queued}  ETA {eta:4.0f}s"
        )


def show_findings(findings, verbose: bool, limit: int, indent: str = "") -> None:
    """Errors (and with ``verbose`` warnings too) on stderr, at most ``limit`` per file."""
    from ..checks.report import capped, finding_line, more_line

    chosen = [item for item in findings if item.severity == "error" or verbose]
    shown, more = capped(chosen, limit)
    for item in shown:
        click.echo(indent + finding_line(item), err=True)
    for path, count in more.items():
        click.echo(indent + more_line(path, count), err=True)


@click.command(epilog=EPILOG_BUILD)
@click.argument("slugs", nargs=-1)
@click.option("--lang", "-l", "langs", multiple=True, help="Only these languages (repeatable).")
@click.option(
    "--variant",
    "variants",
    multiple=True,
    type=click.Choice(["standard", "large-print"]),
    help="Variant(s) to build (repeatable; default standard).",
)
@click.option(
    "--paper",
    "papers",
    multiple=True,
    type=click.Choice(["letter", "a4"]),
    help="Paper size(s) (repeatable; default from org.yaml).",
)
@click.option(
    "--print-marks", is_flag=True, help="3 mm bleed, crop marks and a QR code, for the print shop."
)
@click.option(
    "--imprint", metavar="CLINIC", help="Add a clinic's box (sheets/_org/clinics/CLINIC.yaml)."
)
@click.option("--qr", is_flag=True, help="Add a QR code to the online PDF (writes <slug>.qr.pdf).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default output/).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: number of cores)."
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    envvar="FACTSHEET_EXECUTOR",
    show_default=True,
    help="Where jobs render: processes on this machine, or a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    envvar="FACTSHEET_SCHEDULER",
    help="The Dask scheduler for --executor dask (or FACTSHEET_SCHEDULER).",
)
@click.option("--force", is_flag=True, help="Rebuild every job, ignoring the cache.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show each job: up to date, to build (and which input changed), or will fail.",
)
@click.option(
    "--allow-failing",
    is_flag=True,
    help="Publish PDFs that fail the gate, with a visible DRAFT band (counted as failing).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Summary format."
)
@pass_ctx
def build(
    ctx: Context,
    slugs,
    langs,
    variants,
    papers,
    print_marks,
    imprint,
    qr,
    out,
    jobs,
    executor,
    scheduler,
    force,
    dry_run,
    allow_failing,
    fmt,
) -> None:
    """Build PDFs: every sheet, or the SLUGs given, in every language."""
    click_ctx = click.get_current_context()
    if executor == "dask" and not scheduler:
        raise click.UsageError(
            "--executor dask needs --scheduler tcp://HOST:PORT (or FACTSHEET_SCHEDULER)"
        )
    if executor == "local" and click_ctx.get_parameter_source("scheduler").name == "COMMANDLINE":
        raise click.UsageError("--scheduler is for --executor dask")
    if executor == "dask" and jobs:
        raise click.UsageError("--jobs sets local processes; a Dask cluster has its workers")

    def unreadable(errors: list) -> str:
        """The JSON summary when a shared file cannot be read: nothing was built."""
        summary = {"built": 0, "skipped": 0, "draft": 0, "failing": 0, "failed": 0}
        problems = [
            {"path": e.path, "line": e.line, "message": e.message, "hint": e.hint} for e in errors
        ]
        return json.dumps(summary | {"errors": problems, "jobs": []}, indent=2)

    from ..build.localpool import LocalPool, default_workers

    pool = None
    if executor == "local" and not dry_run:
        # Forked before the engine is imported and the project loaded: its first
        # process imports the renderer meanwhile, on another core. Stopped when
        # the command ends, however it ends (Click closes its context).
        pool = click_ctx.with_resource(LocalPool(jobs or default_workers(), prestart=True))
    from ..build.engine import build as run_build
    from ..build.plan import plan

    project = ctx.project_or_report(fmt, unreadable)
    if imprint:
        from ..source.clinics import load_clinic

        load_clinic(project, imprint)
    planned = plan(
        project, list(slugs), list(langs), list(variants), list(papers), print_marks, imprint, qr
    )
    out_dir = ctx.out_dir(out)
    if dry_run:
        from ..build.forecast import forecast

        rows = forecast(project, planned, out_dir, force)
        if fmt == "json":
            click.echo(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
            return
        for row in rows:
            click.echo(f"{row.state:10}  {row.path}  {row.key[:12]}".rstrip())
            for reason in row.reasons:
                click.echo(f"            {reason}")
        counts = {state: sum(r.state == state for r in rows) for state in STATES}
        click.echo(
            f"{len(rows)} job(s): {counts['to build']} to build, "
            f"{counts['up to date']} up to date, {counts['will fail']} will fail"
        )
        return
    progress = Progress(
        ctx.quiet, ctx.verbose, project.policy.limits.max_findings_per_file, project
    )
    runner = pool
    if executor == "dask":
        from ..build.cluster import DaskExecutor

        runner = DaskExecutor(scheduler)
    report = run_build(
        project,
        planned,
        out_dir,
        workers=jobs or default_workers(),
        force=force,
        allow_failing=allow_failing,
        progress=progress,
        executor=runner,
    )
    summary = {
        "built": report.count("built"),
        "skipped": report.count("skipped"),
        # PDFs of this build whose sheet is not approved (each carries the mark)
        "draft": sum(1 for r in report.results if r.draft and r.status != "failed"),
        "failing": report.count("failing"),
        "failed": report.count("failed"),
        "seconds": round(report.seconds, 2),
        "out": str(out_dir),
    }
    if fmt == "json":
        click.echo(
            json.dumps(
                summary
                | {
                    "jobs": [
                        {
                            "path": r.path,
                            "status": r.status,
                            "draft": r.draft,
                            "error": r.error,
                            "attempts": r.attempts,
                            "findings": [f.as_dict() for f in r.findings],
                        }
                        for r in report.results
                    ]
                },
                indent=2,
            )
        )
    else:
        failing = f", failing {summary['failing']} (published anyway)" if allow_failing else ""
        click.echo(
            f"built {summary['built']}, skipped {summary['skipped']} (unchanged), "
            f"failed {summary['failed']}{failing} in {summary['seconds']}s -> {out_dir}; "
            f"draft {summary['draft']} (not approved, marked on every page)"
        )
    if not report.ok:
        sys.exit(1)


@click.command()
@click.argument("slug")
@click.option("--lang", "-l", "lang", help="Language (default: the organisation's).")
@click.option("--variant", type=click.Choice(["standard", "large-print"]), default="standard")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@pass_ctx
def preview(ctx: Context, slug, lang, variant, out) -> None:
    """Rebuild one PDF whenever its sheet, blocks, brand or templates change.

    \b
    Example:
      factsheet preview metastatic-breast-cancer --lang es
      (open output/es/metastatic-breast-cancer.pdf in a viewer that reloads)
    """
    from ..build.preview import preview as run_preview
    from ..errors import FactsheetError as Failure

    root = ctx.root
    lang = lang or ctx.project().org.default_lang

    def report(result) -> None:
        if isinstance(result, Failure):
            click.echo(str(result), err=True)
            return
        for job in result.results:
            click.echo(f"{time.strftime('%H:%M:%S')} {job.status} {job.path}", err=True)
            for line in (job.error or "").splitlines():
                click.echo(f"  {line}", err=True)
            findings = [f for f in job.findings if not (job.error and f.rule == "sheet-invalid")]
            show_findings(findings, True, 20, "  ")
        click.echo("watching sheets/ and styles/ (Ctrl-C to stop)", err=True)

    try:
        run_preview(root, slug, lang, variant, ctx.out_dir(out), report)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
