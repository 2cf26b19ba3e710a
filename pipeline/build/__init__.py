"""Stage 5, build: plan -> job keys -> cache -> executor (render + gate) -> atomic
publish -> manifest.

plan.py (Job, what to build), keys.py (what a job's PDF depends on),
output.py (the output folder: lock, cache, manifest), engine.py (the build),
executor.py (the seam where jobs run), worker.py and process.py (one job in a
render process under the limits), localpool.py (the default executor),
snapshot.py and cluster.py (a Dask cluster), audit.py (`factsheet check` over
sources and built PDFs), preview.py.
"""
