# ruff: noqa: E501  (the bench holds exact error lines, one per row)
"""Contacts written the way people write them in prose: numbers spelt with letters
("1-800-HARBOR-9") and web addresses without https:// or www. ("harborhelp.org").

Each class is found, normalised and judged by the same rules as any contact
(contact-unknown, contact-link-text, contact-confusable, contact-invalid,
contact-invisible), wherever a user writes text; and ordinary prose in every
sample language, with its gene names, stages, dates, abbreviations and file
names, is not taken for one. The bench at the end runs `factsheet check` as a
hostile user would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_project, run_cli
from test_bad_inputs import edit

from pipeline.checks.contacts import check_contacts
from pipeline.source import contacts as cx

MBC = "sheets/metastatic-breast-cancer"
SHEET = f"{MBC}/en.md"
ES = f"{MBC}/es.md"
ZH = f"{MBC}/zh-Hans.md"
BLOCKS = "sheets/_org/blocks/en.yaml"
POLICY = "sheets/_org/policy.yaml"
ANCHOR = "Doctors also call it stage IV breast cancer."
LINE = 18  # the line of ANCHOR in SHEET


def prose(text: str, rel: str = SHEET, anchor: str = ANCHOR):
    """Append ``text`` to one sentence of a sheet (or another file)."""
    return edit(rel, anchor, f"{anchor} {text}")


def rules(load, root: Path, lang: str = "en") -> list[str]:
    project = load(root)
    return [
        f.rule for f in check_contacts(project, project.sheet("metastatic-breast-cancer", lang))
    ]


def _found(text: str, region: str | None = "US") -> list[tuple[str, str, str | None]]:
    return [(c.kind, c.raw, c.value) for c in cx.find_contacts(text, region)]


# -- numbers spelt with letters --------------------------------------------------------


@pytest.mark.parametrize(
    "text,raw,value",
    [
        ("Call 1-800-HARBOR-9 for help.", "1-800-HARBOR-9", "+18004272679"),
        ("Call 1-877-555-HELP today.", "1-877-555-HELP", "+18775554357"),
        ("Phone (877) HARBOR-1.", "(877) HARBOR-1", "+18774272671"),
        ("Ring +1 800 FLOWERS now.", "+1 800 FLOWERS", "+18003569377"),
        ("Ring 1 800 FLOWERS now.", "1 800 FLOWERS", "+18003569377"),
        ("Call 1-800-4-CANCER.", "1-800-4-CANCER", "+18004226237"),  # digits among letters
        ("Call Komen (1-877 GO KOMEN) today.", "1-877 GO KOMEN", "+18774656636"),
        ("Call 800-FLOWERS.", "800-FLOWERS", "+18003569377"),
        ("Call 1-800-Flowers.", "1-800-Flowers", "+18003569377"),  # mixed case, hyphenated
        ("Call 1.877.555.HELP.", "1.877.555.HELP", "+18775554357"),
        ("Call 877-555-HELP.", "877-555-HELP", "+18775554357"),
        ("Call +1 (877) HARBOR-1.", "+1 (877) HARBOR-1", "+18774272671"),
        ("CALL 1-800-HARBOR-9 NOW", "1-800-HARBOR-9", "+18004272679"),  # the next word is not in it
        ("Call 1\u2011800\u2011HARBOR\u20119.", "1\u2011800\u2011HARBOR\u20119", "+18004272679"),
        ("Call 1\u2013800\u2013HARBOR\u20139.", "1\u2013800\u2013HARBOR\u20139", "+18004272679"),
        ("Call 1-800-HAR-BOR-9.", "1-800-HAR-BOR-9", "+18004272679"),
        ("Call 1/800/HARBOR/9.", "1/800/HARBOR/9", "+18004272679"),
        ("Call 1-800-HARBOR9.", "1-800-HARBOR9", "+18004272679"),
        ("Llame al 1-800-HARBOR-9 hoy.", "1-800-HARBOR-9", "+18004272679"),
        ("请拨打1-800-HARBOR-9。", "1-800-HARBOR-9", "+18004272679"),
    ],
)
def test_vanity_number_is_found_and_read_as_e164(text: str, raw: str, value: str) -> None:
    assert _found(text) == [("phone", raw, value)]


@pytest.mark.parametrize(
    "text",
    [
        # gene and marker names, stages, counts, doses and dates next to capitals
        "HER2-positive and HR-negative tumours; PIK3CA, BRCA1/2 and CDK4/6 inhibitors.",
        "Doctors also call it stage IV breast cancer (T2 N1 M0), Ki-67 above 20%.",
        "COVID-19 vaccines are safe during 5-FU or AC-T chemotherapy.",
        "In 2024 UPDATE: 100 PATIENTS, 500 PATIENT VISITS, 10-12 WEEKS, 3-4 TIMES DAILY.",
        "TAKE 1-2 WEEKS OR MORE. 1 in 8 WOMEN. 168,000 WOMEN. 1 234 567 PATIENTS.",
        "Reviewed 2024-03-06, version 3.0.1 RC, ISBN 978-0-306-40615-7, ISO 32000-1 PART 2.",
        "UPDATED 2024-03-06 FROM NCI; 06.03.2026 UPDATED; Room 101 HELP; 24/7 HELP.",
        "24/7 HELP, 1/2 TABLET, 3/6/2026 UPDATE, 12/25 MEDS, BRCA1/2 TEST.",
        "Tumour markers CA 15-3 and CA 27-29 TEST; ICD-10 C50.9; dose 2.5 MG DAILY; 300 MG BID.",
        "Call 1-877-555-0142 NOW.",  # a whole number, then a word: the number alone
        # other languages of the catalog
        "Cáncer de mama HER2 positivo en estadio IV; 1-2 SEMANAS; COVID-19.",
        "Ung thư vú giai đoạn IV, HER2 dương tính; 10-12 TUẦN; TP.HCM.",
        "Рак молочной железы IV стадии; звоните 8-800-555-01-42 ПН–ПТ; 10-12 НЕДЕЛЬ.",
        "HER2阳性乳腺癌IV期，2020年的数据；10-12周。",
        "سرطان الثدي في المرحلة الرابعة HER2 إيجابي؛ COVID-19.",
        "HER2 양성 유방암 4기; 10-12 주; COVID-19.",
        "Kanser sa suso sa stage IV, HER2-positive; 10-12 LINGGO.",
    ],
)
def test_prose_is_not_taken_for_a_vanity_number(text: str) -> None:
    found = _found(text)
    assert found in ([], [("phone", "1-877-555-0142", "+18775550142")]), found


@pytest.mark.parametrize(
    "text",
    [
        "2 500 000 patients",  # French, Russian: spaces
        "2\u202f500\u202f000 patientes",  # narrow no-break space
        "2.500.000 mujeres",  # Spanish, Vietnamese: full stops
        "1 234 567 PATIENTS",
        "2'500'000 Patientinnen",  # Swiss German
    ],
)
def test_counts_grouped_in_thousands_are_not_phone_numbers(text: str) -> None:
    assert _found(text) == []


def test_a_number_that_dials_is_found_whatever_its_grouping() -> None:
    assert _found("Llame al 612 345 678.", "ES") == [("phone", "612 345 678", "+34612345678")]
    assert [c.flaw for c in cx.find_contacts("Call 1-877-555-014.", "US")] == ["invalid"]


def test_sample_sheets_and_blocks_have_no_vanity_number_or_bare_domain(load) -> None:
    from conftest import ROOT

    from pipeline.source.markdown import plain_text

    project = load(ROOT)
    texts = [unit.text for sheet in project.sheets.values() for unit in sheet.body.units]
    texts += [
        str(getattr(blocks, name))
        for blocks in project.blocks.values()
        for name in ("disclaimer", "helpline_intro", "language_assistance", "review_note")
    ]
    declared = {"+18775550142", "helpline@harborlight.example"}
    for text in texts:
        for item in cx.find_contacts(plain_text(text), "US"):
            assert item.value in declared, (item, text)


def test_unknown_vanity_number_fails_and_declaring_it_passes(project_dir: Path, load) -> None:
    prose("Call 1-800-HARBOR-9 for help.")(project_dir)
    assert rules(load, project_dir) == ["contact-unknown"]
    with (project_dir / POLICY).open("a", encoding="utf-8") as handle:
        handle.write(
            'known_contacts:\n  - owner: Harbor Line (a partner)\n    phone: "+18004272679"\n'
        )
    assert rules(load, project_dir) == []


@pytest.mark.parametrize(
    "written",
    ["1-877-JKL-0142", "1-877-555-01IB", "(877) JKL-0142", "(877) 555-0142", "1-877-555-0142"],
)
def test_letters_for_the_helplines_digits_are_the_helpline(
    project_dir: Path, load, written: str
) -> None:
    """+18775550142 spelt with letters on the same keys is the declared helpline."""
    prose(f"Call {written} for help.")(project_dir)
    assert rules(load, project_dir) == []


@pytest.mark.parametrize(
    "text,rule",
    [
        ("Call [1-800-HARBOR-9](tel:+18775550142).", "contact-link-text"),
        ("Call 1-800-MATTRESS.", "contact-invalid"),  # spells more digits than a number has
        ("Call 1-800-H\u0410RBOR-9.", "contact-confusable"),  # Cyrillic А
        ("Call 1-800-HAR\u200bBOR-9.", "contact-invisible"),
    ],
)
def test_vanity_number_takes_every_rule(project_dir: Path, load, text: str, rule: str) -> None:
    prose(text)(project_dir)
    assert rules(load, project_dir) == [rule]


def test_link_text_spelt_with_letters_that_dials_its_own_number_passes(
    project_dir: Path, load
) -> None:
    prose("Call [1-877-JKL-0142](tel:+18775550142).")(project_dir)
    assert rules(load, project_dir) == []


ORG = "sheets/_org/org.yaml"


def test_a_channel_may_display_its_number_spelt_with_letters(project_dir: Path, load) -> None:
    """org.yaml's display "1-877-JKL-0142" is +18775550142 on a keypad: accepted, and
    the prose that writes either form is the helpline."""
    edit(ORG, "display: 1-877-555-0142", "display: 1-877-JKL-0142")(project_dir)
    prose("Call 1-877-JKL-0142 or 1-877-555-0142.")(project_dir)
    assert rules(load, project_dir) == []


@pytest.mark.parametrize(
    "display,rule",
    [
        ("1-800-HARBOR-9", "contact-display"),  # letters that dial another number
        ("1-877-J\u0410L-0142", "contact-confusable"),  # Cyrillic А on a keypad
    ],
)
def test_a_spelt_display_must_dial_the_number(
    project_dir: Path, load, display: str, rule: str
) -> None:
    edit(ORG, "display: 1-877-555-0142", f"display: {display}")(project_dir)
    with pytest.raises(Exception, match=rule):
        load(project_dir)


# -- web addresses without a scheme ---------------------------------------------------


@pytest.mark.parametrize(
    "text,raw,host",
    [
        (
            "See harborhelp.example.org for more.",
            "harborhelp.example.org",
            "harborhelp.example.org",
        ),
        ("go to cancer-help.info/resources.", "cancer-help.info/resources", "cancer-help.info"),
        ("VISIT HARBORHELP.ORG TODAY", "HARBORHELP.ORG", "harborhelp.org"),
        ("Visit HarborHelp.org or not.", "HarborHelp.org", "harborhelp.org"),
        ("Visit harborhelp.ORG or not.", "harborhelp.ORG", "harborhelp.org"),
        ("The `harborhelp.org` site.", "harborhelp.org", "harborhelp.org"),
        ("harborhelp.org's pages", "harborhelp.org", "harborhelp.org"),
        ("(harborhelp.org)", "harborhelp.org", "harborhelp.org"),
        ("Short: t.co/abc.", "t.co/abc", "t.co"),
        ("A file host: harbor.md/help.", "harbor.md/help", "harbor.md"),  # a path: an address
        ("Sitio: пример.рф.", "пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("请访问harborhelp.org了解更多。", "harborhelp.org", "harborhelp.org"),
        ("网站harborlight.example。谢谢", "harborlight.example", "harborlight.example"),
        ("Type harborhelp\u3002org.", "harborhelp\u3002org", "harborhelp.org"),  # ideographic dot
        ("\uff48\uff41\uff52\uff42\uff4f\uff52\uff0e\uff4f\uff52\uff47", None, "harbor.org"),
        ("Rendez-vous sur harbor.test/aide.", "harbor.test/aide", "harbor.test"),
    ],
)
def test_bare_domain_is_found(text: str, raw: str | None, host: str) -> None:
    found = cx.find_contacts(text, "US")
    assert [(c.kind, c.host) for c in found] == [("web", host)]
    assert raw is None or found[0].raw == raw


@pytest.mark.parametrize(
    "text",
    [
        "See report.pdf, image.png, the notes in en.md and notes.zip.",
        "Run build.py on data.csv; open photo.jpg, slides.pptx and a.md.",
        "Abbreviations: e.g. i.e. a.m. p.m. U.S. Ph.D. etc. vs.placebo No.5 St.Jude fig.2",
        "Decimals and versions: 3.5 mg, 1.000,5, v1.2.3, Python 3.11, Node.js.",
        "Dr.Smith said so.It was fine.Then we left.",  # no space after a full stop
        "She wrote to helpline@harborlight.example and read https://www.harborlight.example.",
        "Sheets live in sheets/metastatic-breast-cancer/en.md.",
        "Spanish p. ej. EE.UU.; German z.B. d.h. u.a.; Russian т.е. т.д. г.Москва; Vietnamese TP.HCM.",
        "公司。公司成立于2020年。在线。",  # Chinese full stops between words
        "e.g.in the clinic, i.e.it helps.",
    ],
)
def test_prose_is_not_taken_for_a_web_address(text: str) -> None:
    found = [
        c for c in cx.find_contacts(text, "US") if c.kind == "web" and "harborlight" not in c.raw
    ]
    assert found == [], found


def test_unknown_bare_domain_fails_and_declaring_it_passes(project_dir: Path, load) -> None:
    prose("See harborhelp.example.org for more.")(project_dir)
    assert rules(load, project_dir) == ["contact-unknown"]
    with (project_dir / POLICY).open("a", encoding="utf-8") as handle:
        handle.write("known_contacts:\n  - owner: Example\n    web: https://www.example.org\n")
    assert rules(load, project_dir) == []  # one registrable domain, one owner


@pytest.mark.parametrize(
    "text",
    [
        "Visit harborlight.example for more.",  # the organisation's site, without www.
        "Visit harborlight.example/factsheets/.",
        "Visit HARBORLIGHT.EXAMPLE.",
        "See [harborlight.example](https://www.harborlight.example).",
        "See [harborlight.example/factsheets](https://www.harborlight.example/factsheets).",
    ],
)
def test_the_organisations_own_site_passes(project_dir: Path, load, text: str) -> None:
    prose(text)(project_dir)
    assert rules(load, project_dir) == []


@pytest.mark.parametrize(
    "text,rule",
    [
        ("Visit h\u0430rborlight.example today.", "contact-confusable"),  # Cyrillic а
        ("See [harborlight.example](https://evil.example).", "contact-link-text"),
        ("See [harborhelp.org](https://www.harborlight.example).", "contact-link-text"),
        ("Visit cancer-help.info/resources.", "contact-unknown"),
        ("Visit harbor\u200blight.example.", "contact-invisible"),
    ],
)
def test_bare_domain_takes_every_rule(project_dir: Path, load, text: str, rule: str) -> None:
    prose(text)(project_dir)
    assert rules(load, project_dir) == [rule]


# -- every place a user writes text ---------------------------------------------------


@pytest.mark.parametrize("text", ["Call 1-800-HARBOR-9.", "See harborhelp.example.org."])
@pytest.mark.parametrize(
    "where",
    [
        ("callout title", SHEET, "::: callout Resources", "::: callout Resources {text}", "en"),
        ("summary", SHEET, "summary: A plain-language", "summary: {text} A plain-language", "en"),
        ("translation", ES, "\n## ", "\n{text}\n\n## ", "es"),
        ("Chinese translation", ZH, "\n## ", "\n{text}\n\n## ", "zh-Hans"),
        ("shared block", BLOCKS, "Call or write to", "{text} Call or write to", "en"),
        ("label", BLOCKS, 'help_title: "Talk with us"', 'help_title: "Talk with us. {text}"', "en"),
    ],
    ids=lambda w: w[0] if isinstance(w, tuple) else w,
)
def test_found_wherever_text_is_written(project_dir: Path, load, where, text: str) -> None:
    _, rel, old, new, lang = where
    edit(rel, old, new.format(text=text))(project_dir)
    assert "contact-unknown" in rules(load, project_dir, lang)


def test_a_translation_must_keep_spelt_numbers_and_bare_addresses() -> None:
    """translation-contacts compares them like any contact, by value."""
    from pipeline.checks.translation import contacts, numbers

    source = contacts("Call 1-800-HARBOR-9 or visit harborhelp.org.", "en", "US")
    assert source == {"phone +18004272679": 1, "url https://harborhelp.org": 1}
    assert contacts("Llame al 1-800-427-2679 o visite HARBORHELP.ORG.", "es", "US") == source
    changed = contacts("Llame al 1-800-HARBOR-8 o visite harborhe1p.org.", "es", "US")
    assert changed != source
    # their digits are the contact's, not numbers a translation must repeat
    assert numbers("Call 1-800-HARBOR-9 or cancer-help.info/2024.", "en", "US") == {}


# -- the bench: `factsheet check` as a hostile user runs it --------------------------------

HERE = f"{SHEET}:{LINE}"
UNKNOWN_HINT = "(hint: declare it as a channel in org.yaml or a clinic, or list it under known_contacts in policy.yaml with its owner)"
BENCH = [
    (
        "Call 1-800-HARBOR-9 for help.",
        f"{HERE}: error: phone number '1-800-HARBOR-9' is not a declared contact [contact-unknown] {UNKNOWN_HINT}",
    ),
    (
        "Call 1-877-555-HELP.",
        f"{HERE}: error: phone number '1-877-555-HELP' is not a declared contact [contact-unknown] (hint: did you mean +18775550142 (org.yaml channel 'helpline')? else declare it as a channel in org.yaml or a clinic, or list it under known_contacts in policy.yaml with its owner)",
    ),
    (
        "Call (877) HARBOR-1.",
        f"{HERE}: error: phone number '(877) HARBOR-1' is not a declared contact [contact-unknown] {UNKNOWN_HINT}",
    ),
    (
        "Ring +1 800 FLOWERS.",
        f"{HERE}: error: phone number '+1 800 FLOWERS' is not a declared contact [contact-unknown] {UNKNOWN_HINT}",
    ),
    (
        "Call 1-800-MATTRESS.",
        f"{HERE}: error: phone number '1-800-MATTRESS' cannot be used: its letters spell 180062887377, not a valid phone number [contact-invalid] (hint: write the full number with its area code, or the full address)",
    ),
    (
        "Call 1-800-H\u0410RBOR-9.",
        f"{HERE}: error: phone number '1-800-H\u0410RBOR-9' is spelt with '\u0410' (U+0410 CYRILLIC CAPITAL LETTER A, which looks like Latin 'a'): a phone's keys carry the Latin letters A-Z (ITU-T E.161) [contact-confusable] (hint: type its letters again in Latin capitals A-Z, or print the digits)",
    ),
    (
        "Call [1-800-HARBOR-9](tel:+18775550142).",
        f"{HERE}: error: link text '1-800-HARBOR-9' reads as the phone number +18004272679, but the link goes to 'tel:+18775550142' [contact-link-text] (hint: make the text show exactly what the link dials or opens)",
    ),
    (
        "See harborhelp.example.org for more.",
        f"{HERE}: error: web address 'harborhelp.example.org' is not a declared contact [contact-unknown] {UNKNOWN_HINT}",
    ),
    (
        "Go to cancer-help.info/resources.",
        f"{HERE}: error: web address 'cancer-help.info/resources' is not a declared contact [contact-unknown] {UNKNOWN_HINT}",
    ),
    (
        "Visit h\u0430rborlight.example.",
        f"{HERE}: error: the label 'h\u0430rborlight' of 'h\u0430rborlight.example' mixes scripts (Latin, Cyrillic): '\u0430' (U+0430 CYRILLIC SMALL LETTER A, which looks like Latin 'a') [contact-confusable] (hint: this imitates 'harborlight.example': type it in Latin letters)",
    ),
    (
        "See [harborlight.example](https://evil.example).",
        f"{HERE}: error: link text 'harborlight.example' reads as the web address https://harborlight.example, but the link goes to 'https://evil.example' [contact-link-text] (hint: make the text show exactly what the link dials or opens)",
    ),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("prose-contacts"))


@pytest.mark.parametrize("text,expected", BENCH, ids=[row[0] for row in BENCH])
def test_hostile_prose_contact_is_refused(
    pristine: Path, tmp_path: Path, text: str, expected: str
) -> None:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(pristine, root)
    prose(text)(root)
    result = run_cli(root, "check", SHEET, "--no-pdf")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [
        line.strip() for line in (result.stdout + result.stderr).splitlines() if ": error: " in line
    ]
    assert errors == [expected]
    assert re.search(r"\[contact-[a-z-]+\]", errors[0])


def test_sample_catalog_checks_clean(pristine: Path) -> None:
    result = run_cli(pristine, "check", "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stdout + result.stderr
