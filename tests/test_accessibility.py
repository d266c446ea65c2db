"""Accessibility: every page of the built site passes axe-core in light and dark mode and fits a 390-px phone; each
widget is checked on its own (a stand-in page, no book build) for contrast in every theme, ARIA structure, touch
target size and a live region that says once what each change did.

axe-core is pinned in package.json and injected from node_modules (no request leaves the machine). A serious or
critical axe finding fails a page unless it is in markup the project does not write (THIRD_PARTY, also listed in the
README). Uses the fixtures of tests/conftest.py; the stand-in page is tests/test_widgets_browser.py's.
"""

import json

import pytest
import torch
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import harness
from tests.harness import REPO
from tests.test_site import PAGES
from tests.test_widgets_browser import CLASSES, VIEW_ACTIONS, WIDGET_CLASSES, StandIn, act
from utils import database
from utils.widgets.labels import LABELS

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
THEMES = {  # how each theme marks the page, as (element, attribute, value); light is the default
    "light": None,
    "site-dark": ("documentElement", "data-theme", "dark"),  # sphinx-book-theme / pydata-sphinx-theme
    "jupyterlab-dark": ("body", "data-jp-theme-light", "false"),
}
# axe findings in the theme's and its extensions' markup, not the project's: {rule: selector of those nodes}
THIRD_PARTY = {
    # the theme's search buttons: aria-label "Search", visible text "Search Ctrl+K"; sphinx-togglebutton's
    # "Toggle hidden content" on myst-nb's "Show code cell source"
    "label-content-name-mismatch": ".search-button__button, details.hide > summary",
    "summary-name": ".bd-sidenav summary",  # the sidebar's expanders hold only an icon
    # Sphinx 7.4's bibliography: a role=list whose entries are role=doc-biblioentry, not listitem
    "aria-required-children": ".citation-list",
}
THEMED_RULES = ["color-contrast", "link-in-text-block"]  # what a theme's colours can change
AXE_JS = """async ([context, known, impacts, rules]) => {
  const root = context ? document.querySelector(context) : document;
  const options = {resultTypes: ["violations"], ...(rules ? {runOnly: {type: "rule", values: rules}} : {})};
  const {violations} = await axe.run(root, options);
  const ours = (rule, node) => !(known[rule] && document.querySelector(node.target[0])?.matches(known[rule]));
  return violations.filter((v) => impacts.includes(v.impact)).flatMap((v) =>
    v.nodes.filter((node) => ours(v.id, node)).map((node) => `${v.id} (${v.impact}): ${node.target.join(" ")}`));
}"""
# Every widget in the page: text below 4.5:1 on its background, a control (its border or its fill), a slider's
# thumb and track or a heatmap's frame below 3:1 on the card or plate, SVG text below 4.5:1 on its plate
CONTRAST_JS = """() => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).slice(0, 3).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const opaque = (colour) => (rgb(colour)[3] ?? 1) > 0;
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const colour = getComputedStyle(n).backgroundColor;
      if (opaque(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const problems = [];
  const need = (what, node, value, minimum) => {
    const where = node.outerHTML.slice(0, 90);
    if (!(value >= minimum)) problems.push(`${what} ${value.toFixed(2)}:1 < ${minimum}:1 (${where})`);
  };
  for (const widget of document.querySelectorAll(".qkv-widget")) {
    const card = background(widget);
    for (const node of widget.querySelectorAll("*")) {
      const style = getComputedStyle(node);
      if (node.closest("svg, .qkv-sr-only") || style.display === "none" || node.closest("[hidden]")) continue;
      const ownText = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
      if (ownText && !node.matches(":disabled")) need("text", node, ratio(style.color, background(node)), 4.5);
    }
    for (const node of widget.querySelectorAll("button, select, input[type=text]")) {
      const style = getComputedStyle(node);
      need("control edge", node, Math.max(ratio(style.borderTopColor, card), ratio(background(node), card)), 3);
    }
    const vars = getComputedStyle(widget);
    for (const name of ["--qkv-accent", "--qkv-track"]) {
      const probe = document.createElement("span");
      probe.style.color = `var(${name})`;
      widget.append(probe);
      need(`slider ${name}`, widget, ratio(getComputedStyle(probe).color, card), 3);
      probe.remove();
    }
    for (const map of widget.querySelectorAll("svg.qkv-heatmap")) {  // the palest cells need the frame to show
      const frame = map.querySelector("[data-testid=cells-frame]");
      if (!frame) problems.push("a heatmap without a frame around its cells");
      else need("heatmap frame", frame, ratio(getComputedStyle(frame).stroke, background(map)), 3);
    }
    for (const text of widget.querySelectorAll("svg text")) {
      need("plot text", text, ratio(getComputedStyle(text).fill, background(text.closest("svg"))), 4.5);
    }
  }
  return problems;
}"""
# Every control of ours smaller than 24 x 24 px (WCAG 2.2 target size): a widget's, and a Korean page's English-
# original toggles; a point on a plot one drags is not the target: pressing anywhere on the plot moves it there
SMALL_TARGETS_JS = """() => [...document.querySelectorAll(
    ".qkv-widget :is(button, select, input, [tabindex='0']), .qkv-original-toggle, .qkv-originals-all")]
  .filter((node) => !node.disabled && node.getClientRects().length && !node.closest(".qkv-draggable"))
  .map((node) => [node.outerHTML.slice(0, 80), node.getBoundingClientRect()])
  .filter(([, box]) => box.width < 24 || box.height < 24)
  .map(([html, box]) => `${Math.round(box.width)}x${Math.round(box.height)} px: ${html}`)"""
