"""Training the tiny attention model of `utils.tiny_transformer` on each task, next to the floor of starting a kernel
and importing torch (as bench/notebooks.py measures it)."""

import time

import nbformat

import utils
from utils.tiny_transformer import TASKS

from .notebooks import REPO, _execute, _floor_notebook
from .timing import fmt_seconds, repeat, summary, table

TARGET_SECONDS = 10.0


def _training_notebook(name):
    nb = _floor_notebook()
    code = f"from utils.tiny_transformer import TASKS, train\ntrain(TASKS[{name!r}]())"
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


def _cpu_seconds(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start


def run(runs=3):
    """Markdown table: each task's training time in a kernel, its ratio to the floor, and in-process wall/CPU time."""
    floor_median = summary(repeat(lambda: _execute(_floor_notebook(), REPO), runs))[0]
    rows = [["(floor) start a kernel, import torch", f"{floor_median:.2f} s", "1.00×", "", "", "", ""]]
    for name, task in TASKS.items():
        in_kernel = summary(repeat(lambda n=name: _execute(_training_notebook(n), REPO), runs))[0]
        wall = repeat(lambda t=task: utils.train(t()), runs)
        cpu = [_cpu_seconds(lambda t=task: utils.train(t())) for _ in range(runs)]
        result = utils.evaluate(utils.train(task())[0], task())
        rows.append([f"{name}: kernel, import torch and utils, train", f"{in_kernel:.2f} s",
                     f"{in_kernel / floor_median:.2f}×", fmt_seconds(wall), f"{summary(cpu)[0]:.2f} s",
                     f"{result['accuracy']:.3f} / {result['attention_mass'].max():.3f}",
                     "met" if summary(wall)[0] <= TARGET_SECONDS else "MISSED"])
    note = ("\n\n`utils.train` runs on one torch thread (its default): with tensors this small, more threads only "
            "add overhead, and on a busy machine they are many times slower.")
    header = ["task", "in a kernel", "ratio to floor", "train() wall", "train() CPU",
              "held-out accuracy / best head's mass", f"train() ≤ {TARGET_SECONDS:g} s"]
    return table(header, rows) + note
