"""Scale benchmark: a 2,000-job catalog, the local pool against a local Dask cluster.

Generates a synthetic catalog (default 200 sheets x 5 languages x 2 variants,
standard and large print = 2,000 jobs; one-page sheets, so that a full build
fits in a benchmark run) and measures, in one run:
- planning: `build --dry-run` (load, source checks, job keys, cache lookups),
  with an empty parse cache and again with a warm one;
- a full build on the local pool (--jobs W) and on a Dask cluster of the same
  size started here from the command line (`dask scheduler`, `dask worker
  --nworkers W --nthreads 1`): throughput, and their overhead ratio. The
  cluster is started from this venv, so it reads pipeline/build/dask.yaml
  (installed by `make setup`), as a user's cluster started from the
  project's set-up does;
- a no-op rebuild of the 2,000 jobs;
- peak RSS of the client (the `factsheet` process alone, not its workers).

Usage: python bench/scale.py [--sheets 200] [--langs 5] [--workers 2] [--rounds 2] [--no-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LANGS, front_matter, make_catalog, print_table, sentence  # noqa: E402

VARIANTS = ("--variant", "standard", "--variant", "large-print")

#: Runs `factsheet` and writes the process's own peak RSS (KiB) and CPU seconds
#: (its workers left out) to $BENCH_RSS_FILE.
CLIENT = """
import atexit, os, resource, runpy, sys
def report():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ["BENCH_RSS_FILE"], "w") as out:
        out.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
atexit.register(report)
sys.argv = ["factsheet", *sys.argv[1:]]
runpy.run_module("pipeline", run_name="__main__")
"""


def short_sheet(rng: random.Random, index: int, lang: str) -> str:
    """A one-page sheet: three sections, a list, and the Resources callout."""
    parts = front_matter(f"SCALE-{index:04d}", f"Scale sheet {index}", lang)
    for section in range(3):
        parts += [f"## Section {section + 1}", "", " ".join(sentence(rng) for _ in range(2)), ""]
    parts += [f"- {sentence(rng, 6)}" for _ in range(3)] + [""]
    parts += [
        "::: callout Resources",
        "- Call our helpline at [1-877-555-0142](tel:+18775550142).",
        ":::",
        "",
    ]
    return "\n".join(parts)


#: CPU seconds of the last `factsheet` process itself (not its workers).
CLIENT_CPU = [0.0]


def factsheet(folder: Path, env: dict, *args: str) -> tuple[float, int, str]:
    """Seconds, the client's own peak RSS (MiB) and stdout of one `factsheet` command."""
    rss_file = folder.parent / "rss"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "NO_COLOR": "1", "BENCH_RSS_FILE": str(rss_file)},
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"factsheet {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    rss, cpu = rss_file.read_text().split()
    CLIENT_CPU[0] = float(cpu)
    return elapsed, int(rss) // 1024, result.stdout


