"""The catalog's search: what each listed sheet can be found by, folded for matching.

People type "medico" for "médico", "CANCER" for "cáncer", "hl mbc 01" or
"hlmbc01" for HL-MBC-01. Both sides are folded the same way: lower case,
compatibility decomposition (Unicode NFKD, UAX #15), every combining mark
removed (general category M: accents, Vietnamese tone marks, Arabic vowel
signs and hamza), a few letters that carry no decomposition mapped by hand (ß, đ,
ł, ø, æ, œ, ı), tatweel dropped, and anything not a letter or digit turned
into one space. The page's script folds the query with the same steps and
the same table (FOLD_TABLE, written into the page), so both sides agree;
a Chromium test runs the script's fold on the same strings as fold() here.

Without JavaScript nothing is hidden: every sheet stays listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Letters NFKD leaves whole, mapped to what people type instead (after lower-casing).
FOLD_TABLE = {
    "ß": "ss",
    "ẞ": "ss",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ـ": "",  # Arabic tatweel: stretches a word, is never typed
}
_SEPARATORS = re.compile(r"[^\w]|_", re.UNICODE)


def fold(text: str) -> str:
    """``text`` as the search compares it: no accents, lower case, words split by one space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    mapped = "".join(FOLD_TABLE.get(c, c) for c in bare)
    return " ".join(_SEPARATORS.sub(" ", mapped).split())


def search_text(*parts: str | None, ids: Iterable[str] = ()) -> str:
    """What an item is found by: its texts folded, and each id also without separators."""
    words = [fold(part) for part in parts if part]
    for ident in ids:
        folded = fold(ident)
        words += [folded, folded.replace(" ", "")]
    return " ".join(dict.fromkeys(word for word in words if word))


def matches(query: str, haystack: str) -> bool:
    """Every word of the query appears in the item's search text (what the script does)."""
    return all(word in haystack for word in fold(query).split())
