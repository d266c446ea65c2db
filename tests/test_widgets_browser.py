"""The widgets on the built static site, in Chromium, with no kernel: they render from the stored widget state,
every control changes the weights on display, and the numbers in each view's `data-state` are torch's.

Uses the fixtures of tests/conftest.py (`built_site`, `site_server`, `page`); every test here is slow. To try the
tests on another built book, set QKV_BUILD_DIR to its folder and QKV_SKIP_BUILD=1.
"""

import json
import math
import re

import pytest
import torch

import utils
from tests.harness import from_json as f64
from tests.harness import screenshot_dir, stored_widget_state
from utils import database
from utils.attention import pool_weights
from utils.widgets import ProjectionExplorer
from utils.widgets.labels import LABELS

WIDGET_CLASSES = ["QueryExplorer", "HeatmapExplorer", "DatabaseExplorer", "KernelRegressionExplorer",
                  "ProjectionExplorer"]
TOL = {"rtol": 1e-4, "atol": 1e-4}


def close(actual, expected):
    torch.testing.assert_close(f64(actual), expected.to(torch.float64), **TOL)


# --- torch's numbers for a view's data-state ---


def point_in_polygon(point, polygon):
    """True if `point` lies inside or on the convex polygon (counter-clockwise vertices)."""
    n = len(polygon)
    if n < 3:
        return True
    (x, y), crosses = point, []
    for i in range(n):
        (x0, y0), (x1, y1) = polygon[i], polygon[(i + 1) % n]
        crosses.append((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0))
    return min(crosses) >= -1e-9


def check_query_explorer(state):
    scores = utils.attention_scores(f64([state["query"]]), f64(state["key_points"]), scoring=state["scoring"],
                                    bandwidth=state["bandwidth"])[0]
    weights = pool_weights(scores, temperature=state["temperature"], mode=state["mode"])
    close(state["scores"], scores)
    close(state["weights"], weights)
    close(state["output"], weights @ f64(state["values"]))
    assert point_in_polygon(state["output"], state["hull"]), state


def check_heatmap_explorer(state):
    scores = utils.attention_scores(f64(state["queries"]), f64(state["key_points"]), scoring=state["scoring"],
                                    bandwidth=state["bandwidth"])
    close(state["scores"], scores)
    close(state["weights"], utils.softmax(scores, temperature=state["temperature"]))


def check_database_explorer(state):
    records = [tuple(row) for row in state["records"]]
    weights, scores = database.lookup_weights(records, state["text"], mode=state["mode"],
                                              temperature=state["temperature"])
    close(state["similarities"], scores)
    close(state["weights"], weights)
    assert state["result"] == (None if state["mode"] == "soft" else database.returned_value(records, weights))


def check_kernel_regression_explorer(state):
    x, y = f64(state["x_train"]), f64(state["y_train"])
    kwargs = {"kernel": state["kernel"], "bandwidth": state["bandwidth"]}
    predictions, weights = utils.nadaraya_watson(f64(state["x_grid"]), x, y, **kwargs)
    close(state["predictions"], predictions)
    close(state["weights"], weights)
    prediction, test_weights = utils.nadaraya_watson(f64([state["x_test"]]), x, y, **kwargs)
    close([state["test_prediction"]], prediction)
    close(state["test_weights"], test_weights[0])


def check_projection_explorer(state):
    token, head = state["token"], state["head"]
    if state["mode"] == "model":  # the trained (or untrained) TinyTransformer whose parameters the view used
        model = utils.TinyTransformer.from_state(state["model_state"])
        ids = torch.tensor([[state["vocab"].index(name) for name in position] for position in state["sequence"]])
        with torch.no_grad():
            logits, weights = model(ids[None])
            x = model.token_embedding[ids].sum(-2) + model.position_embedding[:len(ids)]  # (n, d)
        projections, weights = (model.W_q, model.W_k, model.W_v), weights[0]
        close(state["logits"], logits[0, token])
    else:
        widget = ProjectionExplorer(tokens=state["tokens"], num_heads=state["num_heads"], seed=state["seed"])
        x, weights = f64(widget.embeddings), widget.weights
        projections = [f64(getattr(widget, name)) for name in ("W_q", "W_k", "W_v")]
        close(state["output"], widget.output[token])
    close(state["weights"], weights[head, token])
    close(state["matrix"], weights[head])
    with torch.no_grad():  # the head's query, keys, values, scores and weighted sum of the values
        q, k, v = ((x @ w).unflatten(-1, (state["num_heads"], -1))[:, head] for w in projections)
    close(state["q"], q[token])
    close(state["keys"], k)
    close(state["values"], v)
    close(state["dots"], k @ q[token])
    close(state["scaled"], k @ q[token] / math.sqrt(q.shape[-1]))
    close(state["head_output"], weights[head, token] @ v)


