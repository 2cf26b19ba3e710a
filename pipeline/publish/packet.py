"""`factsheet bundle`: several sheets bound as one tagged PDF (a packet).

A packet file (sheets/_packets/<name>.yaml) names a title, a language and the
sheets in order, and may ask for a cover and a table of contents. The packet is
ONE HTML document, so page numbers, bookmarks and the structure tree run across
it: each sheet is the "sheet" block of sheet.html.j2 (one copy of the sheet
markup) from a new page, with its own help block, disclaimer, review dates and
id, and its headings one level down (packet title H1, sheet titles H2, sections
H3), so headings never skip a level.

The gate checks every sheet on its own pages (checks.content.check_packet_content)
plus PDF/UA; a packet has no page limit. Packets are listed in
output/packets/manifest.json, not output/manifest.json: the catalog and
`factsheet check` read every entry there as one sheet.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .. import __version__
from ..checks import Finding, apply_policy, has_errors
from ..checks.content import check_packet_content
from ..checks.pdfua import check_pdfua
from ..errors import InputError
from ..gate import source_findings
from ..load import SLUG, Loader
from ..locale import direction
from ..model import Packet, Project, Sheet
from ..output import OutputFolder, atomic_write
from ..pdf import ReadPdf
from ..render import (
    Options,
    Rendered,
    page_rules,
    render_html_to_pdf,
    render_template,
    sheet_context,
)
from ..texts import sheet_texts
from .booklet import impose

MANIFEST = "packets/manifest.json"


@dataclass(frozen=True)
class LoadedPacket:
    name: str  # the file's stem: output/packets/<name>.pdf
    display: str  # the file, as shown in messages
    packet: Packet
    sheets: tuple[Sheet, ...]


def load_packet(project: Project, path: Path) -> LoadedPacket:
    """Read and check a packet file: every sheet exists in the packet's language."""
    loader = Loader(project.root)
    packet, lines = loader.load_packet(path)
    shown = loader.display(path)
    if not SLUG.match(path.stem):
        raise InputError(
            f"'{path.stem}' is not a packet name",
            shown,
            hint="name the file with lower-case letters, digits and hyphens",
        )
    if packet.lang not in project.blocks:
        raise InputError(
            f"no shared blocks for language '{packet.lang}'",
            shown,
            lines.get(("lang",)),
            hint=f"create sheets/_org/blocks/{packet.lang}.yaml",
        )
    sheets = []
    for index, slug in enumerate(packet.sheets):
        line = lines.get(("sheets", index), lines.get(("sheets",)))
        if slug not in project.slugs:
            close = difflib.get_close_matches(slug, project.slugs, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"sheets: {', '.join(project.slugs)}"
            raise InputError(f"no sheet '{slug}'", shown, line, hint=hint)
        if (slug, packet.lang) not in project.sheets:
            have = ", ".join(project.languages_of(slug))
            raise InputError(
                f"sheet '{slug}' has no '{packet.lang}' version",
                shown,
                line,
                hint=f"it exists in: {have}; translate it or leave it out",
            )
        sheets.append(project.sheet(slug, packet.lang))
    return LoadedPacket(path.stem, shown, packet, tuple(sheets))


# -- HTML and PDF ---------------------------------------------------------------------

_HEADING = re.compile(r"<(/?)h([1-5])\b")
_ID = re.compile(r'\b(id|aria-labelledby)="([^"]*)"')


def nest(html: str, anchor: str) -> str:
    """A sheet's HTML made to sit inside a packet: headings one level down, and
    ids prefixed with the sheet's anchor so they stay unique in one document.

    The HTML is ours (template plus Markdown renderer with raw HTML off), so
    tags are matched as written there.
    """
    html = _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", html)
    return _ID.sub(lambda m: f'{m[1]}="{anchor}-{m[2]}"', html)


def packet_html(project: Project, loaded: LoadedPacket) -> str:
    """The packet as one HTML document (styles/templates/packet.html.j2)."""
    packet = loaded.packet
    options = Options()
    sheets = []
    contexts = [sheet_context(project, sheet, options) for sheet in loaded.sheets]
    for sheet, context in zip(loaded.sheets, contexts, strict=True):
        anchor = f"sheet-{sheet.slug}"
        texts = sheet_texts(project, sheet)
        html = render_template(project, "sheet.html.j2", context, block="sheet")
        sheets.append(
            {
                "anchor": anchor,
                "title": texts.doc_title,
                "ident": texts.ident,
                "html": Markup(nest(html, anchor)),
            }
        )
    newest = max(sheet.front.reviewed for sheet in loaded.sheets).isoformat()
    first = contexts[0]
    context = {
        "lang": packet.lang,
        "dir": direction(packet.lang),
        "doc_title": packet.title,
        "description": "; ".join(item["title"] for item in sheets),
        "org": project.org,
        "brand": project.brand,
        "version": __version__,
        "created": newest,
        "modified": newest,
        "stylesheets": first["stylesheets"],
        "page_css": Markup(page_rules(project, packet.lang, options, "string(ident)")),
        "variant": options.variant,
        "paper": options.paper_for(project),
        "labels": project.blocks[packet.lang].labels,
        "logo_url": first["logo_url"],
        "cover": packet.cover,
        "toc": packet.toc,
        "sheets": sheets,
    }
    return render_template(project, "packet.html.j2", context)


def render_packet(project: Project, loaded: LoadedPacket) -> Rendered:
    """The packet to PDF/UA-1 bytes; the document info lists the sheets it binds."""
    metadata = {
        "FactsheetPacket": loaded.name,
        "FactsheetSheets": ", ".join(
            f"{sheet.front.id} {sheet.front.version}" for sheet in loaded.sheets
        ),
    }
    return render_html_to_pdf(packet_html(project, loaded), project, loaded.display, metadata)


def packet_findings(
    project: Project, loaded: LoadedPacket, data: bytes, path: str
) -> list[Finding]:
    """The gate for a packet: each sheet's required elements on its pages, and PDF/UA."""
    pdf = ReadPdf(data)
    packet = loaded.packet
    found = [
        *check_packet_content(pdf, project, packet.title, packet.lang, list(loaded.sheets), path),
        *check_pdfua(pdf, path),
    ]
    return apply_policy(found, project.policy, packet.lang)


# -- bundle: check, render, gate, publish -----------------------------------------------


@dataclass
class BundleResult:
    packet: LoadedPacket
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


def bundle(
    project: Project,
    path: Path,
    out_dir: Path,
    out_file: Path | None = None,
    booklet: bool = False,
) -> BundleResult:
    """Build a packet (and its booklet); publish only if every check passes.

    Default: output/packets/<name>.pdf (and <name>.booklet.pdf), written
    atomically, with an entry in output/packets/manifest.json. With
    ``out_file``: that file (and <file>.booklet.pdf beside it), no manifest.
    """
    loaded = load_packet(project, path)
    result = BundleResult(loaded)
    for sheet in loaded.sheets:
        result.findings.extend(source_findings(project, sheet))
    if not result.ok:
        return result
    rendered = render_packet(project, loaded)
    relpath = f"packets/{loaded.name}.pdf"
    shown = str(out_file) if out_file else relpath
    result.findings.extend(packet_findings(project, loaded, rendered.pdf, shown))
    result.pages = rendered.pages
    if not result.ok:
        return result
    imposed = impose(rendered.pdf, loaded.packet.title) if booklet else None
    if out_file is not None:
        result.written.append(atomic_write(out_file, rendered.pdf))
        if imposed is not None:
            result.written.append(atomic_write(out_file.with_suffix(".booklet.pdf"), imposed))
        return result
    booklet_path = f"packets/{loaded.name}.booklet.pdf"
    with OutputFolder(out_dir) as folder:
        result.written.append(folder.write(relpath, rendered.pdf))
        if imposed is not None:
            result.written.append(folder.write(booklet_path, imposed))
        entry = manifest_entry(loaded, relpath, rendered.pdf, rendered.pages)
        if imposed is not None:
            entry["booklet"] = {"path": booklet_path, **_file_facts(imposed)}
        entries = folder.manifest(MANIFEST, "packets")
        entries[entry["path"]] = entry
        folder.write_manifest(entries, f"factsheet {__version__}", MANIFEST, "packets")
    return result


def _file_facts(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def manifest_entry(loaded: LoadedPacket, relpath: str, data: bytes, pages: int) -> dict:
    return {
        "path": relpath,
        **_file_facts(data),
        "pages": pages,
        "packet": loaded.name,
        "title": loaded.packet.title,
        "lang": loaded.packet.lang,
        "sheets": [
            {
                "slug": sheet.slug,
                "sheet_id": sheet.front.id,
                "version": sheet.front.version,
                "status": sheet.front.status,
                "reviewed": sheet.front.reviewed.isoformat(),
                "next_review": sheet.front.next_review.isoformat(),
            }
            for sheet in loaded.sheets
        ],
        "booklet": None,
    }


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """Packet entries by path (empty when there is no packets manifest yet)."""
    return OutputFolder(out_dir).manifest(MANIFEST, "packets")
