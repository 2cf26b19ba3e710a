"""sheets/ + styles/ -> the validated model. The only module that reads them.

Every problem becomes an InputError naming the file and line, with a hint.
Nothing outside the project's sheets/ and styles/ folders is ever read: image
paths are resolved here, symlinks included, and refused if they lead out.

One bad sheet never stops the others: each sheet file's problems (all of
them, front matter and body) are kept with it as a BrokenSheet, which fails
its own jobs and checks. Shared files (org, policy, blocks, brand) are needed
by every sheet, so their problems stop the run, all listed at once; so does a
sheet folder whose name is not a slug (no sheet of it could fail on its own).

Over 400 lines: the design makes this the one module that reads sheets/ and
styles/, so every kind of source file (org, policy, blocks, brand, clinics,
packets, sheets with their parse cache, review logs) is read here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from ..errors import FactsheetError, InputError, each_error, raise_all
from .atomic import STATE, clean_temp, recover
from .callouts import DEFAULT_CALLOUTS
from .catalog import plural_problem
from .files import read_text
from .ids import refuse_duplicate_ids
from .images import check_image
from .linebreak import guard_for
from .markdown import parse_body, render_inline
from .model import (
    Approval,
    Blocks,
    Brand,
    BrokenSheet,
    Clinic,
    FrontMatter,
    Org,
    Packet,
    Policy,
    Project,
    ReviewLog,
    Sheet,
    Snapshot,
)
from .parsecache import ParseCache, default_folder
from .reviews import REVIEW_LOG
from .snapshots import parse_snapshot, snapshot_path
from .units import BLOCK_NAMES
from .yamlfile import LineMap, parse_yaml, validate

T = TypeVar("T")

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest folder upwards holding sheets/_org/org.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "sheets" / "_org" / "org.yaml").is_file():
            return folder
    raise InputError(
        "no factsheet project here",
        str(start or "."),
        hint="run inside a folder with sheets/_org/org.yaml, or pass --project DIR",
    )


class Loader:
    """Loads one project; keeps the root so every path shown is relative to it."""

    def __init__(self, root: Path, cache: ParseCache | None = None) -> None:
        self.root = root.resolve()
        self.sheets_dir = self.root / "sheets"
        self.styles_dir = self.root / "styles"
        self.cache = cache if cache is not None else ParseCache(default_folder())

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # -- YAML files -----------------------------------------------------------

    def _yaml_lines(self, path: Path, model, what: str):
        """A YAML file validated against ``model``, with the line of every key."""
        shown = self.display(path)
        if not path.is_file():
            raise InputError(f"{what} is missing", shown, hint=f"create {shown}")
        self._inside(path, shown, 1)
        data, lines = parse_yaml(read_text(path, shown), shown)
        if data is not None and not isinstance(data, dict):
            raise InputError(f"{what} must be a mapping of keys to values", shown, 1)
        return validate(model, data, shown, lines, what), lines

    def _yaml(self, path: Path, model, what: str):
        return self._yaml_lines(path, model, what)[0]

    def load_org(self) -> Org:
        return self._yaml(self.sheets_dir / "_org" / "org.yaml", Org, "org.yaml")

    def load_policy(self) -> tuple[Policy, LineMap]:
        """policy.yaml and the line of every key (rule ids are checked where the
        rule registry lives: pipeline.checks.registry.check_policy_rules)."""
        path = self.sheets_dir / "_org" / "policy.yaml"
        if not path.is_file():
            return Policy(), {}
        return self._yaml_lines(path, Policy, "policy.yaml")

    def load_brand(self, name: str) -> tuple[Brand, Path]:
        folder = self.styles_dir / name
        brand = self._yaml(folder / "brand.yaml", Brand, "brand.yaml")
        return brand, folder

    def load_blocks(
        self, org: Org | None = None, policy: Policy | None = None
    ) -> tuple[dict[str, Blocks], dict[str, dict[str, str]]]:
        """Every blocks/<lang>.yaml; the problems of all of them are raised together.

        With ``org`` the texts are kept whole around its names and contacts
        (linebreak.py); without it (org.yaml broken) they are only checked.
        """
        folder = self.sheets_dir / "_org" / "blocks"
        blocks: dict[str, Blocks] = {}
        bodies: dict[str, dict[str, str]] = {}
        self.block_lines: dict[str, LineMap] = {}
        errors: list[FactsheetError] = []
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            try:
                block, body, lines = self._load_block(path, org, policy or Policy())
            except FactsheetError as error:
                errors.extend(each_error(error))
                continue
            blocks[block.lang] = block
            bodies[block.lang] = body
            self.block_lines[block.lang] = lines
        raise_all(errors)
        return blocks, bodies

    def _load_block(
        self, path: Path, org: Org | None, policy: Policy
    ) -> tuple[Blocks, dict[str, str], LineMap]:
        """A blocks file, from the parse cache when its text and everything its
        parsing takes from org and policy (the names kept whole) are unchanged."""
        shown = self.display(path)
        text = read_text(path, shown)
        kept = "-" if org is None else _guarded(org, policy)
        key = ParseCache.key("blocks", shown, text, kept)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        loaded = self._parse_block(text, path, shown, org, policy)
        self.cache.put(key, loaded)
        return loaded

    def _parse_block(
        self, text: str, path: Path, shown: str, org: Org | None, policy: Policy
    ) -> tuple[Blocks, dict[str, str], LineMap]:
        data, lines = parse_yaml(text, shown)
        block = validate(Blocks, data, shown, lines, "shared blocks")
        _named_after_lang(block.lang, path, shown, lines)
        problem = plural_problem(block.catalog, block.lang) if block.catalog else None
        if problem is not None:
            key, message = problem
            raise InputError(
                message,
                shown,
                lines.get(key),
                hint="write one line per CLDR plural category; {count} is the number",
            )
        guard = guard_for(org, policy, block.lang) if org is not None else None
        body = {
            name: render_inline(getattr(block, name), shown, lines.get((name,), 1), guard)[0]
            for name in BLOCK_NAMES
            if getattr(block, name) is not None
        }
        return block, body, lines

    # -- snapshots of the source a translation was made from -------------------

    def load_snapshot(self, path: Path, policy: Policy) -> Snapshot | None:
        """A translation's source snapshot (written by `translate import`), if there is one."""
        if not path.exists():
            return None
        shown = self.display(path)
        self._inside(path, shown, 1)
        # A snapshot holds one sheet's units as JSON: a few times the sheet at most.
        return parse_snapshot(read_text(path, shown, 4 * policy.limits.max_sheet_bytes), shown)

    # -- clinics and packets ----------------------------------------------------

    def load_clinic(self, path: Path, policy: Policy) -> tuple[Clinic, str | None]:
        """A clinic's file (sheets/_org/clinics/<id>.yaml) and its logo's URL, if it has one.

        The logo is checked like a sheet image: inside the project, a real image
        of a supported type, under the size limit.
        """
        clinic, lines = self._yaml_lines(path, Clinic, "clinic")
        logo_url = None
        if clinic.logo is not None:
            line = lines.get(("logo",), 1)
            logo_url = self.image_url(path.parent, clinic.logo, self.display(path), line, policy)
        return clinic, logo_url

    def load_packet(self, path: Path) -> tuple[Packet, LineMap]:
        """A packet file (sheets/_packets/<name>.yaml); lines let callers point at a slug."""
        return self._yaml_lines(path, Packet, "packet")

    # -- sheets ---------------------------------------------------------------

    def sheet_folders(self) -> list[Path]:
        return [
            folder
            for folder in sorted(self.sheets_dir.iterdir())
            if folder.is_dir() and not folder.name.startswith(("_", "."))
        ]

    def sheet_files(self) -> list[Path]:
        return [path for folder in self.sheet_folders() for path in sorted(folder.glob("*.md"))]

    def _not_a_slug(self, folder: Path) -> InputError:
        return InputError(
            f"'{folder.name}' is not a valid sheet slug",
            self.display(folder),
            hint="use lower-case letters, digits and hyphens",
        )

    def load_sheet(
        self,
        path: Path,
        org: Org,
        policy: Policy,
        callouts: tuple[str, ...] = DEFAULT_CALLOUTS,
    ) -> Sheet:
        shown = self.display(path)
        if not SLUG.match(path.parent.name):
            raise self._not_a_slug(path.parent)
        self._inside(path, shown, 1)
        text = read_text(path, shown, policy.limits.max_sheet_bytes)
        return self.sheet_from_text(path, text, org, policy, callouts)

    def sheet_from_text(
        self,
        path: Path,
        text: str,
        org: Org,
        policy: Policy,
        callouts: tuple[str, ...] = DEFAULT_CALLOUTS,
    ) -> Sheet:
        """A sheet from text that will live at ``path`` (used by translation import).

        Every problem is reported, front matter and body alike (InputErrors). A
        sheet parsed before with the same text, place and options (the brand's
        callout kinds among them) comes from the parse cache; its images are
        checked again all the same.
        """
        shown = self.display(path)
        key = ParseCache.key(
            "sheet",
            shown,
            text,
            org.publish_base_url,
            policy.limits.model_dump_json(),
            ",".join(callouts),
            _guarded(org, policy),
        )
        cached = self.cache.get(key)
        if cached is not None:  # images may have changed without the text: check them
            front, lines, body, known = cached
            again = {self.image_url(path.parent, i.src, shown, i.line, policy) for i in body.images}
            if again == known:
                return self._sheet(path, shown, front, lines, body, text)
        urls: set[str] = set()

        def resolve_image(src: str, line: int) -> str:
            url = self.image_url(path.parent, src, shown, line, policy)
            urls.add(url)
            return url

        front, lines, body = self._parse_sheet(
            path, text, org, policy, shown, resolve_image, callouts
        )
        self.cache.put(key, (front, lines, body, urls))
        return self._sheet(path, shown, front, lines, body, text)

    @staticmethod
    def _sheet(path: Path, shown: str, front, lines, body, text: str) -> Sheet:
        return Sheet(
            slug=path.parent.name,
            path=path,
            display=shown,
            front=front,
            front_lines=lines,
            body=body,
            source_text=text,
        )

    def _parse_sheet(
        self,
        path: Path,
        text: str,
        org: Org,
        policy: Policy,
        shown: str,
        resolve_image,
        callouts: tuple[str, ...],
    ):
        """Front matter and body of a sheet's text, validated: every problem of
        both is raised together (InputErrors)."""
        front_text, body_text, body_line = split_front_matter(text, shown)
        errors: list[FactsheetError] = []
        front = None
        lines = LineMap()
        try:
            data, lines = parse_yaml(front_text, shown, first_line=2, end_line=body_line - 1)
            if not isinstance(data, dict):
                raise InputError("front matter must be a mapping of keys to values", shown, 2)
            front = validate(FrontMatter, data, shown, lines, "front matter")
            _named_after_lang(front.lang, path, shown, lines)
        except FactsheetError as error:
            errors.extend(each_error(error))
        body = None
        if not body_text.strip():
            errors.append(
                InputError(
                    "the sheet has no body",
                    shown,
                    body_line,
                    hint="write the sheet below the front matter",
                )
            )
        else:
            lang = front.lang if front else path.stem
            base = org.publish_base_url.rstrip("/")
            try:
                body = parse_body(
                    body_text,
                    shown,
                    body_line,
                    resolve_link=lambda target: f"{base}/{lang}/{target}.pdf",
                    resolve_image=resolve_image,
                    limits=policy.limits,
                    callouts=callouts,
                    guard=guard_for(org, policy, lang),
                )
            except FactsheetError as error:
                errors.extend(each_error(error))
        raise_all(errors)
        assert front is not None and body is not None
        return front, lines, body

    def _front_as_written(self, path: Path, policy: Policy) -> dict:
        """A broken sheet's front matter as far as it reads (its id, for one), unvalidated;
        empty when even that cannot be read."""
        shown = self.display(path)
        try:
            self._inside(path, shown, 1)
            text = read_text(path, shown, policy.limits.max_sheet_bytes)
            front_text, _, body_line = split_front_matter(text, shown)
            data, _ = parse_yaml(front_text, shown, first_line=2, end_line=body_line - 1)
        except FactsheetError:
            return {}
        return data if isinstance(data, dict) else {}

    def load_review_log(self, folder: Path) -> tuple[Approval, ...]:
        """A sheet's review log (sheets/<slug>/reviews.yaml); none yet is an empty log."""
        path = folder / REVIEW_LOG
        if not path.exists():
            return ()
        shown = self.display(path)
        self._inside(path, shown, 1)
        data, lines = parse_yaml(read_text(path, shown), shown)
        if data is not None and not isinstance(data, dict):
            raise InputError("the review log must be a mapping with 'approvals:'", shown, 1)
        return tuple(validate(ReviewLog, data, shown, lines, "review log").approvals)

    # -- files a sheet points at ------------------------------------------------

    def _inside(self, path: Path, shown: str, line: int | None, what: str = "file") -> Path:
        """The real path, refused if it (or a symlink on the way) leads out of the project."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            raise InputError(
                f"cannot follow the symlink {path.name}",
                shown,
                line,
                hint="a symlink that leads to itself; replace it with the file",
            ) from None
        if not (
            real.is_relative_to(self.sheets_dir.resolve())
            or real.is_relative_to(self.styles_dir.resolve())
        ):
            raise InputError(
                f"{what} lies outside the project's sheets/ and styles/ folders",
                shown,
                line,
                hint="copy the file into the project; links leading out are refused",
            )
        return real

    def image_url(self, folder: Path, src: str, shown: str, line: int, policy: Policy) -> str:
        """Check an image reference and return the URL the renderer fetches it by.

        The URL is relative to the sheets folder, the renderer's base URL (RFC 3986
        section 5.2 resolves it), so a parsed sheet holds no absolute path and its
        parse cache entry serves the same project unpacked anywhere else: a
        cluster worker's snapshot, a moved checkout."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
            raise InputError(
                f"image '{src}' is not a relative path inside the project",
                shown,
                line,
                hint="put the image next to the sheet and write its file name",
            )
        real = self._inside(folder / src, shown, line, f"image '{src}'")
        check_image(real, src, shown, line, policy)
        return quote(os.path.relpath(real, self.sheets_dir).replace(os.sep, "/"))

    # -- everything -------------------------------------------------------------

    def _collect(self, errors: list[FactsheetError], load: Callable[[], T]) -> T | None:
        """``load()``, or None with its problems added to ``errors``."""
        try:
            return load()
        except FactsheetError as error:
            errors.extend(each_error(error))
            return None

    def load(self) -> Project:
        errors: list[FactsheetError] = []
        org = self._collect(errors, self.load_org)
        policy, policy_lines = self._collect(errors, self.load_policy) or (Policy(), {})
        # Blocks do not depend on org.yaml: their problems are listed with its.
        loaded_blocks = self._collect(errors, lambda: self.load_blocks(org, policy))
        loaded_brand = self._collect(errors, lambda: self.load_brand(org.brand)) if org else None
        raise_all(errors)  # shared files: every sheet needs them
        assert org is not None and loaded_blocks is not None and loaded_brand is not None
        blocks, bodies = loaded_blocks
        brand, brand_dir = loaded_brand
        project = Project(
            root=self.root,
            org=org,
            policy=policy,
            policy_lines=policy_lines,
            block_lines=self.block_lines,
            blocks=blocks,
            block_bodies=bodies,
            brand=brand,
            brand_dir=brand_dir,
        )
        for lang, block in blocks.items():
            if block.translation_of is not None:
                path = snapshot_path(self.root, "_org", lang)
                found = self._collect(errors, lambda p=path: self.load_snapshot(p, policy))
                if found is not None:
                    project.block_snapshots[lang] = found
        raise_all(errors)  # a shared block's snapshot is shared too
        callouts = tuple(brand.callouts)
        folders = self.sheet_folders()
        # A sheet's slug is its folder's name and names its PDFs, URLs and jobs: a
        # folder whose name is no slug holds no sheet that could fail on its own.
        # Like a shared file's problem it stops the run (every such folder listed),
        # so that it never vanishes silently (an empty one would).
        raise_all([self._not_a_slug(f) for f in folders if not SLUG.match(f.name)])
        for folder in folders:
            log_errors: list[FactsheetError] = []
            approvals = self._collect(log_errors, lambda f=folder: self.load_review_log(f))
            project.approvals[folder.name] = approvals or ()
            for path in sorted(folder.glob("*.md")):
                try:
                    sheet = self.load_sheet(path, org, policy, callouts)
                    raise_all(log_errors)
                    snapshot = None
                    if sheet.front.translation_of is not None:
                        where = snapshot_path(self.root, sheet.slug, sheet.lang)
                        snapshot = self.load_snapshot(where, policy)
                except FactsheetError as error:
                    said = self._front_as_written(path, policy)
                    sheet_id = said.get("id")
                    project.broken[(folder.name, path.stem)] = BrokenSheet(
                        folder.name,
                        path.stem,
                        path,
                        self.display(path),
                        tuple(each_error(error)),
                        sheet_id if isinstance(sheet_id, str) else None,
                        "translation_of" in said,
                    )
                    continue
                project.sheets[(sheet.slug, sheet.lang)] = sheet
                if snapshot is not None:
                    project.snapshots[(sheet.slug, sheet.lang)] = snapshot
        refuse_duplicate_ids(project)
        return project


