"""`factsheet site`: the clinics' catalog pages and Atom feed, from manifest.json alone.

The fast tests read the generated files; the slow ones open them in a real
headless Chromium, download PDFs through the page and run axe-core on them.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from conftest import ROOT, run_cli

from pipeline.publish.feed import ATOM, feed_problems
from pipeline.source.cldr import direction, language_name

A = f"{{{ATOM}}}"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Page(HTMLParser):
    """Every element of an HTML page with its attributes and the text inside it."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr"}

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict]:
        return [
            e
            for e in self.elements
            if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())
        ]

    def links(self) -> list[str]:
        return [e["attrs"]["href"] for e in self.elements if "href" in e["attrs"]]


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


@pytest.fixture(scope="module")
def site(catalog: Path) -> Path:
    """The session catalog with its site written; returns the output folder."""
    run_cli(catalog, "site", check=True)
    return catalog / "output"


def all_pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "site").rglob("*.html"))]


# -- the pages ---------------------------------------------------------------------------


def test_index_links_every_published_pdf(site: Path) -> None:
    entries = manifest(site)
    index = Page(site / "index.html")
    assert pdf_links(index) == {entry["path"] for entry in entries}
    text = " ".join(index.elements[0]["text"].split())
    for entry in entries:
        assert entry["title"] in text
        assert f"{entry['pages']} page" in text


def test_language_and_sheet_pages_list_what_they_should(site: Path) -> None:
    entries = manifest(site)
    for lang in {e["lang"] for e in entries}:
        page = Page(site / "site" / f"{lang}.html")
        assert pdf_links(page) == {e["path"] for e in entries if e["lang"] == lang}
        html = page.find("html")[0]["attrs"]
        assert html == {"lang": lang, "dir": direction(lang)}
    for slug in {e["slug"] for e in entries}:
        page = Page(site / "site" / "sheets" / f"{slug}.html")
        assert pdf_links(page) == {e["path"] for e in entries if e["slug"] == slug}


def test_language_names_are_written_in_their_own_language(site: Path) -> None:
    langs = {e["lang"] for e in manifest(site)}
    assert "ar" in langs
    for path in all_pages(site):
        page = Page(path)
        for lang in langs:
            name = language_name(lang)
            marked = page.find("a", lang=lang, dir=direction(lang))
            assert name in [e["text"] for e in marked], f"{lang} in {path.name}"
    arabic = Page(site / "index.html").find("a", lang="ar")
    assert arabic and all(e["attrs"]["dir"] == "rtl" for e in arabic)
    assert "العربية" in [e["text"] for e in arabic]


def test_language_page_uses_its_labels_and_marks_english(site: Path) -> None:
    page = Page(site / "site" / "ar.html")
    headers = {e["text"]: e["attrs"] for e in page.find("th", scope="col")}
    assert headers["آخر مراجعة"] == {"scope": "col"}  # labels.reviewed, in the page's language
    assert headers["Download"] == {"scope": "col", "lang": "en", "dir": "ltr"}
    skip = page.find("a", href="#main")[0]
    assert skip["attrs"]["lang"] == "en" and skip["text"] == "Skip to main content"


def test_every_link_resolves(site: Path) -> None:
    for path in all_pages(site):
        page = Page(path)
        ids = {e["attrs"]["id"] for e in page.elements if "id" in e["attrs"]}
        for href in page.links():
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme == "https", href  # the organisation's website
            elif href.startswith("#"):
                assert href[1:] in ids, f"{href} in {path}"
            else:
                target = (path.parent / unquote(parts.path)).resolve()
                assert target.is_file(), f"{href} in {path}"
                assert target.is_relative_to(site.resolve())


def test_pages_are_deterministic(site: Path, catalog: Path) -> None:
    files = [*all_pages(site), site / "feed.xml", site / ".factsheet" / "feed-history.json"]
    before = {path: path.read_bytes() for path in files}
    run_cli(catalog, "site", check=True)
    assert {path: path.read_bytes() for path in files} == before


def test_site_needs_a_built_catalog(project_dir: Path) -> None:
    result = run_cli(project_dir, "site")
    assert result.returncode == 1
    assert "no manifest.json" in result.stderr
    assert "factsheet build" in result.stderr


# -- the feed ----------------------------------------------------------------------------


