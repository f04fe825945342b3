# The two quick-start commands (README):
#   make serve   set everything up and serve the demo summit on SQLite at http://127.0.0.1:5000 (PORT=8080 for
#                another port), with a job worker that packages the media archivists add
#   make test    set everything up and run the whole suite on SQLite and on PostgreSQL (CI runs this)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app catalogue
PORT ?= 5000
# The PostgreSQL database the suite runs on; .ci/services creates it.
export PG_TEST_URL ?= postgresql+psycopg://catalogue:catalogue@127.0.0.1:5432/catalogue_test

.PHONY: serve test setup services lint test-sqlite test-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# PyICU (collation for French and Turkish lists) builds against Debian's ICU: its headers, pkg-config and a C++
# compiler are installed when missing (apt-get, as root or through sudo).
AS_ROOT := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
ICU_HEADER := /usr/include/unicode/coll.h
$(ICU_HEADER):
	$(AS_ROOT) apt-get update -qq
	$(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python $(ICU_HEADER)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	$(FLASK) translations compile

# A job worker runs beside the server; both stop together (Ctrl-C, a kill, or either one exiting).
serve: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) jobs work & worker=$$!; $(FLASK) run --host 127.0.0.1 --port $(PORT) & server=$$!; \
	trap 'kill $$worker $$server 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	wait $$server

# Debian's Chromium and PostgreSQL, installed when missing, and PostgreSQL started (needs root or sudo).
services:
	bash .ci/services

# Style and complexity (ruff, C90 <= 15), the layers of design.md §4 (import-linter), types (mypy, strict on
# catalogue/) and the translations.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(FLASK) translations check

# The SQLite run also measures branch coverage of catalogue/ and prints it (modules fully covered left out).
test-sqlite: setup
	$(BIN)/pytest --cov --cov-report=term:skip-covered

test-postgres: setup
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

test: setup services lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
