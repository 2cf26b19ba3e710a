"""`build --executor dask`: the same build on a real Dask cluster on 127.0.0.1.

A distributed.LocalCluster (two worker processes with nannies, one thread
each) serves most tests; one slow test starts a scheduler and two workers
from the command line as a user would. Every build is compared byte for byte
with a local build of the same project.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_project, default_ctrl_c, run_cli

from pipeline.build.executor import MAX_ATTEMPTS
from pipeline.checks.readpdf import ReadPdf

distributed = pytest.importorskip("distributed")

JOBS = ("-l", "en", "-l", "es")


def published(out: Path) -> dict[str, bytes]:
    """Every file a build published (its own state folder left out)."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".factsheet" not in path.parts
    }


def summary(result: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def manifest_matches_files(out: Path) -> None:
    """The manifest lists exactly the PDFs on disk, each complete."""
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())["pdfs"]}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.pdf") if ".factsheet" not in p.parts}
    assert listed == on_disk
    for path in on_disk:
        assert (out / path).read_bytes().rstrip().endswith(b"%%EOF"), path


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as local:
        yield local


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=120)
        yield connected


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The sample project, built once locally: the reference every cluster build must equal."""
    root = copy_project(tmp_path_factory.mktemp("cluster"))
    run_cli(root, "build", *JOBS, "--jobs", "2", check=True)
    return root


@pytest.fixture
def root(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "p"
    shutil.copytree(project, target, symlinks=True)
    return target


def dask_build(root: Path, scheduler: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """`factsheet build` on the cluster: JOBS unless ``args`` pick languages."""
    jobs = () if "-l" in args else JOBS
    return run_cli(
        root, "build", *jobs, "--executor", "dask", "--scheduler", scheduler, *args, **kwargs
    )


def test_a_cluster_build_publishes_the_same_bytes_as_a_local_build(root, cluster, client) -> None:
    out = root / "out-dask"
    result = dask_build(root, cluster.scheduler_address, "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert summary(result)["built"] == 4
    assert published(out) == published(root / "output")
    # The cache still decides: nothing is sent to the cluster the second time.
    again = summary(
        dask_build(root, cluster.scheduler_address, "--out", str(out), "--format", "json")
    )
    assert again["built"] == 0 and again["skipped"] == 4
    # The workers dropped the snapshot with the build. Its render processes wait for
    # the next build, parked: one per worker thread, and no other is left running.
    plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert not any("factsheet" in name for names in plugins.values() for name in names)
    left = client.run(snapshots_and_renderers)
    assert [unpacked for unpacked, _ in left.values()] == [[], []]
    assert client.run(parked_pids) == {w: children for w, (_, children) in left.items()}
    assert all(len(children) <= 1 for _, children in left.values())


def snapshots_and_renderers(dask_worker) -> tuple[list[str], list[int]]:
    """On a worker: unpacked snapshots, and the pids of render processes still running."""
    import psutil

    folder = Path(dask_worker.local_directory) / "factsheet"
    unpacked = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    children = []
    for child in psutil.Process().children():
        # A process being stopped may exit, or wait to be reaped, while we look.
        with contextlib.suppress(psutil.NoSuchProcess):  # ZombieProcess is one too
            if child.status() != psutil.STATUS_ZOMBIE and "pipeline.build.worker" in " ".join(
                child.cmdline()
            ):
                children.append(child.pid)
    return unpacked, sorted(children)


def parked_pids(dask_worker) -> list[int]:
    """On a worker: the render processes that finished builds left for the next one."""
    from pipeline.build import onworker as on_worker

    with on_worker._LOCK:
        return sorted(process.pid for process, _ in on_worker._PARKED.values())


def set_park_seconds(dask_worker, seconds: float) -> float:
    """On a worker: how long render processes stay parked; returns the previous value."""
    from pipeline.build import onworker as on_worker

    previous, on_worker.PARK_SECONDS = on_worker.PARK_SECONDS, seconds
    return previous


def test_the_next_build_takes_over_the_parked_render_processes_with_its_own_snapshot(
    root, cluster, client
) -> None:
    """A parked process renders the next build from that build's files: an edited
    sheet comes out edited, byte for byte as a local build makes it."""
    first = dask_build(root, cluster.scheduler_address, "--force", "--format", "json")
    assert summary(first)["built"] == 4
    parked = client.run(parked_pids)
    assert sorted(len(pids) for pids in parked.values()) == [1, 1]
    sheet = root / "sheets/metastatic-breast-cancer/en.md"
    before = "Even when it grows in another organ, it is still breast cancer."
    after = "Even when it grows in a distant organ, it remains breast cancer."
    assert before in sheet.read_text()
    sheet.write_text(sheet.read_text().replace(before, after))
    second = dask_build(root, cluster.scheduler_address, "-l", "en", "--format", "json")
    assert summary(second)["built"] == 1, second.stderr  # the edited sheet alone
    assert client.run(parked_pids) == parked  # the same processes: taken over, parked again
    out = root / "output/en/metastatic-breast-cancer.pdf"
    text = " ".join(ReadPdf(out.read_bytes()).text.split())
    assert "in a distant organ, it remains breast cancer" in text
    assert "another organ" not in text
    local = root / "out-local-edited"
    run_cli(root, "build", "-l", "en", "--force", "--out", str(local), check=True)
    assert out.read_bytes() == (local / "en/metastatic-breast-cancer.pdf").read_bytes()


def test_parked_render_processes_stop_when_their_time_is_up(root, cluster, client) -> None:
    previous = client.run(set_park_seconds, seconds=0.5)
    try:
        result = dask_build(root, cluster.scheduler_address, "--force", "--format", "json")
        assert summary(result)["built"] == 4
        # The reaper takes a process off the parked list, then stops it: wait for both.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            left = client.run(snapshots_and_renderers)
            if not any(client.run(parked_pids).values()) and not any(
                children for _, children in left.values()
            ):
                break
            time.sleep(0.2)
        assert all(children == [] for _, children in left.values()), left
    finally:
        for worker, seconds in previous.items():
            client.run(set_park_seconds, seconds=seconds, workers=[worker])


def test_the_scheduler_can_come_from_the_environment(root, cluster, client) -> None:
    css = root / "styles/harborlight/sheet.css"
    css.write_text(css.read_text() + "\n/* edited */\n")
    result = run_cli(
        root,
        "build",
        "-l",
        "en",
        "--executor",
        "dask",
        "--format",
        "json",
        env={"FACTSHEET_SCHEDULER": cluster.scheduler_address},
    )
    assert result.returncode == 0, result.stderr
    assert summary(result)["built"] == 2


def test_a_worker_killed_mid_build_is_replaced_and_the_build_completes(
    root, cluster, client
) -> None:
    out = root / "out-killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", *JOBS, "--executor", "dask"]
        + ["--scheduler", cluster.scheduler_address, "--out", str(out), "--format", "json"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and process.poll() is None:
        for worker, keys in client.processing().items():
            if any(str(key).startswith("factsheet-") for key in keys):
                victim = worker
                break
        time.sleep(0.2)
    assert victim is not None, "no job ever reached a worker"
    os.kill(client.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["built"] == 4 and "Traceback" not in stderr
    assert max(job["attempts"] for job in report["jobs"]) >= 2  # the lost job ran again
    assert "runs again: run 2 on tcp://127.0.0.1:" in stderr
    assert published(out) == published(root / "output")


# -- batches: several jobs per Dask task ------------------------------------------------------


def test_batches_shrink_towards_the_end_of_a_build_and_cover_every_job_once() -> None:
    from pipeline.build.cluster import MAX_BATCH, batch_size

    remaining, sizes = 1000, []
    while remaining:
        sizes.append(batch_size(remaining, 4))
        remaining -= sizes[-1]
    assert sum(sizes) == 1000
    assert max(sizes) == MAX_BATCH and sizes[0] == MAX_BATCH
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-16:] == [1] * 16  # the last tasks are single jobs: no thread waits on a batch
    assert batch_size(3, 2) == 1


class FakeWorker:
    address = "tcp://127.0.0.1:1"

    def __init__(self) -> None:
        self.events: list[dict] = []

    def log_event(self, topic: str, message: dict) -> None:
        self.events.append(message)


class DiesOn:
    """A render process that dies on the job with index ``index``."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.alive = True

    def run(self, task, limits) -> dict | None:
        if task.index == self.index:
            self.alive = False
            return None
        return {"pdf": b"%PDF-", "pages": 1, "findings": [], "draft": False, "seconds": 0.0}

    def exit(self) -> str:
        return "killed by SIGKILL"

    def memory_mb(self) -> int:
        return 100


