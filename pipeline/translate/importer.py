"""`translate import`: a translator's file (XLIFF, PO or Markdown) back into a sheet.

Import refuses, and lists at once, every problem that would put a wrong or
half-English text in front of a patient: a unit untranslated, unconfirmed or
machine-translated without review, translated from an older source, with
broken inline codes or label placeholders, missing, unknown or given twice;
a file in the source language or in another language than it was exported
for; and any translation check the resulting sheet fails. Each problem names
the unit, the line in the translator's file and the line in the sheet.

What it writes is always a draft (status: draft) recording the source it was
made from, with a snapshot of that source, written all together or not at all
(source/atomic.py's Transaction, its temp files and journal in .factsheet/ at
the project root). An approved translation or approved shared blocks are
never replaced without ``--replace``, and what would change is shown unit by
unit first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checks.registry import apply_policy
from ..checks.translation import check_translation
from ..checks.translation_blocks import check_blocks_translation
from ..errors import FactsheetError, InputError, printable
from ..source.atomic import Transaction, clean_temp, recover
from ..source.loader import Loader, project_state
from ..source.model import Blocks, Project, Sheet
from ..source.snapshots import snapshot_path
from ..source.unitmatch import pair_translation
from ..source.units import blocks_snapshot, sheet_snapshot
from .compose import blocks_yaml, compose_blocks, compose_sheet, same_blocks, snapshot_json
from .convert import match_units, translate_unit
from .export import target_language
from .incoming import Incoming, IncomingUnit, Problem, shorten
from .inline import PlaceholderError
from .markdown_import import read_markdown
from .po import read_po
from .previous import previous_translations
from .units import TUnit, export_units, is_plain
from .xliff import read_xliff

_NUMBER_WORD = re.compile(r"numbers?\s+(?:written\s+)?as\s+(?:a\s+)?words?\b", re.I)
_ORIGINAL = re.compile(r"sheets/([a-z0-9][a-z0-9-]*)/([A-Za-z0-9-]+)\.md")


class TranslationRejected(FactsheetError):
    """An import that was refused; ``problems`` lists every reason, one per line."""

    def __init__(self, message: str, path: str, problems: list[str], hint: str | None = None):
        super().__init__(message, path, hint=hint or "fix the units listed above and import again")
        self.problems = problems


@dataclass
class ImportResult:
    written: list[str]
    diff: list[str] = field(default_factory=list)
    lang: str = ""


@dataclass
class _Plan:
    """An import worked out but not yet written."""

    source: Sheet
    lang: str
    sheet_text: str
    blocks: dict | None
    texts: dict[str, str]
    incoming: Incoming
    matched: dict[str, IncomingUnit] = field(default_factory=dict)  # unit id -> file's unit


def import_file(
    project: Project,
    path: Path,
    lang: str | None = None,
    replace_approved: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import a translation; returns the files written (nothing on a dry run) and the diff."""
    shown = str(path)
    data = _read(project, path, shown)
    if path.suffix.lower() == ".md":
        plan = read_markdown(project, data, shown, lang)
        plan = _Plan(plan.source, plan.lang, plan.text, None, {}, plan.incoming)
    else:
        incoming = _parse(project, path, data, shown)
        source = _source_of(project, incoming, shown)
        chosen = _language(project, incoming, lang, shown)
        plan = _build(project, source, chosen, incoming, shown)
    sheet = _validate(project, plan, shown)
    if not plan.texts:  # a Markdown sheet: its units, paired with the source's
        pairs = pair_translation(sheet, sheet_snapshot(plan.source).units) or []
        plan.texts = {p.basis.id: p.unit.text for p in pairs if p.unit is not None}
    diff = _diff(project, plan, sheet)
    _guard_approved(project, plan, diff, replace_approved, shown)
    if dry_run:
        return ImportResult([], diff, plan.lang)
    return ImportResult(_write(project, plan), diff, plan.lang)


# -- reading ---------------------------------------------------------------------------


def _read(project: Project, path: Path, shown: str) -> bytes:
    limit = project.policy.limits.max_translation_bytes
    try:
        if not path.is_file():
            raise InputError("not a regular file", shown)
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"file is {size:,} bytes, over the limit of {limit:,}",
                shown,
                hint="a sheet's translation is far smaller; raise "
                "limits.max_translation_bytes in policy.yaml if this is right",
            )
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", shown) from None


