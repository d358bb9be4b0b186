# Relance: `make demo` to try it, `make test` to run the suite on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt when the lock file or the project metadata change; keeps `make install` instant.
STAMP := $(VENV)/.installed

.PHONY: install demo test check bench lock clean distclean

install: $(STAMP)
	@scripts/install-system-packages

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

demo: install
	$(BIN)/relance demo

# Extra pytest arguments: make test ARGS="-k money -x"
test: install
	$(BIN)/python scripts/test.py $(ARGS)

check: install
	@scripts/check $(ARGS)

bench: install
	@scripts/install-system-packages --bench
	$(BIN)/python -m bench $(if $(SIZE),--size $(SIZE))

# Regenerates requirements.lock from a clean virtualenv holding the project and its dev extras.
lock:
	@scripts/lock

# Generated files only: the virtualenv (shared by everyone in this tree) and var/ (the demo
# database, uploads) stay; `make distclean` removes the virtualenv too.
clean:
	rm -rf test-artifacts .mypy_cache .ruff_cache .pytest_cache build dist
	find . -name __pycache__ -type d -not -path './.git/*' -not -path './$(VENV)/*' -prune \
		-exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