# What reaches past the page's right edge (sideways scrolling) or past its widget's frame, as readable lines
OVERFLOW_JS = """() => {
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) out.push(`page ${document.documentElement.scrollWidth} > ${width}`);
  for (const widget of document.querySelectorAll(".qkv-widget")) {
    const right = widget.getBoundingClientRect().right + 1;
    for (const node of widget.querySelectorAll("*")) {
      const box = node.getBoundingClientRect();
      if (box.width && box.right > right && !node.closest(".qkv-sr-only")) {
        const name = `${node.tagName} ${node.dataset.testid ?? ""}`;
        out.push(`${name} ends ${Math.round(box.right - right)} px past its widget`);
      }
    }
  }
  return out;
}"""
# Every element with a transition or animation longer than 10 ms, and smooth scrolling
MOTION_JS = """() => [document.documentElement, ...document.querySelectorAll("body *")]
  .map((node) => [node, getComputedStyle(node)])
  .filter(([node, s]) => s.scrollBehavior === "smooth" || [s.transitionDuration, s.animationDuration].some(
    (durations) => durations.split(",").some((d) => parseFloat(d) * (d.trim().endsWith("ms") ? 1 : 1000) > 10)))
  .map(([node]) => node.tagName + "." + [...node.classList].join("."))"""


def set_theme(page, theme):
    """Mark the page as THEMES[theme] does (and clear the other marks)."""
    page.evaluate("""(mark) => {
      document.documentElement.removeAttribute("data-theme");
      document.body.removeAttribute("data-jp-theme-light");
      if (mark) document[mark[0]].setAttribute(mark[1], mark[2]);
    }""", THEMES[theme])


