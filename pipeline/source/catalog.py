"""Schemas of the clinics' catalog: its interface strings and what it may publish.

Two things a user writes for `factsheet site`: the `catalog:` section of each
language's shared blocks (sheets/_org/blocks/<lang>.yaml), holding every
string the catalog pages and the feed show, and the `publish:` section of
policy.yaml, saying which built PDFs are public.

Plural phrases ("2 pages") are written once per CLDR plural category of the
language (UTS #35, Part 3, "Language Plural Rules"): Babel says which
categories a language uses, so a Russian file without its `few` form, or an
English one with a `few` form English never selects, is an error at load time.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .langtag import babel_locale

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
#: Every label and the {placeholders} it must keep (no more, no fewer).
PLACEHOLDERS: dict[str, set[str]] = {
    "search_hint": {"example"},
    "matches": {"count"},
    "no_match": {"query"},
    "pages": {"count"},
    "file": {"pages", "size"},
    "kind": {"variant", "paper"},
    "print_shop": {"kind"},
    "qr": {"kind"},
    "sheet_name": {"series", "title"},
    "feed_title": {"org"},
    "entry_title": {"sheet", "language", "version"},
    "entry_summary": {"version", "sheet_id", "reviewed", "next_review"},
    "entry_replaces": {"version", "reviewed"},
    "entry_replaced": {"version"},
}
#: Labels written once per plural category: {category: text}.
PLURAL_LABELS = ("matches", "pages")


Label = Annotated[str, Field(min_length=1)]


class CatalogLabels(BaseModel):
    """The `catalog:` section of a language's shared blocks: every string of the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Label
    intro: Label
    lang_intro: Label
    skip: Label
    languages: Label
    all_sheets: Label
    download: Label
    all_languages: Label
    unapproved: Label
    search: Label
    search_hint: Label
    matches: dict[str, str]
    no_match: Label
    feed: Label
    standard: Label
    large_print: Label
    letter: Label
    a4: Label
    kind: Label
    print_shop: Label
    qr: Label
    pages: dict[str, str]
    file: Label
    clinics: Label
    clinic_intro: Label
    sheet_name: Label
    feed_title: Label
    feed_subtitle: Label
    entry_title: Label
    entry_summary: Label
    entry_replaces: Label
    entry_replaced: Label

    @field_validator("*")
    @classmethod
    def _placeholders(cls, value: object, info) -> object:
        """Each label keeps exactly its {placeholders}; a plural form other than
        `other` may leave {count} out ("one page", like ICU MessageFormat's `one {...}`)."""
        wanted = PLACEHOLDERS.get(info.field_name, set())
        forms = value if isinstance(value, dict) else {"other": value}
        for category, text in forms.items():
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{_form(info.field_name, category)}must be a non-empty text")
            found = placeholders(text)
            optional = category != "other" and info.field_name in PLURAL_LABELS
            if found != wanted and not (optional and found <= wanted):
                problem = _placeholder_problem(found, wanted)
                raise ValueError(f"{_form(info.field_name, category)}{problem}")
        return value

    def plural(self, name: str, category: str) -> str:
        """The form of a plural label for a CLDR category, `other` where none is written."""
        forms: dict[str, str] = getattr(self, name)
        return forms.get(category, forms["other"])


def _form(name: str, category: str) -> str:
    return f"the '{category}' form " if name in PLURAL_LABELS else ""


def placeholders(text: str) -> set[str]:
    """The {names} in a label; a stray brace is an error a translator can fix."""
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValueError(
            "has an unmatched { or }; write placeholders as {name} and nothing else in braces"
        ) from None


def _placeholder_problem(found: set[str], wanted: set[str]) -> str:
    if not wanted:
        return f"takes no placeholders, but has {_names(found)}"
    missing, extra = wanted - found, found - wanted
    parts = []
    if missing:
        parts.append(f"must keep {_names(missing)}")
    if extra:
        parts.append(f"has unknown {_names(extra)}")
    return f"{' and '.join(parts)} (this label takes {_names(wanted)}, in any order)"


def _names(names: set[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names))


def required_plural_categories(lang: str) -> list[str]:
    """The CLDR categories a count of pages or sheets can select in ``lang``, plus `other`.

    Whole numbers 0..1000 cover every category a catalog count reaches (Spanish
    `many`, for instance, is only selected by millions); `other` is always
    required as the fallback.
    """
    rule = babel_locale(lang).plural_form
    used = {rule(number) for number in range(1001)} | {"other"}
    return [category for category in PLURAL_CATEGORIES if category in used]


def plural_problem(labels: CatalogLabels, lang: str) -> tuple[tuple, str] | None:
    """The first plural label without exactly the forms ``lang`` needs: (key path, message).

    A form the language never selects is as wrong as a missing one: a Russian
    translator who wrote only `one` and `other` gets "2 страниц" wrong.
    """
    known = set(babel_locale(lang).plural_form.tags) | {"other"}
    needed = required_plural_categories(lang)
    for name in PLURAL_LABELS:
        forms = getattr(labels, name)
        unknown = [category for category in forms if category not in known]
        if unknown:
            return ("catalog", name, unknown[0]), (
                f"catalog.{name}.{unknown[0]}: {lang} has no plural form '{unknown[0]}' "
                f"(its CLDR plural categories: {', '.join(needed)})"
            )
        missing = [category for category in needed if category not in forms]
        if missing:
            return ("catalog", name), (
                f"catalog.{name}: the plural form{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing "
                f"({lang} needs {', '.join(needed)}; CLDR plural rules)"
            )
    return None


# -- publication rules -------------------------------------------------------------------

CLINIC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Publish(BaseModel):
    """policy.yaml `publish:`: which built PDFs the public catalog and feed list.

    Everything else (print-shop copies, papers or variants not listed, drafts
    unless allowed, imprints of clinics not listed) stays internal: it is left
    out of the catalog pages, the feed and `factsheet site --export`.
    Imprints are never listed in the catalog itself, only on their clinic's page.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    variants: list[Literal["standard", "large-print"]] = ["standard", "large-print"]
    #: None: only org.yaml's default_paper (an A4 run for one occasion stays internal).
    papers: list[Literal["letter", "a4"]] | None = None
    #: Crop-mark copies for the print shop (<slug>.print.pdf).
    print_shop: bool = False
    #: Office copies with a QR code (<slug>.qr.pdf).
    qr_copies: bool = False
    #: Translations whose status is not approved, and PDFs with a DRAFT band.
    drafts: bool = False
    #: Clinics whose page (and imprints) are public: true for all, false for none, or ids.
    imprints: bool | list[str] = True

    @field_validator("imprints")
    @classmethod
    def _clinic_ids(cls, value: bool | list[str]) -> bool | list[str]:
        if isinstance(value, list):
            for clinic in value:
                if not CLINIC_ID.match(clinic):
                    raise ValueError(f"'{clinic}' is not a clinic id (the name of its .yaml file)")
        return value
