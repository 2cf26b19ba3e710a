"""YAML from untrusted source files, keeping the line of every key.

Why not plain ``yaml.safe_load``: we need the line of every key so that a schema
error can say ``file:line``, and we refuse anchors and aliases outright so that an
alias bomb ("billion laughs") never gets expanded by anything downstream.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputError, printable

#: No source file needs deeper YAML; deeper input would exhaust the recursive composer.
MAX_YAML_DEPTH = 32

LineMap = dict[tuple, int]
M = TypeVar("M", bound=BaseModel)


class _BadDate(yaml.constructor.ConstructorError):
    """A value that looks like a date but names a day that does not exist."""


# libyaml's parser when PyYAML has it (several times faster; same marks and errors).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeLoader(_BaseLoader):
    """SafeLoader that reports an impossible date (2026-02-30) as a YAML error with its line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise _BadDate(
                None, None, f"'{node.value}' is not a valid date ({error})", node.start_mark
            ) from None


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


def parse_yaml(text: str, display: str, first_line: int = 1) -> tuple[Any, LineMap]:
    """Parse YAML safely; return the data and a map from key path to line number.

    ``first_line`` is the file line of the text's first line (front matter starts
    after the opening ``---``).
    """
    offset = first_line - 1
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(
                    "YAML anchors and aliases are not allowed",
                    display,
                    event.start_mark.line + 1 + offset,
                    hint="write the value out in full",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise _too_deep(display, event.start_mark.line + 1 + offset)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + offset if mark else None
        if "nesting depth" in str(error):
            # PyYAML >= 6.0.4 stops very deep input itself, before our own count
            # sees it: the same problem, so the same message.
            raise _too_deep(display, line) from None
        problem = error.problem or error.context or "invalid YAML"
        hint = "check indentation, colons and quotes"
        if "could not determine a constructor" in str(error):
            problem = "custom YAML tags are not allowed"
            hint = "remove the '!' tag; write a plain value"
        elif isinstance(error, _BadDate):
            hint = "write dates as YYYY-MM-DD, a day that exists"
        raise InputError(f"YAML: {problem}", display, line, hint=hint) from None
    except yaml.reader.ReaderError as error:
        # Its str() spans two lines and names no line; point at the character instead.
        raise InputError(
            f"YAML: control character U+{error.character:04X} is not allowed",
            display,
            text[: error.position].count("\n") + first_line,
            hint="delete it; most editors do not show it",
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"YAML: {error}", display, first_line) from None
    lines: LineMap = {}
    if node is not None:
        _map_lines(node, (), lines, offset, display)
    return data, lines


def _too_deep(display: str, line: int | None) -> InputError:
    return InputError(
        f"YAML nests more than {MAX_YAML_DEPTH} levels deep",
        display,
        line,
        hint="no sheet or style file needs this; check the brackets",
    )


def _map_lines(node: yaml.Node, path: tuple, lines: LineMap, offset: int, display: str) -> None:
    """Record each key's line; refuse a key given twice (YAML would keep the last silently)."""
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1 + offset
            if key.value in seen:
                raise InputError(
                    f"key '{printable(key.value)}' appears twice (first on line {seen[key.value]})",
                    display,
                    line,
                    hint="keep one; YAML would silently use the last",
                )
            seen[key.value] = line
            child = (*path, key.value)
            _map_lines(value, child, lines, offset, display)
            lines[child] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, offset, display)


def line_of(lines: LineMap, path: tuple) -> int | None:
    """The line of the longest known prefix of ``path``."""
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def validate(
    model: type[M],
    data: Any,
    display: str,
    lines: LineMap,
    what: str,
    context: dict | None = None,
) -> M:
    """Validate data against a pydantic model; the first error becomes an InputError."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise _to_input_error(model, error, display, lines, what) from None


def _to_input_error(
    model: type[BaseModel], error: ValidationError, display: str, lines: LineMap, what: str
) -> InputError:
    errors = error.errors(include_url=False)
    # A misspelt key also shows up as a missing one; the misspelling explains both.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(first["loc"])
    line = line_of(lines, loc)
    where = printable(".".join(str(part) for part in loc)) or what
    kind = first["type"]
    hint = None
    if kind == "extra_forbidden":
        key = printable(str(loc[-1]))
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
        return InputError(f"unknown key '{key}' in {what}", display, line, hint)
    if kind == "missing":
        return InputError(f"missing required key '{where}' in {what}", display, line, hint="add it")
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    value = first.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
    return InputError(
        f"{where}: {message}{shown}", display, line, hint=first.get("ctx", {}).get("hint")
    )


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names (by alias) of the sub-model at ``loc``, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            for candidate in getattr(current, "model_fields", {}).values():
                if candidate.alias == part:
                    field = candidate
        if field is None:
            return []
        current = _inner_model(field.annotation)
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