def atom_entries(out: Path) -> list[ET.Element]:
    data = (out / "feed.xml").read_bytes()
    assert feed_problems(data) == []
    root = ET.fromstring(data)
    assert root.tag == f"{A}feed"
    return root.findall(f"{A}entry")


def test_feed_is_atom_with_an_entry_per_published_pdf(site: Path) -> None:
    entries = manifest(site)
    feed = atom_entries(site)
    assert len(feed) == len(entries)
    by_href = {e.find(f"{A}link[@rel='alternate']").get("href"): e for e in feed}
    for entry in entries:
        item = next(v for k, v in by_href.items() if k.endswith("/" + entry["path"]))
        assert item.findtext(f"{A}updated") == f"{entry['reviewed']}T00:00:00Z"
        assert item.findtext(f"{A}id").startswith("tag:")
        assert f"version {entry['version']}" in item.findtext(f"{A}title")
        assert entry["sha256"] in item.findtext(f"{A}summary")


def test_a_new_version_adds_a_feed_entry_and_keeps_the_old_one(
    site: Path, catalog: Path, tmp_path: Path
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(catalog, root, ignore=shutil.ignore_patterns("lock", "tmp"))
    before = {e.findtext(f"{A}id"): e for e in atom_entries(root / "output")}
    source = root / "sheets" / "metastatic-breast-cancer" / "en.md"
    text = source.read_text()
    text = re.sub(r'(?m)^version: "3\.0"$', 'version: "3.1"', text)
    text = re.sub(r"(?m)^reviewed: 2026-03-06$", "reviewed: 2026-11-02", text)
    source.write_text(text)
    run_cli(root, "build", "metastatic-breast-cancer", "--lang", "en", check=True)
    run_cli(root, "site", check=True)

    after = {e.findtext(f"{A}id"): e for e in atom_entries(root / "output")}
    assert before.keys() < after.keys()
    [new] = [after[i] for i in after.keys() - before.keys()]
    assert new.findtext(f"{A}updated") == "2026-11-02T00:00:00Z"
    assert "version 3.1" in new.findtext(f"{A}title")
    assert "replaces version 3.0" in new.findtext(f"{A}summary")
    link = new.find(f"{A}link[@rel='alternate']").get("href")
    assert link.endswith("/en/metastatic-breast-cancer.pdf")
    index = Page(root / "output" / "index.html").elements[0]["text"]
    assert "3.1" in index


# -- in a real browser (slow) ------------------------------------------------------------


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM} (run `make browser`)"
    if not AXE.is_file():
        return f"axe-core not found at {AXE.relative_to(ROOT)} (run `make browser`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path):
    """The output folder on http://127.0.0.1:<free port>/, for the module's tests."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.slow
def test_download_links_serve_the_manifest_pdfs(site: Path, served: str, page) -> None:
    by_path = {entry["path"]: entry for entry in manifest(site)}
    page.goto(served + "index.html")
    links = page.locator("a[type='application/pdf']")
    assert links.count() == len(by_path)
    hrefs = links.evaluate_all("links => links.map(link => link.href)")

    # Following a link opens the PDF (Chromium shows it in its viewer) ...
    with page.expect_response(lambda response: response.url.endswith(".pdf")) as opened:
        links.first.click()
    assert opened.value.ok
    assert opened.value.headers["content-type"] == "application/pdf"
    assert page.url == hrefs[0]
    # ... and what the browser fetches from every link is the PDF the manifest lists.
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok, href
        path = unquote(urlsplit(href).path).lstrip("/")
        assert hashlib.sha256(response.body()).hexdigest() == by_path[path]["sha256"], path


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "site/en.html",
        "site/ar.html",
        "site/zh-Hans.html",
        "site/sheets/metastatic-breast-cancer.html",
    ],
)
def test_axe_finds_no_violations(served: str, page, path: str) -> None:
    page.goto(served + path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run()")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
    assert problems == []


@pytest.mark.slow
def test_filter_box_is_added_by_script_and_filters(site: Path, served: str, page) -> None:
    assert "<input" not in (site / "index.html").read_text()  # nothing needs JavaScript
    page.goto(served + "index.html")
    sheets = page.locator("section.sheet")
    assert sheets.count() == 2
    page.get_by_label("Filter").fill("questions")
    assert [s.is_visible() for s in sheets.all()] == [False, True]
    page.get_by_label("Filter").fill("")
    assert all(s.is_visible() for s in sheets.all())
