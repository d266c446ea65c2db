"""A hidden check cell (input removed on the site, an `assert` inside) survives Run All and then a re-run of itself.

Such a cell pins a widget or a number to torch. If it reads a name that a later cell rebinds, re-running it after
Run All checks the wrong object (queries-keys-values once raised `Double did not match Float` that way). So every
name it reads without binding it first must not be bound again by any later code cell. Fast: reads the notebooks.
"""

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
HIDDEN = {"remove-input", "remove-cell"}


def python(source):
    """The cell's source parsed as Python, with IPython's magics and shell lines left out."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def bound(tree):
    """Names a cell binds: assignment and loop targets, imports, definitions, `with ... as`, walrus."""
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def read_before_bound(tree):
    """Names a cell reads that it has not bound itself by then (statement order, top level)."""
    own, read = set(), set()
    for statement in tree.body:
        read |= {node.id for node in ast.walk(statement)
                 if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)} - own
        own |= bound(ast.Module(body=[statement], type_ignores=[]))
    return read


def rebound_names(path):
    """(cell id, name, id of the later cell that rebinds it) for every hidden check cell of the notebook."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    problems = []
    for i, cell in enumerate(cells):
        tree = python(cell.source)
        checks = any(isinstance(node, ast.Assert) for node in ast.walk(tree))
        if not checks or not HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        for later in cells[i + 1:]:
            for name in sorted(read_before_bound(tree) & bound(python(later.source))):
                problems.append((cell.id, name, later.id))
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_hidden_check_cells_read_no_name_that_a_later_cell_rebinds(path):
    """Run All, then re-running a hidden check cell, checks what it checked the first time."""
    problems = rebound_names(path)
    assert not problems, f"{path.relative_to(ROOT)}: a hidden check cell reads a name a later cell rebinds " \
        "(give the checked value its own name):\n" + "\n".join(
            f"  cell {cell}: {name!r}, rebound by cell {later}" for cell, name, later in problems)


def test_the_rule_catches_a_rebound_name(tmp_path):
    """The check fails on a notebook whose hidden check cell reads `weights`, which a later cell rebinds."""
    nb = nbformat.v4.new_notebook()
    check = nbformat.v4.new_code_cell("assert weights.sum() == 1", metadata={"tags": ["remove-input"]})
    nb.cells = [nbformat.v4.new_code_cell("weights = 1"), check, nbformat.v4.new_code_cell("weights = 2")]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert [(name, later) for _, name, later in rebound_names(path)] == [("weights", nb.cells[2].id)]
