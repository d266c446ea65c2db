"""`python -m bench [name ...]`: run the named benchmarks (all when none is named), print their tables, and with
all of them write bench/results.md. Benchmarks print figures; they are not tests."""

import argparse
import datetime
import importlib
import platform
from pathlib import Path

import torch

BENCHMARKS = {
    "build": "site build from stored outputs vs an empty book (bench/build.py)",
    "notebooks": "executing every notebook vs starting a kernel and importing torch (bench/notebooks.py)",
    "widgets": "widget latency in Chromium on the static page (bench/widgets.py)",
    "pages": "page weight of every built page and the site's size (bench/pages.py)",
    "speed": "Lighthouse (mobile) and the first widget drawn, every chapter page, served gzipped (bench/speed.py)",
    "attention": "utils.attention_pool vs torch's scaled_dot_product_attention (bench/attention.py)",
    "training": "training the tiny attention model vs starting a kernel and importing torch (bench/training.py)",
    "environment": ".venv size and `make book` in a fresh clone (bench/environment.py)",
}
RESULTS = Path(__file__).with_name("results.md")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name",
                        help="one of: " + ", ".join(f"{name} ({what})" for name, what in BENCHMARKS.items()))
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    sections = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        section = f"## {name}\n\n{BENCHMARKS[name]}\n\n{module.run()}\n"
        print(section, flush=True)
        sections.append(section)
    if names == list(BENCHMARKS):
        machine = f"{platform.machine()}, {torch.get_num_threads()} torch threads, Python {platform.python_version()}"
        header = f"# Benchmark results\n\n`make bench` on {datetime.date.today()} ({machine}).\n\n"
        RESULTS.write_text(header + "\n".join(sections), encoding="utf-8")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
