"""`factsheet site`: the clinics' catalog pages and Atom feed, from manifest.json alone.

These tests read the generated files; tests/test_site_browser.py opens them in
headless Chromium (widths, axe-core, keyboard, search, no JavaScript).
"""

# The catalogs (mixed, drafts) are session fixtures shared with test_site_browser.py.
# ruff: noqa: F811

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from conftest import run_cli
from site_support import (
    INTERNAL_KINDS,
    MBC,
    QTA,
    Page,
    add_pdf,
    all_pages,
    copy_catalog,
    drafts,  # noqa: F401
    foreign_strings,
    manifest,
    mixed,  # noqa: F401
    pdf_links,
    set_publish,
    ui_strings,
)

from pipeline.errors import InputError
from pipeline.publish.feed import ATOM, feed_problems
from pipeline.publish.interface import Interface
from pipeline.publish.manifest import Pdf
from pipeline.publish.rules import CATALOG, CLINIC, INTERNAL, place
from pipeline.publish.search import fold, matches, search_text
from pipeline.source.catalog import Publish
from pipeline.source.cldr import direction, language_name
from pipeline.source.loader import load_project
from pipeline.source.model import Clinic

A = f"{{{ATOM}}}"
BASE = "https://www.harborlight.example/factsheets/"


def public_paths(out: Path) -> set[str]:
    """What the default rules make public: approved, standard or large print, Letter."""
    return {
        e["path"]
        for e in manifest(out)
        if e["status"] == "approved"
        and not e.get("draft_band")
        and not e.get("print_marks")
        and not e.get("qr")
        and not e.get("imprint")
        and e["paper"] == "letter"
    }


# -- publication rules --------------------------------------------------------------------


def test_only_public_pdfs_are_listed_by_default(mixed: Path) -> None:
    out = mixed / "output"
    public = public_paths(out)
    assert public == {f"en/{MBC}.pdf", f"en/{MBC}.large-print.pdf", f"en/{QTA}.pdf"}
    listed = set()
    for path in [out / "index.html", *sorted((out / "site").glob("*.html"))]:
        listed |= pdf_links(Page(path))
    for path in (out / "site" / "sheets").glob("*.html"):
        listed |= pdf_links(Page(path))
    assert listed == public
    # No page exists for a language whose every file is a draft.
    assert sorted(p.name for p in (out / "site").glob("*.html")) == ["en.html"]


def test_the_feed_announces_only_public_pdfs(mixed: Path) -> None:
    out = mixed / "output"
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    enclosures = {
        link.get("href").removeprefix(BASE)
        for link in feed.iter(f"{A}link")
        if link.get("rel") == "enclosure"
    }
    assert enclosures == public_paths(out)
    assert {
        e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in feed.iter(f"{A}entry")
    } == {"en"}
    text = (out / "feed.xml").read_text()
    assert "imprints/" not in text and ".print.pdf" not in text and "eastside" not in text


def test_site_says_why_each_pdf_stays_internal(mixed: Path) -> None:
    result = run_cli(mixed, "site", "--format", "json", check=True)
    rows = {row["path"]: row for row in json.loads(result.stdout)["pdfs"]}
    assert rows[f"en/{MBC}.print.pdf"]["reason"].startswith("print-shop copy")
    assert "paper a4" in rows[f"en/{MBC}.a4.pdf"]["reason"]
    assert "QR code" in rows[f"en/{MBC}.qr.pdf"]["reason"]
    assert "DRAFT band" in rows[f"en/{QTA}.large-print.pdf"]["reason"]
    assert rows[f"es/{MBC}.pdf"]["reason"] == "status is draft, not approved"
    assert rows[f"imprints/eastside/en/{MBC}.pdf"]["where"] == CLINIC
    assert rows[f"imprints/eastside/es/{MBC}.pdf"]["where"] == INTERNAL  # a draft
    assert "no clinic file" in rows[f"imprints/gone-clinic/en/{MBC}.pdf"]["reason"]
    assert {
        row["where"] for path, row in rows.items() if path in public_paths(mixed / "output")
    } == {CATALOG}
    text = run_cli(mixed, "-v", "site", check=True)
    assert f"internal: en/{MBC}.print.pdf: print-shop copy" in text.stderr
    assert "(3 public PDFs, 1 on clinic pages," in text.stdout


