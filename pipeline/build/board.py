"""The review board for print coordinators (`factsheet status`): every sheet in
every language, labelled overdue, due soon or current, most urgent first.

"Due soon" is the policy's warning window (review_warning_days), the same
window the review-due-soon rule warns in, so the board and the gate agree. A
sheet that cannot be read is on the board too: nobody can vouch for its dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..source.model import Project
from ..translate.state import translation_state

OVERDUE, DUE_SOON, CURRENT, UNREADABLE = "overdue", "due soon", "current", "unreadable"
LABELS = (OVERDUE, DUE_SOON, CURRENT, UNREADABLE)


@dataclass(frozen=True)
class Row:
    slug: str
    lang: str
    due: str  # one of LABELS
    days_left: int | None
    version: str = ""
    reviewed: str = ""
    next_review: str = ""
    status: str = ""
    translation: str = ""
    problem: str = ""  # why an unreadable sheet cannot be read

    @property
    def when(self) -> str:
        if self.days_left is None:
            return self.problem
        if self.days_left < 0:
            return f"{-self.days_left} day(s) overdue"
        if self.days_left == 0:
            return "due today"
        return f"in {self.days_left} day(s)"

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "lang": self.lang,
            "due": self.due,
            "days_left": self.days_left,
            "when": self.when,
            "version": self.version,
            "reviewed": self.reviewed,
            "next_review": self.next_review,
            "status": self.status,
            "translation": self.translation,
        } | ({"problem": self.problem} if self.problem else {})


def board(project: Project, on: dt.date) -> list[Row]:
    """Every sheet x language with its label, the most urgent first."""
    window = project.policy.review_warning_days
    rows = []
    for (slug, lang), sheet in project.sheets.items():
        front = sheet.front
        days = (front.next_review - on).days
        due = OVERDUE if days < 0 else DUE_SOON if days <= window else CURRENT
        rows.append(
            Row(
                slug,
                lang,
                due,
                days,
                front.version,
                front.reviewed.isoformat(),
                front.next_review.isoformat(),
                front.status,
                translation_state(project, sheet),
            )
        )
    for (slug, lang), broken in project.broken.items():
        problem = f"cannot be read ({len(broken.errors)} error(s))"
        rows.append(Row(slug, lang, UNREADABLE, None, problem=problem))
    order = {UNREADABLE: 0, OVERDUE: 1, DUE_SOON: 2, CURRENT: 3}
    return sorted(
        rows,
        key=lambda r: (order[r.due], r.days_left if r.days_left is not None else 0, r.slug, r.lang),
    )


def totals(rows: list[Row]) -> dict[str, int]:
    return {label: sum(1 for r in rows if r.due == label) for label in LABELS}
