"""The validated data model: plain data that nothing downstream re-parses.

Models are strict about keys (an unknown key is an error with a "did you mean"
hint, see yamlfile.validate) and about values that a print coordinator could
get subtly wrong: unquoted times, reversed day ranges, invalid time zones.

Over 400 lines: every schema a user writes (org, channels and hours, blocks,
front matter, policy, clinics, packets, brand) and the loaded documents sit
together, because every stage imports the model and nothing else of source/.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import FactsheetError, InputErrors
from . import contacts as cx
from .catalog import CatalogLabels, Publish
from .dates import date_problem
from .langtag import check_language_tag
from .lookalikes import check_address

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEVERITIES = ("error", "warning", "off")
#: A sheet's life cycle: a draft (a translator's or an author's) goes in review,
#: and `factsheet approve` makes it approved; a machine translation is a draft
#: nobody has post-edited yet. Everything but approved carries a visible mark.
STATUSES = ("draft", "in-review", "approved", "machine-translated")


class Strict(BaseModel):
    """Base: unknown keys are errors; models are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _quoted_time(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError('write times in quotes as HH:MM, like "09:00"')
    return value


def parse_days(text: str) -> tuple[tuple[int, int], ...]:
    """Parse "mon-thu", "fri" or "mon-wed, fri" into (first, last) day-index ranges."""
    ranges = []
    for part in text.split(","):
        words = [end.strip() for end in part.split("-")]
        ends = [word.lower()[:3] for word in words]
        if len(ends) > 2 or not all(ends):
            raise ValueError(f"'{part.strip()}' is not a day or a day range like mon-thu")
        for word, end in zip(words, ends, strict=True):
            if end not in DAY_KEYS:
                raise ValueError(f"unknown day '{word}'; days are {', '.join(DAY_KEYS)}")
        first, last = DAY_KEYS.index(ends[0]), DAY_KEYS.index(ends[-1])
        if last < first:
            raise ValueError(f"day range '{part.strip()}' runs backwards; write it from mon to sun")
        ranges.append((first, last))
    seen: set[int] = set()
    for first, last in ranges:
        days = set(range(first, last + 1))
        if days & seen:
            raise ValueError(f"'{text}' names a day twice")
        seen |= days
    return tuple(ranges)


class OpeningSpan(Strict):
    """One line of opening hours: some days, one open-close interval."""

    days: str
    opens: dt.time = Field(alias="from")
    closes: dt.time = Field(alias="to")

    _q_opens = field_validator("opens", "closes", mode="before")(_quoted_time)

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        parse_days(value)
        return value

    @model_validator(mode="after")
    def _order(self) -> OpeningSpan:
        if self.opens >= self.closes:
            raise ValueError(
                f"opening time {self.opens:%H:%M} is not before closing time {self.closes:%H:%M}"
            )
        return self

    @property
    def day_ranges(self) -> tuple[tuple[int, int], ...]:
        return parse_days(self.days)

    @property
    def day_set(self) -> set[int]:
        return {d for first, last in self.day_ranges for d in range(first, last + 1)}


class Hours(Strict):
    timezone: str
    open: list[OpeningSpan] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not an IANA time zone (like America/New_York)"
            ) from None
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> Hours:
        for i, a in enumerate(self.open):
            for b in self.open[i + 1 :]:
                if a.day_set & b.day_set and a.opens < b.closes and b.opens < a.closes:
                    raise ValueError(f"hours for '{a.days}' and '{b.days}' overlap")
        return self


def _contact_error(rule: str, message: str, hint: str) -> PydanticCustomError:
    """A refusal that names its rule id and carries a hint (yamlfile shows both)."""
    return PydanticCustomError("contact", f"{message} [{rule}]", {"hint": hint})