@pytest.mark.parametrize("dies_on", [0, 1, 2])
def test_a_batch_whose_render_process_dies_returns_what_it_finished(
    project_dir, monkeypatch, dies_on
) -> None:
    from pipeline.build import onworker as on_worker
    from pipeline.build.executor import Task
    from pipeline.build.plan import plan
    from pipeline.source.loader import load_project

    loaded = load_project(project_dir)
    tasks = [
        Task(i, job, job.relpath("letter"), f"sheets/{job.slug}/{job.lang}.md")
        for i, job in enumerate(plan(loaded)[:3])
    ]
    worker = FakeWorker()
    monkeypatch.setattr(on_worker, "get_worker", lambda: worker)
    monkeypatch.setattr(on_worker, "_renderer", lambda digest, expected: DiesOn(dies_on))
    limits = loaded.policy.limits
    outcomes = on_worker.render_on_worker("d", tasks, limits, {}, "topic")
    assert [("pdf" in o) for o in outcomes[:-1]] == [True] * dies_on
    assert outcomes[-1] == {"lost": "the render process on tcp://127.0.0.1:1 killed by SIGKILL"}
    assert [e["index"] for e in worker.events] == list(range(dies_on + 1))  # the rest never ran


class Grown(DiesOn):
    """A render process that ends every job holding ``mb`` of memory."""

    def __init__(self, mb: int) -> None:
        super().__init__(-1)
        self.mb = mb

    def memory_mb(self) -> int:
        return self.mb

    def stop(self) -> None:
        self.alive = False


