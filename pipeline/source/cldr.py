"""Dates, day ranges, opening hours, language names and direction, from CLDR.

Everything a reader sees that depends on the language comes from Babel's CLDR
data, never from hand-written tables: the compliance gate renders the same
strings again and looks for them in the PDF.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel.core import get_global
from babel.dates import format_date, format_interval, get_day_names, get_timezone

from .langtag import babel_locale
from .model import Hours, Labels, OpeningSpan

#: Scripts written right to left (ISO 15924).
RTL_SCRIPTS = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"}


def direction(lang: str) -> str:
    """'rtl' or 'ltr' for a language, from CLDR's character order."""
    return "rtl" if babel_locale(lang).character_order == "right-to-left" else "ltr"


def script_of(lang: str) -> str:
    """The ISO 15924 script a language is written in (CLDR likely subtags)."""
    locale = babel_locale(lang)
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags").get(locale.language, "")
    parts = likely.split("_")
    return next((p for p in parts[1:] if len(p) == 4), "Latn")


def language_name(lang: str, in_lang: str | None = None) -> str:
    """The language's name, written in ``in_lang`` (by default in itself)."""
    name = babel_locale(lang).get_display_name(babel_locale(in_lang or lang)) or lang
    return name[:1].upper() + name[1:] if direction(in_lang or lang) == "ltr" else name


def format_day(day: dt.date, lang: str) -> str:
    """A review date as readers of ``lang`` write it (CLDR long date)."""
    return format_date(day, "long", locale=babel_locale(lang))


def _range(first: str, last: str, lang: str) -> str:
    fallback = babel_locale(lang).interval_formats.get(None, "{0} – {1}")
    return fallback.replace("{0}", first).replace("{1}", last)


def format_days(span: OpeningSpan, lang: str) -> str:
    """'Monday – Thursday' or 'lunes – jueves', joined as a list when split."""
    names = get_day_names("wide", locale=babel_locale(lang))
    parts = []
    for first, last in span.day_ranges:
        if first == last:
            parts.append(names[first])
        elif last == first + 1:
            parts.append(_list([names[first], names[last]], lang))
        else:
            parts.append(_range(names[first], names[last], lang))
    return _list(parts, lang) if len(parts) > 1 else parts[0]


def _list(items: list[str], lang: str) -> str:
    from babel.lists import format_list

    return format_list(items, locale=babel_locale(lang))


@cache
def _uses_12_hour(lang: str) -> bool:
    pattern = babel_locale(lang).time_formats["short"].pattern
    return "h" in pattern or "K" in pattern


def format_times(span: OpeningSpan, lang: str) -> str:
    """'9 AM – 7 PM' (en), '9–19' style where the language counts 24 hours."""
    base = dt.date(2000, 1, 3)
    start = dt.datetime.combine(base, span.opens)
    end = dt.datetime.combine(base, span.closes)
    minutes = span.opens.minute or span.closes.minute
    skeleton = ("hm" if minutes else "h") if _uses_12_hour(lang) else "Hm"
    return format_interval(start.time(), end.time(), skeleton, locale=babel_locale(lang))


def zone_name(timezone: str, lang: str) -> str:
    """Short generic zone name where CLDR has one for the language ('ET'), else long."""
    locale = babel_locale(lang)
    zone = get_timezone(timezone)
    meta = get_global("meta_zones").get(timezone)
    names = locale.meta_zones.get(meta, {}) if meta else {}
    short = names.get("short", {}).get("generic")
    if short:
        return short
    long_name = names.get("long", {}).get("generic")
    if long_name:
        return long_name
    from babel.dates import get_timezone_location

    return get_timezone_location(zone, locale=locale)


def format_hours(hours: Hours, labels: Labels, lang: str) -> list[str]:
    """One line per opening span, e.g. 'Monday – Thursday, 9 AM – 7 PM ET'."""
    zone = zone_name(hours.timezone, lang)
    return [
        labels.hours_line.format(
            days=format_days(span, lang), times=format_times(span, lang), zone=zone
        )
        for span in hours.open
    ]