def _parse(project: Project, path: Path, data: bytes, shown: str) -> Incoming:
    suffix = path.suffix.lower()
    limit = project.policy.limits.max_translation_units
    if suffix in (".xlf", ".xliff", ".sdlxliff", ".mqxliff", ".mxliff"):
        return read_xliff(data, shown, limit)
    if suffix in (".po", ".pot"):
        return read_po(data, shown, limit, is_plain)
    raise InputError("unknown file type", shown, hint="import .xlf, .xliff, .po or .md files")


def _source_of(project: Project, incoming: Incoming, shown: str) -> Sheet:
    match = _ORIGINAL.fullmatch(incoming.original)
    if not match:
        where = "file/@original" if incoming.fmt == "xliff" else "the X-Factsheet-Source header"
        raise InputError(
            f"the file does not name its source sheet ({where} is '{shorten(incoming.original)}')",
            shown,
            hint="import files exported with `factsheet translate export`",
        )
    slug, source_lang = match.groups()
    if (slug, source_lang) in project.broken:
        raise project.broken[(slug, source_lang)].error()  # it cannot be read: its own errors
    source = project.sheets.get((slug, source_lang))
    if source is None or source.front.translation_of is not None:
        raise InputError(f"source sheet {incoming.original} does not exist", shown)
    return source


def _language(project: Project, incoming: Incoming, wanted: str | None, shown: str) -> str:
    """The language to write: the file's own, checked against what it was exported for."""
    if wanted:
        return target_language(project, wanted, "--lang")
    declared = exported = None
    try:
        declared = target_language(project, incoming.declared_lang, "the file's language")
    except InputError as error:
        if incoming.declared_lang:
            raise InputError(
                f"the file's language '{shorten(incoming.declared_lang, 40)}': {error.message}",
                shown,
                hint="import into the language you translated into with --lang",
            ) from None
    if incoming.exported_lang:
        exported = target_language(project, incoming.exported_lang, "the export's language")
    if declared and exported and declared != exported:
        raise InputError(
            f"the file says it is in '{declared}', but it was exported for '{exported}'",
            shown,
            hint=f"say which with --lang {exported} (or --lang {declared})",
        )
    chosen = declared or exported
    if not chosen:
        raise InputError("the file names no target language", shown, hint="pass --lang")
    return chosen


# -- building ----------------------------------------------------------------------------


def _build(project: Project, source: Sheet, lang: str, incoming: Incoming, shown: str) -> _Plan:
    units = export_units(project, source)
    matched, problems = match_units(units, incoming)
    problems = incoming.problems + problems
    texts: dict[str, str] = {}
    alts = {k: v for k, v in matched.items() if ".alt" in k}
    for unit in units:
        theirs = matched.get(unit.key)
        if theirs is None:
            problems.append(Problem(None, unit.key, "missing from the file"))
            continue
        try:
            texts[unit.key] = translate_unit(unit, theirs, alts)
        except PlaceholderError as error:
            problems.append(Problem(theirs.line, unit.key, str(error)))
    sheet_units = {u.key: u for u in units}
    if problems:
        raise _rejected(project, shown, problems, sheet_units, "not ready")
    number_words = {
        k: "; ".join(u.notes)
        for k, u in matched.items()
        if any(_NUMBER_WORD.search(n) for n in u.notes)
    }
    sheet_text = compose_sheet(
        source, lang, texts, {k: v for k, v in number_words.items() if k in sheet_units}
    )
    blocks = compose_blocks(project.blocks[source.lang], lang, texts, project.blocks.get(lang))
    return _Plan(source, lang, sheet_text, blocks, texts, incoming, matched)


# -- checking, guarding, writing ---------------------------------------------------------


def _validate(project: Project, plan: _Plan, shown: str) -> Sheet:
    """Load the composed sheet and run the translation checks on it, as it would be."""
    target = project.root / "sheets" / plan.source.slug / f"{plan.lang}.md"
    sheet = Loader(project.root).sheet_from_text(
        target, plan.sheet_text, project.org, project.policy
    )
    blocks = dict(project.blocks)
    block_snapshots = dict(project.block_snapshots)
    if plan.blocks is not None:
        blocks[plan.lang] = Blocks.model_validate(plan.blocks)
        block_snapshots[plan.lang] = blocks_snapshot(project.blocks[plan.source.lang])
    trial = replace(
        project,
        sheets={**project.sheets, (plan.source.slug, plan.lang): sheet},
        snapshots={**project.snapshots, (plan.source.slug, plan.lang): sheet_snapshot(plan.source)},
        blocks=blocks,
        block_snapshots=block_snapshots,
    )
    found = [*check_translation(trial, sheet), *check_blocks_translation(trial, plan.lang)]
    findings = apply_policy(found, project.policy, plan.lang)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        units = {u.key: u for u in export_units(project, plan.source)}
        problems = [
            Problem(
                _line(plan, f.unit, f.line if f.path == sheet.display else None),
                f.unit,
                f"{f.message} [{f.rule}] (would be {f.location})",
            )
            for f in errors
        ]
        raise _rejected(project, shown, problems, units, "translation problem(s)")
    return sheet


