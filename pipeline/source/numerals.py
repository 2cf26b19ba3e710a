"""Numbers in running text, read by value with the language's own conventions.

A translation must keep every number of its source, but not its digit grouping:
168,000 is "168.000" in Spanish, "168 000" (narrow no-break space) in French,
"1,68,000" in Hindi and "۱۶۸٬۰۰۰" in Persian. Each number is read with the
group and decimal symbols and the grouping sizes CLDR gives the language (its
Latin, default and native numbering systems, via Babel), and compared by value.
A number whose grouping the language does not use is read as separate numbers,
so a slip such as "1,68,000" in English never equals 168,000.

Only ASCII digits are numbers here: the caller turns the digits of the
language's own numbering systems into ASCII first (checks/translation.py),
so a look-alike digit of another script is never read as one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

_SPACES = "\u0020\u00a0\u202f\u2009"
_SEPARATORS = ".,'\u2019\u066b\u066c" + _SPACES
_CANDIDATE = re.compile(rf"[0-9]+(?:[{re.escape(_SEPARATORS)}][0-9]+)*")


@cache
def conventions(lang: str | None) -> tuple[frozenset[str], frozenset[str], tuple[int, int]]:
    """(group symbols, decimal symbols, (primary, secondary) group sizes) for a language."""
    try:
        locale = Locale.parse((lang or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    systems = {"latn", locale.default_numbering_system}
    systems.add(locale.other_numbering_systems.get("native", "latn"))
    groups, decimals = set(), set()
    for system in systems:
        try:
            groups.add(get_group_symbol(locale, numbering_system=system))
            decimals.add(get_decimal_symbol(locale, numbering_system=system))
        except (KeyError, UnknownLocaleError, ValueError):
            continue
    if groups & set(_SPACES):
        groups |= set(_SPACES)  # a space-like group symbol: any no-break or thin space too
    pattern = locale.decimal_formats.get(None)
    sizes = tuple(pattern.grouping) if pattern is not None else (3, 3)
    return frozenset(groups), frozenset(decimals), (sizes[0], sizes[1])


def _value(digits: str) -> str:
    try:
        return format(Decimal(digits).normalize(), "f")
    except InvalidOperation:
        return digits


def _read(token: str, lang: str | None) -> list[str] | None:
    """The value of one candidate, or None if the language would not write it so."""
    groups, decimals, (primary, secondary) = conventions(lang)
    parts = re.split(rf"([{re.escape(_SEPARATORS)}])", token)
    runs, seps = parts[0::2], parts[1::2]
    if not seps:
        return [_value(token)]
    fraction = ""
    if seps[-1] in decimals and not (seps[-1] in groups and len(runs[-1]) == primary):
        fraction = runs.pop()
        seps.pop()
    if seps and (len(set(seps)) > 1 and not set(seps) <= set(_SPACES) or seps[0] not in groups):
        return None
    if seps:
        sizes = [len(run) for run in runs]
        inner = secondary if secondary else primary
        if sizes[-1] != primary or not 1 <= sizes[0] <= inner:
            return None
        if any(size != inner for size in sizes[1:-1]):
            return None
    whole = "".join(runs)
    return [_value(f"{whole}.{fraction}" if fraction else whole)]


#: No real number has more digit groups than this; it bounds the work on hostile text.
_MAX_RUNS = 12


def number_values(text: str, lang: str | None) -> list[str]:
    """The numbers in ``text`` as canonical values ("168000", "2.5"), read as ``lang`` writes them.

    A run of digits and separators that is not one number in this language
    ("In 2020 168 000", "1,68,000" in English) is read as the longest numbers
    the language does write, from left to right.
    """
    out: list[str] = []
    for match in _CANDIDATE.finditer(text):
        parts = re.split(rf"([{re.escape(_SEPARATORS)}])", match.group(0))
        start = 0
        while start < len(parts):
            for stop in range(min(len(parts), start + 2 * _MAX_RUNS - 1), start, -2):
                value = _read("".join(parts[start:stop]), lang)
                if value is not None:
                    out += value
                    start = stop + 1
                    break
    return out
