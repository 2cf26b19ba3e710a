"""What the catalog pages show, as plain data for the templates: sheets, editions, downloads.

A sheet is named everywhere with its series and title in one language
("Metastatic Breast Cancer: What Is It?"); an edition is one language and
version of it with its files to download; a download's label says variant,
paper, page count and size in the page's language. Paths of the pages are
decided here too, so the pages and the feed link to the same places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import quote

from ..source.cldr import direction, language_name
from ..source.model import Org
from .interface import Interface, Text
from .manifest import Pdf
from .search import search_text

SITE = "site"


# -- where pages live -------------------------------------------------------------------


def lang_page(lang: str) -> str:
    return f"{SITE}/{lang}.html"


def sheet_page(slug: str, lang: str, home: str) -> str:
    """site/sheets/<slug>.html in the default language, <slug>.<lang>.html in the others."""
    suffix = "" if lang == home else f".{lang}"
    return f"{SITE}/sheets/{slug}{suffix}.html"


def clinic_page(clinic_id: str) -> str:
    return f"{SITE}/clinics/{clinic_id}.html"


def language_order(org: Org) -> Callable[[str], tuple]:
    """The organisation's default language first, then org.yaml's order, then A-Z."""
    ranks = {tag: rank for rank, tag in enumerate([org.default_lang, *org.languages])}
    return lambda tag: (ranks.get(tag, len(ranks)), tag)


# -- what the templates get ---------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in the language itself (CLDR)
    dir: str
    href: str | None  # its page, relative to the page linking it (None: it has none)


@dataclass(frozen=True)
class Download:
    href: str
    hreflang: str
    label: Text  # "Large print, US Letter"
    details: Text  # "PDF, 5 pages, 27 kB"
    draft_band: bool  # the PDF carries a DRAFT band: not for distribution


@dataclass(frozen=True)
class Edition:
    """One language and version of a sheet, with its variants to download."""

    language: Language
    lang: str
    dir: str
    name: str  # series and title, in the edition's language
    summary: str | None
    version: str
    reviewed: dt.date
    reviewed_text: str
    next_review: dt.date
    next_review_text: str
    unapproved: bool
    downloads: list[Download]
    href: str | None  # the sheet's page in the edition's language (None: it has none)


@dataclass(frozen=True)
class SheetGroup:
    slug: str
    sheet_id: str
    name: str  # series and title, in ``lang``
    lang: str
    dir: str
    summary: str | None
    href: str | None  # the sheet's page; None on a clinic page when it has none
    editions: list[Edition]
    search: str  # what the search box finds it by (search.py)


class Pages:
    """Builds the view objects of one catalog, for pages written in any of its languages."""

    def __init__(self, org: Org, interfaces: dict[str, Interface], existing: set[str]) -> None:
        self.org = org
        self.home = org.default_lang
        self.order = language_order(org)
        self.interfaces = interfaces
        self.existing = existing  # paths of the language and sheet pages the catalog has

    def ui(self, lang: str) -> Interface:
        return self.interfaces[lang]

    def language(self, tag: str, prefix: str) -> Language:
        page = lang_page(tag)
        href = f"{prefix}{page}" if page in self.existing else None
        return Language(tag, language_name(tag), direction(tag), href)

    def link(self, page: str, prefix: str) -> str | None:
        """A relative link to ``page``, or None when the catalog has no such page."""
        return f"{prefix}{page}" if page in self.existing else None

    def name(self, pdf: Pdf) -> str:
        return self.ui(pdf.lang).sheet_name(pdf.series, pdf.title)

    def sheets(self, pdfs: list[Pdf], prefix: str, page_lang: str) -> list[SheetGroup]:
        """One group per sheet, named in the page's language where the sheet has it."""
        slugs = sorted({pdf.slug for pdf in pdfs})
        return [
            self.sheet([p for p in pdfs if p.slug == slug], prefix, page_lang) for slug in slugs
        ]

    def sheet(self, pdfs: list[Pdf], prefix: str, page_lang: str) -> SheetGroup:
        pdfs = sorted(
            pdfs,
            key=lambda pdf: (
                pdf.lang != page_lang,
                self.order(pdf.lang),
                newest_first(pdf.version),
                variant_order(pdf),
            ),
        )
        editions = [
            self.edition(list(group), prefix, page_lang)
            for _, group in groupby(pdfs, key=lambda pdf: (pdf.lang, pdf.version))
        ]
        named = next((pdf for pdf in pdfs if pdf.lang == page_lang), None)
        named = named or next((pdf for pdf in pdfs if pdf.lang == self.home), pdfs[0])
        page = sheet_page(named.slug, page_lang, self.home)
        # The slug's words are the default language's: elsewhere they would match by accident.
        ids = [named.sheet_id] + ([named.slug] if page_lang == self.home else [])
        texts = [text for pdf in pdfs for text in (pdf.title, pdf.series, *pdf.keywords)]
        return SheetGroup(
            slug=named.slug,
            sheet_id=named.sheet_id,
            name=self.name(named),
            lang=named.lang,
            dir=direction(named.lang),
            summary=named.summary,
            href=self.link(page, prefix),
            editions=editions,
            search=search_text(*texts, ids=ids),
        )

    def edition(self, pdfs: list[Pdf], prefix: str, page_lang: str) -> Edition:
        first = pdfs[0]
        ui = self.ui(page_lang)
        page = sheet_page(first.slug, first.lang, self.home)
        return Edition(
            language=self.language(first.lang, prefix),
            lang=first.lang,
            dir=direction(first.lang),
            name=self.name(first),
            summary=first.summary,
            version=first.version,
            reviewed=first.reviewed,
            reviewed_text=ui.day(first.reviewed),
            next_review=first.next_review,
            next_review_text=ui.day(first.next_review),
            unapproved=any(pdf.unapproved for pdf in pdfs),
            downloads=[self.download(pdf, prefix, page_lang) for pdf in pdfs],
            href=self.link(page, prefix),
        )

    def download(self, pdf: Pdf, prefix: str, page_lang: str) -> Download:
        ui = self.ui(page_lang)
        return Download(
            href=f"{prefix}{quote(pdf.path)}",
            hreflang=pdf.lang,
            label=variant_label(ui, pdf),
            details=ui.file(pdf.pages, pdf.size),
            draft_band=pdf.draft_band,
        )


def variant_label(ui: Interface, pdf: Pdf) -> Text:
    """'Large print, US Letter' (and the print-shop or QR copy, when those are public)."""
    variant = ui[pdf.variant.replace("-", "_")].text
    label = ui.format("kind", variant=variant, paper=ui[pdf.paper].text)
    if pdf.print_marks:
        label = ui.format("print_shop", kind=label.text)
    elif pdf.qr:
        label = ui.format("qr", kind=label.text)
    return label


def newest_first(version: str) -> tuple:
    """'10.0' before '3.1' before '3.0' (versions are dotted numbers, compared as numbers)."""
    parts = [int(part) if part.isdigit() else 0 for part in version.split(".")]
    return tuple(-part for part in parts + [0] * (3 - len(parts)))


def variant_order(pdf: Pdf) -> tuple:
    return (pdf.variant != "standard", pdf.variant, pdf.paper, pdf.print_marks, pdf.qr)
