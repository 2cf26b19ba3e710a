"""The local worker pool: limits per job, lost workers, Ctrl-C.

The first tests drive LocalPool directly with a stand-in for the renderer
(forked workers call whatever pipeline.build.worker.render_task is), so that
a worker can be made to crash, hang or grow on purpose; the last ones run
`factsheet build` with real sheets.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import psutil
import pytest
from conftest import copy_project, default_ctrl_c, run_cli

from pipeline.build import worker
from pipeline.build.executor import MAX_ATTEMPTS, Task
from pipeline.build.localpool import LocalPool
from pipeline.build.plan import plan
from pipeline.source.loader import load_project


def good(task: Task) -> dict:
    return {"pdf": b"%PDF-", "pages": 1, "findings": [], "draft": False, "seconds": 0.0}


@pytest.fixture
def project(project_dir: Path):
    return load_project(project_dir)


def with_limits(project, **limits):
    policy = project.policy.model_copy(
        update={"limits": project.policy.limits.model_copy(update=limits)}
    )
    return dataclasses.replace(project, policy=policy)


def tasks_of(project, count: int) -> list[Task]:
    jobs = plan(project)[:count]
    return [
        Task(i, job, job.relpath("letter"), f"sheets/{job.slug}/{job.lang}.md")
        for i, job in enumerate(jobs)
    ]


def finished(updates) -> dict[int, dict]:
    return {u.task.index: u.outcome for u in updates if u.kind == "finished"}


def gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_lost_worker_is_replaced_and_its_job_retried_a_bounded_number_of_times(
    project, tmp_path, monkeypatch
) -> None:
    def render(project, task):
        marker = tmp_path / f"runs-{task.index}"
        runs = int(marker.read_text()) if marker.exists() else 0
        marker.write_text(str(runs + 1))
        if task.index == 0 or (task.index == 1 and runs == 0):
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        return good(task)

    monkeypatch.setattr(worker, "render_task", render)
    updates = list(LocalPool(2).run(project, tasks_of(project, 3)))
    outcomes = finished(updates)
    assert (tmp_path / "runs-0").read_text() == str(MAX_ATTEMPTS)
    assert f"was lost {MAX_ATTEMPTS} times (killed by SIGKILL)" in outcomes[0]["error"]
    assert outcomes[0]["attempts"] == MAX_ATTEMPTS  # the report counts every run
    assert outcomes[0]["error"].startswith("sheets/")
    assert outcomes[1]["attempts"] == 2 and "pdf" in outcomes[1]
    assert outcomes[2]["attempts"] == 1
    assert sum(u.kind == "retrying" for u in updates) == MAX_ATTEMPTS - 1 + 1


def test_a_job_over_the_time_limit_is_stopped_and_fails_once(
    project, tmp_path, monkeypatch
) -> None:
    def render(project, task):
        (tmp_path / f"pid-{task.index}").write_text(str(os.getpid()))
        if task.index == 0:
            time.sleep(60)
        return good(task)

    monkeypatch.setattr(worker, "render_task", render)
    started = time.monotonic()
    outcomes = finished(
        LocalPool(2).run(with_limits(project, render_seconds=0.5), tasks_of(project, 3))
    )
    assert time.monotonic() - started < 30
    assert (
        "took longer than 0.5 s, the limit per job; its worker was stopped" in outcomes[0]["error"]
    )
    assert outcomes[0]["attempts"] == 1
    assert "pdf" in outcomes[1] and "pdf" in outcomes[2]
    assert gone(int((tmp_path / "pid-0").read_text()))


def test_a_job_over_the_memory_limit_is_stopped_and_fails_once(project, monkeypatch) -> None:
    def render(project, task):
        if task.index == 0:
            hoard = []
            for _ in range(60):  # up to 3 GB, 50 MB at a time, each page touched
                hoard.append(bytearray(b"x") * (50 << 20))
                time.sleep(0.02)
        return good(task)

    monkeypatch.setattr(worker, "render_task", render)
    limit = psutil.Process().memory_info().rss // (1 << 20) + 300
    outcomes = finished(
        LocalPool(2).run(with_limits(project, worker_memory_mb=limit), tasks_of(project, 2))
    )
    assert (
        f"over the limit of {limit} MB per worker; its worker was stopped" in outcomes[0]["error"]
    )
    assert outcomes[0]["attempts"] == 1 and "pdf" in outcomes[1]


def test_a_worker_left_big_by_a_job_is_replaced(project, monkeypatch) -> None:
    kept = []

    def render(project, task):
        if task.index == 0:
            kept.append(bytearray(b"x") * (400 << 20))
        return good(task) | {"pid": os.getpid()}

    monkeypatch.setattr(worker, "render_task", render)
    limit = psutil.Process().memory_info().rss // (1 << 20) + 600
    outcomes = finished(
        LocalPool(1).run(with_limits(project, worker_memory_mb=limit), tasks_of(project, 3))
    )
    assert outcomes[0]["pid"] != outcomes[1]["pid"]  # grew past half the limit: replaced
    assert outcomes[1]["pid"] == outcomes[2]["pid"]  # stayed small: kept warm


def test_stopping_a_run_stops_every_worker(project, tmp_path, monkeypatch) -> None:
    def render(project, task):
        (tmp_path / f"pid-{task.index}").write_text(str(os.getpid()))
        time.sleep(60)
        return good(task)

    monkeypatch.setattr(worker, "render_task", render)
    run = LocalPool(2).run(project, tasks_of(project, 4))
    assert [next(run).kind, next(run).kind] == ["started", "started"]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("pid-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.close()  # what Ctrl-C does to the engine's loop
    pids = [int(p.read_text()) for p in tmp_path.glob("pid-*")]
    assert len(pids) == 2 and all(gone(pid) for pid in pids)


# -- the prestarted process (`factsheet build` forks it before loading) ---------------------


def test_a_prestarted_process_runs_jobs_with_only_their_sheets(project, monkeypatch) -> None:
    def render(project, task):
        return good(task) | {"pid": os.getpid(), "sheets": sorted(project.sheets)}

    monkeypatch.setattr(worker, "render_task", render)
    tasks = tasks_of(project, 2)
    with LocalPool(1, prestart=True) as pool:
        early = pool._early.pid
        outcomes = finished(pool.run(project, tasks))
    assert outcomes[0]["pid"] == outcomes[1]["pid"] == early
    assert outcomes[0]["sheets"] == sorted({(t.job.slug, t.job.lang) for t in tasks})
    assert gone(early)


def test_a_prestarted_process_with_nothing_to_do_is_stopped(project) -> None:
    with LocalPool(2, prestart=True) as pool:
        unused = pool._early.pid
    assert gone(unused)
    pool = LocalPool(2, prestart=True)
    idle = pool._early.pid
    assert list(pool.run(project, [])) == []
    assert gone(idle)


def test_a_prestarted_process_lost_before_its_first_job_is_replaced(project, monkeypatch) -> None:
    monkeypatch.setattr(worker, "render_task", lambda project, task: good(task))
    with LocalPool(1, prestart=True) as pool:
        os.kill(pool._early.pid, signal.SIGKILL)
        updates = list(pool.run(project, tasks_of(project, 2)))
    outcomes = finished(updates)
    assert "pdf" in outcomes[0] and outcomes[0]["attempts"] == 2
    assert "pdf" in outcomes[1] and outcomes[1]["attempts"] == 1
    retried = [u.note for u in updates if u.kind == "retrying"]
    assert retried == ["its worker was lost (killed by SIGKILL)"]


def test_importing_the_renderer_does_not_count_against_the_time_limit(project, monkeypatch) -> None:
    from pipeline.build import process

    monkeypatch.setattr(process, "warm_up", lambda: time.sleep(1.5))
    monkeypatch.setattr(worker, "render_task", lambda project, task: good(task))
    with LocalPool(1, prestart=True) as pool:
        outcomes = finished(
            pool.run(with_limits(project, render_seconds=0.5), tasks_of(project, 1))
        )
    assert "pdf" in outcomes[0], outcomes[0]


def test_a_prestarted_process_renders_the_same_bytes_as_a_forked_one(project) -> None:
    tasks = tasks_of(project, 2)
    with LocalPool(1, prestart=True) as pool:
        early = finished(pool.run(project, tasks))
    forked = finished(LocalPool(1).run(project, tasks))
    for index in range(len(tasks)):
        assert early[index]["pdf"] == forked[index]["pdf"]
        assert early[index]["findings"] == forked[index]["findings"]
        assert early[index]["pages"] == forked[index]["pages"]


# -- `factsheet build` with real sheets ---------------------------------------------------


def set_limit(root: Path, line: str) -> None:
    policy = root / "sheets/_org/policy.yaml"
    name = line.split(":")[0]
    kept = [row for row in policy.read_text().splitlines() if name not in row]
    policy.write_text("\n".join(kept).replace("limits:", f"limits:\n  {line}") + "\n")


def grey_png(path: Path, width: int, height: int) -> None:
    """A PNG that is small on disk and large once decoded (width x height x 3 bytes)."""
    raw = b"".join(b"\x00" + b"\x80" * (width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("pool"))
    run_cli(root, "build", "-l", "en", "-l", "es", "--jobs", "2", check=True)
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """The sample project with its English PDFs built, a private copy per test."""
    import shutil

    return Path(shutil.copytree(built_once, tmp_path / "p", symlinks=True))


def test_the_render_time_limit_fails_the_job_naming_its_sheet(built: Path) -> None:
    before = (built / "output/en/metastatic-breast-cancer.pdf").read_bytes()
    set_limit(built, "render_seconds: 0.05")
    result = run_cli(built, "build", "metastatic-breast-cancer", "-l", "en")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(row for row in result.stderr.splitlines() if "error:" in row).strip()
    assert line == (
        "sheets/metastatic-breast-cancer/en.md: error: rendering metastatic-breast-cancer [en] "
        "(letter) took longer than 0.05 s, the limit per job; its worker was stopped (hint: "
        "look for a very large image, table or list in the sheet, or raise "
        "limits.render_seconds in policy.yaml)"
    )
    assert (built / "output/en/metastatic-breast-cancer.pdf").read_bytes() == before


@pytest.mark.slow
def test_a_sheet_with_a_huge_image_is_stopped_at_the_memory_limit(built: Path) -> None:
    """8000 x 8000 pixels: 200 KB on disk, about 460 MB more in a worker while it renders."""
    sheet = built / "sheets/questions-to-ask-your-doctor/en.md"
    grey_png(sheet.parent / "grey.png", 8000, 8000)
    sheet.write_text(sheet.read_text().rstrip() + "\n\n![A plain grey square](grey.png)\n")
    set_limit(built, "worker_memory_mb: 300")
    # Past the loader's pixel limit (tests/test_bad_inputs.py), so that rendering it is tried.
    set_limit(built, "max_image_pixels: 100000000")
    result = run_cli(built, "build", "-l", "en", "--jobs", "2", "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    jobs = {job["path"]: job for job in json.loads(result.stdout)["jobs"]}
    failed = jobs["en/questions-to-ask-your-doctor.pdf"]
    assert failed["error"].startswith("sheets/questions-to-ask-your-doctor/en.md: error: ")
    assert "over the limit of 300 MB per worker" in failed["error"] and failed["attempts"] == 1
    # policy.yaml changed, so the other sheet was rebuilt: within the same limit.
    assert jobs["en/metastatic-breast-cancer.pdf"]["status"] == "built"


def render_processes(pid: int) -> list[psutil.Process]:
    """The build's forked render processes: children that stay Python (fc-match and
    other subprocesses are also children of the build, for a moment)."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            if (
                child.cmdline()[1:3] == ["-m", "pipeline"]
                and time.time() - child.create_time() > 0.5
            ):
                found.append(child)
        except psutil.Error:
            continue
    return found


