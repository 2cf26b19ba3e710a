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

from ..errors import FactsheetError, InputError, printable, raise_all

#: No source file needs deeper YAML; deeper input would exhaust the recursive composer.
MAX_YAML_DEPTH = 32

M = TypeVar("M", bound=BaseModel)


class LineMap(dict):
    """Key path -> line of the key, as a dict; it also knows where each key and
    value starts on its line (so that an error can put a caret under it) and
    the line where the document ends (where a missing key should go)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_columns: dict[tuple, int] = {}
        self.value_columns: dict[tuple, int] = {}
        self.end: int | None = None


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


def parse_yaml(
    text: str, display: str, first_line: int = 1, end_line: int | None = None
) -> tuple[Any, LineMap]:
    """Parse YAML safely; return the data and a map from key path to line number.

    ``first_line`` is the file line of the text's first line (front matter starts
    after the opening ``---``); ``end_line`` the line where the document ends
    (front matter: its closing ``---``; default: the text's last line).
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
        column = mark.column + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        start = error.context_mark
        if error.problem and error.context and start and mark and start.line != mark.line:
            # An unclosed bracket or quote is found lines later: name where it began.
            problem += f" ({error.context} that starts on line {start.line + 1 + offset})"
        hint = "check indentation, colons and quotes"
        if "could not determine a constructor" in str(error):
            problem = "custom YAML tags are not allowed"
            hint = "remove the '!' tag; write a plain value"
        elif isinstance(error, _BadDate):
            hint = "write dates as YYYY-MM-DD, a day that exists"
        raise InputError(f"YAML: {problem}", display, line, hint=hint, column=column) from None
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
    lines = LineMap()
    lines.end = end_line or first_line + max(0, text.rstrip("\n").count("\n"))
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
                    column=key.start_mark.column + 1,
                )
            seen[key.value] = line
            child = (*path, key.value)
            _map_lines(value, child, lines, offset, display)
            lines[child] = line
            if isinstance(lines, LineMap):
                lines.key_columns[child] = key.start_mark.column + 1
                lines.value_columns[child] = value.start_mark.column + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, offset, display)
            if isinstance(lines, LineMap):
                lines.value_columns[(*path, index)] = item.start_mark.column + 1


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
    """Validate data against a pydantic model; every problem becomes an InputError
    (several are raised together as InputErrors, one line each)."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise_all(input_errors(model, error, display, lines, what))
        raise AssertionError("unreachable") from None


def input_errors(
    model: type[BaseModel], error: ValidationError, display: str, lines: LineMap, what: str
) -> list[FactsheetError]:
    """One InputError per problem pydantic found, in file order, without repeats."""
    problems = error.errors(include_url=False)
    misspelt = _misspellings(model, problems)
    out: list[tuple[int, int, FactsheetError]] = []
    seen: set[tuple] = set()
    for order, problem in enumerate(problems):
        loc = _clean_loc(problem["loc"])
        if problem["type"] == "missing" and loc in misspelt:
            continue  # the misspelt key's own error explains it
        if loc in seen:
            continue  # a union reports each of its members; one is enough
        seen.add(loc)
        found = _to_input_error(model, problem, loc, display, lines, what)
        out.append((found.line or 0, order, found))
    return [found for _, _, found in sorted(out, key=lambda item: item[:2])]


def _clean_loc(loc: tuple) -> tuple:
    """A location without pydantic's union member and validator names."""
    return tuple(
        part for part in loc if isinstance(part, int) or not str(part).startswith("function-")
    )


def _misspellings(model: type[BaseModel], problems: list[dict]) -> set[tuple]:
    """Locations of missing keys that an unknown key nearby is a misspelling of."""
    out = set()
    for problem in problems:
        if problem["type"] != "extra_forbidden":
            continue
        loc = _clean_loc(problem["loc"])
        close = difflib.get_close_matches(
            str(loc[-1]), _known_keys(model, loc[:-1]), n=1, cutoff=0.6
        )
        if close:
            out.add((*loc[:-1], close[0]))
    return out


def _to_input_error(
    model: type[BaseModel], problem: dict, loc: tuple, display: str, lines: LineMap, what: str
) -> InputError:
    ctx = problem.get("ctx") or {}
    if ctx.get("at"):  # a check on several keys names the one to point at
        loc = (*loc, ctx["at"])
    line = line_of(lines, loc)
    where = printable(".".join(str(part) for part in loc)) or what
    kind = problem["type"]
    key_columns = getattr(lines, "key_columns", {})
    value_columns = getattr(lines, "value_columns", {})
    if kind == "extra_forbidden":
        key = printable(str(loc[-1]))
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
        return InputError(
            f"unknown key '{key}' in {what}", display, line, hint, key_columns.get(loc)
        )
    if kind == "missing":
        return _missing_key(model, loc, where, display, lines, what)
    message = problem["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    value = problem.get("input")
    shown = f" (got {printable(repr(value))})" if isinstance(value, str | int | float) else ""
    hint = printable(ctx["hint"]) if ctx.get("hint") else None
    return InputError(
        f"{where}: {printable(message)}{shown}", display, line, hint, value_columns.get(loc)
    )


def _missing_key(
    model: type[BaseModel], loc: tuple, where: str, display: str, lines: LineMap, what: str
) -> InputError:
    """A missing key points where it should go, with an example line to add."""
    key = str(loc[-1])
    example = _example(model, loc)
    line_text = f"{key}: {example}" if example is not None else f"{key}: ..."
    end = getattr(lines, "end", None)
    if len(loc) == 1 and end:
        place = "before the closing '---'" if what == "front matter" else "at the end of the file"
        return InputError(
            f"missing required key '{where}' in {what}",
            display,
            end,
            hint=f"add a line '{line_text}' {place}",
            column=1,
        )
    parent = printable(".".join(str(part) for part in loc[:-1]))
    return InputError(
        f"missing required key '{where}' in {what}",
        display,
        line_of(lines, loc),
        hint=f"add '{line_text}' under {parent}",
    )


def _example(model: type[BaseModel], loc: tuple) -> str | None:
    """The first example the model gives for the field at ``loc``, as YAML text."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    field = getattr(current, "model_fields", {}).get(loc[-1])
    if field is None:
        for candidate in getattr(current, "model_fields", {}).values():
            if candidate.alias == loc[-1]:
                field = candidate
    if field is None or not field.examples:
        return None
    return str(field.examples[0])


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
