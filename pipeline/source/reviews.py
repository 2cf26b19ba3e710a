"""The review trail: which text of a sheet was approved, by whom, in what role, when.

`factsheet approve` appends one entry per approval to sheets/<slug>/reviews.yaml
(diff-friendly: one short YAML block per approval, never rewritten) and sets
the sheet's ``status: approved``. An approval counts only for the exact text it
names (``content``, a hash of the front matter values a reader sees and the
body as written), so a sheet edited after its approval, or a translation
copied from an approved file, is no longer approved; checks/review.py reports
it. Only loader.py reads the log; this module works on text and the model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from .model import Approval, Project, Sheet

REVIEW_LOG = "reviews.yaml"
#: Document-info key with the sheet's status (draft, in-review, approved,
#: machine-translated): the gate and the catalog read it back from the PDF.
STATUS_KEY = "FactsheetStatus"
LOG_HEADER = (
    "# Review log: `factsheet approve` appends one entry per approval.\n"
    "# An approval counts only for the exact text it names (content); do not edit.\n"
    "approvals:\n"
)
#: The comment translation import writes into a draft's front matter.
_DRAFT_COMMENT = re.compile(r"^#\s*Draft translation\b.*$")


def approval_hash(sheet: Sheet) -> str:
    """A hash of what the reader gets: the values the front matter prints, and the
    body as written (trailing white space ignored). Status and review dates are
    left out: approving changes the status, and dates have their own rules."""
    front = sheet.front
    values = [
        front.id,
        front.lang,
        front.version,
        front.title,
        front.series or "",
        front.summary or "",
        front.audience,
        "\x1f".join(front.keywords),
    ]
    lines = "\n".join(line.rstrip() for line in _body(sheet.source_text).strip().split("\n"))
    digest = hashlib.sha256("\x1e".join([*values, lines]).encode())
    return "sha256:" + digest.hexdigest()[:32]


def _body(text: str) -> str:
    """What follows the front matter's closing line."""
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[index + 1 :])
    return ""


def approvals_of(project: Project, sheet: Sheet) -> list[Approval]:
    """The log's approvals of this sheet's language, newest first."""
    log = project.approvals.get(sheet.slug, ())
    return [entry for entry in reversed(log) if entry.lang == sheet.lang]


def current_approval(project: Project, sheet: Sheet) -> Approval | None:
    """The newest approval of exactly this text, or None."""
    content = approval_hash(sheet)
    return next((a for a in approvals_of(project, sheet) if a.content == content), None)


def approved_text(text: str) -> str:
    """The sheet's text with ``status: approved`` and without the "Draft
    translation" comment that translation import writes; the rest unchanged."""
    lines = text.split("\n")
    out = [lines[0]]
    index = 1
    while index < len(lines) and lines[index].strip() not in ("---", "..."):
        line = lines[index]
        if re.match(r"^status\s*:", line):
            comment = re.search(r"\s#.*$", line)
            line = "status: approved" + (comment.group(0) if comment else "")
        if not _DRAFT_COMMENT.match(line.strip()):
            out.append(line)
        index += 1
    return "\n".join(out + lines[index:])


def log_entry(approval: Approval) -> str:
    """One approval as a YAML block to append under ``approvals:``."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"  - lang: {approval.lang}",
        f"    version: {quoted(approval.version)}",
        f"    by: {quoted(approval.by)}",
    ]
    if approval.role:
        lines.append(f"    role: {quoted(approval.role)}")
    lines.append(f"    date: {approval.date.isoformat()}")
    if approval.previous:
        lines.append(f"    previous: {approval.previous}")
    lines.append(f"    content: {approval.content}")
    return "\n".join(lines) + "\n"


def appended_log(existing: str | None, approval: Approval) -> str:
    """The review log's new text: the old text untouched, one entry added."""
    if not existing or not existing.strip():
        return LOG_HEADER + log_entry(approval)
    text = existing if existing.endswith("\n") else existing + "\n"
    if re.search(r"^approvals:\s*\[\s*\]\s*$", text, re.M):
        text = re.sub(r"^approvals:\s*\[\s*\]\s*$", "approvals:", text, flags=re.M)
    return text + log_entry(approval)


def new_approval(
    sheet: Sheet, by: str, role: str | None, on: dt.date, content: str | None = None
) -> Approval:
    return Approval(
        lang=sheet.lang,
        version=sheet.front.version,
        by=by,
        role=role,
        date=on,
        previous=sheet.front.status if not sheet.front.approved else None,
        content=content or approval_hash(sheet),
    )
