"""`factsheet build` and `factsheet preview`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .context import Context, pass_ctx

EPILOG_BUILD = """\b
Examples:
  factsheet build                                  # the whole catalog
  factsheet build metastatic-breast-cancer --lang es
  factsheet build --variant large-print --paper a4
  factsheet build --dry-run                        # show the plan, build nothing
  factsheet build --executor dask --scheduler tcp://10.0.0.5:8786
"""


class Progress:
    """One updating line on a terminal (done / running / queued); plain lines otherwise."""

    def __init__(self, quiet: bool, verbose: bool, limit: int = 20) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.limit = limit  # findings printed per file (limits.max_findings_per_file)
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.last = ""

    def __call__(self, result, tally) -> None:
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
            if result.error:
                click.echo(f"  {result.error}", err=True)
            show_findings(result.findings, self.verbose, self.limit, "  ")


def show_findings(findings, verbose: bool, limit: int, indent: str = "") -> None:
    """Errors (and with ``verbose`` warnings too) on stderr, at most ``limit`` per file."""
    from ..checks.report import capped, finding_line, more_line

    chosen = [item for item in findings if item.severity == "error" or verbose]
    shown, more = capped(chosen, limit)
    for item in shown:
        click.echo(indent + finding_line(item), err=True)
    for path, count in more.items():
        click.echo(indent + more_line(path, count), err=True)

    def _line(self, tally, last: str) -> str:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / tally.done * (tally.total - tally.done) if tally.done else 0
        return (
            f"[{tally.done}/{tally.total}] {last + '  ' if last else ''}"
            f"running {len(tally.running)}, queued {tally.queued}  ETA {eta:4.0f}s"
        )


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
    "--dry-run", is_flag=True, help="Show the plan and what is up to date; build nothing."
)
@click.option(
    "--allow-failing",
    is_flag=True,
    help="Publish PDFs that fail the gate, with a visible DRAFT band.",
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
    from ..build.engine import build as run_build
    from ..build.engine import default_workers
    from ..build.keys import job_key
    from ..build.output import OutputFolder
    from ..build.plan import plan

    click_ctx = click.get_current_context()
    if executor == "dask" and not scheduler:
        raise click.UsageError(
            "--executor dask needs --scheduler tcp://HOST:PORT (or FACTSHEET_SCHEDULER)"
        )
    if executor == "local" and click_ctx.get_parameter_source("scheduler").name == "COMMANDLINE":
        raise click.UsageError("--scheduler is for --executor dask")
    if executor == "dask" and jobs:
        raise click.UsageError("--jobs sets local processes; a Dask cluster has its workers")
    project = ctx.project()
    if imprint:
        from ..source.clinics import load_clinic

        load_clinic(project, imprint)
    planned = plan(
        project, list(slugs), list(langs), list(variants), list(papers), print_marks, imprint, qr
    )
    out_dir = ctx.out_dir(out)
    if dry_run:
        folder = OutputFolder(out_dir)
        rows = []
        for job in planned:
            key = job_key(project, project.sheet(job.slug, job.lang), job)
            cached = folder.cached(key)
            rows.append(
                {
                    "path": job.relpath(project.org.default_paper),
                    "job": job.label,
                    "up_to_date": bool(cached),
                    "key": key[:12],
                }
            )
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
        else:
            for row in rows:
                state = "up to date" if row["up_to_date"] else "to build"
                click.echo(f"{state:10}  {row['path']}  {row['key']}")
            click.echo(f"{len(rows)} job(s), {sum(not r['up_to_date'] for r in rows)} to build")
        return
    progress = Progress(ctx.quiet, ctx.verbose, project.policy.limits.max_findings_per_file)
    runner = None
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
        "draft": report.count("draft"),
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
        click.echo(
            f"built {summary['built']}, skipped {summary['skipped']} (unchanged), "
            f"draft {summary['draft']}, failed {summary['failed']} in {summary['seconds']}s "
            f"-> {out_dir}"
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
            if job.error:
                click.echo(f"  {job.error}", err=True)
            show_findings(job.findings, True, 20, "  ")
        click.echo("watching sheets/ and styles/ (Ctrl-C to stop)", err=True)

    try:
        run_preview(root, slug, lang, variant, ctx.out_dir(out), report)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
