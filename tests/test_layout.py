"""Layout a designer signs off, read back from every sample PDF (every language, standard
and large print): nothing that must stay whole is broken or hyphenated, the compliance
block sits on one page with other content, last pages are filled, no text leaves the
trim; and the rules behind it (hyphenation limits, page fit, page fill, CJK fonts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_project

from pipeline.checks.drawn import read_page
from pipeline.checks.pagefill import MIN_FILL, check_page_fill, halves
from pipeline.checks.readpdf import ReadPdf, contains, normalise
from pipeline.checks.visible import art_box
from pipeline.source.linebreak import guard_for, stretches
from pipeline.source.loader import load_project
from pipeline.source.markdown import plain_text
from pipeline.source.texts import sheet_texts
from pipeline.source.units import BLOCK_NAMES

#: Final pages the layout cannot fill to MIN_FILL (README, "Page fit"): the help box and
#: the compliance block, which stay together, after a first page the rest of the sheet fills.
UNAVOIDABLE = {
    ("en/questions-to-ask-your-doctor.pdf", 2),
    ("es/questions-to-ask-your-doctor.pdf", 2),
}
HYPHENS = ("\u2010", "-", "\u00ad")


def sample_pdfs(catalog: Path) -> list[Path]:
    pdfs = sorted((catalog / "output").rglob("*.pdf"))
    assert len(pdfs) >= 20  # every language, standard and large print
    return pdfs


def sheet_of(project, catalog: Path, path: Path):
    lang = path.parent.name
    slug = path.name.split(".")[0]
    return project.sheet(slug, lang)


def lines(pdf: ReadPdf) -> list[list[str]]:
    """Each page's lines of drawn text in reading order (left column, then right),
    as the glyphs read through their fonts; running footers left out. Runs on one
    baseline belong to one line unless a column gap (over 12 pt) parts them."""
    out = []
    for index in range(len(pdf.reader.pages)):
        art = art_box(pdf, index)
        middle = (art[0] + art[2]) / 2
        rows: dict[int, list] = {}
        for run in read_page(pdf, index).runs:
            if not run.artifact and run.text.strip():
                rows.setdefault(round(run.box[1]), []).append(run)
        segments: dict[tuple[int, int], str] = {}
        for y, runs in rows.items():
            runs.sort(key=lambda r: r.box[0])
            groups = [[runs[0]]]
            for run in runs[1:]:
                if run.box[0] - groups[-1][-1].box[2] > 12:
                    groups.append([])
                groups[-1].append(run)
            for group in groups:
                column = 0 if group[0].box[0] < middle - 1 else 1
                segments[(column, -y)] = "".join(r.text for r in group)
        out.append([segments[key] for key in sorted(segments)])
    return out


def protected(project, sheet) -> list[tuple[str, str]]:
    """(kind, text) of every stretch that must stay whole in what the sheet prints."""
    guard = guard_for(project.org, project.policy, sheet.lang)
    texts = [plain_text(unit.text) for unit in sheet.body.units]
    blocks = project.blocks[sheet.lang]
    texts += [plain_text(getattr(blocks, name)) for name in BLOCK_NAMES if getattr(blocks, name)]
    shown = sheet_texts(project, sheet)
    texts += [shown.reviewed, shown.next_review, shown.ident]
    texts += [line for channel in shown.channels for line in (channel.text, *channel.hours)]
    return [
        (s.kind, text[s.start : s.end])
        for text in texts
        for s in stretches(text, guard)
        if s.kind in ("unbroken", "unhyphenated")
    ]


def _glyphs_read_back(lang: str) -> bool:
    """Whether drawn glyphs read back as the text in ``lang``: in right-to-left sheets
    WeasyPrint's one-text-per-glyph map garbles digits and marks (the reason for
    /ActualText, render/textlayer.py), so lines cannot be compared by their glyphs."""
    from pipeline.source.cldr import direction

    return direction(lang) == "ltr"


@pytest.fixture(scope="module")
def project(catalog: Path):
    return load_project(catalog)


def test_nothing_protected_is_hyphenated_or_broken(catalog: Path, project) -> None:
    checked = 0
    for path in sample_pdfs(catalog):
        pdf = ReadPdf(path.read_bytes())
        sheet = sheet_of(project, catalog, path)
        stretches_ = protected(project, sheet)
        words = {
            re.sub(r"^\W+|\W+$", "", word).casefold()
            for _, text in stretches_
            for word in text.split()
        }
        flat = [line for page in lines(pdf) for line in page]
        for line, following in zip(flat, flat[1:], strict=False):
            if not line.rstrip().endswith(HYPHENS):
                continue
            head = line.rstrip()[:-1].split()[-1:] or [""]
            tail = following.split()[:1] or [""]
            for joined in (head[0] + tail[0], head[0] + "-" + tail[0]):
                word = re.sub(r"^\W+|\W+$", "", joined).casefold()
                assert word not in words, f"{path.name}: '{line}' / '{following}'"
        drawn = [normalise(line) for line in flat]
        for kind, text in stretches_:
            if kind != "unbroken" or not _glyphs_read_back(sheet.lang):
                continue
            checked += 1
            assert any(normalise(text) in line for line in drawn), (
                f"{path.relative_to(catalog)}: '{text}' is not on one line"
            )
    assert checked > 100


def test_large_print_never_hyphenates(catalog: Path) -> None:
    for path in sample_pdfs(catalog):
        if ".large-print." not in path.name:
            continue
        pdf = ReadPdf(path.read_bytes())
        assert "\u2010" not in "".join(line for page in lines(pdf) for line in page), path


def test_at_most_two_hyphenated_lines_in_a_row(catalog: Path) -> None:
    seen = 0
    for path in sample_pdfs(catalog):
        pdf = ReadPdf(path.read_bytes())
        for page in lines(pdf):
            run = 0
            for line in page:
                run = run + 1 if line.rstrip().endswith("\u2010") else 0
                seen += run > 0
                assert run <= 2, f"{path.name}: three hyphenated lines end at '{line}'"
    assert seen > 0  # hyphenation itself still happens where it helps


def test_cjk_brackets_and_dates_stay_with_their_text(catalog: Path) -> None:
    for path in sample_pdfs(catalog):
        if path.parent.name not in ("zh-Hans", "ko"):
            continue
        for page in lines(ReadPdf(path.read_bytes())):
            for line in page:
                body = line.strip()
                # no line that is one or two characters and a closing bracket ("间）")
                assert not re.fullmatch(r".{1,2}[）)」』】》]", body), f"{path.name}: '{body}'"
                assert not re.search(r"\d+年\d+月\d*$", body), f"{path.name}: date split '{body}'"


def test_compliance_block_is_on_one_page_with_other_content(catalog: Path, project) -> None:
    for path in sample_pdfs(catalog):
        pdf = ReadPdf(path.read_bytes())
        sheet = sheet_of(project, catalog, path)
        shown = sheet_texts(project, sheet)
        parts = [shown.disclaimer, shown.reviewed, shown.next_review, shown.ident]
        pages = [
            index
            for index, text in enumerate(pdf.page_texts)
            if all(contains(text, part) for part in parts)
        ]
        assert pages, f"{path.relative_to(catalog)}: the compliance block is split over pages"
        text = pdf.page_texts[pages[0]]
        assert contains(text, shown.channels[0].text), (
            f"{path.relative_to(catalog)}: the compliance block is alone on its page"
        )


def test_pages_are_filled(catalog: Path) -> None:
    for path in sample_pdfs(catalog):
        pdf = ReadPdf(path.read_bytes())
        name = str(path.relative_to(catalog / "output"))
        count = len(pdf.reader.pages)
        for index in range(count):
            left, right = halves(read_page(pdf, index), art_box(pdf, index))
            if (name, index + 1) in UNAVOIDABLE:
                assert index + 1 == count  # only ever a last page
                continue
            assert (left + right) / 2 >= MIN_FILL, f"{name} page {index + 1}"
        findings = check_page_fill(pdf, name)
        assert {(name, f.page) for f in findings} <= UNAVOIDABLE


def test_no_text_outside_the_trim(catalog: Path) -> None:
    for path in sample_pdfs(catalog):
        pdf = ReadPdf(path.read_bytes())
        for index, page in enumerate(pdf.reader.pages):
            trim = page.trimbox
            x0, y0, x1, y1 = (float(v) for v in (trim.left, trim.bottom, trim.right, trim.top))
            for run in read_page(pdf, index).runs:  # footers and page numbers too
                if not run.text.strip():
                    continue
                bx0, by0, bx1, by1 = run.box
                assert bx0 >= x0 - 1 and bx1 <= x1 + 1 and by0 >= y0 - 3 and by1 <= y1 + 3, (
                    f"{path.name} page {index + 1}: '{run.text}'"
                )


def test_chinese_sheet_is_small_and_embeds_each_font_once(catalog: Path) -> None:
    path = catalog / "output/zh-Hans/metastatic-breast-cancer.pdf"
    assert path.stat().st_size <= 150_000
    pdf = ReadPdf(path.read_bytes())
    programs, names = set(), []
    for page in pdf.reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            program = descriptor.raw_get("/FontFile3")
            if program.idnum in programs:
                continue
            programs.add(program.idnum)
            names.append(str(font["/BaseFont"]).split("+", 1)[1])
            assert program.get_object()["/Subtype"] == "/CIDFontType0C"
            assert "/CIDToGIDMap" not in font
    assert len(names) == len(set(names))  # no font program twice
    assert not any("Oblique" in name or "Italic" in name for name in names)


# -- the rules behind it -------------------------------------------------------------


def test_page_fill_warns_about_a_nearly_empty_page(catalog: Path) -> None:
    """The rule names the questions sheet's second page, and passes a full sheet."""
    weak = ReadPdf((catalog / "output/en/questions-to-ask-your-doctor.pdf").read_bytes())
    findings = check_page_fill(weak, "q.pdf")
    assert [(f.rule, f.severity, f.page) for f in findings] == [("pdf-page-fill", "warning", 2)]
    assert "page 2 of 2 is 2" in findings[0].message
    full = ReadPdf((catalog / "output/en/metastatic-breast-cancer.pdf").read_bytes())
    assert check_page_fill(full, "m.pdf") == []