def test_imprints_are_listed_only_on_their_clinic_page(mixed: Path) -> None:
    out = mixed / "output"
    page = Page(out / "site" / "clinics" / "eastside.html")
    assert page.find("h1")[0]["text"] == "Eastside Community Clinic"
    assert "214 Lantern Row" in page.text
    assert pdf_links(page) == {f"imprints/eastside/en/{MBC}.pdf"}
    # Under the display name, never the id, and only as a link to the clinic's page.
    index = Page(out / "index.html")
    assert index.find("a", href="site/clinics/eastside.html")[0]["text"] == (
        "Eastside Community Clinic"
    )
    for path in all_pages(out):
        if path.name != "eastside.html":
            assert not any("imprints/" in link for link in Page(path).links()), path
            assert "eastside" not in Page(path).text.lower().replace("eastside community", "")
    assert not (out / "site" / "clinics" / "gone-clinic.html").exists()


def test_publish_section_opens_what_the_organisation_chooses(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "open")
    set_publish(
        root,
        "  variants: [standard]\n  papers: [letter, a4]\n  print_shop: true\n"
        "  qr_copies: true\n  imprints: false\n",
    )
    run_cli(root, "site", check=True)
    out = root / "output"
    listed = pdf_links(Page(out / "index.html"))
    assert listed == {
        f"en/{MBC}.pdf",
        f"en/{MBC}.a4.pdf",
        f"en/{MBC}.print.pdf",
        f"en/{MBC}.qr.pdf",
        f"en/{QTA}.pdf",
    }
    text = Page(out / "index.html").text
    assert "Standard print, A4" in text
    assert "Standard print, US Letter, print-shop copy with crop marks" in text
    assert not (out / "site" / "clinics").exists() or not list((out / "site" / "clinics").iterdir())
    assert "Clinic editions" not in text


def test_drafts_are_public_only_when_the_policy_says_so(drafts: Path) -> None:
    out = drafts / "output"
    listed = pdf_links(Page(out / "index.html"))
    assert listed == {e["path"] for e in manifest(out) if not e.get("imprint")}
    es = Page(out / "site" / "es.html")
    badges = [e["text"] for e in es.find("strong", **{"class": "badge"})]
    assert badges and set(badges) == {"Traducción en borrador, aún sin aprobar"}


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("  imprints: [westside]\n", "publish.imprints: no clinic 'westside'"),
        ("  draft: true\n", "unknown key 'draft' in policy.yaml (hint: did you mean 'drafts'?)"),
        ("  papers: [legal]\n", "publish.papers.0"),
        ("  imprints: [East Side]\n", "'East Side' is not a clinic id"),
    ],
)
def test_publish_section_errors_name_the_line(
    mixed: Path, tmp_path: Path, policy: str, message: str
) -> None:
    root = copy_catalog(mixed, tmp_path / "bad")
    set_publish(root, policy)
    before = (root / "output" / "index.html").read_bytes()
    result = run_cli(root, "site")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert re.match(r"sheets/_org/policy\.yaml:\d+: error: ", line), line
    assert message in line
    assert (root / "output" / "index.html").read_bytes() == before  # nothing half-written


def _pdf(**changes) -> Pdf:
    entry = {
        "path": "en/x.pdf",
        "sha256": "0" * 64,
        "size": 1,
        "pages": 1,
        "slug": "x",
        "sheet_id": "X-1",
        "title": "X",
        "version": "1.0",
        "lang": "en",
        "variant": "standard",
        "paper": "letter",
        "status": "approved",
        "reviewed": "2026-01-01",
        "next_review": "2027-01-01",
    }
    return Pdf.model_validate(entry | changes)


CLINIC_FILE = Clinic.model_validate(
    {
        "name": "A Clinic",
        "channels": [
            {
                "id": "desk",
                "kind": "email",
                "address": "desk@clinic.example",
                "hours": {
                    "timezone": "UTC",
                    "open": [{"days": "mon", "from": "09:00", "to": "10:00"}],
                },
            }
        ],
    }
)