def test_a_render_process_killed_from_outside_is_replaced(built: Path) -> None:
    out = built / "out-killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "-l", "en", "-l", "es", "--jobs", "2"]
        + ["--out", str(out), "--format", "json"],
        cwd=built,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and process.poll() is None:
        children = render_processes(process.pid)
        victim = children[0] if children else None
        time.sleep(0.05)
    assert victim is not None
    victim.kill()
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["built"] == 4 and max(job["attempts"] for job in report["jobs"]) == 2
    assert "runs again: its worker was lost (killed by SIGKILL)" in stderr
    for job in report["jobs"]:
        assert (out / job["path"]).read_bytes() == (built / "output" / job["path"]).read_bytes()


def test_a_build_stopped_while_loading_leaves_no_render_process(built: Path) -> None:
    org = built / "sheets/_org/org.yaml"
    org.write_text(org.read_text().replace("channels:", "channels: [", 1))
    result = run_cli(built, "build", "--jobs", "2")
    assert result.returncode == 1 and "org.yaml" in result.stderr
    time.sleep(0.5)  # a process that outlived the build would still be here
    left = []
    for candidate in psutil.process_iter(["cmdline", "cwd"]):
        with contextlib.suppress(psutil.Error):
            if candidate.info["cwd"] == str(built) and "pipeline" in (
                candidate.info["cmdline"] or []
            ):
                left.append(candidate)
    assert left == []


