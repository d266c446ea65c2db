# The two commands: `make book` builds the site, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_MODULES := node_modules/.package-lock.json
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test quick lab notebooks lint system-deps bench bench-widgets lock clean FORCE

book: $(INSTALLED)  ## build the site into _build/html
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo "The site is in _build/html. To see its widgets, serve it: python3 -m http.server -d _build/html, then open http://127.0.0.1:8000/"

# Two pytest-xdist workers; a file's tests (a notebook's cells) stay together, in order, on one worker; files go
# out in collection order (test_binder.py, the longest, early), not largest-first.
PARALLEL := -n 2 --dist loadfile --no-loadscope-reorder
OUR_JS = utils/widgets assets _ext/typeset_maths.mjs  # what ESLint checks

test: $(INSTALLED) system-deps $(NODE_MODULES)  ## every test: lint, units, notebooks, parity, build, browser, JupyterLab, Binder
	$(BIN)/ruff check .
	node_modules/.bin/eslint $(OUR_JS)
	$(BIN)/python -m pytest $(PARALLEL)

# Two workers that take single tests: these keep no state between tests. Startup (torch, matplotlib, nbformat's URI
# grammar) is ~13 s of it; the stop hook allows a minute.
quick: $(INSTALLED) $(NODE_MODULES)  ## lint and fast unit tests (under a minute)
	$(BIN)/ruff check .
	node_modules/.bin/eslint $(OUR_JS)
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider -n 2 --dist load tests

# JupyterLab refuses root without --allow-root; LAB_ARGS adds options, e.g. LAB_ARGS="--no-browser --port=8890".
LAB_ARGS ?=
lab: $(INSTALLED)  ## JupyterLab on the notebooks
	@echo "Starting JupyterLab: open the http://127.0.0.1:... URL it prints below (Ctrl+C twice stops it)."
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Rebuild the Korean twins and re-execute every notebook whose stored outputs are stale (NAME=x: one section).
NAME ?=
notebooks: $(INSTALLED)  ## the one command after editing a notebook, a translation file or utils (widget JS too)
	$(BIN)/python tools/notebook_twin.py --refresh $(NAME)

bench: book system-deps $(NODE_MODULES)  ## every benchmark (Lighthouse from node_modules); writes bench/results.md
	$(BIN)/python -m bench

bench-widgets: $(INSTALLED) system-deps  ## widget latency in Chromium on the static page
	$(BIN)/python -m bench widgets

# Install torch alone first, so the rest of requirements.txt never brings another build of it. PyPI's Linux x86-64
# torch pulls ~3 GB of CUDA packages, so there torch comes from PyTorch's CPU index (its `+cpu` build wins over
# PyPI's); `TORCH_INDEX=` takes PyPI's. An unreachable index costs ~11 s of retries and pip goes on without it.
ifeq ($(shell uname -sm),Linux x86_64)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
endif
# A .venv made with PyPI's CUDA torch (its libraries in site-packages/nvidia) is stale when the CPU build is wanted.
CUDA_TORCH := $(if $(TORCH_INDEX),$(wildcard $(VENV)/lib/python3*/site-packages/nvidia))
$(INSTALLED): requirements.txt pyproject.toml $(if $(CUDA_TORCH),FORCE)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(CUDA_TORCH),$(BIN)/python -m pip uninstall -y -q torch triton \
	  $$($(BIN)/python -m pip list --format=freeze | sed -n 's/^\(nvidia-[^=]*\)==.*/\1/p') && rm -rf $(CUDA_TORCH))
	$(BIN)/python -m pip install -q --disable-pip-version-check $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) \
	  "$$(grep '^torch==' requirements.txt)"
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# The pinned JavaScript linter (package.json, package-lock.json): installed again only when the lock changes.
$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Chromium and a Hangul font for the browser tests, Node for the widget maths tests, npm for the linter; only
# installed when missing.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v node >/dev/null || ! command -v npm >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi nanum; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-nanum fontconfig \
	    $$(command -v node >/dev/null || echo nodejs) $$(command -v npm >/dev/null || echo npm); \
	fi

lock:  ## rewrite requirements.txt from .venv
	tools/lock.sh


clean:
	rm -rf _build

FORCE:
