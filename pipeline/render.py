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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import __version__
from .errors import InputError, RenderError
from .locale import direction, script_of
from .model import Project, Sheet
from .texts import sheet_texts

VARIANTS = ("standard", "large-print")
PAPERS = {"letter": "letter", "a4": "A4"}


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
    parts = []
    rest = label
    while rest:
        index = (
            min((rest.find(name), name) for name in ("{page}", "{pages}") if rest.find(name) >= 0)
            if "{page" in rest
            else (-1, "")
        )
        if index[0] < 0:
            parts.append(css_string(rest))
            break
        position, name = index
        if position:
            parts.append(css_string(rest[:position]))
        parts.append("counter(pages)" if name == "{pages}" else "counter(page)")
        rest = rest[position + len(name) :]
    return " ".join(parts)


def font_stack(project: Project, lang: str) -> list[str]:
    fonts = project.brand.fonts
    stack = list(fonts.get(script_of(lang), [])) + list(fonts["default"])
    return list(dict.fromkeys(stack))


def page_css(project: Project, sheet: Sheet, options: Options) -> str:
    """Rules that depend on the sheet: page size, running footer, fonts, brand tokens."""
    labels = project.blocks[sheet.lang].labels
    brand = project.brand
    large = options.variant == "large-print"
    size = brand.large_print_body_size_pt if large else brand.body_size_pt
    footer_size = size if large else 9
    fonts = ", ".join(css_string(f) for f in font_stack(project, sheet.lang))
    tokens = "".join(f"--color-{name}: {value}; " for name, value in sorted(brand.colors.items()))
    paper = PAPERS[options.paper_for(project)]
    marks = ""
    if options.print_marks:
        marks = "bleed: 3mm; marks: crop;"
    return (
        f":root {{ {tokens}--font-body: {fonts}; --body-size: {size}pt; }}\n"
        f"@page {{ size: {paper}; {marks}\n"
        f"  @bottom-left {{ content: {css_string(sheet_texts(project, sheet).ident)};"
        f" font-family: {fonts}; font-size: {footer_size}pt; }}\n"
        f"  @bottom-right {{ content: {page_label_css(labels.page)};"
        f" font-family: {fonts}; font-size: {footer_size}pt; }}\n"
        "}\n"
    )


def sheet_html(project: Project, sheet: Sheet, options: Options, extra: dict | None = None) -> str:
    """The HTML of one sheet, ready for WeasyPrint."""
    if sheet.lang not in project.blocks:
        raise InputError(
            f"no shared blocks for language '{sheet.lang}'",
            sheet.display,
            sheet.line_of("lang"),
            hint=f"create sheets/_org/blocks/{sheet.lang}.yaml",
        )
    bodies = project.block_bodies[sheet.lang]
    labels = project.blocks[sheet.lang].labels
    texts = sheet_texts(project, sheet)
    front = sheet.front
    styles_dir = project.root / "styles"
    env = _environment(styles_dir, project.brand_dir)
    stylesheets = [path.as_uri() for path in sorted(project.brand_dir.glob("*.css"))]
    context = {
        "lang": sheet.lang,
        "dir": direction(sheet.lang),
        "doc_title": texts.doc_title,
        "org": project.org,
        "brand": project.brand,
        "front": front,
        "keywords": ", ".join(front.keywords),
        "version": __version__,
        "created": front.reviewed.isoformat(),
        "modified": front.reviewed.isoformat(),
        "stylesheets": stylesheets,
        "page_css": Markup(page_css(project, sheet, options)),
        "variant": options.variant,
        "paper": options.paper_for(project),
        "draft": options.draft_band,
        "labels": labels,
        "logo_url": (project.brand_dir / project.brand.logo).as_uri(),
        "body_html": Markup(sheet.body.html),
        "blocks": {name: Markup(value) for name, value in bodies.items()},
        "channels": texts.channels,
        "reviewed": texts.reviewed,
        "next_review": texts.next_review,
        "ident": texts.ident,
        "imprint": None,
        "qr": None,
    }
    context.update(extra or {})
    try:
        return env.get_template("sheet.html.j2").render(context)
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
    except FatalURLFetchingError:
        raise RenderError(
            f"the sandbox refused to fetch {(sandbox.refused or ['a resource'])[-1]}",
            where,
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


@lru_cache(maxsize=1)
def _font_config():
    """One FontConfiguration per process: workers keep fonts warm across jobs."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_sheet(
    project: Project, sheet: Sheet, options: Options, extra: dict | None = None
) -> Rendered:
    """One sheet to PDF bytes."""
    html = sheet_html(project, sheet, options, extra)
    metadata = {"FactsheetId": sheet.front.id, "FactsheetVersion": sheet.front.version}
    return render_html_to_pdf(html, project, sheet.display, metadata)
