"""Benchmarks: the pipeline against plain WeasyPrint, all measured in one run.

Generates a synthetic catalog (default 40 sheets x 5 languages, two pages each,
with lists and a callout) in a temporary folder, then measures:
- plain WeasyPrint rendering the same HTML in one process (its own tagging);
- a full pipeline build with --jobs 1 (render + tagging + every PDF check);
- a full build with --jobs 2;
- a no-op rebuild, a one-sheet-change rebuild, and `factsheet --help`;
- pages per second and peak RSS of a worker.
Figures are ratios within this run, so they compare like with like.

Usage: python bench/run.py [--sheets 40] [--langs 5]
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


def sheet_text(rng: random.Random, index: int, lang: str) -> str:
    """A two-page sheet: 8 sections of paragraphs and lists, and a Resources callout."""
    parts = [
        "---",
        f"id: BENCH-{index:03d}",
        f"title: Synthetic sheet {index}",
        "series: Benchmark series",
        f"lang: {lang}",
        'version: "1.0"',
        "status: approved",
        "reviewed: 2026-03-06",
        "next_review: 2028-03-06",
        "reviewed_by: Benchmark panel",
        "audience: Benchmark readers",
        "summary: A synthetic sheet for benchmarks.",
        "---",
        "",
    ]
    for section in range(8):
        parts += [f"## Section {section + 1}", "", " ".join(sentence(rng) for _ in range(3)), ""]
        if section % 2 == 0:
            parts += [f"- {sentence(rng, 6)}" for _ in range(5)] + [""]
    parts += [
        "::: callout Resources",
        "- Call our helpline at [1-877-555-0142](tel:+18775550142).",
        "- Visit the [website](https://www.harborlight.example).",
        ":::",
        "",
    ]
    return "\n".join(parts)


def make_catalog(
    folder: Path, sheets: int, langs: list[str], text=sheet_text, prefix: str = "sheet"
) -> None:
    """The sample org and brand, and ``sheets`` synthetic sheets in every language."""
    shutil.copytree(ROOT / "styles", folder / "styles")
    shutil.copytree(ROOT / "sheets" / "_org", folder / "sheets" / "_org")
    rng = random.Random(2026)
    for index in range(sheets):
        slug = folder / "sheets" / f"{prefix}-{index:03d}"
        slug.mkdir(parents=True)
        for lang in langs:
            (slug / f"{lang}.md").write_text(text(rng, index, lang), encoding="utf-8")


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
    args = parser.parse_args()
    langs = LANGS[: args.langs]
    with tempfile.TemporaryDirectory(prefix="factsheet-bench-") as temp:
        folder = Path(temp) / "catalog"
        make_catalog(folder, args.sheets, langs)
        jobs = args.sheets * len(langs)
        plain = baseline(folder, Path(temp) / "html")
        one, rss, _ = run(folder, "-q", "build", "--jobs", "1", "--force", "--format", "json")
        two, rss2, _ = run(folder, "-q", "build", "--jobs", "2", "--force", "--format", "json")
        noop, _, _ = run(folder, "-q", "build", "--jobs", "2", "--format", "json")
        changed = folder / "sheets" / "sheet-000" / "en.md"
        changed.write_text(changed.read_text().replace("## Section 1", "## Section one"))
        change, _, out = run(folder, "-q", "build", "--jobs", "2", "--format", "json")
        rebuilt = json.loads(out)["built"]
        help_time, _, _ = run(folder, "--help")
        manifest = json.loads((folder / "output" / "manifest.json").read_text())
        pages = sum(entry["pages"] for entry in manifest["pdfs"])
    rows = [
        ("jobs (sheets x languages)", f"{jobs}", ""),
        ("plain WeasyPrint, one process", f"{plain:.1f} s", ""),
        (
            "pipeline --jobs 1 (incl. checks)",
            f"{one:.1f} s",
            f"overhead ratio {one / plain:.2f} (target <= 1.15)",
        ),
        ("pipeline --jobs 2", f"{two:.1f} s", f"speed-up {one / two:.2f} (target >= 1.7)"),
        ("no-op rebuild", f"{noop:.2f} s", f"ratio {noop / one:.3f} of full (target <= 0.03)"),
        ("one-sheet change rebuild", f"{change:.2f} s", f"{rebuilt} job rebuilt (target <= 1.0 s)"),
        ("factsheet --help", f"{help_time:.2f} s", "(target <= 0.3 s)"),
        ("pages per second, --jobs 2", f"{pages / two:.1f}", f"{pages} pages"),
        ("peak RSS of a worker", f"{max(rss, rss2) / 1024:.0f} MB", "(target <= 300 MB)"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"factsheet benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")


if __name__ == "__main__":
    main()
