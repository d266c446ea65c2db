"""Site build time from stored outputs, clean and incremental, next to an empty book with the same configuration."""

import shutil
import tempfile
from pathlib import Path

from tests.harness import REPO, build_book

from .timing import fmt_seconds, repeat, summary, table

CONFIG_FILES = ["_config.yml", "references.bib"]
CONFIG_DIRS = ["_ext", "assets"]
TARGET_RATIO = 3.0


def _empty_book(where):
    """A book with this repository's configuration and a single empty page: the floor of any build."""
    for name in CONFIG_FILES:
        shutil.copy(REPO / name, where / name)
    for name in CONFIG_DIRS:
        if (REPO / name).exists():
            shutil.copytree(REPO / name, where / name)
    (where / "intro.md").write_text("# Empty\n\nThe floor of a build.\n{cite}`Vaswani.Shazeer.Parmar.ea.2017`\n\n"
                                    "```{bibliography}\n```\n")
    (where / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    return where


def _clean_and_incremental(source, runs, scratch):
    output = scratch / "out"

    def clean():
        shutil.rmtree(output, ignore_errors=True)
        build_book(source, output)

    clean_times = repeat(clean, runs)
    incremental_times = repeat(lambda: build_book(source, output, clean=False), runs)
    return clean_times, incremental_times


def run(runs=3):
    """Markdown table of build times and the ratio to the empty-book floor."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = _clean_and_incremental(REPO, runs, tmp / "book")
        empty_src = _empty_book(Path(tempfile.mkdtemp(dir=tmp)))
        floor = _clean_and_incremental(empty_src, runs, tmp / "empty")
    rows = []
    for name, ours, base in (("clean", book[0], floor[0]), ("incremental", book[1], floor[1])):
        ratio = summary(ours)[0] / summary(base)[0]
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        rows.append([name, fmt_seconds(ours), fmt_seconds(base), f"{ratio:.2f}×", verdict])
    header = ["build", "this book", "empty book (floor)", "ratio", f"target ≤ {TARGET_RATIO}×"]
    return table(header, rows)
