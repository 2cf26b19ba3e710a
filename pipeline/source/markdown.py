"""Markdown -> safe HTML, plus the facts checks need (headings, links, units).

CommonMark via markdown-it-py with raw HTML off, GFM tables, and two plugins:
``[text]{lang=es}`` spans (mdit-py-plugins attrs) for inline language changes,
and ``::: callout Title`` containers for boxes such as "Resources" (the kinds
come from the brand; callouts.py checks them). Link targets: hrefs.py.

Sheet text is never trusted: attributes are allow-listed, link targets are
resolved here (``sheet:slug`` to the published PDF) and a link whose scheme is
not allowed loses its target (the source checks report it with its line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin

from ..errors import InputError, raise_all
from .callouts import CALLOUT_RULES, DEFAULT_CALLOUTS, check_containers
from .cldr import direction
from .hrefs import SAFE_SCHEMES, link_scheme, sheet_target
from .langtag import check_language_tag
from .linebreak import Guard, protect_inline
from .model import Body, Heading, Image, Link, Policy, Unit
from .unitids import IdMaker, split_explicit_id, take_explicit_id


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(attrs_plugin, spans=True, allowed=["lang", "class"])
    # Any word opens a container, so that an unknown kind is reported instead of
    # printed as raw colons (check_containers); a bare ":::" only closes one.
    md.use(container_plugin, name="callout", validate=lambda params, markup: bool(params.strip()))
    # Accept every target here so that dangerous ones are seen and reported with
    # their line instead of silently turning into text; rendering drops them.
    md.validateLink = lambda url: True
    return md


_MD = _parser()


def parse_inline(text: str) -> list[Token]:
    """The inline tokens of a Markdown fragment (one paragraph's worth), parsed
    exactly as sheet text is: the children of its single inline token."""
    tokens = _MD.parseInline(text)
    return (tokens[0].children or []) if tokens else []


@dataclass
class _State:
    """What a walk over the tokens collects."""

    display: str
    first_line: int
    units: list[Unit] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    outline: list[str] = field(default_factory=list)
    langs: list[tuple[str, int]] = field(default_factory=list)
    section: str = ""
    ids: IdMaker = field(default_factory=IdMaker)
    #: What lines may not break inside (linebreak.py); None: nothing is wrapped.
    guard: Guard | None = None


def parse_body(
    text: str,
    display: str,
    first_line: int,
    resolve_link: Callable[[str], str],
    resolve_image: Callable[[str, int], str],
    max_depth: int = 4,
    limits: Policy.Limits | None = None,
    callouts: tuple[str, ...] = DEFAULT_CALLOUTS,
    guard: Guard | None = None,
) -> Body:
    """Parse a sheet body.

    ``resolve_link`` maps a ``sheet:`` target to a URL; ``resolve_image`` maps an
    image path to a URL the renderer may fetch (it raises InputError itself).
    ``limits`` bound the work the body may cause (items, headings, nesting);
    ``callouts`` are the container kinds the brand styles; ``guard`` says what
    lines may not break inside (linebreak.py).
    """
    tokens = _MD.parse(text)
    state = _State(display, first_line, guard=guard)
    check_size(tokens, state, limits or Policy.Limits(max_list_depth=max_depth))
    raise_all(check_containers(tokens, text.split("\n"), display, first_line, callouts))
    _walk(tokens, state, resolve_link, resolve_image)
    tokens = _wrap_sections(tokens)
    body_html = _MD.renderer.render(tokens, _MD.options, {})
    return Body(
        html=body_html,
        units=tuple(state.units),
        headings=tuple(state.headings),
        links=tuple(state.links),
        images=tuple(state.images),
        outline=tuple(state.outline),
        langs=tuple(state.langs),
    )


def render_inline(
    text: str, display: str, line: int, guard: Guard | None = None
) -> tuple[str, list[tuple[str, int]]]:
    """Inline Markdown of a shared block -> HTML; returns the HTML and its lang spans."""
    tokens = _MD.parseInline(text)
    state = _State(display, line, guard=guard)
    for token in tokens:
        _check_children(token.children or [], state, line, lambda href: href, lambda s, n: s)
    _keep_whole(tokens, state)
    return _MD.renderer.render(tokens, _MD.options, {}), state.langs


def plain_text(inline_source: str) -> str:
    """The text a reader sees for an inline Markdown fragment (no markup)."""
    out = []
    for child in parse_inline(inline_source):
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def check_size(tokens: list[Token], state: _State, limits: Policy.Limits) -> None:
    """Refuse a body that would take the renderer minutes before any page limit is seen:
    too many list items or headings, or markup nested deeper than any sheet needs
    (the renderer recurses once per level; thousands of levels exhaust its stack)."""
    items = headings = depth = lists = 0
    for token in tokens:
        depth += token.nesting
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
            if lists > limits.max_list_depth:
                raise InputError(
                    f"lists nest {lists} deep, more than {limits.max_list_depth}",
                    state.display,
                    _line(token, state),
                    hint="flatten the list; readers lose their place in deep lists",
                )
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif token.type == "list_item_open":
            items += 1
            if items > limits.max_list_items:
                raise _too_many(
                    state,
                    token,
                    f"more than {limits.max_list_items:,} list items",
                    "max_list_items",
                )
        elif token.type == "heading_open":
            headings += 1
            if headings > limits.max_headings:
                raise _too_many(
                    state, token, f"more than {limits.max_headings:,} headings", "max_headings"
                )
        inline = deepest = 0
        for child in token.children or []:
            inline += child.nesting
            deepest = max(deepest, inline)
        if depth + deepest > limits.max_markup_depth:
            raise InputError(
                f"markup nests more than {limits.max_markup_depth} levels deep "
                "(lists, callouts, quotes, emphasis, links)",
                state.display,
                _line(token, state),
                hint="simplify the formatting, or raise limits.max_markup_depth in policy.yaml",
            )


def _too_many(state: _State, token: Token, what: str, limit: str) -> InputError:
    return InputError(
        f"the sheet has {what}",
        state.display,
        _line(token, state),
        hint=f"split it into several sheets, or raise limits.{limit} in policy.yaml",
    )


def _line(token: Token, state: _State) -> int:
    return (token.map[0] if token.map else 0) + state.first_line


def _walk(tokens, state, resolve_link, resolve_image) -> None:
    depth = 0
    in_item = 0
    for index, token in enumerate(tokens):
        line = _line(token, state)
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1  # at most max_depth: check_size saw to that
            state.outline.append(f"{token.tag}{depth}")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            state.outline.append(f"/{token.tag}")
        elif kind == "list_item_open":
            in_item += 1
            state.outline.append("li")
        elif kind == "list_item_close":
            in_item -= 1
        elif kind == "heading_open":
            level = int(token.tag[1])
            text = split_explicit_id(tokens[index + 1].content)[0]
            state.headings.append(Heading(level, text, line))
            state.section = text
            state.outline.append(token.tag)
        elif kind == "container_callout_open":
            callout, _, title = token.info.strip().partition(" ")
            title = title.strip()
            if not title:
                raise InputError(
                    "callout has no title",
                    state.display,
                    line,
                    hint=f"write '::: {callout} Resources'",
                )
            token.meta["kind"] = callout
            title, explicit = split_explicit_id(title)
            unit_id = state.ids.claim("callout-title", title, state, explicit, line)
            state.units.append(Unit(unit_id, "callout-title", title, line, state.section))
            state.outline.append("callout")
            # The title's links and images take the same path as any other text's:
            # recorded for the checks, unsafe targets dropped, sheet: links resolved.
            inline = _MD.parseInline(title)
            for part in inline:
                _check_children(part.children or [], state, line, resolve_link, resolve_image)
            _keep_whole(inline, state)
            token.meta["title"] = title
            token.meta["title_html"] = _MD.renderer.render(inline, _MD.options, {})
        elif kind == "container_callout_close":
            state.outline.append("/callout")
        elif kind in ("code_block", "fence"):
            raise InputError(
                "code blocks are not part of a fact sheet",
                state.display,
                line,
                hint="indenting a line by 4 spaces makes a code block; remove the indent",
            )
        elif kind == "html_block":
            # Raw HTML is off, so this cannot happen; keep the guarantee explicit.
            raise InputError("raw HTML is not allowed", state.display, line)
        elif kind == "inline":
            parent = tokens[index - 1].type if index else ""
            unit_kind = {
                "heading_open": "heading",
                "th_open": "cell",
                "td_open": "cell",
            }.get(parent, "item" if in_item else "paragraph")
            explicit, unit_id = take_explicit_id(token), ""
            if token.content.strip():
                unit_id = state.ids.claim(unit_kind, token.content, state, explicit, line)
                state.units.append(Unit(unit_id, unit_kind, token.content, line, state.section))
            if parent == "paragraph_open":
                state.outline.append("p")
            _check_children(token.children or [], state, line, resolve_link, resolve_image)
            alts = [c for c in token.children or [] if c.type == "image" and not c.attrGet("class")]
            for number, child in enumerate(alts, start=1):
                alt_id = f"{unit_id}.alt" + (str(number) if number > 1 else "")
                state.units.append(Unit(alt_id, "alt", child.content, line, state.section))
            _keep_whole([token], state)


def _keep_whole(inline: list[Token], state: _State) -> None:
    """Wrap what a line may not break inside (contacts, names, dates ...) in spans."""
    if state.guard is not None:
        for token in inline:
            token.children = protect_inline(token.children or [], state.guard)


def _check_children(children: list[Token], state: _State, line: int, resolve_link, resolve_image):
    """Check and rewrite inline tokens; record each link with the text it shows."""
    link_start = None
    for position, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1  # a link or image on a later line of the paragraph has that line
        _check_inline(child, state, line, resolve_link, resolve_image)
        if child.type == "link_open":
            link_start = position
        elif child.type == "link_close" and link_start is not None:
            inner = children[link_start + 1 : position]
            text = "".join(t.content for t in inner if t.type in ("text", "code_inline", "image"))
            last = state.links[-1]
            state.links[-1] = Link(last.href, text.strip(), last.line)
            link_start = None


def _check_inline(child: Token, state: _State, line: int, resolve_link, resolve_image) -> None:
    if child.type == "link_open":
        href = str(child.attrGet("href") or "")
        state.links.append(Link(href, "", line))
        scheme = link_scheme(href)
        target = sheet_target(href)
        if target:
            child.attrSet("href", resolve_link(target))
        elif scheme not in SAFE_SCHEMES or scheme == "sheet":
            # Not a link anyone should follow: keep the text, drop the target.
            child.attrs.pop("href", None)
        _only_attrs(child, {"href"}, state, line)
    elif child.type == "link_close":
        pass
    elif child.type == "image":
        src = str(child.attrGet("src") or "")
        decorative = child.attrGet("class") == "decorative"
        if child.attrGet("class") not in (None, "decorative"):
            raise InputError(
                f"unknown image class '{child.attrGet('class')}'",
                state.display,
                line,
                hint="the only image class is {.decorative}",
            )
        state.images.append(Image(src, child.content, decorative, line))
        child.attrSet("src", resolve_image(src, line))
        if decorative:
            child.children = []
            child.content = ""
            child.attrSet("alt", "")
            child.attrSet("role", "presentation")
    elif child.type == "span_open":
        lang = child.attrGet("lang")
        if lang is None or child.attrGet("class") is not None:
            raise InputError(
                "a [text]{...} span takes only a lang attribute",
                state.display,
                line,
                hint="write [Se habla español]{lang=es}",
            )
        try:
            check_language_tag(str(lang))
        except ValueError as error:
            raise InputError(str(error), state.display, line) from None
        state.langs.append((str(lang), line))
        # Its own direction, isolated: "We speak English." in an Arabic sentence
        # keeps its full stop at its end (Unicode bidi, UAX #9).
        child.attrSet("dir", direction(str(lang)))
    elif child.attrs and child.type not in ("span_close",):
        raise InputError(
            f"attributes are not allowed on {child.type.replace('_open', '')}",
            state.display,
            line,
            hint="attributes are only for {lang=xx} spans and {.decorative} images",
        )


def _only_attrs(token: Token, allowed: set[str], state: _State, line: int) -> None:
    extra = sorted(set(token.attrs) - allowed)
    if extra:
        raise InputError(
            f"attribute '{extra[0]}' is not allowed on a link",
            state.display,
            line,
            hint="links take no attributes",
        )


def _wrap_sections(tokens: list[Token]) -> list[Token]:
    """Wrap each level-2 heading and what follows in <section>, and callouts in theirs.

    Sections become /Sect structure elements, so a screen reader can move by them.
    """
    out: list[Token] = []
    open_section = False
    container_depth = 0
    for token in tokens:
        if token.type == "container_callout_open":
            container_depth += 1
        elif token.type == "container_callout_close":
            container_depth -= 1
        if token.type == "heading_open" and token.tag == "h2" and container_depth == 0:
            if open_section:
                out.append(_raw("</section>\n"))
            out.append(_raw('<section class="section">\n'))
            open_section = True
        out.append(token)
    if open_section:
        out.append(_raw("</section>\n"))
    return out


def _raw(markup: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = markup
    return token


for _name, _rule in CALLOUT_RULES.items():
    _MD.add_render_rule(_name, _rule)
