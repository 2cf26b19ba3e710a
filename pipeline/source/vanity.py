"""Phone numbers spelt with letters ("1-800-HARBOR-9", "(877) 555-HELP"), found in prose.

Helplines advertise numbers whose digits are spelt with the letters printed on
a phone's keys (ITU-T E.161: ABC on 2, ..., WXYZ on 9). A patient dials them as
surely as digits, but phonenumbers' matcher looks for digits only, so this
module finds them; source/contacts.py then reads them with phonenumbers (which
maps the letters) to E.164 and they take every rule a number takes.

Prose is full of digits next to capitals ("COVID-19", "HER2", "BRCA1/2",
"In 2024 UPDATE", "10-12 WEEKS"), so a run of digits and letters is a number
only when it has a phone's shape:

- it starts with digits, and at least three come before the first letter;
- its letters are capitals, or letters joined to digits by hyphens
  ("1-800-Flowers"); a letter of another script that looks like a Latin one
  ("1-800-HАRBOR" with a Cyrillic А) keeps the run, to be refused by name;
- the digits before the letters are not a whole number already (then the
  letters are the next word: "1-877-555-0142 NOW");
- written the way only phone numbers are ("+1 800 FLOWERS", "(877) HARBOR-1",
  "1-800-4-CANCER"; not "1 234 567 PATIENTS", a count), it is taken when its
  length is one a number of the region can have (or too long: "1-800-MATTRESS"
  spells more digits than a number has), and refused later if it is not a valid
  number; any other shape ("877-555-HELP", "1 800 FLOWERS", "800-FLOWERS",
  "0800 FLOWERS") only when it spells a valid number.

The longest valid reading wins, so "1-800-HARBOR-9 TODAY" is "1-800-HARBOR-9".
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import ValidationResult

from .domain_names import SPACED_WORD
from .lookalikes import latin_twin

#: Hyphens and dashes phonenumbers reads as punctuation (U+2010-2015, minus sign).
_HYPHENS = "\\-\u2010-\u2015\u2212"  # for character classes
_SEPARATORS = f" \u00a0\u202f./{_HYPHENS}"
#: A run of digit and letter groups, the first of digits, with one separator between
#: groups (or none after a closing parenthesis); Chinese or Thai may run into it.
_RUN = re.compile(
    rf"(?<![+@/.,:{_HYPHENS}])(?<!{SPACED_WORD})\+?\(?\d+\)?(?:(?:[{_SEPARATORS}]|(?<=\)))\(?[^\W_]+\)?)+"
)
_GROUP = re.compile(r"[^\W_]+")
_SPELT = re.compile(rf"\d\)?[{_SEPARATORS}]?\(?[^\W\d_]")
#: Shapes only phone numbers have: an international prefix, an area code in
#: parentheses, or the North American "1-800-".
_PHONE_SHAPED = re.compile(
    rf"\+\d|(?:\d{{1,3}}[{_SEPARATORS}]?)?\(\d{{2,5}}\)|1[.{_HYPHENS}]\d{{3}}[.{_HYPHENS}]"
)


def keypad(raw: str) -> str:
    """``raw`` with each letter replaced by the key it is on (ITU-T E.161); a letter
    of another script that looks like a Latin one is read as that letter."""
    latin = "".join((latin_twin(c) or c) if c.isalpha() and not c.isascii() else c for c in raw)
    return phonenumbers.convert_alpha_characters_in_number(latin)


def foreign_letter(raw: str) -> str | None:
    """The first letter of ``raw`` that is not one of a keypad's (A-Z)."""
    return next((c for c in raw if c.isalpha() and not c.isascii()), None)


def _letters_fit(group: str, joiner: str) -> bool:
    letters = [c for c in group if c.isalpha()]
    if not letters:
        return True
    if any(not c.isascii() and not (c.isupper() and latin_twin(c)) for c in letters):
        return False
    hyphenated = re.fullmatch(f"[{_HYPHENS}]", joiner) is not None
    return all(c.isupper() for c in letters) or (hyphenated and all(c.isascii() for c in letters))


def _reason(raw: str, region: str | None) -> tuple[ValidationResult | None, bool]:
    """(how possible the number's length is, whether it is valid) for a reading."""
    try:
        number = phonenumbers.parse(keypad(raw), region)
    except phonenumbers.NumberParseException:
        return None, False
    return phonenumbers.is_possible_number_with_reason(number), phonenumbers.is_valid_number(number)


def _vanity_in(text: str, start: int, end: int, region: str | None) -> int | None:
    """Where a vanity number starting at ``start`` ends, if the run is one."""
    groups = [(start + m.start(), start + m.end()) for m in _GROUP.finditer(text[start:end])]
    lettered = [i for i, (a, b) in enumerate(groups) if any(c.isalpha() for c in text[a:b])]
    if not lettered or lettered[0] == 0:
        return None
    first = lettered[0]
    last = first - 1
    for index in range(first, len(groups)):
        a, b = groups[index]
        joiner = text[groups[index - 1][1] : a].replace("(", "").replace(")", "")
        if not _letters_fit(text[a:b], joiner):
            break
        last = index
    if last < first:
        return None
    prefix = text[start : groups[first][0]]
    spelt = text[groups[first][0] : groups[last][1]]
    if sum(c.isdecimal() for c in prefix) < 3 or sum(c.isalpha() for c in spelt) < 2:
        return None
    if not any(c.isascii() for c in spelt if c.isalpha()):
        return None
    if _reason(prefix, region)[0] == ValidationResult.IS_POSSIBLE:
        return None  # a whole number, then a word
    ends = [groups[i][1] for i in range(first, last + 1)]
    shaped = bool(_PHONE_SHAPED.match(prefix))
    digit_groups = sum(1 for a, b in groups[:first] if text[a:b].isdecimal())
    plain = digit_groups >= 2 or re.fullmatch(
        rf"\d{{3}}[.{_HYPHENS}]|0\d{{2,4}}[{_SEPARATORS}]", prefix
    )
    if not (shaped or plain):
        return None
    for stop in reversed(ends):
        if _reason(text[start:stop], region)[1]:
            return stop
    if shaped:
        for stop in ends:
            reason = _reason(text[start:stop], region)[0]
            if reason in (ValidationResult.IS_POSSIBLE, ValidationResult.TOO_LONG):
                return stop
    return None


def find_vanity(text: str, region: str | None) -> list[tuple[int, int]]:
    """(start, end) of every phone number in ``text`` spelt partly with letters."""
    out: list[tuple[int, int]] = []
    if not _SPELT.search(text):
        return out  # no digit followed by a letter within one separator: nothing spelt
    for run in _RUN.finditer(text):
        start = run.start()
        if text[start] == "(" and not re.match(r"\(\d+\)", run.group()):
            start += 1  # "(1-877 GO KOMEN)": the bracket is the sentence's
        stop = _vanity_in(text, start, run.end(), region)
        if stop is not None:
            out.append((start, stop))
    return out
