"""Property-based tests: whatever the input, our own error or a good PDF, never a crash."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks import has_errors
from pipeline.checks.gate import pdf_findings
from pipeline.errors import FactsheetError
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
