"""Model -> HTML (Jinja2 + styles/) -> PDF (WeasyPrint), inside a sandbox.

Rendering is a pure function of the loaded project, the sheet and the options:
no clock (dates come from the sheet), no network, no file outside the
project's sheets/ and styles/ folders (SandboxFetcher), so two builds of the
same input give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import __version__
from .errors import InputError, RenderError
from .imprint import IMPRINT_KEY, imprint_context, load_clinic
from .locale import direction, script_of
from .model import Project, Sheet
from .texts import sheet_texts

VARIANTS = ("standard", "large-print")
PAPERS = {"letter": "letter", "a4": "A4"}

#: Print-shop geometry. The artwork runs 3 mm past the trim (the PDF's BleedBox);
#: the media reaches further, so WeasyPrint's crop marks (drawn from the media
#: edge inwards, half the CSS bleed long: here from 10 to 5 mm outside the trim)
#: stay clear of the bleed and are not painted over by the header band.
BLEED_MM = 3.0
MARKS_MM = 10.0
_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Options:
    """What a build job varies besides the sheet itself."""

    variant: str = "standard"
    paper: str | None = None  # None: the organisation's default
    draft_band: bool = False
    print_marks: bool = False
    imprint: str | None = None
    qr: bool = False

    def paper_for(self, project: Project) -> str:
        return self.paper or project.org.default_paper


# -- the sandbox --------------------------------------------------------------


@dataclass
class SandboxFetcher:
    """A WeasyPrint URL fetcher that only serves files under the allowed folders."""

    allowed: tuple[Path, ...]
    refused: list[str] = field(default_factory=list)

    def make(self):
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        sandbox = self

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                path = sandbox.resolve(url)
                if path is None:
                    sandbox.refused.append(url)
                    raise ValueError(f"refused by the sandbox: {url}")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": mime}, 200
                )

        return _Fetcher(fail_on_errors=True)

    def resolve(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            return None
        return path if path.is_file() else None


# -- HTML ---------------------------------------------------------------------


@lru_cache(maxsize=8)
def _environment(styles_dir: Path, brand_dir: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(brand_dir / "templates")),
                FileSystemLoader(str(styles_dir / "templates")),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def css_string(text: str) -> str:
    """A CSS string literal (CSS Syntax 3, 4.3.5): quotes, backslashes, newlines escaped."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in "\n\r\f" or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def page_label_css(label: str) -> str:
    """'Page {page} of {pages}' -> '"Page " counter(page) " of " counter(pages)'."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    parts = re.split(r"(\{pages?\})", label)
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)


def font_stack(project: Project, lang: str) -> list[str]:
    fonts = project.brand.fonts
    stack = list(fonts.get(script_of(lang), [])) + list(fonts["default"])
    return list(dict.fromkeys(stack))


def page_css(project: Project, sheet: Sheet, options: Options) -> str:
    """Rules that depend on the sheet: page size, running footer, fonts, brand tokens."""
    ident = css_string(sheet_texts(project, sheet).ident)
    return page_rules(project, sheet.lang, options, ident)


def page_rules(project: Project, lang: str, options: Options, footer_left: str) -> str:
    """Page size, bleed and marks, brand tokens and the running footer.

    ``footer_left`` is CSS content for the bottom-left box (a sheet's id, or
    string(ident) in a packet). On print-shop copies the footer sits at the top
    of the bottom margin, so it stays at least 1/4 in inside the trim.
    """
    labels = project.blocks[lang].labels
    brand = project.brand
    large = options.variant == "large-print"
    size = brand.large_print_body_size_pt if large else brand.body_size_pt
    footer_size = size if large else 9
    fonts = ", ".join(css_string(f) for f in font_stack(project, lang))
    tokens = "".join(f"--color-{name}: {value}; " for name, value in sorted(brand.colors.items()))
    paper = PAPERS[options.paper_for(project)]
    marks = align = ""
    if options.print_marks:
        marks = f"bleed: {MARKS_MM:g}mm; marks: crop;"
        align = " vertical-align: top;"
    return (
        f":root {{ {tokens}--font-body: {fonts}; --body-size: {size}pt; }}\n"
        f"@page {{ size: {paper}; {marks}\n"
        f"  @bottom-left {{ content: {footer_left};"
        f" font-family: {fonts}; font-size: {footer_size}pt;{align} }}\n"
        f"  @bottom-right {{ content: {page_label_css(labels.page)};"
        f" font-family: {fonts}; font-size: {footer_size}pt;{align} }}\n"
        "}\n"
    )


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


def template(project: Project, name: str):
    """A template of the project's brand (its own templates/ first, then styles/templates/)."""
    return _environment(project.root / "styles", project.brand_dir).get_template(name)


