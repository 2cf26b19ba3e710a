"""Contacts a patient can trust: every number, address and link, wherever it is written.

For one sheet this reads its whole source (front matter, body, callout titles,
link texts and targets) and the shared blocks and labels of its language, and
refuses, with the line and a hint:

- invisible or direction-changing characters inside a contact, or in text where
  no script needs them (contact-invisible);
- digits of two numbering systems in one number, or of a system that is not the
  language's (contact-digits): a Bengali ৪ never passes as 8;
- link text that reads as a phone, email or web address other than its target
  (contact-link-text);
- domains, email addresses and numbers spelt with letters that mix scripts or
  imitate a Latin one (contact-confusable, UTS #39);
- contacts that cannot be parsed (contact-invalid) or that are neither a
  declared channel (org.yaml, a clinic) nor a known contact of policy.yaml
  (contact-unknown);
- hours stated in prose beside a channel that differ from its hours
  (contact-hours-prose).

Every link of a block or label takes the same scheme policy as a sheet's
(source.link_findings): there is no second path. The parsing is
source/contacts.py's; channel displays are refused while loading (model.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import FactsheetError
from ..source import contacts as cx
from ..source.cldr import direction
from ..source.clinics import known_clinics, load_clinic
from ..source.domain_names import site_key
from ..source.hours_prose import HoursClaim, stated_hours
from ..source.lookalikes import check_address
from ..source.markdown import parse_inline, plain_text
from ..source.model import Channel, Link, Project, Sheet
from ..source.units import BLOCK_NAMES
from .registry import Finding, finding, rule
from .source import link_findings

INVISIBLE = rule(
    cx.INVISIBLE,
    "error",
    "source",
    "an invisible or direction-changing character inside a contact, or where no script needs it",
)
DIGITS = rule(
    cx.DIGITS,
    "error",
    "source",
    "a number mixes digits of two scripts, or uses digits that are not the language's",
)
DISPLAY = rule(
    cx.DISPLAY,
    "error",
    "source",
    "a channel's display does not show exactly the digits of its number, or keypad letters"
    " that dial them (refused on load)",
)
LINK_TEXT = rule(
    cx.LINK_TEXT,
    "error",
    "source",
    "link text reads as a phone number, email or web address other than the link's target",
)
CONFUSABLE = rule(
    cx.CONFUSABLE,
    "error",
    "source",
    "a domain, email address or phone number's letters mix scripts or imitate Latin ones (UTS #39)",
)
INVALID = rule(
    cx.INVALID,
    "error",
    "source",
    "a phone number, email or web address that cannot be parsed, or a tel: link that cannot dial",
)
UNKNOWN = rule(
    cx.UNKNOWN,
    "error",
    "source",
    "a contact that is neither a declared channel nor a known contact in policy.yaml",
)
HOURS_PROSE = rule(
    cx.HOURS_PROSE,
    "error",
    "source",
    "hours stated in prose next to a channel differ from the channel's hours",
)


@dataclass
class Directory:
    """Every contact a sheet may print, by normalised value, with who owns it."""

    region: str | None
    owners: dict[str, str] = field(default_factory=dict)  # value or host -> owner
    channels: dict[str, Channel] = field(default_factory=dict)  # value -> channel
    domains: set[str] = field(default_factory=set)

    def add(self, contact: cx.Contact | None, owner: str, channel: Channel | None = None) -> None:
        if contact is None or contact.value is None:
            return
        self.owners.setdefault(_key(contact), owner)
        if channel is not None:
            self.channels.setdefault(contact.value, channel)
        if contact.host:
            self.domains.add(contact.host)

    def owner(self, contact: cx.Contact) -> str | None:
        return self.owners.get(_key(contact))


def _key(contact: cx.Contact) -> str:
    """What a declared contact and a written one share when they have one owner: the
    number, the address, or a web address's registrable domain (Public Suffix List),
    so 'harborlight.example/help' is the site of www.harborlight.example."""
    if contact.kind == "web" and contact.host:
        return site_key(contact.host)
    return contact.value or ""


def _channel_contact(channel: Channel) -> cx.Contact:
    if channel.kind == "phone":
        return cx.phone(channel.number or "", None)
    return cx.email(channel.address or "")


def directory(project: Project) -> Directory:
    """Declared channels (org.yaml and every clinic) and policy.yaml's known contacts:
    the same for every sheet, so worked out once per loaded project."""
    return project.derived("contact_directory", lambda: _directory(project))


def _directory(project: Project) -> Directory:
    org = project.org
    phones = [c.number for c in org.channels if c.kind == "phone" and c.number]
    found = Directory(cx.region_of(phones[0]) if phones else None)
    for channel in org.channels:
        found.add(_channel_contact(channel), f"org.yaml channel '{channel.id}'", channel)
    for url in (org.website, org.publish_base_url):
        found.add(cx.web(url), "org.yaml")
    for clinic_id in known_clinics(project):
        try:
            clinic = load_clinic(project, clinic_id)
        except FactsheetError:
            continue  # reported with its line when the clinic is used (--imprint)
        for channel in clinic.channels:
            found.add(_channel_contact(channel), f"clinic '{clinic_id}'", channel)
    for known in project.policy.known_contacts:
        if known.phone:
            found.add(cx.phone(known.phone, None), known.owner)
        elif known.email:
            found.add(cx.email(known.email), known.owner)
        elif known.web:
            found.add(cx.web(known.web), known.owner)
    return found


@dataclass(frozen=True)
class Text:
    """One piece of text a user wrote: where it is, and whether it is prose Markdown."""

    path: str
    line: int
    source: str  # Markdown inline source
    lines: tuple[str, ...] = ()  # the file's lines, to find the exact line of a contact


def _line_of(text: Text, needle: str) -> int:
    for offset, content in enumerate(text.lines[text.line - 1 :]):
        if needle and needle in content:
            return text.line + offset
    return text.line


class Checker:
    """Runs every contact rule over the texts of one sheet (or one block file)."""

    def __init__(self, project: Project, lang: str) -> None:
        self.project = project
        self.lang = lang
        self.rtl = direction(lang) == "rtl"
        self.book = directory(project)
        self.out: list[Finding] = []
        #: Link texts that show another contact than their link's target.
        self.misleading: set[str] = set()

    def add(self, rule_id: str, path: str, line: int, message: str, hint: str) -> None:
        self.out.append(finding(rule_id, path, line, message, hint))

    # -- characters, line by line of the raw text -------------------------------

    def characters(self, path: str, lines: Iterable[str], first: int = 1) -> None:
        for number, content in enumerate(lines, first):
            found = cx.find_contacts(content, self.book.region)
            for item in cx.stray_invisibles(content, self.rtl, found):
                self.add(INVISIBLE, path, number, item.message, item.hint)
            for problem in cx.digit_problems(content, self.lang):
                self.add(DIGITS, path, number, problem.message, problem.hint)

    # -- contacts in prose, link targets and link texts ---------------------------

    def contact(self, item: cx.Contact, path: str, line: int, what: str = "") -> None:
        if item.flaw in ("invisible", "digits"):
            return  # the character rules report it, with its line
        shown = f"{what}{item.noun} '{cx.visible(item.raw)}'"
        if item.flaw == "invalid" or item.value is None:
            self.add(
                INVALID,
                path,
                line,
                f"{shown} cannot be used: {item.problem}",
                "write the full number with its area code, or the full address",
            )
            return
        if item.flaw == "confusable":
            self.add(
                CONFUSABLE,
                path,
                line,
                f"{shown} is spelt with {item.problem}",
                "type its letters again in Latin capitals A-Z, or print the digits",
            )
            return
        if item.kind in ("email", "web") and item.host:
            address = item.value if item.kind == "email" else item.host
            lookalike = check_address(address, self.book.domains)
            if lookalike is not None:
                self.add(CONFUSABLE, path, line, lookalike.message, lookalike.hint)
                return
        if self.book.owner(item) is None:
            self.add(UNKNOWN, path, line, f"{shown} is not a declared contact", self._hint(item))

    def _hint(self, item: cx.Contact) -> str:
        same_kind = [
            value
            for value in self.book.owners
            if (item.kind == "phone") == value.startswith("+")
            and (item.kind == "email") == ("@" in value)
        ]
        close = difflib.get_close_matches(_key(item), same_kind, n=1, cutoff=0.7)
        where = (
            "declare it as a channel in org.yaml or a clinic, or list it under known_contacts "
            "in policy.yaml with its owner"
        )
        if close:
            return f"did you mean {close[0]} ({self.book.owners[close[0]]})? else {where}"
        return where

    def prose(self, text: Text) -> None:
        shown = plain_text(text.source)
        for item in cx.find_contacts(shown, self.book.region):
            if item.raw in self.misleading:
                continue  # the link that shows it is reported by contact-link-text
            self.contact(item, text.path, _line_of(text, item.raw))
        claims = stated_hours(shown, self.lang, self.book.region, self.book.channels)
        for claim in claims:
            self._hours(claim, text)

    def _hours(self, claim: HoursClaim, text: Text) -> None:
        if claim.agrees:
            return
        self.add(
            HOURS_PROSE,
            text.path,
            _line_of(text, claim.raw.split()[0] if claim.raw else ""),
            f"'{claim.raw}' next to {claim.channel_name} says {claim.stated}, "
            f"but its hours are {claim.expected}",
            "write the hours as org.yaml gives them (or change org.yaml, the source of truth)",
        )

    def links(self, links: Iterable[Link], path: str) -> None:
        """Link texts against their targets, and the contacts targets reach (the scheme
        policy is source.link_findings, which runs on every link as well)."""
        for link in links:
            target = cx.parse_target(link.href, self.book.region)
            reads = cx.reads_as(link.text, self.book.region)
            if (
                reads is not None
                and reads.flaw is None
                and (target is None or not cx.same(reads, target))
            ):
                self.misleading.add(link.text)
                self.add(
                    LINK_TEXT,
                    path,
                    link.line,
                    f"link text '{cx.visible(link.text)}' reads as the {reads.noun} "
                    f"{reads.value}, but the link goes to '{cx.visible(link.href)}'",
                    "make the text show exactly what the link dials or opens",
                )
                continue
            if target is not None:
                self.contact(target, path, link.line, "link target: ")


def _block_texts(project: Project, lang: str) -> list[tuple[str, str]]:
    """(key, Markdown text) of every shared block and label in one language."""
    blocks = project.blocks.get(lang)
    if blocks is None:
        return []
    texts = [(name, getattr(blocks, name)) for name in BLOCK_NAMES if getattr(blocks, name)]
    labels = blocks.labels
    texts += [(f"labels.{name}", getattr(labels, name)) for name in type(labels).model_fields]
    return texts


def _links_in(source: str, line: int) -> list[Link]:
    out: list[Link] = []
    tokens = parse_inline(source)
    for index, token in enumerate(tokens):
        if token.type == "link_open":
            inner = []
            for child in tokens[index + 1 :]:
                if child.type == "link_close":
                    break
                if child.type in ("text", "code_inline"):
                    inner.append(child.content)
            out.append(Link(str(token.attrGet("href") or ""), "".join(inner).strip(), line))
    return out


def block_links(project: Project, lang: str) -> list[Link]:
    """Every link in the shared blocks and labels of one language."""
    return [link for _, source in _block_texts(project, lang) for link in _links_in(source, 1)]


def check_blocks(project: Project, lang: str) -> list[Finding]:
    """The shared blocks and labels of one language, like a sheet's own text."""
    checker = Checker(project, lang)
    path = f"sheets/_org/blocks/{lang}.yaml"
    lines = project.block_lines.get(lang, {})
    for key, source in _block_texts(project, lang):
        line = lines.get(tuple(key.split(".")), 1)
        checker.characters(path, [source.replace("\n", " ")], line)
        links = _links_in(source, line)
        checker.out.extend(link_findings(project, links, path))
        checker.links(links, path)
        checker.prose(Text(path, line, source))
    return checker.out


def check_contacts(project: Project, sheet: Sheet) -> list[Finding]:
    """Every contact rule on one sheet and the shared blocks of its language."""
    checker = Checker(project, sheet.lang)
    lines = tuple(sheet.source_text.split("\n"))
    checker.characters(sheet.display, lines)
    checker.links(sheet.body.links, sheet.display)
    front = sheet.front
    for key in ("title", "series", "summary", "audience"):
        value = getattr(front, key)
        if value:
            checker.prose(Text(sheet.display, sheet.line_of(key), value, lines))
    for unit in sheet.body.units:
        checker.prose(Text(sheet.display, unit.line, unit.text, lines))
    # The blocks are the same for every sheet in the language: checked once per project.
    blocks = project.derived(
        f"contact_blocks:{sheet.lang}", lambda: check_blocks(project, sheet.lang)
    )
    return [*checker.out, *blocks]
