"""BCP 47 language tags: syntax (RFC 5646) plus "CLDR knows the language".

The second half matters because every date, day name and time on a sheet is
formatted from CLDR data for its language; a well-formed tag CLDR has never
heard of would silently fall back to English.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

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


@cache
def _parts(tag: str) -> tuple[str, str | None, str | None]:
    """(language, maximised script, region) of a tag, via CLDR's likely subtags."""
    locale = babel_locale(tag)
    script = locale.script
    if script is None:
        likely = get_global("likely_subtags")
        key = f"{locale.language}_{locale.territory}" if locale.territory else locale.language
        found = likely.get(key) or likely.get(locale.language) or ""
        script = next((p for p in found.split("_") if len(p) == 4 and p.istitle()), None)
    return locale.language, script, locale.territory


def canonical_tag(value: str, known: list[str] | tuple[str, ...] = ()) -> str:
    """A language tag as this project spells it.

    Accepts what tools write (``fr_FR``, ``FR-fr``, ``fr_FR.UTF-8``) and returns
    the BCP 47 tag of ``known`` (the organisation's languages) that names the
    same language and script, preferring the same region: ``fr-FR`` is ``fr``
    unless ``fr-FR`` is listed, and ``zh_CN`` is ``zh-Hans``. A language not
    listed keeps its script only when it is not the language's usual one
    (``zh-TW`` -> ``zh-Hant``, ``pt-BR`` -> ``pt``). Raises ValueError.
    """
    raw = str(value).strip().split(".")[0].split("@")[0].replace("_", "-")
    pieces = raw.split("-")
    if not pieces or not pieces[0]:
        raise ValueError(f"'{value}' is not a language tag")
    shaped = [pieces[0].lower()]
    for piece in pieces[1:]:
        if len(piece) == 4 and piece.isalpha():
            shaped.append(piece.title())
        elif len(piece) == 2 and piece.isalpha():
            shaped.append(piece.upper())
        else:
            shaped.append(piece)
    tag = check_language_tag("-".join(shaped))
    if tag in known:
        return tag
    language, script, region = _parts(tag)
    same = [k for k in known if _parts(k)[:2] == (language, script)]
    for candidate in sorted(same, key=lambda k: (_parts(k)[2] != region, _parts(k)[2] is not None)):
        if _parts(candidate)[2] in (region, None):
            return candidate
    base_script = _parts(language)[1]
    return check_language_tag(language if script == base_script else f"{language}-{script}")
