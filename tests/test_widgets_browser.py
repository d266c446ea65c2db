"""The widgets on the built static site, in Chromium, with no kernel: they render from the stored widget state,
every control changes the weights on display, and the numbers in each view's `data-state` are torch's.

Uses the fixtures of tests/conftest.py (`built_site`, `site_server`, `page`); every test here is slow. To try the
tests on another built book, set QKV_BUILD_DIR to its folder and QKV_SKIP_BUILD=1.
"""

import json
import re

import pytest
import torch

import utils
from tests.harness import from_json as f64
from tests.harness import screenshot_dir
from utils import database
from utils.i18n import LABELS
from utils.widgets import ProjectionExplorer
from utils.widgets.query_explorer import pool_weights

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
    widget = ProjectionExplorer(tokens=state["tokens"], num_heads=state["num_heads"], seed=state["seed"])
    token, head = state["token"], state["head"]
    close(state["weights"], widget.weights[head, token])
    close(state["matrix"], widget.weights[head])
    close(state["output"], widget.output[token])


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
    state = act_and_check(view, "QueryExplorer", lambda: control("one-hot").click())
    assert state["mode"] == "argmax" and sorted(state["weights"])[-1] == 1
    state = act_and_check(view, "QueryExplorer", lambda: control("uniform").click())
    assert state["mode"] == "uniform" and len(set(state["weights"])) == 1
    state = act_and_check(view, "QueryExplorer", press(control("temperature"), "ArrowRight", 5))
    assert state["mode"] == "softmax"
    state = act_and_check(view, "QueryExplorer", drag(view, "key-plane", [(0.2, 0.25), (0.5, 0.5), (0.85, 0.8)]),
                          changed="query")
    assert state["query"][0] > 0 > state["query"][1]  # dragged to the lower right


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
        act_and_check(view, "ProjectionExplorer", lambda: control("head").select_option(head))
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
    marker = re.compile(rf'"_anywidget_id":\s*"utils\.widgets\.\w+\.{name}"')
    return sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*.html")
                  if marker.search(p.read_text(encoding="utf-8", errors="replace")))


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
