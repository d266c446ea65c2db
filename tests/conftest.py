"""Shared fixtures: the built book, a local server for it, and Chromium pages that must stay quiet and offline.
The plumbing behind them (build, server, Chromium, page watcher) is tests/harness.py, which bench/ uses too.

Every test that uses `built_site`, `site_server`, `browser` or `page` is marked `slow` automatically.

- `built_site` (session) -> Path of the html folder. Builds the book once per run (pytest-xdist's workers share
  the build), from scratch, with
  `jupyter-book build <repo> -W -n --keep-going --all --path-output $QKV_BUILD_DIR` (default: the repository, so
  the html lands in `_build/html`; set QKV_BUILD_DIR to build elsewhere). Fails with the log if the build fails
  or prints any "WARNING". QKV_SKIP_BUILD=1 reuses an existing html folder (fast iteration).
- `site_server` (session) -> base URL such as "http://127.0.0.1:PORT/" serving `built_site` (threaded, quiet).
- `browser` (session) -> a playwright (sync API) Browser: /usr/bin/chromium, headless, fresh profile. Skipped
  when Chromium or playwright is missing, except under CI=true, where that is a failure.
- `page` (function) -> a fresh playwright Page with extra attributes:
  the records of `tests.harness.watch` (`page.console_errors`, `page.external_requests`, `page.failed_responses`...)
  and `page.allow_console_errors` / `page.allow_external_requests` (False; a test sets True to opt out).
  After the test the three lists must be empty (checked at teardown, after the network settles); the server must
  have answered no request with an error (a 404), even one the browser made by itself (checked at session end).
- `screenshot(page, name)` -> Path: saves a full-page `<build dir>/screenshots/<name>.png`; <build dir> is the
  `_build` folder that holds `built_site`.
- `node` (session) -> path of the node executable: skipped when missing, except under CI=true (a failure).
- Every kernel started by the tests imports this checkout's `utils` (PYTHONPATH, set below).
"""

import os
import shutil
from pathlib import Path

import pytest

from tests import harness
from tests.harness import screenshot_dir

__all__ = ["screenshot_dir"]  # tests import it from here too

BROWSER_FIXTURES = {"built_site", "site_server", "browser", "page"}
harness.use_this_checkout()  # kernels started by the tests import this checkout's utils


def pytest_collection_modifyitems(items):
    """Mark every test that needs the built site, a browser or a kernel as slow."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)  # the notebooks' cells run in a kernel (nbval)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval checks a cell (it skips PNGs), compare each stored figure with the one the cell draws now."""
    result = yield
    if item.path.suffix == ".ipynb" and getattr(item, "test_outputs", None) is not None:
        problems = harness.figure_differences(item.cell.outputs, item.test_outputs)
        if problems:
            item.raise_cell_error("stored figures differ from a fresh rendering (re-execute the notebook if the change "
                                  "is meant): " + "; ".join(problems))
    return result


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The built html folder (see the module docstring)."""
    try:
        return harness.built_html(rebuild=os.environ.get("QKV_SKIP_BUILD") != "1",
                                  run_id=os.environ.get("PYTEST_XDIST_TESTRUNUID"))  # workers share one build
    except harness.BuildError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def site_server(built_site):
    """Base URL of a local http server for the built site."""
    url, server = harness.serve(built_site)
    yield url
    server.shutdown()
    server.server_close()
    assert not server.errors, f"the site answered requests with errors: {server.errors}"


def _unavailable(reason: str):
    """Skip, or fail under CI, when the browser stack is missing."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; see `make system-deps`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by playwright's sync API."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not harness.CHROMIUM.is_file():
        _unavailable(f"{harness.CHROMIUM} is missing")
    with harness.chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and off-host requests, and must end the test with none."""
    new_page = harness.watched_page(browser)
    yield new_page
    try:
        new_page.wait_for_load_state("networkidle", timeout=5_000)
    except Exception:  # a page that keeps polling is judged on what it logged so far
        pass
    errors, external = list(new_page.console_errors), list(new_page.external_requests)
    failed = list(new_page.failed_responses)
    new_page.context.close()
    problems = []
    if errors and not new_page.allow_console_errors:
        problems.append("console errors:\n  " + "\n  ".join(errors))
    if external and not new_page.allow_external_requests:
        problems.append("requests to other hosts:\n  " + "\n  ".join(external))
    if failed:
        problems.append("responses with an error status (a missing file?):\n  " + "\n  ".join(failed))
    assert not problems, "\n".join(problems)


@pytest.fixture
def screenshot(built_site):
    """screenshot(page, name) saves a full-page PNG under <build dir>/screenshots/ and returns its path."""

    return lambda pg, name: harness.screenshot(pg, name, built_site)


@pytest.fixture(scope="session")
def node():
    """Path of the node executable (skip without it, fail under CI=true)."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is missing (CI=true: the JavaScript tests must run)", pytrace=False)
        pytest.skip("node is not installed")
    return path