@pytest.mark.parametrize("over_half", [True, False])
def test_a_render_process_left_big_by_a_job_is_replaced(
    project_dir, monkeypatch, over_half
) -> None:
    """As in the local pool: over half the memory limit after a job, a worker's render
    process is stopped, so that the next job (or build) starts from a fresh one."""
    from pipeline.build import onworker as on_worker
    from pipeline.build.executor import Task
    from pipeline.build.plan import plan
    from pipeline.source.loader import load_project

    loaded = load_project(project_dir)
    limits = loaded.policy.limits
    tasks = [
        Task(i, job, job.relpath("letter"), f"sheets/{job.slug}/{job.lang}.md")
        for i, job in enumerate(plan(loaded)[:2])
    ]
    mb = limits.worker_memory_mb // 2 + (1 if over_half else 0)
    processes: list[Grown] = []

    def renderer(digest, expected) -> Grown:
        processes.append(Grown(mb))
        return processes[-1]

    monkeypatch.setattr(on_worker, "get_worker", FakeWorker)
    monkeypatch.setattr(on_worker, "_renderer", renderer)
    outcomes = on_worker.render_on_worker("d", tasks, limits, {}, "topic")
    assert all("pdf" in outcome for outcome in outcomes)
    assert [not process.alive for process in processes] == [over_half, over_half]


