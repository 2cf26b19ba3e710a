"""BCP 47 language tags: syntax (RFC 5646) plus "CLDR knows the language".

The second half matters because every date, day name and time on a sheet is
formatted from CLDR data for its language; a well-formed tag CLDR has never
heard of would silently fall back to English.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale, UnknownLocaleError

# language[-script][-region](-variant)*  -- extensions and private use are refused.
_TAG = re.compile(
    r"^(?P<language>[a-z]{2,3})"
    r"(?:-(?P<script>[A-Z][a-z]{3}))?"
    r"(?:-(?P<region>[A-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*$"
)


def check_language_tag(value: str) -> str:
    """Return ``value`` if it is a usable BCP 47 tag, else raise ValueError."""
    if not isinstance(value, str) or not _TAG.match(value):
        raise ValueError(
            f"'{value}' is not a BCP 47 language tag "
            "(use a form like en, es, zh-Hans, pt-BR; a hyphen, not an underscore)"
        )
    try:
        babel_locale(value)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"'{value}' is not a language CLDR knows") from None
    return value


@cache
def babel_locale(tag: str) -> Locale:
    """The Babel locale for a BCP 47 tag."""
    return Locale.parse(tag, sep="-")
