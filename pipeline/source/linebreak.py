"""Where a line may not break, and which phrases keep their own direction.

A hyphen that a renderer adds can change what a reader copies or dials:
``helpli-/ne@harborlight.example``, ``nurses@eastside-/clinic.example`` (is the
hyphen part of the address?), ``PIK3-/CA``; a date split over two lines
("March 6, / 2028") or a bracket left alone with one character ("间）") reads
badly. This module finds, in one language's text, the stretches that must stay
whole and wraps them in spans the stylesheet keeps whole (sheet.css):

- ``unbroken`` (``white-space: nowrap; hyphens: none``): phone numbers, email
  and web addresses (the one contact model, contacts.py), words that mix
  letters and digits (gene and drug names such as PIK3CA, BRCA1, T-DM1; sheet
  ids), numbers with their unit or day period (CLDR unit patterns: "2 weeks",
  "10 mg", "30%", "9 AM"), dates as CLDR writes them in the language (its full,
  long, medium and short date patterns), and in Chinese, Japanese and Korean a
  short bracketed phrase with its brackets (UAX #14 already keeps a closing
  bracket with the character before it; this keeps the phrase together);
- ``unhyphenated`` (``hyphens: none``): the organisation's names and the
  policy's ``keep_terms`` (they may still wrap at a space);
- ``dir`` spans: a run of words in the other direction (Latin names in Arabic
  text, Hebrew in English), isolated so that its punctuation and neighbours
  keep their places (UAX #9 isolation; WeasyPrint lays out an element with its
  own ``dir`` as one unit).

The Markdown renderer calls ``protect_inline`` on every sheet's and block's
inline tokens; the renderer calls ``protect_html`` for strings the template
prints (dates, hours, the sheet id, the clinic's name).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from markdown_it.token import Token

from .cldr import direction
from .contacts import find_contacts, region_of
from .langtag import babel_locale
from .model import Org, Policy

UNBROKEN = "unbroken"
UNHYPHENATED = "unhyphenated"
#: Longest bracketed CJK phrase kept on one line (characters, brackets included).
CJK_BRACKET_MAX = 12
#: Characters kept with the closing bracket of a longer bracketed phrase.
CJK_TAIL = 3
_CJK = ("zh", "ja", "ko")
_BRACKETS = {
    "（": "）",
    "(": ")",
    "「": "」",
    "『": "』",
    "【": "】",
    "《": "》",
    "〈": "〉",
    "［": "］",
}
#: CLDR units a health sheet writes after a number (unit_patterns keys).
_UNITS = [
    "duration-century",
    "duration-decade",
    "duration-year",
    "duration-month",
    "duration-week",
    "duration-day",
    "duration-hour",
    "duration-minute",
    "duration-second",
    "mass-kilogram",
    "mass-gram",
    "mass-milligram",
    "mass-microgram",
    "mass-pound",
    "mass-ounce",
    "volume-liter",
    "volume-milliliter",
    "volume-deciliter",
    "volume-cup",
    "volume-teaspoon",
    "volume-tablespoon",
    "length-meter",
    "length-centimeter",
    "length-millimeter",
    "length-inch",
    "length-foot",
    "concentr-percent",
    "concentr-permille",
    "temperature-celsius",
    "temperature-fahrenheit",
    "energy-foodcalorie",
    "energy-kilocalorie",
]
_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?(?:\s?[–-]\s?\d+(?:[.,]\d+)?)?"
#: A word that mixes letters and digits, joined by - / . (PIK3CA, BRCA1/BRCA2, HL-MBC-01).
#: Letters of alphabetic scripts only: \w would run through a whole clause of
#: Chinese or Japanese, which has no spaces between words.
_LETTER = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_ALNUM = re.compile(
    rf"(?<![{_LETTER}0-9])(?=[{_LETTER}0-9./-]*[0-9])(?=[{_LETTER}0-9./-]*[{_LETTER}])"
    rf"[{_LETTER}0-9]+(?:[-/.][{_LETTER}0-9]+)*(?![{_LETTER}0-9])"
)


@dataclass(frozen=True)
class Guard:
    """What to keep whole in one language's text."""

    lang: str
    #: Names never hyphenated: the organisation's, keep_terms, a clinic's.
    names: tuple[str, ...] = ()
    #: Region of the organisation's phone numbers, to read national numbers.
    region: str | None = None
    rtl: bool = False

    def with_names(self, *names: str) -> Guard:
        extra = tuple(n for n in names if n and n not in self.names)
        return Guard(self.lang, self.names + extra, self.region, self.rtl)


def guard_for(org: Org, policy: Policy, lang: str) -> Guard:
    """The guard of one language: the organisation's names and keep_terms, its phone region."""
    phones = [c.number for c in org.channels if c.kind == "phone"]
    return Guard(
        lang=lang,
        names=tuple(dict.fromkeys([org.name, org.short_name, *policy.keep_terms])),
        region=region_of(phones[0]) if phones else None,
        rtl=direction(lang) == "rtl",
    )


