"""The parse cache: a sheet parsed once is not parsed again until something it
depends on changes, and nothing it holds outlives a change to its inputs."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.errors import InputError
from pipeline.source import loader as loader_module
from pipeline.source.loader import Loader
from pipeline.source.parsecache import ParseCache

SHEET = "sheets/metastatic-breast-cancer/en.md"
# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def cache(tmp_path: Path) -> ParseCache:
    return ParseCache(tmp_path / "parsed")


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The sheets the loader parses (as opposed to taking from the cache)."""
    seen: list[str] = []
    real = loader_module.parse_body

    def counting(text, display, *args, **kwargs):
        seen.append(display)
        return real(text, display, *args, **kwargs)

    monkeypatch.setattr(loader_module, "parse_body", counting)
    return seen


def load(root: Path, cache: ParseCache):
    return Loader(root, cache).load()


def test_a_second_load_parses_nothing_and_gives_the_same_sheets(project_dir, cache, parses):
    first = load(project_dir, cache)
    count = len(parses)
    assert count == len(first.sheets) > 0
    second = load(project_dir, cache)
    assert len(parses) == count
    assert second.sheets == first.sheets


def test_an_edited_sheet_is_parsed_again_and_only_it(project_dir, cache, parses):
    load(project_dir, cache)
    parses.clear()
    sheet = project_dir / SHEET
    sheet.write_text(sheet.read_text().replace("## ", "## Edited ", 1))
    project = load(project_dir, cache)
    assert parses == [SHEET]
    assert (
        project.sheet("metastatic-breast-cancer", "en").body.headings[0].text.startswith("Edited")
    )


def test_a_policy_limit_that_parsing_uses_is_part_of_the_key(project_dir, cache, parses):
    load(project_dir, cache)
    parses.clear()
    policy = project_dir / "sheets/_org/policy.yaml"
    policy.write_text(policy.read_text().replace("max_list_depth: 4", "max_list_depth: 3"))
    project = load(project_dir, cache)
    assert len(parses) == len(project.sheets)


def test_an_image_that_broke_is_refused_although_the_sheet_did_not_change(
    project_dir, cache, parses
):
    sheet = project_dir / SHEET
    (sheet.parent / "dot.png").write_bytes(PIXEL)
    sheet.write_text(sheet.read_text() + "\n![A dot](dot.png)\n")
    load(project_dir, cache)
    parses.clear()
    (sheet.parent / "dot.png").write_bytes(b"GIF89a not a png")
    # The sheet fails on its own (per-sheet isolation), with the image's error.
    (error,) = load(project_dir, cache).broken[("metastatic-breast-cancer", "en")].errors
    assert isinstance(error, InputError) and "is not a PNG file" in error.message


def test_a_damaged_entry_is_a_miss(project_dir, cache, parses):
    load(project_dir, cache)
    for entry in cache.folder.iterdir():
        entry.write_bytes(entry.read_bytes()[:20])
    parses.clear()
    project = load(project_dir, cache)
    assert len(parses) == len(project.sheets)


def test_a_folder_others_can_write_to_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert ParseCache(shared).folder is None
    assert ParseCache(tmp_path / "own").folder == tmp_path / "own"


def test_an_empty_setting_turns_the_cache_off(project_dir, monkeypatch, parses):
    monkeypatch.setenv("FACTSHEET_CACHE_DIR", "")
    first = Loader(project_dir).load()
    Loader(project_dir).load()
    assert len(parses) == 2 * len(first.sheets)


def test_old_entries_go_when_there_are_too_many(cache):
    for number in range(30):
        cache.put(f"{number:064x}", number)
    cache.prune(keep=10)
    assert len(list(cache.folder.iterdir())) == 8  # pruned to four fifths of the limit


