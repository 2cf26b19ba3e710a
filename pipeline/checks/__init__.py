"""Compliance checks: rules that return Findings, and the gate that applies them.

One module per concern: source.py (the sheet as written), contacts.py (every
phone number, email and link, wherever written), translation.py (a
translation against its source), brand.py (colours and sizes), pdf_content.py
(what the PDF says), fidelity.py (what it says is the sheet's text, in order),
pdfua.py (how the PDF is built for assistive technology), packet.py (a packet,
sheet by sheet), review.py (unreadable sheets, approvals, draft marks, scaffold
placeholders). readpdf.py and pdftext.py read a produced PDF back;
gate.py applies the rules and the policy; report.py renders findings.
Importing this package registers every rule (registry.RULES).
"""

from __future__ import annotations

from . import (  # noqa: F401  (registers rules)
    brand,
    contacts,
    fidelity,
    pagefill,
    pdf_content,
    pdf_links,
    pdfua,
    review,
    source,
    translation,
    visible,
)
from .registry import (
    RULES,
    Finding,
    Rule,
    apply_policy,
    check_policy_rules,
    finding,
    has_errors,
    rule,
)

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "apply_policy",
    "check_policy_rules",
    "finding",
    "has_errors",
    "rule",
]