@dataclass(frozen=True)
class Stretch:
    start: int
    end: int
    kind: str  # UNBROKEN | UNHYPHENATED | "ltr" | "rtl"


# -- finding ------------------------------------------------------------------------


def _cldr_regex(pattern: str, months: list[str], days: list[str]) -> str:
    """A CLDR date pattern ("MMMM d, y", "y年M月d日") as a regular expression."""
    out = []
    for match in re.finditer(r"'[^']*'|([A-Za-z])\1*|.", pattern, re.S):
        piece = match.group()
        field = piece[0]
        if field == "'":
            out.append(re.escape(piece.strip("'")))
        elif field in "ML" and len(piece) >= 3 or field in "Ec":
            names = months if field in "ML" else days
            out.append("(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + ")")
        elif field in "dMLy":
            out.append(r"\d{1,4}")
        elif field.isascii() and field.isalpha():
            return ""  # a field (era, quarter, week) this search does not expect
        elif piece.isspace() or piece in "\u200f\u200e":
            out.append(r"[\s\u200e\u200f]*")
        else:
            out.append(re.escape(piece))
    return "".join(out)


@cache
def _date_regex(lang: str) -> re.Pattern | None:
    from babel.dates import get_date_format, get_day_names, get_month_names

    locale = babel_locale(lang)
    months, days = [], []
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            months += get_month_names(width, context, locale).values()
            days += get_day_names(width, context, locale).values()
    patterns = {get_date_format(f, locale=locale).pattern for f in ("full", "long", "medium")}
    parts = [_cldr_regex(p, list(set(months)), list(set(days))) for p in sorted(patterns)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in sorted(parts, key=len, reverse=True)))


@cache
def _unit_regex(lang: str) -> re.Pattern:
    from babel.dates import get_period_names

    locale = babel_locale(lang)
    after, before = set(), set()
    patterns = locale._data["unit_patterns"]
    for key in _UNITS:
        for forms in dict(patterns.get(key, {})).values():
            for text in dict(forms).values() if not isinstance(forms, str) else [forms]:
                if not isinstance(text, str) or text.count("{") != 1 or "{0}" not in text:
                    continue
                head, tail = text.split("{0}")
                if tail.strip():
                    after.add(tail.strip())
                elif head.strip():
                    before.add(head.strip())
    for width in ("abbreviated", "wide", "narrow"):
        after |= {v for k, v in get_period_names(width, locale=locale).items() if k in ("am", "pm")}
    after |= {"a.m.", "p.m."} if lang.split("-")[0] == "en" else set()
    tail = "|".join(sorted(map(re.escape, after), key=len, reverse=True))
    head = "|".join(sorted(map(re.escape, before), key=len, reverse=True))
    space = r"[ \u00a0\u202f]?"
    time = r"\d{1,2}(?::\d{2})?"
    number = f"(?<![{_LETTER}0-9.,-])(?:{_NUMBER}|{time})"
    # "2 weeks" but not "2 weekly"; in Chinese, Japanese and Korean a unit runs on into text.
    end = "" if lang.split("-")[0] in _CJK else r"(?![^\W\d_])"
    parts = [f"{number}{space}(?:{tail}){end}"] if tail else []
    if head:
        parts.append(f"(?<![^\\W\\d_])(?:{head}){space}{_NUMBER}")
    parts.append(f"(?<![{_LETTER}0-9.,-]){_NUMBER}{space}[%‰]")
    parts.append(r"\d{1,2}:\d{2}(?:\s?[–-]\s?\d{1,2}:\d{2})?")  # 09:00–19:00
    return re.compile("|".join(parts))


def _names_regex(names: tuple[str, ...]) -> re.Pattern | None:
    words = [re.escape(n).replace(r"\ ", r"\s+") for n in sorted(set(names), key=len, reverse=True)]
    words = [w for w in words if w]
    if not words:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(words) + r")(?![\w])")


def _cjk_brackets(text: str) -> list[Stretch]:
    """Short bracketed phrases whole; of a longer one, its last characters with
    the closing bracket, so that no line holds a bracket and a character or two."""
    out = []
    for index, char in enumerate(text):
        close = _BRACKETS.get(char)
        if close is None:
            continue
        end = text.find(close, index + 1)
        if end == -1 or "\n" in text[index:end]:
            continue
        start = index if end + 1 - index <= CJK_BRACKET_MAX else end - CJK_TAIL
        out.append(Stretch(start, end + 1, UNBROKEN))
    return out


