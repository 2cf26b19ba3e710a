"""Property-based tests: whatever the input, our own error or a good PDF, never a crash."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks import has_errors
from pipeline.checks.gate import pdf_findings, source_findings
from pipeline.errors import FactsheetError, each_error
from pipeline.source.loader import Loader, load_project

KEYS = [
    "id",
    "title",
    "series",
    "lang",
    "version",
    "status",
    "reviewed",
    "next_review",
    "reviewed_by",
    "audience",
    "summary",
    "keywords",
    "translation_of",
    "reviwed",
    "x",
]
MARKDOWN_BITS = [
    "#",
    "##",
    "###",
    "-",
    "1.",
    "*",
    "**",
    "_",
    "[",
    "]",
    "(",
    ")",
    "!",
    "{",
    "}",
    "<script>",
    "</b>",
    "`",
    ":::",
    "callout",
    "lang=es",
    "sheet:",
    "javascript:",
    "https://www.harborlight.example",
    "|",
    "---",
    "\n",
    "\n\n",
    " ",
    ">",
    "&amp;",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.sampled_from(
        ["en", "es", "zh-Hans", "en_US", "xx", "draft", "approved", "3.0", "2026-02-30"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=6,
)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS))
bodies = st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), st.text(max_size=12)), max_size=40).map(
    "".join
)


def _project() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="factsheet-prop-"))
    for name in ("sheets", "styles"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def project_root():
    folder = _project()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def project(project_root):
    return load_project(project_root)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matters, body=bodies, raw=st.booleans(), raw_text=st.text(max_size=200))
def test_loader_gives_a_sheet_or_our_error(
    project_root, project, front, body, raw, raw_text
) -> None:
    if raw:
        text = raw_text
    else:
        try:
            head = yaml.safe_dump(front, allow_unicode=True)
        except yaml.YAMLError:
            head = "{}"
        text = f"---\n{head}---\n{body}"
    path = project_root / "sheets" / "metastatic-breast-cancer" / "en.md"
    loader = Loader(project_root)
    try:
        sheet = loader.sheet_from_text(path, text, project.org, project.policy)
    except FactsheetError as error:
        assert error.path and ":" not in str(error).split(": error:")[0].split("/")[0]
        return
    assert sheet.front.lang == "en"


LETTERS = (
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            categories=["Lu", "Ll", "Nd", "Zs"],
            max_codepoint=0x4FF,  # Latin and Cyrillic: covered by the brand's fonts
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)

blocks = st.lists(
    st.one_of(
        LETTERS.map(lambda t: f"## {t}"),
        LETTERS.map(lambda t: f"{t}."),
        st.lists(LETTERS, min_size=1, max_size=5).map(
            lambda items: "\n".join(f"- {i}." for i in items)
        ),
        LETTERS.map(lambda t: f"Call [{t}](tel:+18775550142) or read **{t}** [{t}]{{lang=es}}."),
        st.lists(LETTERS, min_size=1, max_size=3).map(
            lambda items: "::: callout Resources\n" + "\n".join(f"- {i}" for i in items) + "\n:::"
        ),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=LETTERS, parts=blocks)
def test_renderer_gives_a_passing_pdf_or_our_error(project_root, project, title, parts) -> None:
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    front = {
        "id": "PROP-1",
        "title": title,
        "lang": "en",
        "version": "1.0",
        "status": "draft",
        "reviewed": dt.date(2026, 3, 1),
        "next_review": dt.date(2027, 3, 1),
        "reviewed_by": "Panel",
        "audience": "Everyone",
    }
    text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n" + "\n\n".join(parts) + "\n"
    loader = Loader(project_root)
    path = project_root / "sheets" / "prop" / "en.md"
    try:
        sheet = loader.sheet_from_text(path, text, project.org, project.policy)
        rendered = render_sheet(project, sheet, Options())
    except FactsheetError:
        return
    findings = [
        f for f in pdf_findings(project, sheet, rendered.pdf, "prop.pdf") if f.rule != "pdf-pages"
    ]  # long random bodies may run past two pages
    assert not has_errors(findings), [f"{f.rule}: {f.message}" for f in findings]


# -- mutated project files: our own error, or a PDF that passes the gate ----------------

#: The files people edit, and the translator files they hand back (made in the fixture).
MUTABLE = [
    "sheets/questions-to-ask-your-doctor/en.md",
    "sheets/questions-to-ask-your-doctor/es.md",
    "sheets/_org/blocks/en.yaml",
    "sheets/_org/blocks/es.yaml",
    "sheets/_org/org.yaml",
    "sheets/_org/policy.yaml",
    "sheets/_org/clinics/eastside.yaml",
    "styles/harborlight/brand.yaml",
]
TRANSLATOR_FILES = ["fr.xlf", "fr.po", "fr.md"]
#: What a hostile or careless hand puts into a file.
HOSTILE = [
    "\x1b[31m",
    "\x00",
    "\x07",
    "\u202e",
    "\ufeff",
    "&xxe;",
    '<!DOCTYPE x [<!ENTITY e "e">]>',
    "{{ 7*7 }}",
    "*" * 400,
    "[" * 300,
    "(" * 2000,
    "](",
    ": ",
    "- ",
    "  - ",
    "#",
    "\t",
    "---",
    "!!python/object:os.system",
    "&a [x]",
    "*a",
    "9" * 40,
    "1e308",
    "-1",
    "../../../etc/passwd",
    "![x](../../styles/harborlight/logo.svg)",
    "[x](javascript:alert(1))",
    "::: callout\n",
    "> " * 50,
    "x" * 5000,
    "</target>",
    '<g id="1">',
    "%s%n",
    "\n",
    "\r\n",
    "é",
    "中文",
]


@st.composite
def mutations(draw, files: list[str]) -> tuple[str, list[tuple]]:
    """A file and a few edits of it: lines dropped, doubled or swapped, text inserted
    or cut, a character replaced."""
    name = draw(st.sampled_from(files))
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("drop"), st.integers(0, 10**6)),
                st.tuples(st.just("double"), st.integers(0, 10**6)),
                st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
                st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(HOSTILE)),
                st.tuples(st.just("insert"), st.integers(0, 10**6), st.text(max_size=8)),
                st.tuples(st.just("cut"), st.integers(0, 10**6)),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return name, steps


def mutate(text: str, steps: list[tuple]) -> str:
    for step in steps:
        lines = text.split("\n")
        if step[0] == "drop":
            del lines[step[1] % len(lines)]
        elif step[0] == "double":
            index = step[1] % len(lines)
            lines.insert(index, lines[index])
        elif step[0] == "swap":
            a, b = step[1] % len(lines), step[2] % len(lines)
            lines[a], lines[b] = lines[b], lines[a]
        text = "\n".join(lines)
        if step[0] == "insert":
            at = step[1] % (len(text) + 1)
            text = text[:at] + step[2] + text[at:]
        elif step[0] == "cut":
            text = text[: step[1] % (len(text) + 1)]
    return text


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The sample project plus translator files of one sheet for French (XLIFF, PO, Markdown)."""
    from pipeline.translate.export import export

    root = tmp_path_factory.mktemp("pristine")
    for name in ("sheets", "styles"):
        shutil.copytree(ROOT / name, root / name)
    project = load_project(root)
    slug = "questions-to-ask-your-doctor"
    (root / "fr.xlf").write_bytes(export(project, slug, "fr", "xliff"))
    (root / "fr.po").write_bytes(export(project, slug, "fr", "po"))
    spanish = (root / "sheets" / slug / "es.md").read_text(encoding="utf-8")
    (root / "fr.md").write_text(spanish.replace("lang: es", "lang: fr"), encoding="utf-8")
    return root


