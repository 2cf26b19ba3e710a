"""Fonts: the brand's stack for a language's script, and one warm font configuration."""

from __future__ import annotations

from functools import lru_cache

from ..source.cldr import script_of
from ..source.model import Project


def font_stack(project: Project, lang: str) -> list[str]:
    fonts = project.brand.fonts
    stack = list(fonts.get(script_of(lang), [])) + list(fonts["default"])
    return list(dict.fromkeys(stack))


@lru_cache(maxsize=1)
def font_config():
    """One FontConfiguration per process: workers keep fonts warm across jobs."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()
