"""`translate import`: a translator's file (XLIFF, PO or Markdown) back into a sheet.

Import refuses (and lists) every untranslated, fuzzy, empty or broken unit
rather than write a half-English sheet; what it writes is marked draft and
records the source it was made from (translation_of + a snapshot of the source
units, so that staleness can later say exactly which units changed).

translate-toolkit reads the files: it knows XLIFF states and PO flags (fuzzy,
obsolete) as translators' tools write them. Its converters (po2md) are not
used: po2md silently puts the English back for untranslated units, which is
exactly what must never reach a patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from lxml import etree

from ..checks.gate import source_findings
from ..checks.registry import has_errors
from ..errors import FactsheetError, InputError
from ..source.files import atomic_write, read_text
from ..source.loader import Loader, split_front_matter
from ..source.markdown import plain_text
from ..source.model import Blocks, Project, Sheet
from ..source.units import units_hash
from ..source.yamlfile import parse_yaml
from .export import check_lang, xliff_store
from .inline import XLIFF_NS, PlaceholderError, from_element, from_tagged_text, to_element
from .units import BLOCK_NAMES, FRONT_KEYS, export_units, write_snapshot

OK_STATES = {None, "translated", "final", "signed-off"}


class TranslationRejected(FactsheetError):
    """An import that was refused; ``problems`` lists every reason, one per line."""

    def __init__(self, message: str, path: str, problems: list[str]) -> None:
        super().__init__(message, path, hint="fix the units listed above and import again")
        self.problems = problems


@dataclass
class Incoming:
    """What a translation file says, format aside."""

    slug: str
    source_lang: str
    lang: str
    targets: dict[str, etree._Element]  # unit key -> target element
    problems: list[str]


def _read_xliff(data: bytes, shown: str) -> Incoming:
    store = xliff_store().parsestring(data)
    root = store.document.getroot()
    file_node = next(
        iter(root.iter(f"{{{XLIFF_NS}}}file", "{urn:oasis:names:tc:xliff:document:1.1}file"))
    )
    original = file_node.get("original", "")
    namespace = etree.QName(file_node).namespace
    problems: list[str] = []
    targets: dict[str, etree._Element] = {}
    for tu in root.iter(f"{{{namespace}}}trans-unit"):
        key = tu.get("id", "?")
        target = tu.find(f"{{{namespace}}}target")
        state = target.get("state") if target is not None else None
        if target is None or not "".join(target.itertext()).strip() and not len(target):
            problems.append(f"{shown}: unit {key}: not translated (empty target)")
        elif state not in OK_STATES:
            problems.append(f"{shown}: unit {key}: state '{state}' (fuzzy or unreviewed)")
        else:
            targets[key] = target
    slug, source_lang = _parse_original(original, shown)
    return Incoming(slug, source_lang, file_node.get("target-language", ""), targets, problems)


def _read_po(data: bytes, shown: str) -> Incoming:
    from translate.storage import po

    store = po.pofile.parsestring(data)
    header = store.parseheader()
    problems: list[str] = []
    targets: dict[str, etree._Element] = {}
    for unit in store.units:
        if unit.isheader() or unit.isobsolete():
            continue
        key = unit.getcontext() or "?"
        if not unit.target.strip():
            problems.append(f"{shown}: unit {key}: not translated (empty msgstr)")
        elif unit.isfuzzy():
            problems.append(f"{shown}: unit {key}: marked fuzzy")
        else:
            try:
                targets[key] = from_tagged_text(unit.target)
            except PlaceholderError as error:
                problems.append(f"{shown}: unit {key}: {error}")
    slug, source_lang = _parse_original(header.get("X-Factsheet-Source", ""), shown)
    return Incoming(slug, source_lang, header.get("Language", ""), targets, problems)


def _parse_original(original: str, shown: str) -> tuple[str, str]:
    match = re.fullmatch(r"sheets/([a-z0-9][a-z0-9-]*)/([A-Za-z0-9-]+)\.md", original)
    if not match:
        raise InputError(
            f"the file does not name its source sheet (got {original!r})",
            shown,
            hint="import files exported with `factsheet translate export`",
        )
    return match.group(1), match.group(2)


def build_translation(project: Project, incoming: Incoming, shown: str) -> tuple[str, dict | None]:
    """The translated sheet's text and, if the blocks are new or changed, the blocks data."""
    source = project.sheets.get((incoming.slug, incoming.source_lang))
    if source is None:
        raise InputError(
            f"source sheet sheets/{incoming.slug}/{incoming.source_lang}.md does not exist", shown
        )
    lang = check_lang(incoming.lang)
    units = export_units(project, source)
    problems = list(incoming.problems)
    markdown: dict[str, str] = {}
    known = {u.key for u in units}
    for key in sorted(set(incoming.targets) - known):
        problems.append(f"{shown}: unit {key}: not a unit of the source (was the source changed?)")
    alt_texts = {
        k: plain_text(_text(incoming.targets[k])) for k in incoming.targets if k.endswith(".alt")
    }
    for unit in units:
        element = incoming.targets.get(unit.key)
        if element is None:
            if not any(p.startswith(f"{shown}: unit {unit.key}:") for p in problems):
                problems.append(f"{shown}: unit {unit.key}: missing from the file")
            continue
        _, codes = to_element(unit.source, "source")
        alts = {
            code: alt_texts.get(f"{unit.key}.alt", "")
            for code, (kind, *_rest) in codes.standalone.items()
            if kind == "image"
        }
        try:
            if unit.key in FRONT_KEYS or unit.key.startswith("label:"):
                markdown[unit.key] = " ".join(_text(element).split())  # plain text, not Markdown
            else:
                markdown[unit.key] = from_element(element, codes, alts)
        except PlaceholderError as error:
            problems.append(f"{shown}: unit {unit.key}: {error}")
    if problems:
        raise TranslationRejected(
            f"{len(problems)} unit(s) not ready; nothing was written", shown, problems
        )
    return compose_sheet(project, source, lang, markdown), compose_blocks(project, lang, markdown)


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def compose_sheet(project: Project, source: Sheet, lang: str, markdown: dict[str, str]) -> str:
    """Source body with every unit replaced, under new front matter."""
    front = source.front
    data: dict = {
        "id": front.id,
        "title": markdown["title"],
    }
    if front.series:
        data["series"] = markdown["series"]
    data |= {
        "lang": lang,
        "version": front.version,
        "status": "draft",
        "reviewed": front.reviewed,
        "next_review": front.next_review,
        "reviewed_by": front.reviewed_by,
        "audience": markdown["audience"],
    }
    if front.summary:
        data["summary"] = markdown["summary"]
    if front.keywords:
        data["keywords"] = [k.strip() for k in markdown["keywords"].split(",") if k.strip()]
    data["translation_of"] = {
        "lang": source.lang,
        "version": front.version,
        "source_hash": units_hash(source),
    }
    head = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    body = _replace_units(source, markdown)
    return (
        "---\n# Draft translation: not yet reviewed by a qualified medical translator.\n"
        f"{head}---\n{body}"
    )


