"""`factsheet site`: the clinics' catalog, built from output/manifest.json alone.

Clinics look up a handout, see which languages and print variants exist and
how current each is, and download the PDF. The manifest is the only source
of what exists, so the catalog can neither miss a published PDF nor link to
one the build did not publish; the publication rules (rules.py, policy.yaml
`publish:`) decide which of them are public. Besides it, only org.yaml,
policy.yaml, the shared blocks' labels (interface strings), the clinics'
files (their display names) and CLDR are read. Every page is written in one
language, works without JavaScript and on a 320 px wide phone, and the same
manifest gives the same bytes.

Pages: index.html (every public sheet), site/<lang>.html (one language),
site/sheets/<slug>.html and <slug>.<lang>.html (one sheet, in the default
language and in each of its languages), site/clinics/<id>.html (one clinic's
imprints), and feed.xml.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..build.output import STATE, OutputFolder
from ..errors import InputError
from ..source.cldr import direction
from ..source.loader import Loader
from ..source.model import Blocks, Clinic, Policy
from ..source.yamlfile import LineMap
from .feed import (
    FEED,
    HISTORY,
    atom_feed,
    entries,
    feed_problems,
    history_bytes,
    update_history,
)
from .interface import Interface
from .manifest import Pdf, read_manifest
from .pages import (
    SITE,
    Language,
    Pages,
    clinic_page,
    lang_page,
    sheet_page,
)
from .rules import CATALOG, CLINIC, Placement, clinic_is_public, place_all
from .search import FOLD_TABLE

TEMPLATES = Path("styles") / "templates" / "site"
#: What the last run wrote, so that the next removes only its own pages.
WRITTEN = f"{STATE}/site-files.json"


@dataclass
class SiteReport:
    """What `factsheet site` wrote, what it left internal and why, and what to fix."""

    written: list[str]
    placements: list[Placement]
    warnings: list[str] = field(default_factory=list)

    def where(self, kind: str) -> list[Placement]:
        return [p for p in self.placements if p.where == kind]


@dataclass(frozen=True)
class ClinicLink:
    id: str
    name: str
    href: str


# -- entry point ----------------------------------------------------------------------


def write_site(root: Path, out_dir: Path) -> SiteReport:
    """Write index.html, site/ and feed.xml into ``out_dir``; say what was written."""
    loader = Loader(root)
    org = loader.load_org()
    policy, policy_lines = loader.load_policy()
    blocks, _ = loader.load_blocks(org)
    env = _environment(root / TEMPLATES)
    with OutputFolder(out_dir) as folder:
        pdfs = read_manifest(out_dir)
        clinics = load_clinics(loader, policy, policy_lines, pdfs)
        placements = place_all(pdfs, policy.publish, org.default_paper, clinics)
        public = [p.pdf for p in placements if p.where == CATALOG]
        records = update_history(out_dir, org, pdfs)
        items = entries(records, public, policy.publish, org.default_paper)
        on_clinic_pages = [p.pdf for p in placements if p.where == CLINIC]
        imprints = {
            clinic_id: [pdf for pdf in on_clinic_pages if pdf.imprint == clinic_id]
            for clinic_id in sorted({pdf.imprint for pdf in on_clinic_pages})
        }
        langs = {
            org.default_lang,
            *(pdf.lang for pdf in [*public, *on_clinic_pages]),
            *(item.record["lang"] for item in items),
        }
        interfaces, warnings = _interfaces(loader, blocks, langs, org.default_lang)
        existing = _sheet_pages(public, org.default_lang) | {lang_page(p.lang) for p in public}
        pages = Pages(org, interfaces, existing)
        files = render_pages(env, pages, public, imprints, clinics)
        files[f"{SITE}/site.css"] = _read_template_file(root / TEMPLATES / "site.css", root)
        feed = atom_feed(org, pages, items, set(files), org.default_lang)
        problems = feed_problems(feed)
        if problems:  # a bug, never the user's input: stop before publishing it
            raise AssertionError(f"the Atom feed is invalid: {'; '.join(problems)}")
        files[FEED] = feed
        for relpath in sorted(files):
            folder.write(relpath, files[relpath])
        folder.write(HISTORY, history_bytes(records))
        _remove_stale_pages(folder, files)
        record = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
        folder.write(WRITTEN, (json.dumps({"files": record}, indent=2) + "\n").encode())
    return SiteReport(sorted(files), placements, warnings)


def _read_template_file(path: Path, root: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read the catalog's style sheet: {error.strerror}",
            str(path.relative_to(root)),
            hint="restore styles/templates/site/ from the factsheet project",
        ) from None


def _environment(folder: Path) -> SandboxedEnvironment:
    if not (folder / "index.html.j2").is_file():
        raise InputError(
            "the catalog templates are missing",
            str(folder),
            hint="restore styles/templates/site/ from the factsheet project",
        )
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _remove_stale_pages(folder: OutputFolder, written: dict[str, bytes]) -> None:
    """Pages of a language or sheet no longer published must not stay reachable.

    Only files that the previous run recorded writing, still holding the bytes
    it wrote, are removed: output/site may be a link to a web folder that holds
    other people's files too.
    """
    for relpath, sha256 in _written_before(folder).items():
        if relpath not in written and folder.sha256(relpath) == sha256:
            folder.remove(relpath)


def _written_before(folder: OutputFolder) -> dict[str, str]:
    """What the previous `factsheet site` wrote (path -> sha256); {} if unknown."""
    try:
        files = json.loads((folder.root / WRITTEN).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {
        path: sha256
        for path, sha256 in files.items()
        if isinstance(path, str)
        and isinstance(sha256, str)
        and not PurePosixPath(path).is_absolute()
        and ".." not in PurePosixPath(path).parts
    }


def load_clinics(
    loader: Loader, policy: Policy, lines: LineMap, pdfs: list[Pdf]
) -> dict[str, Clinic | None]:
    """Every clinic with an imprint in the manifest: its file, or None when it is gone.

    A clinic that policy.yaml's publish.imprints names must exist.
    """
    folder = loader.sheets_dir / "_org" / "clinics"
    named = policy.publish.imprints if isinstance(policy.publish.imprints, list) else []
    for index, clinic_id in enumerate(named):
        if not (folder / f"{clinic_id}.yaml").is_file():
            raise InputError(
                f"publish.imprints: no clinic '{clinic_id}'",
                "sheets/_org/policy.yaml",
                lines.get(("publish", "imprints", index)),
                hint=f"add sheets/_org/clinics/{clinic_id}.yaml (factsheet imprint FILE) "
                "or remove it from the list",
            )
    clinics: dict[str, Clinic | None] = {}
    for clinic_id in sorted({pdf.imprint for pdf in pdfs if pdf.imprint}):
        path = folder / f"{clinic_id}.yaml"
        if not path.is_file() or not clinic_is_public(clinic_id, policy.publish):
            clinics[clinic_id] = None
            continue
        clinics[clinic_id] = loader.load_clinic(path, policy)[0]
    return clinics


def _interfaces(
    loader: Loader, blocks: dict[str, Blocks], langs: set[str], home: str
) -> tuple[dict[str, Interface], list[str]]:
    """Each language's strings; a language without a catalog section borrows (with a warning)."""
    shown = loader.display(loader.sheets_dir / "_org" / "blocks" / f"{home}.yaml")
    if home not in blocks or blocks[home].catalog is None:
        raise InputError(
            f"the default language {home} has no catalog: section",
            shown,
            hint="the catalog's strings come from it; see README.md, 'For clinics'",
        )
    interfaces = {lang: Interface(blocks, lang, home) for lang in sorted(langs)}
    warnings = [
        f"{loader.display(loader.sheets_dir / '_org' / 'blocks' / f'{lang}.yaml')}: warning: "
        f"no catalog: section, so the {lang} pages show the {home} strings "
        f"(hint: copy the catalog: section of {home}.yaml and translate it)"
        for lang, ui in interfaces.items()
        if ui.borrowed
    ]
    return interfaces, warnings


