"""Hostile and bad input: one clear line on stderr, exit 1, output/ untouched.

The rule of the project: bad input gets ONE line ``path:line: error: message
(hint: ...)`` on stderr (path relative to the project, line when known), exit
code 1, no traceback, and nothing written or changed in output/. Each row of
the table below breaks a private copy of a project that has already been
built once, builds again, and checks all of that.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_project, run_cli

from pipeline.checks.readpdf import ReadPdf, contains

SLUG = "questions-to-ask-your-doctor"
SHEET = f"sheets/{SLUG}/en.md"
ORG = "sheets/_org/org.yaml"
POLICY = "sheets/_org/policy.yaml"
BRAND = "styles/harborlight/brand.yaml"
CSS = "styles/harborlight/sheet.css"
TEMPLATE = "styles/templates/sheet.html.j2"
BUILD = ("build", SLUG, "--lang", "en", "--jobs", "1")

# Line numbers in the sample sheet (the tests below rely on them). The body starts
# with a blank line; its first paragraph, and whatever body() inserts, is on line 16.
TITLE_LINE, REVIEWED_LINE, KEYWORDS_LINE, BODY_LINE, PARAGRAPH_LINE = 3, 8, 13, 15, 16
HERE = f"{SHEET}:{PARAGRAPH_LINE}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the sample project with one sheet built; each case copies it."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    run_cli(root, *BUILD, check=True)
    assert (root / "output" / "en" / f"{SLUG}.pdf").is_file()
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file of output/ (but its .factsheet/ internals) with its SHA-256."""
    out = root / "output"
    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".factsheet" not in path.relative_to(out).parts
    }


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
XXE_SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&xxe;</text></svg>\n'
)
HREF_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<image href="https://example.com/x.png" width="10" height="10"/></svg>\n'
)
BOMB = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
)
SANDBOX = "sheets and styles may only use files inside the project's sheets/ and styles/"
NESTED = "- one\n  - two\n    - three\n      - four\n        - five\n"


# -- ways to break a project ------------------------------------------------------


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace ``old`` (which must be there) by ``new`` in one file."""

    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def replace_line(rel: str, start: str, new: str) -> Callable[[Path], None]:
    """Replace the one line starting with ``start`` by ``new``."""

    def apply(root: Path) -> None:
        path = root / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        (index,) = [i for i, line in enumerate(lines) if line.startswith(start)]
        lines[index] = new
        path.write_text("\n".join(lines), encoding="utf-8")

    return apply


def write(rel: str, data: str | bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")

    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for step in steps:
            step(root)

    return apply


def symlink(rel: str, target: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        os.symlink(target, root / rel)

    return apply


def front_matter_only(root: Path) -> None:
    path = root / SHEET
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("---", 3) + 4], encoding="utf-8")


def no_front_matter(root: Path) -> None:
    path = root / SHEET
    text = path.read_text(encoding="utf-8")
    path.write_text(text[text.index("---", 3) + 4 :], encoding="utf-8")


def unterminated(root: Path) -> None:
    path = root / SHEET
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 3)
    path.write_text(text[:end] + "\n" + text[end + 5 :], encoding="utf-8")


def body(markdown: str) -> Callable[[Path], None]:
    """Put ``markdown`` at the start of the sample sheet's body (line PARAGRAPH_LINE)."""
    return edit(SHEET, "---\n\nA doctor visit", f"---\n\n{markdown}\nA doctor visit")


def image(name: str, data: bytes | str) -> Callable[[Path], None]:
    """An image file next to the sheet, shown in the body at line PARAGRAPH_LINE."""
    return both(write(f"sheets/{SLUG}/{name}", data), image_link(name))


def image_link(src: str) -> Callable[[Path], None]:
    return body(f"![A picture]({src})\n")


def outside_symlink(root: Path) -> None:
    secret = root.parent / "secret.png"
    secret.write_bytes(PNG)
    os.symlink(secret, root / "sheets" / SLUG / "leak.png")
    body("![A picture](leak.png)\n")(root)