def axe(page, context=None, impacts=("serious", "critical"), rules=None):
    """axe-core's findings of the given impacts on the page (or inside `context`, a selector), ours only; `rules`
    runs only those rules."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_JS, [context, THIRD_PARTY, list(impacts), rules])


def wait_until_drawn(page):
    """Wait until every stored widget view has drawn itself (the maths is typeset at build time)."""
    page.wait_for_load_state("networkidle")
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    page.wait_for_function("n => document.querySelectorAll('.qkv-widget[data-state]').length >= n", arg=views,
                           timeout=30_000)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible(name, site_server, page):
    """axe-core finds no serious or critical problem of ours in light or dark mode; in dark mode every widget's text
    and controls keep their contrast; with reduced motion nothing moves; on a 390-px phone nothing scrolls sideways
    or spills out of a widget, and every widget control is at least 24 x 24 px."""
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{site_server}{name}.html", wait_until="load")
    wait_until_drawn(page)
    problems = [f"light: {finding}" for finding in axe(page)]
    problems += [f"moving: {node}" for node in page.evaluate(MOTION_JS)]
    set_theme(page, "site-dark")
    problems += [f"dark: {finding}" for finding in axe(page, rules=THEMED_RULES)]
    problems += [f"dark contrast: {finding}" for finding in page.evaluate(CONTRAST_JS)]
    page.set_viewport_size(PHONE)
    page.wait_for_function("w => document.documentElement.clientWidth <= w", arg=PHONE["width"])
    problems += [f"390 px: {finding}" for finding in page.evaluate(OVERFLOW_JS)]
    problems += [f"390 px target: {finding}" for finding in page.evaluate(SMALL_TARGETS_JS)]
    assert not problems, f"{name}.html:\n" + "\n".join(problems)


# --- blocks that scroll inside their box: assets/scroll-stops.js, with the theme's own version off ---

SCROLLABLE = "pre, .cell_output > .output, .pst-scrollable-table-container, div.math mjx-container"
BLOCKS_JS = """selector => [...document.querySelectorAll(selector)].map((block, index) => {
  const laidOut = block.checkVisibility({contentVisibilityAuto: true});  // measured only if laid out already
  return {index, kind: block.matches("mjx-container") ? "equation" : block.className || block.tagName, laidOut,
          overflows: laidOut && (block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight),
          tabindex: block.getAttribute("tabindex")};
})"""
STOPS_MATCH_JS = f"selector => ({BLOCKS_JS})(selector).every(b => !b.laidOut || b.overflows === (b.tabindex === '0'))"


def scroll_blocks(page):
    """Every scrollable block of `page` once its tab stops have settled (or after 5 s, for the assertion to show)."""
    try:
        page.wait_for_function(STOPS_MATCH_JS, arg=SCROLLABLE, timeout=5_000)
    except PlaywrightTimeout:
        pass
    return page.evaluate(BLOCKS_JS, SCROLLABLE)


def wrong_stops(blocks):
    """The laid-out blocks (at most five, for the message) that scroll without a tab stop or have one and fit."""
    return [b for b in blocks if b["laidOut"] and b["overflows"] != (b["tabindex"] == "0")][:5]


@pytest.mark.parametrize("name", ["notebooks/en/exercises", "notebooks/ko/transformer-qkv"])  # wide equations
def test_blocks_that_scroll_on_a_phone_are_tab_stops_and_only_those(name, site_server, page):
    """At 390 px with every section laid out: each code block, output, table or display equation that scrolls is a
    tab stop, none that fits is one, and the theme's own script (which gave a fitting block tabindex -1) is off."""
    page.set_viewport_size(PHONE)
    page.goto(f"{site_server}{name}.html", wait_until="load")
    wait_until_drawn(page)
    blocks = scroll_blocks(page)
    assert any(b["overflows"] and b["kind"] == "equation" for b in blocks), "no equation scrolls: a vacuous check"
    assert any(b["laidOut"] and not b["overflows"] for b in blocks), "every block scrolls: a vacuous check"
    assert not wrong_stops(blocks), f"tab stop on a block that fits, or none on one that scrolls: {wrong_stops(blocks)}"
    theme_marked = [b for b in blocks if b["tabindex"] == "-1"][:5]
    assert not theme_marked, f"the theme's tab-stop script ran (_ext/scroll_stops.py): {theme_marked}"


