"""Web addresses written without https:// or www. ("harborhelp.org/help"), and who owns a site.

A sheet that says "see harborhelp.org" sends a patient there as surely as a
link does, so such a name is a contact like any other (source/contacts.py). A
dotted name counts as a web address only when it ends in a real top-level
domain or public suffix, read from the Public Suffix List (publicsuffix.org,
bundled with ``publicsuffixlist``: no list of our own, no network), or in a
name reserved for examples and tests (RFC 2606 section 2, RFC 6761 section 6:
example, test, invalid, localhost; the sample organisation is at
harborlight.example). That alone keeps decimals, versions and abbreviations
("3.5", "v1.2.3", "e.g.", "U.S.", "Dr.Smith") out; a few more rules keep
prose out where a word happens to be a top-level domain:

- the top-level label is not a capitalised word ("end of a sentence.It" is not
  a site in Italy, "Dr.Mobile" not one under .mobile), unless the whole name is
  in capitals, as in a heading ("HARBORHELP.ORG");
- a file name ("en.md", "notes.zip", "build.py") is a name and a file
  extension that is also a top-level domain; with a path ("harbor.md/help") it
  is an address;
- two or more labels of one letter each ("e.g.in") are an abbreviation, unless
  a path follows ("x.com" is a site); two or more labels of digits each are a
  number ("1.877.555.HELP", a phone number spelt with dots; "163.com" is a site).

Names are matched as browsers read them: UTS #46 maps full-width letters and
the ideographic full stop ("ｈａｒｂｏｒ．ｏｒｇ", "harbor。org") to what they
stand for. Scripts written without spaces (Han, kana, Thai, ...) end a label
where they meet Latin letters, so "请访问harborhelp.org了解" finds
"harborhelp.org".

A site's owner is its registrable domain (the public suffix and one label
more): www.harborlight.example and harborlight.example are one owner's, as are
two sites under one government domain, while two blogs under a shared hosting
suffix (the list's private section) are not.
"""

from __future__ import annotations

import mimetypes
import re
from functools import cache

import idna
from publicsuffixlist import PublicSuffixList

#: RFC 2606 section 2 and RFC 6761 section 6: top-level names that never resolve
#: on the public Internet, kept for examples, tests and documentation.
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})

#: The project's own source and exchange formats (Markdown, YAML, XLIFF, PO), added
#: to the file types Python's mimetypes table knows (documents, images, archives,
#: code): a two-label name that ends in one of these and has no path is a file
#: name ("en.md", "notes.zip", "build.py"), even where the extension is also a
#: top-level domain (.md Moldova, .py Paraguay, .zip). The cost: a bare
#: "harbor.ai" or "about.me" is read as a file too; with a path, "www." or
#: https:// it is an address.
PROJECT_FORMATS = frozenset({"md", "markdown", "yaml", "yml", "xlf", "xliff", "po", "pot"})


@cache
def file_extensions() -> frozenset[str]:
    """Extensions of files (without the dot), from Python's own mimetypes table
    (not the system's mime.types, so every machine reads a name the same way)."""
    table = mimetypes.MimeTypes()
    known = {ext.lstrip(".").lower() for strict in (True, False) for ext in table.types_map[strict]}
    return frozenset(known | PROJECT_FORMATS)


#: Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer,
#: Hiragana, Katakana, Han (with its extensions and compatibility block).
UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK = f"[{UNSPACED}]"
#: A word character of a script written with spaces: where a word goes on.
SPACED_WORD = rf"(?:(?!{_CJK})\w)"
_CHAR = rf"(?:(?!{_CJK})[\w-])"  # a character of a label in a spaced script
_LABEL = rf"(?:{_CHAR}+|{_CJK}+)"
#: A full stop, or one UTS #46 maps to it (full-width, ideographic, half-width)
#: when a Latin letter or digit follows: in Chinese prose "。" ends a sentence.
_DOT = r"(?:\.|[\uff0e\u3002\uff61](?=[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]))"
_PATH = rf"/(?:(?!{_CJK})[^\s<>()\[\]{{}}\"'\u3000-\u303f\uff08\uff09\uff0c\uff1a\uff1b])*"
_BARE = re.compile(
    rf"(?<![@./:\\\-])(?<!{_CHAR})(?P<host>{_LABEL}(?:{_DOT}{_LABEL})+)(?P<path>{_PATH})?"
)

_DOTTED = re.compile(r"[^\W_][.\uff0e\u3002\uff61][^\W_]")


@cache
def _psl() -> PublicSuffixList:
    # accept_unknown=False: a name whose last label is not on the list is not a domain.
    return PublicSuffixList(accept_unknown=False)


def _mapped(host: str) -> str | None:
    """The host as a browser reads it (UTS #46), lower case; None if it is no host name."""
    try:
        name = idna.uts46_remap(host, std3_rules=True, transitional=False).lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    labels = name.split(".")
    if any(not label or label.startswith("-") or label.endswith("-") for label in labels):
        return None
    return name


def registrable(host: str) -> str | None:
    """The registrable domain of a host name (its owner's), or None when the name does
    not end in a public suffix or a reserved name: 'www.cancer.gov' -> 'cancer.gov',
    'www.harborlight.example' -> 'harborlight.example'."""
    name = _mapped(host)
    if name is None:
        return None
    labels = name.split(".")
    if labels[-1] in RESERVED_TLDS:
        return ".".join(labels[-2:]) if len(labels) > 1 else None
    try:
        return _psl().privatesuffix(name)
    except (ValueError, UnicodeError):
        return None


def site_key(host: str) -> str:
    """What two web addresses must share to have one owner: the registrable domain."""
    return registrable(host) or (_mapped(host) or host).lower()


def find_bare_domains(text: str) -> list[tuple[int, int]]:
    """(start, end) of every web address in ``text`` written without a scheme or 'www.'.

    Addresses with https:// or www. and email addresses are found by source/contacts.py
    before this runs; its caller skips what they already took.
    """
    out: list[tuple[int, int]] = []
    if not _DOTTED.search(text):
        return out  # most lines of prose: no dot between two letters or digits
    for match in _BARE.finditer(text):
        host = match.group("host")
        path = (match.group("path") or "").rstrip(".,;:!?…'\"")
        if _is_address(host, path not in ("", "/")):
            out.append((match.start(), match.start() + len(host) + len(path)))
    return out


def _is_address(host: str, has_path: bool) -> bool:
    name = _mapped(host)
    if name is None or registrable(host) is None:
        return False
    if re.split(r"[.\uff0e\u3002\uff61]", host)[-1].istitle() and host != host.upper():
        return False  # "sentence.It", "Dr.Mobile": a word after a full stop, not a domain
    labels = name.split(".")
    if has_path:
        return True
    if len(labels) == 2 and labels[-1] in file_extensions():
        return False  # "en.md": a file
    suffix = labels[-1] if labels[-1] in RESERVED_TLDS else _psl().publicsuffix(name)
    before = labels[: len(labels) - len((suffix or "").split("."))]
    if len(before) >= 2 and all(label.isdecimal() for label in before):
        return False  # "1.877.555.HELP": a number spelt with dots
    return len(before) < 2 or not all(len(label) == 1 for label in before)
