"""A sheet's source findings kept between runs, keyed by everything the rules read.

The source rules (gate.source_findings: review dates, links, contacts,
approval, placeholders, translation against its source, the language's
shared blocks) cost a few milliseconds per sheet, seconds for a catalog of
thousands, on every build, dry run and check, although almost nothing
changed. So their findings are kept, like parsed sheets, in the user's cache
folder (source/parsecache.py: outside every project, written atomically,
pruned), under a SHA-256 of every input the rules read. A stale finding is a
wrong verdict of the gate, so the key is deliberately wide:

- the code: every module of source/ and checks/ (the rules can read nothing
  else: tests/test_architecture.py keeps imports flowing one way), the
  factsheet version, Python (its Unicode data) and the libraries the rules
  call (CLDR, libphonenumber, IDNA, UTS #39 data, the Public Suffix List);
- the project: its folder, org.yaml and policy.yaml as loaded, the brand (its
  callout kinds shape how a sheet is parsed), and the directory of declared
  contacts (org channels, every clinic that loads, known contacts);
- the language: the shared blocks of the sheet's language, of the default
  language and of the language its blocks were translated from, with the line
  of every key, and the snapshot its blocks translation was made from;
- the sheet: its path and text, its review log (reviews.yaml), and for a
  translation its source sheet's path and text (or that it is missing or
  cannot be read) and the snapshot it was translated from;
- other sheets, as far as links reach them: whether each sheet a link names
  (in the sheet or its language's blocks) exists, and the whole list of
  sheets when one does not (link-target's hint names them all);
- the calendar: nothing when the sheet's review is current on that day (the
  review rules then say the same on every such day), else the date itself
  (overdue, due soon and "after today" findings count days).

A rule that starts reading anything else must add it here; the tests
(tests/test_findingcache.py) change each input above and compare a warm cache
with a cold run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from dataclasses import astuple
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..source.hrefs import sheet_target
from ..source.model import Link, Project, Sheet
from ..source.parsecache import LIBRARIES, ParseCache, default_folder
from .contacts import block_links, directory
from .registry import Finding

#: Distributions whose data or code the source rules run: parsing's, and the SVG
#: reader that decides whether a clinic's logo (and so the clinic) loads.
_LIBRARIES = (*LIBRARIES, "defusedxml")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The rules' code: source/ and checks/ (what they may import), versions, libraries."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"factsheet {__version__}; python {sys.version}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"\0{name} {version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"\0{name} -".encode())
    files = [package / "__init__.py", package / "errors.py"]
    files += sorted((package / "source").glob("*.py")) + sorted((package / "checks").glob("*.py"))
    for path in files:
        name = path.relative_to(package).as_posix()
        digest.update(b"\0" + name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _reach(project: Project, links: list[Link] | tuple[Link, ...]) -> str:
    """Whether each sheet the links name exists; every slug when one does not."""
    known = set(project.slugs)
    targets = sorted({sheet_target(link.href) for link in links} - {None})
    reach = [f"{slug}={'yes' if slug in known else 'no'}" for slug in targets]
    if any(slug not in known for slug in targets):
        reach.append("slugs=" + ",".join(project.slugs))
    return ";".join(reach)


def _project_part(project: Project) -> str:
    book = directory(project)
    contacts = {
        "region": book.region,
        "owners": sorted(book.owners.items()),
        "channels": sorted((value, c.model_dump_json()) for value, c in book.channels.items()),
        "domains": sorted(book.domains),
    }
    parts = [
        code_digest(),
        str(project.root),
        project.org.model_dump_json(),
        project.policy.model_dump_json(),
        project.brand.model_dump_json(),
        json.dumps(contacts),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _language_part(project: Project, lang: str) -> str:
    blocks = project.blocks.get(lang)
    origin = blocks.translation_of.lang if blocks and blocks.translation_of else None
    parts = []
    for each in sorted({lang, project.org.default_lang, origin or lang}):
        found = project.blocks.get(each)
        lines = sorted(project.block_lines.get(each, {}).items())
        parts += [each, found.model_dump_json() if found else "-", repr(lines)]
    snapshot = project.block_snapshots.get(lang)
    parts += [
        snapshot.model_dump_json() if snapshot else "-",
        _reach(project, block_links(project, lang)),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def calendar(project: Project, sheet: Sheet, on: dt.date) -> str:
    """What of the date the review rules can see: nothing while the review is current."""
    front = sheet.front
    days_left = (front.next_review - on).days
    if front.reviewed <= on and days_left > project.policy.review_warning_days:
        return "current"
    return on.isoformat()


def findings_key(project: Project, sheet: Sheet, on: dt.date) -> str:
    """SHA-256 over everything the source rules read for ``sheet`` on day ``on``."""
    shared = project.derived("findings_key:project", lambda: _project_part(project))
    language = project.derived(
        f"findings_key:lang:{sheet.lang}", lambda: _language_part(project, sheet.lang)
    )
    log = [a.model_dump_json() for a in project.approvals.get(sheet.slug, ())]
    parts = [
        shared,
        language,
        sheet.display,
        sheet.source_text,
        json.dumps(log),
        _reach(project, sheet.body.links),
        calendar(project, sheet, on),
    ]
    origin = sheet.front.translation_of
    if origin is not None:
        source = project.sheets.get((sheet.slug, origin.lang))
        snapshot = project.snapshots.get((sheet.slug, sheet.lang))
        parts += [
            "broken" if (sheet.slug, origin.lang) in project.broken else "-",
            source.display if source else "-",
            source.source_text if source else "-",
            snapshot.model_dump_json() if snapshot else "-",
        ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class FindingCache:
    """Source findings by key in the parse cache's folder; any doubt is a miss."""

    def __init__(self, folder: Path | None) -> None:
        self.store = ParseCache(folder)

    @staticmethod
    def _name(key: str) -> str:
        return ParseCache.key("source findings", key)

    def get(self, key: str) -> list[Finding] | None:
        record = self.store.get(self._name(key))
        if not (isinstance(record, tuple) and len(record) == 2 and record[0] == key):
            return None
        try:
            found = [Finding(*item) for item in record[1]]
        except TypeError:
            return None
        if not all(_plain(item) for item in found):
            return None
        return found

    def put(self, key: str, found: list[Finding]) -> None:
        self.store.put(self._name(key), (key, [astuple(item) for item in found]))


def _plain(item: Finding) -> bool:
    """A stored finding is exactly what a rule makes: strings, and lines and pages."""
    text = all(isinstance(getattr(item, k), str) for k in ("rule", "severity", "path", "message"))
    optional = all(
        getattr(item, k) is None or isinstance(getattr(item, k), str) for k in ("hint", "unit")
    )
    numbers = all(
        getattr(item, k) is None or type(getattr(item, k)) is int for k in ("line", "page")
    )
    return text and optional and numbers


def finding_cache(project: Project) -> FindingCache:
    """The cache for this run (FACTSHEET_CACHE_DIR, like parsed sheets; empty: off)."""
    return project.derived("finding_cache", lambda: FindingCache(default_folder()))
