"""Stage 5, build: plan -> job keys -> cache -> workers (render + gate) -> atomic
publish -> manifest.

plan.py (Job, what to build), keys.py (what a job's PDF depends on),
output.py (the output folder: lock, cache, manifest), engine.py (the build),
audit.py (`factsheet check` over sources and built PDFs), preview.py.
"""
