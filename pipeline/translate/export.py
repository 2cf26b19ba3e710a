"""`translate export`: a sheet's units as XLIFF 1.2 or PO, for a translation tool.

Inline markup travels as XLIFF inline codes (inline.py) so links cannot be
broken; units translated before whose source has not changed come pre-filled.
translate-toolkit writes the files.
"""

from __future__ import annotations

from lxml import etree

from ..errors import InputError
from ..source.langtag import check_language_tag
from ..source.markdown import plain_text
from ..source.model import Project, Sheet
from ..source.units import source_units, units_hash
from .inline import XLIFF_NS, to_element, to_tagged_text
from .units import BLOCK_NAMES, export_units, read_snapshot


def _existing_targets(project: Project, sheet: Sheet, lang: str) -> dict[str, str]:
    """Units of an existing translation whose source has not changed since (to pre-fill)."""
    target = project.sheets.get((sheet.slug, lang))
    if target is None:
        return {}
    snapshot = read_snapshot(project, sheet.slug, lang)
    current = dict(source_units(sheet))
    theirs = dict(source_units(target))
    if snapshot is None:
        origin = target.front.translation_of
        unchanged = set(current) if origin and origin.source_hash == units_hash(sheet) else set()
    else:
        unchanged = {k for k, v in current.items() if snapshot.get("units", {}).get(k) == v}
    return {k: theirs[k] for k in unchanged if k in theirs}


def _block_targets(project: Project, lang: str) -> dict[str, str]:
    blocks = project.blocks.get(lang)
    if blocks is None:
        return {}
    found = {f"block:{name}": getattr(blocks, name) for name in BLOCK_NAMES}
    # Only labels the language's file sets: a default (English) is not a translation.
    found.update({f"label:{k}": v for k, v in blocks.labels.model_dump(exclude_unset=True).items()})
    return found


def export(project: Project, slug: str, lang: str, fmt: str = "xliff") -> bytes:
    """The export file for translating sheet ``slug`` into ``lang``."""
    check = check_lang(lang)
    source = _source_sheet(project, slug)
    units = export_units(project, source)
    prefill = _existing_targets(project, source, check) | _block_targets(project, check)
    original = f"sheets/{slug}/{source.lang}.md"
    if fmt == "po":
        return _export_po(units, prefill, source, original, check)
    return _export_xliff(units, prefill, source, original, check)


def _source_sheet(project: Project, slug: str) -> Sheet:
    lang = project.org.default_lang
    if (slug, lang) not in project.sheets:
        raise InputError(
            f"no sheet '{slug}' in {lang}",
            "sheets/",
            hint=f"known sheets: {', '.join(project.slugs)}",
        )
    return project.sheets[(slug, lang)]


def check_lang(lang: str) -> str:
    try:
        return check_language_tag(lang)
    except ValueError as error:
        raise InputError(str(error), hint="--to takes a BCP 47 tag such as es, zh-Hans") from None


def xliff_store():
    from translate.storage import xliff

    class Unit12(xliff.xliffunit):
        namespace = XLIFF_NS

    class Xliff12(xliff.xlifffile):
        UnitClass = Unit12
        namespace = XLIFF_NS
        XMLskeleton = (
            '<?xml version="1.0" ?>\n'
            f'<xliff version="1.2" xmlns="{XLIFF_NS}">\n'
            '<file original="NoName" source-language="en" datatype="plaintext">\n'
            "<body>\n</body>\n</file>\n</xliff>"
        )

    return Xliff12


def _export_xliff(units, prefill, source: Sheet, original: str, lang: str) -> bytes:
    store = xliff_store()(sourcelanguage=source.lang, targetlanguage=lang)
    file_node = store.document.getroot().find(f"{{{XLIFF_NS}}}file")
    file_node.set("original", original)
    file_node.set("datatype", "x-markdown")
    file_node.set("product-name", "factsheet")
    file_node.set("product-version", source.front.version)
    file_node.set("build-num", units_hash(source))
    for unit in units:
        element, _ = to_element(unit.source, "source")
        tu = store.addsourceunit(plain_text(unit.source), filename=original)
        tu.source_dom = element
        tu.xmlelement.set("id", unit.key)
        tu.xmlelement.set("resname", unit.key)
        tu.addnote(unit.note, origin="developer")
        target = prefill.get(unit.key)
        if target is not None:
            target_element = to_element(target, "target")[0]
            target_element.set("state", "translated")
        else:
            target_element = etree.Element(f"{{{XLIFF_NS}}}target", state="needs-translation")
        tu.xmlelement.find(f"{{{XLIFF_NS}}}source").addnext(target_element)
        tu.xmlelement.attrib.pop("approved", None)
    return bytes(store)


def _export_po(units, prefill, source: Sheet, original: str, lang: str) -> bytes:
    from translate.storage import po

    store = po.pofile()
    header = store.header()
    store.updateheader(
        add=True,
        Language=lang,
        Project_Id_Version=f"factsheet {source.slug} {source.front.version}",
        X_Factsheet_Source=original,
        X_Factsheet_Source_Hash=units_hash(source),
    )
    del header
    for unit in units:
        element, _ = to_element(unit.source, "source")
        pu = store.addsourceunit(to_tagged_text(element))
        pu.setcontext(unit.key)
        pu.addnote(unit.note, origin="developer")
        if unit.line:
            pu.addlocation(f"{original}:{unit.line}")
        target = prefill.get(unit.key)
        if target is not None:
            pu.target = to_tagged_text(to_element(target, "target")[0])
    return bytes(store)
