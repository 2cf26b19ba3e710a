"""`factsheet bundle`: several sheets bound as one tagged PDF (a packet).

The packet file is loaded by source/packets.py, rendered as one document by
render/packet.py and gated by checks/packet.py (every sheet on its own pages,
plus PDF/UA; no page limit). This module publishes it: output/packets/<name>.pdf,
an optional booklet print master, and an entry in output/packets/manifest.json,
not output/manifest.json: the catalog and `factsheet check` read every entry
there as one sheet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..build.output import PACKETS_MANIFEST, STATE, OutputFolder
from ..checks.gate import source_findings
from ..checks.packet import packet_findings
from ..checks.registry import Finding, has_errors
from ..render.packet import render_packet
from ..source.atomic import write_files
from ..source.model import Project
from ..source.packets import LoadedPacket, load_packet
from .booklet import impose

# -- bundle: check, render, gate, publish -----------------------------------------------


@dataclass
class BundleResult:
    packet: LoadedPacket
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


def bundle(
    project: Project,
    path: Path,
    out_dir: Path,
    out_file: Path | None = None,
    booklet: bool = False,
) -> BundleResult:
    """Build a packet (and its booklet); publish only if every check passes.

    Default: output/packets/<name>.pdf (and <name>.booklet.pdf), written
    atomically, with an entry in output/packets/manifest.json. With
    ``out_file``: that file (and <file>.booklet.pdf beside it), no manifest.
    """
    loaded = load_packet(project, path)
    result = BundleResult(loaded)
    for sheet in loaded.sheets:
        result.findings.extend(source_findings(project, sheet))
    if not result.ok:
        return result
    rendered = render_packet(project, loaded)
    relpath = f"packets/{loaded.name}.pdf"
    shown = str(out_file) if out_file else relpath
    result.findings.extend(packet_findings(project, loaded, rendered.pdf, shown))
    result.pages = rendered.pages
    if not result.ok:
        return result
    imposed = impose(rendered.pdf, loaded.packet.title) if booklet else None
    if out_file is not None:
        files = {out_file: rendered.pdf}
        if imposed is not None:
            files[out_file.with_suffix(".booklet.pdf")] = imposed
        result.written.extend(write_files(files, out_dir / STATE))
        return result
    booklet_path = f"packets/{loaded.name}.booklet.pdf"
    with OutputFolder(out_dir) as folder:
        result.written.append(folder.write(relpath, rendered.pdf))
        if imposed is not None:
            result.written.append(folder.write(booklet_path, imposed))
        entry = manifest_entry(loaded, relpath, rendered.pdf, rendered.pages)
        if imposed is not None:
            entry["booklet"] = {"path": booklet_path, **_file_facts(imposed)}
        entries = folder.manifest(PACKETS_MANIFEST, "packets")
        entries[entry["path"]] = entry
        folder.write_manifest(entries, f"factsheet {__version__}", PACKETS_MANIFEST, "packets")
    return result


def _file_facts(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def manifest_entry(loaded: LoadedPacket, relpath: str, data: bytes, pages: int) -> dict:
    return {
        "path": relpath,
        **_file_facts(data),
        "pages": pages,
        "packet": loaded.name,
        "title": loaded.packet.title,
        "lang": loaded.packet.lang,
        "sheets": [
            {
                "slug": sheet.slug,
                "sheet_id": sheet.front.id,
                "version": sheet.front.version,
                "status": sheet.front.status,
                "reviewed": sheet.front.reviewed.isoformat(),
                "next_review": sheet.front.next_review.isoformat(),
            }
            for sheet in loaded.sheets
        ],
        "booklet": None,
    }
