"""The catalog's interface strings for one language: labels, plurals, numbers, sizes, dates.

Every string a catalog page or feed entry shows around the sheets' own text
comes from the language's shared blocks (the `catalog:` section, plus the
sheet labels "Last reviewed", "Next review due", "Sheet", "version" and the
DRAFT band's text), with plural forms chosen by CLDR's rules and numbers,
file sizes and dates formatted by Babel (CLDR), never by hand. A language
without a `catalog:` section borrows the default language's strings; each
such string carries that language's tag, so the page marks it (lang="...").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.numbers import format_decimal
from babel.units import format_unit
from markupsafe import Markup

from ..source.catalog import CatalogLabels
from ..source.cldr import direction, format_day
from ..source.langtag import babel_locale
from ..source.model import Blocks, Labels

#: Sheet labels (printed on the PDFs) that the catalog reuses, by catalog key.
FROM_SHEET_LABELS = {
    "sheet": "sheet_id",
    "version": "version",
    "reviewed": "reviewed",
    "next_review": "next_review",
    "draft": "draft",
}


@dataclass(frozen=True)
class Text:
    """A string and the language it is written in; marked when not the page's."""

    text: str
    lang: str
    page_lang: str

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(Markup.escape(self.text))

    @property
    def dir(self) -> str:
        return direction(self.lang)

    @property
    def attrs(self) -> Markup:
        """` lang=".." dir=".."` for a string not in the page's language, else nothing."""
        if self.lang == self.page_lang:
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(self.lang, self.dir)


class Interface:
    """The strings of pages (or feed entries) written in ``lang``."""

    def __init__(self, blocks: dict[str, Blocks], lang: str, default_lang: str) -> None:
        self.lang = lang
        own = blocks.get(lang)
        fallback = blocks.get(default_lang)
        if own is not None and own.catalog is not None:
            self.labels_lang, catalog, sheet_labels = lang, own.catalog, own.labels
        elif fallback is not None and fallback.catalog is not None:
            self.labels_lang, catalog = default_lang, fallback.catalog
            sheet_labels = own.labels if own is not None else fallback.labels
        else:
            raise LookupError(f"neither {lang} nor {default_lang} has catalog labels")
        self.catalog: CatalogLabels = catalog
        self.sheet_labels: Labels = sheet_labels
        self.sheet_labels_lang = lang if own is not None else default_lang
        self.locale = babel_locale(self.labels_lang)

    @property
    def borrowed(self) -> bool:
        """True when this language has no catalog strings of its own."""
        return self.labels_lang != self.lang

    def __getitem__(self, key: str) -> Text:
        if key in FROM_SHEET_LABELS:
            text = getattr(self.sheet_labels, FROM_SHEET_LABELS[key])
            return Text(text[:1].upper() + text[1:], self.sheet_labels_lang, self.lang)
        return Text(getattr(self.catalog, key), self.labels_lang, self.lang)

    def __getattr__(self, key: str) -> Text:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except AttributeError:
            raise AttributeError(key) from None

    def format(self, key: str, **values: object) -> Text:
        """A label with its {placeholders} filled in."""
        text = getattr(self.catalog, key).format(**self._isolated(values))
        return Text(text, self.labels_lang, self.lang)

    def plural(self, key: str, count: int, **values: object) -> Text:
        """A plural label, its form chosen by CLDR's rule for ``count`` ({count} localised)."""
        category = self.locale.plural_form(count)
        text = self.catalog.plural(key, category)
        values = self._isolated({"count": self.number(count), **values})
        return Text(text.format(**values), self.labels_lang, self.lang)

    def _isolated(self, values: dict[str, object]) -> dict[str, str]:
        """In a right-to-left language, each value as a first-strong isolate (UAX #9, FSI
        ... PDI): "HL-MBC-01", "5 صفحات" or a date keep their own order inside the sentence
        (as Fluent's use_isolating does). Left-to-right labels are left as they are."""
        if direction(self.labels_lang) == "ltr":
            return {name: str(value) for name, value in values.items()}
        return {name: f"\u2068{value}\u2069" for name, value in values.items()}

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def size(self, size: int) -> str:
        """A file size as CLDR writes units: '812 B', '48 kB', '1,2 MB' (decimal units)."""
        if size < 1000:
            return format_unit(size, "digital-byte", length="short", locale=self.locale)
        if size < 1_000_000:
            kilobytes = round(size / 1000)
            return format_unit(
                kilobytes, "digital-kilobyte", length="short", format="#,##0", locale=self.locale
            )
        return format_unit(
            round(size / 1_000_000, 1),
            "digital-megabyte",
            length="short",
            format="#,##0.0",
            locale=self.locale,
        )

    def day(self, day: dt.date) -> str:
        return format_day(day, self.labels_lang)

    def file(self, pages: int, size: int) -> Text:
        """'PDF, 2 pages, 29 kB' in the page's language."""
        return self.format("file", pages=self.plural("pages", pages).text, size=self.size(size))

    def sheet_name(self, series: str | None, title: str) -> str:
        """'Metastatic Breast Cancer: What Is It?': a sheet is always named with its series."""
        return self.catalog.sheet_name.format(series=series, title=title) if series else title
