"""QR codes on printed copies: a vector code to the sheet's online PDF."""

from __future__ import annotations

from markupsafe import Markup

from ..source.model import Project, Sheet


def publish_url(project: Project, lang: str, slug: str) -> str:
    """Where the sheet's PDF lives online (the same form as sheet: links)."""
    return f"{project.org.publish_base_url.rstrip('/')}/{lang}/{slug}.pdf"


def qr_context(project: Project, sheet: Sheet) -> dict:
    """A QR code to the online PDF, as inline vector SVG (no file, nothing to fetch).

    The alt text (label qr_alt) names the URL, which the caption also prints:
    a Figure's /Alt replaces its content for assistive technology.
    """
    import segno

    url = publish_url(project, sheet.lang, sheet.slug)
    alt = project.blocks[sheet.lang].labels.qr_alt.replace("{url}", url)
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(title=alt, omitsize=True, svgclass="qr-code", lineclass=None, border=4)
    # Line breaks only after a slash, and never a hyphen added inside the URL.
    url_html = Markup("/<wbr>").join(url.split("/"))
    return {"url": url, "url_html": url_html, "alt": alt, "svg": Markup(svg)}