CHECKS = {
    "QueryExplorer": check_query_explorer,
    "HeatmapExplorer": check_heatmap_explorer,
    "DatabaseExplorer": check_database_explorer,
    "KernelRegressionExplorer": check_kernel_regression_explorer,
    "ProjectionExplorer": check_projection_explorer,
}


# --- driving a view ---


def state_of(view):
    return json.loads(view.get_attribute("data-state"))


def act_and_check(view, name, action, changed="weights"):
    """Do `action`, wait until the view's `changed` numbers differ, then check every number against torch."""
    before = view.get_attribute("data-state")
    action()
    view.page.wait_for_function(
        "([el, before, key]) => JSON.stringify(JSON.parse(el.dataset.state)[key]) !== "
        "JSON.stringify(JSON.parse(before)[key])",
        arg=[view.element_handle(), before, changed], timeout=5_000)
    state = state_of(view)
    CHECKS[name](state)
    return state


def other(current, options):
    """The first of `options` that is not `current` (so that choosing it is a change)."""
    return next(option for option in options if option != current)


def press(control, key, times=10):
    def action():
        control.focus()
        for _ in range(times):
            control.press(key)
    return action


def drag(view, testid, points):
    """Press the mouse on the element at relative positions points[0], move through the others, release."""
    def action():
        box = view.get_by_test_id(testid).bounding_box()
        absolute = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
        view.page.mouse.move(*absolute[0])
        view.page.mouse.down()
        for point in absolute[1:]:
            view.page.mouse.move(*point, steps=3)
        view.page.mouse.up()
    return action


def exercise_query_explorer(view):
    control = view.get_by_test_id
    act_and_check(view, "QueryExplorer", press(control("query-x"), "ArrowRight"))
    act_and_check(view, "QueryExplorer", press(control("query-y"), "ArrowDown"))
    scoring = other(state_of(view)["scoring"], ["dot", "scaled_dot"])
    act_and_check(view, "QueryExplorer", lambda: control("scoring").select_option(scoring))
    act_and_check(view, "QueryExplorer", press(control("temperature"), "ArrowLeft", 30))
    act_and_check(view, "QueryExplorer", lambda: control("scoring").select_option("gaussian"))
    act_and_check(view, "QueryExplorer", press(control("bandwidth"), "ArrowLeft", 30))
    state = act_and_check(view, "QueryExplorer", lambda: control("mode-argmax").click())
    assert state["mode"] == "argmax" and sorted(state["weights"])[-1] == 1
    state = act_and_check(view, "QueryExplorer", lambda: control("mode-uniform").click())
    assert state["mode"] == "uniform" and len(set(state["weights"])) == 1
    state = act_and_check(view, "QueryExplorer", press(control("temperature"), "ArrowRight", 5))
    assert state["mode"] == "softmax"
    state = act_and_check(view, "QueryExplorer", drag(view, "key-plane", [(0.2, 0.25), (0.5, 0.5), (0.85, 0.8)]),
                          changed="query")
    assert state["query"][0] > 0 > state["query"][1]  # dragged to the lower right
    exercise_points(view, state)


def exercise_points(view, before):
    """The query explorer's keys and values move too, by keyboard and by mouse; the weights (or the output) follow,
    as torch computes them from the moved points, and nothing else moves."""
    control = view.get_by_test_id
    keys = before["key_points"]
    state = act_and_check(view, "QueryExplorer", press(control("key-point-2"), "ArrowUp", 3))
    assert state["key_points"][1][0] == keys[1][0] and state["key_points"][1][1] > keys[1][1]
    assert state["key_points"][:1] + state["key_points"][2:] == keys[:1] + keys[2:]
    keys = state["key_points"]
    state = act_and_check(view, "QueryExplorer", lambda: drag_point(view.page, control("key-point-3"), (25, -20)))
    assert state["key_points"][2][0] > keys[2][0] and state["key_points"][2][1] > keys[2][1]  # right and up
    assert state["query"] == before["query"] and state["key_points"][:2] == keys[:2]
    values = state["values"]
    state = act_and_check(view, "QueryExplorer", lambda: drag_point(view.page, control("value-point-1"), (-20, 0)),
                          changed="output")
    assert state["values"][0][0] < values[0][0] and state["values"][1:] == values[1:]


def exercise_heatmap_explorer(view):
    control = view.get_by_test_id
    act_and_check(view, "HeatmapExplorer", press(control("temperature"), "ArrowRight"))
    scoring = other(state_of(view)["scoring"], ["gaussian", "boxcar"])
    act_and_check(view, "HeatmapExplorer", lambda: control("scoring").select_option(scoring))
    act_and_check(view, "HeatmapExplorer", press(control("bandwidth"), "ArrowLeft", 40))
    act_and_check(view, "HeatmapExplorer", lambda: control("scoring").select_option("epanechnikov"))
    state = act_and_check(view, "HeatmapExplorer", lambda: control("cell-1-2").hover(), changed="selected")
    assert state["selected"] == [1, 2]
    state = act_and_check(view, "HeatmapExplorer", press(control("cell-1-2"), "ArrowDown", 1), changed="selected")
    assert state["selected"] == [2, 2]  # the keyboard moves the focus through the cells
    readout = control("readout").inner_text()
    assert f"{state['weights'][2][2]:.3f}" in readout and " 2" in readout


