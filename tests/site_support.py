"""What the catalog tests share: catalogs with their site written, an HTML reader, and the
check that a page for one language carries no interface string of another."""

from __future__ import annotations

import functools
import json
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import run_cli

from pipeline.source.catalog import PLURAL_LABELS, placeholders
from pipeline.source.cldr import language_name
from pipeline.source.loader import load_project

ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


class Page(HTMLParser):
    """Every element of an HTML page with its attributes, its text and its language."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr"}

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent = self._open[-1]["lang"] if self._open else None
        element = {"tag": tag, "attrs": attrs, "text": "", "lang": attrs.get("lang", parent)}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    @property
    def lang(self) -> str:
        return self.find("html")[0]["attrs"]["lang"]

    @property
    def text(self) -> str:
        return " ".join(self.find("html")[0]["text"].split()).translate(ISOLATES)

    def find(self, tag: str, **attrs: str) -> list[dict]:
        return [
            e
            for e in self.elements
            if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())
        ]

    def links(self) -> list[str]:
        return [e["attrs"]["href"] for e in self.elements if "href" in e["attrs"]]

    def reader_text(self) -> str:
        """What a reader can see or hear: text (not the script) and labelling attributes."""
        parts = [e["text"] for e in self.elements if e["tag"] == "title"]
        body = self.find("body")[0]["text"]
        script = "".join(e["text"] for e in self.find("script"))
        parts.append(body.replace(script, " "))
        for element in self.elements:
            for name in ("title", "aria-label", "alt", "placeholder", "data-no-match"):
                if name in element["attrs"]:
                    parts.append(element["attrs"][name])
            if "data-matches" in element["attrs"]:
                parts += json.loads(element["attrs"]["data-matches"])
        return "\n".join(parts).translate(ISOLATES)


def manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text())["pdfs"]


def pdf_links(page: Page) -> set[str]:
    """The PDFs a page links to, as paths relative to the output folder."""
    base = page.path.parent
    out = next(p for p in [base, *base.parents] if (p / "manifest.json").is_file())
    return {
        (base / unquote(e["attrs"]["href"])).resolve().relative_to(out.resolve()).as_posix()
        for e in page.find("a", type="application/pdf")
    }


def all_pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "site").rglob("*.html"))]


# -- catalogs ----------------------------------------------------------------------------


def copy_catalog(catalog: Path, target: Path) -> Path:
    """A private copy of the built session catalog (project and output)."""
    shutil.copytree(catalog, target, ignore=shutil.ignore_patterns("lock", "tmp"))
    return target


def add_pdf(out: Path, source: str, path: str, **changes) -> None:
    """List one more PDF in the manifest, as a build of another kind would (bytes copied)."""
    data = json.loads((out / "manifest.json").read_text())
    entry = next(e for e in data["pdfs"] if e["path"] == source)
    if path != source:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / source, out / path)
    data["pdfs"] = [e for e in data["pdfs"] if e["path"] != path] + [
        {**entry, "path": path, **changes}
    ]
    (out / "manifest.json").write_text(json.dumps(data, indent=2))


def set_publish(root: Path, text: str) -> None:
    """Append a publish: section to the copy's policy.yaml."""
    policy = root / "sheets" / "_org" / "policy.yaml"
    policy.write_text(policy.read_text() + "\npublish:\n" + text)


MBC = "metastatic-breast-cancer"
QTA = "questions-to-ask-your-doctor"
#: Files a build writes that are not for the public catalog, beside the public ones.
INTERNAL_KINDS = {
    f"en/{MBC}.print.pdf": {"print_marks": True},
    f"en/{MBC}.a4.pdf": {"paper": "a4"},
    f"en/{MBC}.qr.pdf": {"qr": True},
    f"imprints/eastside/en/{MBC}.pdf": {"imprint": "eastside"},
    f"imprints/eastside/es/{MBC}.pdf": {"imprint": "eastside"},
    f"imprints/gone-clinic/en/{MBC}.pdf": {"imprint": "gone-clinic"},
}


@pytest.fixture(scope="session")
def mixed(catalog: Path, tmp_path_factory) -> Path:
    """The catalog plus one file of every internal kind, a DRAFT band, and the site written."""
    root = copy_catalog(catalog, tmp_path_factory.mktemp("mixed") / "project")
    out = root / "output"
    for path, changes in INTERNAL_KINDS.items():
        source = f"{'es' if '/es/' in path else 'en'}/{MBC}.pdf"
        add_pdf(out, source, path, **changes)
    add_pdf(out, f"en/{QTA}.large-print.pdf", f"en/{QTA}.large-print.pdf", draft_band=True)
    run_cli(root, "site", check=True)
    return root


@pytest.fixture(scope="session")
def drafts(catalog: Path, tmp_path_factory) -> Path:
    """The catalog with publish.drafts: every language of the sample is public."""
    root = copy_catalog(catalog, tmp_path_factory.mktemp("drafts") / "project")
    add_pdf(root / "output", f"en/{MBC}.pdf", f"imprints/eastside/en/{MBC}.pdf", imprint="eastside")
    set_publish(root, "  drafts: true\n")
    run_cli(root, "site", check=True)
    return root


# -- interface strings -------------------------------------------------------------------


@functools.cache
def ui_strings(root: Path, lang: str) -> frozenset[str]:
    """Every catalog interface string of ``lang``: its fixed parts between placeholders."""
    blocks = load_project(root).blocks[lang]
    texts = []
    catalog = blocks.catalog.model_dump() if blocks.catalog is not None else {}
    for name, value in catalog.items():
        texts += list(value.values()) if name in PLURAL_LABELS else [value]
    labels = blocks.labels
    texts += [labels.sheet_id, labels.version, labels.reviewed, labels.next_review, labels.draft]
    fragments = set()
    for text in texts:
        names = placeholders(text)
        pieces = (
            re.split(r"\{(?:" + "|".join(map(re.escape, names)) + r")\}", text) if names else [text]
        )
        fragments |= {piece.strip(" ,.:;()（），、。") for piece in pieces}
    # Two letters or more: "版" or "：" alone could be anybody's.
    return frozenset(
        p for p in fragments if sum(unicodedata.category(c).startswith("L") for c in p) >= 2
    )


@functools.cache
def content_strings(out: Path) -> tuple[str, ...]:
    """Text a page shows that is content, not interface: sheet texts, names, ids."""
    found = {"Harborlight Breast Cancer Network", "Eastside Community Clinic"}
    for entry in manifest(out):
        found |= {entry["title"], entry["series"] or "", entry["sheet_id"], entry["summary"] or ""}
        found |= set(entry.get("keywords", []))
    langs = {entry["lang"] for entry in manifest(out)}
    found |= {language_name(tag, other) for tag in langs for other in langs}
    return tuple(sorted((text for text in found if text), key=len, reverse=True))


def foreign_strings(page: Page, root: Path, langs: list[str]) -> list[str]:
    """Interface strings of other languages on a page written in ``page.lang``."""
    return foreign_in_text(page.reader_text(), page.lang, root, langs)


def foreign_in_text(text: str, lang: str, root: Path, langs: list[str]) -> list[str]:
    """Interface strings of languages other than ``lang`` in what a reader gets."""
    text = text.translate(ISOLATES)
    for content in content_strings(root / "output"):
        text = text.replace(content, " ")
    own = ui_strings(root, lang)
    found = []
    for other in langs:
        if other == lang:
            continue
        for piece in ui_strings(root, other):
            if piece in text and not any(piece in mine for mine in own):
                found.append(f"{other}: {piece!r}")
    return found
