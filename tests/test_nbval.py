"""The notebooks' stored outputs: the rules nbval relies on, and proof that nbval catches a changed output.

nbval itself runs through pytest's configuration (`testpaths` and `addopts` in pyproject.toml), so `make test`
checks every notebook strictly; this file checks what nbval cannot see, and that its check can fail.
"""

import ast
import base64
import copy
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from tools.first_cell import CELL_ID as SET_UP_CELL
from tools.notebook_twin import attached_figures
from utils import plotting

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IGNORE, RAISES = "nbval-ignore-output", "raises-exception"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# the functions of utils.plotting that return a figure
FIGURE_FUNCTIONS = {name for name in dir(plotting) if name.startswith(("plot_", "show_"))}
MEMORY_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def text(value):
    """Notebook JSON stores text as a string or a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and text(c["source"]).strip()]


def where(path, nb, cell):
    return f"{path.relative_to(ROOT)} cell {nb['cells'].index(cell)}: {text(cell['source']).strip()[:60]!r}"


def text_outputs(cell):
    """Every text nbval compares: streams and text/plain of results and displays."""
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            yield text(out["text"])
        elif "text/plain" in out.get("data", {}):
            yield text(out["data"]["text/plain"])


def calls(node, names):
    """Calls in `node` of a function (or method) named in `names`, not counting those inside definitions."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
        return []
    found = []
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in names:
            found.append(node)
    for child in ast.iter_child_nodes(node):
        found += calls(child, names)
    return found


def parse(cell):
    """The cell's code as a module, with IPython magics and shell lines blanked out."""
    source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                       for line in text(cell["source"]).splitlines())
    return ast.parse(source)


def png_is_drawn(data):
    """True if base64 PNG `data` decodes to an image with more than a handful of colours (not a blank canvas)."""
    return Image.open(io.BytesIO(base64.b64decode(text(data)))).convert("RGB").getcolors(maxcolors=10) is None


def notebook_params():
    return pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS])


# ---------------------------------------------------------------- configuration


def test_pytest_runs_every_notebook_strictly_with_nbval():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    addopts = options["addopts"].split()
    assert "notebooks" in options["testpaths"] and "tests" in options["testpaths"]
    assert "--nbval" in addopts and "--nbval-current-env" in addopts and "--nbval-lax" not in addopts
    assert NOTEBOOKS, "no notebook found under notebooks/"


# ---------------------------------------------------------------- structural rules over every notebook


@notebook_params()
def test_kernelspec_is_python3(path):
    nb = load(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    assert nb["metadata"].get("language_info", {}).get("name") == "python"


@notebook_params()
def test_every_code_cell_was_executed_once_in_order(path):
    nb = load(path)
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.relative_to(ROOT)}: execution counts {counts}, not run top to bottom in one kernel; "
        f"fix: run `make notebooks NAME={path.stem}`")


@notebook_params()
def test_cells_that_print_or_display_have_stored_outputs(path):
    nb = load(path)
    problems = []
    for cell in code_cells(nb):
        tree, outputs = parse(cell), cell.get("outputs", [])
        quiet_here = cell.get("id") == SET_UP_CELL  # prints only where it installs (tests/test_download.py)
        if calls(tree, {"print", "display"}) and not outputs and not quiet_here:
            problems.append(f"{where(path, nb, cell)} prints but stores no output")
        last = tree.body[-1] if tree.body else None
        shows_last = (isinstance(last, ast.Expr) and not text(cell["source"]).rstrip().endswith(";")
                      and not isinstance(last.value, ast.Call | ast.Constant))
        if shows_last and not any(o["output_type"] in ("execute_result", "display_data") for o in outputs):
            problems.append(f"{where(path, nb, cell)} ends with an expression but stores no result")
    assert not problems, "\n".join(problems)


@notebook_params()
def test_no_error_output_unless_tagged_raises_exception(path):
    nb = load(path)
    problems = []
    for cell in code_cells(nb):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors and RAISES not in tags(cell):
            problems.append(f"{where(path, nb, cell)}: {errors[0]['ename']}: {errors[0]['evalue'][:200]}")
        if RAISES in tags(cell) and not errors:
            problems.append(f"{where(path, nb, cell)} is tagged {RAISES} but stores no error")
    assert not problems, "\n".join(problems)


