# Two commands do all the set-up on a fresh machine:
#   make run    virtualenv, packages, database, demo content; serves http://127.0.0.1:8000
#               with a task worker beside it
#   make test   the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then command -v $$p; break; fi; done)

.PHONY: run test install lint format clean

# Runtime packages for `make run`; development packages (tests, lint, contracts) for the rest.
$(VENV)/.runtime: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.dev node_modules/.installed

# The web server and one task worker (e-mails, scheduled jobs' tasks) side by side; Ctrl-C (or
# the server stopping for any reason) stops both.
ADDRESS ?= 127.0.0.1:8000
run: $(VENV)/.runtime node_modules/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver $(ADDRESS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles

# The benchmark (docs/PERFORMANCE.md): builds its own PostgreSQL database (`bench`, dropped
# afterwards) with 100,000 signed records, serves it with gunicorn (2 workers, production
# settings) and drives every endpoint with wrk. Settings: BENCH_* variables, see bench/run.py.
.PHONY: bench
bench: install
	$(PY) -m bench.run
