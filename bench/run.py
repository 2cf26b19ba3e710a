"""Benchmarks: the pipeline against plain WeasyPrint, all measured in one run.

Generates a synthetic catalog (default 40 sheets x 5 languages, two pages each,
with lists and a callout) in a temporary folder, then measures:
- plain WeasyPrint rendering the same HTML in one process (its own tagging);
- a full pipeline build with --jobs 1 (render + tagging + every PDF check);
- a full build with --jobs 2;
- a no-op rebuild, a one-sheet-change rebuild, and `factsheet --help`;
- pages per second and peak RSS of a worker;
- a warm worker: one process rendering and gating English sheets one after the
  other (what each job costs once fonts and templates are loaded), per page;
- Typst (the `typst` package, a bench-only dependency) typesetting the same
  English sheets from Typst markup, cold (a fresh process per sheet: import,
  font loading, compile) and warm (one compiler for all), per page. Cold is
  measured twice: given only the brand's four font files (the fastest start
  Typst can have; the target's row), and as Typst starts by default, reading
  every installed font (it keeps no font cache, unlike fontconfig).
Figures are ratios within this run, so they compare like with like. (Plain
WeasyPrint runs with Python's default cycle collector; the pipeline's render
processes tune theirs, worker.collect_between_jobs, worth about a tenth of a
job: that is part of the difference, and open to any WeasyPrint user.) Wall-clock
seconds are shown with CPU seconds beside them: on a machine shared with other
work, CPU time is the steadier of the two.

Usage: python bench/run.py [--sheets 40] [--langs 5] [--reference 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["en", "es", "vi", "ru", "tl", "ar", "ko", "zh-Hans"]

WORDS = [
    "cancer",
    "breast",
    "doctor",
    "treatment",
    "care",
    "support",
    "team",
    "scan",
    "test",
    "blood",
    "bone",
    "liver",
    "lung",
    "brain",
    "family",
    "friends",
    "question",
    "answer",
    "plan",
    "goal",
    "health",
    "time",
    "week",
    "month",
    "year",
    "help",
    "call",
    "visit",
    "nurse",
    "clinic",
    "trial",
    "option",
    "choice",
    "side",
    "effect",
    "pain",
    "tired",
    "sleep",
    "food",
    "walk",
    "talk",
    "feel",
    "hope",
]


def sentence(rng: random.Random, words: int = 12) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def sheet_content(rng: random.Random) -> list[tuple[str, list[str]]]:
    """8 sections: (paragraph, list items), the same for the pipeline and Typst."""
    sections = []
    for section in range(8):
        paragraph = " ".join(sentence(rng) for _ in range(3))
        items = [sentence(rng, 6) for _ in range(5)] if section % 2 == 0 else []
        sections.append((paragraph, items))
    return sections


def sheet_text(rng: random.Random, index: int, lang: str) -> str:
    """A two-page sheet: 8 sections of paragraphs and lists, and a Resources callout."""
    return sheet_markdown(index, lang, sheet_content(rng))


def front_matter(
    sheet_id: str, title: str, lang: str, series: str | None = None, summary: str | None = None
) -> list[str]:
    """A synthetic sheet's front matter lines, approved and current (the benchmarks'
    sheets differ only in these and in their bodies)."""
    return [
        "---",
        f"id: {sheet_id}",
        f"title: {title}",
        *([f"series: {series}"] if series else []),
        f"lang: {lang}",
        'version: "1.0"',
        "status: approved",
        "reviewed: 2026-03-06",
        "next_review: 2028-03-06",
        "reviewed_by: Benchmark panel",
        "audience: Benchmark readers",
        *([f"summary: {summary}"] if summary else []),
        "---",
        "",
    ]


def sheet_markdown(index: int, lang: str, sections: list[tuple[str, list[str]]]) -> str:
    parts = front_matter(
        f"BENCH-{index:03d}",
        f"Synthetic sheet {index}",
        lang,
        series="Benchmark series",
        summary="A synthetic sheet for benchmarks.",
    )
    for number, (paragraph, items) in enumerate(sections, 1):
        parts += [f"## Section {number}", "", paragraph, ""]
        if items:
            parts += [f"- {item}" for item in items] + [""]
    parts += [
        "::: callout Resources",
        "- Call our helpline at [1-877-555-0142](tel:+18775550142).",
        "- Visit the [website](https://www.harborlight.example).",
        ":::",
        "",
    ]
    return "\n".join(parts)


TYPST_HEAD = """#set document(title: "Benchmark series: Synthetic sheet {index}")
#set text(lang: "en", font: "Noto Sans", size: 12pt)
#set par(leading: 0.32em, spacing: 0.5em)
#set page(paper: "us-letter", margin: (top: 0.5in, x: 0.55in, bottom: 0.7in),
  footer: [#set text(9pt, fill: rgb("#4a545c")); Sheet BENCH-{index:03d}, version 1.0 #h(1fr)
  #context [Page #counter(page).display() of #counter(page).final().first()]])
#show heading: set text(fill: rgb("#0b3d5c"), size: 1.2em)
#block(fill: rgb("#0b3d5c"), inset: 8pt, width: 100%, below: 8pt)[
  #text(fill: white, weight: "bold")[Benchmark series] \\
  #text(fill: white, size: 1.7em, weight: "bold")[SYNTHETIC SHEET {index}]]
= Synthetic sheet {index}
#columns(2, gutter: 20pt)[
"""
TYPST_TAIL = """#block(fill: rgb("#e8f1f6"), inset: 8pt, width: 100%, breakable: false)[
  *Resources*
  - Call our helpline at #link("tel:+18775550142")[1-877-555-0142].
  - Visit the #link("https://www.harborlight.example")[website].]
#block(fill: rgb("#fdf3de"), inset: 8pt, width: 100%, breakable: false)[
  *Talk with us* \\
  Have a question, or just need someone to talk to? Call or write to the Harborlight
  helpline and we will help you find answers. \\
  *Phone:* #link("tel:+18775550142")[1-877-555-0142] \\
  Monday – Thursday, 9 AM – 7 PM ET \\ Friday, 9 AM – 6 PM ET \\
  *Email:* #link("mailto:helpline@harborlight.example")[helpline\\@harborlight.example] \\
  Monday – Friday, 9 AM – 5 PM ET]
