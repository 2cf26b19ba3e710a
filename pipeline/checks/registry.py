"""The rule registry: every rule id with its default severity, and Findings.

Every rule has a stable id (used in reports and in policy.yaml to tune its
severity) and is registered here with its default severity and a one-line
description (the README's rule table lists the same registry; a test keeps
them in step).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, replace

from ..errors import FactsheetError, InputError, printable, raise_all
from ..source.model import Policy, Project


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # default: error | warning
    scope: str  # source | pdf | brand | translation
    summary: str
    #: False for a rule policy.yaml may not turn down (a sheet that cannot be read).
    tunable: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str
    line: int | None
    message: str
    hint: str | None = None
    page: int | None = None
    #: The translation unit a finding is about, when there is one (its id).
    unit: str | None = None

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}"
        if self.page:
            return f"{self.path} (page {self.page})"
        return self.path

    def as_dict(self) -> dict:
        return asdict(self)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, scope: str, summary: str, tunable: bool = True) -> str:
    """Register a rule; returns its id so modules can keep it in a constant."""
    RULES[rule_id] = Rule(rule_id, severity, scope, summary, tunable)
    return rule_id


def finding(
    rule_id: str,
    path: str,
    line: int | None,
    message: str,
    hint: str | None = None,
    page: int | None = None,
    unit: str | None = None,
) -> Finding:
    return Finding(rule_id, RULES[rule_id].severity, path, line, message, hint, page, unit)


def apply_policy(findings: list[Finding], policy: Policy, lang: str | None) -> list[Finding]:
    """Set each finding's severity from policy.yaml; drop the rules turned off."""
    out = []
    for item in findings:
        known = RULES.get(item.rule)
        if known is not None and not known.tunable:
            out.append(item)
            continue
        severity = policy.severity_for(item.rule, lang, item.severity)
        if severity != "off":
            out.append(replace(item, severity=severity))
    return out


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    return any(f.severity == "error" or (strict and f.severity == "warning") for f in findings)


def check_policy_rules(project: Project) -> None:
    """Refuse a rule id in policy.yaml that no rule has (a typo would silently do nothing).

    Call it once the rule modules are imported (importing pipeline.checks does that).
    """
    policy = project.policy
    tuned = [(("severity", rule_id), rule_id) for rule_id in policy.severity] + [
        (("languages", lang, "severity", rule_id), rule_id)
        for lang, override in policy.languages.items()
        for rule_id in override.severity
    ]
    errors: list[FactsheetError] = []
    for key, rule_id in tuned:
        if rule_id in RULES and not RULES[rule_id].tunable:
            errors.append(
                InputError(
                    f"rule '{rule_id}' cannot be tuned",
                    "sheets/_org/policy.yaml",
                    project.policy_lines.get(key),
                    hint="it reports input that cannot be read, which cannot be built; "
                    "fix the input",
                )
            )
        elif rule_id not in RULES:
            close = difflib.get_close_matches(rule_id, sorted(RULES), n=1)
            errors.append(
                InputError(
                    f"unknown rule id '{printable(rule_id)}'",
                    "sheets/_org/policy.yaml",
                    project.policy_lines.get(key),
                    hint=f"did you mean '{close[0]}'?" if close else "README.md lists the rule ids",
                )
            )
    raise_all(errors)
