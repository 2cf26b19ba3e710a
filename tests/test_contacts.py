# ruff: noqa: E501  (the bench holds exact error lines, one per row)
"""Contacts a patient can trust: a bench of hostile contact cases, and each contact rule
broken and kept.

The bench: each row breaks a private copy of a built project in one way a careless
or hostile user could, builds, and requires exactly one error line on stderr (file,
line, message, rule id and hint), exit code 1, and output/ untouched.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_project, run_cli
from test_bad_inputs import edit, snapshot  # the same ways to break and compare

from pipeline.checks.contacts import check_contacts
from pipeline.checks.readpdf import ReadPdf
from pipeline.source import contacts as cx
from pipeline.source.cldr import format_hours
from pipeline.source.hours_prose import stated_hours
from pipeline.source.lookalikes import check_address
from pipeline.source.model import Channel

SLUG = "questions-to-ask-your-doctor"
SHEET = f"sheets/{SLUG}/en.md"
ES = f"sheets/{SLUG}/es.md"
ORG = "sheets/_org/org.yaml"
POLICY = "sheets/_org/policy.yaml"
BLOCKS = "sheets/_org/blocks/en.yaml"
CLINIC = "sheets/_org/clinics/eastside.yaml"
CSS = "styles/harborlight/sheet.css"
LINE = 16  # the body's first paragraph, where body() inserts text
HERE = f"{SHEET}:{LINE}"

#: The contact rules each have a test below that breaks them and one that passes.
COVERED = {
    "contact-invisible",
    "contact-digits",
    "contact-display",
    "contact-link-text",
    "contact-confusable",
    "contact-invalid",
    "contact-unknown",
    "contact-hours-prose",
}


def body(markdown: str) -> Callable[[Path], None]:
    return edit(SHEET, "\nA doctor visit", f"\n{markdown}\nA doctor visit")


@dataclass(frozen=True)
class Case:
    id: str
    breaks: Callable[[Path], None]
    line: str
    build: tuple[str, ...] = ("build", SLUG, "--lang", "en", "--jobs", "1")


def case(id, breaks, line, build=None):
    return pytest.param(Case(id, breaks, line, *([build] if build else [])), id=id)


BUILD_ES = ("build", SLUG, "--lang", "es", "--jobs", "1")
BUILD_CLINIC = ("build", SLUG, "--lang", "en", "--jobs", "1", "--imprint", "eastside")

RLO = "\u202e"


def bench(id: str, breaks, lines: tuple[str, ...], build: tuple[str, ...] | None = None):
    """One hostile case: how it breaks the project, the exact error line(s) it must give.

    Every route gives one line, but a translation that changes a number also differs
    from its source: that second line is translation-contacts, on the same line.
    """
    return pytest.param(breaks, lines, build or BUILD_EN, id=id)


BUILD_EN = ("build", SLUG, "--lang", "en", "--jobs", "1")
BENCH = [
    bench(
        "org-display-rlo",
        edit(ORG, "display: 1-877-555-0142", f"display: 1-877-555-{RLO}0142"),
        (
            "sheets/_org/org.yaml:17: error: channels.0.display: display '1-877-555-<U+202E>0142' contains U+202E RIGHT-TO-LEFT OVERRIDE [contact-invisible] (got '1-877-555-\\u202e0142') (hint: delete it: it can make the printed digits differ from the digits dialled)",
        ),
    ),
    bench(
        "org-display-bengali-digit",
        edit(ORG, "display: 1-877-555-0142", "display: 1-\u09ea77-555-0142"),
        (
            "sheets/_org/org.yaml:17: error: channels.0.display: display '1-৪77-555-0142' uses U+09EA BENGALI DIGIT FOUR, not a digit 0-9 [contact-digits] (got '1-৪77-555-0142') (hint: write the display with the digits 0-9; it is printed in every language)",
        ),
    ),
    bench(
        "org-display-other-digits",
        edit(ORG, "display: 1-877-555-0142", "display: 1-877-555-0143"),
        (
            "sheets/_org/org.yaml:17: error: channels.0.display: display '1-877-555-0143' does not show the digits of +18775550142 [contact-display] (got '1-877-555-0143') (hint: the display must show the number's digits, in order, with spaces or hyphens only)",
        ),
    ),
    bench(
        "org-email-cyrillic",
        edit(
            ORG,
            "address: helpline@harborlight.example",
            "address: helpline@h\u0430rborlight.example",
        ),
        (
            "sheets/_org/org.yaml:29: error: channels.1.address: the label 'hаrborlight' of 'helpline@hаrborlight.example' mixes scripts (Latin, Cyrillic): 'а' (U+0430 CYRILLIC SMALL LETTER A, which looks like Latin 'a') [contact-confusable] (got 'helpline@hаrborlight.example') (hint: type the address again in one script; a real address in another script goes in policy.yaml known_contacts)",
        ),
    ),
    bench(
        "clinic-display-rli",
        edit(CLINIC, "display: 1-617-555-0187", "display: 1-617-\u2067555-0187"),
        (
            "sheets/_org/clinics/eastside.yaml:11: error: channels.0.display: display '1-617-<U+2067>555-0187' contains U+2067 RIGHT-TO-LEFT ISOLATE [contact-invisible] (got '1-617-\\u2067555-0187') (hint: delete it: it can make the printed digits differ from the digits dialled)",
        ),
        BUILD_CLINIC,
    ),
    bench(
        "sheet-rlo-in-number",
        body(f"Call 1-877-555-{RLO}0142 today.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: U+202E RIGHT-TO-LEFT OVERRIDE inside the phone number '1-877-555-<U+202E>0142' [contact-invisible] (hint: delete it: it changes the order in which characters are printed, so a reader can see other digits than a link dials)",
        ),
    ),
    bench(
        "sheet-rlo-in-link-text",
        body(f"Call [1-877-555-{RLO}0142](tel:+18775550142).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: U+202E RIGHT-TO-LEFT OVERRIDE inside the phone number '1-877-555-<U+202E>0142' [contact-invisible] (hint: delete it: it changes the order in which characters are printed, so a reader can see other digits than a link dials)",
        ),
    ),
    bench(
        "sheet-bengali-digit",
        body("Call [1-\u09ea77-555-0142](tel:+18775550142).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: '1-৪77-555-0142' mixes Latin digits (latn) and Bengali digits (beng): '৪' is U+09EA BENGALI DIGIT FOUR (value 4) [contact-digits] (hint: type the whole number again with one kind of digit)",
        ),
    ),
    bench(
        "sheet-arabic-indic-digits-in-english",
        body("Call \u0661-\u0668\u0667\u0667-\u0665\u0665\u0665-\u0660\u0661\u0664\u0662.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: '١-٨٧٧-٥٥٥-٠١٤٢' uses U+0661 ARABIC-INDIC DIGIT ONE (value 1), one of the Arabic digits (arab), not of the language 'en' (CLDR numbering systems latn) [contact-digits] (hint: type the number again with the digits of the sheet's language)",
        ),
    ),
    bench(
        "link-text-dials-another-number",
        body("Call [1-877-555-0142](tel:+19005550199).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: link text '1-877-555-0142' reads as the phone number +18775550142, but the link goes to 'tel:+19005550199' [contact-link-text] (hint: make the text show exactly what the link dials or opens)",
        ),
    ),
    bench(
        "link-text-writes-another-address",
        body("Write to [helpline@harborlight.example](mailto:help@evil.example).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: link text 'helpline@harborlight.example' reads as the email address helpline@harborlight.example, but the link goes to 'mailto:help@evil.example' [contact-link-text] (hint: make the text show exactly what the link dials or opens)",
        ),
    ),
    bench(
        "callout-title-javascript",
        edit(SHEET, "::: callout Resources", "::: callout Resources [now](javascript:alert(1))"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:60: error: link scheme 'javascript:' is not allowed ('javascript:alert(1)') [link-scheme] (hint: allowed: https, mailto, tel and sheet:)",
        ),
    ),
    bench(
        "callout-title-file",
        edit(SHEET, "::: callout Resources", "::: callout Resources [now](file:///etc/passwd)"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:60: error: link scheme 'file:' is not allowed ('file:///etc/passwd') [link-scheme] (hint: allowed: https, mailto, tel and sheet:)",
        ),
    ),
    bench(
        "email-cyrillic-letter",
        body("Write to helpline@h\u0430rborlight.example.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: the label 'hаrborlight' of 'helpline@hаrborlight.example' mixes scripts (Latin, Cyrillic): 'а' (U+0430 CYRILLIC SMALL LETTER A, which looks like Latin 'a') [contact-confusable] (hint: this imitates 'harborlight.example': type it in Latin letters)",
        ),
    ),
    bench(
        "domain-whole-script-cyrillic",
        body("See [our site](https://www.\u0430\u0440\u0440\u04cf\u0435.com).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: the label 'аррӏе' of 'www.аррӏе.com' is written in Cyrillic letters that all look like Latin ones ('appie'): 'а' (U+0430 CYRILLIC SMALL LETTER A, which looks like Latin 'a') [contact-confusable] (hint: type the address again in one script; a real address in another script goes in policy.yaml known_contacts)",
        ),
    ),
    bench(
        "unknown-helpline-in-body",
        body("Call the 24-hour line at 1-800-555-0199.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: phone number '1-800-555-0199' is not a declared contact [contact-unknown] (hint: declare it as a channel in org.yaml or a clinic, or list it under known_contacts in policy.yaml with its owner)",
        ),
    ),
    bench(
        "unknown-web-address",
        body("Read more at www.example-health.org.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: web address 'www.example-health.org' is not a declared contact [contact-unknown] (hint: declare it as a channel in org.yaml or a clinic, or list it under known_contacts in policy.yaml with its owner)",
        ),
    ),
    bench(
        "prose-hours-disagree",
        body("The helpline 1-877-555-0142 is open Monday to Friday, 9 a.m. to 7 p.m.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: 'Monday to Friday, 9 a.m. to 7 p.m.' next to helpline (1-877-555-0142) says mon-fri 09:00-19:00, but its hours are mon-thu 09:00-19:00; fri 09:00-18:00 [contact-hours-prose] (hint: write the hours as org.yaml gives them (or change org.yaml, the source of truth))",
        ),
    ),
    bench(
        "zero-width-space",
        body("A visit can feel\u200b rushed.\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: invisible character U+200B ZERO WIDTH SPACE in the text [contact-invisible] (hint: delete it: readers cannot see it, and copied text carries it along)",
        ),
    ),
    bench(
        "bidi-isolate-in-title",
        edit(SHEET, "title: Questions to Ask", "title: Questions\u2066 to Ask"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:3: error: invisible character U+2066 LEFT-TO-RIGHT ISOLATE in the text [contact-invisible] (hint: delete it: it changes the order in which characters are printed; a phrase in another language takes a [..]{lang=xx} span)",
        ),
    ),
    bench(
        "tel-link-cannot-dial",
        body("Call [our line](tel:+1877555).\n"),
        (
            "sheets/questions-to-ask-your-doctor/en.md:16: error: link target: phone number '+1877555' cannot be used: not a valid phone number [contact-invalid] (hint: write the full number with its area code, or the full address)",
        ),
    ),
    bench(
        "block-adds-phone-number",
        edit(
            BLOCKS,
            "Call or write to the Harborlight helpline",
            "Call 1-900-555-0199 or write to the Harborlight helpline",
        ),
        (
            "sheets/_org/blocks/en.yaml:7: error: phone number '1-900-555-0199' is not a declared contact [contact-unknown] (hint: declare it as a channel in org.yaml or a clinic, or list it under known_contacts in policy.yaml with its owner)",
        ),
    ),
    bench(
        "block-link-javascript",
        edit(
            BLOCKS,
            "Call or write to the Harborlight helpline",
            "Call or write to the [Harborlight helpline](javascript:alert(1))",
        ),
        (
            "sheets/_org/blocks/en.yaml:7: error: link scheme 'javascript:' is not allowed ('javascript:alert(1)') [link-scheme] (hint: allowed: https, mailto, tel and sheet:)",
        ),
    ),
    bench(
        "translation-changes-number",
        edit(ES, "[1-877-555-0142](tel:+18775550142)", "[1-877-555-0199](tel:+18775550142)"),
        (
            "sheets/questions-to-ask-your-doctor/es.md:66: error: link text '1-877-555-0199' reads as the phone number +18775550199, but the link goes to 'tel:+18775550142' [contact-link-text] (hint: make the text show exactly what the link dials or opens)",
            "sheets/questions-to-ask-your-doctor/es.md:66: error: unit li-8bc9d477: contacts or links differ: source has link tel:+18775550142, phone +18775550142; translation has link tel:+18775550142, phone +18775550199 (source: sheets/questions-to-ask-your-doctor/en.md:61) [translation-contacts] (hint: copy phone numbers, emails, URLs and link targets exactly)",
        ),
        BUILD_ES,
    ),
    bench(
        "translation-rlo-in-number",
        edit(ES, "[1-877-555-0142]", f"[1-877-{RLO}555-0142]"),
        (
            "sheets/questions-to-ask-your-doctor/es.md:66: error: U+202E RIGHT-TO-LEFT OVERRIDE inside the phone number '1-877-<U+202E>555-0142' [contact-invisible] (hint: delete it: it changes the order in which characters are printed, so a reader can see other digits than a link dials)",
        ),
        BUILD_ES,
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("contacts"))
    for lang in ("en", "es"):
        run_cli(root, "build", SLUG, "--lang", lang, "--jobs", "1", check=True)
    run_cli(root, *BUILD_CLINIC, check=True)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.mark.parametrize("breaks,expected,build", BENCH)
def test_hostile_contact_is_refused(project: Path, breaks, expected, build) -> None:
    before = snapshot(project)
    breaks(project)
    result = run_cli(project, *build)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = tuple(line.strip() for line in result.stderr.splitlines() if ": error: " in line)
    assert errors == expected
    assert all(re.search(r"\[[a-z-]+\]", e) and "(hint: " in e for e in errors)
    assert snapshot(project) == before


# -- each rule broken, and kept ------------------------------------------------------


def _findings(load, root: Path, lang: str = "en", slug: str = SLUG):
    project = load(root)
    return check_contacts(project, project.sheet(slug, lang))


def test_sample_catalog_passes_every_contact_rule(project_dir: Path, load) -> None:
    project = load(project_dir)
    for sheet in project.sheets.values():
        assert check_contacts(project, sheet) == [], sheet.display


def test_unknown_helpline_fails_and_declaring_it_passes(project_dir: Path, load) -> None:
    body("Call the Example Cancer Line at 1-800-555-0199.\n")(project_dir)
    assert [f.rule for f in _findings(load, project_dir)] == ["contact-unknown"]
    with (project_dir / POLICY).open("a", encoding="utf-8") as handle:
        handle.write(
            "known_contacts:\n"
            "  - owner: Example Cancer Line (a national service)\n"
            '    phone: "+18005550199"\n'
        )
    assert _findings(load, project_dir) == []
    # policy.yaml's own entries are checked like a channel
    with (project_dir / POLICY).open("a", encoding="utf-8") as handle:
        handle.write("  - owner: Someone\n    email: a@h\u0430rborlight.example\n")
    with pytest.raises(Exception, match=r"contact-confusable"):
        load(project_dir)


def test_known_web_site_is_declared_by_host(project_dir: Path, load) -> None:
    body("Read more at www.example-health.org/topics.\n")(project_dir)
    assert [f.rule for f in _findings(load, project_dir)] == ["contact-unknown"]
    with (project_dir / POLICY).open("a", encoding="utf-8") as handle:
        handle.write(
            "known_contacts:\n  - owner: Example Health\n    web: https://www.example-health.org\n"
        )
    assert _findings(load, project_dir) == []


def test_invisible_characters_kept_where_a_script_needs_them() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a Persian word
    hindi = "\u0915\u094d\u200d\u0937"  # ZWJ inside a Devanagari conjunct
    assert cx.stray_invisibles(persian) == []
    assert cx.stray_invisibles(hindi) == []
    assert cx.stray_invisibles("\u200fنص", rtl=True) == []  # RLM in right-to-left prose
    assert [i.char for i in cx.stray_invisibles("a\u200cb")] == ["\u200c"]  # Latin needs none
    assert [i.char for i in cx.stray_invisibles("x\u202ey")] == ["\u202e"]
    assert [i.char for i in cx.stray_invisibles("\u200fنص")] == ["\u200f"]  # not in LTR text
    assert [i.char for i in cx.stray_invisibles("tag\U000e0041")] == ["\U000e0041"]
    number = "1-877-\u00ad555-0142"  # a soft hyphen is fine in prose, never in a number
    found = cx.find_contacts(number, "US")
    assert [i.char for i in cx.stray_invisibles(number, contacts=found)] == ["\u00ad"]


@pytest.mark.parametrize(
    "text,lang,bad",
    [
        ("Call 1-877-555-0142", "en", False),
        ("\u0627\u062a\u0635\u0644 \u0661\u0662\u0663", "ar", False),  # Arabic-Indic in Arabic
        ("\u0968\u0966\u0968\u0966", "hi", False),  # Devanagari in Hindi (native)
        ("\u06f1\u06f2\u06f3", "fa", False),  # extended Arabic-Indic in Persian
        ("1-\u09ea77-555-0142", "en", True),  # Bengali 4 that looks like 8
        ("\u0661\u0662\u0663", "en", True),
        ("1-877-\u0665\u0665\u0665-0142", "ar", True),  # mixed, even where both are allowed
        ("\U0001d7cf\U0001d7d0", "en", True),  # mathematical bold digits
    ],
)
def test_digits(text: str, lang: str, bad: bool) -> None:
    assert bool(cx.digit_problems(text, lang)) is bad


def test_display_digits_are_compared_without_folding() -> None:
    hours = {
        "timezone": "America/New_York",
        "open": [{"days": "mon", "from": "09:00", "to": "17:00"}],
    }
    good = {"id": "x", "kind": "phone", "number": "+18775550142", "hours": hours}
    Channel.model_validate({**good, "display": "(877) 555-0142".replace("(", "1 (")})
    for display, rule in [
        ("1-877-555-0143", "contact-display"),
        ("1-\u09ea77-555-0142", "contact-digits"),  # never folded to 4 or 8
        ("1-877-555-\u202e0142", "contact-invisible"),
    ]:
        with pytest.raises(Exception, match=rule):
            Channel.model_validate({**good, "display": display})
    assert cx.exact_digits("1-\u09ea77") != cx.exact_digits("1-877")


def test_link_text(project_dir: Path, load) -> None:
    body("Call [1-877-555-0142](tel:+18775550142) or [our helpline](tel:+18775550142).\n")(
        project_dir
    )
    assert _findings(load, project_dir) == []
    body("See [www.harborlight.example](https://www.harborlight.example/other).\n")(project_dir)
    assert [f.rule for f in _findings(load, project_dir)] == ["contact-link-text"]


@pytest.mark.parametrize(
    "address,bad",
    [
        ("helpline@harborlight.example", False),
        ("\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", False),  # a real Cyrillic domain
        ("\u65e5\u672c\u8a9e.jp", False),
        ("m\u00fcnchen.example", False),  # Latin with a diacritic is one script
        ("h\u0430rborlight.example", True),  # Cyrillic a among Latin
        ("www.\u0430\u0440\u0440\u04cf\u0435.com", True),  # whole-script confusable
        ("\u0440\u0430ypal@example.com", True),  # local part in look-alike Cyrillic
    ],
)
def test_confusable(address: str, bad: bool) -> None:
    found = check_address(address, {"harborlight.example"})
    assert (found is not None) is bad, found


def test_imitation_is_named() -> None:
    found = check_address("h\u0430rborlight.example", {"harborlight.example"})
    assert "imitates 'harborlight.example'" in found.hint


def test_invalid(project_dir: Path, load) -> None:
    body("Call [our line](tel:+18775550142) today.\n")(project_dir)
    assert _findings(load, project_dir) == []
    body("Call [our line](tel:+1877555) today.\n")(project_dir)
    assert [f.rule for f in _findings(load, project_dir)] == ["contact-invalid"]


def _prose(lang: str, hours: list[str]) -> str:
    """The helpline's number followed by hours lines, as a sentence in any language."""
    return "1-877-555-0142: " + "; ".join(hours) + "."


