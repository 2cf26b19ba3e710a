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
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_cli

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
BODY_SIZE_LINE = next(
    number
    for number, line in enumerate((ROOT / BRAND).read_text().splitlines(), 1)
    if line.startswith("body_size_pt:")
)


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


def png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (the decoded size), in 70 bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return PNG[:16] + header + zlib.crc32(b"IHDR" + header).to_bytes(4, "big") + PNG[33:]


def jpeg(width: int, height: int) -> bytes:
    """A JPEG start: SOI, an APP0 segment, then a baseline frame header of that size."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03" + b"\x00" * 9
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def svg(inner: str, attrs: str = 'width="10" height="10"') -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attrs}>{inner}</svg>\n'


def use_bomb(levels: int = 12, fanout: int = 10) -> str:
    """A ~2 KB SVG that draws fanout**levels rectangles: each group uses the last ten times."""
    groups = "".join(
        f'<g id="g{i}">' + f'<use href="#g{i - 1}"/>' * fanout + "</g>" for i in range(1, levels)
    )
    return svg(
        f'<defs><rect id="g0" width="1" height="1"/>{groups}</defs><use href="#g{levels - 1}"/>'
    )


def use_chain(depth: int) -> str:
    """A chain of <use>, each copying the one before: cheap, but ``depth`` deep."""
    links = "".join(f'<use id="u{i}" href="#u{i - 1}"/>' for i in range(1, depth + 1))
    return svg(f'<rect id="u0" width="1" height="1"/>{links}')


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
    (root / SHEET).unlink()
    os.symlink(outside, root / SHEET)


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
        "es, zh-Hans, pt-BR; a hyphen, not an underscore) (got 'en_US') "
        "(hint: did you mean 'en-US' (English (United States))?)",
    ),
    case(
        "lang-english",
        edit(SHEET, "lang: en", "lang: english"),
        f"{SHEET}:5: error: lang: 'english' is not a BCP 47 language tag (use a form like en, "
        "es, zh-Hans, pt-BR; a hyphen, not an underscore) (got 'english') "
        "(hint: did you mean 'en' (English)?)",
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
        "sheets/metastatic-breast-cancer/en.md (hint: every sheet needs its own id; "
        "this file is the newer one)",
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
        f"{SHEET}: error: file is 2,538 bytes, over the limit "
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
    # -- bounded work: each limit of policy.yaml, at its default
    case(
        "image-pixels-png",
        image("huge.png", png(100_000, 100_000)),
        f"{HERE}: error: image 'huge.png' is 100,000 x 100,000 pixels (10,000,000,000), over "
        "the limit of 16,000,000 (hint: scale the image down (300 dpi at print size is plenty), "
        "or raise limits.max_image_pixels in policy.yaml)",
    ),
    case(
        "image-pixels-jpeg",
        image("huge.jpg", jpeg(20_000, 20_000)),
        f"{HERE}: error: image 'huge.jpg' is 20,000 x 20,000 pixels (400,000,000), over the limit "
        "of 16,000,000 (hint: scale the image down (300 dpi at print size is plenty), "
        "or raise limits.max_image_pixels in policy.yaml)",
    ),
    case(
        "image-pixels-gif",
        image("huge.gif", gif(65_535, 65_535)),
        f"{HERE}: error: image 'huge.gif' is 65,535 x 65,535 pixels (4,294,836,225), over the "
        "limit of 16,000,000 (hint: scale the image down (300 dpi at print size is plenty), "
        "or raise limits.max_image_pixels in policy.yaml)",
    ),
    case(
        "image-pixels-svg",
        image("huge.svg", svg("<rect/>", 'viewBox="0 0 1e9 1e9"')),
        f"{HERE}: error: image 'huge.svg' is 1,000,000,000 x 1,000,000,000 pixels "
        "(1,000,000,000,000,000,000), over the limit of 16,000,000 (hint: scale the image down "
        "(300 dpi at print size is plenty), or raise limits.max_image_pixels in policy.yaml)",
    ),
    case(
        "image-png-damaged-header",
        image("broken.png", PNG[:20]),
        f"{HERE}: error: image 'broken.png' is damaged: its size cannot be read "
        "(hint: open it in an image editor and save it again)",
    ),
    case(
        "svg-use-bomb",
        image("bomb.svg", use_bomb()),
        f"{HERE}: error: SVG image 'bomb.svg' draws more than 10,000 elements (each <use> counts "
        "the elements it copies) (hint: simplify the drawing, or raise limits.max_svg_elements "
        "in policy.yaml)",
    ),
    case(
        "svg-use-depth",
        image("chain.svg", use_chain(9)),
        f"{HERE}: error: SVG image 'chain.svg' nests <use> references more than 8 deep "
        "(hint: flatten the drawing, or raise limits.max_svg_use_depth in policy.yaml)",
    ),
    case(
        "svg-use-loop",
        image("loop.svg", svg('<use id="a" href="#b"/><use id="b" href="#a"/>')),
        f"{HERE}: error: SVG image 'loop.svg' refers to itself (a <use> or url(#...) loop) "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "svg-deep-nesting",
        image("deep.svg", svg("<g>" * 5000 + "</g>" * 5000)),
        f"{HERE}: error: SVG image 'deep.svg' nests elements more than 64 deep (each <use> "
        "counts as a level) (hint: flatten its groups, or raise limits.max_svg_depth in "
        "policy.yaml)",
    ),
    case(
        "svg-billion-laughs",
        image(
            "laughs.svg",
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
            + svg("<text>&b;</text>"),
        ),
        f"{HERE}: error: SVG image 'laughs.svg' declares a DOCTYPE or entities "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "svg-script",
        image("script.svg", svg("<script>alert(1)</script>")),
        f"{HERE}: error: SVG image 'script.svg' contains a script "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "svg-css-import",
        image("css.svg", svg("<style>@import 'https://example.com/x.css';</style>")),
        f"{HERE}: error: SVG image 'css.svg' imports CSS "
        "(hint: export a plain SVG with everything inline)",
    ),
    case(
        "svg-not-well-formed",
        image("broken.svg", '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'),
        f"{HERE}: error: SVG image 'broken.svg' is not well-formed XML (line 1) "
        "(hint: open it in an editor and save it again)",
    ),
    case(
        "svg-infinite-width",
        image("wide.svg", svg("<rect/>", 'width="1e999" height="10"')),
        f"{HERE}: error: SVG image 'wide.svg' has an invalid width '1e999' "
        "(hint: write a length like 120 or 30mm)",
    ),
    case(
        "list-items",
        body("- an item\n" * 10_000),
        f"{SHEET}:{PARAGRAPH_LINE + 300}: error: the sheet has more than 300 list items "
        "(hint: split it into several sheets, or raise limits.max_list_items in policy.yaml)",
    ),
    case(
        "headings",
        body("### A heading\n\n" * 200),
        f"{SHEET}:{PARAGRAPH_LINE + 2 * 100}: error: the sheet has more than 100 headings "
        "(hint: split it into several sheets, or raise limits.max_headings in policy.yaml)",
    ),
    case(
        "nested-emphasis",
        body("*" * 3000 + "x" + "*" * 3000 + "\n"),
        f"{HERE}: error: markup nests more than 20 levels deep (lists, callouts, quotes, "
        "emphasis, links) (hint: simplify the formatting, or raise limits.max_markup_depth "
        "in policy.yaml)",
    ),
    # -- numbers past what the renderer or the calendar can hold
    case(
        "brand-huge-size",
        edit(BRAND, "body_size_pt: 12", "body_size_pt: 1e308"),
        f"{BRAND}:{BODY_SIZE_LINE}: error: body_size_pt: "
        "Input should be less than or equal to 72 (got '1e308')",
    ),
    case(
        "brand-infinite-size",
        edit(BRAND, "body_size_pt: 12", "body_size_pt: .inf"),
        f"{BRAND}:{BODY_SIZE_LINE}: error: body_size_pt: "
        "Input should be less than or equal to 72 (got inf)",
    ),
    case(
        "policy-huge-warning-window",
        write(POLICY, "review_warning_days: 99999999999999999999\n"),
        f"{POLICY}:1: error: review_warning_days: Input should be less than or equal to 3660 "
        "(got 99999999999999999999)",
    ),
    case(
        "review-in-year-9999",
        both(
            edit(SHEET, "reviewed: 2026-05-12", "reviewed: 9999-06-01"),
            edit(SHEET, "next_review: 2028-05-12", "next_review: 9999-12-01"),
        ),
        f"{SHEET}:{REVIEWED_LINE}: error: reviewed 9999-06-01 is after today (2026-11-21) "
        "[review-future] (hint: write the date the review actually happened)",
    ),
    # -- error text: control characters escaped, long values cut, one line
    case(
        "escape-bytes-in-a-value",
        edit(SHEET, "lang: en", 'lang: "\\e]0;pwned\\a\\e[31men"'),
        f"{SHEET}:5: error: lang: '\\x1b]0;pwned\\x07\\x1b[31men' is not a BCP 47 language tag "
        "(use a form like en, es, zh-Hans, pt-BR; a hyphen, not an underscore) "
        "(got '\\x1b]0;pwned\\x07\\x1b[31men')",
    ),
    case(
        "huge-value-in-a-message",
        image_link("x" * 900_000 + ".png"),
        f"{HERE}: error: cannot read image 'xxxxx",
        "xxxxx.png': File name too long (hint: check the image's file name and permissions)",
    ),
    case(
        "new-lines-in-a-value",
        edit(SHEET, "lang: en", 'lang: "e\\nn\\r\\n"'),
        f"{SHEET}:5: error: lang: 'e\\nn\\r\\n' is not a BCP 47 language tag",
        "(got 'e\\nn\\r\\n')",
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
        f"{SHEET}:1: error: file lies outside the project's sheets/ and styles/ "
        "folders (hint: copy the file into the project; links leading out are refused)",
    ),
    case(
        "sheet-is-a-folder",
        lambda root: ((root / SHEET).unlink(), (root / SHEET).mkdir()),
        f"{SHEET}: error: not a regular file (hint: source files are plain text files)",
    ),
    case(
        "sheet-is-a-fifo",
        lambda root: ((root / SHEET).unlink(), os.mkfifo(root / SHEET)),
        f"{SHEET}: error: not a regular file (hint: source files are plain text files)",
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
        f"{BRAND}:33: error: unknown key 'logo_alternative' in brand.yaml "
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
    # Sanitised: printable, and short whatever the input put into it.
    assert errors[0].isprintable() and len(errors[0]) < 1500, errors[0][:3000]
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


def test_error_output_is_bounded_per_file(project: Path) -> None:
    """500 bad links: limits.max_findings_per_file lines, then one line saying how many more."""
    body("".join(f"Read [page {n}](javascript:go({n})).\n\n" for n in range(500)))(project)
    result = run_cli(project, *BUILD)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 20, result.stderr
    assert lines[-1].strip() == (f"{SHEET}: ... and 480 more (limits.max_findings_per_file)"), (
        lines[-1]
    )
    check = run_cli(project, "check", SHEET)
    assert check.returncode == 1
    assert len([line for line in check.stdout.splitlines() if ": error: " in line]) == 20
    assert f"{SHEET}: ... and 480 more (limits.max_findings_per_file)" in check.stdout
    assert "480 error(s)" not in check.stdout and "500 error(s)" in check.stdout