def exercise_database_explorer(view):
    control = view.get_by_test_id
    text = control("text")
    if state_of(view)["mode"] != "soft":
        act_and_check(view, "DatabaseExplorer", lambda: control("mode").select_option("soft"), changed="mode")
    for typed in ["Lipton", "", "리😀 Zhang", "Li" * 500, "Werness"]:
        act_and_check(view, "DatabaseExplorer", lambda typed=typed: text.fill(typed), changed="text")
    act_and_check(view, "DatabaseExplorer", press(control("temperature"), "ArrowRight", 40))
    state = act_and_check(view, "DatabaseExplorer", lambda: control("mode").select_option("exact"))
    assert state["result"] == "Brent" and control("result").inner_text().endswith("Brent")
    act_and_check(view, "DatabaseExplorer", lambda: text.fill("Smolla"))
    state = act_and_check(view, "DatabaseExplorer", lambda: control("mode").select_option("approximate"))
    assert state["result"] == "Alex"
    text.focus()
    text.press("End")
    view.page.keyboard.type("xyz")  # real key presses, not just fill
    assert state_of(view)["text"] == "Smollaxyz"
    CHECKS["DatabaseExplorer"](state_of(view))


def exercise_kernel_regression_explorer(view):
    control = view.get_by_test_id
    act_and_check(view, "KernelRegressionExplorer", press(control("x-test"), "ArrowLeft", 30), changed="test_weights")
    act_and_check(view, "KernelRegressionExplorer", press(control("bandwidth"), "ArrowLeft", 40))
    act_and_check(view, "KernelRegressionExplorer", lambda: control("kernel").select_option("boxcar"))
    act_and_check(view, "KernelRegressionExplorer", lambda: control("kernel").select_option("epanechnikov"))
    state = act_and_check(view, "KernelRegressionExplorer", drag(view, "fit-plot", [(0.5, 0.5), (0.9, 0.5)]),
                          changed="test_weights")
    assert state["x_test"] > (min(state["x_grid"]) + max(state["x_grid"])) / 2


def exercise_projection_explorer(view):
    control = view.get_by_test_id
    state = state_of(view)
    token = other(str(state["token"]), ["0", "1"])
    act_and_check(view, "ProjectionExplorer", lambda: control("token").select_option(token))
    if state["num_heads"] > 1:
        head = other(str(state["head"]), ["0", "1"])
        act_and_check(view, "ProjectionExplorer", lambda: control("head").select_option(head), changed="head")
    button = other(int(token), [2, 3])
    state = act_and_check(view, "ProjectionExplorer", lambda: control(f"token-button-{button}").click())
    assert state["token"] == button and control(f"token-button-{button}").get_attribute("aria-pressed") == "true"


EXERCISES = {
    "QueryExplorer": exercise_query_explorer,
    "HeatmapExplorer": exercise_heatmap_explorer,
    "DatabaseExplorer": exercise_database_explorer,
    "KernelRegressionExplorer": exercise_kernel_regression_explorer,
    "ProjectionExplorer": exercise_projection_explorer,
}


# --- the tests ---


def pages_with(built_site, name):
    """The built pages (relative paths) whose stored widget state holds a `name` widget."""
    def shows(page):
        models = stored_widget_state(page).get("state", {}).values()
        return any(model["state"].get("_anywidget_id", "").endswith(f".{name}") for model in models)

    return sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*.html") if shows(p))


def test_every_widget_is_on_the_site(built_site):
    missing = [name for name in WIDGET_CLASSES if not pages_with(built_site, name)]
    assert not missing, f"no built page shows {missing}"


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_widget_on_static_page(built_site, site_server, page, name):
    pages = pages_with(built_site, name)
    if not pages:
        pytest.skip(f"no page shows {name} (test_every_widget_is_on_the_site reports it)")
    for path in pages:
        page.goto(site_server + path)
        views = page.locator(f'[data-widget="{name}"]')
        views.first.wait_for(state="attached", timeout=20_000)
        page.wait_for_function("name => [...document.querySelectorAll(`[data-widget='${name}']`)]"
                               ".every(el => el.dataset.state)", arg=name)
        for index in range(views.count()):
            view = views.nth(index)
            view.scroll_into_view_if_needed()
            CHECKS[name](state_of(view))  # rendered from the stored state alone, with torch's numbers
            labels = [text.strip() for text in view.locator("label").all_inner_texts()]
            assert labels and any(set(labels) <= set(LABELS[lang].values()) for lang in LABELS), labels
            if index == 0 and "/en/" in path:
                solve_challenge(view, name)  # on the same page: the goal, its near misses, then solved
            EXERCISES[name](view)
            view.screenshot(path=str(screenshot_dir(built_site) / f"{name}-{path.replace('/', '-')}-{index}.png"))


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_widget_keyboard_focus_is_visible(built_site, site_server, page, name):
    pages = pages_with(built_site, name)
    if not pages:
        pytest.skip(f"no page shows {name}")
    page.goto(site_server + pages[0])
    view = page.locator(f'[data-widget="{name}"]').first
    view.wait_for(state="attached", timeout=20_000)
    view.locator("input, select, button").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by keyboard, so :focus-visible applies
    outline = page.evaluate("() => [document.activeElement.closest('[data-widget]') !== null, "
                            "getComputedStyle(document.activeElement).outlineStyle]")
    assert outline == [True, "solid"]


