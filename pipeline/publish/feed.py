"""output/feed.xml: an Atom feed (RFC 4287) with one entry per sheet version per language.

A clinic that printed a handout subscribes to learn when it changed. An entry
is one version of one sheet in one language, written in that language: its
alternate link is the sheet's catalog page (what a feed reader opens), and
each public file of it (standard, large print ...) is an enclosure link with
its type, language and length. Only what the publication rules make public
is announced (rules.py): never a print-shop copy, an imprint or, by default,
a draft.

The manifest only knows today's PDFs, so every (path, version, sha256) ever
seen is kept in output/.factsheet/feed-history.json and earlier versions stay
in the feed (without files: their paths now hold the newer version). Entry
ids are minted once, when a version is first seen, and stored with it: a
feed reader must never see the same version twice as new. Dates come from
the sheets (`reviewed`), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from ..build.output import STATE
from ..errors import OutputError
from ..source.catalog import Publish
from ..source.cldr import language_name
from ..source.model import Org
from .interface import Interface
from .manifest import Pdf
from .pages import Pages, sheet_page, variant_label, variant_order
from .rules import CATALOG, place

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HISTORY = f"{STATE}/feed-history.json"
FEED = "feed.xml"
#: What a history record keeps of a manifest entry (and must have to be read back).
FIELDS = (
    "path",
    "version",
    "sha256",
    "size",
    "pages",
    "slug",
    "sheet_id",
    "title",
    "lang",
    "variant",
    "paper",
    "print_marks",
    "imprint",
    "status",
    "draft_band",
    "reviewed",
    "next_review",
)
#: Fields added later, with the value a record written before them gets.
LATER_FIELDS = {"series": None, "qr": False}

ET.register_namespace("", ATOM)


# -- history ---------------------------------------------------------------------


def read_history(out_dir: Path) -> list[dict]:
    """Every (path, version, sha256) seen so far, oldest first."""
    path = out_dir / HISTORY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise _broken(path, str(error)) from None
    records = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and {"id", *FIELDS} <= r.keys() for r in records
    ):
        raise _broken(path, "it is not a list of feed entries")
    return [LATER_FIELDS | record for record in records]


def _broken(path: Path, why: str) -> OutputError:
    return OutputError(
        f"cannot read the feed history: {why}",
        str(path),
        hint="restore it from a backup, or delete it to restart the feed from manifest.json",
    )


def version_key(record: dict) -> tuple[str, str, str]:
    """What one feed entry stands for: a sheet, a language, a version."""
    return (record["slug"], record["lang"], record["version"])


def update_history(out_dir: Path, org: Org, pdfs: list[Pdf]) -> list[dict]:
    """The history with the manifest's PDFs not seen before added (history_bytes writes it)."""
    records = read_history(out_dir)
    current = {(pdf.path, pdf.version, pdf.sha256): pdf for pdf in pdfs}
    for record in records:  # same bytes, same sheet: fill in fields added since it was seen
        pdf = current.get((record["path"], record["version"], record["sha256"]))
        if pdf is not None:
            record.update(pdf.model_dump(mode="json", include=set(LATER_FIELDS)))
    seen = {(r["path"], r["version"], r["sha256"]) for r in records}
    ids: dict[tuple, str] = {}
    for record in records:  # the first id seen for a version is its entry's id
        ids.setdefault(version_key(record), record["id"])
    for pdf in pdfs:
        if (pdf.path, pdf.version, pdf.sha256) in seen:
            continue
        record = pdf.model_dump(mode="json", include={*FIELDS, *LATER_FIELDS})
        record["id"] = ids.setdefault(version_key(record), entry_id(org, pdf))
        records.append(record)
    return records


def history_bytes(records: list[dict]) -> bytes:
    """The history file's content, written with the pages so that both change together."""
    text = json.dumps({"entries": records}, indent=2, ensure_ascii=False, sort_keys=True)
    return (text + "\n").encode()


