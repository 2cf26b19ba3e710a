"""Reporters: findings as text (grouped by file), JSON, or JUnit XML."""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from xml.etree import ElementTree as ET

from ..errors import printable, problem_line
from .registry import RULES, Finding


def use_colour(stream=None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "reset": "\033[0m", "bold": "\033[1m"}


def finding_line(item: Finding, severity: str | None = None, where: str | None = None) -> str:
    """One finding as one sanitised line (errors.problem_line); ``severity`` may be painted."""
    where = where or item.location
    return problem_line(where, severity or item.severity, item.message, item.rule, item.hint)


def capped(findings: list[Finding], limit: int) -> tuple[list[Finding], dict[str, int]]:
    """At most ``limit`` findings per file, errors first; and how many each file had beyond.

    Error output is bounded: a file with half a million problems prints the
    first ``limit`` (limits.max_findings_per_file) and "... and N more".
    """
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for item in findings:
        by_file[item.path].append(item)
    shown, more = [], {}
    for path, items in by_file.items():
        items = sorted(items, key=lambda f: (f.severity != "error", f.line or 0, f.page or 0))
        shown.extend(items[:limit])
        if len(items) > limit:
            more[path] = len(items) - limit
    return shown, more


def more_line(path: str, count: int) -> str:
    return f"{printable(path)}: ... and {count:,} more (limits.max_findings_per_file)"


def as_text(
    findings: list[Finding],
    colour: bool = False,
    checked: int | None = None,
    limit: int | None = None,
) -> str:
    """Findings grouped by file, at most ``limit`` per file, and a summary line."""

    def paint(text: str, name: str) -> str:
        return f"{_COLOURS[name]}{text}{_COLOURS['reset']}" if colour else text

    shown, more = capped(findings, limit) if limit else (findings, {})
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for item in shown:
        by_file[item.path].append(item)
    lines = []
    for path in sorted(by_file):
        lines.append(paint(printable(path), "bold"))
        for item in sorted(by_file[path], key=lambda f: (f.line or 0, f.page or 0, f.rule)):
            where = item.location if item.line or not item.page else f"{path} page {item.page}"
            lines.append("  " + finding_line(item, paint(item.severity, item.severity), where))
        if path in more:
            lines.append("  " + more_line(path, more[path]))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    summary = f"{errors} error(s), {warnings} warning(s)"
    if checked is not None:
        summary += f" in {checked} file(s) checked"
    lines.append(summary)
    return "\n".join(lines)


def as_json(findings: list[Finding], checked: list[str] | None = None) -> str:
    return json.dumps(
        {
            "checked": checked or [],
            "errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "findings": [f.as_dict() for f in findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def as_junit(findings: list[Finding], checked: list[str], strict: bool = False) -> str:
    """JUnit XML: one test suite per checked file, one test case per rule that ran.

    With ``strict`` a warning is a failure, as it is for the exit code.
    """
    suites = ET.Element("testsuites", name="factsheet check")
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for item in findings:
        by_file[item.path].append(item)
    total_failures = 0
    for path in sorted(set(checked) | set(by_file)):
        found = by_file.get(path, [])
        scope = "pdf" if path.endswith(".pdf") else "source"
        rule_ids = sorted(
            {r.id for r in RULES.values() if r.scope in (scope, "translation")}
            | {f.rule for f in found}
        )
        failures = 0
        suite = ET.SubElement(suites, "testsuite", name=path)
        for rule_id in rule_ids:
            case = ET.SubElement(suite, "testcase", classname=path, name=rule_id)
            for item in (f for f in found if f.rule == rule_id):
                tag = "failure" if item.severity == "error" or strict else "system-out"
                if tag == "failure":
                    failures += 1
                    node = ET.SubElement(case, "failure", message=item.message, type=item.severity)
                    node.text = f"{item.location}: {item.message}" + (
                        f"\nhint: {item.hint}" if item.hint else ""
                    )
                else:
                    node = ET.SubElement(case, "system-out")
                    node.text = f"warning: {item.location}: {item.message}"
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_failures += failures
    suites.set("tests", str(sum(int(s.get("tests")) for s in suites)))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
