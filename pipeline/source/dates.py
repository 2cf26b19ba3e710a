"""The calendar: the one clock the pipeline reads, and month arithmetic for review cycles."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """Today's date, the only clock the pipeline reads (review rules, `new`).

    FACTSHEET_TODAY=YYYY-MM-DD pins it; otherwise SOURCE_DATE_EPOCH
    (reproducible-builds.org) is honoured; otherwise the system clock.
    """
    pinned = os.environ.get("FACTSHEET_TODAY")
    if pinned:
        return dt.date.fromisoformat(pinned)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
