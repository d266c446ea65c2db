"""How fast a chapter page is for a reader: Lighthouse (pinned in package.json) on every chapter page of both
editions, and when the first widget is drawn, with the site served gzipped on 127.0.0.1 as a static host would.

Lighthouse runs the system Chromium (CHROME_PATH) with its mobile preset (simulated slow 4G and a 4× slower CPU);
each figure is the median of RUNS runs. "Widget after load" is measured in Chromium at 1280 px with no throttling:
performance.now() when the first `.qkv-widget[data-state]` appears, minus the load event's start (negative: drawn
before the load event). `python -m bench speed [html folder]` measures another build (e.g. main's, to compare).
"""

import contextlib
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.harness import CHROMIUM, CHROMIUM_ARGS, REPO, built_html, chromium

from .timing import table

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PAGES = [f"{folder}/{lang}/{name}.html" for lang in ("en", "ko") for folder, name in (
    ("chapters", "index"), ("notebooks", "queries-keys-values"), ("notebooks", "visualizing-attention"),
    ("notebooks", "nadaraya-watson"), ("notebooks", "transformer-qkv"), ("notebooks", "exercises"))]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "tbt_ms": 200, "widget_ms": 1000, "transfer_kib": 1024}
COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".xml")
FIRST_WIDGET = """window.__firstWidget = null;
new MutationObserver((records, observer) => {
  if (!document.querySelector(".qkv-widget[data-state]")) return;
  window.__firstWidget = performance.now();
  observer.disconnect();
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });"""


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files quietly, text gzipped (level 9, as a static host) when the client accepts it."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in COMPRESSIBLE or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not path.is_file():
            return super().send_head()
        body = _gzipped(path, path.stat().st_mtime)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    """A file-like object over bytes, as send_head returns (copyfile reads it, then it is closed)."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self):
        pass


@functools.cache
def _gzipped(path, mtime):
    return gzip.compress(path.read_bytes(), compresslevel=9)


@contextlib.contextmanager
def gzip_serving(folder):
    """`with gzip_serving(folder) as base_url:` the folder served on 127.0.0.1 with gzip, for the block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_GzipHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def lighthouse(url, attempts=2):
    """One Lighthouse run (mobile preset) of `url`: its JSON report as a dict. On a loaded machine Chromium can miss
    Lighthouse's DevTools deadline: the run is tried again, then the error raised."""
    for attempt in range(1, attempts + 1):
        try:
            return _lighthouse_once(url)
        except RuntimeError:
            if attempt == attempts:
                raise
    return None


def _lighthouse_once(url):
    with tempfile.TemporaryDirectory() as profile:
        flags = " ".join([*CHROMIUM_ARGS, f"--user-data-dir={profile}"])
        done = subprocess.run(
            [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet", f"--chrome-flags={flags}",
             f"--only-categories={','.join(CATEGORIES)}"],
            capture_output=True, text=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse {url} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def lighthouse_figures(url):
    """Median over RUNS runs: scores per category, TBT (ms), transfer (KiB), and the failed audits' ids."""
    reports = [lighthouse(url) for _ in range(RUNS)]
    def median(get):
        return statistics.median(get(r) for r in reports)
    def score(report, category):
        return round(100 * (report["categories"][category]["score"] or 0))
    def tbt(report):
        return report["audits"]["total-blocking-time"]["numericValue"]
    figures = {c: median(lambda r, c=c: score(r, c)) for c in CATEGORIES}
    figures["tbt_ms"] = median(tbt)
    # the spread of the runs: on a 2-core machine identical runs differ by up to ~15 performance points
    for name, get in (("performance", lambda r: score(r, "performance")), ("tbt_ms", tbt)):
        values = [get(r) for r in reports]
        figures[f"{name}_spread"] = f"{min(values):.0f}–{max(values):.0f}"
    figures["transfer_kib"] = median(lambda r: r["audits"]["total-byte-weight"]["numericValue"] / 1024)
    figures["failed"] = sorted({a["id"] for r in reports for a in r["audits"].values()
                                if a.get("score") is not None and a["score"] < 0.9
                                and a.get("scoreDisplayMode") in ("binary", "numeric")})
    return figures


def widget_after_load(browser, url):
    """Median over RUNS cold loads at 1280 px: ms from the load event's start to the first widget drawn, or None."""
    times = []
    for _ in range(RUNS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.add_init_script(FIRST_WIDGET)
        page.goto(url, wait_until="load")
        if page.evaluate("() => document.querySelector('script[type*=\"widget-view\"]') === null"):
            context.close()
            return None
        page.wait_for_function("() => window.__firstWidget !== null", timeout=60_000)
        times.append(page.evaluate(
            "() => window.__firstWidget - performance.getEntriesByType('navigation')[0].loadEventStart"))
        context.close()
    return statistics.median(times)


def _mark(value, target, higher_is_better=False):
    ok = value >= target if higher_is_better else value < target
    return "" if ok else " ✗"


def run(html=None):
    """Markdown table of the Lighthouse scores and load figures of every chapter page."""
    html = Path(html) if html else built_html(rebuild=False)
    if not LIGHTHOUSE.exists():
        raise RuntimeError("Lighthouse is missing: `npm ci` installs the pinned one (package.json)")
    rows, failed = [], {}
    with gzip_serving(html) as base, chromium() as browser:
        for path in PAGES:
            if not (html / path).is_file():
                continue
            lh = lighthouse_figures(base + path)
            widget = widget_after_load(browser, base + path)
            widget_cell = "—" if widget is None else f"{widget:.0f}{_mark(widget, TARGETS['widget_ms'])}"
            rows.append([path, f"{lh['performance']:.0f}{_mark(lh['performance'], TARGETS['performance'], True)}"
                               f" ({lh['performance_spread']})",
                         f"{lh['tbt_ms']:.0f}{_mark(lh['tbt_ms'], TARGETS['tbt_ms'])} ({lh['tbt_ms_spread']})",
                         widget_cell,
                         f"{lh['transfer_kib']:.0f}{_mark(lh['transfer_kib'], TARGETS['transfer_kib'])}",
                         f"{lh['accessibility']:.0f}", f"{lh['best-practices']:.0f}", f"{lh['seo']:.0f}"])
            for audit in lh["failed"]:
                failed.setdefault(audit, []).append(path)
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    header = ["page", f"performance (≥ {TARGETS['performance']})", f"TBT ms (< {TARGETS['tbt_ms']})",
              f"widget after load, ms (< {TARGETS['widget_ms']})",
              f"transfer KiB gzipped (≤ {TARGETS['transfer_kib']})",
              "accessibility", "best practices", "SEO"]
    audits = "; ".join(f"`{audit}` ({len(pages)})" for audit, pages in sorted(failed.items()))
    note = (f"\n\nLighthouse {_lighthouse_version()}, mobile preset, median of {RUNS} runs (lowest–highest in "
            "brackets); ✗ misses the target. "
            "Audits scoring under 0.9 in some run (pages): " + (audits or "none") + ".")
    return table(header, rows) + note


def _lighthouse_version():
    return json.loads((REPO / "node_modules" / "lighthouse" / "package.json").read_text())["version"]


if __name__ == "__main__":
    print(run(sys.argv[1] if len(sys.argv) > 1 else None))
