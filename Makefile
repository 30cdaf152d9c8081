# You.On Intelligence: `make demo` sets everything up and runs the platform; `make test` runs the tests.
SHELL := /bin/bash
PY := .venv/bin/python
export DATABASE_URL ?= postgis://postgres@127.0.0.1:5432/youon
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: setup demo test lint serve clean

setup:
	@DEBUG=1 scripts/setup.sh

demo: setup
	@scripts/demo.sh

test: setup lint
	@DJANGO_SETTINGS_MODULE=youon.settings_test $(PY) manage.py makemigrations --check --dry-run
	@$(PY) -m pytest

lint:
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/mypy youon leads ingestion quality forecasting

clean:
	rm -rf .venv .pytest_cache .ruff_cache staticfiles
