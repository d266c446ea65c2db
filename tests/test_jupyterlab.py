"""JupyterLab from .venv: notebooks run there with no error, widgets render, and a moved control reaches the kernel.

The server runs on 127.0.0.1 with a random token and temporary Jupyter directories, over a temporary copy of
notebooks/ (running cells never touches the repository's notebooks). Chromium is conftest.py's `browser` (playwright):
missing, it fails the run under CI=true and skips elsewhere.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
import torch
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import utils
from tests import harness
from tests.harness import watched_page

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")
# one English and one Korean notebook with a widget; paths under notebooks/
LAB_NOTEBOOKS = ["en/visualizing-attention.ipynb", "ko/visualizing-attention.ipynb"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HANGUL = re.compile("[\uac00-\ud7a3]")
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on display
RUN_TIMEOUT_MS = 240_000
# JupyterLab user settings: every cell in the DOM (no virtual scrolling), nothing fetched from the internet
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}
SERVER_CONFIG = {
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "extension_manager": "readonly",
    }
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(lab, path, method="GET"):
    """Call the Jupyter server's REST API; return the decoded JSON (None when the body is empty)."""
    request = urllib.request.Request(f"{lab.url}{path}", method=method, headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server from .venv over a copy of notebooks/; stopped through its API, which must end it cleanly."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for plugin, values in LAB_SETTINGS.items():
        path = tmp / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    (tmp / "config").mkdir()
    (tmp / "config" / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env |= {
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "PATH": f"{JUPYTER.parent}{os.pathsep}{env['PATH']}",  # the kernel's `python` is .venv's
    }
    lab = types.SimpleNamespace(root=root, token=secrets.token_hex(16), port=free_port())
    lab.url = f"http://127.0.0.1:{lab.port}"
    args = [
        JUPYTER, "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={lab.port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={lab.token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ]  # fmt: skip
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(args, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    lab.log = log_path
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"JupyterLab exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"JupyterLab did not answer in 90 s:\n{log_path.read_text()[-3000:]}"
            try:
                api(lab, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        yield lab
    finally:
        if proc.poll() is None:
            try:
                api(lab, "/api/shutdown", method="POST")
                returncode = proc.wait(timeout=60)
            except (urllib.error.URLError, ConnectionError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
                raise
            assert returncode == 0, f"JupyterLab exited with {returncode}:\n{log_path.read_text()[-3000:]}"
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            api(lab, "/api/status")  # nothing answers on the port any more


@pytest.fixture
def page(browser, lab):
    """A new page (in conftest's Chromium) watched by tests.harness.watch: uncaught errors, other hosts' requests."""
    page = watched_page(browser, 1400, 1000)
    yield page
    page.context.close()


# JavaScript run in the page; `panel` is the CSS selector of the notebook on display (PANEL)
CELL_COUNT_JS = "([panel, n]) => document.querySelectorAll(`${panel} .jp-Notebook .jp-Cell`).length === n"
KERNEL_IDLE_JS = """panel => {
  // the kernel is connected (its name is shown) and the execution indicator reads idle
  const name = document.querySelector(`${panel} .jp-KernelName`);
  const status = document.querySelector(`${panel} .jp-Notebook-ExecutionIndicator`);
  return !!name && !/No Kernel/.test(name.textContent) && !!status && status.dataset.status === 'idle';
}"""
CLEARED_JS = (
    "panel => [...document.querySelectorAll(`${panel} .jp-InputPrompt`)].every(p => !/\\d/.test(p.textContent))"
)
ALL_RAN_JS = """panel => {
  // no cell is queued or running ([*]) and the first code cell has run ([1])
  const prompts = [...document.querySelectorAll(`${panel} .jp-CodeCell .jp-InputPrompt`)].map(p => p.textContent);
  return prompts.every(p => !p.includes('*')) && /\\d/.test(prompts[0]);
}"""
CELLS_JS = """panel => [...document.querySelectorAll(`${panel} .jp-Notebook .jp-Cell`)].map(cell => ({
  prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
  stderr: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(node => node.textContent),
  widgets: [...cell.querySelectorAll('[data-widget]')].map(node => node.dataset.widget),
  widgetText: [...cell.querySelectorAll('[data-widget]')].map(node => node.textContent).join(' '),
  text: (cell.querySelector('.jp-OutputArea') || {}).textContent || '',
}))"""


def wait(page, script, arg=PANEL, timeout=RUN_TIMEOUT_MS):
    """Wait until `script` is true in the page; on timeout, save a screenshot and fail with the prompts."""
    try:
        page.wait_for_function(script, arg=arg, timeout=timeout)
    except PlaywrightTimeout:
        screenshot(page, "timeout")
        prompts = [cell["prompt"] for cell in page.evaluate(CELLS_JS, PANEL)]
        pytest.fail(f"timed out waiting for {script[:60]!r}; prompts {prompts}; see {harness.screenshot_dir()}")


def screenshot(page, name):
    harness.screenshot(page, f"jupyterlab-{name}")


def open_notebook(page, lab, path):
    """Open notebooks/`path` in a workspace of its own; wait for all its cells and an idle kernel."""
    cells = len(nbformat.read(lab.root / path, as_version=4).cells)
    workspace = path.replace("/", "-").removesuffix(".ipynb")
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{path}?token={lab.token}")
    wait(page, CELL_COUNT_JS, arg=[PANEL, cells], timeout=60_000)
    wait(page, KERNEL_IDLE_JS, timeout=120_000)


def open_command_palette(page, attempts=3):
    """Open the command palette with Ctrl+Shift+C, as a reader would; return its search box.

    Under load the shortcut is sometimes lost (a CI run saw the palette stay hidden for 30 s), so it is pressed again,
    up to `attempts` times; if the palette never shows, fail naming any dialog that covers the notebook."""
    palette = page.locator(".lm-CommandPalette-input")
    for _ in range(attempts):
        page.locator(f"{PANEL} .jp-Notebook").click(position={"x": 5, "y": 5})
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Shift+C")
        try:
            palette.wait_for(state="visible", timeout=10_000)
            return palette
        except PlaywrightTimeout:
            continue
    screenshot(page, "command-palette")
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    pytest.fail(f"the command palette did not open after {attempts} presses of Ctrl+Shift+C; dialogs: {dialogs}; "
                f"see {harness.screenshot_dir()}")


def run_command(page, label):
    """Run a JupyterLab command from the command palette, as a reader would."""
    open_command_palette(page).fill(label)
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text=label).wait_for()
    page.keyboard.press("Enter")


def run_all_cells(page):
    """Clear every output, run all cells, wait until they have run and the kernel is idle; return the cells' DOM."""
    run_command(page, "Clear Outputs of All Cells")
    wait(page, CLEARED_JS)
    run_command(page, "Run All Cells")
    wait(page, ALL_RAN_JS)
    wait(page, KERNEL_IDLE_JS)
    return page.evaluate(CELLS_JS, PANEL)


@pytest.mark.parametrize("path", LAB_NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_without_errors(page, lab, path):
    notebook = nbformat.read(lab.root / path, as_version=4)
    open_notebook(page, lab, path)
    cells = run_all_cells(page)
    widgets = page.locator(f"{PANEL} [data-widget]")
    if widgets.count():
        widgets.first.scroll_into_view_if_needed()
    screenshot(page, path.replace("/", "-").removesuffix(".ipynb"))

    assert len(cells) == len(notebook.cells)
    for index, (cell, dom) in enumerate(zip(notebook.cells, cells, strict=True)):
        where = f"{path} cell {index}: {cell.source[:80]!r}"
        if cell.cell_type != "code":
            continue
        if cell.source.strip():
            assert any(ch.isdigit() for ch in dom["prompt"]), f"{where} did not run (prompt {dom['prompt']!r})"
        tracebacks = [text for text in dom["stderr"] if "Traceback" in text or "Error" in text]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert tracebacks, f"{where} is tagged raises-exception but showed no error"
        else:
            assert not tracebacks, f"{where} showed an error:\n{tracebacks[0][-1500:]}"
        assert "Error displaying widget" not in dom["text"], f"{where}: the widget manager failed"
        shown = [output for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]
        assert len(dom["widgets"]) == len(shown), f"{where} shows widgets {dom['widgets']}, stored {len(shown)}"
        if path.startswith("ko/") and dom["widgets"]:
            assert HANGUL.search(dom["widgetText"]), f"{where}: the widget's labels are not in Korean"
    assert sum(len(dom["widgets"]) for dom in cells) > 0, f"{path} rendered no widget"
    assert not page.uncaught_errors, f"uncaught errors in the page: {page.uncaught_errors}"
    assert not page.external_requests, f"the page asked another host: {page.external_requests}"


def page_state(page, widget):
    """The inputs and numbers a widget's view shows (its root's data-state attribute)."""
    return json.loads(page.locator(f'[data-widget="{widget}"]').get_attribute("data-state"))


def utils_weights(state):
    """The attention weights `utils` computes for the inputs a QueryExplorer view shows (softmax mode)."""
    assert state["mode"] == "softmax"
    query = torch.tensor([state["query"]], dtype=torch.float64)  # (1, 2)
    keys = torch.tensor(state["key_points"], dtype=torch.float64)  # (num_keys, 2)
    scores = utils.attention_scores(query, keys, scoring=state["scoring"], bandwidth=state["bandwidth"])
    return utils.softmax(scores, temperature=state["temperature"])[0]  # (num_keys,)


def kernel_state(page, variable):
    """Add a cell at the end that prints the widget's query and weights as JSON, run it, and parse its output."""
    page.locator(f"{PANEL} .jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: insert a cell below
    page.keyboard.press("Enter")  # edit it
    code = f"print(json.dumps({{'query': {variable}.query, 'weights': {variable}.weights.tolist()}}))"
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+Enter")  # run it and stay on it
    output = page.locator(f"{PANEL} .jp-Notebook .jp-CodeCell").last.locator(".jp-OutputArea-output")
    output.wait_for(timeout=60_000)
    wait(page, KERNEL_IDLE_JS, timeout=60_000)
    return json.loads(output.inner_text())


@pytest.fixture
def explorer(page, lab):
    """A scratch notebook that shows a QueryExplorer, open and run; returns the widget's root element."""
    scratch = nbformat.v4.new_notebook()
    scratch.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    source = "import json\nimport utils\n\nexplorer = utils.QueryExplorer()\nexplorer"
    scratch.cells = [nbformat.v4.new_code_cell(source)]
    name = f"widget-check-{secrets.token_hex(4)}.ipynb"
    nbformat.write(scratch, lab.root / "en" / name)
    open_notebook(page, lab, f"en/{name}")
    run_command(page, "Run All Cells")
    root = page.locator('[data-widget="QueryExplorer"]')
    root.wait_for(timeout=60_000)
    wait(page, KERNEL_IDLE_JS)
    return root


def check_move(page, before_page, before_kernel):
    """The view and the kernel both moved the query, changed the weights, and agree with `utils` to 1e-4."""
    after_page, after_kernel = page_state(page, "QueryExplorer"), kernel_state(page, "explorer")
    assert after_kernel["query"] == after_page["query"], "the kernel did not get the view's query"
    for before, after in ((before_page, after_page), (before_kernel, after_kernel)):
        assert max(abs(a - b) for a, b in zip(after["weights"], before["weights"], strict=True)) > 1e-2
    expected = utils_weights(after_page)
    for where, weights in (("page", after_page["weights"]), ("kernel", after_kernel["weights"])):
        got = torch.tensor(weights, dtype=torch.float64)
        assert torch.allclose(got, expected, atol=1e-4, rtol=0), f"{where} weights {got} but utils gives {expected}"
    assert not page.uncaught_errors, f"uncaught errors in the page: {page.uncaught_errors}"
    return after_page


def test_dragged_widget_slider_updates_page_and_kernel(page, explorer):
    before_page, before_kernel = page_state(page, "QueryExplorer"), kernel_state(page, "explorer")
    assert before_kernel["weights"] == pytest.approx(before_page["weights"], abs=1e-4)
    slider = explorer.locator('[data-testid="query-x"]')
    slider.scroll_into_view_if_needed()
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    box = slider.bounding_box()
    # press on the thumb and drag it to a tenth of the track, as a reader does with the mouse
    thumb = box["x"] + box["width"] * (before_page["query"][0] - low) / (high - low)
    y = box["y"] + box["height"] / 2
    page.mouse.move(thumb, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.1 * box["width"], y, steps=10)
    page.mouse.up()
    screenshot(page, "widget-dragged")
    after_page = check_move(page, before_page, before_kernel)
    assert after_page["query"][0] < low + 0.2 * (high - low), "the query did not follow the pointer"


def test_widget_slider_moves_with_the_arrow_keys(page, explorer):
    """In command mode JupyterLab binds the arrow keys (to move between cells); a focused widget input keeps them."""
    before_page, before_kernel = page_state(page, "QueryExplorer"), kernel_state(page, "explorer")
    explorer.locator('[data-testid="query-x"]').focus()
    for _ in range(40):  # 40 steps of 0.01, one input event each
        page.keyboard.press("ArrowRight")
    after_page = check_move(page, before_page, before_kernel)
    assert after_page["query"][0] == pytest.approx(before_page["query"][0] + 0.40, abs=1e-9)



# jupyterlab-myst renders markdown cells as the site does; each rendered cell is a `.myst` element
MYST_CELL = f"{PANEL} .jp-Notebook .jp-Cell"


def rendered_markdown(page, index):
    """The `.myst` element jupyterlab-myst renders for cell `index` of the notebook on display."""
    rendered = page.locator(MYST_CELL).nth(index).locator(".myst")
    rendered.wait_for(state="attached", timeout=30_000)
    return rendered


def test_jupyterlab_myst_keeps_solutions_hidden_until_opened(page, lab):
    path = "en/exercises.ipynb"
    cells = nbformat.read(lab.root / path, as_version=4).cells
    solutions = [(index, cell.source.split("```", 2)[2].strip().splitlines()[0][:60])
                 for index, cell in enumerate(cells)
                 if cell.cell_type == "markdown" and cell.source.startswith("```{solution-start}")]
    assert solutions, f"{path} has no solution-start cell"
    open_notebook(page, lab, path)
    for index, first_words in solutions:
        text = rendered_markdown(page, index).inner_text()
        assert "{solution" not in text, f"cell {index}: the solution directive is shown raw: {text[:200]!r}"
        assert first_words not in text, f"cell {index}: the solution is visible before its dropdown is opened"
    index, first_words = solutions[0]
    rendered = rendered_markdown(page, index)
    rendered.locator("summary").first.click()
    rendered.get_by_text(first_words).wait_for(state="visible", timeout=10_000)
    screenshot(page, "myst-solution-opened")
    assert not page.uncaught_errors, f"uncaught errors in the page: {page.uncaught_errors}"


# the notebooks whose {numref}s point at figures; a figure is a markdown {figure} with its PNG attached
NUMREF_NOTEBOOKS = ["en/queries-keys-values.ipynb", "ko/queries-keys-values.ipynb", "en/transformer-qkv.ipynb"]
NUMREF = re.compile(r"\{numref\}`(?:[^`<]*<)?([\w-]+)>?`")  # {numref}`label`, {numref}`그림 %s <label>`
FIGURE_NAME = re.compile(r"^:::\{figure\}.*\n(?:^:.*\n)*?^:name:\s*(\S+)", re.M)
IMAGE_LOADED_JS = "img => img.complete && img.naturalWidth > 0"


def site_figure_numbers(built_site, path):
    """{label: number} of the figures of the site's page for notebooks/`path`."""
    page = (built_site / "notebooks" / path).with_suffix(".html")
    html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return {figure["id"]: int(re.search(r"\d+", figure.select_one(".caption-number").get_text())[0])
            for figure in html.select("figure[id]")}


@pytest.mark.parametrize("path", NUMREF_NOTEBOOKS)
def test_jupyterlab_myst_numbers_figures_and_resolves_numref(page, lab, built_site, path):
    """Every figure is numbered in notebook order and its image loads; every {numref} is a link reading "Figure N"
    ("그림 N") to its figure; N counts as the site does, which numbers on through the edition (Fig. 20 is a
    page's first figure when 19 come before)."""
    cells = nbformat.read(lab.root / path, as_version=4).cells
    figures = {name: index for index, cell in enumerate(cells) if cell.cell_type == "markdown"
               for name in FIGURE_NAME.findall(cell.source)}
    numrefs = [(index, label) for index, cell in enumerate(cells) if cell.cell_type == "markdown"
               for label in NUMREF.findall(cell.source)]
    assert numrefs and set(label for _, label in numrefs) <= set(figures), (path, numrefs, list(figures))
    site = site_figure_numbers(built_site, path)
    first = min(site.values())
    word = "그림" if path.startswith("ko/") else "Figure"
    open_notebook(page, lab, path)
    for number, (label, index) in enumerate(figures.items(), 1):
        assert site[label] - first + 1 == number, f"{label}: figure {number} in the notebook, {site[label]} on the site"
        rendered = rendered_markdown(page, index)
        image = rendered.locator("img")
        assert image.count() == 1, f"cell {index}: {image.count()} images in figure {label}"
        page.wait_for_function(IMAGE_LOADED_JS, arg=image.element_handle(), timeout=10_000)
        caption = rendered.locator("figcaption").inner_text()
        assert re.search(rf"\b{number}\b", caption), f"{label} is not figure {number}: {caption[:80]!r}"
    for index, label in numrefs:
        rendered = rendered_markdown(page, index)
        text = rendered.inner_text()
        assert "{numref}" not in text and "Cross Reference Not Found" not in rendered.inner_html(), (index, text)
        link = rendered.locator(f'a[href="#{label}"]')
        assert link.count() == 1, f"cell {index}: {label} is not rendered as one link: {text!r}"
        shown = " ".join(link.inner_text().split())  # a no-break space between word and number
        assert shown == f"{word} {site[label] - first + 1}", (index, label, shown)
    rendered_markdown(page, figures[numrefs[0][1]]).scroll_into_view_if_needed()
    screenshot(page, f"myst-figures-{path.replace('/', '-')}")
    assert not page.uncaught_errors, f"uncaught errors in the page: {page.uncaught_errors}"


# --- the widget in JupyterLab's own dark theme (not a stand-in page): its text and controls keep their contrast ---

CARD_JS = "el => getComputedStyle(el).backgroundColor"


def relative_luminance(colour):
    """WCAG relative luminance of a CSS rgb()/rgba() colour."""
    channels = [float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_widget_contrast_in_jupyterlab_dark(page, explorer):
    """With "JupyterLab Dark" chosen from the command palette, the widget turns dark with the notebook, and every text
    is at least 4.5:1 on its background and every control and slider at least 3:1 (tests/test_accessibility.py's
    check, run in JupyterLab itself)."""
    from tests.test_accessibility import CONTRAST_JS

    explorer.scroll_into_view_if_needed()
    light_card = relative_luminance(explorer.evaluate(CARD_JS))
    try:
        run_command(page, "Use Theme: JupyterLab Dark")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        screenshot(page, "widget-dark")
        dark_card = relative_luminance(explorer.evaluate(CARD_JS))
        assert light_card > 0.9 and dark_card < 0.05, (light_card, dark_card)  # the card follows the theme
        problems = page.evaluate(CONTRAST_JS)
        assert not problems, "in JupyterLab Dark:\n" + "\n".join(problems)
    finally:  # the theme is a user setting of the shared server: back to light for the tests after this one
        run_command(page, "Use Theme: JupyterLab Light")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    assert not page.uncaught_errors, f"uncaught errors in the page: {page.uncaught_errors}"
