"""Domains and email addresses that look like others (UTS #39, Unicode Security Mechanisms).

Two tests, both from UTS #39: a label must be *single-script* or one of the
"Highly Restrictive" combinations (section 5.2: Latin with Han and Japanese
kana, with Han and Bopomofo, or with Han and Hangul), after the resolved-script
rule of section 5.1 (Common and Inherited characters go with any script); and a
label written wholly in another script must not be a *whole-script confusable*
of a Latin one (every letter has a Latin look-alike in Unicode's confusables
data, like Cyrillic "аррӏе"). A domain whose Latin skeleton is a known domain
of the organisation ("hаrborlight.example") is named as the one it imitates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import idna
from fontTools import unicodedata as ucd

_IGNORED = {"Zyyy", "Zinh", "Zzzz"}
#: UTS #39 section 5.2, Highly Restrictive: Latin may be mixed with these sets only.
_ALLOWED_MIXES = (
    {"Latn", "Hani", "Hira", "Kana"},
    {"Latn", "Hani", "Bopo"},
    {"Latn", "Hani", "Hang"},
)


@dataclass(frozen=True)
class Lookalike:
    message: str
    hint: str


@cache
def latin_twin(char: str) -> str | None:
    """The ASCII letter or digit ``char`` can be mistaken for (Unicode confusables.txt)."""
    from confusable_homoglyphs.confusables import confusables_data

    for glyph in confusables_data.get(char, ()):
        twin = glyph.get("c", "")
        if len(twin) == 1 and twin.isascii() and twin.isalnum():
            return twin.lower()
    return None


def _resolved(label: str) -> set[str] | None:
    """UTS #39 5.1 resolved script set; None stands for 'any script' (all Common)."""
    result: set[str] | None = None
    for char in label:
        scripts = set(ucd.script_extension(char)) - _IGNORED
        if not scripts:
            continue
        result = scripts if result is None else result & scripts
    return result


def _scripts_of(label: str) -> list[str]:
    seen: dict[str, None] = {}
    for char in label:
        script = ucd.script(char)
        if script not in _IGNORED:
            seen.setdefault(script, None)
    return list(seen)


def describe(char: str) -> str:
    twin = latin_twin(char)
    name = unicodedata.name(char, "unnamed")
    looks = f", which looks like Latin '{twin}'" if twin else ""
    return f"'{char}' (U+{ord(char):04X} {name}{looks})"


def skeleton(name: str) -> str:
    """The Latin look-alike of a name: each letter replaced by its Latin twin."""
    return "".join(latin_twin(c) or c for c in unicodedata.normalize("NFD", name.casefold()))


def check_address(address: str, known: set[str] = frozenset()) -> Lookalike | None:
    """Whether an email address or domain mixes scripts or imitates a Latin one.

    ``known``: domains (A-labels) the organisation declares; a look-alike of one
    of them is named in the message.
    """
    local, _, host = address.rpartition("@")
    try:
        unicode_host = idna.decode(host, uts46=True)
    except (idna.IDNAError, UnicodeError):
        unicode_host = host
    address = f"{local}@{unicode_host}" if local else unicode_host
    parts = [("the local part", local)] if local else []
    parts += [(f"the label '{label}'", label) for label in unicode_host.split(".")]
    for where, label in parts:
        if label.isascii():
            continue
        resolved = _resolved(label)
        scripts = _scripts_of(label)
        if (
            resolved is not None
            and not resolved
            and not any(set(scripts) <= mix for mix in _ALLOWED_MIXES)
        ):
            odd = next(
                (c for c in label if ucd.script(c) not in (_IGNORED | {scripts[0]})), label[0]
            )
            return Lookalike(
                f"{where} of '{address}' mixes scripts "
                f"({', '.join(map(ucd.script_name, scripts))}): {describe(odd)}",
                _hint(unicode_host, known),
            )
        letters = [c for c in label if unicodedata.category(c)[0] == "L"]
        if scripts and scripts != ["Latn"] and letters and all(latin_twin(c) for c in letters):
            return Lookalike(
                f"{where} of '{address}' is written in {ucd.script_name(scripts[0])} "
                "letters that all look like Latin ones "
                f"('{skeleton(label)}'): {describe(letters[0])}",
                _hint(unicode_host, known),
            )
    imitated = _imitates(unicode_host, known)
    if imitated:
        return Lookalike(
            f"'{address}' looks like '{imitated}' but is a different address",
            f"type '{imitated}' in Latin letters",
        )
    return None


def _imitates(host: str, known: set[str]) -> str | None:
    if host.isascii():
        return None
    shape = skeleton(host)
    return next((k for k in sorted(known) if k != host and skeleton(k) == shape), None)


def _hint(host: str, known: set[str]) -> str:
    imitated = _imitates(host, known)
    if imitated:
        return f"this imitates '{imitated}': type it in Latin letters"
    return (
        "type the address again in one script; a real address in another script goes in "
        "policy.yaml known_contacts"
    )