# --- each view with a stand-in for the kernel: every synced trait both ways, and the numbers it shows ---
# The page below runs a widget's real module (widget._esm) against a stand-in model: `fromPython(changes)` is what
# a kernel's update does (set, then change events), and `model.sent` records what the view saves for the kernel,
# which the test applies to the Python widget with set_state, as the kernel does. No book build is needed.

STANDIN_PAGE = """<!doctype html><meta charset="utf-8"><div id="view"></div>
<script type="module">
import widget from "./widget.js";
window.mount = (state) => {
  const handlers = {};
  const fire = (names) => names.forEach((name) => (handlers[`change:${name}`] || []).forEach((callback) => callback()));
  let pending = {};
  const model = {
    state, sent: [],
    get: (name) => model.state[name],
    set(name, value) { model.state[name] = value; pending[name] = value; fire([name]); },
    on: (event, callback) => (handlers[event] ||= []).push(callback),
    off: (event, callback) => { handlers[event] = (handlers[event] || []).filter((f) => f !== callback); },
    save_changes() { model.sent.push(pending); pending = {}; },
  };
  window.model = model;
  window.fromPython = (changes) => { Object.assign(model.state, changes); fire(Object.keys(changes)); };
  widget.render({ model, el: document.getElementById("view") });
};
window.ready = true;
</script>"""
SHOWN_JS = """() => {
  const el = document.getElementById("view");
  const text = (id) => el.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
  const all = (selector, f) => [...el.querySelectorAll(selector)].map(f);
  return {
    rows: all("tbody tr", (tr) => [...tr.querySelectorAll("td.qkv-num")].map((td) => td.textContent)),
    cells: Object.fromEntries(all("rect.qkv-cell",  // a cell's name ends with its weight
      (c) => [c.dataset.testid, c.getAttribute("aria-label").split(" ").pop()])),
    readout: text("readout"), result: text("result"),
    labels: all("label", (node) => node.textContent),
    selects: Object.fromEntries(all("select", (s) => [s.dataset.testid, [...s.options].map((o) => o.value)])),
    buttons: [...el.querySelectorAll("button")].map((b) => b.dataset.testid),
  };
}"""
NUMBER = re.compile(r"−∞|-?\d+\.\d+")


def number(text):
    return -math.inf if text == "−∞" else float(text)


def numbers_in(text):
    return [number(found) for found in NUMBER.findall(text)]


class StandIn:
    """A widget's view on a page, its Python widget, and the two directions of sync between them."""

    def __init__(self, page, widget):
        self.page, self.widget = page, widget
        esm = widget._esm

        def fulfil(route):
            js = route.request.url.endswith(".js")
            route.fulfill(status=200, body=esm if js else STANDIN_PAGE,
                          content_type="text/javascript" if js else "text/html")

        page.route("http://127.0.0.1:9/**", fulfil)  # served by the route itself: no server, nothing leaves
        page.goto("http://127.0.0.1:9/index.html")
        page.wait_for_function("window.ready === true")
        self.state = widget.get_state()
        page.evaluate("state => mount(state)", self.state)

    def from_python(self):
        """Send the synced traits that changed in Python, as the kernel does."""
        state = self.widget.get_state()
        changes = {name: value for name, value in state.items() if self.state.get(name) != value}
        self.state = state
        self.page.evaluate("changes => fromPython(changes)", changes)
        return changes

    def to_python(self):
        """Apply what the view saved since the last call to the Python widget, as the kernel does; return it."""
        sent = self.page.evaluate("() => model.sent.splice(0)")
        merged = {name: value for changes in sent for name, value in changes.items()}
        self.widget.set_state(merged)
        self.state = self.widget.get_state()
        return merged

    def shown(self):
        return self.page.evaluate(SHOWN_JS)