@pytest.mark.parametrize(
    ("changes", "rules", "where"),
    [
        ({}, {}, CATALOG),
        ({"variant": "large-print"}, {}, CATALOG),
        ({"variant": "large-print"}, {"variants": ["standard"]}, INTERNAL),
        ({"paper": "a4"}, {}, INTERNAL),
        ({"paper": "a4"}, {"papers": ["a4"]}, CATALOG),
        ({"print_marks": True}, {}, INTERNAL),
        ({"print_marks": True}, {"print_shop": True}, CATALOG),
        ({"qr": True}, {}, INTERNAL),
        ({"qr": True}, {"qr_copies": True}, CATALOG),
        ({"status": "draft"}, {}, INTERNAL),
        ({"status": "in-review"}, {}, INTERNAL),
        ({"status": "machine-translated"}, {}, INTERNAL),
        ({"status": "draft"}, {"drafts": True}, CATALOG),
        ({"draft_band": True}, {}, INTERNAL),
        ({"draft_band": True}, {"drafts": True}, CATALOG),
        ({"imprint": "a-clinic"}, {}, CLINIC),
        ({"imprint": "a-clinic"}, {"imprints": False}, INTERNAL),
        ({"imprint": "a-clinic"}, {"imprints": ["other"]}, INTERNAL),
        ({"imprint": "a-clinic"}, {"imprints": ["a-clinic"]}, CLINIC),
        ({"imprint": "gone"}, {}, INTERNAL),
        ({"imprint": "a-clinic", "status": "draft"}, {}, INTERNAL),
        ({"imprint": "a-clinic", "print_marks": True}, {"print_shop": True}, CLINIC),
    ],
)
def test_placement_of_each_kind_of_file(changes: dict, rules: dict, where: str) -> None:
    placed = place(_pdf(**changes), Publish(**rules), "letter", {"a-clinic": CLINIC_FILE})
    assert placed.where == where
    assert bool(placed.reason) == (where == INTERNAL)


# -- pages -------------------------------------------------------------------------------


def test_language_and_sheet_pages_list_what_they_should(drafts: Path) -> None:
    out = drafts / "output"
    entries = [e for e in manifest(out) if not e.get("imprint")]
    for lang in {e["lang"] for e in entries}:
        page = Page(out / "site" / f"{lang}.html")
        assert pdf_links(page) == {e["path"] for e in entries if e["lang"] == lang}
        assert page.find("html")[0]["attrs"] == {"lang": lang, "dir": direction(lang)}
    for slug in {e["slug"] for e in entries}:
        mine = {e["path"] for e in entries if e["slug"] == slug}
        for lang in {"en"} | {e["lang"] for e in entries if e["slug"] == slug}:
            name = f"{slug}.html" if lang == "en" else f"{slug}.{lang}.html"
            page = Page(out / "site" / "sheets" / name)
            assert page.lang == lang
            assert pdf_links(page) == mine
            # The page's own language comes first.
            first = page.find("h2", **{"class": "edition-lang"})[0]
            assert first["attrs"]["lang"] == lang


def test_sheets_are_named_with_series_and_title_everywhere(drafts: Path) -> None:
    out = drafts / "output"
    for entry in manifest(out):
        name = f"{entry['series']}: {entry['title']}"
        if entry["lang"] == "zh-Hans":
            name = f"{entry['series']}：{entry['title']}"
        lang_page = Page(out / "site" / f"{entry['lang']}.html")
        assert name in [h["text"] for h in lang_page.find("h2")], (entry["lang"], name)
        sheet = "" if entry["lang"] == "en" else f".{entry['lang']}"
        page = Page(out / "site" / "sheets" / f"{entry['slug']}{sheet}.html")
        assert page.find("h1")[0]["text"] == name
        assert page.find("title")[0]["text"].startswith(name)
    index = Page(out / "index.html")
    assert [
        h["text"] for h in index.find("h2") if h["attrs"].get("id", "").startswith("sheet-")
    ] == [
        "Metastatic Breast Cancer: What Is It?",
        "Metastatic Breast Cancer: Questions to Ask Your Doctor",
    ]
    titles = [e.findtext(f"{A}title") for e in ET.parse(out / "feed.xml").iter(f"{A}entry")]
    assert "Cáncer de mama metastásico: ¿Qué es? (Español), versión 3.0" in titles


def test_language_names_are_written_in_their_own_language(drafts: Path) -> None:
    out = drafts / "output"
    langs = {e["lang"] for e in manifest(out)}
    for path in all_pages(out):
        page = Page(path)
        for lang in langs:
            marked = [e for e in page.find("a", hreflang=lang) if e["lang"] == lang]
            assert language_name(lang) in [e["text"] for e in marked], f"{lang} in {path.name}"
    arabic = [e for e in Page(out / "index.html").find("a", lang="ar")]
    assert arabic and all(e["attrs"]["dir"] == "rtl" for e in arabic)


def test_every_link_resolves(mixed: Path, drafts: Path) -> None:
    for root in (mixed, drafts):
        site = root / "output"
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


