"""`factsheet site` and `factsheet bundle`: what clinics and print shops get."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .context import Context, pass_ctx


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder holding manifest.json (default output/).",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also copy exactly the public files (pages, feed, their PDFs) to this folder, to upload.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Summary format."
)
@pass_ctx
def site(ctx: Context, out, export_dir, fmt) -> None:
    """Write the clinics' catalog and Atom feed from output/manifest.json.

    \b
    index.html             every public sheet: languages, versions, review dates, downloads
    site/LANG.html         the sheets in one language, written in that language
    site/sheets/           one page per sheet and language
    site/clinics/ID.html   one clinic's imprinted sheets
    feed.xml               an Atom entry per sheet version and language, earlier ones kept
    \b
    What is public comes from policy.yaml's publish: section; print-shop copies,
    papers or variants not listed, drafts (by default) and imprints of clinics
    not listed stay internal. -v lists each internal PDF and why.
    \b
    Examples:
      factsheet build && factsheet site
      factsheet site --export public/  # then upload public/ to publish_base_url
      factsheet site --format json     # what is public, what is internal and why
    """
    from ..publish.rules import CATALOG, CLINIC, INTERNAL
    from ..publish.site import write_site

    out_dir = ctx.out_dir(out)
    report = write_site(ctx.root, out_dir)
    for warning in report.warnings:
        click.echo(warning, err=True)
    exported = None
    if export_dir is not None:
        from ..publish.export import export_site

        exported = export_site(out_dir, report.written, report.placements, export_dir)
    if fmt == "json":
        rows = [
            {"path": p.pdf.path, "where": p.where, "reason": p.reason or None}
            for p in report.placements
        ]
        summary = {"written": report.written, "pdfs": rows}
        if export_dir is not None:
            summary["export"] = {"folder": str(export_dir), "files": exported}
        click.echo(json.dumps(summary, indent=2))
        return
    if ctx.verbose:
        for path in report.written:
            click.echo(f"wrote {path}", err=True)
        for placement in report.where(INTERNAL):
            click.echo(f"internal: {placement.pdf.path}: {placement.reason}", err=True)
    counts = {kind: len(report.where(kind)) for kind in (CATALOG, CLINIC, INTERNAL)}
    if not counts[CATALOG]:
        click.echo(
            "warning: no PDF is public, so the catalog lists no sheet "
            "(hint: `factsheet site -v` says why each PDF stays internal)",
            err=True,
        )
    click.echo(
        f"catalog: {out_dir / 'index.html'} ({counts[CATALOG]} public PDFs, "
        f"{counts[CLINIC]} on clinic pages, {counts[INTERNAL]} internal), "
        f"feed: {out_dir / 'feed.xml'}"
    )
    if export_dir is not None:
        click.echo(f"export: {export_dir.resolve()} ({exported} files, the public ones only)")


@click.command(name="bundle")
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
    from ..errors import printable
    from ..publish.packet import bundle
    from .build import show_findings

    project = ctx.project()
    result = bundle(project, packet, ctx.out_dir(None), out, booklet)
    show_findings(result.findings, ctx.verbose, project.policy.limits.max_findings_per_file)
    if not result.ok:
        click.echo(
            f"{printable(result.packet.display)}: packet not written: it fails the checks", err=True
        )
        sys.exit(1)
    for path in result.written:
        click.echo(f"wrote {path}")
    if not ctx.quiet:
        click.echo(f"{len(result.packet.sheets)} sheets, {result.pages} pages", err=True)