def start_build(root: Path, jobs: int, out: Path) -> subprocess.Popen:
    """`factsheet build` of the whole catalog, running, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--jobs", str(jobs), "--out", str(out)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_ctrl_c,
    )


def interrupted(process: subprocess.Popen) -> None:
    """Ctrl-C: exit code 130, one word for it, no traceback."""
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr


def test_ctrl_c_stops_the_workers_and_keeps_the_manifest_true(built: Path) -> None:
    out = built / "out-interrupted"
    process = start_build(built, 2, out)
    deadline = time.monotonic() + 120
    children: list[psutil.Process] = []
    while len(children) < 2 and time.monotonic() < deadline and process.poll() is None:
        children = render_processes(process.pid)
        time.sleep(0.05)
    assert len(children) == 2
    interrupted(process)
    psutil.wait_procs(children, timeout=10)
    assert all(gone(child.pid) for child in children)
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())["pdfs"]}
    on_disk = {str(p.relative_to(out)) for p in out.glob("*/*.pdf")}
    assert listed == on_disk
    assert not list((out / ".factsheet/tmp").iterdir())


def test_ctrl_c_after_a_job_finished_publishes_it_listed_in_the_manifest(built: Path) -> None:
    """What finished before Ctrl-C is published, complete, with the manifest listing it."""
    out = built / "out-partial"
    process = start_build(built, 1, out)
    assert process.stderr is not None
    first = ""
    while process.poll() is None and " built " not in first:
        first = process.stderr.readline()  # "[1/10] built en/<slug>.pdf 1.23s"
    interrupted(process)
    done = first.split(" built ")[1].split()[0]
    entries = {e["path"]: e for e in json.loads((out / "manifest.json").read_text())["pdfs"]}
    assert done in entries
    on_disk = {str(p.relative_to(out)) for p in out.glob("*/*.pdf")}
    assert set(entries) == on_disk and len(on_disk) < 10  # not the whole catalog
    for path, entry in entries.items():
        data = (out / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
    assert not list((out / ".factsheet/tmp").iterdir())


def test_on_a_terminal_the_progress_line_shows_done_running_and_queued(built: Path) -> None:
    import pty

    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "-l", "en", "-l", "es", "--force"]
        + ["--jobs", "2", "--out", str(built / "out-tty")],
        cwd=built,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the build closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.wait(timeout=600) == 0
    text = shown.decode()
    assert "[0/4] running 1, queued 3" in text and "[0/4] running 2, queued 2" in text
    assert "[4/4] built" in text and "running 0, queued 0" in text
