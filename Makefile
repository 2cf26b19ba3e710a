# The two commands a newcomer needs: `make demo` and `make test`.
# Both set everything up first: system packages (installed when run as root with
# apt-get, otherwise the exact command is printed), a .venv, the Python packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every Python package, pinned with its sha256: a fresh clone gets exactly the
# versions the suite passed with. `make upgrade` refreshes it (uv pip compile).
LOCK := requirements.lock
LOCK_FLAGS := --extra dev --extra tooling --extra bench --generate-hashes --universal --python-version 3.11
# What the renderer needs from the system: Pango >= 1.44 for text layout,
# libharfbuzz-subset0 so WeasyPrint subsets fonts natively (about 6x faster than
# its fontTools fallback), and fonts for every script in the sample catalog.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-noto-core fonts-noto-cjk fonts-dejavu-core
# Only the test suite needs these: pdftoppm reads printed pages back as images;
# msgfmt (gettext) proves that PO exports pass `msgfmt -c`.
TEST_SYSTEM_PACKAGES := poppler-utils gettext

.PHONY: demo test setup system test-system browser lint format bench bench-scale clean upgrade test-latest

demo: setup
	$(BIN)/factsheet doctor
	$(BIN)/factsheet build --variant standard --variant large-print
	$(BIN)/factsheet bundle sheets/_packets/newly-diagnosed.yaml --booklet
	$(BIN)/factsheet site
	@echo "open output/index.html for the catalog"

test: setup test-system browser
	$(BIN)/ruff check pipeline tests bench
	# One module per core (CI has 2): module fixtures build their PDFs once.
	$(BIN)/python -m pytest -q -n auto --dist loadfile

# Last, the project's bytecode, as `pip install` writes it for every other package:
# a `factsheet` command then starts without compiling its modules, also where
# writing bytecode is turned off (PYTHONDONTWRITEBYTECODE). Up-to-date files are
# skipped; an edited module is compiled again.
setup: system $(VENV)/.installed $(VENV)/etc/dask/factsheet.yaml
	@$(BIN)/python -m compileall -q pipeline

# Dask reads $(VENV)/etc/dask/*.yaml in every scheduler and worker started from the
# venv: the settings a rendering cluster wants (see the file).
$(VENV)/etc/dask/factsheet.yaml: pipeline/build/dask.yaml $(VENV)/.installed
	install -D -m 644 $< $@

# A clean venv from the lock alone (--require-hashes refuses anything unpinned
# or altered); the project itself goes in last, without pulling anything else.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

# Newest releases allowed by pyproject.toml into the lock, then the whole suite.
upgrade: setup
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --upgrade -o $(LOCK)
	$(MAKE) test

# The suite against the newest releases, in .venv-latest: says what changed
# against the lock and whether the suite still passes; never fails the caller.
test-latest: system test-system browser
	@sh .ci/test-latest $(PYTHON) $(LOCK)

system:
	@sh .ci/system-packages $(SYSTEM_PACKAGES)

test-system:
	@sh .ci/system-packages $(TEST_SYSTEM_PACKAGES)

# The catalog's browser tests (tests/test_site.py, slow): headless Chromium, and
# axe-core from npm into the git-ignored .cache/node (installed once).
browser:
	@sh .ci/system-packages chromium
	@test -f .cache/node/node_modules/axe-core/axe.min.js || { \
		command -v npm >/dev/null || { echo "missing npm: install Node.js with npm" >&2; exit 1; }; \
		npm install --prefix .cache/node --no-audit --no-fund axe-core@4; }

lint: setup
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

format: setup
	$(BIN)/ruff format pipeline tests bench
	$(BIN)/ruff check --fix pipeline tests bench

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/fidelity.py

# 2,000 jobs: planning, no-op rebuild, client memory, local pool vs a local Dask cluster.
bench-scale: setup
	$(BIN)/python bench/scale.py

clean:
	rm -rf output/* .pytest_cache