@pytest.mark.parametrize("lang", ["en", "es", "zh-Hans", "vi", "ar", "ko", "ru", "tl"])
def test_prose_hours_in_every_sample_language(lang: str, load) -> None:
    """The hours as the help box prints them (CLDR) agree; moved by an hour they do not."""
    from conftest import ROOT

    project = load(ROOT)
    helpline = project.org.channels[0]
    labels = project.blocks[lang].labels
    channels = {"+18775550142": helpline}
    printed = format_hours(helpline.hours, labels, lang)
    claims = stated_hours(_prose(lang, printed), lang, "US", channels)
    assert len(claims) == len(helpline.hours.open) and all(c.agrees for c in claims), claims
    later = helpline.model_copy(
        update={
            "hours": helpline.hours.model_copy(
                update={
                    "open": [
                        s.model_copy(update={"closes": s.closes.replace(hour=s.closes.hour + 1)})
                        for s in helpline.hours.open
                    ]
                }
            )
        }
    )
    wrong = format_hours(later.hours, labels, lang)
    claims = stated_hours(_prose(lang, wrong), lang, "US", channels)
    assert claims and not any(c.agrees for c in claims), claims


@pytest.mark.parametrize(
    "lang,text,agrees",
    [
        ("en", "Call 1-877-555-0142, Monday to Thursday 9 a.m. to 7 p.m., Friday 9 to 6.", True),
        ("en", "Call 1-877-555-0142, Monday to Friday 9 a.m. to 7 p.m.", False),
        ("es", "Llame al 1-877-555-0142 de lunes a jueves, de 9:00 a 19:00.", True),
        ("es", "Llame al 1-877-555-0142 de lunes a jueves, de 9:00 a 20:00.", False),
        ("ru", "Звоните 1-877-555-0142 с понедельника по четверг с 9:00 до 19:00.", True),
        ("ru", "Звоните 1-877-555-0142 с понедельника по пятницу с 9:00 до 19:00.", False),
        ("zh-Hans", "请拨打1-877-555-0142，周一至周四上午9点至下午7点。", True),
        ("zh-Hans", "请拨打1-877-555-0142，周一至周四上午9点至下午8点。", False),
        ("ko", "1-877-555-0142로 전화하세요. 월요일~목요일 오전 9시부터 오후 7시까지.", True),
        ("ko", "1-877-555-0142로 전화하세요. 월요일~금요일 오전 9시부터 오후 7시까지.", False),
        ("vi", "Gọi 1-877-555-0142 từ Thứ Hai đến Thứ Năm, 9:00–19:00.", True),
        ("vi", "Gọi 1-877-555-0142 từ Thứ Hai đến Thứ Sáu, 9:00–19:00.", False),
        (
            "ar",
            "اتصل على 1-877-555-0142 من الاثنين إلى الخميس، 9:00–19:00، والجمعة 9:00–18:00.",
            True,
        ),
        ("ar", "اتصل على 1-877-555-0142 من الاثنين إلى الخميس، 19:00–9:00.", False),
        (
            "tl",
            "Tumawag sa 1-877-555-0142, Lunes hanggang Huwebes, 9:00 AM hanggang 7:00 PM.",
            True,
        ),
        (
            "tl",
            "Tumawag sa 1-877-555-0142, Lunes hanggang Biyernes, 9:00 AM hanggang 7:00 PM.",
            False,
        ),
    ],
)
def test_prose_hours_written_by_hand(lang: str, text: str, agrees: bool, load) -> None:
    from conftest import ROOT

    helpline = load(ROOT).org.channels[0]
    claims = stated_hours(text, lang, "US", {"+18775550142": helpline})
    assert claims and all(c.agrees for c in claims) is agrees, claims