@notebook_params()
def test_ignored_widget_cells_have_a_checked_twin_next_to_them(path):
    nb = load(path)
    cells, problems = nb["cells"], []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or IGNORE not in tags(cell):
            continue
        if not any(WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", [])):
            problems.append(f"{where(path, nb, cell)}: {IGNORE} is only for cells that display a widget")
        twin = cells[i + 1] if i + 1 < len(cells) else None
        if twin is None or twin["cell_type"] != "code" or IGNORE in tags(twin):
            problems.append(f"{where(path, nb, cell)} is not followed by a checked code cell (its twin)")
            continue
        shown = parse(cell).body[-1] if parse(cell).body else None
        names = {n.id for n in ast.walk(shown) if isinstance(n, ast.Name)} if shown else set()
        if not names & {n.id for n in ast.walk(parse(twin)) if isinstance(n, ast.Name)}:
            problems.append(f"{where(path, nb, twin)} does not use the widget {sorted(names)} shown above it")
        if not any(t.strip() for t in text_outputs(twin)):
            problems.append(f"{where(path, nb, twin)} prints nothing for nbval to compare")
    assert not problems, "\n".join(problems)


@notebook_params()
def test_only_tags_mark_cells_for_nbval(path):
    nb = load(path)
    problems = [where(path, nb, c) for c in code_cells(nb)
                if "nbval-skip" in tags(c) or re.search(r"#\s*NBVAL_", text(c["source"]))]
    assert not problems, "cells skipped by nbval or marked by a comment instead of a tag:\n" + "\n".join(problems)


@notebook_params()
def test_every_figure_appears(path):
    """A figure is shown as a drawn PNG; a figure function's result is never thrown away (d2l's blank plot)."""
    nb = load(path)
    problems = []
    for cell in code_cells(nb):
        outputs = cell.get("outputs", [])
        for out in outputs:
            data = out.get("data", {})
            if text(data.get("text/plain", "")).startswith("<Figure") and "image/png" not in data:
                problems.append(f"{where(path, nb, cell)} shows a figure as text, without its PNG")
            if "image/png" in data and not png_is_drawn(data["image/png"]):
                problems.append(f"{where(path, nb, cell)} stores a blank PNG")
        tree = parse(cell)
        for i, statement in enumerate(tree.body):
            is_last = i == len(tree.body) - 1
            if isinstance(statement, ast.Expr) and calls(statement.value, FIGURE_FUNCTIONS) and (
                    not is_last or text(cell["source"]).rstrip().endswith(";")):
                problems.append(f"{where(path, nb, cell)}: the figure of line {statement.lineno} is never shown")
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and calls(last.value, FIGURE_FUNCTIONS):
            if not any("image/png" in o.get("data", {}) for o in outputs):
                problems.append(f"{where(path, nb, cell)} ends with a figure but stores no PNG")
    assert not problems, "\n".join(problems)


@notebook_params()
def test_displayed_widgets_have_their_state_stored(path):
    nb = load(path)
    shown = {o["data"][WIDGET_VIEW]["model_id"] for c in code_cells(nb) for o in c.get("outputs", [])
             if WIDGET_VIEW in o.get("data", {})}
    stored = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert shown <= set(stored), (f"widget models shown but not stored (a JupyterLab save): "
                                  f"{sorted(shown - set(stored))}; fix: run `make notebooks NAME={path.stem}`")


@notebook_params()
def test_checked_outputs_hold_no_memory_address(path):
    nb = load(path)
    problems = [f"{where(path, nb, c)}: {m.group()}" for c in code_cells(nb) if IGNORE not in tags(c)
                for t in text_outputs(c) for m in [MEMORY_ADDRESS.search(t)] if m]
    assert not problems, "addresses change on every run; print something stable:\n" + "\n".join(problems)


# ---------------------------------------------------------------- nbval fails when a stored output changes


def _checked_number(nb):
    """(index in nb['cells'], nbval's code-cell number, output index) of the first checked output with a digit."""
    number = -1
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        number += 1
        if tags(cell) & {IGNORE, RAISES}:
            continue
        for k, out in enumerate(cell.get("outputs", [])):
            if out["output_type"] == "stream" and re.search(r"\d", text(out["text"])):
                return index, number, k
    return None


def _change_one_digit(nb, index, k):
    """A copy of `nb` whose stored output `k` of cell `index` has its last digit changed."""
    changed = copy.deepcopy(nb)
    out = changed["cells"][index]["outputs"][k]
    old = text(out["text"])
    position = max(i for i, ch in enumerate(old) if ch.isdigit())
    out["text"] = old[:position] + str((int(old[position]) + 1) % 10) + old[position + 1:]
    return changed


@pytest.mark.slow
def test_kernels_import_this_checkout(tmp_path):
    """A kernel started by the tests (as nbval, nbclient and JupyterLab start theirs, from the test process's
    environment), run outside the repository, imports this checkout's utils, not an installed copy."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import utils\nprint(utils.__file__)")])
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = Path(text(nb.cells[0].outputs[0]["text"]).strip())
    assert printed == ROOT / "utils" / "__init__.py", f"the kernel imported {printed}, not this checkout's utils"


def run_nbval(folder, *paths):
    """Run nbval (strict, this venv's kernel) on `paths` in `folder`, without the repository's pytest options but
    with tests/conftest.py's hooks; return (the CompletedProcess, [(PASSED|FAILED|ERROR, 'path::Cell n')])."""
    (folder / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "--nbval", "--nbval-current-env",
         "-p", "no:cacheprovider", "-q", "-rA", *paths],
        cwd=folder, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)})  # `import utils` and tests.conftest from this checkout
    return result, re.findall(r"^(PASSED|FAILED|ERROR) (\S+::Cell \d+)", result.stdout, re.M)


