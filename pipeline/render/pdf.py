"""HTML -> PDF with WeasyPrint: sandboxed, tagged our way, every renderer error ours.

Rendering is a pure function of the loaded project, the sheet and the options:
no clock (dates come from the sheet), no network, no file outside the
project's sheets/ and styles/ folders (sandbox.py), so two builds of the same
input give the same bytes.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import RenderError
from ..source.clinics import IMPRINT_KEY
from ..source.model import Project, Sheet
from ..source.reviews import STATUS_KEY
from .fit import LEVELS, spills
from .fonts import font_config
from .fontsubset import finish as embed_bare_cff
from .html import sheet_html
from .options import BLEED_MM, PT_PER_MM, Options
from .sandbox import SandboxFetcher


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    html: str


def render_html_to_pdf(
    html: str,
    project: Project,
    where: str,
    metadata: dict[str, str] | None = None,
    post=None,
    tighter: Sequence[Callable[[], str]] = (),
    max_pages: int | None = None,
) -> Rendered:
    """WeasyPrint, sandboxed and with every renderer error turned into ours.

    ``tighter``: the same document set tighter (fit.py), tried in order when the
    layout spills onto a nearly empty last page or past ``max_pages``; the first
    that needs fewer pages is the one written.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .columns import install as install_columns
    from .fontsubset import install as install_font_subset
    from .hyphenation import install as install_hyphenation
    from .tagging import MissingLanguage
    from .tagging import install as install_tagging

    install_tagging()
    install_hyphenation()
    install_columns()
    install_font_subset()
    sandbox = SandboxFetcher(
        ((project.root / "sheets").resolve(), (project.root / "styles").resolve())
    )
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)

    def layout(text: str):
        text, stylesheets = cached_stylesheets(text, sandbox)
        return HTML(
            string=text,
            base_url=(project.root / "sheets").as_uri() + "/",
            url_fetcher=sandbox.make(),
        ).render(font_config=font_config(), pdf_variant="pdf/ua-1", stylesheets=stylesheets)

    try:
        document = layout(html)
        if tighter and spills(document, max_pages):
            for make in tighter:
                candidate_html = make()
                candidate = layout(candidate_html)
                if len(candidate.pages) < len(document.pages):
                    html, document = candidate_html, candidate
                    break
        for key, value in (metadata or {}).items():
            document.metadata.custom[key] = value
        output = io.BytesIO()
        document.write_pdf(
            output,
            pdf_variant="pdf/ua-1",
            custom_metadata=True,
            pdf_identifier=b"factsheet",
            finisher=_with_art_boxes(post),
        )
    except RecursionError:
        # The limits (max_markup_depth, max_svg_depth) keep sheets well below this;
        # only a policy that raised them this far gets here.
        raise RenderError(
            "the renderer ran out of stack: markup or an SVG nests too deeply",
            where,
            hint="lower limits.max_markup_depth and limits.max_svg_depth in policy.yaml",
        ) from None
    except MissingLanguage:
        raise RenderError(
            "the document has no language",
            where,
            hint='the template\'s <html> element needs lang="{{ lang }}"',
        ) from None
    except FatalURLFetchingError:
        url = (sandbox.refused or ["a resource"])[-1]
        path, line = _referrer(project, url) or (where, None)
        raise RenderError(
            f"the sandbox refused to fetch {url}",
            path,
            line,
            hint="sheets and styles may only use files inside the project's sheets/ and styles/",
        ) from None
    finally:
        logger.removeHandler(collect)
    missing = sorted({cp for font in document.fonts.values() for cp in font.missing})
    if missing:
        shown = ", ".join(f"'{chr(cp)}' U+{cp:04X}" for cp in missing[:10])
        raise RenderError(
            f"no installed font has a glyph for {shown}",
            where,
            hint="install a font covering these characters and add it to the brand's fonts",
        )
    if collect.messages:
        raise RenderError(f"renderer: {collect.messages[0]}", where)
    return Rendered(output.getvalue(), len(document.pages), html)


_STYLE = re.compile(
    r'<link rel="stylesheet" href="(?P<link>file://[^"]+\.css)">|<style>(?P<style>[^<]*)</style>'
)


