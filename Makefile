# Satu Data warehouse. Quick start: `make run`, then `make test` (README, "Quick start").
SHELL := /bin/bash
# The interpreter .venv is made with: PYTHON if given, else the first of python3.13, python3.12, python3.11,
# python3 on PATH that is 3.11-3.13 and can make a venv, else one uv downloads (when uv is installed).
PYTHON ?=
SUPPORTED_PYTHON := >=3.11,<3.14
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False

.PHONY: help setup doctor run airflow test lint lock lock-check assets-refresh assets-check bench scale-test redis-server soak clean

help:
	@echo "make run    set up, then run the whole pipeline through Airflow on the sample data"
	@echo "make airflow  Airflow's UI on this machine (http://127.0.0.1:8080): trigger, watch, backfill runs"
	@echo "make test   the whole test suite (lint, unit, integration with real PostgreSQL, Airflow, dbt, GX)"
	@echo "make doctor  what a run and the tests need: one line per problem, with its fix"
	@echo "make bench  benchmarks (SCALES='kota provinsi')"
	@echo "make scale-test  the DAG under the CeleryExecutor: Redis, two Celery workers, one killed mid-load (minutes)"
	@echo "make soak   the kota sample through every stage SOAK_RUNS times (default 10), new files each run"
	@echo "make lock-check  requirements.lock resolves for Python 3.11, 3.12 and 3.13 (needs PyPI)"
	@echo "make assets-refresh / assets-check  maintainers (need npm): refresh / verify assets/vendor"

