"""`factsheet new`: a new sheet with every required part, as a draft.

Its placeholder sentences (PLACEHOLDERS) are there to be replaced: the
``scaffold-placeholder`` rule (checks/review.py) fails the sheet until each is
gone, so a scaffold can never be published as it came.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import InputError
from .atomic import STATE, write_files
from .dates import add_months, today
from .loader import SLUG, Loader
from .model import Project

#: The texts a new sheet starts with, for its author to replace.
DEFAULT_TITLE = "New Fact Sheet"
PLACEHOLDERS = (
    DEFAULT_TITLE,
    "One sentence on what this sheet covers.",
    "People affected by this topic and those close to them",
    "Say in two or three short sentences what this is.",
    "One short point, ending with a full stop.",
    "Another short point.",
)

TEMPLATE = """\
---
id: {sheet_id}
title: {title}
{series_line}lang: {lang}
version: "0.1"
status: draft
reviewed: {reviewed}
next_review: {next_review}
reviewed_by: {reviewer}
audience: {audience}
summary: {summary}
keywords: []
---

## What is it?

{what}

## What can you do?

- {point}
- {another}

::: callout Resources
- Call our helpline at [{phone}]({phone_href}).
- Visit the [{org} website]({website}).
:::
"""


def yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(project: Project, slug: str, title: str, series: str | None, sheet_id: str | None):
    if not SLUG.match(slug):
        raise InputError(
            f"'{slug}' is not a valid slug", hint="use lower-case letters, digits and hyphens"
        )
    folder = project.root / "sheets" / slug
    lang = project.org.default_lang
    path = folder / f"{lang}.md"
    if path.exists():
        raise InputError("sheet already exists", str(path.relative_to(project.root)))
    ids = {s.front.id for s in project.sheets.values()}
    sheet_id = sheet_id or re.sub(r"[^A-Z0-9]+", "-", slug.upper()).strip("-")[:40]
    if sheet_id in ids:
        raise InputError(f"id '{sheet_id}' is taken", hint="pass another one with --id")
    reviewed: dt.date = today()
    phone = next((c for c in project.org.channels if c.kind == "phone"), project.org.channels[0])
    text = TEMPLATE.format(
        sheet_id=sheet_id,
        title=yaml_text(title),
        series_line=f"series: {yaml_text(series)}\n" if series else "",
        lang=lang,
        reviewed=reviewed.isoformat(),
        next_review=add_months(reviewed, project.policy.max_review_interval_months).isoformat(),
        reviewer=yaml_text(f"{project.org.short_name} Medical Advisory Panel"),
        phone=phone.text,
        phone_href=phone.href,
        org=project.org.short_name,
        website=project.org.website,
        summary=PLACEHOLDERS[1],
        audience=PLACEHOLDERS[2],
        what=PLACEHOLDERS[3],
        point=PLACEHOLDERS[4],
        another=PLACEHOLDERS[5],
    )
    try:  # what `new` writes must load and pass; a title of 10,000 characters would not
        Loader(project.root).sheet_from_text(path, text, project.org, project.policy)
    except InputError as error:
        raise InputError(
            f"the new sheet would not load: {error.message}",
            "factsheet new",
            hint="shorten or simplify --title, --series or --id",
        ) from None
    # Staged in output/.factsheet/ like every write: a full disk or a kill leaves
    # no half-written sheet and no temp file among the sheets.
    write_files({path: text.encode("utf-8")}, project.root / "output" / STATE)
    return path.relative_to(project.root)
