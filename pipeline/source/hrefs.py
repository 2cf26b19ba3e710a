"""Link targets as a sheet writes them: their scheme, the sheet a ``sheet:`` or
relative link names, and the address meant when the scheme was left out.

``www.example.org`` without ``https://`` would otherwise be taken for a file
of the catalog (a relative link); the source checks say which scheme to add.
"""

from __future__ import annotations

import re

__all__ = ["SAFE_SCHEMES", "link_scheme", "missing_scheme", "sheet_target"]

SAFE_SCHEMES = ("https", "mailto", "tel", "sheet")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def link_scheme(href: str) -> str | None:
    match = _SCHEME.match(href.strip())
    return match.group(1).lower() if match else None


_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}([/?#].*)?$", re.I)
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/:]+\.[a-z]{2,}$", re.I)
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,}[0-9]$")


def missing_scheme(href: str) -> str | None:
    """The link ``href`` was meant to be when it lacks its scheme, else None:
    ``www.example.org`` -> ``https://www.example.org``, an email address ->
    ``mailto:...``, a phone number -> ``tel:+...`` (digits only, as E.164)."""
    href = href.strip()
    if not href or link_scheme(href) is not None or href.startswith(("/", "#", ".")):
        return None
    if _EMAIL.match(href):
        return f"mailto:{href}"
    if _PHONE.match(href):
        digits = re.sub(r"\D", "", href)
        return f"tel:+{digits}"
    if _DOMAIN.match(href) and not href.endswith((".md", ".pdf")):
        return f"https://{href}"
    return None


def sheet_target(href: str) -> str | None:
    """The slug a ``sheet:slug`` or relative ``../slug/`` link points at, else None."""
    href = href.strip()
    if href.startswith("sheet:"):
        return href[len("sheet:") :].strip("/")
    if missing_scheme(href):
        return None  # a web address, email or phone number without its scheme
    if href and link_scheme(href) is None and not href.startswith("#"):
        parts = [p for p in href.split("/") if p not in ("", ".", "..")]
        return parts[0] if parts else ""
    return None
