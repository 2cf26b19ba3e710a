"""What a screen reader hears, measured: the pipeline against plain WeasyPrint.

For every sheet of the sample catalog and the test sheets in other scripts
(tests/script_sheets: Hebrew, Persian, Hindi, Thai, Japanese), the same HTML is
rendered twice, by plain WeasyPrint 70 (its own tagging) and by the pipeline,
and each PDF is read back in structure-tree order exactly as the gate reads it
(pipeline/checks/readpdf.py: /ActualText honoured, no guessed spaces). Per
language it prints:

- pairs: the share of the source's word pairs (consecutive words of one
  heading, paragraph or list item; character pairs for scripts written without
  spaces: Thai, Japanese, Chinese) that the PDF's text carries, as a multiset;
- glued: words of the PDF's text that are two consecutive source words run
  together ("thathas");
- U+2010: hyphenation hyphens in the PDF's text that the source does not have.

The source text is the sheet's own (title, series and body, as the
`pdf-text-fidelity` rule sees it) and what the template prints from the shared
blocks and org.yaml (help text, hours, disclaimer, review dates). Targets:
pairs >= 0.99, glued 0, U+2010 0.

Usage: .venv/bin/python bench/fidelity.py [--format json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.checks.fidelity import expected_text  # noqa: E402
from pipeline.checks.readpdf import ReadPdf, reading_form  # noqa: E402
from pipeline.source.cldr import script_of  # noqa: E402

SCRIPT_SHEETS = ROOT / "tests" / "script_sheets"
#: Scripts written without spaces between words: measured by character pairs.
UNSPACED = {"Thai", "Jpan", "Hans", "Hant", "Laoo", "Khmr", "Mymr"}
TARGET = 0.99


def project_copy(target: Path) -> Path:
    """The sample project plus the test sheets in other scripts."""
    for name in ("sheets", "styles"):
        shutil.copytree(ROOT / name, target / name)
    for blocks in (SCRIPT_SHEETS / "blocks").glob("*.yaml"):
        shutil.copy(blocks, target / "sheets" / "_org" / "blocks" / blocks.name)
    for sheet_dir in SCRIPT_SHEETS.iterdir():
        if sheet_dir.is_dir() and sheet_dir.name != "blocks":
            shutil.copytree(sheet_dir, target / "sheets" / sheet_dir.name)
    return target


def pairs(lines: list[str], unspaced: bool) -> Counter:
    """Consecutive word (or, unspaced, character) pairs within each line."""
    counts: Counter = Counter()
    for line in lines:
        items = list(line.replace(" ", "")) if unspaced else line.split()
        counts.update(zip(items, items[1:], strict=False))
    return counts


def glued(source_lines: list[str], heard: str) -> int:
    """Words of the heard text that are two consecutive source words run together."""
    words = set(" ".join(source_lines).split())
    joins = set()
    for line in source_lines:
        items = line.split()
        joins.update(a + b for a, b in zip(items, items[1:], strict=False) if a + b not in words)
    return sum(1 for word in heard.split() if word in joins)


def measure(source_lines: list[str], heard_text: str, lang: str) -> dict:
    heard_lines = [reading_form(line) for line in heard_text.splitlines()]
    unspaced = script_of(lang) in UNSPACED
    want = pairs(source_lines, unspaced)
    have = pairs(heard_lines, unspaced)
    found = sum((want & have).values())
    source = " ".join(source_lines)
    heard = " ".join(heard_lines)
    return {
        "pairs": found,
        "of": sum(want.values()),
        "glued": 0 if unspaced else glued(source_lines, heard),
        "u2010": max(0, heard.count("\u2010") - source.count("\u2010")),
    }


def source_lines(project, sheet) -> list[str]:
    """The sheet's own text (as `pdf-text-fidelity` sees it), then what the
    template prints from the shared blocks and org.yaml: the help block, the
    hours, the disclaimer, the review dates."""
    from pipeline.source.markdown import plain_text
    from pipeline.source.texts import sheet_texts

    blocks = project.blocks[sheet.lang]
    texts = sheet_texts(project, sheet)
    shared = [
        plain_text(blocks.helpline_intro),
        plain_text(blocks.language_assistance),
        texts.disclaimer,
        plain_text(blocks.review_note),
        texts.reviewed,
        texts.next_review,
        *(line for channel in texts.channels for line in channel.hours),
    ]
    return [expected.text for expected in expected_text(sheet)] + [reading_form(t) for t in shared]


def render_all(project, jobs, engine: str) -> dict:
    """PDF bytes per job, rendered by ``engine`` ("plain" or "pipeline")."""
    from weasyprint import HTML

    from pipeline.render import tagging
    from pipeline.render.html import sheet_html
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_html_to_pdf
    from pipeline.render.sandbox import SandboxFetcher

    out = {}
    for sheet in jobs:
        html = sheet_html(project, sheet, Options())
        if engine == "plain":
            assert not tagging._INSTALLED, "plain WeasyPrint must run before the pipeline"
            fetcher = SandboxFetcher(
                ((project.root / "sheets").resolve(), (project.root / "styles").resolve())
            )
            out[sheet.display] = HTML(
                string=html,
                base_url=(project.root / "sheets").as_uri() + "/",
                url_fetcher=fetcher.make(),
            ).write_pdf(pdf_variant="pdf/ua-1")
        else:
            out[sheet.display] = render_html_to_pdf(html, project, sheet.display).pdf
    return out


def run() -> list[dict]:
    from pipeline.source.loader import load_project

    with tempfile.TemporaryDirectory() as folder:
        project = load_project(project_copy(Path(folder)))
        jobs = [project.sheets[key] for key in sorted(project.sheets)]
        pdfs = {engine: render_all(project, jobs, engine) for engine in ("plain", "pipeline")}
    rows: dict[str, dict] = {}
    for sheet in jobs:
        lines = source_lines(project, sheet)
        row = rows.setdefault(sheet.lang, {"lang": sheet.lang, "sheets": 0})
        row["sheets"] += 1
        for engine, by_sheet in pdfs.items():
            figures = measure(lines, ReadPdf(by_sheet[sheet.display]).text, sheet.lang)
            total = row.setdefault(engine, Counter())
            total.update(figures)
    out = []
    for row in rows.values():
        for engine in ("plain", "pipeline"):
            figures = row[engine]
            row[engine] = {
                "pairs": round(figures["pairs"] / max(1, figures["of"]), 4),
                "glued": figures["glued"],
                "u2010": figures["u2010"],
            }
        out.append(row)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args()
    rows = run()
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(
            "| language | sheets | word pairs: pipeline | plain WeasyPrint | glued | plain |"
            " U+2010 | plain |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows:
            ours, plain = row["pipeline"], row["plain"]
            print(
                f"| {row['lang']} | {row['sheets']} | {ours['pairs']:.3f} | {plain['pairs']:.3f}"
                f" | {ours['glued']} | {plain['glued']} | {ours['u2010']} | {plain['u2010']} |"
            )
    missed = [
        row["lang"]
        for row in rows
        if row["pipeline"]["pairs"] < TARGET or row["pipeline"]["glued"] or row["pipeline"]["u2010"]
    ]
    if missed:
        print(f"below target: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
