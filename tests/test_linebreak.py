"""What a line may not break inside, found in every sample language (source/linebreak.py),
and the content-stream parser the gate reads pages with (checks/contentstream.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from pipeline.checks.contentstream import parse_operations
from pipeline.source.linebreak import UNBROKEN, UNHYPHENATED, Guard, protect_html, stretches
from pipeline.source.markdown import parse_body

NAMES = ("Harborlight Breast Cancer Network", "Harborlight", "Shoreline Circle")


def kept(text: str, guard: Guard, kind: str = UNBROKEN) -> list[str]:
    return [text[s.start : s.end] for s in stretches(text, guard) if s.kind == kind]


@pytest.mark.parametrize(
    ("lang", "text", "whole"),
    [
        ("en", "Write to helpline@harborlight.example today.", "helpline@harborlight.example"),
        ("en", "or nurses@eastside-clinic.example, and", "nurses@eastside-clinic.example,"),
        ("en", "Call 1-877-555-0142 now.", "1-877-555-0142"),
        (
            "en",
            "see https://www.harborlight.example/help for more",
            "https://www.harborlight.example/help",
        ),
        ("en", "mutations such as PIK3CA or ESR1", "PIK3CA"),
        ("en", "inherited BRCA1/BRCA2 changes", "BRCA1/BRCA2"),
        ("en", "a drug called T-DM1 is", "T-DM1"),
        ("en", "Sheet HL-MBC-01, version 3.0", "HL-MBC-01,"),
        ("en", "if it lasts more than 2 weeks, tell", "2 weeks,"),
        ("en", "take 10 mg each day", "10 mg"),
        ("en", "about 30% as likely", "30%"),
        ("en", "Monday, 9 AM – 7 PM ET", "9 AM"),
        ("en", "Next review due: March 6, 2028", "March 6, 2028"),
        ("es", "Próxima revisión: 6 de marzo de 2028.", "6 de marzo de 2028."),
        ("es", "durante más de 2 semanas", "2 semanas"),
        ("ru", "Следующий пересмотр: 6 марта 2028 г.", "6 марта 2028 г."),
        ("vi", "Lần xem xét tiếp theo: 6 tháng 3, 2028", "6 tháng 3, 2028"),
        ("zh-Hans", "下次审核日期：2028年3月6日", "2028年3月6日"),
        ("zh-Hans", "活过至少5年的可能性", "5年"),
        ("zh-Hans", "星期五 09:00–18:00（北美东部时间）", "（北美东部时间）"),
        ("zh-Hans", "星期五 09:00–18:00（北美东部时间）", "09:00–18:00"),
        ("ko", "다음 검토 예정일: 2028년 3월 6일", "2028년 3월 6일"),
        ("ja", "次回の見直し：2028年3月6日。", "2028年3月6日。"),
        ("ar", "موعد المراجعة التالية: 6 مارس 2028", "6 مارس 2028"),
    ],
)
def test_what_must_stay_on_one_line(lang: str, text: str, whole: str) -> None:
    assert whole in kept(text, Guard(lang, NAMES, "US", lang == "ar"))


@pytest.mark.parametrize(
    ("lang", "text", "not_whole"),
    [
        # A clause of Chinese has no spaces: a digit in it does not make it one word.
        (
            "zh-Hans",
            "患有转移性乳腺癌的女性活过至少5年的可能性，约为",
            "患有转移性乳腺癌的女性活过至少5年",
        ),
        # "01 in" is not a length in inches: the id is one word and wins.
        ("en", "HL-MBC-01 in 2026", "01 in"),
        ("en", "stage IV breast cancer", "IV"),
        ("en", "a weekly visit of 2 weeklies", "2 week"),
    ],
)
def test_what_is_left_free(lang: str, text: str, not_whole: str) -> None:
    assert not_whole not in kept(text, Guard(lang, NAMES, "US"))


def test_names_are_never_hyphenated_but_may_wrap() -> None:
    guard = Guard("en", NAMES, "US")
    text = "Join Shoreline Circle and the Harborlight Breast\nCancer Network."
    assert kept(text, guard, UNHYPHENATED) == [
        "Shoreline Circle",
        "Harborlight Breast\nCancer Network.",
    ]
    assert "white-space" not in protect_html(text, guard)  # classes only; sheet.css styles them


def test_other_direction_runs_are_isolated_without_their_punctuation() -> None:
    guard = Guard("ar", ("Harborlight",), "US", rtl=True)
    text = "اتصل بخط Harborlight Breast Cancer Network. النشرة HL-MBC-01، الإصدار 3.0"
    html = protect_html(text, guard)
    name = '<span class="unhyphenated">Harborlight</span> Breast Cancer Network'
    assert f'<span dir="ltr">{name}</span>.' in html
    assert '<span dir="ltr"><span class="unbroken">HL-MBC-01</span></span>،' in html
    hebrew = protect_html("Ask for שלום עליכם by name.", Guard("en"))
    assert '<span dir="rtl">שלום עליכם</span> by name.' in hebrew
    assert "<span" not in protect_html("Plain English text only.", Guard("en"))


def test_protected_html_is_escaped() -> None:
    html = protect_html("<b>PIK3CA</b> & co", Guard("en"))
    assert html.startswith("&lt;b&gt;") and "&amp;" in html and "<b>" not in html


def test_markdown_wraps_sheet_text_but_not_link_targets_or_code() -> None:
    body = parse_body(
        "## Genes such as PIK3CA\n\nCall [1-877-555-0142](tel:+18775550142) about the "
        "Harborlight Breast\nCancer Network before March 6, 2028.\n\n"
        "::: callout Talk to Shoreline Circle\n- In 2 weeks.\n:::\n",
        "x.md",
        1,
        resolve_link=lambda target: target,
        resolve_image=lambda src, line: src,
        guard=Guard("en", NAMES, "US"),
    )
    html = body.html
    assert '<h2><span class="unbroken">PIK3CA</span></h2>' in html.replace("Genes such as ", "")
    assert 'href="tel:+18775550142"><span class="unbroken">1-877-555-0142</span></a>' in html
    assert '<span class="unhyphenated">Harborlight Breast\nCancer Network</span>' in html
    assert '<span class="unbroken">March 6, 2028.</span>' in html
    assert 'Talk to <span class="unhyphenated">Shoreline Circle</span>' in html
    assert '<span class="unbroken">2 weeks.</span>' in html
    # The units translators get are the source as written, without any markup.
    assert all("<span" not in unit.text for unit in body.units)


# -- content streams -------------------------------------------------------------------


def _shown(operations) -> list:
    """Operations as comparable text; a TJ array by what it draws: its strings
    joined across zero adjustments (a 0 moves nothing), other adjustments kept."""
    return [
        (
            [repr(_drawn(o) if op == b"TJ" else o) for o in operands]
            if isinstance(operands, list)
            else repr(operands),
            op,
        )
        for operands, op in operations
    ]


def _drawn(items) -> list:
    if not isinstance(items, list):
        return items
    out: list = []
    for item in items:
        if isinstance(item, bytes):
            if out and isinstance(out[-1], bytes):
                out[-1] += bytes(item)
            else:
                out.append(bytes(item))
        elif float(item) != 0:
            out.append(float(item))
    return out


def test_content_streams_parse_as_pypdf_parses_them(catalog: Path) -> None:
    pdfs = sorted((catalog / "output").rglob("*.pdf"))
    assert pdfs
    for path in pdfs[:6]:
        reader = PdfReader(path)
        for page in reader.pages:
            source = page["/Contents"].get_object()
            theirs = ContentStream(source, reader, "bytes").operations
            assert _shown(parse_operations(source.get_data())) == _shown(theirs), path


@pytest.mark.parametrize(
    "data",
    [
        b"/Span <</MCID 3 /ActualText (about 6% of women \\(and\\) men)>> BDC "
        b"BT [<0012>-5<00 34>] TJ ET EMC",
        b"(nested (parentheses) \\053 octal \\n escapes) Tj % a comment\n0 0 m",
        b"/Name#20with#20spaces gs [1 -2.5 .5 +3] 0 d [true false null] 3 Tr",
        b"<</A [<<>> (x)]>> BDC EMC",
        b"q 1 0 0 1 0 0 cm\r\n(line\\\r\ncontinued) Tj Q",
        # WeasyPrint's glyph arrays: read whole, strings joined across zeros
        b"BT [<0056>0<0057>0.0<0003>-250<004f> 0 <0044>] TJ ET",
        b"[<0056>0<005>0<0003>] TJ [(a)0<0057>] TJ [<00 56>0<0003>]TJ",  # odd, literal, spaces
        b"[0<0056>0 -0 +0.0<0057>12.5] TJ % trailing comment",
    ],
)
def test_content_stream_syntax(data: bytes) -> None:
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    theirs = ContentStream(stream, None, "bytes").operations
    assert _shown(parse_operations(data)) == _shown(theirs)


def test_unexpected_content_falls_back_to_pypdf() -> None:
    from pypdf.generic import DecodedStreamObject

    from pipeline.checks.contentstream import FastContentStream, Unexpected

    data = b"q BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI Q"
    with pytest.raises(Unexpected):
        parse_operations(data)
    stream = DecodedStreamObject()
    stream.set_data(data)
    operators = [op for _, op in FastContentStream(stream, None, "bytes").operations]
    assert operators == [b"q", b"INLINE IMAGE", b"Q"]