def cached_stylesheets(html: str, sandbox: SandboxFetcher) -> tuple[str, list]:
    """The brand's stylesheets parsed once per process, not once per sheet.

    Parsing the brand's CSS was a fifth of a warm render. The document's
    stylesheets (``<link rel="stylesheet">`` to a local CSS file, parsed once
    and cached by path, size and modification time, and ``<style>`` elements,
    parsed each time: they hold what depends on the sheet) are taken out of
    the HTML and given to WeasyPrint, in the same order, as user stylesheets.
    All of them change origin together, so they cascade among themselves as
    they did (CSS Cascade 4, 6.1: order and specificity within one origin),
    and still above WeasyPrint's own defaults.
    """
    from weasyprint import CSS

    sheets = []
    for match in _STYLE.finditer(html):
        if match["style"] is not None:
            sheets.append(CSS(string=match["style"], font_config=font_config()))
            continue
        path = sandbox.resolve(match["link"])
        if path is None:
            return html, []  # WeasyPrint asks the sandbox, which refuses it by name
        stat = Path(path).stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in _STYLESHEETS:
            if len(_STYLESHEETS) > 32:
                _STYLESHEETS.clear()
            _STYLESHEETS[key] = CSS(
                filename=str(path), url_fetcher=sandbox.make(), font_config=font_config()
            )
        sheets.append(_STYLESHEETS[key])
    return _STYLE.sub("", html), sheets


_STYLESHEETS: dict[tuple[str, int, int], object] = {}


def _referrer(project: Project, url: str) -> tuple[str, int] | None:
    """The style file and line that name a refused URL, so the error points at the cause.

    WeasyPrint does not tell the fetcher who asked; sheet images are checked when
    loading, so a refused URL comes from the brand's CSS or a template.
    """
    name = Path(unquote(urlsplit(url).path)).name
    files = sorted(project.brand_dir.rglob("*.css")) + sorted(
        (project.root / "styles").rglob("*.j2")
    )
    for needle in (url, name):
        for path in files:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, text in enumerate(lines, 1):
                if needle and needle in text:
                    return str(path.relative_to(project.root)), number
    return None


def _with_art_boxes(post):
    """A finisher that records each page's content area as its /ArtBox, then runs ``post``."""

    def finish(document, pdf) -> None:
        set_art_boxes(document, pdf)
        embed_bare_cff(document, pdf)
        if post is not None:
            post(document, pdf)

    return finish


def set_art_boxes(document, pdf) -> None:
    """WeasyPrint finisher: ArtBox = the @page content area (ISO 32000-1 14.11.2, "the
    extent of the page's meaningful content"), so the gate can prove from the file
    that text is drawn inside it (checks/visible.py)."""
    import pydyf

    pages = [
        obj
        for obj in pdf.objects
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj
    ]
    px = 0.75  # CSS px -> PDF points
    for obj, page in zip(pages, document.pages, strict=False):
        box = page._page_box  # WeasyPrint 70: the laid-out @page box
        left = box.margin_left + box.border_left_width + box.padding_left
        right = box.margin_right + box.border_right_width + box.padding_right
        top = box.margin_top + box.border_top_width + box.padding_top
        bottom = box.margin_bottom + box.border_bottom_width + box.padding_bottom
        x0, y0, x1, y1 = obj["TrimBox"]
        obj["ArtBox"] = pydyf.Array(
            [x0 + left * px, y0 + bottom * px, x1 - right * px, y1 - top * px]
        )


def set_bleed_boxes(document, pdf) -> None:
    """WeasyPrint finisher: BleedBox = TrimBox + BLEED_MM on every side.

    WeasyPrint puts the BleedBox up to 10 pt outside the trim, whatever the CSS
    bleed; the print shop needs the artwork's real bleed, not the room for marks.
    """
    import pydyf

    bleed = BLEED_MM * PT_PER_MM
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            left, top, right, bottom = obj["TrimBox"]
            box = [left - bleed, top - bleed, right + bleed, bottom + bleed]
            obj["BleedBox"] = pydyf.Array(box)


def render_sheet(
    project: Project, sheet: Sheet, options: Options, extra: dict | None = None
) -> Rendered:
    """One sheet to PDF bytes.

    An imprinted copy names its clinic in the document info, so the gate (which
    reads only the file) knows to require the clinic's numbers and hours too.
    """
    html = sheet_html(project, sheet, options, extra)
    metadata = {
        "FactsheetId": sheet.front.id,
        "FactsheetVersion": sheet.front.version,
        # draft, in-review, machine-translated or approved: what the catalog and
        # the gate read back (a draft also shows its mark on every page).
        STATUS_KEY: sheet.front.status,
    }
    if options.imprint:
        metadata[IMPRINT_KEY] = options.imprint
    post = set_bleed_boxes if options.print_marks else None
    tighter = [
        (lambda level=level: sheet_html(project, sheet, options, {**(extra or {}), "fit": level}))
        for level in LEVELS
    ]
    return render_html_to_pdf(
        html, project, sheet.display, metadata, post, tighter, page_limit(project, sheet, options)
    )


def page_limit(project: Project, sheet: Sheet, options: Options) -> int:
    """The pages the policy allows this copy (pdf-pages checks the same number)."""
    policy = project.policy
    if options.variant == "large-print":
        limit = policy.max_pages_large_print
    else:
        limit = policy.max_pages_for(sheet.lang)
    return limit + (policy.imprint_extra_pages if options.imprint else 0)
