"""The `factsheet` command: thin Click commands, no logic beyond arguments and output.

Exit codes: 0 success, 1 bad input or failed checks, 2 usage error (Click).
Results go to stdout, diagnostics and progress to stderr.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import FactsheetError

EPILOG_BUILD = """\b
Examples:
  factsheet build                                  # the whole catalog
  factsheet build metastatic-breast-cancer --lang es
  factsheet build --variant large-print --paper a4
  factsheet build --dry-run                        # show the plan, build nothing
"""


class Context:
    def __init__(self, project_dir: Path | None, quiet: bool, verbose: bool) -> None:
        self.project_dir = project_dir
        self.quiet = quiet
        self.verbose = verbose
        self._project = None

    @property
    def root(self) -> Path:
        from .load import find_root

        return find_root(self.project_dir)

    def project(self):
        if self._project is None:
            from .load import load_project

            self._project = load_project(self.root)
        return self._project

    def out_dir(self, out: Path | None) -> Path:
        return (out or self.root / "output").resolve()


pass_ctx = click.make_pass_decorator(Context)


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
    except click.exceptions.Abort:
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


# -- build ----------------------------------------------------------------------


class Progress:
    """One updating line on a terminal; plain lines otherwise."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()

    def __call__(self, result, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (total - done) if done else 0
        failed = result.status == "failed"
        if self.tty and not self.verbose:
            line = f"[{done}/{total}] {result.status:7} {result.job.label}  ETA {eta:4.0f}s"
            click.echo("\r\033[K" + line, err=True, nl=done == total)
        elif self.verbose or failed or (not self.quiet and result.status != "skipped"):
            took = f" {result.seconds:.2f}s" if result.seconds else ""
            click.echo(f"[{done}/{total}] {result.status} {result.path}{took}", err=True)
        if failed or self.verbose:
            if self.tty and not self.verbose:
                click.echo("", err=True)
            if result.error:
                click.echo(f"  {result.error}", err=True)
            for item in result.findings:
                if item.severity == "error" or self.verbose:
                    click.echo(
                        f"  {item.location}: {item.severity}: {item.message} [{item.rule}]",
                        err=True,
                    )


@cli.command(epilog=EPILOG_BUILD)
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
    force,
    dry_run,
    allow_failing,
    fmt,
) -> None:
    """Build PDFs: every sheet, or the SLUGs given, in every language."""
    from .build import build as run_build
    from .build import default_workers
    from .jobs import job_key, plan
    from .output import OutputFolder

    project = ctx.project()
    if imprint:
        from .imprint import load_clinic

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
    progress = Progress(ctx.quiet, ctx.verbose)
    report = run_build(
        project,
        planned,
        out_dir,
        workers=jobs or default_workers(),
        force=force,
        allow_failing=allow_failing,
        progress=progress,
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


# -- check ----------------------------------------------------------------------


@cli.command()
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
    A PATH may be a sheet file (.md), a sheet folder or a PDF.
    \b
    Examples:
      factsheet check
      factsheet check sheets/metastatic-breast-cancer/es.md
      factsheet check output/en/metastatic-breast-cancer.pdf --format json
      factsheet check --format junit > report.xml
    """
    from .audit import run_checks
    from .checks import has_errors
    from .report import as_json, as_junit, as_text, use_colour

    project = ctx.project()
    findings, checked = run_checks(project, list(paths), ctx.out_dir(out), include_pdfs=not no_pdf)
    if fmt == "json":
        click.echo(as_json(findings, checked))
    elif fmt == "junit":
        click.echo(as_junit(findings, checked, strict))
    else:
        click.echo(as_text(findings, use_colour(), len(checked)))
    if has_errors(findings, strict):
        sys.exit(1)


# -- list, status -----------------------------------------------------------------


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def _emit(rows: list[dict], fmt: str, columns: list[str]) -> None:
    """Rows as JSON, or as a table of the given columns (headers from the keys)."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    header = [column.replace("_", " ").upper() for column in columns]
    click.echo(_table([[str(row[c]) for c in columns] for row in rows], header))


@cli.command(name="list")
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
    _emit(
        rows, fmt, ["slug", "lang", "id", "version", "status", "reviewed", "next_review", "title"]
    )


@cli.command()
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
    from .checks.source import today
    from .translation_state import translation_state

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
    _emit(rows, fmt, [*columns, "translation"])


# -- doctor, new ------------------------------------------------------------------


@cli.command()
@pass_ctx
def doctor(ctx: Context) -> None:
    """Check the renderer: WeasyPrint, Pango, HarfBuzz subsetting, fonts per language.

    Exits 1 when something blocks rendering (no Pango >= 1.44, a configured
    language without a font).

    \b
    Example:
      factsheet doctor
    """
    from .doctor import diagnose

    try:
        project = ctx.project()
    except FactsheetError as error:
        click.echo(f"note: no project loaded ({error})", err=True)
        project = None
    lines = diagnose(project)
    for line in lines:
        mark = "ok " if line.ok else ("ERR" if line.blocker else "warn")
        click.echo(f"[{mark}] {line.label}: {line.value}")
    if any(line.blocker for line in lines):
        sys.exit(1)


@cli.command()
@click.argument("slug")
@click.option("--title", default="New Fact Sheet", help="The sheet's title.")
@click.option("--series", default=None, help="The series it belongs to.")
@click.option("--id", "sheet_id", default=None, help="Sheet id (default: derived from the slug).")
@pass_ctx
def new(ctx: Context, slug, title, series, sheet_id) -> None:
    """Scaffold a valid sheet at sheets/SLUG/<default language>.md.

    \b
    Example:
      factsheet new bone-metastases --title "Bone Metastases" --series "Metastatic Breast Cancer"
    """
    from .scaffold import scaffold

    path = scaffold(ctx.project(), slug, title, series, sheet_id)
    click.echo(f"created {path}")


# -- translate --------------------------------------------------------------------


@cli.group()
def translate() -> None:
    """Translator round trip: export, import, status.

    \b
    Examples:
      factsheet translate export metastatic-breast-cancer --to vi --out mbc.vi.xlf
      factsheet translate export metastatic-breast-cancer --to vi --format po
      factsheet translate import mbc.vi.xlf
      factsheet translate status
    """


@translate.command(name="export")
@click.argument("slug")
@click.option("--to", "lang", required=True, help="Target language (BCP 47, e.g. es, zh-Hans).")
@click.option("--format", "fmt", type=click.Choice(["xliff", "po"]), default="xliff")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout)."
)
@pass_ctx
def translate_export(ctx: Context, slug, lang, fmt, out) -> None:
    """Export SLUG's source units (and shared blocks) for a translation tool.

    \b
    Examples:
      factsheet translate export metastatic-breast-cancer --to vi --out mbc.vi.xlf
      factsheet translate export metastatic-breast-cancer --to vi --format po > mbc.vi.po
    """
    from .translate import export

    data = export(ctx.project(), slug, lang, fmt)
    if out:
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)
    else:
        sys.stdout.buffer.write(data)


