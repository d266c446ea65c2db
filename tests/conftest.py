"""Shared fixtures: the built book, a local server for it, and Chromium pages that must stay quiet and offline.

Every test that uses `built_site`, `site_server`, `browser` or `page` is marked `slow` automatically.

- `built_site` (session) -> Path of the html folder. Builds the book once, from scratch, with
  `jupyter-book build <repo> -W -n --keep-going --all --path-output $QKV_BUILD_DIR` (default: the repository, so
  the html lands in `_build/html`; set QKV_BUILD_DIR to build elsewhere). Fails with the log if the build fails
  or prints any "WARNING". QKV_SKIP_BUILD=1 reuses an existing html folder (fast iteration).
- `site_server` (session) -> base URL such as "http://127.0.0.1:PORT/" serving `built_site` (threaded, quiet).
- `browser` (session) -> a playwright (sync API) Browser: /usr/bin/chromium, headless, fresh profile. Skipped
  when Chromium or playwright is missing, except under CI=true, where that is a failure.
- `page` (function) -> a fresh playwright Page with extra attributes:
  `page.console_errors` (list[str]: console errors and warnings, uncaught page errors; KNOWN_WARNINGS excepted),
  `page.external_requests` (list[str]: every request to a host other than 127.0.0.1; each one is aborted),
  `page.allow_console_errors` / `page.allow_external_requests` (False; a test sets True to opt out).
  After the test both lists must be empty (checked at teardown, after the network settles).
- `screenshot(page, name)` -> Path: saves a full-page `<build dir>/screenshots/<name>.png`; <build dir> is the
  `_build` folder that holds `built_site`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.browser import CHROMIUM, is_external, launch_chromium, serve

REPO = Path(__file__).resolve().parent.parent
BROWSER_FIXTURES = {"built_site", "site_server", "browser", "page"}
# Third-party console noise that is not an error, as (script file, start of the message). Keep this list short.
KNOWN_WARNINGS = [
    # html-manager 1.0.15 compiles the widget-state JSON schema with ajv's default strictTypes="log"
    ("vendor/html-manager/embed-amd.js", "strict mode: use allowUnionTypes to allow union type keyword"),
]


def build_book(source: Path, path_output: Path) -> Path:
    """Build the book at `source` from scratch into path_output/_build/html; return the html folder or fail."""
    html = path_output / "_build" / "html"
    shutil.rmtree(html, ignore_errors=True)
    shutil.rmtree(path_output / "_build" / ".doctrees", ignore_errors=True)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jupyter_book), "build", str(source), "-W", "-n", "--keep-going", "--all",
           "--path-output", str(path_output)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    log = run.stdout + run.stderr
    if run.returncode != 0 or "WARNING" in log or not (html / "index.html").is_file():
        pytest.fail(f"`{' '.join(cmd)}` failed (exit {run.returncode}) or warned:\n{log}", pytrace=False)
    return html


def watch(page) -> None:
    """Give a playwright page the console/external-request records described in the module docstring."""
    page.console_errors, page.external_requests = [], []
    page.allow_console_errors = page.allow_external_requests = False

    def console(msg):
        url = msg.location.get("url", "")
        if msg.type == "error" or (msg.type == "warning" and not any(
                script in url and msg.text.startswith(text) for script, text in KNOWN_WARNINGS)):
            page.console_errors.append(f"console.{msg.type}: {msg.text} ({url}:{msg.location.get('lineNumber', '')})")

    page.on("console", console)
    page.on("pageerror", lambda err: page.console_errors.append(f"uncaught: {err}"))

    def route(r):
        if is_external(r.request.url):
            page.external_requests.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)


def screenshot_dir(html: Path) -> Path:
    """Where screenshots of a built site go: next to its html folder."""
    folder = html.parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_collection_modifyitems(items):
    """Mark every test that needs the built site, a browser or a kernel as slow."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)  # the notebooks' cells run in a kernel (nbval)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The built html folder (see the module docstring)."""
    path_output = Path(os.environ.get("QKV_BUILD_DIR", REPO)).resolve()
    html = path_output / "_build" / "html"
    if os.environ.get("QKV_SKIP_BUILD") == "1" and (html / "index.html").is_file():
        return html
    return build_book(REPO, path_output)


@pytest.fixture(scope="session")
def site_server(built_site):
    """Base URL of a local http server for the built site."""
    url, server = serve(built_site)
    yield url
    server.shutdown()
    server.server_close()


def _unavailable(reason: str):
    """Skip, or fail under CI, when the browser stack is missing."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; see `make system-deps`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by playwright's sync API."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and off-host requests, and must end the test with none."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    new_page = context.new_page()
    watch(new_page)
    yield new_page
    try:
        new_page.wait_for_load_state("networkidle", timeout=5_000)
    except Exception:  # a page that keeps polling is judged on what it logged so far
        pass
    errors, external = list(new_page.console_errors), list(new_page.external_requests)
    context.close()
    problems = []
    if errors and not new_page.allow_console_errors:
        problems.append("console errors:\n  " + "\n  ".join(errors))
    if external and not new_page.allow_external_requests:
        problems.append("requests to other hosts:\n  " + "\n  ".join(external))
    assert not problems, "\n".join(problems)


@pytest.fixture
def screenshot(built_site):
    """screenshot(page, name) saves a full-page PNG under <build dir>/screenshots/ and returns its path."""

    def save(pg, name: str) -> Path:
        path = screenshot_dir(built_site) / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return save