#block(breakable: false, stroke: (top: 1.5pt + rgb("#f2b134")), inset: (top: 6pt))[
  #set text(0.8em, fill: rgb("#4a545c"))
  This sheet is meant to help you learn, and it does not cover every detail. It is not a
  substitute for advice from your own doctor. Please talk with your health care provider
  about decisions for your care. \\
  Last reviewed: March 6, 2026 · Next review due: March 6, 2028 \\
  Sheet BENCH-{index:03d}, version 1.0]
]
"""


def sheet_typst(index: int, sections: list[tuple[str, list[str]]]) -> str:
    """The same sheet in Typst markup: band, two columns, callout, help box, footer."""
    parts = [TYPST_HEAD.replace("{index:03d}", f"{index:03d}").replace("{index}", str(index))]
    for number, (paragraph, items) in enumerate(sections, 1):
        parts += [f"== Section {number}", "", paragraph, ""]
        parts += [f"- {item}" for item in items] + [""]
    parts.append(TYPST_TAIL.replace("{index:03d}", f"{index:03d}"))
    return "\n".join(parts)


def make_catalog(
    folder: Path, sheets: int, langs: list[str], text=sheet_text, prefix: str = "sheet"
) -> None:
    """The sample org and brand, and ``sheets`` synthetic sheets in every language;
    with the default text, each English sheet also in Typst markup beside the catalog."""
    shutil.copytree(ROOT / "styles", folder / "styles")
    shutil.copytree(ROOT / "sheets" / "_org", folder / "sheets" / "_org")
    rng = random.Random(2026)
    typst_dir = folder.parent / "typst"
    typst_dir.mkdir(exist_ok=True)
    for index in range(sheets):
        slug = folder / "sheets" / f"{prefix}-{index:03d}"
        slug.mkdir(parents=True)
        for lang in langs:
            if text is not sheet_text:
                (slug / f"{lang}.md").write_text(text(rng, index, lang), encoding="utf-8")
                continue
            sections = sheet_content(rng)
            (slug / f"{lang}.md").write_text(
                sheet_markdown(index, lang, sections), encoding="utf-8"
            )
            if lang == "en":
                (typst_dir / f"{prefix}-{index:03d}.typ").write_text(
                    sheet_typst(index, sections), encoding="utf-8"
                )


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(folder: Path, *args: str) -> tuple[float, int, str]:
    """Seconds, peak RSS (KiB) of the largest child so far, and stdout of `factsheet`.

    The parse cache lives beside the catalog: warm after the first build, as a
    user's is, and gone with the temporary folder.
    """
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "FACTSHEET_CACHE_DIR": str(folder.parent / "parsed")},
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"factsheet {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, result.stdout


BASELINE = """
import sys, time
from pathlib import Path
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
folder = Path(sys.argv[1])
files = sorted(folder.glob("*.html"))
fonts = FontConfiguration()
started = time.perf_counter()
for path in files:
    HTML(string=path.read_text(), base_url=sys.argv[2]).write_pdf(
        pdf_variant="pdf/ua-1", font_config=fonts)
