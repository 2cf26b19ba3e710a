"""One contact model: every phone number, email address and web address a user writes.

A patient dials what is printed, so what is printed, what a link targets and
what the source of truth says must be one value. This module is the one place
that finds contacts in text (sheet bodies, callout titles, link texts, shared
blocks, labels, org.yaml, clinics, translations), parses them and normalises
them, with well-kept libraries rather than regular expressions of our own:

- phone numbers: ``phonenumbers`` (libphonenumber's numbering plans) -> E.164,
  and numbers spelt with letters ("1-800-HARBOR-9", source/vanity.py);
- domains of web and email addresses: ``idna`` (IDNA 2008 with the UTS #46
  mapping browsers apply) -> A-labels; web addresses written without https://
  or www. ("harborhelp.org") by the Public Suffix List (source/domain_names.py);
- characters a reader cannot see (Unicode Default_Ignorable_Code_Point and
  format characters, UAX #9 bidi controls), digits of other numbering systems
  (CLDR numberingSystems: a Bengali ৪ looks like 8 and means 4) and letters of
  other scripts that look like Latin ones (UTS #39 mixed-script and
  whole-script confusable detection, Unicode's confusables data).

Nothing here folds a look-alike to what it imitates: a number with a foreign
digit keeps that digit in its value, so it never equals the declared one.
Over 400 lines: finding, normalising and judging a contact need the same
character, digit and span data, and every stage must reach them in one place.
The rule ids live here as plain strings so that the model (loading) and the
checks (findings) name the same rule; checks/contacts.py registers them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import unquote, urlsplit

import idna
import phonenumbers
from fontTools import unicodedata as ucd

from .domain_names import find_bare_domains
from .langtag import babel_locale
from .lookalikes import describe
from .vanity import find_vanity, foreign_letter, keypad

INVISIBLE = "contact-invisible"
DIGITS = "contact-digits"
DISPLAY = "contact-display"
LINK_TEXT = "contact-link-text"
CONFUSABLE = "contact-confusable"
INVALID = "contact-invalid"
UNKNOWN = "contact-unknown"
HOURS_PROSE = "contact-hours-prose"

# -- characters a reader cannot see -------------------------------------------------

#: UAX #9 explicit embeddings, overrides and isolates: they reorder what is printed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Direction marks: needed at times in right-to-left prose, never inside a contact.
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
SOFT_HYPHEN = "\u00ad"
#: Scripts whose words need ZWNJ/ZWJ to choose a letter's form (Persian, Indic, ...).
_JOINING = (
    "Arab Syrc Mong Nkoo Phag Mand Mani Hmnp Deva Beng Guru Gujr Orya Taml Telu "
    "Knda Mlym Sinh Mymr Khmr Tibt Laoo Thai Bali Java Sund Tirh Shrd Sidd Gran "
    "Newa"
)
JOINING_SCRIPTS = frozenset(_JOINING.split())
#: Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt): drawn as nothing.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
#: Prepended_Concatenation_Mark: format characters that are drawn (Arabic number signs).
_VISIBLE_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u08e2\U000110bd")
_VARIATION = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


@lru_cache(maxsize=8192)
def is_invisible(char: str) -> bool:
    """Drawn as nothing: a format character (Cf) or a default-ignorable code point.

    Kept per character: the source checks ask for every character of every
    sheet, and a no-op build of thousands of jobs runs them all."""
    if char in _VISIBLE_FORMAT:
        return False
    code = ord(char)
    return unicodedata.category(char) == "Cf" or any(a <= code <= b for a, b in _IGNORABLE)


def char_name(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE' (names from the Unicode database)."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _scripts(char: str) -> set[str]:
    return set(ucd.script_extension(char)) - {"Zyyy", "Zinh", "Zzzz"}


def _joins_words(text: str, index: int) -> bool:
    """ZWNJ/ZWJ between two letters of a script that shapes with them (or ZWJ in emoji)."""
    before = next((c for c in reversed(text[:index]) if c not in JOINERS), "")
    after = next((c for c in text[index + 1 :] if c not in JOINERS), "")
    if not before or not after:
        return False
    if text[index] == "\u200d" and "So" in (
        unicodedata.category(before),
        unicodedata.category(after),
    ):
        return True  # emoji ZWJ sequences
    joined = (_scripts(before) | _scripts(after)) & JOINING_SCRIPTS
    return bool(joined) and all(unicodedata.category(c)[0] in "LM" for c in (before, after))


@dataclass(frozen=True)
class Invisible:
    """An invisible character where it is not needed; ``contact`` when inside one."""

    offset: int
    char: str
    contact: Contact | None = None

    @property
    def message(self) -> str:
        if self.contact is not None:
            return (
                f"{char_name(self.char)} inside the {self.contact.noun} "
                f"'{visible(self.contact.raw)}'"
            )
        return f"invisible character {char_name(self.char)} in the text"

    @property
    def hint(self) -> str:
        if (self.char in BIDI_CONTROLS or self.char in BIDI_MARKS) and self.contact is not None:
            return (
                "delete it: it changes the order in which characters are printed, so a reader "
                "can see other digits than a link dials"
            )
        if self.char in BIDI_CONTROLS or self.char in BIDI_MARKS:
            return (
                "delete it: it changes the order in which characters are printed; "
                "a phrase in another language takes a [..]{lang=xx} span"
            )
        return "delete it: readers cannot see it, and copied text carries it along"


def stray_invisibles(text: str, rtl: bool = False, contacts: list[Contact] = ()) -> list[Invisible]:
    """Invisible characters that are not needed where they stand.

    Kept: ZWNJ/ZWJ inside words of scripts that shape with them (Persian, Indic),
    direction marks in right-to-left prose, soft hyphens and variation selectors
    in prose. Never kept: anything inside a phone number, email or web address,
    bidi embeddings, overrides and isolates, zero-width spaces, BOM, tag characters.
    """
    out = []
    for index, char in enumerate(text):
        if not is_invisible(char):
            continue
        inside = next((c for c in contacts if c.start <= index < c.end), None)
        if inside is None:
            code = ord(char)
            if char in JOINERS and _joins_words(text, index):
                continue
            if char in BIDI_MARKS and rtl:
                continue
            if char == SOFT_HYPHEN:
                continue
            if (
                any(a <= code <= b for a, b in _VARIATION)
                and index
                and not text[index - 1].isspace()
            ):
                continue
        out.append(Invisible(index, char, inside))
    return out


def visible(text: str) -> str:
    """``text`` with invisible characters shown as <U+XXXX>, for messages."""
    return "".join(f"<U+{ord(c):04X}>" if is_invisible(c) else c for c in text)


def _strip_invisible(text: str) -> tuple[str, list[int]]:
    """The text without invisible characters, and each kept character's offset."""
    if text.isascii():  # no ASCII character is invisible: most of a Latin-script sheet
        return text, list(range(len(text)))
    kept = [(i, c) for i, c in enumerate(text) if not is_invisible(c)]
    return "".join(c for _, c in kept), [i for i, _ in kept]