def test_a_block_off_screen_is_measured_only_when_reached(site_server, browser):
    """With sections off screen skipped (content-visibility: auto), nothing measures their blocks at load (measuring
    lays them out); each gets its tab stop once the reader reaches it."""
    page = harness.watched_page(browser, width=PHONE["width"], height=PHONE["height"], every_section=False)
    page.goto(f"{site_server}notebooks/en/queries-keys-values.html", wait_until="load")
    at_load = scroll_blocks(page)
    skipped = [b["index"] for b in at_load if not b["laidOut"]]
    assert skipped, "every block is laid out at load: nothing to check"
    measured = [b for b in at_load if not b["laidOut"] and b["tabindex"] is not None][:5]
    assert not measured, f"blocks in skipped sections were measured at load: {measured}"
    page.keyboard.press("End")
    page.wait_for_function("([selector, skipped]) => skipped.some(i => document.querySelectorAll(selector)[i]"
                           ".checkVisibility({contentVisibilityAuto: true}))", arg=[SCROLLABLE, skipped])
    at_end = scroll_blocks(page)
    reached = [b for b in at_end if b["index"] in skipped and b["laidOut"]]
    assert any(b["overflows"] for b in reached), "no block skipped at load and scrolling was reached: nothing checked"
    assert not wrong_stops(at_end), wrong_stops(at_end)
    assert not page.console_errors, page.console_errors
    page.context.close()


# --- each widget on the stand-in page ---


def standin(page, name, width=None):
    """The widget `name` on the stand-in page, with its CSS (the site adds it from the widget's _css)."""
    if width:
        page.set_viewport_size({"width": width, "height": 900})
    view = StandIn(page, CLASSES[name]())
    page.add_style_tag(content=view.widget._css)
    page.wait_for_function("() => document.querySelector('.qkv-widget[data-state]')")
    return view


@pytest.mark.parametrize("name", WIDGET_CLASSES)
def test_widget_in_every_theme_and_on_a_phone(page, name):
    """In light, site-dark and JupyterLab-dark themes: no axe finding of any impact inside the widget (ARIA grid,
    table headers, names, contrast) and every text and control contrast holds; at 390 px nothing spills out."""
    view = standin(page, name, width=PHONE["width"])
    problems = [f"390 px: {finding}" for finding in page.evaluate(OVERFLOW_JS)]
    problems += [f"390 px target: {finding}" for finding in page.evaluate(SMALL_TARGETS_JS)]
    for theme in THEMES:
        set_theme(page, theme)
        problems += [f"{theme}: {finding}" for finding in axe(page, "#view", ("minor", "moderate", "serious",
                                                                               "critical"))]
        problems += [f"{theme}: {finding}" for finding in page.evaluate(CONTRAST_JS)]
    assert not problems, f"{view.widget.__class__.__name__}:\n" + "\n".join(problems)


def test_query_and_output_side_by_side_on_a_phone(page):
    """At 390 px the query explorer's two planes share one row: the query one drags and the output it moves are
    in view together."""
    standin(page, "QueryExplorer", width=PHONE["width"])
    keys, values = (page.locator("svg.qkv-plane").nth(k).bounding_box() for k in (0, 1))
    assert abs(keys["y"] - values["y"]) < 1 and keys["x"] + keys["width"] <= values["x"]
    assert values["x"] + values["width"] <= PHONE["width"] and keys["width"] >= 150


@pytest.mark.parametrize("name", ["HeatmapExplorer", "ProjectionExplorer"])
def test_heatmap_is_an_aria_grid_of_named_cells(page, name):
    """The heatmap is a grid of rows of cells, each named "query i, key j: attention weight w" with its weight."""
    view = standin(page, name)
    grid = page.evaluate("""() => [...document.querySelectorAll("[role=grid] > [role=row]")].map((row) =>
        [...row.children].map((cell) => [cell.getAttribute("role"), cell.getAttribute("aria-label")]))""")
    weights = view.widget.weights[view.widget.head] if name == "ProjectionExplorer" else view.widget.weights
    words = LABELS["en"]
    rows = view.widget.tokens if name == "ProjectionExplorer" else [str(i) for i in range(len(weights))]
    cols = view.widget.tokens if name == "ProjectionExplorer" else [str(j) for j in range(weights.shape[1])]
    expected = [[["gridcell", f"{words['query']} {rows[i]}, {words['key']} {cols[j]}: "
                  f"{words['attention_weight']} {fixed(float(weights[i, j]))}"] for j in range(len(cols))]
                for i in range(len(rows))]
    assert grid == expected


ROW_GRID_JS = """() => [...document.querySelectorAll("[data-testid=weight-row] > [role=grid] > [role=row]")]
  .map((row) => [...row.children].map((cell) => [cell.getAttribute("role"), cell.getAttribute("aria-label")]))"""