class CommandLineCluster:
    """`dask scheduler` and `dask worker --nworkers N --nthreads 1` on 127.0.0.1."""

    def __init__(self, folder: Path, workers: int, env: dict) -> None:
        self.folder, self.workers, self.env, self.processes = folder, workers, env, []

    def __enter__(self) -> str:
        try:
            return self._started()
        except BaseException:  # a cluster that failed to come up is stopped, not leaked
            self.__exit__()
            raise

    def _started(self) -> str:
        dask = str(Path(sys.executable).parent / "dask")
        file = self.folder / "scheduler.json"
        self._start([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(file)])  # fmt: skip
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        self._start([dask, "worker", address, "--nworkers", str(self.workers), "--nthreads", "1",
                     "--host", "127.0.0.1", "--no-dashboard",
                     "--local-directory", str(self.folder / "workers")])  # fmt: skip
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(self.workers, timeout=120)
        return address

    def _start(self, command: list[str]) -> None:
        log = open(self.folder / f"{command[1]}.log", "w")  # noqa: SIM115 - lives with the process
        self.processes.append(
            subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
            )
        )

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--langs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask build")
    parser.add_argument(
        "--rounds", type=int, default=2,
        help="local/Dask pairs of full builds for the ratio, order alternating (default 2)",
    )  # fmt: skip
    args = parser.parse_args()
    langs = LANGS[: args.langs]
    jobs = args.sheets * len(langs) * 2
    rows = [("jobs (sheets x languages x 2 variants)", f"{jobs}", "")]
    with tempfile.TemporaryDirectory(prefix="factsheet-scale-") as temp:
        folder = Path(temp) / "catalog"
        make_catalog(folder, args.sheets, langs, short_sheet, prefix="scale")
        env = {"FACTSHEET_CACHE_DIR": str(Path(temp) / "parsed")}
        build = ("-q", "build", *VARIANTS, "--format", "json")

        cold, _, _ = factsheet(folder, env, "build", *VARIANTS, "--dry-run", "--format", "json")
        warm, rss, _ = factsheet(folder, env, "build", *VARIANTS, "--dry-run", "--format", "json")
        rows.append(("planning, empty parse cache", f"{cold:.2f} s", "build --dry-run"))
        rows.append(("planning, warm parse cache", f"{warm:.2f} s", f"client peak {rss} MB"))

        workers = str(args.workers)
        local_build = (*build, "--jobs", workers, "--force")
        local, rss_local, out = factsheet(folder, env, *local_build)
        assert json.loads(out)["built"] == jobs, out
        rows.append(
            ("full build, local pool", f"{local:.1f} s",
             f"{jobs / local:.1f} jobs/s, client peak {rss_local} MB")
        )  # fmt: skip
        rows.append(
            ("  client CPU per job (plan, publish)", f"{CLIENT_CPU[0] / jobs * 1000:.1f} ms",
             f"{CLIENT_CPU[0]:.1f} s in all")
        )  # fmt: skip
        noop, rss_noop, out = factsheet(folder, env, *build, "--jobs", workers)
        assert json.loads(out)["skipped"] == jobs, out
        rows.append(
            ("no-op rebuild", f"{noop:.2f} s",
             f"(target <= 3 s), client cpu {CLIENT_CPU[0]:.2f} s, peak {rss_noop} MB")
        )  # fmt: skip
        rss_remote = 0
        if not args.no_dask:
            before = (folder / "output" / "manifest.json").read_bytes()
            locals_, remotes = [local], []
            # The workers share this machine, and so the client's parse cache, as the
            # local pool's processes do.
            with CommandLineCluster(Path(temp), args.workers, env) as address:
                dask_build = (*build, "--executor", "dask", "--scheduler", address, "--force")
                # A cluster is a service that outlives builds. Its first build is timed
                # apart, on one sheet (a just-started cluster is slower at first: see
                # bench/README.md), and the rounds measure the builds after it.
                first_sheet = ("-q", "build", "scale-000", *build[2:], "--force")
                first, _, out = factsheet(
                    folder, env, *first_sheet, "--executor", "dask", "--scheduler", address
                )
                first_jobs = json.loads(out)["built"]
                first_local = factsheet(folder, env, *first_sheet, "--jobs", workers)[0]
                # Rounds in the order local, Dask | Dask, local | ...: a machine that
                # gets busier or quieter during the run weighs on both sides alike.
                for round_ in range(args.rounds):
                    if round_ % 2 == 1:
                        remote, rss_remote, out = factsheet(folder, env, *dask_build)
                        remotes.append(remote)
                        locals_.append(factsheet(folder, env, *local_build)[0])
                    else:
                        if round_ > 0:
                            locals_.append(factsheet(folder, env, *local_build)[0])
                        remote, rss_remote, out = factsheet(folder, env, *dask_build)
                        remotes.append(remote)
                    assert json.loads(out)["built"] == jobs, out
                    dask_cpu = CLIENT_CPU[0]
                # The same one-sheet build again, on the cluster now running: its workers'
                # render processes are parked, warm, from the builds before.
                again = factsheet(
                    folder, env, *first_sheet, "--executor", "dask", "--scheduler", address
                )[0]
                again_local = factsheet(folder, env, *first_sheet, "--jobs", workers)[0]
            same = (folder / "output" / "manifest.json").read_bytes() == before
            rows.append(
                (f"full build, Dask ({workers} workers x 1 thread)", f"{remotes[0]:.1f} s",
                 f"{jobs / remotes[0]:.1f} jobs/s, client peak {rss_remote} MB")
            )  # fmt: skip
            rows.append(
                ("  client CPU per job (plan, gather, publish)",
                 f"{dask_cpu / jobs * 1000:.1f} ms", f"{dask_cpu:.1f} s in all")
            )  # fmt: skip
            rows.append(
                ("  first build on the just-started cluster", f"{first:.2f} s",
                 f"{first_jobs} jobs of one sheet; local pool {first_local:.2f} s")
            )  # fmt: skip
            rows.append(
                ("  the same build on the running cluster", f"{again:.2f} s",
                 f"render processes parked by the builds before; local pool {again_local:.2f} s")
            )  # fmt: skip
            per_round = ", ".join(f"{d / lo:.2f}" for d, lo in zip(remotes, locals_, strict=True))
            rows.append(
                ("Dask / local pool", f"{sum(remotes) / sum(locals_):.2f}",
                 f"(target <= 1.15) over {args.rounds} round(s): {per_round}; "
                 f"manifest identical: {same}")
            )  # fmt: skip
        peak = max(rss, rss_local, rss_noop, rss_remote)
        rows.append(("client peak RSS", f"{peak} MB", "(target <= 500 MB)"))
    print_table("factsheet scale benchmark", rows)


if __name__ == "__main__":
    main()
