# Satu Data warehouse. Quick start: `make run`, then `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False

.PHONY: help setup run test lint bench clean

help:
	@echo "make run    set up, then run the whole pipeline through Airflow on the sample data"
	@echo "make test   the whole test suite (lint, unit, integration with real PostgreSQL, Airflow, dbt, GX)"
	@echo "make bench  benchmarks (SCALES='kota provinsi')"

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/satudata run

lint: setup
	$(VENV)/bin/ruff check satudata dags tests expectations

test: lint
	$(VENV)/bin/pytest -p no:cacheprovider

clean:
	rm -rf out .satudata sample_data dbt_project/target dbt_project/logs
