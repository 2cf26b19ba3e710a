"""`factsheet doctor`: is this machine able to render every configured language?

For each language (configured in org.yaml, or with shared blocks) it asks
fontconfig whether a family of the brand's stack for the language's script
has a glyph for a letter of that script, and if none does, which fix applies:
a font is installed but the brand does not name it (add it to brand.yaml:
WeasyPrint would fall back to whatever this machine has, so the sheet's look
and bytes would depend on the machine), or no installed font has the letter
(install one: the build would fail on it). Either is an error.
"""

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
#: Letters a language adds to its script's usual set (Persian: پ, which an
#: Arabic-only font may lack).
LANG_CHARS = {"fa": "پ", "ur": "ٹ", "ps": "ځ"}


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
    """The first family of the stack that has a glyph for ``char``, or None."""
    for family in family_stack:
        if _fc_list(f"{family}:charset={ord(char):x}"):
            return family
    return None


def installed_families(char: str) -> list[str]:
    """Every installed family with a glyph for ``char`` (fontconfig), Noto Sans first."""
    families = {line.split(",")[0].strip() for line in _fc_list(f":charset={ord(char):x}")}
    return sorted(families, key=lambda name: (not name.startswith("Noto Sans"), len(name), name))


def _fc_list(pattern: str) -> list[str]:
    try:
        result = subprocess.run(
            ["fc-list", pattern, "family"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in result.stdout.splitlines() if line.strip()]


#: Debian packages with a font for each script (what `make setup` installs).
DEBIAN_FONTS = dict.fromkeys(("Hans", "Hant", "Jpan", "Kore"), "fonts-noto-cjk")


def font_line(project: Project, lang: str) -> Line:
    """Whether the brand's stack for ``lang`` covers its script, and if not the
    fix that applies: add an installed font to the brand, or install one."""
    script = script_of(lang)
    stack = font_stack(project, lang)
    char = LANG_CHARS.get(lang.split("-")[0], SAMPLE_CHARS.get(script, "a"))
    label = f"fonts for {lang} ({script})"
    family = font_for(stack, char)
    if family is not None:
        return Line(label, family, True)
    brand = f"styles/{project.org.brand}/brand.yaml"
    shown = f"{char!r} U+{ord(char):04X}"
    installed = installed_families(char)
    if installed:
        # fontconfig would fall back to one of them: a font the brand did not
        # choose, and which differs from machine to machine (the same sheet
        # would not give the same PDF). The fix is configuration, not installation.
        return Line(
            label,
            f"none of {', '.join(stack)} covers {shown}; installed but not in the brand's "
            f"fonts: {', '.join(installed[:3])} (add it under fonts: {script}: in {brand})",
            False,
            blocker=True,
        )
    package = DEBIAN_FONTS.get(script, "fonts-noto-core")
    named = [f for f in project.brand.fonts.get(script, []) if not _fc_list(f)]
    if named:  # the brand names a font for the script that is not installed
        fix = f"install {named[0]} (Debian: apt-get install {package})"
    else:
        fix = (
            f"install a font for it (Debian: apt-get install {package}) "
            f"and add it under fonts: {script}: in {brand}"
        )
    return Line(label, f"no installed font covers {shown}: {fix}", False, blocker=True)


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
    # Every language the project can render: configured, or with shared blocks.
    for lang in sorted(set(project.org.languages) | set(project.blocks)):
        lines.append(font_line(project, lang))
    return lines