def test_stale_pages_go_when_a_language_stops_being_public(drafts: Path, tmp_path: Path) -> None:
    root = copy_catalog(drafts, tmp_path / "stale")
    assert (root / "output" / "site" / "es.html").is_file()
    policy = root / "sheets" / "_org" / "policy.yaml"
    policy.write_text(policy.read_text().replace("  drafts: true\n", "  drafts: false\n"))
    run_cli(root, "site", check=True)
    assert not (root / "output" / "site" / "es.html").exists()
    assert not (root / "output" / "site" / "sheets" / f"{MBC}.es.html").exists()


def test_pages_are_deterministic(drafts: Path) -> None:
    out = drafts / "output"
    files = [*all_pages(out), out / "feed.xml", out / ".factsheet" / "feed-history.json"]
    before = {path: path.read_bytes() for path in files}
    run_cli(drafts, "site", check=True)
    assert {path: path.read_bytes() for path in files} == before


def test_site_needs_a_built_catalog(project_dir: Path) -> None:
    result = run_cli(project_dir, "site")
    assert result.returncode == 1
    assert "no manifest.json" in result.stderr
    assert "factsheet build" in result.stderr


# -- localisation ---------------------------------------------------------------------------


def test_no_page_carries_an_interface_string_of_another_language(drafts: Path) -> None:
    out = drafts / "output"
    langs = sorted({e["lang"] for e in manifest(out)})
    assert len(langs) == 8
    checked = set()
    for path in all_pages(out):
        page = Page(path)
        assert foreign_strings(page, drafts, langs) == [], path.relative_to(out)
        # ... and it does carry its own strings.
        own = load_project(drafts).blocks[page.lang].catalog
        assert own.skip in page.text and own.download in page.text
        checked.add(page.lang)
    assert checked == set(langs)


def test_the_language_check_catches_a_foreign_string(drafts: Path, tmp_path: Path) -> None:
    langs = sorted({e["lang"] for e in manifest(drafts / "output")})
    es = drafts / "output" / "site" / "es.html"
    for injected, found in [
        ("<p>Download</p>", "en: 'Download'"),
        ('<p title="Letra grande">x</p>', None),  # Spanish on the Spanish page: fine
        ("<p>大字版</p>", "zh-Hans: '大字版'"),
        ("<p>PDF, 2 страницы</p>", "ru: 'страницы'"),
    ]:
        copy = tmp_path / "es.html"
        copy.write_text(es.read_text().replace("</main>", injected + "</main>"))
        problems = foreign_strings(Page(copy), drafts, langs)
        assert (found in problems) if found else problems == [], (injected, problems)


def test_a_language_without_catalog_strings_is_flagged(drafts: Path, tmp_path: Path) -> None:
    root = copy_catalog(drafts, tmp_path / "nolabels")
    blocks = root / "sheets" / "_org" / "blocks" / "vi.yaml"
    text = blocks.read_text()
    blocks.write_text(text[: text.index("\n# --- Catalog site")] + "\n")
    result = run_cli(root, "site", check=True)
    assert "sheets/_org/blocks/vi.yaml: warning: no catalog: section" in result.stderr
    page = Page(root / "output" / "site" / "vi.html")
    # The borrowed strings are marked as English, and the check reports them.
    assert page.find("label", lang="en", dir="ltr")[0]["text"] == "Search the fact sheets"
    langs = sorted({e["lang"] for e in manifest(root / "output")})
    assert "en: 'Skip to main content'" in foreign_strings(page, root, langs)
    # vi's own sheet labels ("Xem xét lần cuối") still come from vi.yaml.
    assert "Xem xét lần cuối" in page.text


def test_default_language_needs_catalog_strings(drafts: Path, tmp_path: Path) -> None:
    root = copy_catalog(drafts, tmp_path / "noen")
    blocks = root / "sheets" / "_org" / "blocks" / "en.yaml"
    text = blocks.read_text()
    blocks.write_text(text[: text.index("\n# --- Catalog site")] + "\n")
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "sheets/_org/blocks/en.yaml: error: the default language en has no catalog: section"
    )


def test_counts_sizes_and_dates_follow_cldr(drafts: Path) -> None:
    out = drafts / "output"
    ru = Page(out / "site" / "ru.html").text
    assert "PDF, 2 страницы," in ru and "PDF, 5 страниц," in ru
    ar = Page(out / "site" / "ar.html").text
    assert "PDF، صفحتان، " in ar and "PDF، 5 صفحات، " in ar and "كيلوبايت" in ar
    zh = Page(out / "site" / "zh-Hans.html").text
    assert "PDF，2 页，" in zh and "2026年3月6日" in zh
    es = Page(out / "site" / "es.html").text
    assert "6 de marzo de 2026" in es and re.search(r"PDF, 2 páginas, \d+ kB", es)


