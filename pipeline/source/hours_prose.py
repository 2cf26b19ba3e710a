"""Opening hours stated in prose, read back so they can be compared with org.yaml.

A real sheet says "call 1-877-555-0142, Monday to Thursday 9 a.m. to 7 p.m."
in its body as well as in its help box; the day the hours change, every such
sentence lies unless it is checked. This module finds the hours a text states
next to a channel's number or address, in the text's language: day names,
day-period markers (AM/PM, 上午/下午, 오전/오후 ...), list connectors ("and",
"y", "và") and the interval separator all come from CLDR (Babel), so the same
code reads every language the catalog has. Hour markers that CLDR does not
list (点, 시, giờ, h) and the usual ASCII forms ("a.m.", "pm") are added.

What it reads: day names and ranges of them ("Monday to Thursday", "lunes a
jueves", "周一至周四"), lists ("Monday and Friday"), and time ranges ("9 a.m.
to 7 p.m.", "9:00–19:00", "오전 9시부터 오후 7시까지"). A time range takes the
days written just before it (or just after it, when none come before).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from babel.dates import get_day_names, get_period_names
from babel.lists import format_list

from .contacts import find_contacts
from .langtag import babel_locale
from .model import DAY_KEYS, Channel

_HOUR_MARK = r"(?:点|點|時|시|giờ|h)"
_MINUTE_MARK = r"(?:分|분|phút)"
_NO_DIGIT_GAP = 16  # characters between two times of one range, or two days of one group


@dataclass(frozen=True)
class HoursClaim:
    """Hours a text states for a channel, and whether they agree with the channel's."""

    raw: str
    channel_name: str
    stated: str
    expected: str
    agrees: bool


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str  # day | time
    day: int = 0
    hour: int = 0
    minute: int = 0
    period: str | None = None  # am | pm
    marked: bool = False


def _flexible(text: str) -> str:
    """A regex for a CLDR string that tolerates any spacing and optional dots."""
    parts = [re.escape(c) for c in re.sub(r"[\s\u00a0\u202f]+", " ", text.strip())]
    return "".join(r"\s*" if p == r"\ " else (r"\.?" if p == r"\." else p) for p in parts)


@cache
def _periods(lang: str) -> tuple[re.Pattern, dict[str, str]]:
    locale = babel_locale(lang)
    names: dict[str, str] = {"a.m.": "am", "p.m.": "pm", "am": "am", "pm": "pm"}
    for width in ("abbreviated", "wide", "narrow"):
        for context in ("format", "stand-alone"):
            try:
                found = get_period_names(width, context, locale)
            except KeyError:
                continue
            for key in ("am", "pm"):
                value = found.get(key)
                if value and len(value) > 1 or (value and not value.isascii()):
                    names.setdefault(value.casefold(), key)
    alternatives = sorted(names, key=len, reverse=True)
    pattern = "|".join(_flexible(name) for name in alternatives)
    return re.compile(pattern, re.IGNORECASE), names


def _period_of(text: str, names: dict[str, str]) -> str | None:
    squashed = re.sub(r"[\s.\u00a0\u202f]", "", text.casefold())
    for name, key in names.items():
        if re.sub(r"[\s.\u00a0\u202f]", "", name) == squashed:
            return key
    return None