def torch_numbers(name, w):
    """What the view must show, computed with torch from the Python widget's traits: {rows, cells, readout}."""
    if name == "QueryExplorer":
        scores = utils.attention_scores(f64([w.query]), f64(w.key_points), scoring=w.scoring, bandwidth=w.bandwidth)[0]
        weights = pool_weights(scores, temperature=w.temperature, mode=w.mode)
        return {"rows": torch.stack([scores, weights], dim=1), "python": [(w.scores, scores), (w.weights, weights)]}
    if name == "HeatmapExplorer":
        scores = utils.attention_scores(f64(w.queries), f64(w.key_points), scoring=w.scoring, bandwidth=w.bandwidth)
        weights = utils.softmax(scores, temperature=w.temperature)
        return {"cells": weights, "readout": torch.stack([scores[0, 0], weights[0, 0]]),
                "python": [(w.weights, weights)]}
    if name == "DatabaseExplorer":
        records = [tuple(row) for row in w.records]
        weights, scores = database.lookup_weights(records, w.text, mode=w.mode, temperature=w.temperature)
        if w.mode == "soft":  # the result line names the three largest weights
            result = weights.sort(descending=True).values[:3]
        else:
            result = database.returned_value(records, weights) or LABELS[w.lang]["no_record"]
        return {"rows": torch.stack([scores, weights], dim=1), "result": result, "python": [(w.weights, weights)]}
    if name == "KernelRegressionExplorer":
        prediction, weights = utils.nadaraya_watson(f64([w.x_test]), f64(w.x_train), f64(w.y_train), kernel=w.kernel,
                                                    bandwidth=w.bandwidth)
        readout = [w.x_test] + ([float(prediction[0]), float(weights.max())] if weights.sum() > 0 else [])
        return {"readout": f64(readout), "python": [(w.test_weights, weights[0]), (w.test_prediction, prediction[0])]}
    x = f64(w.embeddings)
    _, weights = utils.multi_head_attention(x, x, x, *(f64(getattr(w, n)) for n in ("W_q", "W_k", "W_v", "W_o")),
                                            num_heads=w.num_heads)
    q, k = ((x @ f64(getattr(w, n))).unflatten(-1, (w.num_heads, -1))[:, w.head] for n in ("W_q", "W_k"))
    dots = k @ q[w.token]  # one row per key: q·k, q·k / √d_k, the weight
    rows = torch.stack([dots, dots / math.sqrt(q.shape[-1]), weights[w.head, w.token]], dim=1)
    return {"rows": rows, "cells": weights[w.head], "python": [(w.weights, weights)]}


def assert_shows(name, standin):
    """The numbers in the view's DOM (3 decimals) are torch's for the Python widget's traits; return those."""
    expected, shown = torch_numbers(name, standin.widget), standin.shown()
    digits = {"atol": 5e-4 + 1e-9, "rtol": 0}
    if "rows" in expected:
        got = f64([[number(text) for text in row] for row in shown["rows"]])
        torch.testing.assert_close(got, expected["rows"], **digits)
    if "cells" in expected:
        rows, cols = expected["cells"].shape
        got = f64([[number(shown["cells"][f"cell-{i}-{j}"]) for j in range(cols)] for i in range(rows)])
        torch.testing.assert_close(got, expected["cells"], **digits)
    if "readout" in expected:
        torch.testing.assert_close(f64(numbers_in(shown["readout"])[-len(expected["readout"]):]), expected["readout"],
                                   **digits)
    if isinstance(expected.get("result"), str):
        assert shown["result"].endswith(f": {expected['result']}"), (shown["result"], expected["result"])
        expected["result"] = f64([])  # compared above
    elif "result" in expected:
        torch.testing.assert_close(f64(numbers_in(shown["result"])), expected["result"], **digits)
    return expected


