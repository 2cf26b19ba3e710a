"""When a word may be hyphenated at a line end: a policy per language, and its limit on lines.

Hyphenation evens a ragged column, but every added hyphen is a place where a
reader stumbles, and where a name, number or address could be misread. The
policy (CSS Text 4, 6.2 and 6.3):

- ``hyphenate-limit-chars``: only words of ``min_word`` letters or more, with
  at least ``min_before`` letters before the hyphen and ``min_after`` after;
- ``hyphenate-limit-zone``: only when the line would otherwise end with more
  than ``zone`` of the column empty (text is ragged, not justified);
- ``hyphenate-limit-lines``: at most ``max_lines`` hyphenated lines in a row.
  WeasyPrint 70 implements the first two but not this one, so ``install``
  enforces it where lines are cut: while a paragraph's last ``max_lines``
  lines ended on an added hyphen, the next line is cut without hyphenating;
- large print (guidance for low vision readers) never hyphenates, and what
  ``pipeline.source.linebreak`` marks (contacts, names, dates) never does.

Pinned to WeasyPrint 70.x (pyproject.toml): it wraps two of its internals.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HyphenationPolicy:
    min_word: int = 6
    min_before: int = 3
    min_after: int = 3
    max_lines: int = 2
    zone: str = "10%"


DEFAULT = HyphenationPolicy()
#: Languages whose long words and short lines call for stricter limits: Romance
#: languages hyphenate after two letters by rule, which reads as a stutter in a
#: narrow column; German and Dutch compounds split best at their joints.
POLICIES: dict[str, HyphenationPolicy] = {
    "es": HyphenationPolicy(min_word=7),
    "pt": HyphenationPolicy(min_word=7),
    "fr": HyphenationPolicy(min_word=7),
    "it": HyphenationPolicy(min_word=7),
    "de": HyphenationPolicy(min_word=8, min_before=4),
    "nl": HyphenationPolicy(min_word=8, min_before=4),
}


def policy_for(lang: str | None) -> HyphenationPolicy:
    return POLICIES.get((lang or "").split("-")[0].lower(), DEFAULT)


def hyphenation_css(lang: str, large_print: bool) -> str:
    """The document-wide hyphenation rules for a sheet in ``lang``."""
    if large_print:
        return "html { hyphens: manual; }\n"
    policy = policy_for(lang)
    return (
        f"html {{ hyphens: auto; hyphenate-limit-chars: {policy.min_word} "
        f"{policy.min_before} {policy.min_after}; hyphenate-limit-zone: {policy.zone}; }}\n"
    )


_INSTALLED = False
#: One entry per paragraph being cut into lines: hyphenated lines in a row so far.
_RUNS: list[list[int]] = []


def install() -> None:
    """Enforce ``max_lines`` consecutive hyphenated lines (idempotent; after the text layer)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.layout import block, inline

    lines = block.iter_line_boxes
    split = inline.split_text_box

    def iter_line_boxes(*args, **kwargs):
        run = [0]
        inner = lines(*args, **kwargs)
        while True:
            _RUNS.append(run)
            try:
                line, resume_at = next(inner)
            except StopIteration:
                return
            finally:
                _RUNS.pop()
            run[0] = run[0] + 1 if ends_hyphenated(line) else 0
            yield line, resume_at

    def split_text_box(context, box, available_width, skip, is_line_start=True):
        style = box.style
        if (
            _RUNS
            and style["hyphens"] == "auto"
            and _RUNS[-1][0] >= policy_for(style["lang"]).max_lines
        ):
            style["hyphens"] = "manual"
            try:
                return split(context, box, available_width, skip, is_line_start)
            finally:
                style["hyphens"] = "auto"
        return split(context, box, available_width, skip, is_line_start)

    block.iter_line_boxes = iter_line_boxes
    inline.split_text_box = split_text_box
    _INSTALLED = True


def ends_hyphenated(line) -> bool:
    """Whether a laid-out line ends on a hyphen the renderer added (not one of the text)."""
    box = line
    while getattr(box, "children", None):
        box = box.children[-1]
    text = getattr(box, "text", "")
    if not text:
        return False
    mark = box.style["hyphenate_character"]
    if not mark or not text.endswith(mark):
        return False
    source, span = getattr(box, "range_text", None), getattr(box, "text_range", None)
    return source is None or span is None or not source[: span[1]].endswith(mark)