print(time.perf_counter() - started)
"""


WARM = """
import gc, json, sys, time
from pathlib import Path
from pipeline.build.worker import collect_between_jobs
from pipeline.checks.gate import pdf_findings
from pipeline.render.options import Options
from pipeline.render.pdf import render_sheet
from pipeline.source.loader import load_project
project = load_project(Path(sys.argv[1]))
slugs = sys.argv[2:]
def job(slug):
    sheet = project.sheet(slug, "en")
    rendered = render_sheet(project, sheet, Options())
    found = pdf_findings(project, sheet, rendered.pdf, slug + ".pdf")
    assert not [f for f in found if f.severity == "error"], found
    gc.collect()  # as a render process does after each job (worker.serve)
    return rendered.pages
job(slugs[0])  # warm: fonts, templates, hyphenation patterns
collect_between_jobs()
wall, cpu, pages = time.perf_counter(), time.process_time(), 0
for slug in slugs:
    pages += job(slug)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu, pages]))
"""

TYPST_COLD = """
import json, sys, time
wall, cpu = time.perf_counter(), time.process_time()
import typst
fonts = sys.argv[3:]
if fonts:  # only the brand's font files
    typst.compile(sys.argv[1], output=sys.argv[2], font_paths=fonts, ignore_system_fonts=True)