def entry_id(org: Org, pdf: Pdf) -> str:
    """A tag: URI (RFC 4151) naming one version of one sheet in one language.

    The date is the version's review date, a day the organisation held its domain.
    """
    host = urlsplit(org.publish_base_url).hostname
    name = "/".join(quote(part, safe="") for part in (pdf.slug, pdf.lang, pdf.version))
    return f"tag:{host},{pdf.reviewed.isoformat()}:{name}"


# -- the entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One sheet version in one language, with the public files it has today."""

    id: str
    record: dict  # the newest record of the version (title, dates, sheet id)
    files: list[Pdf]  # enclosures: empty once a newer version took the paths
    previous: dict | None  # the version it replaced
    next: dict | None  # the version that replaced it


def entries(
    records: list[dict], pdfs: list[Pdf], rules: Publish, default_paper: str
) -> list[Entry]:
    """The feed's entries, newest review first: public versions only."""
    ids: dict[tuple, str] = {}
    for record in records:
        ids.setdefault(version_key(record), record["id"])
    latest: dict[tuple[str, str], dict] = {}
    for record in records:  # a rebuilt file keeps its version; its newest bytes win
        latest[(record["path"], record["version"])] = record
    public = [
        r for r in latest.values() if place(_pdf(r), rules, default_paper, {}).where == CATALOG
    ]
    current = {(pdf.path, pdf.sha256) for pdf in pdfs}
    versions: dict[tuple, list[dict]] = {}
    for record in public:
        versions.setdefault(version_key(record), []).append(record)
    order = {key: index for index, key in enumerate(ids)}  # first seen, per version
    found = []
    for key, group in versions.items():
        sequence = sorted(
            (k for k in versions if k[:2] == key[:2]), key=lambda k: order.get(k, len(order))
        )
        at = sequence.index(key)
        files = [_pdf(r) for r in group if (r["path"], r["sha256"]) in current]
        found.append(
            Entry(
                id=ids[key],
                record=max(group, key=lambda r: (r["reviewed"], r["path"])),
                files=sorted(files, key=variant_order),
                previous=versions[sequence[at - 1]][0] if at > 0 else None,
                next=versions[sequence[at + 1]][0] if at + 1 < len(sequence) else None,
            )
        )
    return sorted(found, key=lambda e: (e.record["reviewed"], e.id), reverse=True)


def _pdf(record: dict) -> Pdf:
    return Pdf.model_validate(record)


# -- the feed ----------------------------------------------------------------------


def atom_feed(
    org: Org, pages: Pages, items: list[Entry], written: set[str], default_lang: str
) -> bytes:
    """The Atom document. ``written``: the catalog pages that exist (links go only there)."""
    base = org.publish_base_url.rstrip("/")
    home = pages.ui(default_lang)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: default_lang})
    _add(feed, "id", f"{base}/{FEED}")
    _add(feed, "title", home.format("feed_title", org=org.name).text)
    _add(feed, "subtitle", home.feed_subtitle.text)
    _add(feed, "updated", _timestamp(items[0].record["reviewed"] if items else "1970-01-01"))
    author = _add(feed, "author")
    _add(author, "name", org.name)
    _add(author, "uri", org.website)
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/{FEED}")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/index.html")
    for item in items:
        feed.append(_entry(base, pages, item, written))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(base: str, pages: Pages, item: Entry, written: set[str]) -> ET.Element:
    record, lang = item.record, item.record["lang"]
    ui: Interface = pages.ui(lang)
    entry = ET.Element(f"{{{ATOM}}}entry", {XML_LANG: lang})
    name = ui.sheet_name(record["series"], record["title"])
    language = language_name(lang)
    _add(entry, "id", item.id)
    title = ui.format("entry_title", sheet=name, language=language, version=record["version"])
    _add(entry, "title", title.text)
    _add(entry, "updated", _timestamp(record["reviewed"]))
    summary = [
        ui.format(
            "entry_summary",
            version=record["version"],
            sheet_id=record["sheet_id"],
            reviewed=ui.day(_date(record["reviewed"])),
            next_review=ui.day(_date(record["next_review"])),
        ).text
    ]
    if item.previous:
        previous = item.previous
        reviewed = ui.day(_date(previous["reviewed"]))
        summary.append(
            ui.format("entry_replaces", version=previous["version"], reviewed=reviewed).text
        )
    if item.next:
        summary.append(ui.format("entry_replaced", version=item.next["version"]).text)
    if record["status"] != "approved":
        summary.append(ui.unapproved.text + ".")
    if any(pdf.draft_band for pdf in item.files):
        summary.append(ui.draft.text + ".")
    _add(entry, "summary", " ".join(summary))
    page = sheet_page(record["slug"], lang, pages.home)
    _add(
        entry,
        "link",
        rel="alternate",
        type="text/html",
        hreflang=lang,
        href=f"{base}/{page if page in written else 'index.html'}",
    )
    for pdf in item.files:
        details = ui.file(pdf.pages, pdf.size).text
        _add(
            entry,
            "link",
            rel="enclosure",
            type="application/pdf",
            hreflang=lang,
            length=str(pdf.size),
            title=f"{variant_label(ui, pdf).text} ({details})",
            href=f"{base}/{quote(pdf.path)}",
        )
    _add(entry, "category", term=lang, label=language)
    return entry