# Python -> view: (trait, value) set in Python; every synced trait of each widget, data and labels included
PYTHON_CHANGES = {
    "QueryExplorer": [("query", [-1.1, 0.4]), ("scoring", "dot"), ("temperature", 0.3), ("scoring", "gaussian"),
                      ("bandwidth", 0.4), ("mode", "argmax"), ("mode", "uniform"), ("mode", "softmax"),
                      ({"key_points": [[1, 0], [0, 1], [-1, 0]], "values": [[0, 0], [1, 1], [2, 0]]}, None)],
    "HeatmapExplorer": [("temperature", 0.2), ("scoring", "epanechnikov"), ("bandwidth", 2.5),
                        ({"queries": [[0.1, 0.2], [1.0, -1.0]], "key_points": [[0.0, 0.0], [1.0, 1.0], [2, 0]]}, None)],
    "DatabaseExplorer": [("text", "Smol"), ("temperature", 1.5), ("mode", "approximate"), ("mode", "exact"),
                         ("mode", "soft"), ("records", [["Kim", "Minji"], ["Kimura", "Ren"], ["Lee", "Jiwoo"]])],
    "KernelRegressionExplorer": [("x_test", 0.75), ("bandwidth", 0.2), ("kernel", "boxcar"), ("kernel", "epanechnikov"),
                                 ({"x_train": [0.0, 1.0, 2.5, 4.0], "y_train": [1.0, -1.0, 3.0, 0.5]}, None)],
    "ProjectionExplorer": [("token", 4), ("head", 1), ("token", 2),
                           ({name: getattr(utils.ProjectionExplorer(seed=3), name) for name in
                             ("tokens", "num_heads", "seed", "embeddings", "W_q", "W_k", "W_v", "W_o")}, None)],
}
# view -> Python: (control, action, argument) done in the DOM; the view saves the inputs, Python recomputes
VIEW_ACTIONS = {
    "QueryExplorer": [("query-x", "press", "ArrowRight"), ("query-y", "press", "ArrowLeft"),
                      ("scoring", "select", "dot"), ("temperature", "press", "ArrowLeft"),
                      ("scoring", "select", "gaussian"),
                      ("bandwidth", "press", "ArrowLeft"), ("mode-argmax", "click", None),
                      ("mode-uniform", "click", None), ("temperature", "press", "ArrowRight"),
                      ("key-plane", "click", None), ("key-point-3", "keys", "ArrowUp"),
                      ("value-point-2", "drag", (30, 20))],
    "HeatmapExplorer": [("scoring", "select", "gaussian"), ("temperature", "press", "ArrowLeft"),
                        ("bandwidth", "press", "ArrowLeft")],
    "DatabaseExplorer": [("text", "fill", "Lipt"), ("temperature", "press", "ArrowRight"),
                         ("mode", "select", "approximate"), ("text", "fill", "Werness"), ("mode", "select", "exact")],
    "KernelRegressionExplorer": [("kernel", "select", "boxcar"), ("bandwidth", "press", "ArrowRight"),
                                 ("x-test", "press", "ArrowLeft"), ("fit-plot", "click", None)],
    "ProjectionExplorer": [("token", "select", "3"), ("head", "select", "1"), ("token-button-5", "click", None)],
}
CLASSES = {cls.__name__: cls for cls in (utils.QueryExplorer, utils.HeatmapExplorer, utils.DatabaseExplorer,
                                         utils.KernelRegressionExplorer, utils.ProjectionExplorer)}


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_python_changes_redraw_the_view(page, name):
    standin = StandIn(page, CLASSES[name]())
    before = assert_shows(name, standin)
    for trait, value in PYTHON_CHANGES[name]:
        with standin.widget.hold_trait_notifications():
            for key, new in (trait.items() if isinstance(trait, dict) else [(trait, value)]):
                standin.widget.set_trait(key, new)  # set_trait: ProjectionExplorer's data traits are read-only
        assert standin.from_python(), trait
        after = assert_shows(name, standin)  # the view redrew with torch's numbers for the new traits
        changed = [not torch.equal(after[k], before[k]) for k in after if k != "python" and k in before]
        assert any(changed) or after.get("rows", f64([])).shape != before.get("rows", f64([])).shape, trait
        before = after


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_python_changes_of_labels_and_choices_rebuild_the_view(page, name):
    standin = StandIn(page, CLASSES[name]())
    standin.widget.lang = "ko"
    standin.from_python()
    labels = standin.shown()["labels"]
    assert labels and set(labels) <= set(LABELS["ko"].values()), labels
    choices = {key: options[::-1][:2] for key, options in standin.widget.choices.items()}
    standin.widget.set_trait("choices", choices)
    standin.from_python()
    shown = standin.shown()
    for key, options in choices.items():
        if key in shown["selects"]:
            assert shown["selects"][key] == options
    if name == "QueryExplorer":
        assert [b for b in shown["buttons"] if b.startswith("mode-")] == [f"mode-{m}" for m in choices["mode"]
                                                                          if m != "softmax"]
    assert_shows(name, standin)


def drag_point(page, point, by):
    """Press the mouse on a dragged point's marker (its first child), move it `by` (dx, dy) px, release."""
    box = point.locator(":scope > :first-child").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + by[0], y + by[1], steps=4)
    page.mouse.up()


def act(page, testid, action, argument):
    control = page.get_by_test_id(testid)
    if action in ("press", "keys"):  # a slider, or a point the arrow keys move
        control.focus()
        for _ in range(15 if action == "press" else 3):
            control.press(argument)
    elif action == "drag":
        drag_point(page, control, argument)
    elif action == "select":
        control.select_option(argument)
    elif action == "fill":
        control.fill(argument)
    else:
        box = control.bounding_box()
        page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + 0.7 * box["height"])


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_view_changes_reach_python(page, name):
    standin = StandIn(page, CLASSES[name]())
    for testid, action, argument in VIEW_ACTIONS[name]:
        act(page, testid, action, argument)
        sent = standin.to_python()
        assert sent and set(sent) <= set(standin.widget._inputs), (testid, sent)
        for trait, value in sent.items():  # Python took every value the view sent (a list: a point, or points) ...
            got = getattr(standin.widget, trait)
            same = torch.equal(f64(got), f64(value)) if isinstance(value, list) else got == pytest.approx(value)
            assert same, (testid, trait, got, value)
        expected = assert_shows(name, standin)  # ... the view shows torch's numbers for them ...
        for python, torch_value in expected["python"]:  # ... and Python recomputed its outputs from them
            torch.testing.assert_close(python, torch_value, rtol=1e-12, atol=1e-12)