def _guarded(org: Org, policy: Policy) -> str:
    """The names and phone region a text is kept whole around (linebreak.py), for a key."""
    guarded = guard_for(org, policy, "und")
    return repr((guarded.names, guarded.region))


def _named_after_lang(lang: str, path: Path, shown: str, lines: LineMap) -> None:
    """A file in one language is named after it: <slug>/<lang>.md, blocks/<lang>.yaml."""
    if lang != path.stem:
        raise InputError(
            f"lang '{lang}' does not match the file name '{path.name}'",
            shown,
            lines.get(("lang",)),
            hint=f"rename the file to {lang}{path.suffix} or fix lang",
            column=getattr(lines, "value_columns", {}).get(("lang",)),
        )


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Split ``---`` front matter from the body; return (yaml, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InputError(
            "no front matter",
            shown,
            1,
            hint="a sheet starts with a line '---', its YAML front matter, then '---'",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise InputError(
        "front matter is never closed",
        shown,
        1,
        hint="end the front matter with a line '---'",
    )


def load_project(root: Path) -> Project:
    """Load sheets/ and styles/ under ``root``, first undoing a write to sheets/ that
    a kill interrupted (a translation import: project_state()), so that no reader
    ever sees half of one."""
    state = project_state(root)
    if state.is_dir():
        recover(state)
        clean_temp(state / "tmp")
    return Loader(root).load()


def project_state(root: Path) -> Path:
    """Where writes to sheets/ keep their temp files and journal: .factsheet/ at the
    project root (the same file system as sheets/; never inside sheets/)."""
    return root.resolve() / STATE
