"""Checks on a sheet as written: review dates, links, images, headings, blocks.

Schema problems (unknown keys, malformed hours, bad dates) are refused earlier,
by the loader, with their file:line; these rules need the whole project or the
calendar to decide.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ..errors import printable
from ..source.dates import add_months, today
from ..source.hrefs import link_scheme, missing_scheme, sheet_target
from ..source.markdown import plain_text
from ..source.model import Link, Project, Sheet
from .registry import Finding, finding, rule

REVIEW_FUTURE = rule("review-future", "error", "source", "'reviewed' lies in the future")
REVIEW_INTERVAL = rule(
    "review-interval", "error", "source", "next_review is further out than the policy allows"
)
REVIEW_OVERDUE = rule("review-overdue", "error", "source", "the review date has passed")
REVIEW_DUE_SOON = rule(
    "review-due-soon", "warning", "source", "the review falls due inside the warning window"
)
LINK_EMPTY = rule("link-empty", "error", "source", "a link has no target")
LINK_PLACEHOLDER = rule(
    "link-placeholder", "error", "source", "a link target is a placeholder like #"
)
LINK_SCHEME = rule("link-scheme", "error", "source", "a link uses a scheme outside the allow-list")
LINK_NO_SCHEME = rule(
    "link-missing-scheme",
    "error",
    "source",
    "a link target is a web address, email or phone number without its scheme",
)
LINK_TARGET = rule(
    "link-target", "error", "source", "a relative or sheet: link leads to no sheet of the catalog"
)
LINK_TEXT = rule(
    "link-text", "error", "source", "link text says nothing ('click here', a bare URL)"
)
IMAGE_ALT = rule(
    "image-alt", "error", "source", "an image has no alt text and is not marked decorative"
)
HEADING_H1 = rule(
    "heading-h1", "error", "source", "the body has a level-1 heading (the title is the H1)"
)
HEADING_SKIP = rule("heading-skip", "error", "source", "a heading skips a level")
BLOCK_MISSING = rule(
    "block-missing",
    "error",
    "source",
    "a shared block the policy requires is missing in this language",
)
CONTACT_MISSING = rule(
    "contact-missing", "error", "source", "no contact channel with hours is defined"
)


def check_review(project: Project, sheet: Sheet, on: dt.date | None = None) -> list[Finding]:
    policy = project.policy
    front = sheet.front
    now = on or today()
    out = []
    path = sheet.display
    if front.reviewed > now:
        out.append(
            finding(
                REVIEW_FUTURE,
                path,
                sheet.line_of("reviewed"),
                f"reviewed {front.reviewed} is after today ({now})",
                "write the date the review actually happened",
            )
        )
    limit = add_months(front.reviewed, policy.max_review_interval_months)
    if front.next_review > limit:
        out.append(
            finding(
                REVIEW_INTERVAL,
                path,
                sheet.line_of("next_review"),
                f"next_review {front.next_review} is more than "
                f"{policy.max_review_interval_months} months after reviewed {front.reviewed}",
                f"set next_review on or before {limit}",
            )
        )
    days_left = (front.next_review - now).days
    if days_left < 0:
        out.append(
            finding(
                REVIEW_OVERDUE,
                path,
                sheet.line_of("next_review"),
                f"review was due on {front.next_review}, {-days_left} days ago",
                "review the sheet, then update reviewed and next_review",
            )
        )
    elif days_left <= policy.review_warning_days:
        out.append(
            finding(
                REVIEW_DUE_SOON,
                path,
                sheet.line_of("next_review"),
                f"review falls due on {front.next_review}, in {days_left} days",
                "plan the review now",
            )
        )
    return out


_PLACEHOLDERS = re.compile(
    r"^(#.*|about:blank|javascript:void\(0\);?|todo|tbd|xxx|url|link)$", re.I
)
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.I)


def check_links(project: Project, sheet: Sheet) -> list[Finding]:
    return link_findings(project, sheet.body.links, sheet.display)


def link_findings(project: Project, links: Iterable[Link], path: str) -> list[Finding]:
    """The one link policy, for links anywhere text is written: a sheet's body and
    callout titles, shared blocks and labels (checks/contacts.py)."""
    policy = project.policy
    allowed = {s.lower() for s in policy.allowed_link_schemes}
    vague = {v.casefold().strip(" .!") for v in policy.link_text.vague}
    out = []
    for link in links:
        href = link.href.strip()
        if not href:
            out.append(
                finding(
                    LINK_EMPTY,
                    path,
                    link.line,
                    f"link '{link.text}' has no target",
                    "write the full https:// address",
                )
            )
            continue
        if _PLACEHOLDERS.match(href):
            out.append(
                finding(
                    LINK_PLACEHOLDER,
                    path,
                    link.line,
                    f"link '{link.text}' points to the placeholder '{href}'",
                    "link to the real page or remove the link",
                )
            )
            continue
        target = sheet_target(href)
        scheme = link_scheme(href)
        meant = missing_scheme(href)
        if meant is not None:
            out.append(
                finding(
                    LINK_NO_SCHEME,
                    path,
                    link.line,
                    f"link '{printable(link.text)}' has no scheme: '{printable(href[:60])}' "
                    "would be read as a file of this catalog",
                    f"write ({printable(meant[:80])})",
                )
            )
        elif target is not None:
            if target not in project.slugs:
                out.append(
                    finding(
                        LINK_TARGET,
                        path,
                        link.line,
                        f"link '{link.text}' leads to no sheet ('{href}')",
                        f"known sheets: {', '.join(project.slugs)}",
                    )
                )
        elif scheme not in allowed:
            out.append(
                finding(
                    LINK_SCHEME,
                    path,
                    link.line,
                    f"link scheme '{scheme}:' is not allowed ('{href[:60]}')",
                    f"allowed: {', '.join(sorted(allowed))} and sheet:",
                )
            )
        text = link.text.casefold().strip(" .!")
        if text in vague or not text:
            out.append(
                finding(
                    LINK_TEXT,
                    path,
                    link.line,
                    f"link text '{link.text}' does not say where the link goes",
                    "name the destination, like 'Questions to Ask Your Doctor'",
                )
            )
        elif policy.link_text.forbid_bare_urls and _BARE_URL.match(link.text.strip()):
            out.append(
                finding(
                    LINK_TEXT,
                    path,
                    link.line,
                    f"link text is a bare URL ('{link.text}')",
                    "name the destination; screen readers spell URLs out",
                )
            )
    return out


def check_images(sheet: Sheet) -> list[Finding]:
    return [
        finding(
            IMAGE_ALT,
            sheet.display,
            image.line,
            f"image '{image.src}' has no alt text",
            "describe it in ![...](), or mark a purely decorative image with {.decorative}",
        )
        for image in sheet.body.images
        if not image.decorative and not plain_text(image.alt).strip()
    ]


def check_headings(sheet: Sheet) -> list[Finding]:
    out = []
    previous = 1  # the template's H1 (the title)
    for heading in sheet.body.headings:
        if heading.level == 1:
            out.append(
                finding(
                    HEADING_H1,
                    sheet.display,
                    heading.line,
                    f"'# {heading.text}' is a second level-1 heading",
                    "the title is the H1; start sections with ##",
                )
            )
        elif heading.level > previous + 1:
            out.append(
                finding(
                    HEADING_SKIP,
                    sheet.display,
                    heading.line,
                    f"heading '{heading.text}' jumps from level {previous} to {heading.level}",
                    f"use {'#' * (previous + 1)} here",
                )
            )
        previous = heading.level
    return out


def check_blocks(project: Project, sheet: Sheet) -> list[Finding]:
    out = []
    required = project.policy.required
    if sheet.lang not in project.blocks:
        missing = [name for name in ("disclaimer", "contact_hours") if name in required]
        if missing or required:
            out.append(
                finding(
                    BLOCK_MISSING,
                    sheet.display,
                    sheet.line_of("lang"),
                    f"no shared blocks (disclaimer, help text, labels) in '{sheet.lang}'",
                    f"create sheets/_org/blocks/{sheet.lang}.yaml",
                )
            )
    if "contact_hours" in required and not project.org.channels:
        out.append(
            finding(
                CONTACT_MISSING,
                "sheets/_org/org.yaml",
                None,
                "org.yaml defines no contact channel",
                "add a channel with hours",
            )
        )
    return out


def check_source(project: Project, sheet: Sheet, on: dt.date | None = None) -> list[Finding]:
    """Every source rule for one sheet."""
    return [
        *check_review(project, sheet, on),
        *check_links(project, sheet),
        *check_images(sheet),
        *check_headings(sheet),
        *check_blocks(project, sheet),
    ]