def test_no_hours_claim_without_a_channel_or_a_time(load) -> None:
    from conftest import ROOT

    helpline = load(ROOT).org.channels[0]
    channels = {"+18775550142": helpline}
    assert stated_hours("Open Monday to Friday, 9 a.m. to 5 p.m.", "en", "US", channels) == []
    text = "Call 1-877-555-0142 if a symptom lasts 2 to 3 weeks."
    assert stated_hours(text, "en", "US", channels) == []


def test_translation_numbers_do_not_fold_look_alike_digits() -> None:
    from pipeline.checks.translation import contacts, numbers

    assert numbers("168,000", "en") != numbers("1\u09ec8,000", "es")  # Bengali 6
    assert numbers("168,000", "en") == numbers("168.000", "es")
    assert numbers("168,000", "en") == numbers("\u0661\u0666\u0668\u066c\u0660\u0660\u0660", "ar")
    source = contacts("[1-877-555-0142](tel:+18775550142)", "en", "US")
    assert source == contacts("[1-877-555-0142](tel:+18775550142)", "es", "US")
    assert source != contacts("[1-\u09ea77-555-0142](tel:+18775550142)", "es", "US")


# -- the PDF: what is drawn, and what links do -------------------------------------------


def _pdf(root: Path, lang: str = "en") -> Path:
    return root / "output" / lang / f"{SLUG}.pdf"


