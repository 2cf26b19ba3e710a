"""output/feed.xml: an Atom feed (RFC 4287) with one entry per published version.

A clinic that printed a handout subscribes to learn when it changed. The
manifest only knows today's PDFs, so every (path, version, sha256) ever seen
is kept in output/.factsheet/feed-history.json and earlier versions stay in
the feed. Entry ids are minted once, when a version is first seen, and stored
with it: a feed reader must never see the same version twice as new.
Dates come from the sheets (`reviewed`), never from the clock.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from ..build.output import STATE, OutputFolder
from ..errors import OutputError
from ..source.cldr import language_name
from ..source.model import Org
from .manifest import Pdf

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HISTORY = f"{STATE}/feed-history.json"
FEED = "feed.xml"
#: What a history record keeps of a manifest entry.
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

PAPER_NAMES = {"letter": "Letter", "a4": "A4"}

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
    return records


def _broken(path: Path, why: str) -> OutputError:
    return OutputError(
        f"cannot read the feed history: {why}",
        str(path),
        hint="restore it from a backup, or delete it to restart the feed from manifest.json",
    )


def update_history(folder: OutputFolder, org: Org, pdfs: list[Pdf]) -> list[dict]:
    """Add the manifest's PDFs not seen before to the history file; return all records."""
    records = read_history(folder.root)
    seen = {(r["path"], r["version"], r["sha256"]) for r in records}
    ids = {(r["path"], r["version"]): r["id"] for r in records}
    for pdf in pdfs:
        if (pdf.path, pdf.version, pdf.sha256) in seen:
            continue
        record = pdf.model_dump(mode="json", include=set(FIELDS))
        record["id"] = ids.setdefault((pdf.path, pdf.version), entry_id(org, pdf))
        records.append(record)
    text = json.dumps({"entries": records}, indent=2, ensure_ascii=False, sort_keys=True)
    folder.write(HISTORY, (text + "\n").encode())
    return records


def entry_id(org: Org, pdf: Pdf) -> str:
    """A tag: URI (RFC 4151) naming one version of one published PDF.

    The path carries slug, language, variant, paper, print marks and imprint;
    the date is the version's review date, a day the organisation held its domain.
    """
    host = urlsplit(org.publish_base_url).hostname
    name = quote(pdf.path.removesuffix(".pdf"), safe="/")
    return f"tag:{host},{pdf.reviewed.isoformat()}:{name}/{quote(pdf.version)}"


# -- the feed ----------------------------------------------------------------------


def atom_feed(org: Org, records: list[dict]) -> bytes:
    """The Atom document: one entry per (path, version), newest review first."""
    base = org.publish_base_url.rstrip("/")
    latest: dict[tuple[str, str], dict] = {}
    for record in records:  # a rebuilt version keeps its id; its newest bytes win
        latest[(record["path"], record["version"])] = record
    entries = sorted(latest.values(), key=lambda r: (r["reviewed"], r["id"]), reverse=True)

    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "en"})
    _add(feed, "id", f"{base}/{FEED}")
    _add(feed, "title", f"{org.name}: fact sheets")
    _add(feed, "subtitle", "A new entry for every new version of a published fact sheet.")
    _add(feed, "updated", _timestamp(entries[0]["reviewed"] if entries else "1970-01-01"))
    author = _add(feed, "author")
    _add(author, "name", org.name)
    _add(author, "uri", org.website)
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/{FEED}")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/index.html")
    for record in entries:
        feed.append(_entry(base, record, _previous(records, record)))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(base: str, record: dict, previous: dict | None) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    language = language_name(record["lang"], "en")
    what = f"{language}, {describe(record)}"
    _add(entry, "id", record["id"])
    _add(
        entry,
        "title",
        f"{record['title']} ({what}): version {record['version']}, reviewed {record['reviewed']}",
    )
    _add(entry, "updated", _timestamp(record["reviewed"]))
    summary = [
        f"Version {record['version']} of sheet {record['sheet_id']} ({what}), "
        f"reviewed {record['reviewed']}; next review due {record['next_review']}."
    ]
    if previous:
        summary.append(
            f"It replaces version {previous['version']} (reviewed {previous['reviewed']})."
        )
    if record["draft_band"]:
        summary.append("This PDF carries a DRAFT band: it is not for distribution.")
    elif record["status"] != "approved":
        summary.append("This translation is a draft: it has not been approved yet.")
    pages = "page" if record["pages"] == 1 else "pages"
    summary.append(f"PDF, {record['pages']} {pages}, SHA-256 {record['sha256']}.")
    _add(entry, "summary", " ".join(summary))
    _add(
        entry,
        "link",
        rel="alternate",
        type="application/pdf",
        hreflang=record["lang"],
        length=str(record["size"]),
        href=f"{base}/{quote(record['path'])}",
    )
    _add(entry, "category", term=record["lang"], label=language)
    return entry


def describe(record: dict) -> str:
    """'standard, letter' / 'large print, A4, with crop marks, imprint: north-clinic'."""
    parts = [record["variant"].replace("-", " "), PAPER_NAMES.get(record["paper"], record["paper"])]
    if record["print_marks"]:
        parts.append("with crop marks")
    if record["imprint"]:
        parts.append(f"imprint: {record['imprint']}")
    return ", ".join(parts)


def _previous(records: list[dict], record: dict) -> dict | None:
    """The version this one replaced at the same path, if the history knows it."""
    same_path = [r for r in records if r["path"] == record["path"]]
    versions = list(dict.fromkeys(r["version"] for r in same_path))
    index = versions.index(record["version"])
    if index == 0:
        return None
    return [r for r in same_path if r["version"] == versions[index - 1]][-1]


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


# -- validation ----------------------------------------------------------------------


def feed_problems(data: bytes) -> list[str]:
    """What makes ``data`` not a usable Atom feed (RFC 4287, 4.1); empty if none."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if root.tag != f"{{{ATOM}}}feed":
        return [f"the root element is {root.tag}, not an Atom feed"]
    problems = [
        f"the feed has no {name}" for name in ("id", "title", "updated") if _one(root, name) is None
    ]
    if _one(root, "author") is None:
        problems.append("the feed has no author")
    for number, entry in enumerate(root.findall(f"{{{ATOM}}}entry"), 1):
        for name in ("id", "title", "updated", "summary"):
            if _one(entry, name) is None:
                problems.append(f"entry {number} has no {name}")
        if entry.find(f"{{{ATOM}}}link[@rel='alternate']") is None:
            problems.append(f"entry {number} has no alternate link")
    ids = [e.findtext(f"{{{ATOM}}}id") for e in root.findall(f"{{{ATOM}}}entry")]
    if len(ids) != len(set(ids)):
        problems.append("two entries share an id")
    return problems


def _one(parent: ET.Element, name: str) -> ET.Element | None:
    found = parent.findall(f"{{{ATOM}}}{name}")
    return found[0] if len(found) == 1 and (name == "author" or found[0].text) else None
