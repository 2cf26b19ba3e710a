"""The package keeps one room per stage: imports flow down the pipeline, never up,
and no two modules import each other (directly or round a circle).

The stages, in data-flow order (pipeline/__init__.py draws them):
source -> render -> checks -> translate -> build -> publish -> commands.
A module may import its own stage and the stages before it; errors.py and the
package root (the version) are open to every stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "pipeline"
STAGES = ["source", "render", "checks", "translate", "build", "publish", "commands"]
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every pipeline module ``name`` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pipeline"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("pipeline"):
                continue
            for alias in node.names:  # `from . import brand` names a module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return {module for module in found if module != name}


def stage_of(module: str) -> int | None:
    """The stage's rank, or None for the open modules (root, errors, __main__)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in STAGES:
        return None
    return STAGES.index(parts[1])


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def test_every_module_belongs_to_a_stage() -> None:
    open_modules = {"pipeline", "pipeline.errors", "pipeline.__main__"}
    homeless = [m for m in all_modules() if stage_of(m) is None and m not in open_modules]
    assert homeless == []


def test_no_import_runs_up_the_pipeline() -> None:
    upward = []
    for module, targets in graph().items():
        own = stage_of(module)
        if own is None:
            continue
        for target in targets:
            other = stage_of(target)
            if other is not None and other > own:
                upward.append(f"{module} imports {target}")
    assert upward == []


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules round it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circles() -> None:
    assert find_cycle(graph()) is None


def test_the_checks_catch_what_they_name(tmp_path: Path) -> None:
    """The guards above must fail on a circle and on an upward import."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    upward = tmp_path / "fake.py"
    upward.write_text("def f():\n    from ..build.engine import build\n    from . import model\n")
    known = {"pipeline.build.engine", "pipeline.source.model"}
    found = imports_of("pipeline.source.fake", upward, known)
    assert found == known
    assert stage_of("pipeline.build.engine") > stage_of("pipeline.source.fake")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_stay_small_or_say_why(path: Path) -> None:
    """A module over 400 lines says in its docstring why ("over 400 lines: ...")."""
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines > MAX_LINES:
        docstring = ast.get_docstring(ast.parse(text)) or ""
        assert "over 400 lines" in docstring.lower(), f"{path.name}: {lines} lines, no reason given"