@translate.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def translate_import(ctx: Context, file: Path) -> None:
    """Import a translated XLIFF or PO file; writes sheets/SLUG/LANG.md as a draft.

    Refuses, listing every problem, when a unit is untranslated, fuzzy, empty,
    has broken placeholders, or the result fails a translation check.

    \b
    Examples:
      factsheet translate import mbc.vi.xlf
      factsheet translate import vi.md        # a translated Markdown sheet
    """
    from .translate import TranslationRejected, import_file

    try:
        written = import_file(ctx.project(), file)
    except TranslationRejected as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise
    for path in written:
        click.echo(f"wrote {path}")


@translate.command(name="status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def translate_status(ctx: Context, fmt) -> None:
    """Sheet x language matrix: current, stale (n units), missing, draft, approved.

    \b
    Examples:
      factsheet translate status
      factsheet translate status --format json
    """
    from .translation_state import matrix

    project = ctx.project()
    rows = matrix(project)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    langs = project.org.languages
    click.echo(
        _table([[slug, *[rows[slug][lang] for lang in langs]] for slug in rows], ["SHEET", *langs])
    )


# -- site -------------------------------------------------------------------------


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder holding manifest.json (default output/).",
)
@pass_ctx
def site(ctx: Context, out) -> None:
    """Write the clinics' catalog and Atom feed from output/manifest.json.

    \b
    index.html      every sheet, its languages, versions, review dates, downloads
    site/LANG.html  the sheets in one language, written in that language
    site/sheets/    one page per sheet
    feed.xml        an Atom entry per published version, earlier ones kept
    \b
    Examples:
      factsheet build && factsheet site
      factsheet site --out public/
    """
    from .publish.site import write_site

    out_dir = ctx.out_dir(out)
    written = write_site(ctx.root, out_dir)
    if not ctx.quiet:
        for path in written:
            click.echo(f"wrote {path}", err=True)
    click.echo(f"catalog: {out_dir / 'index.html'}, feed: {out_dir / 'feed.xml'}")


@cli.command()
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
    from .errors import FactsheetError as Failure
    from .preview import preview as run_preview

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
            for item in job.findings:
                click.echo(
                    f"  {item.location}: {item.severity}: {item.message} [{item.rule}]", err=True
                )
        click.echo("watching sheets/ and styles/ (Ctrl-C to stop)", err=True)

    try:
        run_preview(root, slug, lang, variant, ctx.out_dir(out), report)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


# -- bundle -----------------------------------------------------------------------


@cli.command(name="bundle")
@click.argument("packet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the packet to this file (default output/packets/<name>.pdf).",
)
@click.option(
    "--booklet",
    is_flag=True,
    help="Also write a 2-up saddle-stitch imposition (<name>.booklet.pdf) for the print shop.",
)
@pass_ctx
def bundle_command(ctx: Context, packet: Path, out: Path | None, booklet: bool) -> None:
    """Bind several sheets into one tagged PDF: a packet with cover and contents.

    \b
    PACKET is a YAML file: title, lang, sheets (slugs, in order), and
    optionally cover: true and toc: true.
    \b
    Examples:
      factsheet bundle sheets/_packets/newly-diagnosed.yaml
      factsheet bundle sheets/_packets/newly-diagnosed.yaml --booklet
      factsheet bundle sheets/_packets/newly-diagnosed.yaml --out ~/newly-diagnosed.pdf
    """
    from .publish.packet import bundle

    project = ctx.project()
    result = bundle(project, packet, ctx.out_dir(None), out, booklet)
    for item in result.findings:
        if item.severity == "error" or ctx.verbose:
            click.echo(f"{item.location}: {item.severity}: {item.message} [{item.rule}]", err=True)
    if not result.ok:
        click.echo(f"{result.packet.display}: packet not written: it fails the checks", err=True)
        sys.exit(1)
    for path in result.written:
        click.echo(f"wrote {path}")
    if not ctx.quiet:
        click.echo(f"{len(result.packet.sheets)} sheets, {result.pages} pages", err=True)