# -- digits and numbering systems ---------------------------------------------------

#: CLDR numbering systems whose name is not the lower-cased script code of its digits.
_SYSTEM_BY_ZERO = {
    0x30: "latn",
    0x660: "arab",
    0x6F0: "arabext",
    0xFF10: "fullwide",
    0xBE6: "tamldec",
}


def digit_system(char: str) -> str:
    """The CLDR numbering system of a decimal digit: 'latn', 'arab', 'beng', 'deva' ..."""
    zero = ord(char) - unicodedata.digit(char)
    return _SYSTEM_BY_ZERO.get(zero) or ucd.script(char).lower()


@cache
def allowed_systems(lang: str) -> frozenset[str]:
    """Latin digits, and the language's default and native numbering systems (CLDR)."""
    locale = babel_locale(lang)
    systems = {"latn", locale.default_numbering_system}
    native = locale.other_numbering_systems.get("native")
    if native:
        systems.add(native)
    return frozenset(systems)


_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f.,:/()\-\u2010\u2011\u2013]+\d+)*")


@dataclass(frozen=True)
class DigitProblem:
    offset: int
    message: str
    hint: str


def digit_problems(text: str, lang: str) -> list[DigitProblem]:
    """Numbers mixing numbering systems, or using one that is not the language's."""
    allowed = allowed_systems(lang)
    out = []
    clean, where = _strip_invisible(text)
    for match in _NUMBER.finditer(clean):
        number = match.group()
        digits = [c for c in number if c.isdecimal()]
        systems = list(dict.fromkeys(digit_system(c) for c in digits))
        names = [_system_name(s, digits) for s in systems]
        foreign = [c for c in digits if digit_system(c) not in allowed]
        offset = where[match.start()]
        if len(systems) > 1:
            odd = (
                foreign[0] if foreign else next(c for c in digits if digit_system(c) != systems[0])
            )
            out.append(
                DigitProblem(
                    offset,
                    f"'{number}' mixes {' and '.join(names)}: "
                    f"'{odd}' is {char_name(odd)} (value {unicodedata.digit(odd)})",
                    "type the whole number again with one kind of digit",
                )
            )
        elif foreign:
            odd = foreign[0]
            out.append(
                DigitProblem(
                    offset,
                    f"'{number}' uses {char_name(odd)} (value {unicodedata.digit(odd)}), "
                    f"one of the {names[0]}, not of the language '{lang}' "
                    f"(CLDR numbering systems {', '.join(sorted(allowed))})",
                    "type the number again with the digits of the sheet's language",
                )
            )
    return out