@pytest.fixture
def block_parses(monkeypatch) -> list[str]:
    """The blocks files the loader parses (as opposed to taking from the cache)."""
    seen: list[str] = []
    real = Loader._parse_block

    def counting(self, text, path, shown, org, policy):
        seen.append(shown)
        return real(self, text, path, shown, org, policy)

    monkeypatch.setattr(Loader, "_parse_block", counting)
    return seen


def test_shared_blocks_are_parsed_once_until_they_or_the_names_kept_whole_change(
    project_dir, cache, block_parses
):
    first = load(project_dir, cache)
    assert len(block_parses) == len(first.blocks) > 1
    block_parses.clear()
    second = load(project_dir, cache)
    assert block_parses == []
    assert (second.blocks, second.block_bodies) == (first.blocks, first.block_bodies)
    assert second.block_lines == first.block_lines
    blocks = project_dir / "sheets/_org/blocks/es.yaml"
    blocks.write_text(blocks.read_text().replace("Hable con nosotros", "Háblenos"))
    third = load(project_dir, cache)
    assert block_parses == ["sheets/_org/blocks/es.yaml"]
    assert third.blocks["es"].labels.help_title == "Háblenos"
    block_parses.clear()
    org = project_dir / "sheets/_org/org.yaml"
    org.write_text(org.read_text().replace("short_name: Harborlight", "short_name: Harbor Light"))
    load(project_dir, cache)
    assert len(block_parses) == len(first.blocks)  # every text keeps other names whole now


def test_the_same_project_in_another_folder_parses_nothing(project_dir, tmp_path, cache, parses):
    """The project's folder is not part of a key: a Dask worker loads the client's
    snapshot of the project from a folder of its own, and starts warm."""
    first = load(project_dir, cache)
    parses.clear()
    elsewhere = tmp_path / "elsewhere" / "project"
    shutil.copytree(project_dir, elsewhere)
    second = load(elsewhere, cache)
    assert parses == []
    for key, sheet in first.sheets.items():
        assert second.sheets[key].body == sheet.body
        assert second.sheets[key].path == elsewhere / sheet.path.relative_to(project_dir)


def dots_drawn(pdf: bytes) -> int:
    """Distinct 1x1 images drawn on the pages or in the forms they draw (an RGBA PNG
    is drawn through a form of its own), as a viewer finds them."""
    found: set[int] = set()

    def walk(resources) -> None:
        for reference in (resources or {}).get("/XObject", {}).values():
            xobject = reference.get_object()
            size = (xobject.get("/Width"), xobject.get("/Height"))
            if xobject["/Subtype"] == "/Image" and size == (1, 1):
                found.add(reference.idnum)
            elif xobject["/Subtype"] == "/Form":
                walk(xobject.get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return len(found)


def test_a_sheets_image_comes_from_the_folder_it_is_loaded_from(project_dir, tmp_path, cache):
    """An entry made in one folder and used in another draws the image of the second:
    the parsed body names images relative to sheets/, never by the first folder's path
    (which is gone here, so a stale absolute URL would fail the render)."""
    from pipeline.render.options import Options
    from pipeline.render.pdf import render_sheet

    sheet = project_dir / SHEET
    (sheet.parent / "dot.png").write_bytes(PIXEL)
    sheet.write_text(sheet.read_text().replace("## ", "![A dot](dot.png)\n\n## ", 1))
    slug, lang = "metastatic-breast-cancer", "en"
    before = load(project_dir, cache)
    assert dots_drawn(render_sheet(before, before.sheet(slug, lang), Options()).pdf) == 1
    elsewhere = tmp_path / "moved"
    shutil.move(project_dir, elsewhere)
    after = load(elsewhere, cache)
    assert after.sheet(slug, lang).body == before.sheet(slug, lang).body  # from the cache
    assert "dot.png" in after.sheet(slug, lang).body.html
    assert str(project_dir) not in after.sheet(slug, lang).body.html
    assert dots_drawn(render_sheet(after, after.sheet(slug, lang), Options()).pdf) == 1