def _date(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


# -- validation ----------------------------------------------------------------------

#: RFC 3339 date-time, as RFC 4287 3.3 requires for atom:updated and atom:published.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def feed_problems(data: bytes) -> list[str]:
    """What makes ``data`` not a valid Atom feed (RFC 4287, 4.1.1 and 4.1.2); empty if none."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if root.tag != f"{{{ATOM}}}feed":
        return [f"the root element is {root.tag}, not an Atom feed"]
    problems = _required(root, "the feed")
    feed_author = root.find(f"{{{ATOM}}}author") is not None
    ids = []
    for number, entry in enumerate(root.findall(f"{{{ATOM}}}entry"), 1):
        where = f"entry {number}"
        problems += _required(entry, where)
        if not feed_author and entry.find(f"{{{ATOM}}}author") is None:
            problems.append(f"{where} has no author, and neither has the feed")
        links = entry.findall(f"{{{ATOM}}}link")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in links
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):
            problems.append(f"{where} has two alternate links of the same type and hreflang")
        content = entry.find(f"{{{ATOM}}}content")
        if content is None and not alternates:
            problems.append(f"{where} has neither content nor an alternate link")
        if (content is None or content.get("src")) and _one(entry, "summary") is None:
            problems.append(f"{where} has no summary")
        for link in links:
            if not urlsplit(link.get("href", "")).scheme:
                problems.append(f"{where} links to '{link.get('href')}', not an absolute IRI")
        ids.append(entry.findtext(f"{{{ATOM}}}id"))
    if len(ids) != len(set(ids)):
        problems.append("two entries share an id")
    return problems


def _required(element: ET.Element, where: str) -> list[str]:
    """atom:id (an absolute IRI), atom:title and atom:updated (RFC 3339), exactly once each."""
    problems = []
    for name in ("id", "title", "updated"):
        if _one(element, name) is None:
            problems.append(f"{where} has not exactly one {name}")
    ident = element.findtext(f"{{{ATOM}}}id") or ""
    if ident and not urlsplit(ident).scheme:
        problems.append(f"{where}: id '{ident}' is not an absolute IRI")
    updated = element.findtext(f"{{{ATOM}}}updated") or ""
    if updated and not RFC3339.match(updated):
        problems.append(f"{where}: updated '{updated}' is not an RFC 3339 date-time")
    return problems


def _one(parent: ET.Element, name: str) -> ET.Element | None:
    found = parent.findall(f"{{{ATOM}}}{name}")
    return found[0] if len(found) == 1 and found[0].text else None
