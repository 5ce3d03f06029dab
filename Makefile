# Two entry points on a fresh machine with only Python 3.11+ and make:
#   make preview [STACK=prod]   offline preview of a stack (no cloud credentials)
#   make test                   lint + the whole test suite
# Both create .venv from uv.lock first; nothing else needs installing by hand.

STACK ?= dev
PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced

.PHONY: preview preview-json test lint format routes bench clean

$(STAMP): pyproject.toml uv.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv sync --frozen --quiet
	touch $@

preview: $(STAMP)
	$(VENV)/bin/python -m components.preview --stack $(STACK)

preview-json: $(STAMP)
	$(VENV)/bin/python -m components.preview --stack $(STACK) --json

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(VENV)/bin/python -m pytest

# make routes STACK=prod EVENT=tests/router/events/sns-prod-stack-disk-space-low.json
routes: $(STAMP)
	$(VENV)/bin/python -m components.routes --stack $(STACK) --event $(EVENT)

bench: $(STAMP)
	for script in bench/*.py; do $(VENV)/bin/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build
