"""Model -> HTML: the brand's Jinja2 templates (sandboxed, autoescaped) and the
CSS that depends on the sheet (page size, running footer, fonts, brand tokens).

Sheet text reaches the templates only as HTML from the Markdown renderer (raw
HTML off), so it can never inject template code.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import __version__
from ..errors import InputError
from ..source.cldr import direction
from ..source.clinics import load_clinic
from ..source.linebreak import guard_for, protect_html
from ..source.model import Project, Sheet
from ..source.texts import sheet_texts
from .fonts import font_stack
from .hyphenation import hyphenation_css
from .imprint import imprint_context
from .options import MARKS_MM, PAPERS, Options
from .qr import qr_context


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
    # The draft mark of a sheet that is not approved, on every page: the header
    # band carries it (data-mark, empty when approved; its tagged .draft-mark
    # stamp shows it under the title) and the top margin of every later page
    # repeats it (first-except), so in a packet it follows each sheet.
    draft = brand.colors.get("draft", "#b00020")
    # Print-shop copies keep all text 1/4 in inside the trim: the mark sits at the
    # foot of the top margin, at most 14 pt there.
    mark_size = min(footer_size, 14) if options.print_marks else footer_size
    mark_align = "bottom" if options.print_marks else "middle"
    return (
        f":root {{ {tokens}--font-body: {fonts}; --body-size: {size}pt; }}\n"
        ".band { string-set: draft-mark attr(data-mark); }\n"
        f"@page {{ size: {paper}; {marks}\n"
        f"  @top-center {{ content: string(draft-mark, first-except); font-family: {fonts};"
        f" font-size: {mark_size}pt; font-weight: bold; color: {draft};"
        f" vertical-align: {mark_align}; }}\n"
        f"  @bottom-left {{ content: {footer_left};"
        f" font-family: {fonts}; font-size: {footer_size}pt;{align} }}\n"
        f"  @bottom-right {{ content: {page_label_css(labels.page)};"
        f" font-family: {fonts}; font-size: {footer_size}pt;{align} }}\n"
        "}\n" + hyphenation_css(lang, large)
    )


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
    # Strings the template prints keep their contacts, dates, ids and names whole
    # on a line, as sheet text does (source/linebreak.py).
    guard = guard_for(project.org, project.policy, sheet.lang)
    if clinic is not None:
        guard = guard.with_names(clinic.name)

    def keep(text: str | None) -> Markup | None:
        return None if text is None else Markup(protect_html(text, guard))

    if imprint is not None:
        imprint = {
            **imprint,
            "name": keep(imprint["name"]),
            "address": keep(imprint["address"]),
            "channels": [_channel(channel, keep) for channel in imprint["channels"]],
        }
    context = {
        "lang": sheet.lang,
        "dir": direction(sheet.lang),
        "doc_title": texts.doc_title,
        "org": project.org,
        "brand": project.brand,
        "front": front,
        "series": keep(front.series),
        "title": keep(front.title),
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
        "mark": texts.draft_mark,
        "print_marks": options.print_marks,
        "labels": labels,
        "logo_url": (project.brand_dir / project.brand.logo).as_uri(),
        "body_html": Markup(sheet.body.html),
        "blocks": {"trademark": None} | {name: Markup(value) for name, value in bodies.items()},
        "channels": [_channel(channel, keep) for channel in texts.channels],
        "reviewed": keep(texts.reviewed),
        "next_review": keep(texts.next_review),
        "ident": keep(texts.ident),
        "imprint": imprint,
        "qr": qr_context(project, sheet) if options.qr else None,
        # A tighter setting (render/fit.py) when the sheet would spill onto a new page.
        "fit": "",
    }
    context.update(extra or {})
    return context


def _channel(channel, keep) -> dict:
    """A channel as the template prints it: number or address and hours kept whole."""
    return {
        "id": channel.id,
        "label": channel.label,
        "href": channel.href,
        "text": keep(channel.text),
        "hours": [keep(line) for line in channel.hours],
    }


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
