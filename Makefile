# Foros — two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: install system-deps run test test-fast lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Debian packages the browser tests need (Chromium); installed only when missing. If another install holds
# the package manager's lock, this waits for it (up to 10 minutes) instead of failing.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		scripts/apt-install.sh chromium fonts-dejavu-core; \
	fi

# Another port (or address):  PORT=8000 make run   (HOST=… PORT=… make run)
# The web server plus, in the background, the Huey worker that delivers e-mail from the outbox
# (scripts/run-dev.sh: Ctrl-C stops both). Without FOROS_MAIL_SERVER the e-mail waits in the outbox,
# readable by organizers at /gestion/correos. In production the worker is its own process:
#   huey_consumer foros.worker.huey -w 2 -k thread   (or cron: flask --app wsgi mail deliver)
run: install
	$(BIN)/flask db upgrade
	@$(BIN)/python -m foros.demo.if_empty
	@echo ""
	@echo "  Foros: http://$(HOST):$(PORT)   (con el proceso de correo en segundo plano)"
	@echo "  Organizador: organizador@foros.demo / $${FOROS_DEMO_PASSWORD:-foros-demo-2026}"
	@echo "  Personal:    registro@foros.demo / $${FOROS_DEMO_PASSWORD:-foros-demo-2026}"
	@echo "  ¿Puerto $(PORT) ocupado? Use otro:  PORT=8000 make run"
	@echo ""
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/run-dev.sh

test: install system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache instance
