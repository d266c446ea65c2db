#!/usr/bin/env bash
# Rewrite requirements.txt from the current .venv (the direct dependencies first, then every transitive one), and
# binder/requirements.txt from it: the same pins, torch as PyTorch's CPU build, utils installed by binder/postBuild.
set -euo pipefail
cd "$(dirname "$0")/.."
direct=(torch jupyter-book anywidget ipywidgets ipykernel matplotlib numpy koreanize-matplotlib sphinx-exercise
        jupyterlab jupyterlab-myst notebook nbclient nbval pytest pytest-xdist hypothesis ruff playwright setuptools
        tinycss2)
pattern="^($(IFS='|'; echo "${direct[*]//-/[-_]}"))=="  # pip freeze may spell a name with _ for -
frozen=$(.venv/bin/pip freeze --all --exclude-editable | sed 's/+cpu$//')
{
  echo "# Every dependency, pinned exactly. The Makefile installs torch first, so pip keeps its CPU build."
  echo "# binder/requirements.txt must match this file except for torch's CPU-only wheel."
  echo "# Regenerate with: make lock"
  echo
  echo "# --- direct dependencies ---"
  for name in "${direct[@]}"; do grep -iE "^${name//-/[-_]}==" <<<"$frozen"; done
  echo
  echo "# --- this repository's package, importable as 'utils' ---"
  echo "-e ."
  echo
  echo "# --- transitive dependencies ---"
  grep -viE "$pattern" <<<"$frozen" | grep -viE '^(pip|wheel)=='
} > requirements.txt
binder_header=$(sed -n '/^#/!q;p' binder/requirements.txt)  # keep its leading comment block
{
  echo "$binder_header"
  echo "--extra-index-url https://download.pytorch.org/whl/cpu"
  grep -vE '^(#|$)' requirements.txt | grep -vxF -- '-e .' | sed -E 's/^torch==([^+]+)$/torch==\1+cpu/'
} > binder/requirements.txt
