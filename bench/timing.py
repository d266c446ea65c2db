"""Small helpers shared by the benchmarks: repeat a measurement, summarise it, print a Markdown table."""

import statistics
import time


def repeat(fn, runs):
    """Call `fn` `runs` times; return the wall-clock seconds of each call."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


def summary(samples):
    """(median, min, max) of a list of numbers."""
    return statistics.median(samples), min(samples), max(samples)


def percentile(samples, q):
    """The q-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(samples)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt_seconds(samples):
    """'median (min–max) s' for a list of seconds."""
    med, lo, hi = summary(samples)
    return f"{med:.2f} s ({lo:.2f}–{hi:.2f})"


def table(header, rows):
    """A Markdown table as a string."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