# --- the challenges on the static page: the goal is shown, solving it is acknowledged (and announced), not before ---

WATCH_STATUS_JS = """(view) => {
  // every text the challenge's live region receives, in order
  const region = view.querySelector('[data-testid="challenge-status"]');
  window.announced = [];
  new MutationObserver(() => window.announced.push(region.textContent))
    .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def watch_challenge(view, name):
    """Check the goal is shown above every control, and start recording what the challenge's live region receives."""
    status = view.get_by_test_id("challenge-status")
    assert status.count() == 1, f"{name} shows no challenge"
    assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")
    goal = view.get_by_test_id("challenge-goal")
    assert goal.is_visible() and goal.inner_text().endswith(LABELS["en"][f"goal_{CHALLENGE_KEYS[name]}"])
    top = view.evaluate("el => [...el.querySelectorAll('[data-testid=challenge], input, select, button')]"
                        ".map((node) => node.dataset.testid)[0]")
    assert top == "challenge"  # the goal comes before every control
    view.page.evaluate(WATCH_STATUS_JS, view.element_handle())


def assert_not_solved(view):
    assert state_of(view)["challenge_solved"] is False
    assert view.get_by_test_id("challenge-status").inner_text() == ""
    assert not view.get_by_test_id("challenge-why").is_visible()
    assert view.page.evaluate("window.announced") == []


def assert_solved(view, name):
    done = LABELS["en"]["challenge_done"]
    view.page.wait_for_function("([el, done]) => el.querySelector('[data-testid=challenge-status]').textContent "
                                "=== done", arg=[view.element_handle(), done], timeout=5_000)
    assert state_of(view)["challenge_solved"] is True
    assert view.page.evaluate("window.announced") == [done]  # the live region received it, once
    why = view.get_by_test_id("challenge-why")
    assert why.is_visible() and why.get_attribute("open") is None  # shown, still closed
    why.locator("summary").click()
    text = why.locator("p")
    assert text.is_visible() and text.inner_text() == LABELS["en"][f"why_{CHALLENGE_KEYS[name]}"]


def slider_to(control, value):
    """Set a range input to `value` (its own units), as dragging it would."""
    control.fill(str(value))


def ensure(view, name, trait, value, action):
    """Do `action`, which sets `trait` to `value`, unless the view has that value already (then nothing changes)."""
    if state_of(view)[trait] != pytest.approx(value):
        act_and_check(view, name, action, changed=trait)


CHALLENGE_KEYS = {"QueryExplorer": "query", "HeatmapExplorer": "heatmap", "DatabaseExplorer": "database",
                  "KernelRegressionExplorer": "kernel_regression", "ProjectionExplorer": "projection_model"}


def solve_database_explorer(view):
    control = view.get_by_test_id
    ensure(view, "DatabaseExplorer", "mode", "soft", lambda: control("mode").select_option("soft"))
    ensure(view, "DatabaseExplorer", "temperature", 0.1, lambda: slider_to(control("temperature"), -1))
    for near_miss in ["Lipton", "Lipt"]:  # a key itself (0.997 on Zachary); a misspelling at 0.84
        act_and_check(view, "DatabaseExplorer", lambda text=near_miss: control("text").fill(text), changed="text")
        assert_not_solved(view)
    act_and_check(view, "DatabaseExplorer", press(control("temperature"), "ArrowLeft", 30))  # T 0.1 -> 0.05
    return lambda: control("text").fill("Li")


def solve_query_explorer(view):
    control = view.get_by_test_id
    ensure(view, "QueryExplorer", "scoring", "gaussian", lambda: control("scoring").select_option("gaussian"))
    ensure(view, "QueryExplorer", "bandwidth", 1, lambda: slider_to(control("bandwidth"), 0))
    act_and_check(view, "QueryExplorer", lambda: slider_to(control("query-x"), -1.0), changed="query")
    act_and_check(view, "QueryExplorer", lambda: slider_to(control("query-y"), -0.6), changed="query")
    assert_not_solved(view)  # q on k3, bandwidth 1: 0.65
    ensure(view, "QueryExplorer", "temperature", 0.1, lambda: slider_to(control("temperature"), -1))
    assert_not_solved(view)  # k3 takes ~1, but with the temperature below 1
    act_and_check(view, "QueryExplorer", lambda: slider_to(control("temperature"), 0))
    act_and_check(view, "QueryExplorer", lambda: slider_to(control("bandwidth"), -0.3))  # h = 0.5
    return lambda: slider_to(control("bandwidth"), 0)