def _system_name(system: str, digits: list[str]) -> str:
    special = {"latn": "Latin", "fullwide": "full-width", "hanidec": "Han"}
    if system in special:
        return f"{special[system]} digits ({system})"
    char = next(c for c in digits if digit_system(c) == system)
    script = ucd.script(char)
    extra = " (extended)" if system == "arabext" else ""
    return f"{ucd.script_name(script)}{extra} digits ({system})"


def exact_digits(text: str) -> str:
    """The digits of ``text`` as written: ASCII digits as themselves, any other digit
    kept as it is (never folded), so '1-৪77' and '1-877' differ."""
    return "".join(c for c in text if c.isdecimal())


# -- contacts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """One phone number, email address or web address, as found and normalised.

    ``value``: E.164 for phones, ``local@a-label`` for emails, ``https://a-label/path``
    for web addresses; None when it cannot be normalised (``problem`` says why).
    """

    kind: str  # phone | email | web
    raw: str
    value: str | None
    start: int = 0
    end: int = 0
    host: str | None = None  # A-label domain of an email or web address
    problem: str | None = None
    #: What is wrong, when something is: "invisible" and "digits" are reported by
    #: their own rules (from the text), "invalid" by contact-invalid, "confusable"
    #: (a letter of a spelt number that only looks like A-Z) by contact-confusable.
    flaw: str | None = None

    @property
    def noun(self) -> str:
        return {"phone": "phone number", "email": "email address", "web": "web address"}[self.kind]


def region_of(number: str) -> str | None:
    """The region ('US') of an E.164 number, to read national numbers in prose."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return None


def phone(
    raw: str, region: str | None, start: int = 0, end: int = 0, letters: bool = False
) -> Contact:
    """A phone number as written; its value keeps any non-ASCII digit (never folded).

    ``letters``: the number is spelt partly with letters, read as the keys they are
    on (ITU-T E.161); a letter that only looks like a keypad's is refused by name."""
    if letters:
        return _spelt(raw, region, start, end)
    clean = _strip_invisible(raw)[0]
    if clean != raw:
        hidden = next(c for c in raw if is_invisible(c))
        contact = phone(clean, region, start, end)
        return Contact(
            "phone",
            raw,
            contact.value,
            start,
            end,
            problem=f"{char_name(hidden)} inside",
            flaw="invisible",
        )
    digits = exact_digits(raw)
    if any(not ("0" <= c <= "9") for c in digits):
        return Contact(
            "phone",
            raw,
            "+?" + digits,
            start,
            end,
            problem="digits that are not 0-9",
            flaw="digits",
        )
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        return Contact("phone", raw, None, start, end, problem=str(error), flaw="invalid")
    value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return Contact(
            "phone", raw, value, start, end, problem="not a valid phone number", flaw="invalid"
        )
    return Contact("phone", raw, value, start, end)


