"""Where a Dask build's CPU goes, process by process, against the local pool.

bench/scale.py times whole builds; on a 2-core machine the difference between
a Dask build and a local one is a few per cent, and one build's speed moves more
than that from the next one's. This counts CPU seconds instead, per kind of
process, for the same catalog built alternately on the local pool and on a
running command-line cluster of the same size:
- local: the client and its render processes (reaped children, getrusage);
- Dask: the client, the render processes on the workers, the worker processes
  (with their nannies), the `dask worker` parent and the scheduler (psutil,
  read before and after each build).

By default the cluster reads pipeline/build/dask.yaml (installed into the
venv by `make setup`), as a cluster started from the project's set-up does;
`--dask-defaults` starts it with Dask's own defaults instead.

Usage: python bench/cluster_cpu.py [--sheets 100] [--langs 2] [--rounds 2] [--dask-defaults]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LANGS, make_catalog  # noqa: E402
from scale import CLIENT_CPU, VARIANTS, CommandLineCluster, factsheet, short_sheet  # noqa: E402

#: Dask's defaults for what pipeline/build/dask.yaml changes (environment wins over files).
DASK_DEFAULTS = {
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "20ms",
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "True",
}


def kind_of(process: psutil.Process) -> str:
    command = " ".join(process.cmdline())
    if "pipeline.build.worker" in command:
        return "render processes"
    if " scheduler" in command:
        return "scheduler"
    if "--nworkers" in command:
        return "`dask worker` parent"
    return "worker processes (and nannies)"


def cluster_cpu(roots: list[int]) -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds so far, its reaped children's included)."""
    found = {}
    for root in roots:
        try:
            processes = [psutil.Process(root), *psutil.Process(root).children(recursive=True)]
        except psutil.Error:
            continue
        for process in processes:
            try:
                times = process.cpu_times()
                found[process.pid] = (kind_of(process), sum(times[:4]))
            except psutil.Error:
                continue  # ended meanwhile
    return found


def build(folder: Path, env: dict, *args: str) -> tuple[float, float, float]:
    """Seconds, the client's CPU, and the CPU of the client with its reaped children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed, _, _ = factsheet(folder, env, "-q", "build", *VARIANTS, "--force", *args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, CLIENT_CPU[0], reaped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=100)
    parser.add_argument("--langs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dask-defaults", action="store_true")
    args = parser.parse_args()
    jobs = args.sheets * args.langs * 2
    with tempfile.TemporaryDirectory(prefix="factsheet-cpu-") as temp:
        folder = Path(temp) / "catalog"
        make_catalog(folder, args.sheets, LANGS[: args.langs], short_sheet, prefix="scale")
        env = {"FACTSHEET_CACHE_DIR": str(Path(temp) / "parsed")}
        dask_env = {**env, **(DASK_DEFAULTS if args.dask_defaults else {})}
        settings = "Dask's defaults" if args.dask_defaults else "pipeline/build/dask.yaml"
        print(f"{jobs} jobs, 2 render processes a side; cluster with {settings}")
        with CommandLineCluster(Path(temp), 2, dask_env) as address:
            roots = [
                child.pid
                for child in psutil.Process().children()
                if "dask" in " ".join(child.cmdline())
            ]
            on_dask = ("--executor", "dask", "--scheduler", address)
            build(folder, env, *on_dask)  # the cluster's first build: parse cache, workers
            for _ in range(args.rounds):
                seconds, client, reaped = build(folder, env, "--jobs", "2")
                print(
                    f"  local  {seconds:6.1f} s  CPU {reaped:6.1f} s: client {client:.1f}, "
                    f"render processes {reaped - client:.1f}"
                )
                before = cluster_cpu(roots)
                seconds, client, reaped = build(folder, env, *on_dask)
                spent: Counter[str] = Counter()
                for pid, (kind, cpu) in cluster_cpu(roots).items():
                    spent[kind] += cpu - before.get(pid, (kind, 0.0))[1]
                total = reaped + sum(spent.values())
                parts = [f"client {client:.1f}"]
                parts += [f"{kind} {cpu:.1f}" for kind, cpu in sorted(spent.items())]
                print(f"  Dask   {seconds:6.1f} s  CPU {total:6.1f} s: " + ", ".join(parts))


if __name__ == "__main__":
    main()