def sheet_context(
    project: Project, sheet: Sheet, options: Options, extra: dict | None = None
) -> dict:
    """What sheet.html.j2 needs to print one sheet (also used for each sheet of a packet)."""
    if sheet.lang not in project.blocks:
        raise InputError(
            f"no shared blocks for language '{sheet.lang}'",
            sheet.display,
            sheet.line_of("lang"),
            hint=f"create sheets/_org/blocks/{sheet.lang}.yaml",
        )
    bodies = project.block_bodies[sheet.lang]
    labels = project.blocks[sheet.lang].labels
    clinic = imprint = None
    if options.imprint:
        clinic = load_clinic(project, options.imprint)
    texts = sheet_texts(project, sheet, clinic)
    if clinic is not None:
        imprint = imprint_context(project, options.imprint, clinic, texts.clinic_channels)
    front = sheet.front
    stylesheets = [path.as_uri() for path in sorted(project.brand_dir.glob("*.css"))]
    context = {
        "lang": sheet.lang,
        "dir": direction(sheet.lang),
        "doc_title": texts.doc_title,
        "org": project.org,
        "brand": project.brand,
        "front": front,
        # The organisation's own texts (the trademark line) stay in its language.
        "org_lang": project.org.default_lang,
        "org_dir": direction(project.org.default_lang),
        "keywords": ", ".join(front.keywords),
        "version": __version__,
        "created": front.reviewed.isoformat(),
        "modified": front.reviewed.isoformat(),
        "stylesheets": stylesheets,
        "page_css": Markup(page_css(project, sheet, options)),
        "variant": options.variant,
        "paper": options.paper_for(project),
        "draft": options.draft_band,
        "print_marks": options.print_marks,
        "labels": labels,
        "logo_url": (project.brand_dir / project.brand.logo).as_uri(),
        "body_html": Markup(sheet.body.html),
        "blocks": {name: Markup(value) for name, value in bodies.items()},
        "channels": texts.channels,
        "reviewed": texts.reviewed,
        "next_review": texts.next_review,
        "ident": texts.ident,
        "imprint": imprint,
        "qr": qr_context(project, sheet) if options.qr else None,
    }
    context.update(extra or {})
    return context


def sheet_html(project: Project, sheet: Sheet, options: Options, extra: dict | None = None) -> str:
    """The HTML of one sheet, ready for WeasyPrint."""
    return render_template(project, "sheet.html.j2", sheet_context(project, sheet, options, extra))


def render_template(project: Project, name: str, context: dict, block: str | None = None) -> str:
    """Render a template, or only one of its blocks (a packet takes the "sheet"
    block of sheet.html.j2 once per sheet); template errors name file and line."""
    try:
        found = template(project, name)
        if block is None:
            return found.render(context)
        if block not in found.blocks:
            where = Path(found.filename or name)
            with contextlib.suppress(ValueError):
                where = where.resolve().relative_to(project.root)
            raise InputError(
                f"template {name} has no block '{block}'",
                str(where),
                hint=f"wrap what to reuse in {{% block {block} %}} ... {{% endblock %}}",
            )
        return "".join(found.blocks[block](found.new_context(context)))
    except TemplateError as error:
        raise _template_error(error, project) from None


def _template_error(error: TemplateError, project: Project) -> InputError:
    filename = (
        getattr(error, "filename", None) or getattr(error, "name", None) or "styles/templates"
    )
    with contextlib.suppress(ValueError):
        filename = str(Path(filename).resolve().relative_to(project.root))
    return InputError(
        f"template: {error.message or error}",
        filename,
        getattr(error, "lineno", None),
        hint="fix the Jinja2 template",
    )


# -- PDF ----------------------------------------------------------------------


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
) -> Rendered:
    """WeasyPrint, sandboxed and with every renderer error turned into ours."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .tagging import MissingLanguage
    from .tagging import install as install_tagging

    install_tagging()
    sandbox = SandboxFetcher(
        ((project.root / "sheets").resolve(), (project.root / "styles").resolve())
    )
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        document = HTML(
            string=html,
            base_url=(project.root / "sheets").as_uri() + "/",
            url_fetcher=sandbox.make(),
        ).render(font_config=_font_config(), pdf_variant="pdf/ua-1")
        for key, value in (metadata or {}).items():
            document.metadata.custom[key] = value
        output = io.BytesIO()
        document.write_pdf(
            output,
            pdf_variant="pdf/ua-1",
            custom_metadata=True,
            pdf_identifier=b"factsheet",
            finisher=post,
        )
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


@lru_cache(maxsize=1)
def _font_config():
    """One FontConfiguration per process: workers keep fonts warm across jobs."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def set_bleed_boxes(document, pdf) -> None:
    """WeasyPrint finisher: BleedBox = TrimBox + BLEED_MM on every side.

    WeasyPrint puts the BleedBox up to 10 pt outside the trim, whatever the CSS
    bleed; the print shop needs the artwork's real bleed, not the room for marks.
    """
    import pydyf

    bleed = BLEED_MM * _PT_PER_MM
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
    metadata = {"FactsheetId": sheet.front.id, "FactsheetVersion": sheet.front.version}
    if options.imprint:
        metadata[IMPRINT_KEY] = options.imprint
    post = set_bleed_boxes if options.print_marks else None
    return render_html_to_pdf(html, project, sheet.display, metadata, post)