def test_kernel_regression_heatmap_is_an_image_and_the_test_point_row_a_grid(page):
    """The kernel-regression heatmap (51 x 20 cells on a canvas) is one image with a summary; the test point's row is
    an ARIA grid of one row, cells named "test point x, training point j: attention weight w" with torch's weights,
    that the arrow keys walk (the cell in focus also shows its name) and that follows the test point."""
    view = standin(page, "KernelRegressionExplorer")
    widget, words = view.widget, LABELS["en"]
    heatmap = page.get_by_test_id("heatmap")
    rows, cols = widget.weights.shape
    assert heatmap.get_attribute("role") == "img"
    assert heatmap.get_attribute("aria-label") == words["heatmap_summary"].format(rows=rows, cols=cols)
    assert heatmap.locator("[role=gridcell], [tabindex]").count() == 0

    def expected():
        return [[["gridcell", f"{words['test_point']} {fixed(widget.x_test, 2)}, {words['training_point']} {j}: "
                  f"{words['attention_weight']} {fixed(w)}"] for j, w in enumerate(widget.test_weights.tolist())]]

    assert page.evaluate(ROW_GRID_JS) == expected()
    grid = page.locator("[data-testid=weight-row] > [role=grid]")
    assert grid.get_attribute("aria-label") == words["test_point_row"]
    page.get_by_test_id("row-cell-0").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "row-cell-2"
    assert grid.locator("[tabindex='0']").count() == 1  # one tab stop, where the focus is
    assert page.get_by_test_id("row-readout").inner_text() == expected()[0][2][1]  # shown too, for sighted readers
    act(page, "x-test", "press", "ArrowLeft")
    view.to_python()
    assert page.evaluate(ROW_GRID_JS) == expected()  # the row follows the test point


def fixed(x, digits=3):
    """x with fixed digits as the views write it (never "-0.000")."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def headline(lang, names, weights):
    """The announcement of the largest weight, from the label templates, computed here from torch's weights."""
    top = float(weights.max())
    at = [name for name, w in zip(names, weights.tolist(), strict=True) if w == top]
    template = LABELS[lang]["announce_tie" if len(at) > 1 else "announce_largest"]
    return template.format(key=", ".join(at), weight=fixed(top))


def expected_announcement(widget):
    """(start, end) that the announcement of the widget's current state must have, from its Python (torch) state."""
    words, name = LABELS[widget.lang], widget.__class__.__name__
    if name == "QueryExplorer":
        names = [f"{words['key_short']}{i + 1}" for i in range(len(widget.key_points))]
        return "", headline(widget.lang, names, widget.weights)
    if name == "HeatmapExplorer":
        score, weight = float(widget.scores[0, 0]), float(widget.weights[0, 0])
        return f"{words['query']} 0, {words['key']} 0", f"{fixed(score)}, {words['attention_weight']} {fixed(weight)}"
    if name == "DatabaseExplorer":
        records = [tuple(row) for row in widget.records]
        if widget.mode == "soft":
            ranked = sorted(zip((v for _, v in records), widget.weights.tolist(), strict=True), key=lambda p: -p[1])
            return words["returns"], ", ".join(f"{v} {fixed(w)}" for v, w in ranked[:3]) + ", …)"
        return words["returns"], database.returned_value(records, widget.weights) or words["no_record"]
    if name == "KernelRegressionExplorer":
        start = f"{words['test_point']} x = {fixed(widget.x_test, 2)}"
        if float(widget.test_weights.sum()) == 0:
            return start, words["no_support"]
        largest = float(widget.test_weights.max())
        return start, f"{fixed(float(widget.test_prediction))}, {words['max_weight']} {fixed(largest)}"
    token, head = widget.token, widget.head
    return f"“{widget.tokens[token]}” ({words['head']} {head + 1})", headline(widget.lang, widget.tokens,
                                                                             widget.weights[head, token])


