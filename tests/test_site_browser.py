"""The catalog in a real headless Chromium: phone and desktop widths, axe-core, keyboard,
search as people type, the page without JavaScript, and downloads (all slow).

Screenshots of the phone layouts land in .cache/screenshots/ (git-ignored), to look at
and to attach to a review.
"""

# The catalogs (mixed, drafts) are session fixtures shared with test_site.py.
# ruff: noqa: F811

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT
from site_support import (
    drafts,  # noqa: F401
    foreign_in_text,
    manifest,
    mixed,  # noqa: F401
)

from pipeline.publish.search import fold

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".cache" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (320, 390, 1280)
PAGES = [
    "index.html",
    "site/es.html",
    "site/ar.html",
    "site/sheets/metastatic-breast-cancer.zh-Hans.html",
    "site/sheets/metastatic-breast-cancer.ru.html",
    "site/clinics/eastside.html",
]

pytestmark = pytest.mark.slow


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


def serve(folder: Path):
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def served(drafts: Path):
    """The every-language catalog on http://127.0.0.1:<free port>/."""
    server, thread = serve(drafts / "output")
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


def open_page(browser, width: int, **options):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    return context, context.new_page()


# -- layout at phone and desktop widths ---------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scrolling_and_every_download_on_screen(browser, served, width) -> None:
    context, page = open_page(browser, width)
    try:
        for path in PAGES:
            page.goto(served + path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} is {scroll} px wide at {width} px"
            downloads = page.locator("a[type='application/pdf']")
            assert downloads.count() > 0, path
            for box in downloads.evaluate_all(
                "links => links.map(l => { const r = l.getBoundingClientRect();"
                " return [r.left, r.right, r.width, r.height]; })"
            ):
                left, right, box_width, height = box
                assert left >= 0 and right <= width, (path, box)
                assert box_width >= 44 and height >= 44, (path, box)  # easy to tap
            if width < 1000:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                name = path.replace("/", "_").removesuffix(".html")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    finally:
        context.close()


def test_phone_layout_stacks_downloads_below_the_facts(browser, served) -> None:
    """At 390 px an edition is one column: facts, then its downloads as full-width rows."""
    context, page = open_page(browser, 390)
    try:
        page.goto(served + "site/es.html")
        first = page.locator("li.sheet").first
        facts = first.locator("dl.facts").bounding_box()
        links = first.locator("a.download").evaluate_all(
            "ls => ls.map(l => { const r = l.getBoundingClientRect();"
            " return [r.left, r.top, r.width]; })"
        )
        assert len(links) == 2
        assert all(top > facts["y"] + facts["height"] for _, top, _ in links)
        assert links[0][1] < links[1][1] and links[0][0] == links[1][0]  # stacked rows
        assert all(w > 390 * 0.7 for _, _, w in links)
    finally:
        context.close()


# -- languages ----------------------------------------------------------------------------


def test_what_chromium_shows_is_in_the_page_language_only(browser, served, drafts: Path) -> None:
    """The rendered text, the search form the script reveals and its messages included."""
    langs = sorted({e["lang"] for e in manifest(drafts / "output")})
    context, page = open_page(browser, 390)
    try:
        for lang in langs:
            page.goto(served + f"site/{lang}.html")
            assert page.evaluate("document.documentElement.lang") == lang
            search = page.locator("form[role=search] input")
            search.fill("zzzz")
            shown = page.evaluate(
                """() => [document.title, document.body.innerText,
                    ...[...document.querySelectorAll('[aria-label],[title]')].map(
                        e => (e.getAttribute('aria-label') || '') + ' ' + (e.title || ''))
                   ].join('\\n')"""
            )
            assert foreign_in_text(shown, lang, drafts, langs) == [], lang
            assert "zzzz" in page.locator("[role=status]").text_content()
    finally:
        context.close()


# -- axe-core ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", (320, 1280))
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations(browser, served, path: str, width: int) -> None:
    context, page = open_page(browser, width)
    try:
        page.goto(served + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run()")
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]
        ]
        assert problems == []
        assert result["passes"], "axe ran no rule"
    finally:
        context.close()