def outside_sheet(root: Path) -> None:
    """A sheet file that is a symlink to a file outside the project."""
    outside = root.parent / "outside.md"
    outside.write_text((root / SHEET).read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(outside, root / "sheets" / SLUG / "fr.md")


# -- the table --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input: how to break the project and the line stderr must show.

    ``line`` is the exact expected line; when part of the message is a library's
    wording (PyYAML, Jinja2, datetime), ``line`` is the exact start of the line up
    to that part and ``fragment`` a piece that must follow it (usually the hint).
    """

    id: str
    breaks: Callable[[Path], None]
    line: str
    fragment: str | None = None


def case(id: str, breaks: Callable[[Path], None], line: str, fragment: str | None = None):
    return pytest.param(Case(id, breaks, line, fragment), id=id)


CASES = [
    # -- front matter and YAML
    case(
        "missing-front-matter",
        no_front_matter,
        f"{SHEET}:1: error: no front matter (hint: a sheet starts with a line '---', "
        "its YAML front matter, then '---')",
    ),
    case(
        "unterminated-front-matter",
        unterminated,
        f"{SHEET}:1: error: front matter is never closed "
        "(hint: end the front matter with a line '---')",
    ),
    case(
        "yaml-syntax-error",
        edit(SHEET, "title: Questions to Ask", "title: Questions: to Ask"),
        f"{SHEET}:{TITLE_LINE}: error: YAML: mapping values are not allowed in this context "
        "(hint: check indentation, colons and quotes)",
    ),
    case(
        "yaml-alias-bomb",
        edit(SHEET, "keywords:", BOMB + "keywords:"),
        f"{SHEET}:{KEYWORDS_LINE}: error: YAML anchors and aliases are not allowed "
        "(hint: write the value out in full)",
    ),
    case(
        "yaml-python-tag",
        edit(
            SHEET,
            "title: Questions to Ask Your Doctor",
            "title: !!python/object/apply:os.system [ls]",
        ),
        f"{SHEET}:{TITLE_LINE}: error: YAML: custom YAML tags are not allowed "
        "(hint: remove the '!' tag; write a plain value)",
    ),
    case(
        "yaml-custom-tag",
        edit(SHEET, "title: Questions", "title: !foo Questions"),
        f"{SHEET}:{TITLE_LINE}: error: YAML: custom YAML tags are not allowed "
        "(hint: remove the '!' tag; write a plain value)",
    ),
    # Past the parser's own limit (PyYAML >= 6.0.4 stops at 1000) and past only ours:
    # the same message either way.
    case(
        "yaml-deep-nesting",
        edit(SHEET, "keywords: [", "keywords: [" + "[" * 5000 + "]" * 5000 + ", "),
        f"{SHEET}:{KEYWORDS_LINE}: error: YAML nests more than 32 levels deep "
        "(hint: no sheet or style file needs this; check the brackets)",
    ),
    case(
        "yaml-nesting-past-our-limit",
        edit(SHEET, "keywords: [", "keywords: [" + "[" * 40 + "]" * 40 + ", "),
        f"{SHEET}:{KEYWORDS_LINE}: error: YAML nests more than 32 levels deep "
        "(hint: no sheet or style file needs this; check the brackets)",
    ),
    case(
        "duplicate-key",
        edit(SHEET, "keywords:", "title: Another Title\nkeywords:"),
        f"{SHEET}:{KEYWORDS_LINE}: error: key 'title' appears twice (first on line {TITLE_LINE}) "
        "(hint: keep one; YAML would silently use the last)",
    ),
    case(
        "yaml-control-character",
        edit(SHEET, "title: Questions", "title: Questions\x07"),
        f"{SHEET}:{TITLE_LINE}: error: YAML: control character U+0007 is not allowed "
        "(hint: delete it; most editors do not show it)",
    ),
    case(
        "unknown-key",
        edit(SHEET, "reviewed:", "reviwed:"),
        f"{SHEET}:{REVIEWED_LINE}: error: unknown key 'reviwed' in front matter "
        "(hint: did you mean 'reviewed'?)",
    ),
    case(
        "wrong-type",
        replace_line(SHEET, "keywords:", "keywords: 5"),
        f"{SHEET}:{KEYWORDS_LINE}: error: keywords: Input should be a valid list (got 5)",
    ),
    case(
        "impossible-date",
        edit(SHEET, "reviewed: 2026-05-12", "reviewed: 2026-02-30"),
        f"{SHEET}:{REVIEWED_LINE}: error: YAML: '2026-02-30' is not a valid date (",
        "(hint: write dates as YYYY-MM-DD, a day that exists)",
    ),
    case(
        "lang-underscore",
        edit(SHEET, "lang: en", "lang: en_US"),
        f"{SHEET}:5: error: lang: 'en_US' is not a BCP 47 language tag (use a form like en, "
        "es, zh-Hans, pt-BR; a hyphen, not an underscore) (got 'en_US')",
    ),
    case(
        "lang-english",
        edit(SHEET, "lang: en", "lang: english"),
        f"{SHEET}:5: error: lang: 'english' is not a BCP 47 language tag (use a form like en, "
        "es, zh-Hans, pt-BR; a hyphen, not an underscore) (got 'english')",
    ),
    case(
        "lang-differs-from-file-name",
        edit(SHEET, "lang: en", "lang: es"),
        f"{SHEET}:5: error: lang 'es' does not match the file name 'en.md' "
        "(hint: rename the file to es.md or fix lang)",
    ),
    case(
        "duplicate-id",
        edit(SHEET, "id: HL-MBC-02", "id: HL-MBC-01"),
        f"{SHEET}:2: error: id 'HL-MBC-01' is already used by "
        "sheets/metastatic-breast-cancer/ar.md (hint: every sheet needs its own id)",
    ),
    # -- the file itself
    case(
        "non-utf8",
        lambda root: (root / SHEET).write_bytes(
            (root / SHEET).read_bytes().replace(b"A doctor visit", b"A doctor \xe9visit")
        ),
        f"{HERE}: error: not valid UTF-8 (byte 0xe9) (hint: save the file as UTF-8)",
    ),
    case(
        "empty-body",
        front_matter_only,
        f"{SHEET}:{BODY_LINE}: error: the sheet has no body "
        "(hint: write the sheet below the front matter)",
    ),
    case(
        "sheet-over-size-limit",
        write(POLICY, "limits: {max_sheet_bytes: 2000}\n"),
        "sheets/metastatic-breast-cancer/ar.md: error: file is 7,275 bytes, over the limit "
        "of 2,000 (hint: split the sheet, or raise limits.max_sheet_bytes in policy.yaml)",
    ),
    case(
        "deeply-nested-lists",
        body(NESTED),
        f"{SHEET}:{PARAGRAPH_LINE + 4}: error: lists nest 5 deep, more than 4 "
        "(hint: flatten the list; readers lose their place in deep lists)",
    ),
    # -- images
    case(
        "image-over-size-limit",
        both(write(POLICY, "limits: {max_image_bytes: 50}\n"), image("big.png", PNG)),
        f"{HERE}: error: image 'big.png' is {len(PNG)} bytes, over the limit of 50 "
        "(hint: make the image smaller, or raise limits.max_image_bytes in policy.yaml)",
    ),
    case(
        "image-from-network",
        image_link("https://example.com/x.png"),
        f"{HERE}: error: image 'https://example.com/x.png' is not a relative path inside "
        "the project (hint: put the image next to the sheet and write its file name)",
    ),
    case(
        "image-outside-project",
        image_link("../../etc/passwd"),
        f"{HERE}: error: image '../../etc/passwd' lies outside the project's sheets/ and "
        "styles/ folders (hint: copy the file into the project; links leading out are refused)",
    ),
    case(
        "image-absolute-path",
        image_link("/etc/passwd"),
        f"{HERE}: error: image '/etc/passwd' is not a relative path inside the project "
        "(hint: put the image next to the sheet and write its file name)",
    ),
    case(
        "image-symlink-out",
        outside_symlink,
        f"{HERE}: error: image 'leak.png' lies outside the project's sheets/ and styles/ folders "
        "(hint: copy the file into the project; links leading out are refused)",
    ),
    case(
        "svg-external-entity",
        image("x.svg", XXE_SVG),
        f"{HERE}: error: SVG image 'x.svg' declares a DOCTYPE or entities "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "svg-external-href",
        image("x.svg", HREF_SVG),
        f"{HERE}: error: SVG image 'x.svg' refers to an external resource "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "image-not-what-extension-says",
        image("x.png", "just some text\n"),
        f"{HERE}: error: image 'x.png' is not a PNG file "
        "(hint: the file's content does not match its extension)",
    ),
    case(
        "image-data-uri",
        image_link("data:image/png;base64,iVBORw0KGgo="),
        f"{HERE}: error: image 'data:image/png;base64,iVBORw0KGgo=' is not a relative path "
        "inside the project (hint: put the image next to the sheet and write its file name)",
    ),
    case(
        "image-symlink-loop",
        both(symlink(f"sheets/{SLUG}/loop.png", "loop.png"), image_link("loop.png")),
        f"{HERE}: error: cannot follow the symlink loop.png "
        "(hint: a symlink that leads to itself; replace it with the file)",
    ),
    # -- links: the source check refuses them (file:line and the rule's id)
    case(
        "link-javascript",
        body("Read [our page](javascript:alert(1)).\n"),
        f"{HERE}: error: link scheme 'javascript:' is not allowed "
        "('javascript:alert(1)') [link-scheme] "
        "(hint: allowed: https, mailto, tel and sheet:)",
    ),
    case(
        "link-data",
        body("Read [our page](data:text/html;base64,PHNjcmlwdD4=).\n"),
        f"{HERE}: error: link scheme 'data:' is not allowed "
        "('data:text/html;base64,PHNjcmlwdD4=') [link-scheme] "
        "(hint: allowed: https, mailto, tel and sheet:)",
    ),
    case(
        "link-file",
        body("Read [our page](file:///etc/passwd).\n"),
        f"{HERE}: error: link scheme 'file:' is not allowed ('file:///etc/passwd') [link-scheme] "
        "(hint: allowed: https, mailto, tel and sheet:)",
    ),
    # -- files that are not what they seem
    case(
        "sheet-symlink-out",
        outside_sheet,
        f"sheets/{SLUG}/fr.md:1: error: file lies outside the project's sheets/ and styles/ "
        "folders (hint: copy the file into the project; links leading out are refused)",
    ),
    case(
        "sheet-is-a-folder",
        lambda root: (root / "sheets" / SLUG / "fr.md").mkdir(),
        f"sheets/{SLUG}/fr.md: error: not a regular file (hint: source files are plain text files)",
    ),
    case(
        "sheet-is-a-fifo",
        lambda root: os.mkfifo(root / "sheets" / SLUG / "fr.md"),
        f"sheets/{SLUG}/fr.md: error: not a regular file (hint: source files are plain text files)",
    ),
    # -- org.yaml: contact hours
    case(
        "hours-open-after-close",
        edit(ORG, 'from: "09:00"\n          to: "19:00"', 'from: "19:00"\n          to: "09:00"'),
        f"{ORG}:21: error: channels.0.hours.open.0: opening time 19:00 is not before "
        "closing time 09:00",
    ),
    case(
        "unknown-day",
        edit(ORG, "days: mon-thu", "days: mon-thorsday"),
        f"{ORG}:21: error: channels.0.hours.open.0.days: unknown day 'thorsday'; days are "
        "mon, tue, wed, thu, fri, sat, sun (got 'mon-thorsday')",
    ),
    case(
        "invalid-time-zone",
        edit(ORG, "timezone: America/New_York", "timezone: America/New_Yrok"),
        f"{ORG}:19: error: channels.0.hours.timezone: 'America/New_Yrok' is not an IANA "
        "time zone (like America/New_York) (got 'America/New_Yrok')",
    ),
    # -- styles
    case(
        "brand-unknown-key",
        edit(BRAND, "logo_alt:", "logo_alternative:"),
        f"{BRAND}:32: error: unknown key 'logo_alternative' in brand.yaml "
        "(hint: did you mean 'logo_alt'?)",
    ),
    case(
        "template-syntax-error",
        edit(TEMPLATE, "<body", "{% if %}\n<body"),
        f"{TEMPLATE}:21: error: template: ",
        "(hint: fix the Jinja2 template)",
    ),
    case(
        "css-import-file",
        edit(CSS, "@page {", "@import url(file:///etc/passwd);\n@page {"),
        f"{CSS}:5: error: the sandbox refused to fetch file:///etc/passwd (hint: {SANDBOX})",
    ),
    case(
        "css-network-image",
        edit(
            CSS,
            "body { margin: 0; }",
            "body { margin: 0; background: url(https://example.com/x.png); }",
        ),
        f"{CSS}:20: error: the sandbox refused to fetch https://example.com/x.png "
        f"(hint: {SANDBOX})",
    ),
]


@pytest.mark.parametrize("bad", CASES)
def test_bad_input_is_one_clear_line(project: Path, bad: Case) -> None:
    before = snapshot(project)
    assert before, "the good build wrote nothing"
    bad.breaks(project)
    result = run_cli(project, *BUILD)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines()]
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, result.stderr
    # Load errors stop before any job: stderr is that one line. Errors found in a
    # job (source checks, rendering) follow the job's one progress line.
    others = [line for line in lines if line not in errors]
    assert len(others) <= 1, result.stderr
    if others:
        assert re.fullmatch(rf"\[1/1\] failed en/{SLUG}\.pdf( [0-9.]+s)?", others[0])
    if bad.fragment is None:
        assert errors[0] == bad.line
    else:
        assert errors[0].startswith(bad.line), errors[0]
        assert bad.fragment in errors[0]
    assert snapshot(project) == before


# -- accepted: odd but harmless input builds ----------------------------------------


def test_bom_and_crlf_are_accepted(project: Path) -> None:
    """A BOM and Windows line ends read as the same sheet: the build skips it as unchanged."""
    before = snapshot(project)
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    path = project / SHEET
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli(project, *BUILD)
    assert result.returncode == 0, result.stderr
    assert "built 0, skipped 1" in result.stdout
    # The PDF is untouched; manifest.json is rewritten with the same content (key
    # order may differ on a skipped job), so compare it as data.
    after = snapshot(project)
    assert after.pop("manifest.json") and before.pop("manifest.json")
    assert after == before
    assert json.loads((project / "output" / "manifest.json").read_text()) == manifest


def test_raw_html_and_script_are_printed_as_text(project: Path) -> None:
    """Raw HTML is off: a <script> in a sheet is text on the page, never markup."""
    body("Try <script>alert(1)</script> and <b>bold</b>.\n\n<div>a block</div>\n")(project)
    result = run_cli(project, *BUILD)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = ReadPdf((project / "output" / "en" / f"{SLUG}.pdf").read_bytes()).text
    assert contains(text, "Try <script>alert(1)</script> and <b>bold</b>.")
    assert contains(text, "<div>a block</div>")


def test_sheet_text_cannot_inject_template_code(project_dir) -> None:
    """Jinja2 syntax in a sheet is text, not template code (autoescape + sandbox)."""
    from pipeline.checks.readpdf import ReadPdf, contains
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet
    from pipeline.source.loader import load_project

    sheet = project_dir / "sheets" / "questions-to-ask-your-doctor" / "en.md"
    sheet.write_text(
        sheet.read_text().replace(
            "## ", "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {{ config }}\n\n## ", 1
        )
    )
    project = load_project(project_dir)
    page = render_sheet(project, project.sheet("questions-to-ask-your-doctor", "en"), Options())
    text = ReadPdf(page.pdf).text
    assert contains(text, "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {{ config }}")
    assert "49" not in text


def test_decomposed_unicode_is_composed_on_load(project_dir) -> None:
    import unicodedata

    from pipeline.source.loader import load_project

    sheet = project_dir / "sheets" / "metastatic-breast-cancer" / "vi.md"
    sheet.write_text(unicodedata.normalize("NFD", sheet.read_text()))
    project = load_project(project_dir)
    loaded = project.sheet("metastatic-breast-cancer", "vi")
    assert unicodedata.is_normalized("NFC", loaded.body.html)
    assert loaded.front.title == "Đây là bệnh gì?"
