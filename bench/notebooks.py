"""Executing every notebook (both languages), next to the floor of starting a kernel and importing torch."""


import nbformat
from nbclient import NotebookClient

from tests.harness import REPO, use_this_checkout

from .timing import fmt_seconds, repeat, summary, table

TARGET_RATIO = 2.0


def _execute(nb, cwd):
    NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(cwd)}}).execute()


def _floor_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torch")]
    return nb


def run(runs=3):
    """Markdown table: each notebook's execution time and its ratio to the kernel + torch floor."""
    use_this_checkout()
    floor = repeat(lambda: _execute(_floor_notebook(), REPO), runs)
    floor_median = summary(floor)[0]
    rows = [["(floor) start a kernel, import torch", fmt_seconds(floor), "1.00×", ""]]
    paths, medians = sorted(REPO.glob("notebooks/*/*.ipynb")), []
    for path in paths:
        times = repeat(lambda p=path: _execute(nbformat.read(p, as_version=4), p.parent), runs)
        medians.append(summary(times)[0])
        rows.append([str(path.relative_to(REPO)), fmt_seconds(times), *_verdict(medians[-1] / floor_median)])
    rows.append([f"all {len(paths)} notebooks (sum of medians)", f"{sum(medians):.2f} s",
                 *_verdict(sum(medians) / (len(paths) * floor_median))])
    note = "\n\nMost of a notebook's time above the floor is drawing its figures (about 0.2 s each at 100 dpi)."
    return table(["notebook", "execution", "ratio to floor", f"target ≤ {TARGET_RATIO}×"], rows) + note


def _verdict(ratio):
    return [f"{ratio:.2f}×", "met" if ratio <= TARGET_RATIO else "MISSED"]
