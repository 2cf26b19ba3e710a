"""Brand checks: text colours readable on their backgrounds, type large enough.

Contrast is WCAG 2.x (success criterion 1.4.3, level AA): 4.5:1 for normal
text, 3:1 for large text (18 pt, or 14 pt bold). Sizes follow the
health-communication norms: 12 pt minimum body text, 18 pt for large print.
"""

from __future__ import annotations

from ..source.model import Brand
from .registry import Finding, finding, rule

BRAND_CONTRAST = rule(
    "brand-contrast", "error", "brand", "a text/background colour pair is below WCAG AA contrast"
)
BRAND_BODY_SIZE = rule(
    "brand-body-size", "error", "brand", "body text is smaller than 12 pt (18 pt for large print)"
)

MIN_BODY_PT = 12
MIN_LARGE_PRINT_PT = 18


def _channel(value: int) -> float:
    """sRGB channel to linear light (WCAG 2.x relative luminance definition)."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (same colour) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_brand(brand: Brand, path: str) -> list[Finding]:
    out: list[Finding] = []
    for pair in brand.contrast_pairs:
        name, text, background = pair[0], pair[1], pair[2]
        large = len(pair) > 3 and pair[3] == "large"
        missing = [token for token in (text, background) if token not in brand.colors]
        if missing:
            out.append(
                finding(BRAND_CONTRAST, path, None, f"{name}: no colour token {', '.join(missing)}")
            )
            continue
        ratio = contrast(brand.colors[text], brand.colors[background])
        needed = 3.0 if large else 4.5
        if ratio < needed:
            out.append(
                finding(
                    BRAND_CONTRAST,
                    path,
                    None,
                    f"{name}: {text} {brand.colors[text]} on {background} "
                    f"{brand.colors[background]} has contrast {ratio:.2f}:1, needs {needed}:1",
                    "darken the text or lighten the background",
                )
            )
    if brand.body_size_pt < MIN_BODY_PT:
        out.append(
            finding(
                BRAND_BODY_SIZE,
                path,
                None,
                f"body_size_pt is {brand.body_size_pt}, needs at least {MIN_BODY_PT}",
            )
        )
    if brand.large_print_body_size_pt < MIN_LARGE_PRINT_PT:
        out.append(
            finding(
                BRAND_BODY_SIZE,
                path,
                None,
                f"large_print_body_size_pt is {brand.large_print_body_size_pt}, "
                f"needs at least {MIN_LARGE_PRINT_PT}",
            )
        )
    return out