def test_interface_plurals_numbers_and_sizes() -> None:
    from conftest import ROOT

    blocks = load_project(ROOT).blocks
    ru = Interface(blocks, "ru", "en")
    assert [ru.plural("pages", n).text for n in (1, 2, 5, 21, 1000)] == [
        "1 страница",
        "2 страницы",
        "5 страниц",
        "21 страница",
        "1\u00a0000 страниц",  # CLDR: Russian groups thousands with a no-break space
    ]
    ar = Interface(blocks, "ar", "en")
    forms = [ar.plural("pages", n).text.strip("\u2068\u2069") for n in (1, 2, 3, 11, 100)]
    assert forms[:2] == ["صفحة واحدة", "صفحتان"]
    assert [f.split()[-1] for f in forms[2:]] == ["صفحات", "صفحة", "صفحة"]
    en, es = Interface(blocks, "en", "en"), Interface(blocks, "es", "en")
    assert [en.size(n) for n in (812, 48_400, 1_234_567)] == ["812 byte", "48 kB", "1.2 MB"]
    assert es.size(1_234_567) == "1,2 MB"
    assert en.plural("matches", 1).text == "1 sheet matches."
    assert en.plural("matches", 1200).text == "1,200 sheets match."


@pytest.mark.parametrize(
    ("lang", "edit", "message"),
    [
        (
            "ru",
            ('    few: "{count} страницы"\n', ""),
            "catalog.pages: the plural form few is missing",
        ),
        (
            "en",
            ('    one: "{count} page"\n', '    one: "{count} page"\n    few: "x"\n'),
            "en has no plural form 'few'",
        ),
        (
            "es",
            ('  file: "PDF, {pages}, {size}"', '  file: "PDF, {pages}"'),
            "catalog.file: must keep {size}",
        ),
        (
            "es",
            ('  file: "PDF, {pages}, {size}"', '  file: "PDF, {paginas}, {pages}, {size}"'),
            "has unknown {paginas}",
        ),
        ("tl", ('  no_match: "', '  no_match: "{'), "unmatched { or }"),
        (
            "en",
            ('    other: "{count} pages"', '    other: "pages"'),
            "the 'other' form must keep {count}",
        ),
        (
            "ko",
            ('  skip: "', '  skipp: "'),
            "unknown key 'skipp' in shared blocks (hint: did you mean 'skip'?)",
        ),
    ],
)
def test_catalog_labels_are_checked_on_load(
    project_dir: Path, lang: str, edit: tuple[str, str], message: str
) -> None:
    path = project_dir / "sheets" / "_org" / "blocks" / f"{lang}.yaml"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(InputError) as raised:
        load_project(project_dir)
    error = raised.value
    assert str(error).startswith(f"sheets/_org/blocks/{lang}.yaml:{error.line}: error: ")
    # The line is the label's own (or the new key's), in the catalog: section.
    lines = path.read_text().splitlines()
    assert lines.index("catalog:") < error.line - 1
    key = lines[error.line - 1].split(":")[0].strip()
    assert key in edit[1] or f".{key}" in str(error), (key, str(error))
    assert message in str(error)


def test_a_bad_catalog_label_stops_every_command_with_one_line(project_dir: Path) -> None:
    path = project_dir / "sheets" / "_org" / "blocks" / "ru.yaml"
    path.write_text(path.read_text().replace('    few: "{count} страницы"\n', "", 1))
    result = run_cli(project_dir, "list")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert re.match(r"sheets/_org/blocks/ru\.yaml:\d+: error: catalog\.pages: the plural", line)


def test_every_language_has_every_catalog_label_in_its_own_words() -> None:
    from conftest import ROOT

    project = load_project(ROOT)
    english = ui_strings(ROOT, "en")
    assert set(project.blocks) == {"en", "es", "zh-Hans", "vi", "ar", "ko", "ru", "tl"}
    for lang, blocks in project.blocks.items():
        assert blocks.catalog is not None, lang
        if lang != "en":
            assert blocks.status == "draft"  # nobody qualified reviewed these
            assert ui_strings(ROOT, lang) & english <= {"PDF"}, lang


