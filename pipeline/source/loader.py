"""sheets/ + styles/ -> the validated model. The only module that reads them.

Every problem becomes an InputError naming the file and line, with a hint.
Nothing outside the project's sheets/ and styles/ folders is ever read: image
paths are resolved here, symlinks included, and refused if they lead out.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .atomic import STATE, clean_temp, recover
from .catalog import plural_problem
from .files import read_text
from .images import check_image
from .markdown import parse_body, render_inline
from .model import (
    Blocks,
    Brand,
    Clinic,
    FrontMatter,
    Org,
    Packet,
    Policy,
    Project,
    Sheet,
    Snapshot,
)
from .parsecache import ParseCache, default_folder
from .snapshots import parse_snapshot, snapshot_path
from .yamlfile import LineMap, parse_yaml, validate

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

    def load_blocks(self, org: Org) -> tuple[dict[str, Blocks], dict[str, dict[str, str]]]:
        """Every language's blocks and their rendered bodies (the line of every key
        is kept in ``self.block_lines``, so findings can point at one)."""
        folder = self.sheets_dir / "_org" / "blocks"
        blocks: dict[str, Blocks] = {}
        bodies: dict[str, dict[str, str]] = {}
        self.block_lines: dict[str, LineMap] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            shown = self.display(path)
            data, lines = parse_yaml(read_text(path, shown), shown)
            block = validate(Blocks, data, shown, lines, "shared blocks")
            if block.lang != path.stem:
                raise InputError(
                    f"lang '{block.lang}' does not match the file name '{path.name}'",
                    shown,
                    lines.get(("lang",)),
                    hint=f"rename the file to {block.lang}.yaml or fix lang",
                )
            problem = plural_problem(block.catalog, block.lang) if block.catalog else None
            if problem is not None:
                key, message = problem
                raise InputError(
                    message,
                    shown,
                    lines.get(key),
                    hint="write one line per CLDR plural category; {count} is the number",
                )
            blocks[block.lang] = block
            self.block_lines[block.lang] = lines
            bodies[block.lang] = {
                name: render_inline(getattr(block, name), shown, lines.get((name,), 1))[0]
                for name in ("disclaimer", "helpline_intro", "language_assistance", "review_note")
            }
        return blocks, bodies

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

    def sheet_files(self) -> list[Path]:
        files = []
        for folder in sorted(self.sheets_dir.iterdir()):
            if folder.name.startswith(("_", ".")) or not folder.is_dir():
                continue
            if not SLUG.match(folder.name):
                raise InputError(
                    f"'{folder.name}' is not a valid sheet slug",
                    self.display(folder),
                    hint="use lower-case letters, digits and hyphens",
                )
            files.extend(sorted(folder.glob("*.md")))
        return files

    def load_sheet(self, path: Path, org: Org, policy: Policy) -> Sheet:
        shown = self.display(path)
        self._inside(path, shown, 1)
        text = read_text(path, shown, policy.limits.max_sheet_bytes)
        return self.sheet_from_text(path, text, org, policy)

    def sheet_from_text(self, path: Path, text: str, org: Org, policy: Policy) -> Sheet:
        """A sheet from text that will live at ``path`` (used by translation import).

        A sheet parsed before with the same text, place and options comes from
        the parse cache; its images are checked again all the same.
        """
        shown = self.display(path)
        key = ParseCache.key(
            str(self.root), str(path), text, org.publish_base_url, policy.limits.model_dump_json()
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

        front, lines, body = self._parse_sheet(path, text, org, policy, shown, resolve_image)
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
        self, path: Path, text: str, org: Org, policy: Policy, shown: str, resolve_image
    ):
        """Front matter and body of a sheet's text, validated (InputError otherwise)."""
        front_text, body_text, body_line = split_front_matter(text, shown)
        data, lines = parse_yaml(front_text, shown, first_line=2)
        if not isinstance(data, dict):
            raise InputError("front matter must be a mapping of keys to values", shown, 2)
        front = validate(FrontMatter, data, shown, lines, "front matter")
        if front.lang != path.stem:
            raise InputError(
                f"lang '{front.lang}' does not match the file name '{path.name}'",
                shown,
                lines.get(("lang",)),
                hint=f"rename the file to {front.lang}.md or fix lang",
            )
        if not body_text.strip():
            raise InputError(
                "the sheet has no body",
                shown,
                body_line,
                hint="write the sheet below the front matter",
            )
        base = org.publish_base_url.rstrip("/")
        body = parse_body(
            body_text,
            shown,
            body_line,
            resolve_link=lambda target: f"{base}/{front.lang}/{target}.pdf",
            resolve_image=resolve_image,
            limits=policy.limits,
        )
        return front, lines, body

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
        """Check an image reference and return the file URL the renderer may fetch."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
            raise InputError(
                f"image '{src}' is not a relative path inside the project",
                shown,
                line,
                hint="put the image next to the sheet and write its file name",
            )
        real = self._inside(folder / src, shown, line, f"image '{src}'")
        check_image(real, src, shown, line, policy)
        return real.as_uri()

    # -- everything -------------------------------------------------------------

    def load(self) -> Project:
        org = self.load_org()
        policy, policy_lines = self.load_policy()
        blocks, bodies = self.load_blocks(org)
        brand, brand_dir = self.load_brand(org.brand)
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
                found = self.load_snapshot(snapshot_path(self.root, "_org", lang), policy)
                if found is not None:
                    project.block_snapshots[lang] = found
        ids: dict[str, Sheet] = {}
        for path in self.sheet_files():
            sheet = self.load_sheet(path, org, policy)
            other = ids.get(sheet.front.id)
            if other is not None and other.slug != sheet.slug:
                raise InputError(
                    f"id '{sheet.front.id}' is already used by {other.display}",
                    sheet.display,
                    sheet.line_of("id"),
                    hint="every sheet needs its own id",
                )
            ids.setdefault(sheet.front.id, sheet)
            project.sheets[(sheet.slug, sheet.lang)] = sheet
            if sheet.front.translation_of is not None:
                path = snapshot_path(self.root, sheet.slug, sheet.lang)
                found = self.load_snapshot(path, policy)
                if found is not None:
                    project.snapshots[(sheet.slug, sheet.lang)] = found
        return project


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
