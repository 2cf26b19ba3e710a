"""A translation against its source, unit by unit.

Each unit of a translated sheet is paired with the source unit it translates
(source/unitmatch.py: by position against the source AS THE TRANSLATION SAW
IT, its snapshot, so a later edit of the source cannot shift the pairs); the
structure rule first makes sure the two line up. The other rules then compare
each pair: numbers (by value, with the language's digit grouping), contacts
and links, inline markup, text left in the source language; and staleness says
exactly which source units changed since, with their old and new text.

Every finding names its unit id and both places: the line in the translation
(the finding's own location) and the line in the source.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..source import contacts as cx
from ..source.markdown import parse_inline, plain_text
from ..source.model import Project, Sheet
from ..source.numerals import number_values
from ..source.unitmatch import Pair, basis_of, changes, pair_translation
from ..source.units import all_units, units_hash
from .registry import Finding, finding, rule

STRUCTURE = rule(
    "translation-structure",
    "error",
    "translation",
    "sections, lists, list lengths or callouts differ from the source",
)
NUMBERS = rule(
    "translation-numbers",
    "error",
    "translation",
    "a number or percentage of the source is missing or changed",
)
NUMBER_WORD = rule(
    "translation-number-word",
    "warning",
    "translation",
    "the translator wrote a number of the source as a word (their note says which)",
)
CONTACTS = rule(
    "translation-contacts",
    "error",
    "translation",
    "a phone number, email address, URL or link target differs from the source",
)
MARKUP = rule(
    "translation-markup",
    "error",
    "translation",
    "inline markup (bold, italic, links, language spans) is unbalanced or differs",
)
UNTRANSLATED = rule(
    "translation-untranslated",
    "error",
    "translation",
    "a unit is identical to the source text (left untranslated)",
)
STALE = rule(
    "translation-stale", "error", "translation", "the source changed since the translation was made"
)
SOURCE_MISSING = rule(
    "translation-source",
    "error",
    "translation",
    "translation_of names a source sheet that does not exist",
)


def _digits(text: str, lang: str | None = None) -> str:
    """Digits of the language's own numbering systems (CLDR) as ASCII; any other digit
    stays as it is, so a look-alike (Bengali ৪ for 8) never equals the source's."""
    allowed = cx.allowed_systems(lang) if lang else frozenset({"latn"})
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdecimal() and cx.digit_system(ch) in allowed else ch
        for ch in text
    )


def numbers(text: str, lang: str | None = None, region: str | None = None) -> Counter:
    """Numbers in a text by value, read with ``lang``'s digit grouping (CLDR): in
    Spanish "168.000" is 168000, as "168,000" is in English (source/numerals.py).

    Phone numbers, emails and web addresses are contacts(), not numbers.
    """
    shown = plain_text(text)
    for found in reversed(cx.find_contacts(shown, region)):
        shown = shown[: found.start] + " " + shown[found.end :]
    return Counter(number_values(_digits(shown, lang), lang))


def contacts(text: str, lang: str | None = None, region: str | None = None) -> Counter:
    """Phone numbers, emails, URLs and link targets of a unit, normalised by the one
    contact model (source/contacts.py): E.164, lower-cased A-label addresses."""
    found: Counter = Counter()
    for token in parse_inline(text):
        if token.type == "link_open":
            found[f"link {token.attrGet('href')}"] += 1
    for item in cx.find_contacts(plain_text(text), region):
        # An invisible character inside is contact-invisible's to report, on its line.
        found[f"{'url' if item.kind == 'web' else item.kind} {item.value or item.raw}"] += 1
    return found


def markup(text: str) -> tuple[Counter, int]:
    """Counts of inline markup, and literal ** / __ left over (an unclosed bold).

    A language span counts without its language: "[Se habla español.]{lang=es}"
    in English is "[We speak English.]{lang=en}" in Spanish."""
    kinds: Counter = Counter()
    stray = 0
    for token in parse_inline(text):
        if token.type.endswith("_open"):
            kinds[token.type[:-5]] += 1
        elif token.type == "text":
            stray += token.content.count("**") + token.content.count("__")
    return kinds, stray