# -- keyboard ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", (320, 1280))
def test_keyboard_reaches_everything_with_visible_focus(browser, served, width) -> None:
    context, page = open_page(browser, width)
    try:
        page.goto(served + "site/es.html")
        page.keyboard.press("Tab")
        skip = page.evaluate("document.activeElement.getAttribute('href')")
        assert skip == "#main"
        box = page.locator("a.skip").bounding_box()
        assert box["y"] >= 0 and box["x"] >= 0  # the skip link shows itself when focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.type") == "search"
        reached = []
        for _ in range(60):
            page.keyboard.press("Tab")
            state = page.evaluate(
                """() => { const e = document.activeElement, r = e.getBoundingClientRect(),
                    s = getComputedStyle(e);
                  return {href: e.getAttribute('href') || '', tag: e.tagName,
                          left: r.left, right: r.right, outline: s.outlineStyle,
                          width: s.outlineWidth}; }"""
            )
            if state["tag"] == "BODY":
                break
            assert state["left"] >= 0 and state["right"] <= width + 1, state
            assert state["outline"] != "none" and state["width"] != "0px", state
            reached.append(state["href"])
        pdfs = [href for href in reached if href.endswith(".pdf")]
        assert len(pdfs) == page.locator("a[type='application/pdf']").count()
        assert reached[-1].endswith("feed.xml")  # the last stop is the footer's feed link
    finally:
        context.close()


# -- search ---------------------------------------------------------------------------


def visible_sheets(page) -> list[str]:
    return page.locator("li.sheet").evaluate_all(
        "items => items.filter(i => !i.hidden).map(i => i.querySelector('h2').textContent.trim())"
    )


def test_search_as_people_type(browser, served) -> None:
    context, page = open_page(browser, 390)
    try:
        page.goto(served + "site/es.html")
        box = page.get_by_label("Buscar hojas informativas")
        status = page.locator("[role=status]")
        assert len(visible_sheets(page)) == 2
        for query, expected in [
            ("MEDICO", ["Cáncer de mama metastásico: Preguntas para su médico"]),
            ("cancer", None),
            ("que es", ["Cáncer de mama metastásico: ¿Qué es?"]),
            ("hl-mbc-02", ["Cáncer de mama metastásico: Preguntas para su médico"]),
            ("HLMBC01", ["Cáncer de mama metastásico: ¿Qué es?"]),
        ]:
            box.fill(query)
            shown = visible_sheets(page)
            assert shown == (expected or shown) and len(shown) == len(expected or [1, 2]), query
            count = len(shown)
            assert status.text_content() == (
                "1 hoja coincide." if count == 1 else f"{count} hojas coinciden."
            )
        box.fill("zzz ¿<b>")
        assert visible_sheets(page) == []
        assert status.text_content() == "Ninguna hoja coincide con «zzz ¿<b>»."
        assert status.is_visible()
        box.fill("")
        assert len(visible_sheets(page)) == 2 and status.text_content() == ""
        # Enter does not leave the page (there is nothing to submit to).
        box.fill("cancer")
        box.press("Enter")
        assert page.url == served + "site/es.html"
        # The index finds sheets by keyword, in any of their languages.
        page.goto(served + "index.html")
        search = page.get_by_label("Search the fact sheets")
        for query in ("prognosis", "PROPAGACION", "hl-mbc-01"):
            search.fill(query)  # an English keyword, a Spanish one, the id
            assert visible_sheets(page) == ["Metastatic Breast Cancer: What Is It?"], query
        search.fill("stage iv")
        assert len(visible_sheets(page)) == 2
        page.get_by_label("Search the fact sheets").fill("転移 nothing")
        assert visible_sheets(page) == []
        assert page.locator("[role=status]").text_content().startswith("No sheet matches")
        page.get_by_label("Search the fact sheets").fill("乳腺癌")
        assert visible_sheets(page) == ["Metastatic Breast Cancer: What Is It?"]
        # Arabic: the plural form CLDR picks for 1, the query isolated in the sentence.
        page.goto(served + "site/ar.html")
        search = page.get_by_label("ابحث في النشرات")
        search.fill("الثدي")
        assert page.locator("[role=status]").text_content() == "نشرة واحدة مطابقة."
        search.fill("HL-9")
        assert page.locator("[role=status]").text_content() == (
            "لا توجد نشرة تطابق «\u2068HL-9\u2069»."
        )
    finally:
        context.close()


