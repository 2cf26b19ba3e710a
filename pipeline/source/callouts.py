"""``:::`` containers (callout boxes): checked before a sheet body is used.

markdown-it's container plugin closes a container that is never closed at
the end of the document (or of the list item holding it), or at the closing
marker of a later callout, so the sections in between silently disappear
into a box; and a kind it does not know stays a paragraph of raw colons.
Both, a callout inside another and a stray ``:::`` are errors here, each at
the line where it opens, with a "did you mean" for a misspelt kind. A callout
is written as a ``<section>`` with its title as its heading (markdown.py
renders the title, these rules the box).
"""

from __future__ import annotations

import difflib
import re

from markdown_it.token import Token

from ..errors import FactsheetError, InputError, printable

#: Callout kinds when the brand names none.
DEFAULT_CALLOUTS = ("callout",)
_MARKER = re.compile(r"^\s*(:{3,})\s*$")


def check_containers(
    tokens: list[Token],
    lines: list[str],
    display: str,
    first_line: int,
    callouts: tuple[str, ...] = DEFAULT_CALLOUTS,
) -> list[FactsheetError]:
    """Every problem with ``:::`` containers, each at the line where it opens.

    markdown-it closes a container that is never closed at the end of the
    document (or of the list item holding it), or at the closing marker of a
    later callout, so the sections in between disappear into a box: a
    container whose end is not its own ``:::`` line, or one that holds a
    section heading, was not closed where its author meant.
    """
    errors: list[FactsheetError] = []
    open_at: list[Token] = []
    closers: dict[int, Token] = {}
    unclosed: set[int] = set()  # containers already reported: one error each

    def never_closed(token: Token, why: str) -> None:
        if id(token) not in unclosed:
            unclosed.add(id(token))
            errors.append(_unclosed(token, display, first_line, lines, why))

    for token in tokens:
        if token.type == "container_callout_open":
            start, end = token.map or (0, 0)
            kind = token.info.strip().split(" ", 1)[0]
            where = lines[start] if start < len(lines) else ""
            column = where.find(kind) + 1 if kind in where else None
            if kind not in callouts:
                close = difflib.get_close_matches(kind, list(callouts), n=1, cutoff=0.5)
                known = ", ".join(f"'{name}'" for name in callouts)
                errors.append(
                    InputError(
                        f"unknown callout kind '{printable(kind)}'",
                        display,
                        start + first_line,
                        hint=(f"did you mean '{close[0]}'? " if close else "")
                        + f"the brand's callout kinds: {known}; write '::: {callouts[0]} Title'",
                        column=column,
                    )
                )
            if open_at:
                never_closed(open_at[0], "a callout cannot hold another")
            elif end >= len(lines) or not _MARKER.match(lines[end]) or end in closers:
                never_closed(token, "no ':::' line closes it")
            closers[end] = token
            open_at.append(token)
        elif token.type == "container_callout_close" and open_at:
            open_at.pop()
        elif token.type == "heading_open" and token.tag == "h2" and open_at:
            line = (token.map or (0, 0))[0] + first_line
            never_closed(open_at[0], f"the section heading on line {line} is inside")
        elif token.type == "inline" and token.map:
            for offset, text in enumerate(token.content.split("\n")):
                if _MARKER.match(text):
                    errors.append(
                        InputError(
                            "this ':::' closes no callout",
                            display,
                            token.map[0] + offset + first_line,
                            hint="delete it, or open the callout with '::: callout Title' above",
                            column=text.find(":") + 1,
                        )
                    )
    unique: dict[tuple, FactsheetError] = {}
    for error in errors:
        unique.setdefault((error.line, error.message), error)
    return sorted(unique.values(), key=lambda error: error.line or 0)


def _unclosed(
    token: Token, display: str, first_line: int, lines: list[str], why: str
) -> InputError:
    start = (token.map or (0, 0))[0]
    where = lines[start] if start < len(lines) else ""
    return InputError(
        f"callout opened here is never closed ({why})",
        display,
        start + first_line,
        hint="end the callout with a line ':::' after its last line",
        column=where.find(":") + 1 or None,
    )


def _render_open(self, tokens: list[Token], idx: int, options, env) -> str:
    """markdown-it render rule: the box opens as a section headed by its title."""
    token = tokens[idx]
    title_html = token.meta.get("title_html", "")
    kind = token.meta.get("kind", "callout")
    return (
        f'<section class="callout callout-{kind}">\n<h2 class="callout-title">{title_html}</h2>\n'
    )


def _render_close(self, tokens: list[Token], idx: int, options, env) -> str:
    return "</section>\n"


#: markdown-it render rules of the container plugin's tokens (markdown.py installs them).
CALLOUT_RULES = {"container_callout_open": _render_open, "container_callout_close": _render_close}
