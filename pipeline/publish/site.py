"""`factsheet site`: the clinics' catalog, built from output/manifest.json alone.

Clinics look up a handout, see which languages and print variants exist and
how current each is, and download the PDF. The manifest is the only source
of what is listed, so the catalog can neither miss a published PDF nor link to
one the build did not publish. Besides it, only org.yaml (the organisation's
name and addresses), the shared blocks' labels (interface strings) and CLDR
(language names, dates) are read. The pages work without JavaScript, each is
written in the language it lists, and the same manifest gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..build.output import OutputFolder
from ..errors import InputError
from ..source.cldr import direction, format_day, language_name
from ..source.loader import Loader
from ..source.model import Blocks, Org
from .feed import FEED, PAPER_NAMES, atom_feed, feed_problems, update_history
from .manifest import Pdf, read_manifest

SITE = "site"
TEMPLATES = Path("styles") / "templates" / "site"

#: Interface strings in English; FROM_LABELS names the shared-blocks label that
#: translates one. Strings without a translation stay English, marked lang="en".
ENGLISH = {
    "catalog": "Fact sheets",
    "intro": "Printable handouts for clinics and patients. Choose a language, "
    "then the version that suits the reader.",
    "lang_intro": "The fact sheets available in this language.",
    "skip": "Skip to main content",
    "languages": "Languages",
    "all_sheets": "All fact sheets",
    "language": "Language",
    "sheet": "Sheet",
    "version": "Version",
    "reviewed": "Last reviewed",
    "next_review": "Next review due",
    "download": "Download",
    "all_languages": "All languages of this sheet",
    "draft": "DRAFT – not for distribution",
    "unapproved": "Draft translation, not yet approved",
    "filter": "Filter",
    "feed": "Updates (Atom feed)",
}
FROM_LABELS = {
    "sheet": "sheet_id",
    "version": "version",
    "reviewed": "reviewed",
    "next_review": "next_review",
    "draft": "draft",
}
VARIANT_NAMES = {"standard": "Standard", "large-print": "Large print"}


@dataclass(frozen=True)
class Text:
    """A string and the language it is written in; marked when not the page's."""

    text: str
    lang: str
    page_lang: str

    def __str__(self) -> str:
        return self.text

    @property
    def dir(self) -> str:
        return direction(self.lang)

    @property
    def attrs(self) -> Markup:
        if self.lang == self.page_lang:
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(self.lang, self.dir)


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in the language itself (CLDR)
    dir: str
    href: str  # its page, relative to the page linking it


@dataclass(frozen=True)
class Download:
    href: str
    hreflang: str
    label: Text  # "Large print, Letter (PDF, 5 pages, 27 KB)"
    draft_band: bool  # the PDF carries a DRAFT band: not for distribution


@dataclass(frozen=True)
class Edition:
    """One language and version of a sheet, with its variants to download."""

    language: Language
    title: str
    version: str
    reviewed: dt.date
    reviewed_text: str
    next_review: dt.date
    next_review_text: str
    unapproved: bool
    downloads: list[Download]


@dataclass(frozen=True)
class SheetGroup:
    slug: str
    sheet_id: str
    title: str
    series: str | None
    lang: str  # of the title and series
    dir: str
    href: str
    editions: list[Edition]


# -- entry point ----------------------------------------------------------------------


def write_site(root: Path, out_dir: Path) -> list[str]:
    """Write index.html, site/ and feed.xml into ``out_dir``; return what was written."""
    loader = Loader(root)
    org = loader.load_org()
    blocks, _ = loader.load_blocks(org)
    env = _environment(root / TEMPLATES)
    with OutputFolder(out_dir) as folder:
        pdfs = read_manifest(out_dir)
        files = render_pages(env, org, blocks, pdfs)
        files[f"{SITE}/site.css"] = (root / TEMPLATES / "site.css").read_bytes()
        feed = atom_feed(org, update_history(folder, org, pdfs))
        problems = feed_problems(feed)
        if problems:  # a bug, never the user's input: stop before publishing it
            raise AssertionError(f"the Atom feed is invalid: {'; '.join(problems)}")
        files[FEED] = feed
        for relpath in sorted(files):
            folder.write(relpath, files[relpath])
        _remove_stale_pages(out_dir, files)
    return sorted(files)


def _environment(folder: Path) -> SandboxedEnvironment:
    if not (folder / "index.html.j2").is_file():
        raise InputError(
            "the catalog templates are missing",
            str(folder),
            hint="restore styles/templates/site/ from the factsheet project",
        )
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _remove_stale_pages(out_dir: Path, written: dict[str, bytes]) -> None:
    """Pages of a language or sheet no longer published must not stay reachable."""
    for page in sorted((out_dir / SITE).rglob("*.html")):
        if page.relative_to(out_dir).as_posix() not in written:
            page.unlink()


# -- pages ------------------------------------------------------------------------------