def _check_display(number: str | None, display: str) -> None:
    """The display a reader sees must show exactly the digits the number dials:
    no invisible or direction-changing character, no digit of another script."""
    hidden = [c for c in display if cx.is_invisible(c)]
    if hidden:
        raise _contact_error(
            cx.INVISIBLE,
            f"display '{cx.visible(display)}' contains {cx.char_name(hidden[0])}",
            "delete it: it can make the printed digits differ from the digits dialled",
        )
    foreign = [c for c in display if c.isdecimal() and not ("0" <= c <= "9")]
    if foreign:
        raise _contact_error(
            cx.DIGITS,
            f"display '{display}' uses {cx.char_name(foreign[0])}, not a digit 0-9",
            "write the display with the digits 0-9; it is printed in every language",
        )
    if number is None:
        return  # refused on its own (missing or not E.164)
    spelt = cx.spelt_numbers(display, cx.region_of(number))
    if spelt:  # "1-877-JKL-0142": letters on the keys of the number's digits (E.161)
        if spelt[0].flaw == "confusable":
            raise _contact_error(
                cx.CONFUSABLE,
                f"display '{display}' is spelt with {spelt[0].problem}",
                "type its letters again in Latin capitals A-Z, or print the digits",
            )
        if spelt[0].value != number:
            raise _contact_error(
                cx.DISPLAY,
                f"display '{display}' spells {spelt[0].value}, not {number}",
                "the letters must stand for the number's digits (2=ABC ... 9=WXYZ)",
            )
    elif cx.exact_digits(display) != number.lstrip("+"):
        raise _contact_error(
            cx.DISPLAY,
            f"display '{display}' does not show the digits of {number}",
            "the display must show the number's digits, in order, with spaces or hyphens only",
        )
    parsed = cx.phone(number, None)
    if parsed.problem:
        raise _contact_error(
            cx.INVALID,
            f"{number} is {parsed.problem}",
            "write the number in E.164 form with its country code, like +18775550142",
        )


def _check_email(address: str) -> None:
    parsed = cx.email(address)
    if parsed.value is None or any(cx.is_invisible(c) for c in address):
        raise _contact_error(
            cx.INVALID,
            f"'{cx.visible(address)}' is not a valid email address"
            + (f": {parsed.problem}" if parsed.problem else ""),
            "write the address as people type it, like helpline@example.org",
        )
    lookalike = check_address(address)
    if lookalike:
        raise _contact_error(cx.CONFUSABLE, lookalike.message, lookalike.hint)


class Channel(Strict):
    """A way to reach the organisation or a clinic; every channel has hours."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    kind: Literal["phone", "email"]
    number: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    display: str | None = None
    address: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
    hours: Hours

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Channel:
        if self.kind == "phone" and not (self.number and self.display):
            raise ValueError(
                "a phone channel needs 'number' (E.164, like +18775550142) and 'display'"
            )
        if self.kind == "email" and not self.address:
            raise ValueError("an email channel needs 'address'")
        return self

    @field_validator("display")
    @classmethod
    def _display(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            _check_display(info.data.get("number"), value)
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            _check_email(value)
        return value

    @property
    def text(self) -> str:
        """What a reader sees and what the PDF must carry."""
        return self.display if self.kind == "phone" else self.address

    @property
    def href(self) -> str:
        return f"tel:{self.number}" if self.kind == "phone" else f"mailto:{self.address}"


class Org(Strict):
    name: str
    short_name: str
    website: str = Field(pattern=r"^https://")
    brand: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    default_lang: str
    default_paper: Literal["letter", "a4"] = "letter"
    trademark: str | None = None
    publish_base_url: str = Field(pattern=r"^https://")
    languages: list[str] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)

    _lang = field_validator("default_lang")(check_language_tag)

    @field_validator("languages")
    @classmethod
    def _langs(cls, value: list[str]) -> list[str]:
        return [check_language_tag(tag) for tag in value]


#: The placeholders each label must carry (every other label takes none). The
#: renderer fills them with str.format or plain replacement, so anything else in
#: braces would end in a crash or print as it is.
LABEL_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "page": ("page", "pages"),
    "hours_line": ("days", "times", "zone"),
    "qr_alt": ("url",),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def label_problem(name: str, text: str) -> str | None:
    """Why a label's text cannot be used (its {placeholders}), or None."""
    wanted = LABEL_PLACEHOLDERS.get(name, ())
    takes = ", ".join(f"{{{p}}}" for p in wanted) if wanted else "no placeholders"
    found = _PLACEHOLDER.findall(text)
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        return f"has a brace that opens or closes no placeholder (it takes {takes})"
    for placeholder in found:
        if placeholder not in wanted:
            return f"has an unknown placeholder {{{placeholder}}} (it takes {takes})"
    for placeholder in wanted:
        if found.count(placeholder) != 1:
            how = "lacks" if placeholder not in found else "repeats"
            return f"{how} the {{{placeholder}}} placeholder (it takes {takes})"
    return None


