"""Is a translated unit final? XLIFF states and the CAT tools' own confirmation marks.

A unit is imported only when a person confirmed it. What counts as confirmed:

- XLIFF 1.2 ``target/@state``: translated, final or signed-off (new,
  needs-translation, needs-adaptation, needs-l10n and the needs-review-* states
  are not); a target with no state counts only if its unit is ``approved="yes"``.
- A target from machine translation (``state-qualifier`` leveraged-mt or
  mt-suggestion) counts only once a reviewer made it final or signed-off.
- Trados Studio (``sdl:seg-defs``, one ``sdl:seg`` per segment): conf Translated,
  ApprovedTranslation or ApprovedSignOff; Draft, the Rejected* states and no conf
  are not confirmed; a segment whose origin is machine translation (mt, nmt,
  amt) needs ApprovedTranslation or ApprovedSignOff.
- memoQ (``mq:status`` on the unit): ManuallyConfirmed, Confirmed,
  Reviewer1Confirmed, Reviewer2Confirmed, Proofread or TranslationApproved;
  NotStarted, PartiallyEdited, Pretranslated, MachineTranslated,
  AssembledFromFragments and Rejected are not.
- Phrase (``m:confirmed``): 1.

A tool's own mark, when present, decides over the generic XLIFF state (tools
keep the state they were given and record confirmations in their own marks).
"""

from __future__ import annotations

from lxml import etree

SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
MEMOQ = "MQXliff"
PHRASE = "http://www.memsource.com/mxlf/2.0"

XLIFF_FINAL = {"translated", "final", "signed-off"}
XLIFF_REVIEWED = {"final", "signed-off"}
MT_QUALIFIERS = {"leveraged-mt", "mt-suggestion"}
TRADOS_CONFIRMED = {"Translated", "ApprovedTranslation", "ApprovedSignOff"}
TRADOS_REVIEWED = {"ApprovedTranslation", "ApprovedSignOff"}
TRADOS_MT = {"mt", "nmt", "amt"}
MEMOQ_CONFIRMED = {
    "ManuallyConfirmed",
    "Confirmed",
    "ConfirmedTranslator",
    "Reviewer1Confirmed",
    "Reviewer2Confirmed",
    "Proofread",
    "TranslationApproved",
}


def readiness(tu: etree._Element, target: etree._Element, segments: list[str]) -> str | None:
    """None when the unit's translation is confirmed, else why not (for the translator)."""
    trados = _trados(tu)
    if trados is not None:
        return _trados_readiness(trados, segments)
    status = tu.get(f"{{{MEMOQ}}}status")
    if status is not None:
        if status in MEMOQ_CONFIRMED:
            return None
        return f"memoQ status {status}: not confirmed (confirm it with Ctrl+Enter)"
    confirmed = tu.get(f"{{{PHRASE}}}confirmed")
    if confirmed is not None:
        return None if confirmed == "1" else "Phrase: not confirmed (confirm it with Ctrl+Enter)"
    return _xliff_readiness(tu, target)


def _xliff_readiness(tu: etree._Element, target: etree._Element) -> str | None:
    state = target.get("state")
    qualifier = target.get("state-qualifier")
    if state is None:
        if tu.get("approved") == "yes":
            return None
        return 'no state: not marked translated (confirm it, or set state="translated")'
    if state not in XLIFF_FINAL:
        return f"state '{state}': not confirmed (confirm it in your tool)"
    if qualifier in MT_QUALIFIERS and state not in XLIFF_REVIEWED:
        return (
            f"machine translation not reviewed (state-qualifier '{qualifier}'); "
            "a reviewer marks it final or signed-off"
        )
    return None


def _trados(tu: etree._Element) -> dict[str, etree._Element] | None:
    defs = tu.find(f"{{{SDL}}}seg-defs")
    if defs is None:
        return None
    return {seg.get("id", ""): seg for seg in defs.findall(f"{{{SDL}}}seg")}


def _trados_readiness(segs: dict[str, etree._Element], segments: list[str]) -> str | None:
    ids = segments or list(segs)
    for mid in ids:
        seg = segs.get(mid)
        conf = seg.get("conf") if seg is not None else None
        where = f" (segment {mid})" if len(ids) > 1 else ""
        if conf not in TRADOS_CONFIRMED:
            shown = conf or "Not Translated"
            return f"Trados status {shown}{where}: not confirmed (confirm it with Ctrl+Enter)"
        origin = seg.get("origin", "")
        if origin in TRADOS_MT and conf not in TRADOS_REVIEWED:
            return (
                f"Trados: machine translation not reviewed{where} (origin '{origin}'); "
                "a reviewer approves it (Translation Approved)"
            )
    return None
