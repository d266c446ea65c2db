"""The one home of the test and benchmark plumbing: book build, local server, Chromium, page watcher, decoders.

Imported as `tests.harness` by tests/conftest.py, the tests and bench/ (the repository root is on the path: pytest's
`pythonpath`, or `python -m bench` run from the root). Chromium is Debian's (/usr/bin/chromium), never a downloaded
build, launched with flags that keep it off the network; pages are served on 127.0.0.1 only.
"""

import base64
import contextlib
import fcntl
import functools
import gzip
import http.server
import io
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
# Largest RMS difference (0-255 per channel, as matplotlib.testing.compare) between a stored and a fresh figure
FIGURE_TOLERANCE = 2.0
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
BUILD_FLAGS = ["-W", "-n", "--keep-going"]  # as the Makefile's BUILD_FLAGS: any warning fails the build
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # playwright adds a fresh temporary --user-data-dir itself (and refuses one in args)
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}  # never leave the machine
# Third-party console noise that is not an error, as (script file, start of the message). Keep this list short.
KNOWN_WARNINGS: list[tuple[str, str]] = []


def use_this_checkout() -> None:
    """Put this repository first on PYTHONPATH, so every kernel or Python started from now on (nbval, nbclient,
    JupyterLab) imports this checkout's `utils`, whatever the environment's editable install points to (its finder
    comes after the path)."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != REPO]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *paths])


# --- the book ------------------------------------------------------------------------------------------------------


class BuildError(RuntimeError):
    """`jupyter-book build` failed or warned; the message holds the command and its log."""


def build_dir() -> Path:
    """Where the book is built: $QKV_BUILD_DIR/_build (default: this repository's _build)."""
    return Path(os.environ.get("QKV_BUILD_DIR", REPO)).resolve() / "_build"


def build_book(source: Path = REPO, path_output: Path | None = None, clean: bool = True) -> Path:
    """Build the book at `source` into path_output/_build/html (from scratch when `clean`); return the html folder.

    Raises BuildError with the log if the build fails or prints any "WARNING".
    """
    path_output = Path(path_output) if path_output is not None else build_dir().parent
    html = path_output / "_build" / "html"
    if clean:
        shutil.rmtree(html, ignore_errors=True)
        shutil.rmtree(path_output / "_build" / ".doctrees", ignore_errors=True)
    cmd = [str(JUPYTER_BOOK), "build", str(source), *BUILD_FLAGS, *(["--all"] if clean else []),
           "--path-output", str(path_output)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    log = run.stdout + run.stderr
    if run.returncode != 0 or "WARNING" in log or not (html / "index.html").is_file():
        raise BuildError(f"`{' '.join(cmd)}` failed (exit {run.returncode}) or warned:\n{log}")
    return html


def built_html(rebuild: bool, run_id: str | None = None) -> Path:
    """The built site's html folder (see build_dir): rebuilt from scratch when `rebuild` or when missing.

    Processes that pass the same `run_id` (pytest-xdist's workers: the run's testrunuid) share one build: the first
    builds while the others wait on a lock, then reuse its html folder, or fail with its log if it failed."""
    html = build_dir() / "html"
    if run_id is None:
        return build_book() if rebuild or not (html / "index.html").is_file() else html
    build_dir().mkdir(parents=True, exist_ok=True)
    stamp = build_dir() / ".built-in-run"  # "<run_id> ok" or "<run_id> failed\n<log>"
    with open(build_dir() / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = stamp.read_text(encoding="utf-8") if stamp.is_file() else ""
        if done.startswith(f"{run_id} failed"):
            raise BuildError(done.split("\n", 1)[1])
        if done.startswith(f"{run_id} ok"):
            return html
        try:
            html = built_html(rebuild)
        except BuildError as error:
            stamp.write_text(f"{run_id} failed\n{error}", encoding="utf-8")
            raise
        stamp.write_text(f"{run_id} ok", encoding="utf-8")
        return html


# --- serving and Chromium ------------------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves quietly; records the path of every request answered with an error status on the server."""

    def log_message(self, *args):
        pass

    def send_error(self, code, *args, **kwargs):
        self.server.errors.append(f"{code} {self.path}")
        super().send_error(code, *args, **kwargs)


def run(args, **kwargs):
    """Run a command, and fail with its output (the last 6000 characters) when it fails."""
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    output = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{output}"
    return done, time.monotonic() - started


def serve(folder):
    """Serve `folder` on 127.0.0.1 on a free port in a daemon thread; return (base_url, server).

    `server.errors` lists every request answered with an error ("404 /favicon.ico"), including those the browser
    makes by itself, which a page never sees.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    server.errors = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@contextlib.contextmanager
def serving(folder):
    """`with serving(folder) as (base_url, server):` serve it for the block, then stop the server."""
    base, server = serve(folder)
    try:
        yield base, server
    finally:
        server.shutdown()
        server.server_close()


def is_external(url):
    """True for a request that would leave this machine (any host but 127.0.0.1)."""
    parts = urlsplit(url)
    return parts.scheme not in LOCAL_SCHEMES and parts.hostname != "127.0.0.1"


def local_file(html: Path, url: str) -> Path | None:
    """The file of the site at `html` that a request for `url` (served from that folder) fetched, or None."""
    path = Path(html) / unquote(urlsplit(url).path).lstrip("/")
    return path if path.is_file() else None


def gzipped_weight(html: Path, urls) -> int:
    """Bytes the site's files fetched for `urls` take gzipped (level 6, a static host's usual), each file once;
    woff2 and images are sent as they are."""
    total = 0
    for path in {local_file(html, url) for url in urls} - {None}:
        data = path.read_bytes()
        total += len(data) if path.suffix in (".woff2", ".woff", ".png", ".jpg", ".ico") else len(gzip.compress(data))
    return total


def launch_chromium(playwright, **options):
    """Chromium from /usr/bin, headless, with the project's flags; `options` go to playwright's launch."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, chromium_sandbox=False, args=CHROMIUM_ARGS, **options
    )


@contextlib.contextmanager
def chromium():
    """`with chromium() as browser:` a playwright (sync API) Browser from launch_chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def watch(page) -> None:
    """Record on a playwright page what a quiet, offline page must not do, in lists set on the page:

    `page.console_errors`: console errors and warnings (KNOWN_WARNINGS excepted) and uncaught errors;
    `page.uncaught_errors`: the uncaught errors alone; `page.external_requests`: every request to a host other
    than 127.0.0.1 (each one is aborted); `page.failed_responses`: every response with an error status (404...).
    `page.allow_console_errors` / `page.allow_external_requests` start False (conftest's `page` reads them).
    """
    page.console_errors, page.uncaught_errors, page.external_requests, page.failed_responses = [], [], [], []
    page.allow_console_errors = page.allow_external_requests = False

    def console(msg):
        url = msg.location.get("url", "")
        if msg.type == "error" or (msg.type == "warning" and not any(
                script in url and msg.text.startswith(text) for script, text in KNOWN_WARNINGS)):
            page.console_errors.append(f"console.{msg.type}: {msg.text} ({url}:{msg.location.get('lineNumber', '')})")

    def uncaught(err):
        page.uncaught_errors.append(str(err))
        page.console_errors.append(f"uncaught: {err}")

    def route(r):
        if is_external(r.request.url):
            page.external_requests.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.on("console", console)
    page.on("pageerror", uncaught)
    page.on("response", lambda r: r.status >= 400 and page.failed_responses.append(f"{r.status} {r.url}"))
    page.route("**/*", route)


# Off-screen sections of a page skip layout (content-visibility: auto, assets/qkv-a11y.css): their text has no
# innerText, their overflow and colours are not computed until they come near the screen. Checks see every section
# laid out, as a reader who scrolls does; tests/test_page_speed.py checks the skipping itself.
LAY_OUT_EVERY_SECTION = """document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = ".bd-article section { content-visibility: visible !important; }";
  document.head.append(style);
});"""


def watched_page(browser, width=1280, height=900, every_section=True):
    """A new page, in a fresh context of `browser` (close it with page.context.close()), recorded by `watch`; with
    every section laid out (LAY_OUT_EVERY_SECTION) unless `every_section` is False."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    if every_section:
        page.add_init_script(LAY_OUT_EVERY_SECTION)
    watch(page)
    return page