@contextmanager
def time_limit(seconds: int):
    """A hang is a bug: fail the example instead of waiting for ever (not a benchmark)."""

    def expired(*_):
        raise AssertionError(f"no answer after {seconds}s: unbounded work")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def mutated_copy(pristine: Path, name: str, steps: list[tuple]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="factsheet-mutant-"))
    shutil.copytree(pristine, root, dirs_exist_ok=True)
    path = root / name
    text = path.read_text(encoding="utf-8")
    path.write_bytes(mutate(text, steps).encode("utf-8", "surrogatepass"))
    return root


def our_error(error: FactsheetError) -> None:
    """Our own error: each problem it holds (a sheet's are reported all at once) one
    printable line naming a place, with a message."""
    for single in each_error(error):
        line = str(single)
        assert "\n" not in line and line.isprintable() and len(line) < 1500, line[:2000]
        assert ": error: " in line


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(change=mutations(MUTABLE))
def test_a_mutated_project_builds_a_passing_pdf_or_gives_our_error(pristine, change) -> None:
    """Mutate a sheet, shared blocks, org, policy, clinic or brand file at random:
    loading, the source checks, rendering and the gate end in our own error or a PDF
    whose every finding is the gate's own (never an exception of another kind)."""
    from pipeline.checks import check_policy_rules
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet
    from pipeline.source.clinics import load_clinic

    name, steps = change
    root = mutated_copy(pristine, name, steps)
    try:
        with time_limit(120):
            try:
                project = load_project(root)
                check_policy_rules(project)
                load_clinic(project, "eastside")
                sheet = project.sheet("questions-to-ask-your-doctor", "en")
                if "/es.md" in name:
                    sheet = project.sheet("questions-to-ask-your-doctor", "es")
                for each in project.sheets.values():
                    source_findings(project, each)
                source_ok = not has_errors(source_findings(project, sheet))
                rendered = render_sheet(project, sheet, Options())
            except FactsheetError as error:
                our_error(error)
                return
            findings = pdf_findings(project, sheet, rendered.pdf, "prop.pdf")
            assert not [f for f in findings if f.rule == "pdf-unreadable"], findings
            if source_ok:  # a sheet the source checks pass gives a PDF the gate passes
                failed = [f for f in findings if f.severity == "error" and f.rule != "pdf-pages"]
                assert not failed, [f"{f.rule}: {f.message}" for f in failed]
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(change=mutations(TRANSLATOR_FILES))
def test_a_mutated_translation_imports_or_gives_our_error(pristine, change) -> None:
    """A translator's file (XLIFF, PO, Markdown) mangled at random: imported as a sheet
    that loads, or refused with our own error; nothing half-written either way."""
    from pipeline.translate.importer import import_file

    name, steps = change
    root = mutated_copy(pristine, name, steps)
    try:
        with time_limit(120):
            project = load_project(root)
            before = sorted(p for p in (root / "sheets").rglob("*"))
            try:
                import_file(project, root / name)
            except FactsheetError as error:
                our_error(error)
                assert sorted(p for p in (root / "sheets").rglob("*")) == before
                return
            load_project(root)  # what was written loads
    finally:
        shutil.rmtree(root, ignore_errors=True)