def _words(text: str) -> list[str]:
    """The words of a text; a label's {placeholders} are not words."""
    return re.findall(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", " ", plain_text(text)).casefold())


def _without(text: str, terms: list[str]) -> str:
    """The text with names that are never translated taken out."""
    for term in sorted(terms, key=len, reverse=True):
        text = text.replace(term, " ")
    return text


def _describe(counter: Counter) -> str:
    return ", ".join(sorted(counter.elements())) or "nothing"


def _quote(text: str, limit: int = 120, plain: bool = True) -> str:
    """A text for a message, on one line and cut at ``limit``; ``plain=False`` keeps
    its Markdown (a stale unit whose only change is a new bold must show it)."""
    shown = " ".join((plain_text(text) if plain else text).split())
    return "'" + (shown if len(shown) <= limit else shown[: limit - 1] + "…") + "'"


class UnitComparison:
    """Compares one translated unit with the source text it translates."""

    def __init__(self, project: Project, lang: str, source_lang: str, source_path: str) -> None:
        self.lang = lang
        self.source_lang = source_lang
        self.source_path = source_path
        self.keep = [project.org.name, project.org.short_name, *project.policy.keep_terms]
        phones = [c.number for c in project.org.channels if c.number]
        self.region = cx.region_of(phones[0]) if phones else None

    def compare(
        self,
        path: str,
        line: int | None,
        unit_id: str,
        source: str,
        target: str,
        source_line: int | None = None,
        word_note: str | None = None,
    ) -> list[Finding]:
        where = f"{self.source_path}:{source_line}" if source_line else self.source_path
        tail = f" (source: {where})"

        def make(rule_id: str, message: str, hint: str) -> Finding:
            return finding(
                rule_id, path, line, f"unit {unit_id}: {message}{tail}", hint, unit=unit_id
            )

        out = []
        mine = numbers(source, self.source_lang, self.region)
        theirs = numbers(target, self.lang, self.region)
        lost, added = mine - theirs, theirs - mine
        if word_note and lost:
            as_words = lost & numbers(word_note, self.lang, self.region)
            if as_words:
                lost -= as_words
                out.append(
                    make(
                        NUMBER_WORD,
                        f"{_describe(as_words)} written as words; translator's note: "
                        f"{_quote(word_note)}",
                        "a reviewer checks that the words say the same number",
                    )
                )
        if lost or added:
            out.append(
                make(
                    NUMBERS,
                    f"numbers differ: source has {_describe(mine)}, "
                    f"translation has {_describe(theirs)}",
                    "keep every number of the source (your language's digit grouping is fine); "
                    "a number written as a word needs a translator's note",
                )
            )
        source_contacts = contacts(source, self.source_lang, self.region)
        target_contacts = contacts(target, self.lang, self.region)
        if source_contacts != target_contacts:
            out.append(
                make(
                    CONTACTS,
                    f"contacts or links differ: source has {_describe(source_contacts)}; "
                    f"translation has {_describe(target_contacts)}",
                    "copy phone numbers, emails, URLs and link targets exactly",
                )
            )
        (source_kinds, _), (target_kinds, stray) = markup(source), markup(target)
        if stray or source_kinds != target_kinds:
            detail = (
                "an unclosed ** or __"
                if stray
                else f"source has {_describe(source_kinds)}, translation has "
                f"{_describe(target_kinds)}"
            )
            out.append(
                make(
                    MARKUP,
                    f"inline markup differs: {detail}",
                    "keep the same bold, italic, links and [..]{lang=..} spans",
                )
            )
        words = _words(_without(source, self.keep))
        if (
            self.lang.split("-")[0] != self.source_lang.split("-")[0]
            and len(words) >= 3
            and words == _words(_without(target, self.keep))
        ):
            out.append(
                make(
                    UNTRANSLATED,
                    f"left in the source language: {_quote(target, 80)}",
                    "translate this unit",
                )
            )
        return out


def check_translation(project: Project, sheet: Sheet) -> list[Finding]:
    origin = sheet.front.translation_of
    if origin is None:
        return []
    path = sheet.display
    source = project.sheets.get((sheet.slug, origin.lang))
    if source is None:
        return [
            finding(
                SOURCE_MISSING,
                path,
                sheet.line_of("translation_of"),
                f"no source sheet sheets/{sheet.slug}/{origin.lang}.md",
            )
        ]
    basis = basis_of(project, sheet, source)
    pairs = pair_translation(sheet, basis)
    out = check_stale(project, sheet, source, pairs)
    snapshot = project.snapshots.get((sheet.slug, sheet.lang))
    outline = tuple(snapshot.outline) if snapshot and snapshot.outline else source.body.outline
    if pairs is None or outline != sheet.body.outline:
        out.append(_structure_finding(source, sheet, outline))
        return out  # units cannot be paired: the other rules would only add noise
    lines = {u.key: u.line for u in all_units(source)}
    compare = UnitComparison(project, sheet.lang, origin.lang, source.display)
    notes = sheet.front.numbers_as_words
    for pair in pairs:
        if pair.unit is None or pair.basis.kind == "alt" and not pair.basis.text:
            continue
        out += compare.compare(
            path,
            pair.unit.line,
            pair.basis.id,
            pair.basis.text,
            pair.unit.text,
            lines.get(pair.basis.id),
            notes.get(pair.basis.id),
        )
    return out


def _structure_finding(source: Sheet, sheet: Sheet, a: tuple[str, ...]) -> Finding:
    b = sheet.body.outline
    index = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    expected = a[index] if index < len(a) else "(end)"
    found = b[index] if index < len(b) else "(end)"
    return finding(
        STRUCTURE,
        sheet.display,
        _line_at(sheet, index),
        f"structure differs from {source.display} at block {index + 1}: "
        f"source has '{expected}', translation has '{found}'",
        "keep the same sections, paragraphs, list items and callouts",
    )


def _line_at(sheet: Sheet, index: int) -> int | None:
    """Best guess at the file line of outline entry ``index`` (nearest unit before it)."""
    units = [u for u in sheet.body.units if u.kind != "alt"]
    count = sum(
        1 for entry in sheet.body.outline[:index] if entry in ("p", "li", "h2", "h3", "callout")
    )
    if not units:
        return None
    return units[min(count, len(units) - 1)].line


def check_stale(
    project: Project, sheet: Sheet, source: Sheet, pairs: list[Pair] | None
) -> list[Finding]:
    """One finding per source unit that changed, was added or removed since the
    translation was made, at the translated unit's own line."""
    origin = sheet.front.translation_of
    if origin.source_hash == units_hash(source):
        return []
    fallback = sheet.line_of("translation_of", "source_hash")
    hint = "re-export (changed units come with their previous translation), translate, import"
    snapshot = project.snapshots.get((sheet.slug, sheet.lang))
    if snapshot is None:
        return [
            finding(
                STALE,
                sheet.display,
                fallback,
                f"{source.display} changed since this translation was made "
                "(no snapshot to say which units)",
                hint,
            )
        ]
    line_of = {p.basis.id: p.unit.line for p in pairs or [] if p.unit is not None}
    out = []
    line = fallback
    for change in changes(list(snapshot.units), all_units(source)):
        if change.old is not None:
            line = line_of.get(change.old.id, line)
        if change.what == "same":
            continue
        new = change.new
        where = f"{source.display}:{new.line}" if new and new.line else source.display
        if change.what == "changed":
            message = (
                f"unit {new.key} changed in {where}: was {_quote(change.old.text, 200, False)}, "
                f"now {_quote(new.text, 200, False)}"
            )
        elif change.what == "new":
            message = f"unit {new.key} is new in {where}: {_quote(new.text, 200, False)}"
        else:
            message = (
                f"unit {change.old.id} was removed from {source.display}: "
                f"{_quote(change.old.text, 200, False)}"
            )
        unit_id = new.key if new else change.old.id
        out.append(finding(STALE, sheet.display, line, message, hint, unit=unit_id))
    return out or [
        finding(
            STALE,
            sheet.display,
            fallback,
            f"the structure of {source.display} changed (no unit's text did)",
            hint,
        )
    ]