def screenshot_dir(html: Path | None = None) -> Path:
    """Where screenshots go: next to the html folder `html` (default: build_dir()/screenshots), created."""
    folder = (Path(html).parent if html else build_dir()) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str, html: Path | None = None) -> Path:
    """Save a full-page PNG of `page` as screenshot_dir(html)/<name>.png; return its path."""
    path = screenshot_dir(html) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def stored_widget_state(page: Path) -> dict:
    """The widget state a built page stores: the JSON file beside it that its state script names (_ext/qkv_head.py
    moves the state there); {} for a page without widgets."""
    from _ext.qkv_head import state_file

    stored = state_file(page)
    return json.loads(stored.read_text(encoding="utf-8")) if stored.exists() else {}


# --- values --------------------------------------------------------------------------------------------------------


def rendered(fig) -> bytes:
    """PNG bytes of `fig` as a notebook shows it (rendering runs every text through the font machinery)."""
    png = fig._repr_png_()
    if not png.startswith(b"\x89PNG"):
        raise AssertionError("the figure did not render as PNG")
    return png


def from_json(value):
    """JSON numbers (nested lists) as a float64 tensor, each null read back as -inf.

    JSON has no infinity: JSON.stringify and the widgets' synced state write -Infinity (a masked score) as null.
    """
    import torch

    def walk(item):
        return [walk(i) for i in item] if isinstance(item, list) else (-math.inf if item is None else item)

    return torch.tensor(walk(value), dtype=torch.float64)


def figure_rms(stored: str, fresh: str) -> float:
    """RMS pixel difference (0-255) of two base64 PNGs; inf when their sizes differ."""
    import numpy as np
    from PIL import Image

    a, b = (np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB"), dtype=float)
            for png in (stored, fresh))
    return math.inf if a.shape != b.shape else float(np.sqrt(np.mean((a - b) ** 2)))


def figure_differences(stored_outputs, fresh_outputs, tolerance=FIGURE_TOLERANCE) -> list[str]:
    """How a cell's stored PNG figures differ from a fresh run's, in order (empty when each is within tolerance)."""
    def pngs(outputs):
        return ["".join(png) if isinstance(png, list) else png
                for out in outputs for png in [out.get("data", {}).get("image/png")] if png]

    stored, fresh = pngs(stored_outputs), pngs(fresh_outputs)
    if len(stored) != len(fresh):
        return [f"{len(stored)} stored figures, {len(fresh)} drawn now"]
    problems = []
    for k, (old, new) in enumerate(zip(stored, fresh, strict=True)):
        rms = figure_rms(old, new)
        if rms > tolerance:
            problems.append(f"figure {k + 1}: RMS difference {rms:.2f} > {tolerance} (0-255)")
    return problems
