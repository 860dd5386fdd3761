# Readmit's front door. `make run` and `make test` work on a fresh clone with Python 3.11,
# Node.js and make; everything else is installed from PyPI and the npm registry.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATABASE_URL_PG ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: install run test test-pg lint format messages bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(BIN)/readmit migrate --no-input
	$(BIN)/readmit load_demo --if-empty
	$(BIN)/readmit runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test-pg: install
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_PG)} $(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translators: refresh the French catalogues (the project's, and each app's own under
# src/readmit/APP/locale), translate, then compile. Needs GNU gettext; the compiled .mo
# files are committed so that running Readmit does not.
CAPABILITY_APPS := intake assessment engagement envelope
messages: install
	cd src/readmit && ../../$(BIN)/readmit makemessages --locale fr --no-obsolete $(foreach app,$(CAPABILITY_APPS),--ignore "$(app)/*")
	for app in $(CAPABILITY_APPS); do mkdir -p src/readmit/$$app/locale; (cd src/readmit/$$app && ../../../$(BIN)/readmit makemessages --locale fr --no-obsolete); done
	cd src/readmit && ../../$(BIN)/readmit compilemessages --locale fr

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var
