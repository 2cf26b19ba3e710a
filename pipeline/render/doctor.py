"""`factsheet doctor`: is this machine able to render every configured language?"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from ..source.cldr import script_of
from ..source.model import Project
from .fonts import font_stack

#: A character per script to ask fontconfig about (what the catalog must show).
SAMPLE_CHARS = {
    "Latn": "ẫ",
    "Cyrl": "Ж",
    "Grek": "Ω",
    "Arab": "ع",
    "Hebr": "ש",
    "Hans": "语",
    "Hant": "語",
    "Jpan": "あ",
    "Kore": "한",
    "Deva": "ह",
    "Thai": "ก",
}


@dataclass
class Line:
    label: str
    value: str
    ok: bool
    blocker: bool = False


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (its fontTools fallback is ~6x slower).

    Same condition as weasyprint/pdf/fonts.py: libharfbuzz-subset loaded, HarfBuzz >= 4.1.
    """
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError):
        return False
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def font_for(family_stack: list[str], char: str) -> str | None:
    """The family fontconfig would use for ``char`` given the stack, or None."""
    for family in family_stack:
        try:
            result = subprocess.run(
                ["fc-list", f"{family}:charset={ord(char):x}", "family"],
                capture_output=True,
                text=True,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if result.stdout.strip():
            return family
    return None


def diagnose(project: Project | None) -> list[Line]:
    lines: list[Line] = []
    try:
        import weasyprint
        from weasyprint.text.ffi import pango

        pango_version = pango.pango_version()
        major, minor = pango_version // 10000, (pango_version // 100) % 100
        lines.append(Line("WeasyPrint", weasyprint.__version__, True))
        lines.append(
            Line(
                "Pango",
                f"{major}.{minor}.{pango_version % 100}",
                (major, minor) >= (1, 44),
                blocker=(major, minor) < (1, 44),
            )
        )
    except (ImportError, OSError) as error:
        lines.append(Line("WeasyPrint", f"cannot load: {error}", False, blocker=True))
        return lines
    subsetting = harfbuzz_subsetting()
    lines.append(
        Line(
            "HarfBuzz subsetting",
            "active"
            if subsetting
            else "inactive: install libharfbuzz-subset0 (fontTools fallback is ~6x slower)",
            subsetting,
        )
    )
    if project is None:
        return lines
    for lang in sorted(project.org.languages):
        script = script_of(lang)
        stack = font_stack(project, lang)
        char = SAMPLE_CHARS.get(script, "a")
        family = font_for(stack, char)
        lines.append(
            Line(
                f"fonts for {lang} ({script})",
                family
                or f"none of {', '.join(stack)} covers {char!r}: install a font "
                "(Debian: fonts-noto-core, fonts-noto-cjk)",
                family is not None,
                blocker=family is None,
            )
        )
    return lines