def test_sample_pdfs_show_the_helpline_and_do_not_overflow(built: Path, load) -> None:
    from pipeline.checks.pdf_links import check_pdf_links
    from pipeline.checks.visible import check_overflow, check_visible
    from pipeline.source.texts import sheet_texts

    project = load(built)
    for lang in ("en", "es"):
        pdf = ReadPdf(_pdf(built, lang).read_bytes())
        sheet = project.sheet(SLUG, lang)
        assert check_visible(pdf, sheet_texts(project, sheet), "x.pdf") == []
        assert check_overflow(pdf, sheet, "x.pdf") == []
        assert check_pdf_links(pdf, project, "x.pdf") == []
    assert ReadPdf(_pdf(built).read_bytes()).reader.pages[0].artbox[0] > 30  # the margins


@pytest.mark.parametrize(
    "css,words",
    [
        (".help { position: relative; top: 30in; }", "outside the page's content area"),
        (".help .hours { height: 1pt; overflow: hidden; }", "cut off by the box"),
        (
            ".help::after { content: ''; position: absolute; left: 0; right: 0; top: 0; bottom: 0;"
            " background: var(--color-help); }",
            "painted over",
        ),
        (".help .hours { font-size: 2pt; }", "too small to read"),
        # Drawn, in the content area, uncovered, but not seen: colour against what is under it
        (".help, .help * { color: #fff !important; }", "too little contrast"),
        (
            ".help { background: #0b3d5c !important; } "
            ".help, .help * { color: #0b3d5c !important; }",
            "too little contrast",
        ),
        (".help * { color: transparent !important; }", "too little contrast"),
        (".help * { color: rgba(0, 0, 0, 0.05) !important; }", "too little contrast"),
        (".help .hours { color: #c8c8c8 !important; }", "(1.5:1, 4.5:1 needed)"),
    ],
)
def test_help_block_hidden_by_css_fails(project: Path, css: str, words: str) -> None:
    (project / CSS).write_text(
        (project / CSS).read_text() + "\n.help { position: relative; }\n" + css + "\n"
    )
    before = snapshot(project)
    result = run_cli(project, "build", SLUG, "--lang", "en", "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert "[pdf-contact-visible]" in result.stderr and words in result.stderr, result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "css,slug,lang,words",
    [
        (".disclaimer { color: #fff !important; }", SLUG, "en", "the disclaimer ("),
        (".review { color: #fdfdfd !important; }", SLUG, "en", "the next review ('Next review due"),
        (".ident { font-size: 1pt !important; }", SLUG, "en", "the sheet id ('Sheet HL-"),
        # right to left: the words are found in the glyphs' visual order
        (
            ".disclaimer { color: #fff !important; }",
            "metastatic-breast-cancer",
            "ar",
            "the disclaimer",
        ),
        (
            ".review { color: #fff !important; }",
            "metastatic-breast-cancer",
            "ar",
            "the review date",
        ),
    ],
)
def test_a_compliance_block_hidden_by_css_fails(
    project: Path, css: str, slug: str, lang: str, words: str
) -> None:
    """Present in the text layer is not enough: the footer must be seen on paper."""
    (project / CSS).write_text((project / CSS).read_text() + "\n.sheet-footer " + css + "\n")
    result = run_cli(project, "build", slug, "--lang", lang, "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert "[pdf-required-visible]" in result.stderr and words in result.stderr, result.stderr


def test_light_text_on_a_dark_help_box_is_visible(project: Path) -> None:
    """The contrast is taken against the fill under the text, not the page."""
    (project / CSS).write_text(
        (project / CSS).read_text()
        + "\n.help { background: #0b3d5c !important; } .help, .help * { color: #fff !important; }\n"
    )
    result = run_cli(project, "build", SLUG, "--lang", "en", "--jobs", "1")
    assert result.returncode == 0, result.stderr


def test_overflowing_word_names_its_source_line(project: Path) -> None:
    body("See " + "x" * 160 + " for details.\n")(project)
    result = run_cli(project, "build", SLUG, "--lang", "en", "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert f"{HERE}: error: " in result.stderr and "[layout-overflow]" in result.stderr, (
        result.stderr
    )


def test_a_live_javascript_link_in_a_pdf_is_refused(built: Path, load, tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    from pipeline.checks.pdf_links import check_pdf_links

    writer = PdfWriter(clone_from=str(_pdf(built)))
    link = next(
        a.get_object()
        for a in writer.pages[0]["/Annots"]
        if str(a.get_object()["/A"].get("/URI", "")).startswith("tel:")
    )
    link["/A"][NameObject("/URI")] = TextStringObject("javascript:alert(1)")
    path = tmp_path / "bad.pdf"
    writer.write(path)
    found = check_pdf_links(ReadPdf(path.read_bytes()), load(built), "bad.pdf")
    assert [f.rule for f in found] == ["pdf-link"]
    link["/A"][NameObject("/URI")] = TextStringObject("tel:+19005550199")
    writer.write(path)
    found = check_pdf_links(ReadPdf(path.read_bytes()), load(built), "bad.pdf")
    assert [f.rule for f in found] == ["pdf-link"] and "not a declared contact" in found[0].message


def test_callout_title_link_never_becomes_a_live_annotation(project_dir: Path, load) -> None:
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    edit(SHEET, "::: callout Resources", "::: callout Resources [now](javascript:alert(1))")(
        project_dir
    )
    project = load(project_dir)
    sheet = project.sheet(SLUG, "en")
    assert "javascript:" not in sheet.body.html
    pdf = ReadPdf(render_sheet(project, sheet, Options()).pdf)
    uris = [
        str(a.get_object().get("/A", {}).get("/URI", ""))
        for page in pdf.reader.pages
        for a in page.get("/Annots", []) or []
    ]
    assert uris and not any(u.startswith("javascript:") for u in uris)
