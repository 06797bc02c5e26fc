# Satu Data warehouse. Quick start: `make run`, then `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False

.PHONY: help setup run airflow test lint bench soak clean assets chromium

help:
	@echo "make run    set up, then run the whole pipeline through Airflow on the sample data"
	@echo "make airflow  Airflow's UI on this machine (http://127.0.0.1:8080): trigger, watch, backfill runs"
	@echo "make test   the whole test suite (lint, unit, integration with real PostgreSQL, Airflow, dbt, GX)"
	@echo "make bench  benchmarks (SCALES='kota provinsi')"
	@echo "make soak   the kota sample through every stage SOAK_RUNS times (default 10), new files each run"

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# CSS/JS/fonts for the HTML we ship (GX Data Docs, reports), from the npm registry, never a CDN:
# `npm ci` of assets/package-lock.json into assets/node_modules (ignored by git).
assets: assets/node_modules/.installed

assets/node_modules/.installed: assets/package.json assets/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js with npm 7 or newer (Debian: apt-get install nodejs npm), then run make setup again" >&2; exit 1; }
	@echo "assets: node $$(node --version), npm $$(npm --version)"; [ "$$(npm --version | cut -d. -f1)" -ge 7 ] || { echo "npm 7 or newer is needed for assets/package-lock.json" >&2; exit 1; }
	cd assets && npm ci --ignore-scripts --no-audit --no-fund --omit=optional
	touch $@

# Headless Chromium (Debian's package) for the offline Data Docs test: installed when absent and
# we are root (as on CI); otherwise that test fails and says how to install it.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium (apt-get)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "WARNING: /usr/bin/chromium is missing and this is not root: run 'sudo apt-get install chromium'" >&2; fi

setup: $(VENV)/.installed assets

run: setup
	$(VENV)/bin/satudata run

# Airflow's UI, scheduler (LocalExecutor) and API over the embedded warehouse; Ctrl-C stops it (README)
airflow: setup
	$(VENV)/bin/satudata airflow

lint: setup
	$(VENV)/bin/ruff check satudata dags tests expectations

test: lint chromium
	$(VENV)/bin/pytest -p no:cacheprovider

# Not part of `make test` (a smoke of it is: tests/integration/test_bench_smoke.py): the pipeline at each
# scale against the physical limit (psql \copy, plain dbt build), and the dbt project as Cosmos tasks against
# one dbt build task, into $SATUDATA_OUT/bench/summary.json.
SCALES ?= kota provinsi
bench: setup
	$(PY) -m satudata.bench --scales $(SCALES) --half --cosmos

# Not part of `make test` (minutes per run on 2 cores): per-run time and peak memory, each within 10%
# of the first run's, and exactly the expected rows in the warehouse (satudata/soak.py).
SOAK_RUNS ?= 10
soak: setup
	$(PY) -m satudata.soak --runs $(SOAK_RUNS) --scale kota

clean:
	rm -rf out .satudata sample_data dbt_project/target dbt_project/logs