def kill_in_first_batch(dask_worker, undo: bool = False) -> int:
    """On a worker: the render process of the first batch of two or more jobs dies on the
    batch's second job (SIGKILL, as the OOM killer would). Returns the worker's pid."""
    from pipeline.build import onworker as on_worker

    original = getattr(on_worker, "_original_render_on_worker", on_worker.render_on_worker)
    if undo:
        on_worker.render_on_worker = original
        return os.getpid()
    on_worker._original_render_on_worker = original
    armed = [True]

    def render_on_worker(digest, tasks, limits, expected, topic):
        if len(tasks) < 2 or not armed[0]:
            return original(digest, tasks, limits, expected, topic)
        armed[0] = False
        run, calls = on_worker.RenderProcess.run, []

        def dying(process, task, limits):
            calls.append(task.index)
            if len(calls) == 2:
                os.kill(process.pid, signal.SIGKILL)
            return run(process, task, limits)

        on_worker.RenderProcess.run = dying
        try:
            return original(digest, tasks, limits, expected, topic)
        finally:
            on_worker.RenderProcess.run = run

    on_worker.render_on_worker = render_on_worker
    return os.getpid()


def kill_job_every_time(dask_worker, index: int | None) -> int:
    """On a worker: the render process dies on job ``index`` every time it runs it
    (None: undo). Returns the worker's pid."""
    from pipeline.build import onworker as on_worker

    original = getattr(on_worker, "_original_run", on_worker.RenderProcess.run)
    on_worker._original_run = original
    if index is None:
        on_worker.RenderProcess.run = original
        return os.getpid()

    def dying(process, task, limits):
        if task.index == index:
            os.kill(process.pid, signal.SIGKILL)
        return original(process, task, limits)

    on_worker.RenderProcess.run = dying
    return os.getpid()


def test_a_job_that_always_kills_its_render_process_fails_alone_not_its_batch(
    root, cluster, client
) -> None:
    many = ("--variant", "standard", "--variant", "large-print", "--paper", "letter")
    many += ("--paper", "a4", "--format", "json")
    client.run(kill_job_every_time, index=0)  # the first job of the first batch (of two)
    try:
        out = root / "out-always-lost"
        result = dask_build(root, cluster.scheduler_address, *JOBS, *many, "--out", str(out))
    finally:
        client.run(kill_job_every_time, index=None)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = summary(result)
    assert report["built"] == 15 and report["failed"] == 1
    (victim,) = [job for job in report["jobs"] if job["status"] == "failed"]
    assert victim["attempts"] == MAX_ATTEMPTS
    assert (
        f"lost {MAX_ATTEMPTS} times" in victim["error"] and "killed by SIGKILL" in victim["error"]
    )


class KillsItsWorker(distributed.WorkerPlugin):
    """On every worker, also each one that replaces a killed one: the job ``index``
    kills the Dask worker process itself, as a machine that goes down would."""

    def __init__(self, index: int) -> None:
        self.index = index

    def setup(self, worker) -> None:
        from pipeline.build import onworker as on_worker

        original = on_worker.RenderProcess.run
        self.original = original

        def run(process, task, limits):
            if task.index == self.index:
                time.sleep(0.5)  # its "started" event reaches the scheduler first
                os.kill(os.getpid(), signal.SIGKILL)
            return original(process, task, limits)

        on_worker.RenderProcess.run = run

    def teardown(self, worker) -> None:
        from pipeline.build import onworker as on_worker

        on_worker.RenderProcess.run = self.original


