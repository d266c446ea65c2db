"""The set-up cell, every notebook's first code cell: it makes `import utils` work wherever the notebook runs.

    .venv/bin/python tools/first_cell.py          put it into every English notebook (then rebuild the Korean twins)
    .venv/bin/python tools/first_cell.py --check  exit 1 if an English notebook's first code cell is not it

When `utils` is missing (Colab, a notebook downloaded from the site) the cell installs this repository's package with
one `%pip install` and prints one line saying so; where it is installed (this repository's environment, Binder, the
site's stored outputs) it prints nothing. Its input is hidden on the site (tag hide-input). In Colab it also turns on
the custom widget manager, without which Colab does not draw anywidget widgets.

The package source is the repository that _config.yml names (repository.url and repository.branch), the project's one
configured address: change it there and run this tool. The Korean twins get the cell from tools/notebook_twin.py, with
its comments and printed line translated once, in notebooks/ko/translations/_shared.yml.
"""

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
EN_DIR = ROOT / "notebooks" / "en"
CELL_ID = "set-up"
TAGS = ["hide-input"]
TEMPLATE = """\
# Set-up: installs the chapter's package `utils` where it is missing (Colab, a downloaded notebook)
import importlib
import sys

PACKAGE = "{package}"
try:
    import utils
except ModuleNotFoundError:
    %pip install --quiet {{PACKAGE}}
    importlib.invalidate_caches()
    import utils  # an install that failed stops here
    print("Installed the package utils from", PACKAGE)
if "google.colab" in sys.modules:  # Colab draws the widgets only with its custom widget manager
    from google.colab import output
    output.enable_custom_widget_manager()"""


def package_source(config_path=ROOT / "_config.yml"):
    """The pip requirement of this repository's package: git+<repository.url>@<repository.branch> from _config.yml."""
    repository = yaml.safe_load(config_path.read_text(encoding="utf-8"))["repository"]
    url, branch = repository["url"].rstrip("/"), repository.get("branch", "main")
    if not url.startswith("https://"):
        raise ValueError(f"_config.yml repository.url must be an https:// address, got {url!r}")
    return f"git+{url}@{branch}"


def cell_source():
    """The set-up cell's source (English)."""
    return TEMPLATE.format(package=package_source())


def first_code_cell(nb):
    """(index, cell) of the first code cell of a notebook."""
    return next((index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code")


def problems(path):
    """Why the first code cell of the notebook at `path` is not the set-up cell (empty if it is)."""
    _, cell = first_code_cell(nbformat.read(path, as_version=4))
    found = []
    if cell.source != cell_source():
        found.append("its source is not tools/first_cell.py's cell (run the tool)")
    if cell.get("id") != CELL_ID:
        found.append(f"its id is {cell.get('id')!r}, not {CELL_ID!r}")
    if not set(TAGS) <= set(cell.metadata.get("tags", [])):
        found.append(f"its tags {cell.metadata.get('tags', [])} lack {TAGS}")
    return found


def write(path):
    """Put the set-up cell first among the code cells of the notebook at `path` (replacing an older set-up cell)."""
    nb = nbformat.read(path, as_version=4)
    index, cell = first_code_cell(nb)
    if cell.get("id") != CELL_ID:
        cell = nbformat.v4.new_code_cell(id=CELL_ID)
        nb.cells.insert(index, cell)
    cell.source = cell_source()  # an existing set-up cell keeps its outputs: it prints nothing where utils is installed
    cell.metadata["tags"] = list(TAGS)
    nbformat.write(nb, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook lacks the current set-up cell")
    args = parser.parse_args()
    paths = sorted(EN_DIR.glob("*.ipynb"))
    if args.check:
        found = [f"{path.relative_to(ROOT)}: first code cell: {problem}"
                 for path in paths for problem in problems(path)]
        sys.exit("\n".join(found) or None)
    for path in paths:
        write(path)
        print(f"wrote the set-up cell into {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
