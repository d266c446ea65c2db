"""`python -m bench [name ...]`: run the named benchmarks (all when none is named) and print their tables."""

import argparse
import importlib

BENCHMARKS = {
    "widgets": "widget latency in Chromium on the static page (bench/widgets.py)",
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name",
                        help="one of: " + ", ".join(f"{name} ({what})" for name, what in BENCHMARKS.items()))
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"## {name}\n\n{module.run()}\n", flush=True)


if __name__ == "__main__":
    main()