def _line(plan: _Plan, unit_id: str | None, sheet_line: int | None) -> int | None:
    """The line in the translator's file a finding on the composed sheet comes from."""
    if plan.incoming.line_of is not None:
        return plan.incoming.line_of(sheet_line) if sheet_line else None
    unit = plan.matched.get(unit_id or "")
    return unit.line if unit else None


def _diff(project: Project, plan: _Plan, sheet: Sheet) -> list[str]:
    """What the import changes in an existing translation, unit by unit."""
    before = previous_translations(project, plan.source, plan.lang)
    has_sheet = (plan.source.slug, plan.lang) in project.sheets
    out = []
    lines = {u.key: u.line for u in sheet.body.units}
    for unit_id, new in plan.texts.items():
        old = before.get(unit_id)
        is_block = unit_id.startswith(("block:", "label:"))
        if old is not None and old.text == new:
            continue
        if old is None and not (has_sheet or is_block and plan.lang in project.blocks):
            continue  # a new file: nothing to compare with
        where = (
            f"sheets/_org/blocks/{plan.lang}.yaml"
            if is_block
            else f"{sheet.display}:{lines.get(unit_id, '?')}"
        )
        out.append(f"unit {unit_id} ({where}):")
        if old is not None:
            out.append(f"  - {printable(old.text)}")
        out.append(f"  + {printable(new)}")
    return out


def _guard_approved(project, plan: _Plan, diff: list[str], replace_ok: bool, shown: str) -> None:
    existing = project.sheets.get((plan.source.slug, plan.lang))
    blocks = project.blocks.get(plan.lang)
    approved = []
    if existing is not None and existing.front.status == "approved":
        approved.append(existing.display)
    if (
        plan.blocks is not None
        and blocks is not None
        and blocks.status == "approved"
        and not same_blocks(blocks, plan.blocks)
    ):
        approved.append(f"sheets/_org/blocks/{plan.lang}.yaml")
    if approved and not replace_ok:
        raise TranslationRejected(
            f"{' and '.join(approved)} {'is' if len(approved) == 1 else 'are'} approved; "
            "nothing was written",
            shown,
            diff or ["(no unit changes: importing would only make it a draft again)"],
            hint="review the changes above; import with --replace to write them as a draft",
        )


def _write(project: Project, plan: _Plan) -> list[str]:
    root = project.root
    slug, lang = plan.source.slug, plan.lang
    files = {
        root / "sheets" / slug / f"{lang}.md": plan.sheet_text.encode("utf-8"),
        snapshot_path(root, slug, lang): snapshot_json(sheet_snapshot(plan.source)),
    }
    existing = project.blocks.get(lang)
    if plan.blocks is not None and not same_blocks(existing, plan.blocks):
        files[root / "sheets" / "_org" / "blocks" / f"{lang}.yaml"] = blocks_yaml(plan.blocks)
        source_blocks = project.blocks[plan.source.lang]
        files[snapshot_path(root, "_org", lang)] = snapshot_json(blocks_snapshot(source_blocks))
    state = project_state(root)
    recover(state)
    clean_temp(state / "tmp")
    changes = Transaction(state)  # all of these files, or none (source/atomic.py)
    try:
        for path, data in files.items():
            changes.write(path, data)
        changes.commit()
    finally:
        changes.abort()
    return [str(p.relative_to(root)) for p in files]


def _rejected(
    project: Project, shown: str, problems: list[Problem], units: dict[str, TUnit], what: str
) -> TranslationRejected:
    """Every problem as one line, the translator's file and the sheet both named; capped."""
    lines = []
    # In file order, then the units the file lacks (they have no line there).
    for problem in sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.unit or "")):
        where = f"{shown}:{problem.line}" if problem.line else shown
        unit = units.get(problem.unit or "")
        sheet = f" (sheet: {unit.location})" if unit is not None else ""
        label = ""
        if problem.unit and not problem.message.startswith("unit "):
            label = f"unit {shorten(problem.unit, 80)}: "
        lines.append(printable(f"{where}: error: {label}{problem.message}{sheet}"))
    cap = project.policy.limits.max_findings_per_file
    if len(lines) > cap:
        lines = [*lines[:cap], f"{shown}: ... and {len(lines) - cap} more problem(s)"]
    return TranslationRejected(f"{len(problems)} {what}; nothing was written", shown, lines)