def _spelt(raw: str, region: str | None, start: int, end: int) -> Contact:
    dialled = phone(keypad(raw), region, start, end)
    odd = foreign_letter(raw)
    if odd is not None and dialled.flaw is None:
        problem = f"{describe(odd)}: a phone's keys carry the Latin letters A-Z (ITU-T E.161)"
        return Contact("phone", raw, dialled.value, start, end, problem=problem, flaw="confusable")
    problem = dialled.problem
    if dialled.flaw == "invalid":
        problem = f"its letters spell {exact_digits(keypad(raw))}, {problem}"
    return Contact("phone", raw, dialled.value, start, end, problem=problem, flaw=dialled.flaw)


def domain(name: str) -> tuple[str | None, str | None]:
    """(A-label form, None) of a domain name under UTS #46, or (None, why not)."""
    try:
        return idna.encode(name.rstrip("."), uts46=True).decode("ascii"), None
    except (idna.IDNAError, UnicodeError) as error:
        return None, f"'{name}' is not a valid domain name ({error})"


def email(raw: str, start: int = 0, end: int = 0) -> Contact:
    local, _, name = _strip_invisible(raw)[0].rpartition("@")
    host, problem = domain(name)
    if host is not None and ("@" in local or "." not in host):
        host, problem = None, f"'{visible(raw)}' is not an address like name@example.org"
    if not local or host is None:
        return Contact(
            "email", raw, None, start, end, problem=problem or "no local part", flaw="invalid"
        )
    flaw = "invisible" if any(is_invisible(c) for c in raw) else None
    return Contact("email", raw, f"{local.casefold()}@{host}", start, end, host, flaw=flaw)


def web(raw: str, start: int = 0, end: int = 0) -> Contact:
    raw_clean = _strip_invisible(raw)[0]
    text = raw_clean if re.match(r"(?i)https?://", raw_clean) else "https://" + raw_clean
    try:
        parts = urlsplit(text)
    except ValueError as error:
        return Contact("web", raw, None, start, end, problem=str(error), flaw="invalid")
    host, problem = domain(parts.hostname or "")
    if host is None:
        return Contact("web", raw, None, start, end, problem=problem, flaw="invalid")
    path = unquote(parts.path).rstrip("/")
    value = f"{parts.scheme.lower()}://{host}{path}" + (f"?{parts.query}" if parts.query else "")
    flaw = "invisible" if raw_clean != raw else None
    return Contact("web", raw, value, start, end, host, flaw=flaw)


_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_WEB = re.compile(r"(?i)(?<![\w@./])(?:https?://|www\.)[^\s<>()\[\]{}\"']+")
_TRAILING = ".,;:!?…)"
#: Digits grouped in thousands with one symbol (CLDR group symbols: space, no-break
#: and narrow spaces, full stop, comma, apostrophe): a count unless it dials.
_COUNT = re.compile(r"\d{1,3}([ \u00a0\u202f\u2009.,'\u2019])\d{3}(?:\1\d{3})*")


