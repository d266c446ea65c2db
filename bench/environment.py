"""The installed environment's size and the time of `make book` in a fresh clone with a warm pip cache."""

import subprocess
import tempfile
import time
from pathlib import Path

from .timing import table

REPO = Path(__file__).resolve().parents[1]


def _du_mb(path):
    out = subprocess.run(["du", "-sm", str(path)], check=True, capture_output=True, text=True).stdout
    return int(out.split()[0])


def run():
    """Markdown table: .venv size, built site size, and one timed `make book` in a fresh clone of HEAD."""
    rows = [[".venv size", f"{_du_mb(REPO / '.venv')} MB"]]
    if (REPO / "_build" / "html").exists():
        rows.append(["built site (_build/html)", f"{_du_mb(REPO / '_build' / 'html')} MB"])
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "-s", "book"], cwd=clone, check=True, capture_output=True)
        rows.append(["`make book`, fresh clone, warm pip cache", f"{time.perf_counter() - start:.0f} s"])
        start = time.perf_counter()
        subprocess.run(["make", "-s", "book"], cwd=clone, check=True, capture_output=True)
        rows.append(["`make book` again (nothing to install)", f"{time.perf_counter() - start:.0f} s"])
    return table(["what", "figure"], rows)