SLIDE_JS = """(slider, up) => {
  for (let k = 0; k < 15; k += 1) {
    if (up) slider.stepUp(); else slider.stepDown();
    slider.dispatchEvent(new Event("input", {bubbles: true}));
  }
}"""
KEYS_JS = """(point, key) => {
  point.focus();
  for (let k = 0; k < 15; k += 1) point.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
}"""
COUNT_ANNOUNCEMENTS_JS = """() => {
  // the view's live regions: its announcer, and the challenge's status, which speaks only when it is solved
  const regions = document.querySelectorAll("#view [aria-live], #view [role=status], #view [role=alert]");
  window.announced = [];
  const said = (record) => (record.type === "characterData" ? record.target.textContent
    : [...record.addedNodes].map((node) => node.textContent).join(""));
  new MutationObserver((records) => records.forEach((record) => window.announced.push(said(record))))
    .observe(document.querySelector('#view [data-testid="announcement"]'),
      {childList: true, characterData: true, subtree: true});
  return [...regions].map((r) => [r.dataset.testid, r.getAttribute("role"), r.getAttribute("aria-live"),
    r.getAttribute("aria-atomic")]);
}"""


@pytest.mark.parametrize(("name", "lang"), [(name, "en") for name in WIDGET_CLASSES] +
                         [("QueryExplorer", "ko"), ("ProjectionExplorer", "ko")])
def test_each_change_is_announced_once(page, name, lang):
    """The widget has one polite live region for its changes (and the challenge's, which speaks only when solved);
    each change of a control (15 steps of a slider count as one) puts one sentence there, which states torch's result
    for the new state; drawing the view says nothing."""
    view = StandIn(page, CLASSES[name](lang=lang))
    regions = page.evaluate(COUNT_ANNOUNCEMENTS_JS)
    expected = [["announcement", "status", "polite", "true"], ["challenge-status", "status", "polite", None]]
    assert sorted(regions) == expected
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.announced") == [], "the first drawing was announced"
    for testid, action, argument in VIEW_ACTIONS[name]:
        page.evaluate("() => { window.announced = []; }")
        if action == "press":  # a slider moving: 15 steps in one go (key presses on a loaded machine may pause)
            page.get_by_test_id(testid).evaluate(SLIDE_JS, argument in ("ArrowRight", "ArrowUp"))
        elif action == "keys":  # a point moved by the arrow keys: 15 presses in one go
            page.get_by_test_id(testid).evaluate(KEYS_JS, argument)
        else:
            act(page, testid, action, argument)
        view.to_python()  # the Python widget takes the view's inputs and recomputes with torch
        page.wait_for_function("() => window.announced.length > 0", timeout=5_000)
        page.wait_for_timeout(350)  # anything said later would be a second announcement
        said = page.evaluate("() => window.announced")
        start, end = expected_announcement(view.widget)
        assert len(said) == 1, (testid, said)
        assert said[0].startswith(start) and said[0].endswith(end), (testid, said[0], start, end)


def test_query_point_moves_with_the_arrow_keys(page):
    """The query explorer's query point is a tab stop; the arrow keys move the query by 0.05 (Shift: 0.25)."""
    view = standin(page, "QueryExplorer")
    point = page.get_by_test_id("query-point")
    assert point.get_attribute("tabindex") == "0" and point.get_attribute("aria-label") == LABELS["en"]["move_query"]
    before = list(view.widget.query)
    point.focus()
    for key in ["ArrowRight", "ArrowRight", "Shift+ArrowDown"]:
        point.press(key)
    view.to_python()
    assert view.widget.query == pytest.approx([before[0] + 0.10, before[1] - 0.25])


def point_name(lang, word, i, point):
    """A movable point's name, "key 2 at (0.50, 1.10): ...", from the label templates."""
    words = LABELS[lang]
    return words["move_point"].format(point=f"{words[word]} {i + 1}", x=fixed(point[0], 2), y=fixed(point[1], 2))


@pytest.mark.parametrize(("testid", "trait", "word"), [("key-point", "key_points", "key"),
                                                        ("value-point", "values", "value")])