def test_a_spilling_sheet_is_set_tighter_before_a_page_is_added(tmp_path: Path) -> None:
    """The Spanish sheet needs three pages as designed; the tighter settings fit it in two."""
    from pipeline.render import pdf as render
    from pipeline.render.options import Options

    project = load_project(copy_project(tmp_path))
    sheet = project.sheet("metastatic-breast-cancer", "es")
    fitted = render.render_sheet(project, sheet, Options())
    assert fitted.pages == 2 and re.search(r'class="[^"]*\bfit-(spacing|columns)\b', fitted.html)
    html = render.sheet_html(project, sheet, Options())
    loose = render.render_html_to_pdf(html, project, sheet.display)
    assert loose.pages == 3


def test_hyphenation_limit_holds_and_is_what_holds_it(monkeypatch) -> None:
    """Long words in a narrow column: never three hyphenated lines in a row; with the
    limit lifted, the same text has them (so the limit, not luck, keeps them apart)."""
    from weasyprint import HTML

    from pipeline.render import hyphenation
    from pipeline.render.pdf import render_html_to_pdf  # noqa: F401  (installs the patches)
    from pipeline.render.tagging import install

    install()
    hyphenation.install()
    words = " ".join(["internationalization characteristically counterrevolutionary"] * 12)
    html = (
        '<html lang="en"><body style="width: 140px; font-size: 12pt; '
        f'hyphens: auto; hyphenate-limit-chars: 6 3 3">{words}</body></html>'
    )

    def longest_run() -> int:
        document = HTML(string=html).render()
        best = run = 0

        def walk(box):
            nonlocal best, run
            from weasyprint.formatting_structure import boxes

            if isinstance(box, boxes.LineBox):
                run = run + 1 if hyphenation.ends_hyphenated(box) else 0
                best = max(best, run)
                return
            for child in getattr(box, "children", ()):
                walk(child)

        for page in document.pages:
            walk(page._page_box)
        return best

    assert 1 <= longest_run() <= 2
    monkeypatch.setattr(hyphenation, "DEFAULT", hyphenation.HyphenationPolicy(max_lines=99))
    assert longest_run() >= 3