class Labels(Strict):
    """Short interface strings of the template, translated per language."""

    help_title: str
    phone: str
    email: str
    hours: str
    reviewed: str
    next_review: str
    sheet_id: str
    version: str
    page: str
    hours_line: str
    draft: str
    #: The mark on every page of a sheet that is not approved yet: a translation,
    #: a machine translation, or a sheet in its source language.
    draft_translation: str
    machine_translation: str
    draft_sheet: str
    contents: str
    your_clinic: str
    #: Alt text of the QR code on printed sheets. Optional: a language without it
    #: reads the English default until its translator adds it.
    qr_alt: str = "QR code: {url}"

    @field_validator("*")
    @classmethod
    def _placeholders(cls, value: str, info) -> str:
        problem = label_problem(info.field_name, value)
        if problem:
            raise ValueError(problem)
        return value


class BlocksOrigin(Strict):
    """Which source blocks a translated blocks file was made from (its hash)."""

    lang: str
    source_hash: str

    _lang = field_validator("lang")(check_language_tag)


class Blocks(Strict):
    """Organisation-wide texts printed on every sheet, in one language."""

    lang: str
    status: Literal["draft", "approved"]
    disclaimer: str = Field(min_length=1)
    helpline_intro: str = Field(min_length=1)
    language_assistance: str = Field(min_length=1)
    review_note: str = Field(min_length=1)
    #: The trademark line ("Harborlight and the lighthouse mark are trademarks of
    #: ..."), in this language. Without it a sheet prints org.yaml's ``trademark``
    #: in the organisation's language, isolated from the text around it.
    trademark: str | None = Field(default=None, min_length=1)
    labels: Labels
    #: The catalog site's strings (source/catalog.py; the loader checks their plural
    #: forms against the language); a language without them shows the default
    #: language's, marked as such, and `factsheet site` warns.
    catalog: CatalogLabels | None = None
    #: Translations only: the source blocks this translation was made from.
    translation_of: BlocksOrigin | None = None

    _lang = field_validator("lang")(check_language_tag)


def _iso_date(value: Any) -> Any:
    """Dates are YYYY-MM-DD; anything else is refused with the reason and the fix."""
    problem = date_problem(value)
    if problem is None:
        return value
    message, hint = problem
    raise PydanticCustomError("date_form", message, {"hint": hint})


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _status(value: Any) -> Any:
    if value in STATUSES:
        return value
    text = str(value).strip().lower().replace(" ", "-").replace("_", "-")
    close = [s for s in STATUSES if s == text] or difflib.get_close_matches(text, STATUSES, n=1)
    hint = f"did you mean '{close[0]}'?" if close else None
    raise PydanticCustomError(
        "status",
        f"'{value}' is not a status; a sheet is {', '.join(STATUSES[:-1])} or {STATUSES[-1]}",
        {"hint": hint or "new sheets and imported translations start as draft"},
    )


class TranslationOf(Strict):
    lang: str
    version: str
    source_hash: str

    _lang = field_validator("lang")(check_language_tag)


