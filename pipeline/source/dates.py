"""The calendar: the one clock the pipeline reads, and month arithmetic for review cycles."""

from __future__ import annotations

import datetime as dt
import os
import re

from ..errors import InputError, printable


def today() -> dt.date:
    """Today's date, the only clock the pipeline reads (review rules, `new`).

    FACTSHEET_TODAY=YYYY-MM-DD pins it; otherwise SOURCE_DATE_EPOCH
    (reproducible-builds.org) is honoured; otherwise the system clock.
    """
    pinned = os.environ.get("FACTSHEET_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise InputError(
                f"FACTSHEET_TODAY={printable(pinned, 40)} is not a date",
                "environment",
                hint="write it as YYYY-MM-DD, or unset it",
            ) from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            raise InputError(
                f"SOURCE_DATE_EPOCH={printable(epoch, 40)} is out of range",
                "environment",
                hint="seconds since 1970-01-01, or unset it",
            ) from None
    return dt.date.today()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, on the last day of a shorter month; never past 9999-12-31."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _spoken(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1].title()} {day.year}"


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for index, name in enumerate(_MONTHS, 1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def date_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not a date written YYYY-MM-DD, and how to write it; None if it is.

    Day and month written as numbers in either order (03/06/2026) are ambiguous:
    the message names both readings instead of guessing one.
    """
    if isinstance(value, dt.datetime):
        return (
            f"'{value}' is a date and a time",
            f"write only the date: {value.date().isoformat()}",
        )
    if isinstance(value, dt.date):
        return None
    text = str(value).strip()
    form = "write dates as YYYY-MM-DD (year, month, day), like 2026-03-06"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        if _day(*map(int, text.split("-"))) is None:
            return (
                f"'{text}' is not a day that exists",
                "write dates as YYYY-MM-DD, a day that exists",
            )
        return None
    match = re.fullmatch(r"(\d{4})[/.\s-](\d{1,2})[/.\s-](\d{1,2})", text)
    if match:
        day = _day(*map(int, match.groups()))
        if day is not None:
            return f"'{text}' is not written YYYY-MM-DD", f"write {day.isoformat()}"
    match = re.fullmatch(r"(\d{1,2})[/.\s-](\d{1,2})[/.\s-](\d{2}|\d{4})", text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        if year < 100:
            return (
                f"'{text}' has a two-digit year and day and month in an unclear order",
                form,
            )
        month_first = _day(year, first, second)
        day_first = _day(year, second, first)
        if month_first and day_first and month_first != day_first:
            return (
                f"'{text}' is ambiguous: it could be {_spoken(month_first)} "
                f"or {_spoken(day_first)}",
                f"write {month_first.isoformat()} for {_spoken(month_first)} "
                f"or {day_first.isoformat()} for {_spoken(day_first)} (YYYY-MM-DD)",
            )
        day = month_first or day_first
        if day is not None:
            return f"'{text}' is not written YYYY-MM-DD", f"write {day.isoformat()}"
    match = re.fullmatch(r"(\d{1,2})\.?\s+([A-Za-z]+\.?),?\s+(\d{4})", text) or re.fullmatch(
        r"([A-Za-z]+\.?)\s+(\d{1,2}),?\s+(\d{4})", text
    )
    if match:
        parts = match.groups()
        word, number = (parts[1], parts[0]) if parts[0].isdigit() else (parts[0], parts[1])
        month = _month(word)
        day = _day(int(parts[2]), month, int(number)) if month else None
        if day is not None:
            return f"'{text}' is not written YYYY-MM-DD", f"write {day.isoformat()}"
    return f"'{text}' is not a date", form