def test_search_folds_like_the_python_side(browser, served) -> None:
    """The page's fold() and search.fold() agree on every script of the catalog and more."""
    words = [
        "Cáncer de mama metastásico",
        "¿Qué es? PREGUNTAS para su MÉDICO",
        "Đây là bệnh gì? Ung thư vú di căn",
        "سرطان الثدي النقيلي: ما هو؟ أإآ ـــ",
        "转移性乳腺癌：这是什么病？",
        "전이성 유방암: 어떤 병인가요?",
        "Что это такое? Ёлка, йод",
        "Straße ŁÓDŹ Ørsted Æble œuvre İstanbul ıi",
        "HL-MBC-01 hl_mbc_01 ½ ² ﬁ Ｆｕｌｌ",
        "Ano Ito? Metastatic na Kanser sa Suso",
    ]
    context, page = open_page(browser, 1280)
    try:
        page.goto(served + "index.html")
        folded = page.evaluate("words => words.map(w => window.factsheetFold(w))", words)
        assert folded == [fold(word) for word in words]
    finally:
        context.close()


def test_pages_work_without_javascript(browser, served, drafts: Path) -> None:
    context, page = open_page(browser, 390, java_script_enabled=False)
    try:
        page.goto(served + "site/es.html")
        assert not page.locator("form[role=search]").is_visible()
        assert len(visible_sheets(page)) == 2
        links = page.locator("a[type='application/pdf']")
        assert links.count() == len(
            [e for e in manifest(drafts / "output") if e["path"].startswith("es/")]
        )
        assert all(links.nth(i).is_visible() for i in range(links.count()))
        page.locator("a.more").first.click()
        assert page.url.endswith("site/sheets/metastatic-breast-cancer.es.html")
    finally:
        context.close()


# -- downloads --------------------------------------------------------------------------


def test_download_links_serve_the_manifest_pdfs(browser, served, drafts: Path) -> None:
    by_path = {entry["path"]: entry for entry in manifest(drafts / "output")}
    context, page = open_page(browser, 1280)
    try:
        page.goto(served + "index.html")
        links = page.locator("a[type='application/pdf']")
        hrefs = links.evaluate_all("links => links.map(link => link.href)")
        assert len(hrefs) == len([p for p in by_path if not p.startswith("imprints/")])
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
    finally:
        context.close()


def test_internal_files_are_not_reachable_from_the_public_pages(browser, mixed: Path) -> None:
    """Crawl every public page from the index: no link leads to an internal file."""
    server, thread = serve(mixed / "output")
    base = f"http://127.0.0.1:{server.server_port}/"
    context, page = open_page(browser, 1280)
    try:
        seen, todo, pdfs = set(), ["index.html"], set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            page.goto(base + path)
            for href in page.locator("a[href]").evaluate_all("ls => ls.map(l => l.href)"):
                if not href.startswith(base):
                    continue
                target = unquote(urlsplit(href).path).lstrip("/")
                if target.endswith(".pdf"):
                    pdfs.add(target)
                elif target.endswith(".html"):
                    todo.append(target)
        assert "site/clinics/eastside.html" in seen
        assert not any(".print." in p or ".a4." in p or ".qr." in p for p in pdfs)
        assert not any(p.startswith(("es/", "imprints/gone-clinic/")) for p in pdfs)
        assert {p for p in pdfs if p.startswith("imprints/")} == {
            "imprints/eastside/en/metastatic-breast-cancer.pdf"
        }
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join()