def find_contacts(text: str, region: str | None) -> list[Contact]:
    """Every phone number, email and web address in a plain text, in order.

    Invisible characters do not hide a contact from this search (they are
    skipped, and the contact's span covers them), so the checks can say that
    one sits inside a number.
    """
    clean, where = _strip_invisible(text)
    where.append(len(text))
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []

    def span(a: int, b: int) -> tuple[int, int]:
        return where[a], where[b - 1] + 1

    for match in _WEB.finditer(clean):
        raw = match.group().rstrip(_TRAILING)
        a, b = span(match.start(), match.start() + len(raw))
        found.append(web(text[a:b], a, b))
        taken.append((match.start(), match.start() + len(raw)))
    for match in _EMAIL.finditer(clean):
        raw = match.group().rstrip(_TRAILING)
        if any(s <= match.start() < e for s, e in taken):
            continue
        a, b = span(match.start(), match.start() + len(raw))
        found.append(email(text[a:b], a, b))
        taken.append((match.start(), match.start() + len(raw)))
    for first, last in find_bare_domains(clean):
        if not any(s < last and first < e for s, e in taken):
            a, b = span(first, last)
            found.append(web(text[a:b], a, b))
            taken.append((first, last))
    for first, last in find_vanity(clean, region):
        if not any(s < last and first < e for s, e in taken):
            a, b = span(first, last)
            found.append(phone(text[a:b], region, a, b, letters=True))
            taken.append((first, last))
    matcher = phonenumbers.PhoneNumberMatcher(clean, region or "ZZ", phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        if any(s < match.end and match.start < e for s, e in taken):
            continue
        first, last = match.start, match.end
        while first < last and clean[first] in "[(":  # Markdown around a number
            first += 1
        while last > first and clean[last - 1] in "])":
            if clean[last - 1] == ")" and "(" in clean[first:last]:
                break
            last -= 1
        a, b = span(first, last)
        item = phone(text[a:b], region, a, b)
        if item.flaw == "invalid" and _COUNT.fullmatch(clean[first:last]):
            continue  # "2 500 000", "2.500.000": a count grouped in thousands
        found.append(item)
    return sorted(found, key=lambda c: c.start)


def spelt_numbers(text: str, region: str | None) -> list[Contact]:
    """The phone numbers of ``text`` spelt partly with letters ("1-800-HARBOR-9")."""
    return [c for c in find_contacts(text, region) if c.kind == "phone" and _has_letter(c.raw)]


def _has_letter(raw: str) -> bool:
    return any(c.isalpha() for c in raw)


def parse_target(href: str, region: str | None) -> Contact | None:
    """The contact a link target reaches: tel:, mailto:, http(s):; None for others."""
    target = href.strip()
    scheme, _, rest = target.partition(":")
    scheme = scheme.lower()
    if scheme == "tel":
        number = unquote(rest.split(";")[0])
        if not re.fullmatch(r"\+?[0-9().\- ]+", _strip_invisible(number)[0]):
            return Contact(
                "phone",
                target,
                None,
                problem=f"'{visible(number)}' is not a tel: number (RFC 3966: digits 0-9)",
                flaw="invalid",
            )
        return phone(number, region)
    if scheme == "mailto":
        address = unquote(rest.split("?")[0])
        return email(address)
    if scheme in ("http", "https"):
        return web(target)
    return None


def reads_as(text: str, region: str | None) -> Contact | None:
    """The contact a link text reads as, when the text is essentially one contact."""
    clean = _strip_invisible(text)[0].strip().strip(_TRAILING)
    found = find_contacts(clean, region)
    if len(found) != 1:
        return None
    contact = found[0]
    rest = (clean[: contact.start] + clean[contact.end :]).strip()
    # "Call 1-877-555-0142" reads as the number; a sentence around it does not.
    return contact if len(rest.split()) <= 2 else None


def same(a: Contact, b: Contact) -> bool:
    """Whether two contacts are one: E.164, address or host-and-path equality."""
    if a.kind != b.kind or a.value is None or b.value is None:
        return False
    if a.kind == "web":
        return _web_key(a.value) == _web_key(b.value)
    return a.value == b.value


def _web_key(value: str) -> str:
    """Host and path; 'www.' is the same site's conventional name for its host."""
    return re.sub(r"^https?://(www\.)?", "", value).rstrip("/")