def solve_heatmap_explorer(view):
    control = view.get_by_test_id
    check_colours_anchored_at_zero(view)  # near-uniform weights look near-uniform (review a5)
    act_and_check(view, "HeatmapExplorer", lambda: control("scoring").select_option("boxcar"))
    ensure(view, "HeatmapExplorer", "bandwidth", 1, lambda: slider_to(control("bandwidth"), 0))
    assert_not_solved(view)  # bandwidth 1: only key 1 is in query 1's window
    act_and_check(view, "HeatmapExplorer", press(control("bandwidth"), "ArrowRight", 5))  # 1.12
    return lambda: control("scoring").select_option("scaled_dot")


def solve_kernel_regression_explorer(view):
    control = view.get_by_test_id
    act_and_check(view, "KernelRegressionExplorer", lambda: control("kernel").select_option("boxcar"))
    state = state_of(view)
    grid, x = f64(state["x_grid"]), f64(state["x_train"])
    smallest = float((grid[:, None] - x[None, :]).abs().amin(1).amax())  # below it, some grid point has no weight
    position = math.ceil(math.log10(smallest) * 100) / 100  # the first slider position at or above it
    act_and_check(view, "KernelRegressionExplorer", lambda: slider_to(control("bandwidth"), round(position + 0.2, 2)))
    assert_not_solved(view)  # no gap, but not the smallest
    act_and_check(view, "KernelRegressionExplorer", lambda: slider_to(control("bandwidth"), round(position - 0.01, 2)))
    assert_not_solved(view)  # a gap
    act_and_check(view, "KernelRegressionExplorer", lambda: slider_to(control("bandwidth"), position))
    return lambda: control("kernel").select_option("gaussian")  # never a gap


def solve_projection_explorer(view):
    control = view.get_by_test_id

    def run(text):
        control("sequence-text").fill(text)
        control("sequence-text").press("Enter")

    ensure(view, "ProjectionExplorer", "parameters", "random", lambda: control("parameters").select_option("random"))
    state = act_and_check(view, "ProjectionExplorer", lambda: run("k0 v3, k5 v4, k2 v6, k2 ?"), changed="sequence")
    assert_not_solved(view)  # the query asks for the row before it, but the heads are untrained
    act_and_check(view, "ProjectionExplorer", lambda: control("parameters").select_option("trained"))
    if state_of(view)["weights"][2] <= 0.9:  # this is not the recall head: the other one is
        assert_not_solved(view)
        act_and_check(view, "ProjectionExplorer", lambda: control("head").select_option(str(1 - state["head"])))
    return lambda: control("parameters").select_option("random")


SOLVE = {"QueryExplorer": solve_query_explorer, "HeatmapExplorer": solve_heatmap_explorer,
         "DatabaseExplorer": solve_database_explorer, "KernelRegressionExplorer": solve_kernel_regression_explorer,
         "ProjectionExplorer": solve_projection_explorer}


def solve_challenge(view, name):
    """The challenge of an English view: not solved at first nor by near misses, then solved by the controls; it
    stays solved when the state moves away from the goal again."""
    watch_challenge(view, name)
    assert_not_solved(view)
    move_away = SOLVE[name](view)  # returns an action that leaves the goal
    assert_solved(view, name)
    act_and_check(view, name, move_away)
    done = LABELS["en"]["challenge_done"]
    assert state_of(view)["challenge_solved"] is True and view.get_by_test_id("challenge-status").inner_text() == done
    assert view.page.evaluate("window.announced") == [done]  # not announced again


def check_colours_anchored_at_zero(view):
    """At temperature 100 every weight is 0.12-0.13: the cells must look alike, not run from white to dark red."""
    control = view.get_by_test_id
    ensure(view, "HeatmapExplorer", "scoring", "scaled_dot", lambda: control("scoring").select_option("scaled_dot"))
    state = act_and_check(view, "HeatmapExplorer", lambda: slider_to(control("temperature"), 2))
    weights = f64(state["weights"])
    assert state["temperature"] == 100 and 0.12 < float(weights.min()) < float(weights.max()) < 0.13
    fills = view.evaluate("el => [...el.querySelectorAll('rect.qkv-cell')].map((c) => c.getAttribute('fill'))")
    colours = torch.tensor([[int(c) for c in re.findall(r"\d+", fill)] for fill in fills], dtype=torch.float64)
    assert colours.shape == (weights.numel(), 3)
    spread = (colours.max(0).values - colours.min(0).values).max()
    assert spread <= 4, f"cells with weights {float(weights.min()):.3f}-{float(weights.max()):.3f} differ by {spread}"
    ticks = view.evaluate("el => [...el.querySelectorAll('.qkv-tick-bar')].map((t) => Number(t.textContent))")
    assert ticks[0] == 0 and ticks[-1] == 1 and len(set(ticks)) == len(ticks) == 3  # the scale is 0..1
    act_and_check(view, "HeatmapExplorer", lambda: slider_to(control("temperature"), 0))
