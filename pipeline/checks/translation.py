"""A translation against its source, unit by unit.

Units are paired by key (b1, b2, ... in body order; title, summary ...), so
these rules first make sure the structure is the same; the other rules then
compare each pair: numbers, contacts and links, inline markup, text left in
the source language, and staleness (the source changed since).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

from ..source import contacts as cx
from ..source.markdown import parse_inline, plain_text
from ..source.model import Project, Sheet, Unit
from ..source.units import source_units, units_hash
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

#: A number with digit grouping (also Arabic U+066C) and a decimal mark (also U+066B).
_DIGITS = re.compile(r"\d+(?:[.,\u066c\u00a0\u202f\u2009 ]\d{3})*(?:[.,\u066b]\d+)?")


def _digits(text: str, lang: str | None = None) -> str:
    """Digits of the language's own numbering systems (CLDR) as ASCII; any other digit
    stays as it is, so a look-alike (Bengali ৪ for 8) never equals the source's."""
    allowed = cx.allowed_systems(lang) if lang else frozenset({"latn"})
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdecimal() and cx.digit_system(ch) in allowed else ch
        for ch in text
    )


def numbers(text: str, lang: str | None = None, region: str | None = None) -> Counter:
    """Numbers in a text, with digit grouping and decimal marks removed: "168.000" == "168,000".

    Phone numbers, emails and web addresses are contacts(), not numbers.
    """
    shown = plain_text(text)
    for found in reversed(cx.find_contacts(shown, region)):
        shown = shown[: found.start] + " " + shown[found.end :]
    shown = _digits(shown, lang)
    return Counter(re.sub(r"[^0-9]", "", n) or n for n in _DIGITS.findall(shown))


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
    """Counts of inline markup, and literal ** / __ left over (an unclosed bold)."""
    kinds: Counter = Counter()
    stray = 0
    for token in parse_inline(text):
        if token.type.endswith("_open"):
            kinds[
                token.type[:-5] + (f"={token.attrGet('lang')}" if token.type == "span_open" else "")
            ] += 1
        elif token.type == "text":
            stray += token.content.count("**") + token.content.count("__")
    return kinds, stray


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", plain_text(text).casefold())


def _without(text: str, terms: list[str]) -> str:
    """The text with names that are never translated taken out."""
    for term in sorted(terms, key=len, reverse=True):
        text = text.replace(term, " ")
    return text


def _describe(counter: Counter) -> str:
    return ", ".join(sorted(counter.elements())) or "nothing"


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
    out = _check_stale(project, sheet, source)
    if source.body.outline != sheet.body.outline:
        out.append(_structure_finding(source, sheet))
        return out  # units cannot be paired: the other rules would only add noise
    theirs = {u.key: u for u in sheet.body.units}
    pairs: list[tuple[str, str, int]] = [
        (getattr(source.front, key), getattr(sheet.front, key), sheet.line_of(key))
        for key in ("title", "series", "summary", "audience")
        if getattr(source.front, key)
    ]
    for unit in source.body.units:
        other: Unit | None = theirs.get(unit.key)
        if other is not None:
            pairs.append((unit.text, other.text, other.line))
    keep = [project.org.name, project.org.short_name, *project.policy.keep_terms]
    phones = [c.number for c in project.org.channels if c.number]
    region = cx.region_of(phones[0]) if phones else None
    for mine, translated, line in pairs:
        out.extend(
            _compare(path, line, mine, translated or "", sheet.lang, origin.lang, keep, region)
        )
    return out


def _compare(
    path: str,
    line: int,
    source: str,
    target: str,
    lang: str,
    source_lang: str,
    keep: list[str],
    region: str | None = None,
):
    out = []
    source_numbers = numbers(source, source_lang, region)
    target_numbers = numbers(target, lang, region)
    lost = source_numbers - target_numbers
    added = target_numbers - source_numbers
    if lost or added:
        out.append(
            finding(
                NUMBERS,
                path,
                line,
                f"numbers differ: source has {_describe(source_numbers)}, "
                f"translation has {_describe(target_numbers)}",
                "keep every number of the source; only digit grouping may change",
            )
        )
    source_contacts = contacts(source, source_lang, region)
    target_contacts = contacts(target, lang, region)
    if source_contacts != target_contacts:
        out.append(
            finding(
                CONTACTS,
                path,
                line,
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
            else (
                f"source has {_describe(source_kinds)}, translation has {_describe(target_kinds)}"
            )
        )
        out.append(
            finding(
                MARKUP,
                path,
                line,
                f"inline markup differs: {detail}",
                "keep the same bold, italic, links and [..]{lang=..} spans",
            )
        )
    words = _words(_without(source, keep))
    if (
        lang.split("-")[0] != source_lang.split("-")[0]
        and len(words) >= 3
        and words == _words(_without(target, keep))
    ):
        out.append(
            finding(
                UNTRANSLATED,
                path,
                line,
                f"left in the source language: '{plain_text(target)[:80]}'",
                "translate this unit",
            )
        )
    return out


def _structure_finding(source: Sheet, sheet: Sheet) -> Finding:
    a, b = source.body.outline, sheet.body.outline
    index = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    expected = a[index] if index < len(a) else "(end)"
    found = b[index] if index < len(b) else "(end)"
    line = _line_at(sheet, index)
    return finding(
        STRUCTURE,
        sheet.display,
        line,
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


def _check_stale(project: Project, sheet: Sheet, source: Sheet) -> list[Finding]:
    origin = sheet.front.translation_of
    if origin.source_hash == units_hash(source):
        return []
    line = sheet.line_of("translation_of", "source_hash")
    snapshot_file = (
        project.root / "sheets" / sheet.slug / "translations" / f"{sheet.lang}.source.json"
    )
    try:
        old = json.loads(snapshot_file.read_text(encoding="utf-8")).get("units", {})
    except (OSError, ValueError, AttributeError):
        return [
            finding(
                STALE,
                sheet.display,
                line,
                f"{source.display} changed since this translation was made "
                "(no snapshot to say which units)",
                "re-export, translate the changed units, import",
            )
        ]
    new = dict(source_units(source))
    out = []
    for key in sorted(set(old) | set(new), key=_unit_order):
        if old.get(key) == new.get(key):
            continue
        if key not in new:
            change = f"removed from the source: '{old[key]}'"
        elif key not in old:
            change = f"new in the source: '{new[key]}'"
        else:
            change = f"changed: was '{old[key]}', now '{new[key]}'"
        out.append(
            finding(
                STALE,
                sheet.display,
                line,
                f"unit {key} {change}",
                "re-export, translate the changed units, import",
            )
        )
    return out or [
        finding(STALE, sheet.display, line, "the source hash changed", "re-export and import")
    ]


def _unit_order(key: str) -> tuple:
    match = re.match(r"b(\d+)", key)
    return (1, int(match.group(1)), key) if match else (0, 0, key)