# -- search -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        ("medico", "Preguntas para su médico", True),
        ("CANCER", "Cáncer de mama metastásico", True),
        ("cáncer", "CANCER", True),
        ("que es", "¿Qué es?", True),
        ("benh", "Đây là bệnh gì?", True),
        ("day la", "Đây là bệnh gì?", True),
        ("DAY LA BENH", "Đây là bệnh gì?", True),
        ("strasse", "Straße", True),
        ("елка", "Ёлка", True),
        ("mama cancer", "Cáncer de mama", True),  # every word, any order
        ("mama pulmon", "Cáncer de mama", False),
        ("hlmbc01", "", True),
        ("HL MBC 01", "", True),
        ("hl-mbc-01", "", True),
        ("HL-MBC-02", "", False),
        ("ثدي", "سرطان الثدي", True),
        ("الثدى", "سرطان الثدي", False),
        ("乳腺癌", "转移性乳腺癌", True),
        ("유방암", "전이성 유방암", True),
    ],
)
def test_search_folds_accents_case_and_separators(query: str, text: str, found: bool) -> None:
    assert matches(query, search_text(text, ids=["HL-MBC-01"])) is found


def test_search_text_holds_ids_titles_and_keywords(mixed: Path) -> None:
    index = Page(mixed / "output" / "index.html")
    [item] = [
        e
        for e in index.find("li", **{"class": "sheet"})
        if "hlmbc01" in e["attrs"]["data-search-text"]
    ]
    text = item["attrs"]["data-search-text"]
    for query in ("stage iv", "what is it", "metastatic-breast-cancer", "prognosis", "HL-MBC-01"):
        assert matches(query, text), query
    assert fold("Metastatic") in text and "Metastatic" not in text


def test_search_works_without_javascript(mixed: Path) -> None:
    """The search form is hidden until the script shows it; every sheet is listed anyway."""
    html = (mixed / "output" / "index.html").read_text()
    form = re.search(r"<form [^>]*>", html).group(0)
    assert " hidden" in form and 'role="search"' in form
    assert html.count('class="sheet"') == 2


# -- the feed ----------------------------------------------------------------------------


def atom(out: Path) -> ET.Element:
    data = (out / "feed.xml").read_bytes()
    assert feed_problems(data) == []
    return ET.fromstring(data)


def test_feed_has_one_entry_per_sheet_version_and_language(drafts: Path) -> None:
    out = drafts / "output"
    entries = [e for e in manifest(out) if not e.get("imprint")]
    versions = {(e["slug"], e["lang"], e["version"]) for e in entries}
    parsed = feedparser.parse(str(out / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == len(versions) == 10
    assert parsed.feed.title == "Harborlight Breast Cancer Network: fact sheets"
    assert parsed.feed.links[0].rel == "self"
    for item in parsed.entries:
        [category] = item.tags
        lang = category.term
        slug = next(s for s, language, _ in versions if language == lang and s in item.link)
        page = f"site/sheets/{slug}.html" if lang == "en" else f"site/sheets/{slug}.{lang}.html"
        assert item.link == BASE + page  # a feed reader opens the sheet's page
        assert (out / page).is_file()
        files = {e["path"]: e for e in entries if e["slug"] == slug and e["lang"] == lang}
        assert {BASE + path for path in files} == {enc.href for enc in item.enclosures}
        for enclosure in item.enclosures:
            entry = files[enclosure.href.removeprefix(BASE)]
            assert enclosure.type == "application/pdf"
            assert int(enclosure.length) == entry["size"]
            assert item.updated == f"{entry['reviewed']}T00:00:00Z"
            assert entry["version"] in item.title
        assert item.id.startswith("tag:www.harborlight.example,")


def test_feed_has_every_element_rfc_4287_requires(drafts: Path) -> None:
    root = atom(drafts / "output")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1 and root.findtext(f"{A}{name}")
    assert root.find(f"{A}author/{A}name").text == "Harborlight Breast Cancer Network"
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == BASE + "feed.xml"
    ids = []
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{A}{name}")) == 1 and entry.findtext(f"{A}{name}"), name
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{A}updated"))
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry.findall(f"{A}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates)) == 1
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids))
    updated = [e.findtext(f"{A}updated") for e in root.findall(f"{A}entry")]
    assert root.findtext(f"{A}updated") == max(updated)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda e: e.remove(e.find(f"{A}id")), "entry 1 has not exactly one id"),
        (lambda e: e.find(f"{A}updated").__setattr__("text", "2026-03-06"), "not an RFC 3339"),
        (lambda e: e.remove(e.find(f"{A}summary")), "entry 1 has no summary"),
        (
            lambda e: ET.SubElement(
                e, f"{A}link", rel="alternate", type="text/html", hreflang="en", href=BASE
            ),
            "two alternate links of the same type and hreflang",
        ),
        (lambda e: e.find(f"{A}link").set("href", "site/x.html"), "not an absolute IRI"),
        (lambda e: e.find(f"{A}id").__setattr__("text", "HL-MBC-01"), "is not an absolute IRI"),
    ],
)
def test_feed_check_catches_what_rfc_4287_forbids(mixed: Path, edit, problem: str) -> None:
    root = atom(mixed / "output")
    edit(root.find(f"{A}entry"))
    problems = feed_problems(ET.tostring(root))
    assert any(problem in p for p in problems), problems


