"""A packet as ONE HTML document, so page numbers, bookmarks and the structure tree
run across it: each sheet is the "sheet" block of sheet.html.j2 (one copy of the
sheet markup) from a new page, with its own help block, disclaimer, review dates
and id, and its headings one level down (packet title H1, sheet titles H2,
sections H3), so headings never skip a level.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from .. import __version__
from ..source.cldr import direction
from ..source.model import Project
from ..source.packets import LoadedPacket
from ..source.texts import sheet_texts
from .html import page_rules, render_template, sheet_context
from .options import Options
from .pdf import Rendered, render_html_to_pdf

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