def _spaced(name: str) -> bool:
    """Whether the script of a day name separates words with spaces (so \\b works)."""
    return not re.search(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", name)


@cache
def _days(lang: str) -> re.Pattern:
    locale = babel_locale(lang)
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for index, name in get_day_names(width, context, locale).items():
                if width == "abbreviated" and not _spaced(name) and len(name) < 2:
                    continue  # a one-character Korean day ("월") is also "month"
                names.setdefault(name.casefold(), index)
    parts = []
    for name in sorted(names, key=len, reverse=True):
        index = names[name]
        if _spaced(name):
            # Inflected forms ("понедельника", "Mondays") share the name's stem;
            # Arabic writes "and", "by", "for" onto the word ("والجمعة").
            inflected = len(name) >= 5 and name.isalpha()
            body = re.escape(name[:-1]) + r"\w{0,3}" if inflected else re.escape(name) + r"\.?"
            clitic = "[وفبل]?" if re.match(r"[\u0600-\u06ff]", name) else ""
            parts.append(rf"(?P<d{index}_{len(parts)}>(?<!\w){clitic}{body}(?!\w))")
        else:
            parts.append(rf"(?P<d{index}_{len(parts)}>{re.escape(name)})")
    return re.compile("|".join(parts), re.IGNORECASE)


@cache
def _list_words(lang: str) -> tuple[str, ...]:
    """What joins the items of a list in the language ("and", "y", "和", ","), from CLDR."""
    locale = babel_locale(lang)
    two = format_list(["\x01", "\x02"], locale=locale)
    three = format_list(["\x01", "\x02", "\x03"], locale=locale)
    words = {
        two.split("\x01")[1].split("\x02")[0].strip(),
        three.split("\x01")[1].split("\x02")[0].strip(),
    }
    return tuple(w for w in words | {",", "、", "،", "&", "/"} if w)


def _tokens(text: str, lang: str) -> list[_Token]:
    tokens: list[_Token] = []
    masked = list(text)
    for match in _days(lang).finditer(text):
        group = next(name for name, value in match.groupdict().items() if value is not None)
        tokens.append(_Token(match.start(), match.end(), "day", day=int(group[1:].split("_")[0])))
        masked[match.start() : match.end()] = " " * (match.end() - match.start())
    periods, names = _periods(lang)
    period = rf"(?:{periods.pattern})"
    time = re.compile(
        rf"(?:(?<![a-zA-Z])(?P<pre>{period})\s*)?(?<![\d.,:/])(?P<h>[0-2]?\d)"
        rf"(?:\s*(?:[:.：]|{_HOUR_MARK})\s*(?P<m>[0-5]\d)?(?:\s*{_MINUTE_MARK})?|(?P<mark>\s*{_HOUR_MARK}))?"
        rf"(?![\d,/])(?:\s*(?P<post>{period})(?!\w))?",
        re.IGNORECASE,
    )
    for match in time.finditer("".join(masked)):
        hour = int(match.group("h"))
        if hour > 24:
            continue
        said = match.group("pre") or match.group("post")
        marked = bool(match.group("m") or said or match.group("mark") or ":" in match.group())
        tokens.append(
            _Token(
                match.start(),
                match.end(),
                "time",
                hour=hour,
                minute=int(match.group("m") or 0),
                period=_period_of(said, names) if said else None,
                marked=marked,
            )
        )
    return sorted(tokens, key=lambda t: t.start)


def _gap(text: str, a: _Token, b: _Token) -> str | None:
    """The text between two tokens if it can join them (short, no digits, no full stop)."""
    between = text[a.end : b.start]
    if len(between) > _NO_DIGIT_GAP or re.search(r"[\d;!?。]|\.\s", between):
        return None
    return between


def _clock(token: _Token, other: _Token | None, twelve: bool, closing: bool) -> int:
    hour = token.hour % 24
    period = token.period
    if period is None and other is not None and other.period is not None and twelve:
        if closing:
            period = "pm" if other.period == "pm" or hour <= other.hour % 12 else "am"
        else:
            period = other.period if hour % 12 <= other.hour % 12 else "am"
    if period is None and twelve and closing and other is not None and hour < other.hour <= 12:
        period = "pm"  # "9 to 5"
    if period == "pm" and hour < 12:
        hour += 12
    elif period == "am" and hour == 12:
        hour = 0
    return hour * 60 + token.minute


@cache
def _twelve_hour(lang: str) -> bool:
    pattern = babel_locale(lang).time_formats["short"].pattern
    return "h" in pattern or "K" in pattern


def _day_set(text: str, days: list[_Token], lang: str) -> set[int]:
    words = _list_words(lang)
    found = {days[0].day}
    for a, b in zip(days, days[1:], strict=False):
        between = text[a.end : b.start]
        if any(w in between for w in words):
            found.add(b.day)
        else:  # a range, which may run over the week's end (Sunday to Thursday)
            day = a.day
            while day != b.day:
                day = (day + 1) % 7
                found.add(day)
    return found


@dataclass(frozen=True)
class _Range:
    start: int
    end: int
    days: frozenset[int] | None
    opens: int
    closes: int


def _ranges(text: str, lang: str) -> list[_Range]:
    tokens = _tokens(text, lang)
    twelve = _twelve_hour(lang)
    out: list[_Range] = []
    groups: list[list[_Token]] = []
    index = 0
    used_days = -1
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "day":
            if (
                groups
                and groups[-1][-1] is tokens[index - 1]
                and _gap(text, tokens[index - 1], token) is not None
            ):
                groups[-1].append(token)
            else:
                groups.append([token])
            index += 1
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is None or following.kind != "time" or _gap(text, token, following) is None:
            index += 1
            continue
        near_days = [g for g in groups if g[-1].end <= token.start and g[0].start > used_days]
        after = tokens[index + 2] if index + 2 < len(tokens) else None
        days: list[_Token] | None = near_days[-1] if near_days else None
        start = days[0].start if days else token.start
        end = following.end
        if (
            days is None
            and after is not None
            and after.kind == "day"
            and _gap(text, following, after) is not None
        ):
            group = [after]
            for later in tokens[index + 3 :]:
                if later.kind != "day" or _gap(text, group[-1], later) is None:
                    break
                group.append(later)
            days, end = group, group[-1].end
            index += len(group)
        if not (token.marked or following.marked or days):
            index += 2
            continue  # "1-3 weeks" is not a time range
        opens = _clock(token, following, twelve, closing=False)
        closes = _clock(following, token, twelve, closing=True)
        day_set = frozenset(_day_set(text, days, lang)) if days else None
        if days:
            used_days = days[-1].start
        out.append(_Range(start, end, day_set, opens, closes))
        index += 2
    return out


def _days_text(days: set[int] | frozenset[int]) -> str:
    parts, run = [], []
    for day in range(7):
        if day in days:
            run.append(day)
        elif run:
            parts.append(run)
            run = []
    if run:
        parts.append(run)
    return ", ".join(
        DAY_KEYS[r[0]] if len(r) == 1 else f"{DAY_KEYS[r[0]]}-{DAY_KEYS[r[-1]]}" for r in parts
    )


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _expected(channel: Channel) -> str:
    return "; ".join(
        f"{span.days} {span.opens:%H:%M}-{span.closes:%H:%M}" for span in channel.hours.open
    )


def _agrees(claim: _Range, channel: Channel) -> bool:
    spans = [
        (span.day_set, _minutes(span.opens), _minutes(span.closes)) for span in channel.hours.open
    ]
    if claim.days is None:
        return any((o, c) == (claim.opens, claim.closes) for _, o, c in spans)
    for day in claim.days:
        if not any(day in days and (o, c) == (claim.opens, claim.closes) for days, o, c in spans):
            return False
    return True


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def stated_hours(
    text: str, lang: str, region: str | None, channels: dict[str, Channel]
) -> list[HoursClaim]:
    """The hours ``text`` states next to a declared channel, each judged against it.

    ``channels`` maps a channel's normalised contact (E.164 or address) to it.
    """
    anchors = [
        (contact.start, channels[contact.value], contact.raw)
        for contact in find_contacts(text, region)
        if contact.value in channels
    ]
    if not anchors:
        return []
    out = []
    for claim in _ranges(text, lang):
        before = [a for a in anchors if a[0] <= claim.start]
        _, channel, raw = before[-1] if before else anchors[0]
        stated = (f"{_days_text(claim.days)} " if claim.days else "") + (
            f"{_hm(claim.opens)}-{_hm(claim.closes)}"
        )
        out.append(
            HoursClaim(
                raw=text[claim.start : claim.end],
                channel_name=f"{channel.id} ({raw})",
                stated=stated,
                expected=_expected(channel),
                agrees=_agrees(claim, channel),
            )
        )
    return out