else:  # Typst's default: it reads every installed font at start (it keeps no font cache)
    typst.compile(sys.argv[1], output=sys.argv[2])
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]))
"""

TYPST_WARM = """
import json, sys, time
import typst
from pathlib import Path
folder, out, fonts = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
files = sorted(folder.glob("*.typ"))
compiler = typst.Compiler(root=str(folder), font_paths=fonts, ignore_system_fonts=True)
compiler.compile(input=str(files[0]), output=str(out / "warm-up.pdf"))
wall, cpu = time.perf_counter(), time.process_time()
for path in files:
    compiler.compile(input=str(path), output=str(out / (path.stem + ".pdf")))
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]))
"""


def typst_fonts(folder: Path) -> list[str]:
    """A folder with the font files fontconfig gives WeasyPrint for the brand's Latin
    text (Typst reads folders; it is given only these, as WeasyPrint finds its own
    through fontconfig's cache instead of reading every installed font)."""
    folder.mkdir()
    for pattern in ("Noto Sans", "Noto Sans:bold", "Noto Sans:italic", "Noto Sans:bold:italic"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True
        ).stdout.strip()
        if found and not (folder / Path(found).name).exists():
            (folder / Path(found).name).symlink_to(found)
    return [str(folder)]


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def python_json(script: str, *args: str) -> list:
    """Run a Python script in a fresh process; the JSON its last line prints."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def warm_worker(folder: Path, count: int) -> tuple[float, float, int]:
    """Wall and CPU seconds of one warm process rendering and gating ``count`` sheets."""
    slugs = [f"sheet-{index:03d}" for index in range(count)]
    return tuple(python_json(WARM, str(folder), *slugs))


def typst_reference(typst_dir: Path, out: Path, count: int) -> dict[str, float]:
    """Typst on the same sheets: per page, cold (a process each) and warm (one compiler)."""
    out.mkdir()
    fonts = typst_fonts(out / "fonts")
    files = sorted(typst_dir.glob("*.typ"))[:count]
    cold_wall = cold_cpu = system_wall = system_cpu = 0.0
    pages = 0
    for path in files:
        target = out / (path.stem + ".pdf")
        wall, cpu = python_json(TYPST_COLD, str(path), str(target), *fonts)
        cold_wall, cold_cpu = cold_wall + wall, cold_cpu + cpu
        pages += pdf_pages(target)
        wall, cpu = python_json(TYPST_COLD, str(path), str(out / (path.stem + ".system.pdf")))
        system_wall, system_cpu = system_wall + wall, system_cpu + cpu
    warm_dir = out / "warm"
    warm_dir.mkdir()
    selected = out / "sources"
    selected.mkdir()
    for path in files:
        shutil.copy(path, selected / path.name)
    warm_wall, warm_cpu = python_json(TYPST_WARM, str(selected), str(warm_dir), *fonts)
    return {
        "pages": pages,
        "cold_wall": cold_wall / pages,
        "cold_cpu": cold_cpu / pages,
        "system_wall": system_wall / pages,
        "system_cpu": system_cpu / pages,
        "warm_wall": warm_wall / pages,
        "warm_cpu": warm_cpu / pages,
    }


def baseline(folder: Path, html_dir: Path) -> float:
    """Plain WeasyPrint on the same HTML, in a process that never loads our tagging."""
    from pipeline.build.plan import plan
    from pipeline.render.html import sheet_html
    from pipeline.source.loader import load_project

    project = load_project(folder)
    html_dir.mkdir()
    for job in plan(project):
        html = sheet_html(project, project.sheet(job.slug, job.lang), job.options())
        (html_dir / f"{job.slug}.{job.lang}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", BASELINE, str(html_dir), (folder / "sheets").as_uri() + "/"],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=40)
    parser.add_argument("--langs", type=int, default=5)
    parser.add_argument(
        "--reference", type=int, default=10, help="English sheets for the warm worker and Typst"
    )
    args = parser.parse_args()
    langs = LANGS[: args.langs]
    reference = min(args.reference, args.sheets)
    with tempfile.TemporaryDirectory(prefix="factsheet-bench-") as temp:
        folder = Path(temp) / "catalog"
        make_catalog(folder, args.sheets, langs)
        jobs = args.sheets * len(langs)
        cpu = cpu_children()
        plain = baseline(folder, Path(temp) / "html")
        plain_cpu, cpu = cpu_children() - cpu, cpu_children()
        one, rss, _ = run(folder, "-q", "build", "--jobs", "1", "--force", "--format", "json")
        one_cpu, cpu = cpu_children() - cpu, cpu_children()
        warm_wall, warm_cpu, warm_pages = warm_worker(folder, reference)
        typst = typst_reference(Path(temp) / "typst", Path(temp) / "typst-out", reference)
        two, rss2, _ = run(folder, "-q", "build", "--jobs", "2", "--force", "--format", "json")
        cpu = cpu_children()
        noop, _, _ = run(folder, "-q", "build", "--jobs", "2", "--format", "json")
        noop_cpu, cpu = cpu_children() - cpu, cpu_children()
        changed = folder / "sheets" / "sheet-000" / "en.md"
        changed.write_text(changed.read_text().replace("## Section 1", "## Section one"))
        change, _, out = run(folder, "-q", "build", "--jobs", "2", "--format", "json")
        change_cpu = cpu_children() - cpu
        rebuilt = json.loads(out)["built"]
        help_time, _, _ = run(folder, "--help")
        manifest = json.loads((folder / "output" / "manifest.json").read_text())
        pages = sum(entry["pages"] for entry in manifest["pdfs"])
    warm_page, warm_page_cpu = warm_wall / warm_pages, warm_cpu / warm_pages
    rows = [
        ("jobs (sheets x languages)", f"{jobs}", ""),
        ("plain WeasyPrint, one process", f"{plain:.1f} s", f"cpu {plain_cpu:.1f} s"),
        (
            "pipeline --jobs 1 (incl. checks)",
            f"{one:.1f} s",
            f"overhead ratio {one / plain:.2f}, cpu {one_cpu / plain_cpu:.2f} (target <= 1.10)",
        ),
        (
            "warm worker, per page",
            f"{warm_page:.3f} s",
            f"cpu {warm_page_cpu:.3f} s, {warm_pages} pages (target <= 0.12 s)",
        ),
        (
            "Typst cold, per page",
            f"{typst['cold_wall']:.3f} s",
            f"cpu {typst['cold_cpu']:.3f} s; warm worker / Typst cold "
            f"{warm_page / typst['cold_wall']:.2f} (target <= 2)",
        ),
        (
            "Typst cold, all installed fonts",
            f"{typst['system_wall']:.3f} s",
            f"cpu {typst['system_cpu']:.3f} s; warm worker / this "
            f"{warm_page / typst['system_wall']:.2f} (Typst's default start)",
        ),
        (
            "Typst warm, per page",
            f"{typst['warm_wall']:.3f} s",
            f"cpu {typst['warm_cpu']:.3f} s, {typst['pages']} pages",
        ),
        ("pipeline --jobs 2", f"{two:.1f} s", f"speed-up {one / two:.2f} (target >= 1.7)"),
        (
            "no-op rebuild",
            f"{noop:.2f} s",
            f"cpu {noop_cpu:.2f} s, ratio {noop / one:.3f} of full (target <= 0.03)",
        ),
        (
            "one-sheet change rebuild",
            f"{change:.2f} s",
            f"cpu {change_cpu:.2f} s, {rebuilt} job rebuilt (target <= 1.0 s)",
        ),
        ("factsheet --help", f"{help_time:.2f} s", "(target <= 0.3 s)"),
        ("pages per second, --jobs 2", f"{pages / two:.1f}", f"{pages} pages"),
        ("peak RSS of a worker", f"{max(rss, rss2) / 1024:.0f} MB", "(target <= 300 MB)"),
    ]
    print_table("factsheet benchmark", rows)


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """The figures as aligned rows under a line naming the machine."""
    width = max(len(r[0]) for r in rows)
    print(f"{title} on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")


if __name__ == "__main__":
    main()