def test_keys_and_values_move_with_the_arrow_keys(page, testid, trait, word):
    """Each key and value of the query explorer is a tab stop named "key 2 at (x, y)"; the arrow keys move it by 0.05
    (Shift: 0.25), the focus stays on it, its name follows, and Python gets the moved point."""
    view = standin(page, "QueryExplorer")
    for i, point in enumerate(getattr(view.widget, trait)):
        node = page.get_by_test_id(f"{testid}-{i + 1}")
        assert node.get_attribute("tabindex") == "0" and node.get_attribute("aria-label") == point_name(
            "en", word, i, point)
    before = [list(p) for p in getattr(view.widget, trait)]
    node = page.get_by_test_id(f"{testid}-2")
    node.focus()
    for key in ["ArrowRight", "ArrowRight", "Shift+ArrowDown"]:
        node.press(key)
    assert page.evaluate("() => document.activeElement.dataset.testid") == f"{testid}-2"
    view.to_python()
    moved = getattr(view.widget, trait)
    assert moved[1] == pytest.approx([before[1][0] + 0.10, before[1][1] - 0.25])
    assert moved[:1] + moved[2:] == before[:1] + before[2:]
    assert node.get_attribute("aria-label") == point_name("en", word, 1, moved[1])
    shown = json.loads(page.locator(".qkv-widget").get_attribute("data-state"))  # the view's weights: torch's
    torch.testing.assert_close(torch.tensor(shown["weights"], dtype=torch.float64), view.widget.weights)


def press_and_move(page, x, y, by):
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + by[0], y + by[1], steps=3)
    page.mouse.up()


def test_a_point_is_a_24_px_target_on_a_phone(page):
    """At 390 px a press 11 px from a key's centre still grabs the key (a target over 24 px across, however small
    the plane is drawn), one 30 px away moves the query instead; neither plane lets the page scroll under a finger."""
    view = standin(page, "QueryExplorer", width=PHONE["width"])
    assert page.evaluate("""() => [...document.querySelectorAll("svg.qkv-plane")]
        .map((plane) => getComputedStyle(plane).touchAction)""") == ["none", "none"]
    marker = page.get_by_test_id("key-point-1").locator(":scope > circle").bounding_box()
    x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2
    keys, query = [list(p) for p in view.widget.key_points], list(view.widget.query)
    press_and_move(page, x + 11, y, (0, 15))
    view.to_python()
    assert view.widget.key_points[0][1] < keys[0][1] and view.widget.query == query  # key 1 moved down
    keys = [list(p) for p in view.widget.key_points]
    press_and_move(page, x - 30, y + 30, (0, 0))
    view.to_python()
    assert view.widget.key_points == keys and view.widget.query != query


@pytest.mark.parametrize(("name", "testid", "why"), [("HeatmapExplorer", "bandwidth", "bandwidth_disabled"),
                                                     ("DatabaseExplorer", "temperature", "temperature_disabled")])
def test_a_disabled_control_says_why(page, name, testid, why):
    """A disabled slider is described by a visible note that says why, and only while it is disabled."""
    standin(page, name)
    control = page.get_by_test_id(testid)
    disabling = {"HeatmapExplorer": ("scoring", "dot"), "DatabaseExplorer": ("mode", "exact")}[name]
    page.get_by_test_id(disabling[0]).select_option(disabling[1])
    assert control.is_disabled()
    note = page.locator(f"#{control.get_attribute('aria-describedby')}")
    assert note.is_visible() and note.inner_text() == LABELS["en"][why]
    enabling = {"HeatmapExplorer": ("scoring", "gaussian"), "DatabaseExplorer": ("mode", "soft")}[name]
    page.get_by_test_id(enabling[0]).select_option(enabling[1])
    assert not control.is_disabled() and control.get_attribute("aria-describedby") is None and not note.is_visible()


@pytest.mark.parametrize("theme", ["light", "site-dark"])
def test_contrast_check_catches_a_pale_control(page, theme):
    """The contrast check itself: a white-on-near-white button (the old dark-mode bug) fails it."""
    standin(page, "QueryExplorer")
    set_theme(page, theme)
    assert page.evaluate(CONTRAST_JS) == []
    page.add_style_tag(content=".qkv-widget button { color: #fff !important; background: #f3f3f3 !important; }")
    assert any(line.startswith("text") for line in page.evaluate(CONTRAST_JS))