NO_PYTHON := Python 3.11, 3.12 or 3.13 with venv is needed: install one (Ubuntu 24.04: sudo apt-get install python3.12-venv; Debian 12: sudo apt-get install python3.11-venv; Debian 13: sudo apt-get install python3-venv) or uv (https://docs.astral.sh/uv/, it downloads one), then run make setup again.

$(VENV)/.installed: requirements-dev.lock pyproject.toml
	@ok() { "$$1" -c 'import sys, venv, ensurepip; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; }; \
	py="$(PYTHON)"; \
	if [ -n "$$py" ] && ! ok "$$py"; then echo "PYTHON=$$py is not Python 3.11-3.13 with venv. $(NO_PYTHON)" >&2; exit 1; fi; \
	if [ -z "$$py" ]; then for c in python3.13 python3.12 python3.11 python3; do \
	  if command -v $$c >/dev/null && ok $$c; then py=$$c; break; fi; done; fi; \
	if [ -n "$$py" ]; then \
	  echo "setup: $$($$py --version) ($$(command -v $$py))"; \
	  $$py -m venv $(VENV) && $(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); \
	elif command -v uv >/dev/null; then \
	  echo "setup: no Python 3.11-3.13 on PATH: uv provides one"; \
	  uv venv --quiet --allow-existing --python '$(SUPPORTED_PYTHON)' $(VENV) && uv pip install --quiet --python $(PY) uv==$(UV_VERSION); \
	else echo "$(NO_PYTHON)" >&2; exit 1; fi
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# The locks, from pyproject.toml: requirements.lock = what runs ([project.dependencies]; the server image
# installs it), requirements-dev.lock = that plus the `dev` group (tests, linters; `make setup` installs it),
# constrained to the same versions. Each is one universal lock for Python 3.11, 3.12 and 3.13. `make lock`
# after editing the dependencies (it keeps the versions already locked where it can), then `make lock-check`.
COMPILE = $(abspath $(VENV))/bin/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 pyproject.toml
LOCKS := requirements.lock requirements-dev.lock
lock: $(VENV)/.installed
	$(COMPILE) -o requirements.lock
	$(COMPILE) --group pyproject.toml:dev -c requirements.lock -o requirements-dev.lock

# Proof that the locks are the compile of pyproject.toml and that their exact pins resolve on Linux x86_64
# for each supported Python from PyPI's wheels (docopt, pure Python, has only a source archive).
# Needs the package index, so it is not part of `make test`; run it after `make lock` (README).
LOCK_PYTHONS := 3.11 3.12 3.13
SDIST_ONLY := docopt
lock-check: $(VENV)/.installed
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	cp $(LOCKS) $$tmp/; \
	(cd $$tmp && cp $(CURDIR)/pyproject.toml . && $(COMPILE) -o requirements.lock \
	  && $(COMPILE) --group pyproject.toml:dev -c requirements.lock -o requirements-dev.lock) || exit 1; \
	for lock in $(LOCKS); do \
	  diff <(grep -v '^#' $$lock) <(grep -v '^#' $$tmp/$$lock) \
	    || { echo "lock-check: $$lock is not the compile of pyproject.toml: run make lock" >&2; exit 1; }; \
	done; \
	for lock in $(LOCKS); do \
	  wheels=$$(grep -oP '^[A-Za-z0-9_.-]+(?===)' $$lock | grep -vxF "$(SDIST_ONLY)" | sed 's/^/--only-binary /'); \
	  for v in $(LOCK_PYTHONS); do \
	    $(VENV)/bin/uv pip compile --quiet --no-header --no-annotate --python-version $$v \
	      --python-platform x86_64-manylinux_2_28 $$wheels $$lock -o $$tmp/$$v.txt \
	      || { echo "lock-check: $$lock does not resolve for Python $$v" >&2; exit 1; }; \
	    extra=$$(comm -13 <(grep -oP '^[^ ;]+==[^ ;]+' $$lock | sort -u) <(grep -oP '^[^ ;]+' $$tmp/$$v.txt | sort -u)); \
	    [ -z "$$extra" ] || { echo "lock-check: $$lock on Python $$v needs what it does not pin: $$extra" >&2; exit 1; }; \
	    echo "lock-check: $$lock, Python $$v: $$(grep -c '==' $$tmp/$$v.txt) pinned packages resolve (wheels for all but $(SDIST_ONLY))"; \
	  done; \
	done

# CSS/JS/fonts for the HTML we ship (GX Data Docs, reports) ship in assets/vendor (committed; versions,
# licences and sha256 in assets/vendor/MANIFEST.json): running and testing need no Node.js. npm is a
# maintainer's tool: after editing assets/package.json, `make assets-refresh` runs `npm ci` and copies the
# files our pages use (ASSETS in satudata/report/assets.py) into assets/vendor; `make assets-check` proves
# the shipped files equal what assets/package-lock.json installs.
NPM_CI := npm ci --ignore-scripts --no-audit --no-fund --omit=optional
NEED_NPM := command -v npm >/dev/null || { echo "npm is missing: install Node.js with npm 7 or newer (Debian: apt-get install nodejs npm); only maintainers refreshing assets/vendor need it" >&2; exit 1; }
assets-refresh: $(VENV)/.installed
	@$(NEED_NPM)
	cd assets && npm install --package-lock-only --ignore-scripts --no-audit --no-fund && $(NPM_CI)
	$(PY) -m satudata.report.assets assets/node_modules assets/vendor

assets-check: $(VENV)/.installed
	@$(NEED_NPM)
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	cp assets/package.json assets/package-lock.json $$tmp/ && (cd $$tmp && $(NPM_CI) --silent) \
	  && $(PY) -m satudata.report.assets $$tmp/node_modules $$tmp/vendor >/dev/null \
	  && diff -r $$tmp/vendor assets/vendor \
	  && echo "assets-check: assets/vendor equals an npm ci of assets/package-lock.json ($$(find assets/vendor -type f | wc -l) files)"

setup: $(VENV)/.installed

# What a run needs (Python, disk, a port or the warehouse, write access; Chromium for the tests): one line
# per problem with its fix, and a non-zero exit on a blocking one (satudata/doctor.py).
doctor: setup
	$(VENV)/bin/satudata doctor

run: doctor
	$(VENV)/bin/satudata run

# Airflow's UI, scheduler (LocalExecutor) and API over the embedded warehouse; Ctrl-C stops it (README)
airflow: setup
	$(VENV)/bin/satudata airflow

# ruff (check, format), mypy on the package (pyproject.toml [tool.mypy]), sqlfluff on the dbt models
# (dbt_project/.sqlfluff: jinja templater, no profile or database needed)
lint: setup
	$(VENV)/bin/ruff check satudata dags tests expectations
	$(VENV)/bin/ruff format --check satudata dags tests expectations
	$(VENV)/bin/mypy satudata
	cd dbt_project && $(abspath $(VENV))/bin/sqlfluff lint models

# The page tests need Chromium: without it `doctor --tests` stops here with the install command, for root
# and non-root alike (and each of those tests fails with the same line when run alone).
test: lint
	$(VENV)/bin/satudata doctor --tests
	$(VENV)/bin/pytest -p no:cacheprovider

# Not part of `make test` (a smoke of it is: tests/integration/test_bench_smoke.py): the pipeline at each
# scale against the physical limit (psql \copy, plain dbt build), and the dbt project as Cosmos tasks against
# one dbt build task, into $SATUDATA_OUT/bench/summary.json.
SCALES ?= kota provinsi
bench: setup
	$(PY) -m satudata.bench --scales $(SCALES) --half --cosmos

# Not part of `make test` (16-23 min on 2 busy cores): the DAG under the CeleryExecutor with the settings of
# docker-compose.yml: Redis on 127.0.0.1, two Celery workers, the scheduler; one worker SIGKILLed mid-load
# (tests/scale/test_celery.py; tests/scale is collected only when named, so `make test` leaves it out).
scale-test: setup redis-server
	$(VENV)/bin/pytest -p no:cacheprovider tests/scale -s --durations=3

# The Celery broker of the scale test: Debian's/Ubuntu's redis-server (7.x), installed when missing (as root;
# otherwise the command to run). Only the binary is used: the test starts its own server on a free port.
REDIS_FIX := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
redis-server:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "installing redis-server (Debian package)"; $(REDIS_FIX) >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo sh -c '$(REDIS_FIX)' >/dev/null; \
	  else echo "redis-server is missing: sudo apt-get install redis-server (Debian/Ubuntu), then make scale-test again" >&2; exit 1; fi; }
	@redis-server --version

# Not part of `make test` (minutes per run on 2 cores): per-run time and peak memory, each within 10%
# of the first run's, and exactly the expected rows in the warehouse (satudata/soak.py).
SOAK_RUNS ?= 10
soak: setup
	$(PY) -m satudata.soak --runs $(SOAK_RUNS) --scale kota

clean:
	rm -rf out .satudata sample_data dbt_project/target dbt_project/logs
