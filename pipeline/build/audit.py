"""`factsheet check`: the gate over sheets and built PDFs named on the command line."""

from __future__ import annotations

from pathlib import Path

from ..checks.gate import brand_findings, pdf_findings, source_findings
from ..checks.packet import packet_findings
from ..checks.pdf_content import PDF_CONTACT
from ..checks.readpdf import ReadPdf
from ..checks.registry import Finding, apply_policy, finding
from ..checks.review import SHEET_INVALID, broken_findings
from ..errors import FactsheetError, InputError, each_error
from ..source.clinics import IMPRINT_KEY, load_clinic
from ..source.model import BrokenSheet, Clinic, Project, Sheet
from ..source.packets import load_packet
from .output import PACKETS_MANIFEST, OutputFolder


def _sheets_for(project: Project, path: Path) -> list[Sheet | BrokenSheet]:
    resolved = path.resolve()
    every = [*project.sheets.values(), *project.broken.values()]
    found = [s for s in every if s.path == resolved or s.path.parent == resolved]
    if not found:
        raise InputError(
            "not a sheet of this project",
            str(path),
            hint="name a sheets/<slug>/<lang>.md file, a sheet folder or a PDF",
        )
    return found


def _pdf_sheet(project: Project, entry: dict | None, path: Path) -> tuple[Sheet, str]:
    if entry is not None:
        key = (entry.get("slug"), entry.get("lang"))
        if key in project.sheets:
            return project.sheets[key], entry.get("variant", "standard")
    # Not in the manifest: infer from output/<lang>/<slug>[.variant][.paper].pdf
    lang, slug = path.parent.name, path.name.split(".")[0]
    if (slug, lang) in project.sheets:
        variant = "large-print" if ".large-print." in path.name else "standard"
        return project.sheets[(slug, lang)], variant
    raise InputError(
        "cannot tell which sheet this PDF is",
        str(path),
        hint="check PDFs inside the output folder, listed in manifest.json",
    )


def _broken_source(project: Project, entry: dict | None) -> BrokenSheet | None:
    if entry is None:
        return None
    return project.broken.get((entry.get("slug"), entry.get("lang")))


def _packet_findings(project: Project, pdf: Path, shown: str) -> list[Finding]:
    """A packet PDF is checked against the packet file it was bound from."""
    source = project.root / "sheets" / "_packets" / f"{pdf.name.split('.')[0]}.yaml"
    if not source.is_file():
        raise InputError(
            "no packet file for this PDF",
            shown,
            hint=f"expected {source.relative_to(project.root)}",
        )
    return packet_findings(project, load_packet(project, source), pdf.read_bytes(), shown)


def _clinic_of(
    data: bytes, project: Project, path: str, lang: str
) -> tuple[Clinic | None, list[Finding]]:
    """The clinic an imprinted PDF names in its document info, so its numbers and
    hours are required too; a clinic that cannot be loaded is a finding."""
    try:
        clinic_id = str(ReadPdf(data).info.get(f"/{IMPRINT_KEY}", "") or "")
    except Exception:  # noqa: BLE001 - a damaged PDF: pdf_findings reports it
        return None, []
    if not clinic_id:
        return None, []
    try:
        return load_clinic(project, clinic_id), []
    except FactsheetError as error:
        message = f"the PDF is imprinted for clinic '{clinic_id}', which cannot be loaded: {error}"
        return None, apply_policy([finding(PDF_CONTACT, path, None, message)], project.policy, lang)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def run_checks(
    project: Project, paths: list[Path], out_dir: Path, include_pdfs: bool = True
) -> tuple[list[Finding], list[str]]:
    """Findings for the given paths (all sheets and published PDFs when none)."""
    findings: list[Finding] = []
    checked: list[str] = []
    manifest = OutputFolder(out_dir).manifest()
    sheets: list[Sheet | BrokenSheet] = []
    pdfs: list[Path] = []
    if not paths:
        every = {**project.sheets, **project.broken}
        sheets = [every[key] for key in sorted(every)]
        if include_pdfs:
            pdfs = [out_dir / rel for rel in sorted(manifest) if (out_dir / rel).is_file()]
            packets = OutputFolder(out_dir).manifest(PACKETS_MANIFEST, "packets")
            pdfs += [out_dir / rel for rel in sorted(packets) if (out_dir / rel).is_file()]
    for path in paths:
        if path.suffix.lower() == ".pdf":
            if not path.is_file():
                raise InputError("no such PDF", str(path), hint="build it first: factsheet build")
            pdfs.append(path)
        else:
            sheets.extend(_sheets_for(project, path))
    if not paths:
        checked.append(str((project.brand_dir / "brand.yaml").relative_to(project.root)))
        findings.extend(brand_findings(project))
    for sheet in sheets:
        checked.append(sheet.display)
        if isinstance(sheet, BrokenSheet):
            findings.extend(broken_findings(sheet))  # it alone fails
        else:
            findings.extend(source_findings(project, sheet))
    for pdf in pdfs:
        if not paths and _broken_source(project, manifest.get(_relative(pdf, out_dir) or "")):
            # A published PDF of a sheet that cannot be read: that sheet's own
            # sheet-invalid findings fail the run and say why; a second error
            # for the same problem would only be noise. (Named on the command
            # line, it is refused with one line: _pdf_findings.)
            continue
        shown = _shown(pdf, project.root)
        checked.append(shown)
        try:
            findings.extend(_pdf_findings(project, pdf, shown, manifest, out_dir))
        except FactsheetError as error:
            if paths:
                raise  # a PDF named on the command line that cannot be checked
            # One published PDF that cannot be checked (its sheet was removed or
            # cannot be read) fails alone; the report still covers the rest.
            for single in each_error(error):
                findings.append(finding(SHEET_INVALID, shown, None, single.message, single.hint))
    # Shared blocks are checked with every sheet of their language: report each once.
    return list(dict.fromkeys(findings)), checked


def _relative(pdf: Path, out_dir: Path) -> str | None:
    """A PDF's path inside the output folder (its key in the manifest), if it is inside."""
    try:
        return str(pdf.resolve().relative_to(out_dir))
    except ValueError:
        return None


def _pdf_findings(
    project: Project, pdf: Path, shown: str, manifest: dict, out_dir: Path
) -> list[Finding]:
    relative = _relative(pdf, out_dir)
    if relative and relative.startswith("packets/"):
        return _packet_findings(project, pdf, shown)
    broken = _broken_source(project, manifest.get(relative or ""))
    if broken is not None:
        raise InputError(
            f"cannot check this PDF: its sheet {broken.display} cannot be read",
            shown,
            hint="fix the sheet first",
        )
    sheet, variant = _pdf_sheet(project, manifest.get(relative or ""), pdf)
    data = pdf.read_bytes()
    clinic, problems = _clinic_of(data, project, shown, sheet.lang)
    return [*problems, *pdf_findings(project, sheet, data, shown, variant, clinic)]