@pytest.mark.slow
def test_nbval_fails_when_a_stored_number_changes(tmp_path):
    candidates = [(len(code_cells(load(p))), p) for p in NOTEBOOKS if _checked_number(load(p))]
    assert candidates, "no notebook stores a checked number"
    _, path = min(candidates)  # the shortest notebook keeps this test quick
    nb = load(path)
    index, number, k = _checked_number(nb)
    (tmp_path / "original").mkdir()
    (tmp_path / "changed").mkdir()
    (tmp_path / "original" / path.name).write_text(json.dumps(nb), encoding="utf-8")
    (tmp_path / "changed" / path.name).write_text(json.dumps(_change_one_digit(nb, index, k)), encoding="utf-8")
    result, outcomes = run_nbval(tmp_path, "original", "changed")
    outcomes = {cell: outcome for outcome, cell in outcomes}
    expected_failure = f"changed/{path.name}::Cell {number}"
    assert result.returncode == 1, result.stdout[-3000:]
    assert {cell for cell, outcome in outcomes.items() if outcome != "PASSED"} == {expected_failure}, \
        result.stdout[-3000:]
    assert f"original/{path.name}::Cell {number}" in outcomes  # the unchanged copy ran the same cell and passed
    assert len(outcomes) == 2 * sum(c["cell_type"] == "code" for c in nb["cells"])


def _figure_cells(nb):
    """[(index in nb['cells'], nbval's code-cell number)] of the code cells that store a PNG figure."""
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    return [(i, n) for n, i in enumerate(code)
            if any("image/png" in o.get("data", {}) for o in nb["cells"][i].get("outputs", []))]


@pytest.mark.slow
def test_a_stored_figure_replaced_by_another_fails(tmp_path):
    """The conftest hook compares each stored PNG with a fresh rendering (nbval skips PNGs): a figure whose stored
    image is another figure's fails, and only that cell fails."""
    candidates = [(len(code_cells(load(p))), p) for p in NOTEBOOKS if len(_figure_cells(load(p))) >= 2]
    assert candidates, "no notebook stores two figures"
    _, path = min(candidates)  # the shortest notebook keeps this test quick
    nb = load(path)
    (first, number), (second, _) = _figure_cells(nb)[:2]
    png = next(o for o in nb["cells"][second]["outputs"] if "image/png" in o.get("data", {}))["data"]["image/png"]
    next(o for o in nb["cells"][first]["outputs"] if "image/png" in o.get("data", {}))["data"]["image/png"] = png
    (tmp_path / path.name).write_text(json.dumps(nb), encoding="utf-8")
    result, outcomes = run_nbval(tmp_path, path.name)
    failed = [cell for outcome, cell in outcomes if outcome != "PASSED"]
    assert failed == [f"{path.name}::Cell {number}"], result.stdout[-3000:]
    assert "stored figures differ from a fresh rendering" in result.stdout, result.stdout[-3000:]
    assert len(outcomes) == sum(c["cell_type"] == "code" for c in nb["cells"]), result.stdout[-3000:]


@notebook_params()
def test_every_figure_has_a_caption_and_alt_text(path):
    """A cell that shows a figure gives it a caption and alt text: myst-nb's `mystnb.figure` / `mystnb.image`, or the
    markdown `{figure}` right below it that shows the same PNG (tools/notebook_twin.py), its own output then hidden
    on the site and folded in JupyterLab so the figure is not shown twice."""
    nb = nbformat.read(path, as_version=4)
    below = {id(code): cell.source for cell, _, code in attached_figures(nb) if code is not None}
    missing, twice = [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
            meta = cell.metadata.get("mystnb", {})
            caption, alt = meta.get("figure", {}).get("caption", ""), meta.get("image", {}).get("alt", "")
            if id(cell) in below:  # :alt: text, then the caption after the blank line that ends the options
                alt = "".join(re.findall(r"^:alt:(.*)$", below[id(cell)], re.M))
                caption = below[id(cell)].partition("\n\n")[2].removesuffix(":::")
                if "remove-output" not in cell.metadata.get("tags", []) or not cell.metadata.get(
                        "jupyter", {}).get("outputs_hidden"):
                    twice.append(index)
            if not str(caption).strip() or not str(alt).strip():
                missing.append(index)
    assert not missing, f"cells without a caption or alt text: {missing}"
    assert not twice, f"cells whose figure is also a {{figure}} below, not tagged remove-output and folded: {twice}"
