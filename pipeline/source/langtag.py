"""BCP 47 language tags: syntax (RFC 5646) plus "CLDR knows the language".

The second half matters because every date, day name and time on a sheet is
formatted from CLDR data for its language; a well-formed tag CLDR has never
heard of would silently fall back to English.

A tag that is refused comes with a suggestion when one is likely: the same tag
written the BCP 47 way (``en_US`` -> ``en-US``), a country code used for its
language (``jp`` -> ``ja``, from CLDR's likely subtags), a language's name
(``spanish``, ``español``) or the start of its English name (``sp`` -> ``es``).
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from pydantic_core import PydanticCustomError

# language[-script][-region](-variant)*  -- extensions and private use are refused.
_TAG = re.compile(
    r"^(?P<language>[a-z]{2,3})"
    r"(?:-(?P<script>[A-Z][a-z]{3}))?"
    r"(?:-(?P<region>[A-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*$"
)


def check_language_tag(value: str) -> str:
    """Return ``value`` if it is a usable BCP 47 tag, else raise ValueError.

    The error (a pydantic custom error, so a ValueError) carries a "did you mean"
    hint in its context when a likely tag exists.
    """
    if not isinstance(value, str) or not _TAG.match(value):
        message = (
            f"'{value}' is not a BCP 47 language tag "
            "(use a form like en, es, zh-Hans, pt-BR; a hyphen, not an underscore)"
        )
    elif not _known(value):
        message = f"'{value}' is not a language CLDR knows"
    else:
        return value
    hint = suggestion_hint(value) if isinstance(value, str) else None
    raise PydanticCustomError("language_tag", message, {"hint": hint} if hint else None)


def _known(tag: str) -> bool:
    try:
        babel_locale(tag)
    except (UnknownLocaleError, ValueError):
        return False
    return True


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


def language_name(tag: str) -> str:
    """The language's name in itself, capitalised as a label ("Español", "中文")."""
    name = babel_locale(tag).get_display_name(babel_locale(tag)) or tag
    return name[:1].upper() + name[1:]


def suggestion_hint(value: str, preferred: tuple[str, ...] = ()) -> str | None:
    """'did you mean 'es' (Español)?' for a refused tag, or None."""
    tag = suggest_language(value, preferred)
    return f"did you mean '{tag}' ({language_name(tag)})?" if tag else None


def suggest_language(value: str, preferred: tuple[str, ...] = ()) -> str | None:
    """The tag a writer most likely meant by ``value``; ``preferred`` tags (the
    organisation's languages) win a tie."""
    text = value.strip()
    if not text:
        return None
    # The same tag, written the BCP 47 way: hyphens, lower-case language,
    # title-case script, upper-case region.
    parts = re.split(r"[-_\s]+", text)
    fixed = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            fixed.append(part.title())
        elif len(part) in (2, 3):
            fixed.append(part.upper())
        else:
            fixed.append(part)
    candidate = "-".join(fixed)
    if candidate != text and _TAG.match(candidate) and _known(candidate):
        return candidate
    word = text.casefold()
    names = _names()
    if word in names:  # "spanish", "español"
        return names[word]
    likely = get_global("likely_subtags").get(f"und_{text.upper()}")
    if len(text) == 2 and likely:  # a country code used for its language: jp, kr, cn
        return likely.split("_")[0]
    if len(word) >= 2:  # the start of a language's English name: sp -> Spanish
        starts = sorted({tag for name, tag in names.items() if name.startswith(word)})
        for tag in preferred:
            if tag in starts:
                return tag
        if len(starts) == 1:
            return starts[0]
    close = difflib.get_close_matches(word, list(preferred), n=1, cutoff=0.6)
    return close[0] if close and close[0] != text else None


@cache
def _names() -> dict[str, str]:
    """Language name (English or its own, case folded) -> tag, for CLDR's known languages."""
    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if "_" in code or not _known(code):
            continue
        names.setdefault(name.casefold(), code)
    for code in list(names.values()):
        own = babel_locale(code).get_display_name(babel_locale(code))
        if own:
            names.setdefault(own.casefold(), code)
    return names