def _replace_units(source: Sheet, markdown: dict[str, str]) -> str:
    _, body, body_line = split_front_matter(source.source_text, source.display)
    lines = body.split("\n")
    for unit in sorted(source.body.units, key=lambda u: u.line, reverse=True):
        if unit.kind == "alt":
            continue
        content = unit.text.split("\n")
        index = unit.line - body_line
        first = lines[index]
        at = first.rfind(content[0])
        if at < 0:
            raise InputError(
                f"cannot place unit {unit.key} in the source text", source.display, unit.line
            )
        rest = first[at + len(content[0]) :] if len(content) == 1 else ""
        lines[index : index + len(content)] = [first[:at] + markdown[unit.key] + rest]
    return "\n".join(lines)


def compose_blocks(project: Project, lang: str, markdown: dict[str, str]) -> dict | None:
    """New blocks data for ``lang`` when the file has none or they changed."""
    data = {"lang": lang, "status": "draft"}
    data |= {name: markdown[f"block:{name}"] for name in BLOCK_NAMES}
    data["labels"] = {k[len("label:") :]: v for k, v in markdown.items() if k.startswith("label:")}
    existing = project.blocks.get(lang)
    if existing is not None and existing.catalog is not None:
        # The catalog site's strings are not in the export: keep the file's own.
        data["catalog"] = existing.catalog.model_dump()
    if existing is not None:
        same = all(getattr(existing, n) == data[n] for n in BLOCK_NAMES) and (
            existing.labels.model_dump() == data["labels"]
        )
        if same:
            return None
    return data