def test_trademark_is_a_translatable_block(project) -> None:
    from pipeline.translate.units import export_units

    sheet = project.sheet("metastatic-breast-cancer", "en")
    units = {unit.key: unit.source for unit in export_units(project, sheet)}
    assert units["block:trademark"].startswith("Harborlight and the lighthouse mark")


def test_organisation_trademark_is_the_fallback(tmp_path: Path) -> None:
    """A language without the block prints org.yaml's line, in the organisation's
    language and isolated from the text around it."""
    from pipeline.render.html import sheet_html
    from pipeline.render.options import Options

    root = copy_project(tmp_path)
    org = root / "sheets/_org/org.yaml"
    org.write_text(org.read_text() + "trademark: Harborlight is a trademark.\n")
    blocks = root / "sheets/_org/blocks/ar.yaml"
    blocks.write_text(re.sub(r"trademark: >-\n  .*\n", "", blocks.read_text()))
    project = load_project(root)
    html = sheet_html(project, project.sheet("metastatic-breast-cancer", "ar"), Options())
    assert '<p class="trademark" lang="en" dir="ltr">Harborlight is a trademark.</p>' in html
    english = sheet_html(project, project.sheet("metastatic-breast-cancer", "en"), Options())
    assert "Harborlight and the lighthouse mark" in re.sub(r"<[^>]+>", "", english)