@pytest.fixture
def own_cluster():
    """A cluster of its own, for a test whose workers die again and again."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as local,
        distributed.Client(local.scheduler_address, set_as_default=False) as connected,
    ):
        connected.wait_for_workers(2, timeout=120)
        yield local.scheduler_address, connected


@pytest.mark.slow
def test_a_job_that_kills_its_workers_fails_alone_when_the_scheduler_gives_up(
    root, own_cluster
) -> None:
    """KilledWorker names a batch, not a job: its jobs run again one per task, and only
    the job that kills its worker each time fails; its batch-mate is built."""
    address, client = own_cluster
    many = ("--variant", "standard", "--variant", "large-print", "--paper", "letter")
    many += ("--paper", "a4", "--format", "json")
    client.register_plugin(KillsItsWorker(0), name="kills-its-worker")  # first batch: 0, 1
    out = root / "out-killed-worker"
    result = dask_build(root, address, *JOBS, *many, "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = summary(result)
    assert report["built"] == 15 and report["failed"] == 1, result.stderr
    (victim,) = [job for job in report["jobs"] if job["status"] == "failed"]
    assert "the scheduler gave up on it" in victim["error"]
    assert victim["attempts"] > MAX_ATTEMPTS  # its batch's runs, then its own


def test_a_render_process_lost_mid_batch_reruns_only_the_jobs_it_did_not_finish(
    root, cluster, client
) -> None:
    many = ("--variant", "standard", "--variant", "large-print", "--paper", "letter")
    many += ("--paper", "a4", "--format", "json")
    reference = root / "out-local-many"
    run_cli(root, "build", *JOBS, *many, "--out", str(reference), check=True)
    client.run(kill_in_first_batch)
    try:
        out = root / "out-batch-lost"
        result = dask_build(root, cluster.scheduler_address, *JOBS, *many, "--out", str(out))
    finally:
        client.run(kill_in_first_batch, undo=True)
    assert result.returncode == 0, result.stderr
    report = summary(result)
    assert report["built"] == 16
    attempts = sorted(job["attempts"] for job in report["jobs"])
    assert attempts == [1] * 15 + [2], result.stderr  # the lost job alone ran twice
    assert "runs again: run 2 on tcp://127.0.0.1:" in result.stderr
    assert published(out) == published(reference)


def test_a_job_that_fails_the_gate_fails_once_with_its_finding(root, cluster, client) -> None:
    template = root / "styles/templates/sheet.html.j2"
    text = template.read_text()
    assert "blocks.disclaimer" in text
    template.write_text(text.replace("blocks.disclaimer", "''"))
    before = published(root / "output")
    result = dask_build(root, cluster.scheduler_address, "-l", "en", "--format", "json")
    assert result.returncode == 1
    report = summary(result)
    assert report["failed"] == 2
    for job in report["jobs"]:
        assert job["attempts"] == 1
        assert "pdf-disclaimer" in {finding["rule"] for finding in job["findings"]}
    assert published(root / "output") == before  # the previous good PDFs stay


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("render_seconds: 0.05", "took longer than 0.05 s, the limit per job"),
        ("worker_memory_mb: 30", "over the limit of 30 MB per worker"),
    ],
)
def test_a_job_over_a_limit_is_stopped_on_the_worker_and_not_retried(
    root, cluster, client, limit, message
) -> None:
    policy = root / "sheets/_org/policy.yaml"
    name = limit.split(":")[0]
    lines = [line for line in policy.read_text().splitlines() if name not in line]
    policy.write_text("\n".join(lines).replace("limits:\n", f"limits:\n  {limit}\n") + "\n")
    result = dask_build(root, cluster.scheduler_address, "-l", "en", "--format", "json")
    assert result.returncode == 1
    report = summary(result)
    assert report["failed"] == 2 and report["built"] == 0
    for job in report["jobs"]:
        assert job["attempts"] == 1
        assert job["error"].startswith(f"sheets/{job['path'].split('/')[1].split('.')[0]}/")
        assert message in job["error"] and "its worker was stopped" in job["error"]


def test_a_worker_that_renders_differently_is_refused(root, cluster, client, tmp_path) -> None:
    """The client's fonts differ from the workers': their PDFs would not match the keys.
    Render processes parked by an earlier build check again, as new ones do."""
    assert summary(dask_build(root, cluster.scheduler_address, "--force", "--format", "json"))
    assert all(client.run(parked_pids).values())
    config = tmp_path / "fonts.conf"
    config.write_text(
        "<?xml version='1.0'?><fontconfig>"
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>"
    )
    result = dask_build(
        root, cluster.scheduler_address, "--force", env={"FONTCONFIG_FILE": str(config)}
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert "error: tcp://127.0.0.1:" in line
    assert "this worker renders with font" in line and "(client: /usr/share/fonts/" in line
    assert "hint: install the same factsheet release" in line


def test_ctrl_c_cancels_the_cluster_jobs_and_publishes_nothing_half_built(
    root, cluster, client
) -> None:
    out = root / "out-interrupted"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", *JOBS, "--executor", "dask"]
        + ["--scheduler", cluster.scheduler_address, "--out", str(out)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_ctrl_c,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(str(k).startswith("factsheet-") for ks in client.processing().values() for k in ks):
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    manifest_matches_files(out)
    assert not list((out / ".factsheet/tmp").iterdir())

    def ours(dask_scheduler) -> list[str]:
        return [str(key) for key in dask_scheduler.tasks if str(key).startswith("factsheet-")]

    deadline = time.monotonic() + 30
    while client.run_on_scheduler(ours) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.run_on_scheduler(ours) == []


def test_cluster_usage_errors_are_one_line(root, cluster) -> None:
    missing = run_cli(root, "build", "--executor", "dask")
    assert missing.returncode == 2 and "--executor dask needs --scheduler" in missing.stderr
    local = run_cli(root, "build", "--scheduler", cluster.scheduler_address)
    assert local.returncode == 2 and "--scheduler is for --executor dask" in local.stderr
    both = run_cli(root, "build", "--executor", "dask", "--scheduler", "x:1", "--jobs", "2")
    assert both.returncode == 2


def test_an_unreachable_scheduler_is_one_clear_line(root) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli(
        root,
        "build",
        "-l",
        "en",
        "--force",
        "--executor",
        "dask",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(
        f"factsheet: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"
    )
    assert "hint: start one with `dask scheduler`" in line


# -- a cluster started the way a user starts one ---------------------------------------------


@pytest.fixture
def command_line_cluster(tmp_path: Path):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, stopped afterwards."""
    dask = str(Path(sys.executable).parent / "dask")
    file = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    common = {"cwd": tmp_path, "stderr": subprocess.STDOUT, "start_new_session": True}
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(file)],
            stdout=open(logs / "scheduler.log", "w"),  # noqa: SIM115 - closed with the process
            **common,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for number in (1, 2):
            processes.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-dashboard"]
                    + ["--host", "127.0.0.1", "--local-directory", str(tmp_path / f"w{number}")],
                    stdout=open(logs / f"worker{number}.log", "w"),  # noqa: SIM115
                    **common,
                )
            )
        with distributed.Client(address, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            with_group = os.getpgid(process.pid) if process.poll() is None else None
            if with_group is not None:
                os.killpg(with_group, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert all(process.returncode is not None for process in processes)


@pytest.mark.slow
def test_a_command_line_cluster_builds_byte_identical_pdfs(root, command_line_cluster) -> None:
    out = root / "out-cli"
    result = dask_build(root, command_line_cluster, "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert published(out) == published(root / "output")
    # Clinic imprints travel with their clinic file and logo.
    args = ("-l", "en", "--imprint", "eastside")
    run_cli(root, "build", *args, "--out", str(root / "out-local-imprint"), check=True)
    imprint = run_cli(
        root,
        "build",
        *args,
        "--executor",
        "dask",
        "--scheduler",
        command_line_cluster,
        "--out",
        str(root / "out-dask-imprint"),
    )
    assert imprint.returncode == 0, imprint.stderr
    assert published(root / "out-dask-imprint") == published(root / "out-local-imprint")
    # Started from the project's set-up, scheduler and workers read pipeline/build/dask.yaml
    # (installed by `make setup` into the venv's etc/dask).
    import dask

    tick = "distributed.admin.tick.interval"
    with distributed.Client(command_line_cluster, set_as_default=False) as client:
        # (functions of an importable module or lambdas: these workers cannot import tests)
        sampled = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
        assert list(sampled.values()) == [False, False]
        assert list(client.run(dask.config.get, tick).values()) == ["1s", "1s"]
        assert client.run_on_scheduler(dask.config.get, tick) == "1s"