def test_a_new_version_adds_a_feed_entry_and_keeps_the_old_one(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "copy")
    before = {e.findtext(f"{A}id"): e for e in atom(root / "output").iter(f"{A}entry")}
    source = root / "sheets" / MBC / "en.md"
    text = source.read_text()
    text = re.sub(r'(?m)^version: "3\.0"$', 'version: "3.1"', text)
    text = re.sub(r"(?m)^reviewed: 2026-03-06$", "reviewed: 2026-11-02", text)
    source.write_text(text)
    run_cli(root, "build", MBC, "--lang", "en", check=True)
    run_cli(root, "site", check=True)

    after = {e.findtext(f"{A}id"): e for e in atom(root / "output").iter(f"{A}entry")}
    assert before.keys() < after.keys()
    [new] = [after[i] for i in after.keys() - before.keys()]
    assert new.findtext(f"{A}updated") == "2026-11-02T00:00:00Z"
    assert new.findtext(f"{A}title").endswith("version 3.1")
    assert "It replaces version 3.0, reviewed March 6, 2026." in new.findtext(f"{A}summary")
    assert [
        link.get("href") for link in new.iter(f"{A}link") if link.get("rel") == "enclosure"
    ] == [BASE + f"en/{MBC}.pdf"]
    # The old version stays, without files (their paths hold the new version now).
    [old] = [
        e
        for e in after.values()
        if e.findtext(f"{A}title").endswith("What Is It? (English), version 3.0")
    ]
    assert "Version 3.1 has since replaced it." in old.findtext(f"{A}summary")
    # Its standard file now holds 3.1; only the large print (not rebuilt) is still 3.0.
    assert [
        link.get("href") for link in old.iter(f"{A}link") if link.get("rel") == "enclosure"
    ] == [BASE + f"en/{MBC}.large-print.pdf"]
    index = Page(root / "output" / "index.html").text
    assert "3.1" in index


def test_feed_keeps_entry_ids_of_an_older_history(mixed: Path, tmp_path: Path) -> None:
    """A history written before entries were per version keeps its ids (no entry looks new)."""
    root = copy_catalog(mixed, tmp_path / "old")
    history = root / "output" / ".factsheet" / "feed-history.json"
    data = json.loads(history.read_text())
    for record in data["entries"]:
        record["id"] = (
            f"tag:www.harborlight.example,2026-01-01:{record['path']}/{record['version']}"
        )
        record.pop("series", None)
        record.pop("qr", None)
    history.write_text(json.dumps(data))
    run_cli(root, "site", check=True)
    root_feed = atom(root / "output")
    ids = [e.findtext(f"{A}id") for e in root_feed.iter(f"{A}entry")]
    assert ids and all(i.startswith("tag:www.harborlight.example,2026-01-01:") for i in ids)
    titles = [e.findtext(f"{A}title") for e in root_feed.iter(f"{A}entry")]
    assert all(t.startswith("Metastatic Breast Cancer: ") for t in titles)  # series filled in


def test_broken_history_is_one_clear_error(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "broken")
    (root / "output" / ".factsheet" / "feed-history.json").write_text('{"entries": [{}]}')
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert "cannot read the feed history" in result.stderr
    assert "Traceback" not in result.stderr


def test_draft_pdfs_in_the_catalog_are_marked(mixed: Path, tmp_path: Path) -> None:
    """With drafts public, a DRAFT band and an unapproved translation say so on the page."""
    root = copy_catalog(mixed, tmp_path / "marked")
    set_publish(root, "  drafts: true\n")
    run_cli(root, "site", check=True)
    index = Page(root / "output" / "index.html")
    badges = [e["text"] for e in index.find("strong", **{"class": "badge"})]
    assert "DRAFT – not for distribution" in badges
    assert "Draft, not yet approved" in badges  # an English source is no "translation"
    summaries = " ".join(e.findtext(f"{A}summary") for e in atom(root / "output").iter(f"{A}entry"))
    assert "DRAFT – not for distribution." in summaries


