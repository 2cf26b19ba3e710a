"""`factsheet translate export|import|status`: the translator round trip."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .context import Context, pass_ctx, report_broken, table


@click.group()
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
    from ..translate.export import export

    data = export(ctx.project(), slug, lang, fmt)
    if out:
        from ..source.atomic import STATE, write_files

        write_files({out.resolve(): data}, ctx.root / "output" / STATE)
        click.echo(f"wrote {out}", err=True)
    else:
        sys.stdout.buffer.write(data)


@translate.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    help="The language the file is in, when its own header is wrong (BCP 47, e.g. fr).",
)
@click.option(
    "--replace",
    "replace_approved",
    is_flag=True,
    help="Replace an approved translation or approved shared blocks (as a draft).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes; write nothing.")
@pass_ctx
def translate_import(ctx: Context, file: Path, lang, replace_approved, dry_run) -> None:
    """Import a translated XLIFF, PO or Markdown file; writes sheets/SLUG/LANG.md as a draft.

    Refuses, listing every problem with its unit and lines, when a unit is
    untranslated, not confirmed, machine-translated and not reviewed, made from
    an older source, has broken placeholders, or the result fails a translation
    check. Never replaces an approved translation without --replace; the
    changes are shown unit by unit first.

    \b
    Examples:
      factsheet translate import mbc.vi.xlf
      factsheet translate import mbc.fr.po --lang fr     # Poedit wrote another language
      factsheet translate import mbc.es.xlf --dry-run    # show what would change
      factsheet translate import vi.md                   # a translated Markdown sheet
    """
    from ..errors import printable
    from ..translate.importer import TranslationRejected, import_file

    try:
        result = import_file(ctx.project(), file, lang, replace_approved, dry_run)
    except TranslationRejected as error:
        # Already one line each and capped at limits.max_findings_per_file by the importer.
        for problem in error.problems:
            click.echo(printable(problem), err=True)
        raise
    for line in result.diff:
        click.echo(line, err=True)
    if dry_run:
        click.echo(f"dry run: {file} is ready to import into '{result.lang}'; nothing written")
    for path in result.written:
        click.echo(f"wrote {path}")


@translate.command(name="status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def translate_status(ctx: Context, fmt) -> None:
    """Sheet x language matrix: current, stale (n units), missing, draft, approved.

    A sheet that cannot be read shows as unreadable (its translations: source
    unreadable); its errors follow on stderr and the exit code is 1.

    \b
    Examples:
      factsheet translate status
      factsheet translate status --format json
    """
    from ..translate.state import languages, matrix

    project = ctx.project()
    rows = matrix(project)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        langs = languages(project)
        click.echo(
            table(
                [[slug, *[rows[slug][lang] for lang in langs]] for slug in rows],
                ["SHEET", *langs],
            )
        )
    report_broken(project)