def render_pages(
    env: SandboxedEnvironment, org: Org, blocks: dict[str, Blocks], pdfs: list[Pdf]
) -> dict[str, bytes]:
    """Every HTML page of the catalog, by path relative to the output folder."""
    home = org.default_lang
    order = _language_order(org)
    langs = sorted({pdf.lang for pdf in pdfs}, key=order)
    slugs = sorted({pdf.slug for pdf in pdfs})
    pages = {}

    def render(template: str, path: str, lang: str, current: str, **context) -> None:
        prefix = "../" * path.count("/")
        page = {
            "lang": lang,
            "dir": direction(lang),
            "prefix": prefix,
            "current": current,
            "org": org,
            "ui": interface(blocks, lang),
            "languages": [_language(tag, prefix) for tag in langs],
        }
        try:
            html = env.get_template(template).render(**page, **context)
        except TemplateError as error:
            raise InputError(f"template error: {error}", str(TEMPLATES / template)) from None
        pages[path] = html.encode()

    def sheets(prefix: str, page_lang: str, lang: str | None = None) -> list[SheetGroup]:
        chosen = [pdf for pdf in pdfs if lang is None or pdf.lang == lang]
        return [
            _sheet(slug, [p for p in chosen if p.slug == slug], prefix, page_lang, order, home)
            for slug in slugs
            if any(p.slug == slug for p in chosen)
        ]

    render("index.html.j2", "index.html", home, "index", sheets=sheets("", home))
    for lang in langs:
        path = f"{SITE}/{lang}.html"
        render(
            "lang.html.j2",
            path,
            lang,
            lang,
            language=_language(lang, "../"),
            sheets=sheets("../", lang, lang),
        )
    for group in sheets("../../", home):
        path = f"{SITE}/sheets/{group.slug}.html"
        render("sheet.html.j2", path, home, group.slug, sheet=group)
    return pages


def interface(blocks: dict[str, Blocks], lang: str) -> dict[str, Text]:
    """The page's interface strings: from the language's shared-blocks labels, else English."""
    labels = blocks[lang].labels if lang in blocks else None
    strings = {}
    for key, english in ENGLISH.items():
        if labels is not None and key in FROM_LABELS:
            text = getattr(labels, FROM_LABELS[key])
            strings[key] = Text(text[:1].upper() + text[1:], lang, lang)
        else:
            strings[key] = Text(english, "en", lang)
    return strings


def _language_order(org: Org) -> Callable[[str], tuple]:
    """The organisation's default language first, then org.yaml's order, then A-Z."""
    ranks = {tag: rank for rank, tag in enumerate([org.default_lang, *org.languages])}
    return lambda tag: (ranks.get(tag, len(ranks)), tag)


def _language(tag: str, prefix: str) -> Language:
    return Language(tag, language_name(tag), direction(tag), f"{prefix}{SITE}/{tag}.html")


def _sheet(
    slug: str, pdfs: list[Pdf], prefix: str, page_lang: str, order: Callable, home: str
) -> SheetGroup:
    """One sheet: an edition per (language, version), the home language's title first."""
    pdfs = sorted(pdfs, key=lambda pdf: (order(pdf.lang), pdf.version, _variant_order(pdf)))
    editions = [
        _edition(list(group), prefix, page_lang)
        for _, group in groupby(pdfs, key=lambda pdf: (pdf.lang, pdf.version))
    ]
    named = next((pdf for pdf in pdfs if pdf.lang == home), pdfs[0])
    return SheetGroup(
        slug=slug,
        sheet_id=named.sheet_id,
        title=named.title,
        series=named.series,
        lang=named.lang,
        dir=direction(named.lang),
        href=f"{prefix}{SITE}/sheets/{slug}.html",
        editions=editions,
    )


def _variant_order(pdf: Pdf) -> tuple:
    return (pdf.variant != "standard", pdf.variant, pdf.paper, pdf.print_marks, pdf.imprint or "")


def _edition(pdfs: list[Pdf], prefix: str, page_lang: str) -> Edition:
    first = pdfs[0]
    return Edition(
        language=_language(first.lang, prefix),
        title=first.title,
        version=first.version,
        reviewed=first.reviewed,
        reviewed_text=format_day(first.reviewed, page_lang),
        next_review=first.next_review,
        next_review_text=format_day(first.next_review, page_lang),
        unapproved=any(pdf.unapproved for pdf in pdfs),
        downloads=[_download(pdf, prefix, page_lang) for pdf in pdfs],
    )


def _download(pdf: Pdf, prefix: str, page_lang: str) -> Download:
    parts = [VARIANT_NAMES.get(pdf.variant, pdf.variant), PAPER_NAMES.get(pdf.paper, pdf.paper)]
    if pdf.print_marks:
        parts.append("with crop marks, for the print shop")
    if pdf.imprint:
        parts.append(f"for {pdf.imprint}")
    pages = f"{pdf.pages} page" + ("" if pdf.pages == 1 else "s")
    label = f"{', '.join(parts)} (PDF, {pages}, {human_size(pdf.size)})"
    href = f"{prefix}{quote(pdf.path)}"
    return Download(href, pdf.lang, Text(label, "en", page_lang), pdf.draft_band)


def human_size(size: int) -> str:
    """A file size as people read it: 812 bytes, 48 KB, 1.2 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"
