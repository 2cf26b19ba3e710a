"""Source findings kept between runs (pipeline/checks/findingcache.py): never stale.

Each case changes one input the source rules read, after a run that filled
the cache, and asserts that the findings of every sheet then equal a run on
an empty cache, and that they changed (so the case proves something). A warm
cache must give exactly a cold run's findings, and must be used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from test_checks_source import edit

from pipeline.checks import gate
from pipeline.checks.findingcache import FindingCache, code_digest, findings_key
from pipeline.checks.gate import source_findings
from pipeline.checks.registry import Finding
from pipeline.source.loader import load_project

TODAY = dt.date(2026, 11, 21)  # every sample sheet's review is current on this day
MBC = "sheets/metastatic-breast-cancer"
QTA = "sheets/questions-to-ask-your-doctor"
BLOCKS = "sheets/_org/blocks"


def append(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.write_text(path.read_text() + text)


Findings = dict[str, list[Finding]]


def findings(root: Path, cache: Path, monkeypatch, on: dt.date = TODAY) -> Findings:
    """Every loaded sheet's source findings, with ``cache`` as the cache folder."""
    monkeypatch.setenv("FACTSHEET_CACHE_DIR", str(cache))
    project = load_project(root)
    return {s.display: source_findings(project, s, on=on) for s in project.sheets.values()}


# -- warm equals cold, and is used ------------------------------------------------------


