# The two commands: `make book` builds the site, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_MODULES := node_modules/.package-lock.json
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test quick lab lint system-deps bench bench-widgets lock assets clean

book: $(INSTALLED)  ## build the site into _build/html
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo "The site is in _build/html: open _build/html/index.html"

test: $(INSTALLED) $(NODE_MODULES) system-deps  ## every test: lint, units, notebooks, parity, build, browser, JupyterLab, Binder
	$(BIN)/ruff check .
	node_modules/.bin/eslint utils/widgets
	$(BIN)/python -m pytest

quick: $(INSTALLED) $(NODE_MODULES)  ## lint and fast unit tests (under a minute)
	$(BIN)/ruff check .
	node_modules/.bin/eslint utils/widgets
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider tests

lab: $(INSTALLED)  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: book system-deps  ## every benchmark; writes bench/results.md
	$(BIN)/python -m bench

bench-widgets: $(INSTALLED) system-deps  ## widget latency in Chromium on the static page
	$(BIN)/python -m bench widgets

# Install torch alone first, so the rest of requirements.txt never brings another build of it. PyPI's Linux torch
# pulls ~3 GB of CUDA packages: `make book TORCH_INDEX=https://download.pytorch.org/whl/cpu` takes the CPU build.
TORCH_INDEX ?=
$(INSTALLED): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) \
	  "$$(grep '^torch==' requirements.txt)"
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# The pinned JavaScript linter (package.json, package-lock.json): installed again only when the lock changes.
$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Chromium and a Hangul font for the browser tests, Node for the widget maths tests; only installed when missing.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v node >/dev/null || ! fc-list 2>/dev/null | grep -qi nanum; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-nanum fontconfig \
	    $$(command -v node >/dev/null || echo nodejs); \
	fi

lock:  ## rewrite requirements.txt from .venv
	tools/lock.sh

assets: $(INSTALLED)  ## re-download the vendored browser assets and their checksums
	$(BIN)/python tools/vendor_assets.py

clean:
	rm -rf _build