def read_incoming(path: Path) -> Incoming:
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", shown) from None
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlf", ".xliff"):
            return _read_xliff(data, shown)
        if suffix == ".po":
            return _read_po(data, shown)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise InputError(f"cannot parse the file: {error}", shown) from None
    raise InputError("unknown file type", shown, hint="import .xlf, .xliff, .po or .md files")


def import_file(project: Project, path: Path) -> list[str]:
    """Import a translation (XLIFF, PO, or a translated Markdown sheet); returns files written."""
    shown = str(path)
    if path.suffix.lower() == ".md":
        slug, lang, text = _read_markdown(project, path)
        blocks = None
    else:
        incoming = read_incoming(path)
        text, blocks = build_translation(project, incoming, shown)
        slug, lang = incoming.slug, incoming.lang
    return _accept(project, slug, lang, text, blocks, shown)


def _read_markdown(project: Project, path: Path) -> tuple[str, str, str]:
    """A translated sheet handed back as Markdown: which sheet and language it is."""
    shown = str(path)
    text = read_text(path, shown, project.policy.limits.max_sheet_bytes)
    front_text, _, _ = split_front_matter(text, shown)
    data, lines = parse_yaml(front_text, shown, first_line=2)
    data = data if isinstance(data, dict) else {}
    sheet_id, lang = data.get("id"), data.get("lang")
    sources = [
        s for s in project.sheets.values() if s.front.id == sheet_id and not s.front.translation_of
    ]
    if not sources:
        raise InputError(
            f"no source sheet has id {sheet_id!r}",
            shown,
            lines.get(("id",)),
            hint="keep the id of the sheet you translated",
        )
    if not isinstance(lang, str):
        raise InputError("front matter has no lang", shown, 2)
    return sources[0].slug, check_lang(lang), text


def _accept(
    project: Project, slug: str, lang: str, text: str, blocks: dict | None, shown: str
) -> list[str]:
    """Validate a translated sheet against its source; write it only if it passes."""
    target = project.root / "sheets" / slug / f"{lang}.md"
    sheet = Loader(project.root).sheet_from_text(target, text, project.org, project.policy)
    origin = sheet.front.translation_of
    if origin is None:
        raise InputError(
            "a translation needs translation_of (lang, version, source_hash)",
            shown,
            hint="export from the source with `factsheet translate export`",
        )
    source = project.sheets.get((slug, origin.lang))
    trial_blocks = dict(project.blocks)
    if blocks is not None:
        trial_blocks[lang] = Blocks.model_validate(blocks)
    trial = replace(project, sheets=dict(project.sheets), blocks=trial_blocks)
    trial.sheets[(slug, lang)] = sheet
    findings = [f for f in source_findings(trial, sheet) if f.rule.startswith("translation-")]
    if has_errors(findings):
        raise TranslationRejected(
            f"{len(findings)} translation problem(s); nothing was written",
            shown,
            [f"{shown}: {f.message} [{f.rule}]" for f in findings if f.severity == "error"],
        )
    written = [atomic_write(target, text.encode("utf-8"))]
    if blocks is not None:
        blocks_path = project.root / "sheets" / "_org" / "blocks" / f"{lang}.yaml"
        data = yaml.safe_dump(blocks, sort_keys=False, allow_unicode=True, width=1000)
        note = "# Draft translation: not yet reviewed by a qualified medical translator.\n"
        written.append(atomic_write(blocks_path, (note + data).encode("utf-8")))
    if source is not None and origin.source_hash == units_hash(source):
        written.append(write_snapshot(project, source, lang))
    return [str(p.relative_to(project.root)) for p in written]
