"""The calendar: the one clock the pipeline reads, and month arithmetic for review cycles."""

from __future__ import annotations

import datetime as dt
import os

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
