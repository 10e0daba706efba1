# The two commands of the README: `make run` starts the app, `make test` runs lint, tests and the evals gate.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test setup browser index bench clean provenance

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: setup
	$(PY) app.py

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser of its own).
browser: tests/browser/node_modules/axe-core/axe.min.js
	command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium)

# axe-core (npm, pinned in tests/browser/package-lock.json) for the accessibility check in the browser tests.
tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package-lock.json
	command -v npm >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm)
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup browser
	$(PY) -m ruff check .
	$(PY) -m pytest
	$(PY) -m evals gate

# Our own pre-commit check (needs ../shared/seed beside the repository): the corpus copies no seed sentences.
provenance:
	python3 tools/provenance.py

index: setup
	$(PY) -m assistant index

bench: setup
	$(PY) -m evals bench

clean:
	rm -rf $(VENV) data .pytest_cache evals/reports