def _sheet_pages(public: list[Pdf], home: str) -> set[str]:
    """A page per sheet in the default language, and one in each language it has."""
    pages = set()
    for pdf in public:
        pages.add(sheet_page(pdf.slug, home, home))
        pages.add(sheet_page(pdf.slug, pdf.lang, home))
    return pages


# -- pages ------------------------------------------------------------------------------


def render_pages(
    env: SandboxedEnvironment,
    pages: Pages,
    public: list[Pdf],
    imprints: dict[str, list[Pdf]],
    clinics: dict[str, Clinic | None],
) -> dict[str, bytes]:
    """Every HTML page of the catalog, by path relative to the output folder."""
    org, home = pages.org, pages.home
    langs = sorted({pdf.lang for pdf in public}, key=pages.order)
    slugs = sorted({pdf.slug for pdf in public})
    written: dict[str, bytes] = {}

    def render(template: str, path: str, lang: str, current: str, **context) -> None:
        prefix = "../" * path.count("/")
        page = {
            "lang": lang,
            "dir": direction(lang),
            "prefix": prefix,
            "current": current,
            "org": org,
            "ui": pages.ui(lang),
            "languages": [pages.language(tag, prefix) for tag in langs],
            "fold_table": FOLD_TABLE,
            "alternates": [],
        }
        page.update(context)
        try:
            html = env.get_template(template).render(**page)
        except TemplateError as error:
            raise InputError(f"template error: {error}", str(TEMPLATES / template)) from None
        written[path] = html.encode()

    def search(lang: str, groups: list) -> dict | None:
        """The search form's strings (counts 1..N precomputed: CLDR plurals, not the browser's)."""
        if not groups:
            return None
        ui = pages.ui(lang)
        example = groups[0].sheet_id
        return {
            "matches": [""] + [ui.plural("matches", n).text for n in range(1, len(groups) + 1)],
            "no_match": ui.no_match.text,
            "hint": ui.format("search_hint", example=example),
        }

    clinic_links = [
        ClinicLink(clinic_id, clinics[clinic_id].name, clinic_page(clinic_id))
        for clinic_id in imprints
    ]
    groups = pages.sheets(public, "", home)
    render(
        "index.html.j2",
        "index.html",
        home,
        "index",
        sheets=groups,
        search=search(home, groups),
        clinics=clinic_links,
    )
    for lang in langs:
        path = lang_page(lang)
        groups = pages.sheets([pdf for pdf in public if pdf.lang == lang], "../", lang)
        render(
            "lang.html.j2",
            path,
            lang,
            lang,
            language=pages.language(lang, "../"),
            sheets=groups,
            search=search(lang, groups),
        )
    for slug in slugs:
        mine = [pdf for pdf in public if pdf.slug == slug]
        sheet_langs = sorted({home, *(pdf.lang for pdf in mine)}, key=pages.order)
        for lang in sheet_langs:
            path = sheet_page(slug, lang, home)
            alternates = [
                Language(tag, "", "", f"../../{sheet_page(slug, tag, home)}")
                for tag in sheet_langs
                if tag != lang
            ]
            render(
                "sheet.html.j2",
                path,
                lang,
                slug,
                sheet=pages.sheet(mine, "../../", lang),
                alternates=alternates,
            )
    for clinic_id, found in imprints.items():
        groups = pages.sheets(found, "../../", home)
        render(
            "clinic.html.j2",
            clinic_page(clinic_id),
            home,
            clinic_id,
            clinic=clinics[clinic_id],
            sheets=groups,
            search=search(home, groups),
        )
    return written