def test_removed_pdf_file_is_refused(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "gone")
    (root / "output" / f"en/{MBC}.pdf").unlink()
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert f"'en/{MBC}.pdf' is listed but missing" in result.stderr


def test_internal_files_in_mixed_catalog_exist(mixed: Path) -> None:
    """Guard for the fixtures: the internal kinds really are in the manifest and on disk."""
    out = mixed / "output"
    paths = {e["path"] for e in manifest(out)}
    assert set(INTERNAL_KINDS) <= paths
    assert all((out / path).is_file() for path in INTERNAL_KINDS)


# -- export -------------------------------------------------------------------------------


def test_export_holds_exactly_the_public_files(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "export")
    public = tmp_path / "public"
    result = run_cli(root, "site", "--export", str(public), check=True)
    assert f"export: {public}" in result.stdout
    files = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    pdfs = {f for f in files if f.endswith(".pdf")}
    assert pdfs == public_paths(root / "output") | {f"imprints/eastside/en/{MBC}.pdf"}
    assert {"index.html", "feed.xml", "site/site.css", "site/clinics/eastside.html"} <= files
    assert not any(f.startswith(".factsheet/") or f == "manifest.json" for f in files)
    for path in all_pages(public):  # the export stands on its own
        for href in Page(path).links():
            if not urlsplit(href).scheme and not href.startswith("#"):
                assert (path.parent / unquote(urlsplit(href).path)).resolve().is_file(), href
    # A file that stops being public leaves the next export.
    set_publish(root, "  variants: [standard]\n  imprints: false\n")
    run_cli(root, "site", "--export", str(public), check=True)
    assert not (public / "en" / f"{MBC}.large-print.pdf").exists()
    assert not (public / "imprints").exists()
    assert (public / "en" / f"{MBC}.pdf").is_file()


@pytest.mark.parametrize("where", ["foreign", "output"])
def test_export_never_replaces_a_folder_it_did_not_write(
    mixed: Path, tmp_path: Path, where: str
) -> None:
    root = copy_catalog(mixed, tmp_path / "export")
    if where == "foreign":
        dest = tmp_path / "photos"
        dest.mkdir()
        (dest / "holiday.jpg").write_bytes(b"x")
    else:
        dest = root / "output"
    result = run_cli(root, "site", "--export", str(dest))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{dest}: error: ")
    if where == "foreign":
        assert [p.name for p in dest.iterdir()] == ["holiday.jpg"]


def test_nothing_public_is_said_and_still_a_valid_catalog(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "none")
    set_publish(root, "  variants: []\n")
    result = run_cli(root, "site", check=True)
    assert "warning: no PDF is public" in result.stderr
    assert "(0 public PDFs," in result.stdout
    index = Page(root / "output" / "index.html")
    assert not index.find("form") and not index.find("li", **{"class": "sheet"})
    assert not atom(root / "output").findall(f"{A}entry")


def test_a_translation_import_keeps_the_catalog_strings() -> None:
    """Importing a sheet rewrites the language's blocks file: its catalog: section stays."""
    from conftest import ROOT

    from pipeline.translate.compose import compose_blocks
    from pipeline.translate.units import BLOCK_NAMES

    project = load_project(ROOT)
    es = project.blocks["es"]
    markdown = {f"block:{name}": getattr(es, name) for name in BLOCK_NAMES}
    markdown |= {f"label:{k}": v for k, v in es.labels.model_dump().items()}
    markdown["label:contents"] = "Índice"
    data = compose_blocks(project.blocks["en"], "es", markdown, es)
    assert data["labels"]["contents"] == "Índice"
    assert data["catalog"] == es.catalog.model_dump()
    assert list(data)[-1] == "catalog"  # still the last group of the file


def test_a_crafted_manifest_cannot_name_pages_outside_the_site(mixed: Path, tmp_path: Path) -> None:
    root = copy_catalog(mixed, tmp_path / "crafted")
    out = root / "output"
    add_pdf(out, f"en/{MBC}.pdf", f"imprints/x/en/{MBC}.pdf", imprint="../../../x")
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert "imprint: Value error, '../../../x' is not a clinic id" in result.stderr
    assert not (root / "x.html").exists()