def _strong(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "ltr"
    if kind in ("R", "AL"):
        return "rtl"
    return None


def _other_direction(text: str, rtl: bool) -> list[Stretch]:
    """Runs of words whose strong characters all go the other way than the text."""
    other = "ltr" if rtl else "rtl"
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    kinds = []
    for start, end in words:
        found = {_strong(c) for c in text[start:end]} - {None}
        kinds.append(other if found == {other} else ("none" if not found else "own"))
    runs: list[Stretch] = []
    index = 0
    while index < len(words):
        if kinds[index] != other:
            index += 1
            continue
        last = index
        probe = index + 1
        while probe < len(words) and kinds[probe] in (other, "none"):
            if kinds[probe] == other:
                last = probe
            probe += 1
        start, end = words[index][0], words[last][1]
        # Leading and trailing punctuation belongs to the surrounding sentence.
        while start < end and _strong(text[start]) is None and not text[start].isdigit():
            start += 1
        while end > start and _strong(text[end - 1]) is None and not text[end - 1].isdigit():
            end -= 1
        if start < end:
            runs.append(Stretch(start, end, other))
        index = last + 1
    return runs


def stretches(text: str, guard: Guard) -> list[Stretch]:
    """What to keep whole in ``text`` (no overlaps), then the other-direction runs."""
    found: list[Stretch] = []
    for contact in find_contacts(text, guard.region):
        found.append(Stretch(contact.start, contact.end, UNBROKEN))
    dates = _date_regex(guard.lang)
    for regex, kind in (
        (dates, UNBROKEN),
        (_ALNUM, UNBROKEN),
        (_unit_regex(guard.lang), UNBROKEN),
        (_names_regex(guard.names), UNHYPHENATED),
    ):
        if regex is not None:
            found += [Stretch(m.start(), m.end(), kind) for m in regex.finditer(text)]
    if guard.lang.split("-")[0] in _CJK:
        found += _cjk_brackets(text)
    kept: list[Stretch] = []
    for item in found:  # earlier classes win; a stretch inside a kept one adds nothing
        if item.end > item.start and all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    kept.sort(key=lambda s: s.start)
    runs = [
        run
        for run in _other_direction(text, guard.rtl)
        if all(
            k.end <= run.start or k.start >= run.end or (run.start <= k.start and k.end <= run.end)
            for k in kept
        )
    ]
    return _with_punctuation(text, kept, runs) + runs


def _with_punctuation(text: str, kept: list[Stretch], runs: list[Stretch]) -> list[Stretch]:
    """Each stretch with the punctuation touching it: a line may not start with
    a closing mark or end with an opening one (UAX #14 CL, CP, IS, EX, OP), so a
    stretch kept whole without it could be pushed past the column's edge."""
    edges = {r.start for r in runs} | {r.end for r in runs}
    out = []
    for index, item in enumerate(kept):
        low = kept[index - 1].end if index else 0
        high = kept[index + 1].start if index + 1 < len(kept) else len(text)
        start, end = item.start, item.end
        while end < high and end not in edges and unicodedata.category(text[end]) in _CLOSING:
            end += 1
        while (
            start > low and start not in edges and unicodedata.category(text[start - 1]) in _OPENING
        ):
            start -= 1
        out.append(Stretch(start, end, item.kind))
    return out


_CLOSING = ("Pe", "Pf", "Po")
_OPENING = ("Ps", "Pi")


# -- marking up ---------------------------------------------------------------------


def _open(kind: str) -> str:
    if kind in ("ltr", "rtl"):
        return f'<span dir="{kind}">'
    return f'<span class="{kind}">'


def protect_html(text: str, guard: Guard) -> str:
    """``text`` as escaped HTML, its stretches wrapped in spans."""
    found = stretches(text, guard)
    if not found:
        return html.escape(text, quote=False)
    # Outer spans first at one position; a direction run encloses what it holds.
    events: list[tuple[int, int, str]] = []
    for item in found:
        outer = 0 if item.kind in ("ltr", "rtl") else 1
        events.append((item.start, outer, _open(item.kind)))
        events.append((item.end, -outer, "</span>"))
    events.sort(key=lambda e: (e[0], 0 if e[2] == "</span>" else 1, e[1]))
    out, at = [], 0
    for position, _, markup in events:
        out.append(html.escape(text[at:position], quote=False))
        out.append(markup)
        at = position
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


def protect_inline(children: list[Token], guard: Guard) -> list[Token]:
    """Inline tokens with every run of text (soft line breaks included, so a name
    written over two source lines is found) replaced by its protected HTML."""
    out: list[Token] = []
    run: list[Token] = []

    def flush() -> None:
        if not run:
            return
        text = "".join(t.content if t.type == "text" else "\n" for t in run)
        if stretches(text, guard):
            token = Token("html_inline", "", 0)
            token.content = protect_html(text, guard)
            out.append(token)
        else:
            out.extend(run)
        run.clear()

    for child in children:
        if child.type == "text" or child.type == "softbreak":
            run.append(child)
        else:
            flush()
            out.append(child)
    flush()
    return out