def test_a_warm_cache_gives_a_cold_runs_findings_without_running_the_rules(
    project_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    # A few findings of several kinds, so that there is something to keep.
    edit(project_dir, f"{MBC}/es.md", "(https://www.harborlight.example)", "(http://x.example)")
    edit(
        project_dir,
        f"{QTA}/en.md",
        "## ",
        "#### ",
    )
    cold = findings(project_dir, tmp_path / "cache", monkeypatch)
    assert sum(len(found) for found in cold.values()) >= 2

    def refuse(*args):
        raise AssertionError("a rule ran although its findings were kept")

    monkeypatch.setattr(gate, "_source_rules", refuse)
    warm = findings(project_dir, tmp_path / "cache", monkeypatch)
    assert warm == cold
    assert [type(f) for found in warm.values() for f in found] == [
        Finding for found in cold.values() for f in found
    ]


def test_check_reports_the_same_bytes_from_a_warm_cache(project_dir: Path, tmp_path: Path) -> None:
    edit(project_dir, f"{MBC}/es.md", "(https://www.harborlight.example)", "(http://x.example)")
    cache = {"FACTSHEET_CACHE_DIR": str(tmp_path / "cache")}
    off = {"FACTSHEET_CACHE_DIR": ""}
    cold = run_cli(project_dir, "check", "--format", "json", env=cache)
    warm = run_cli(project_dir, "check", "--format", "json", env=cache)
    assert cold.returncode == warm.returncode == 1
    assert cold.stdout == warm.stdout
    assert "link-scheme" in warm.stdout
    text = run_cli(project_dir, "check", env=cache)
    assert text.stdout == run_cli(project_dir, "check", env=off).stdout


# -- every input invalidates ---------------------------------------------------------------

Change = Callable[[Path], None]


def _unknown_number(root: Path) -> None:
    edit(root, f"{MBC}/en.md", "## ", "Our partner clinic answers at 1-617-555-0188.\n\n## ")


def _clinic_declares_it(root: Path) -> None:
    edit(root, "sheets/_org/clinics/eastside.yaml", '"+16175550187"', '"+16175550188"')
    edit(root, "sheets/_org/clinics/eastside.yaml", "1-617-555-0187", "1-617-555-0188")


def _clinic_logo_breaks(root: Path) -> None:
    (root / "sheets/_org/clinics/eastside-logo.svg").write_text("not an image")


def _known_contact(root: Path) -> None:
    append(
        root,
        "sheets/_org/policy.yaml",
        'known_contacts:\n  - owner: A partner clinic\n    phone: "+16175550188"\n',
    )


def _link_to_new_sheet(root: Path) -> None:
    edit(root, f"{MBC}/en.md", "## ", "See [the glossary](sheet:glossary).\n\n## ")


def _add_sheet(name: str) -> Change:
    def change(root: Path) -> None:
        folder = root / "sheets" / name
        folder.mkdir()
        text = (root / f"{QTA}/en.md").read_text().replace("HL-MBC-02", "HL-GLO-01")
        (folder / "en.md").write_text(
            text.replace("sheet:metastatic-breast-cancer", "sheet:" + name)
        )

    return change


def _org_number_changes(root: Path) -> None:
    edit(root, "sheets/_org/org.yaml", '"+18775550142"', '"+18775550143"')
    edit(root, "sheets/_org/org.yaml", "1-877-555-0142", "1-877-555-0143")


def _nothing(root: Path) -> None:
    pass


CASES: dict[str, tuple[Change, Change]] = {
    "the sheet itself": (
        _nothing,
        lambda root: edit(
            root, f"{MBC}/es.md", "(https://www.harborlight.example)", "(http://x.example)"
        ),
    ),
    "the source of a translation": (
        _nothing,
        lambda root: edit(
            root, f"{QTA}/en.md", "## ", "A new paragraph nobody translated yet.\n\n## "
        ),
    ),
    "the source snapshot of a translation": (
        _nothing,
        lambda root: edit(
            root,
            f"{QTA}/translations/es.source.json",
            "doctor visits about",
            "2 doctor visits about",
        ),
    ),
    "a translation's source becomes unreadable": (
        lambda root: edit(
            root, f"{QTA}/en.md", "## ", "A new paragraph nobody translated yet.\n\n## "
        ),
        lambda root: edit(root, f"{QTA}/en.md", "lang: en", "lang: [en"),
    ),
    "a translation's source is deleted": (
        _nothing,
        lambda root: (root / f"{QTA}/en.md").unlink(),
    ),
    "a missing source comes back unreadable": (
        lambda root: (root / f"{QTA}/en.md").rename(root / "en.md.away"),
        lambda root: (root / f"{QTA}/en.md").write_text("---\nid: [unclosed\n---\n\nText.\n"),
    ),
    "the review log": (
        _nothing,
        lambda root: (root / f"{MBC}/reviews.yaml").write_text(
            'approvals:\n  - lang: en\n    version: "1.0"\n    by: "A. Reviewer"\n'
            "    date: 2026-03-06\n    content: sha256:00000000000000000000000000000000\n"
        ),
    ),
    "the blocks of the sheet's language": (
        _nothing,
        lambda root: edit(
            root, f"{BLOCKS}/es.yaml", "Hable con nosotros", "Llame al 1-617-555-0199"
        ),
    ),
    "the blocks of the default language": (
        _nothing,
        lambda root: edit(root, f"{BLOCKS}/en.yaml", "Talk with us", "Talk to us"),
    ),
    "the line of a block": (
        lambda root: edit(
            root, f"{BLOCKS}/es.yaml", "Hable con nosotros", "Llame al 1-617-555-0199"
        ),
        lambda root: edit(root, f"{BLOCKS}/es.yaml", "lang: es\n", "lang: es\n\n\n"),
    ),
    "a blocks translation snapshot": (
        _nothing,
        lambda root: edit(
            root, f"{BLOCKS}/translations/es.source.json", "Talk with us", "Talk with us 24/7"
        ),
    ),
    "policy severity": (
        lambda root: edit(
            root, f"{MBC}/es.md", "(https://www.harborlight.example)", "(http://x.example)"
        ),
        lambda root: append(root, "sheets/_org/policy.yaml", "severity:\n  link-scheme: warning\n"),
    ),
    "policy review window": (
        _nothing,
        lambda root: edit(
            root, "sheets/_org/policy.yaml", "review_warning_days: 60", "review_warning_days: 600"
        ),
    ),
    "policy known contacts": (_unknown_number, _known_contact),
    "org channels": (_nothing, _org_number_changes),
    "the organisation's names (never translated)": (
        lambda root: edit(
            root,
            f"{QTA}/es.md",
            "Visite el [sitio web de Harborlight]",
            "Visit the [Harborlight website]",
        ),
        lambda root: edit(
            root,
            "sheets/_org/org.yaml",
            "short_name: Harborlight",
            "short_name: Harborlight website",
        ),
    ),
    "a clinic's channels": (_unknown_number, _clinic_declares_it),
    "a clinic's logo (the clinic no longer loads)": (
        lambda root: (_unknown_number(root), _clinic_declares_it(root)),
        _clinic_logo_breaks,
    ),
    "a linked sheet appears": (_link_to_new_sheet, _add_sheet("glossary")),
    "a sheet the blocks link to appears": (
        lambda root: edit(
            root,
            f"{BLOCKS}/es.yaml",
            "review_note: >-\n",
            "review_note: >-\n  [Glosario](sheet:glossary).\n",
        ),
        _add_sheet("glossary"),
    ),
    "another sheet appears beside a broken link": (_link_to_new_sheet, _add_sheet("zebra")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_input_of_the_rules_invalidates_their_findings(
    name: str, project_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    setup, change = CASES[name]
    setup(project_dir)
    cache = tmp_path / "cache"
    before = findings(project_dir, cache, monkeypatch)
    change(project_dir)
    warm = findings(project_dir, cache, monkeypatch)
    cold = findings(project_dir, tmp_path / "empty", monkeypatch)
    assert warm == cold
    assert warm != before, "the change should have changed some sheet's findings"


@pytest.mark.parametrize(
    ("first", "then", "same_entry"),
    [
        (dt.date(2026, 11, 21), dt.date(2027, 6, 1), True),  # current on both days
        (dt.date(2026, 11, 21), dt.date(2028, 1, 20), False),  # into the warning window
        (dt.date(2028, 1, 20), dt.date(2028, 1, 21), False),  # "in N days" counts down
        (dt.date(2028, 3, 6), dt.date(2028, 3, 7), False),  # due today, then overdue
        (dt.date(2026, 3, 6), dt.date(2026, 3, 5), False),  # reviewed "after today"
    ],
)
def test_the_date_enters_the_key_when_a_review_rule_can_see_it(
    first: dt.date, then: dt.date, same_entry: bool, project_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    before = findings(project_dir, cache, monkeypatch, on=first)
    warm = findings(project_dir, cache, monkeypatch, on=then)
    cold = findings(project_dir, tmp_path / "empty", monkeypatch, on=then)
    assert warm == cold
    assert (warm == before) is same_entry
    project = load_project(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "en")  # reviewed 2026-03-06, due 2028-03-06
    same_key = findings_key(project, sheet, first) == findings_key(project, sheet, then)
    assert same_key is same_entry


def test_the_key_holds_the_code_of_the_rules(monkeypatch, project_dir: Path) -> None:
    project = load_project(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "en")
    key = findings_key(project, sheet, TODAY)
    code_digest.cache_clear()
    monkeypatch.setattr("pipeline.checks.findingcache.__version__", "0.0.0-other")
    try:
        assert findings_key(load_project(project_dir), sheet, TODAY) != key
    finally:
        code_digest.cache_clear()


def test_a_changed_project_in_memory_is_not_answered_from_the_cache(
    project_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    """Commands that try a change before writing it (a trial project) key on what is
    loaded, not on the files."""
    monkeypatch.setenv("FACTSHEET_CACHE_DIR", str(tmp_path / "cache"))
    project = load_project(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "en")
    assert source_findings(project, sheet, on=TODAY) == []
    bare = dataclasses.replace(project, org=project.org.model_copy(update={"channels": []}))
    assert "contact-missing" in {f.rule for f in source_findings(bare, sheet, on=TODAY)}


# -- a damaged cache, --force, off -------------------------------------------------------


def test_a_damaged_or_foreign_entry_is_a_miss(
    project_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    cold = findings(project_dir, cache, monkeypatch)
    project = load_project(project_dir)
    store = FindingCache(cache)
    for index, sheet in enumerate(project.sheets.values()):
        key = findings_key(project, sheet, TODAY)
        name = store.store.folder / store._name(key)
        assert name.is_file()
        damage = [
            b"garbage",
            name.read_bytes()[:20],  # truncated
        ]
        if index < len(damage):
            name.write_bytes(damage[index])
        elif index == len(damage):  # another key's record under this name
            store.store.put(store._name(key), ("another key", []))
        else:  # a record whose findings are not what a rule makes
            store.store.put(store._name(key), (key, [("rule", "error", "p", "1", "m")]))
    assert findings(project_dir, cache, monkeypatch) == cold


def test_force_works_the_findings_out_again(project_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from pipeline.build.forecast import forecast
    from pipeline.build.plan import Job

    cache = tmp_path / "cache"
    findings(project_dir, cache, monkeypatch)
    project = load_project(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "en")
    planted = Finding("link-text", "error", sheet.display, 1, "planted in the cache")
    FindingCache(cache).put(findings_key(project, sheet, dt.date(2026, 11, 21)), [planted])
    jobs = [Job("metastatic-breast-cancer", "en")]
    assert forecast(project, jobs, tmp_path / "out")[0].findings == [planted]
    assert forecast(project, jobs, tmp_path / "out", force=True)[0].findings == []
    # ... and writes what it found, for the next run.
    assert forecast(project, jobs, tmp_path / "out")[0].findings == []


def test_an_empty_cache_setting_turns_it_off(project_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("FACTSHEET_CACHE_DIR", "")
    project = load_project(project_dir)
    calls = []
    rules = gate._source_rules
    monkeypatch.setattr(gate, "_source_rules", lambda *a: calls.append(1) or rules(*a))
    sheet = project.sheet("metastatic-breast-cancer", "en")
    assert source_findings(project, sheet, on=TODAY) == source_findings(project, sheet, on=TODAY)
    assert len(calls) == 2


def test_stored_findings_are_plain_data(project_dir: Path, tmp_path: Path, monkeypatch) -> None:
    edit(project_dir, f"{MBC}/es.md", "(https://www.harborlight.example)", "(http://x.example)")
    findings(project_dir, tmp_path / "cache", monkeypatch)
    project = load_project(project_dir)
    sheet = project.sheet("metastatic-breast-cancer", "es")
    store = FindingCache(tmp_path / "cache")
    key, stored = store.store.get(store._name(findings_key(project, sheet, TODAY)))
    assert stored and all(type(v) in (str, int, type(None)) for item in stored for v in item)
    assert json.loads(json.dumps(stored)) == [list(item) for item in stored]
