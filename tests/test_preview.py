"""`factsheet preview` rebuilds on change and reports problems without stopping."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from pipeline.build.preview import preview


def test_preview_rebuilds_after_an_edit_and_survives_a_broken_one(project_dir: Path) -> None:
    out = project_dir / "output"
    reports: list = []
    stop = threading.Event()
    worker = threading.Thread(
        target=preview,
        args=(
            project_dir,
            "questions-to-ask-your-doctor",
            "en",
            "standard",
            out,
            reports.append,
            stop,
        ),
        daemon=True,
    )
    worker.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 120
        while len(reports) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(reports) >= count, reports

    wait_for(1)
    assert reports[0].count("built") == 1
    pdf = out / "en/questions-to-ask-your-doctor.pdf"
    first = pdf.read_bytes()
    sheet = project_dir / "sheets/questions-to-ask-your-doctor/en.md"
    sheet.write_text(sheet.read_text().replace("## ", "## Your own ", 1))
    wait_for(2)
    assert reports[1].count("built") == 1 and pdf.read_bytes() != first
    sheet.write_text(sheet.read_text().replace("reviewed:", "reviwed:"))  # a typo
    wait_for(3)
    # The broken sheet fails its job (it alone), with the error and its hint.
    (failed,) = reports[2].results
    assert failed.status == "failed" and "did you mean 'reviewed'" in failed.error
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