def _version_text(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError(f'write the version in quotes, like "{value}"')
    return value


class FrontMatter(Strict):
    """A sheet's YAML front matter (the examples are what a missing key's hint suggests)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64, examples=["HL-XYZ-01"])
    title: str = Field(min_length=1, max_length=200, examples=["What Is It?"])
    series: str | None = Field(default=None, max_length=200)
    lang: str = Field(examples=["en"])
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+){0,2}$", examples=['"1.0"'])
    status: Annotated[str, BeforeValidator(_status)] = Field(examples=["draft"])
    reviewed: IsoDate = Field(examples=["2026-03-06 (YYYY-MM-DD)"])
    next_review: IsoDate = Field(examples=["2028-03-06 (YYYY-MM-DD)"])
    reviewed_by: str = Field(examples=["Harborlight Medical Advisory Panel"])
    audience: str = Field(examples=["People living with metastatic breast cancer"])
    summary: str | None = None
    keywords: list[str] = []
    translation_of: TranslationOf | None = None
    #: Translations only: units where a number of the source is written as a word,
    #: with the translator's note (unit id -> note); reviewed as a warning.
    numbers_as_words: dict[str, str] = {}

    _lang = field_validator("lang")(check_language_tag)
    _version = field_validator("version", mode="before")(_version_text)

    @model_validator(mode="after")
    def _dates(self) -> FrontMatter:
        if self.next_review <= self.reviewed:
            raise PydanticCustomError(
                "review_order",
                f"next_review {self.next_review} is not after reviewed {self.reviewed}",
                {"at": "next_review", "hint": "the next review falls after the last one"},
            )
        return self

    @property
    def approved(self) -> bool:
        return self.status == "approved"


class Approval(Strict):
    """One approval in a sheet's review log (sheets/<slug>/reviews.yaml), written by
    `factsheet approve`: who approved which language and version of the text, when."""

    lang: str
    version: str
    by: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    date: IsoDate
    #: What the sheet was before (draft, in-review, machine-translated).
    previous: str | None = None
    #: Hash of the approved text (source/reviews.py): an edit after approval,
    #: or a file copied from another language, no longer matches it.
    content: str = Field(pattern=r"^sha256:[0-9a-f]{16,64}$")

    _lang = field_validator("lang")(check_language_tag)
    _version = field_validator("version", mode="before")(_version_text)


class ReviewLog(Strict):
    """sheets/<slug>/reviews.yaml: the approvals of a sheet's languages, oldest first."""

    approvals: list[Approval] = []


def _yaml_off(value: Any) -> Any:
    """YAML 1.1 reads an unquoted `off` as false; in a severity it can only mean off."""
    return "off" if value is False else value


Severity = Annotated[Literal["error", "warning", "off"], BeforeValidator(_yaml_off)]


class KnownContact(Strict):
    """A phone number, email or web site that is not the organisation's but that
    sheets may print (a national helpline, a government site), with its owner."""

    owner: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    email: str | None = None
    web: str | None = Field(default=None, pattern=r"^https://")
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> KnownContact:
        given = [k for k in ("phone", "email", "web") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of phone, email or web for each known contact")
        if self.phone:
            parsed = cx.phone(self.phone, None)
            if parsed.problem:
                raise _contact_error(cx.INVALID, f"{self.phone} is {parsed.problem}", "use E.164")
        if self.email:
            _check_email(self.email)
        if self.web:
            parsed = cx.web(self.web)
            if parsed.value is None or any(cx.is_invisible(c) for c in self.web):
                raise _contact_error(
                    cx.INVALID, f"'{cx.visible(self.web)}' is not a web address", "https://host/"
                )
            lookalike = check_address(parsed.host)
            if lookalike:
                raise _contact_error(cx.CONFUSABLE, lookalike.message, lookalike.hint)
        return self


class Policy(Strict):
    """What every published sheet must carry, and how strictly that is enforced."""

    class Limits(Strict):
        """Bounds on the work one input may cause (README, "Security", lists each)."""

        max_sheet_bytes: int = Field(default=1_000_000, gt=0)
        max_image_bytes: int = Field(default=10_000_000, gt=0)
        #: Decoded size, width x height: what the renderer holds in memory.
        max_image_pixels: int = Field(default=16_000_000, gt=0)
        #: Elements an SVG draws, each <use> counting the elements it copies.
        max_svg_elements: int = Field(default=10_000, gt=0)
        max_svg_use_depth: int = Field(default=8, gt=0, le=100)
        #: How deep an SVG's elements nest as drawn (each <use> is a level).
        max_svg_depth: int = Field(default=64, gt=0, le=400)
        max_list_depth: int = Field(default=4, gt=0, le=100)
        max_list_items: int = Field(default=300, gt=0)
        max_headings: int = Field(default=100, gt=0)
        #: How deep Markdown nests: lists, callouts, quotes, emphasis, links, spans.
        max_markup_depth: int = Field(default=20, gt=0, le=100)
        #: Findings printed per file (text output); then "... and N more".
        max_findings_per_file: int = Field(default=20, gt=0)
        #: A translator's file (XLIFF, PO, Markdown) handed to `translate import`.
        max_translation_bytes: int = Field(default=5_000_000, gt=0)
        max_translation_units: int = Field(default=5_000, gt=0)
        # The build's worker pool (local processes or Dask workers): a job over
        # either limit is stopped and fails naming its sheet; it is not retried.
        #: Seconds one job (render and PDF checks) may take.
        render_seconds: float = Field(default=120, gt=0)
        #: Resident memory one render process may use, in MB.
        worker_memory_mb: int = Field(default=1024, gt=0)

    class LinkText(Strict):
        forbid_bare_urls: bool = True
        vague: list[str] = [
            "click here",
            "here",
            "read more",
            "more",
            "link",
            "this link",
            "haga clic aquí",
            "aquí",
            "más información",
        ]

    class Override(Strict):
        max_pages: int | None = Field(default=None, gt=0, le=1000)
        severity: dict[str, Severity] = {}

    required: list[
        Literal[
            "disclaimer", "contact_hours", "review_date", "sheet_id", "document_language", "title"
        ]
    ] = ["disclaimer", "contact_hours", "review_date", "sheet_id", "document_language", "title"]
    max_review_interval_months: int = Field(default=24, gt=0, le=120)
    review_warning_days: int = Field(default=60, ge=0, le=3660)
    allowed_link_schemes: list[str] = ["https", "mailto", "tel"]
    #: Names that stay the same in every language (the organisation's name is always one).
    keep_terms: list[str] = []
    max_pages: int = Field(default=2, gt=0, le=1000)
    max_pages_large_print: int = Field(default=6, gt=0, le=1000)
    #: Pages a clinic's imprint box may add to a sheet's limit.
    imprint_extra_pages: int = Field(default=1, ge=0, le=100)
    limits: Limits = Limits()
    link_text: LinkText = LinkText()
    #: Contacts of others that sheets may print: anything else is contact-unknown.
    known_contacts: list[KnownContact] = []
    severity: dict[str, Severity] = {}
    languages: dict[str, Override] = {}
    #: What `factsheet site` publishes (source/catalog.py).
    publish: Publish = Publish()

    def max_pages_for(self, lang: str) -> int:
        override = self.languages.get(lang)
        return override.max_pages if override and override.max_pages else self.max_pages

    def severity_for(self, rule: str, lang: str | None, default: str) -> str:
        override = self.languages.get(lang) if lang else None
        if override and rule in override.severity:
            return override.severity[rule]
        return self.severity.get(rule, default)


class Clinic(Strict):
    """A clinic that hands out the sheets: its own box ("Your clinic") on imprinted copies."""

    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    channels: list[Channel] = Field(min_length=1)
    logo: str | None = None  # an image file beside the clinic's YAML


class Packet(Strict):
    """Several sheets bound as one PDF, e.g. for people who were just diagnosed."""

    title: str = Field(min_length=1, max_length=200)
    lang: str
    sheets: list[str] = Field(min_length=1)
    cover: bool = False
    toc: bool = False

    _lang = field_validator("lang")(check_language_tag)

    @field_validator("sheets")
    @classmethod
    def _sheets(cls, value: list[str]) -> list[str]:
        for slug in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
                raise ValueError(f"'{slug}' is not a sheet slug (lower-case letters, digits, -)")
        if len(set(value)) != len(value):
            raise ValueError("a sheet is listed twice")
        return value


class Brand(Strict):
    """A visual identity: colour tokens, font stacks per script, a logo."""

    name: str
    colors: dict[str, str]
    fonts: dict[str, list[str]]
    logo: str
    logo_alt: str
    # An upper bound too: a size like 1e308 overflows the renderer's font units.
    body_size_pt: float = Field(default=12, ge=6, le=72)
    large_print_body_size_pt: float = Field(default=18, ge=6, le=96)
    #: [name, text token, background token] or [..., "large"] for large text (3:1).
    contrast_pairs: list[list[str]] = []
    #: The callout boxes a sheet may use (``::: kind Title``), each with what it is for.
    callouts: dict[str, str] = {"callout": "a box with a title, such as Resources"}

    @field_validator("callouts")
    @classmethod
    def _callouts(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("name at least one callout kind")
        for kind in value:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", kind):
                raise ValueError(f"callout kind '{kind}' must be lower-case letters, digits and -")
        return value

    @field_validator("contrast_pairs")
    @classmethod
    def _pairs(cls, value: list[list[str]]) -> list[list[str]]:
        for pair in value:
            if len(pair) not in (3, 4) or (len(pair) == 4 and pair[3] != "large"):
                raise ValueError(
                    'each pair is [name, text, background] or [name, text, background, "large"]'
                )
        return value

    @field_validator("colors")
    @classmethod
    def _colors(cls, value: dict[str, str]) -> dict[str, str]:
        for name, colour in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise ValueError(f"colour token '{name}' must be lower-case letters, digits and -")
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
                raise ValueError(f"colour '{name}' must be #rrggbb (got {colour!r})")
        return value

    @field_validator("fonts")
    @classmethod
    def _fonts(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if "default" not in value:
            raise ValueError("fonts needs a 'default' stack")
        for stack in value.values():
            for family in stack:
                if not re.fullmatch(r"[A-Za-z0-9 ._-]+", family):
                    raise ValueError(f"font family name {family!r} has characters CSS cannot take")
        return value


# ---------------------------------------------------------------------------
# Loaded documents (dataclasses: built by loader.py from validated parts)


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a sheet: a heading, paragraph, list item, value."""

    key: str  # the unit's id: "title", "p-3fa9c2d1" (from its text) or the author's {#id}
    kind: str  # heading, paragraph, item, callout-title, cell, alt (front matter: its key)
    text: str  # Markdown inline source
    line: int  # line in the source file
    section: str = ""  # the heading it sits under, for translators' context


class SnapshotUnit(Strict):
    id: str
    kind: str
    text: str


class Snapshot(Strict):
    """The source units a translation was made from, as import recorded them
    (sheets/<slug>/translations/<lang>.source.json, and the same for the shared
    blocks under sheets/_org/blocks/translations/): staleness compares it with
    the source as it is now, unit by unit."""

    format: Literal[2] = 2
    source: str
    version: str | None = None
    source_hash: str
    outline: list[str] = []
    units: list[SnapshotUnit]


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    decorative: bool
    line: int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Body:
    """A sheet's Markdown body, parsed once: HTML plus what checks need to see."""

    html: str
    units: tuple[Unit, ...]
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    outline: tuple[str, ...]  # block structure, for translation parity
    langs: tuple[tuple[str, int], ...]  # inline language spans (tag, line)


@dataclass(frozen=True)
class Sheet:
    slug: str
    path: Path  # absolute
    display: str  # as shown in messages, relative to the project
    front: FrontMatter
    front_lines: dict[tuple, int]
    body: Body
    source_text: str

    @property
    def lang(self) -> str:
        return self.front.lang

    def line_of(self, *key: str) -> int:
        return self.front_lines.get(tuple(key), 1)


@dataclass(frozen=True)
class BrokenSheet:
    """A sheet file that could not be loaded, with every problem found in it.

    It fails its own build jobs and checks; every other sheet goes on.
    """

    slug: str
    lang: str  # from the file name
    path: Path
    display: str
    errors: tuple[FactsheetError, ...]
    #: What its front matter says, as far as it can be read: a command that looks
    #: a sheet up by id (a Markdown translation's import) can name this one's errors.
    sheet_id: str | None = None
    translation: bool = False  # it has translation_of

    def error(self) -> FactsheetError:
        """Its load errors as one exception, to raise where the sheet itself is needed."""
        return self.errors[0] if len(self.errors) == 1 else InputErrors(self.errors)


@dataclass(frozen=True)
class Project:
    """Everything loaded from sheets/ and styles/."""

    root: Path
    org: Org
    policy: Policy
    blocks: dict[str, Blocks]
    block_bodies: dict[str, dict[str, str]]  # lang -> block name -> inline HTML
    brand: Brand
    brand_dir: Path
    sheets: dict[tuple[str, str], Sheet] = field(default_factory=dict)  # (slug, lang)
    #: Line of every key of policy.yaml, so that later stages can point at one.
    policy_lines: dict[tuple, int] = field(default_factory=dict)
    #: (slug, lang) -> the source units each translation was made from.
    snapshots: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    #: lang -> the source blocks and labels each translated blocks file was made from.
    block_snapshots: dict[str, Snapshot] = field(default_factory=dict)
    #: Line of every key of each blocks/<lang>.yaml (lang -> key path -> line).
    block_lines: dict[str, dict[tuple, int]] = field(default_factory=dict)
    #: Sheet files that could not be loaded, by (slug, lang from the file name).
    broken: dict[tuple[str, str], BrokenSheet] = field(default_factory=dict)
    #: Each sheet's review log (sheets/<slug>/reviews.yaml), oldest first.
    approvals: dict[str, tuple[Approval, ...]] = field(default_factory=dict)

    def sheet(self, slug: str, lang: str) -> Sheet:
        """The loaded sheet; one that could not be read raises its own load errors."""
        broken = self.broken.get((slug, lang))
        if broken is not None:
            raise broken.error()
        return self.sheets[(slug, lang)]

    def derived(self, name: str, compute: Callable[[], Any]) -> Any:
        """A value computed from the loaded project once, then kept with it.

        Recomputed when sheets were added since (loading adds them after the
        Project is made; a trial import adds one): a catalog of thousands of
        sheets asks for its slugs once per job.
        """
        kept = self.__dict__.setdefault("_derived", {}).get(name)
        size = (len(self.sheets), len(self.broken))  # a sheet found broken moves over
        if kept is None or kept[0] != size:
            kept = (size, compute())
            self.__dict__["_derived"][name] = kept
        return kept[1]

    @property
    def slugs(self) -> list[str]:
        """Every sheet of the catalog, those that could not be loaded included."""
        return list(
            self.derived(
                "slugs",
                lambda: sorted({slug for slug, _ in (*self.sheets, *self.broken)}),
            )
        )

    def languages_of(self, slug: str) -> list[str]:
        def by_slug() -> dict[str, list[str]]:
            found: dict[str, list[str]] = {}
            for s, lang in sorted((*self.sheets, *self.broken)):
                found.setdefault(s, []).append(lang)
            return found

        return list(self.derived("languages", by_slug).get(slug, []))
