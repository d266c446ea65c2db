"""Widget latency on the static site: from a control's input event to the updated weights in the DOM, in Chromium.

Each repetition sets the control to a new value and dispatches its input (or change) event from page JavaScript;
performance.now() is read before the dispatch, when a MutationObserver sees the view's `data-state` change (the
weights on display are written in the same update), and after a forced layout. No kernel: the view recomputes in
the browser. Target: median < 16 ms (one frame at 60 Hz).
"""

import re
from pathlib import Path

from tests.harness import built_html, chromium, serving

from .timing import percentile, summary, table

TARGET_MS = 16.0
# widget -> [(control testid, event, two values to alternate)]
CONTROLS = {
    "QueryExplorer": [("query-x", "input", ["0.3", "-0.4"]), ("temperature", "input", ["-1", "0.5"])],
    "HeatmapExplorer": [("temperature", "input", ["-1", "0.5"]), ("scoring", "change", ["dot", "gaussian"])],
    "DatabaseExplorer": [("text", "input", ["Lipton", "Li" * 500]), ("mode", "change", ["exact", "soft"])],
    "KernelRegressionExplorer": [("bandwidth", "input", ["-1", "0"]), ("x-test", "input", ["1.5", "3.5"])],
    "ProjectionExplorer": [("token", "change", ["0", "3"]), ("head", "change", ["1", "0"])],
}
MEASURE = """async ([name, testid, eventName, values, repetitions]) => {
  const view = document.querySelector(`[data-widget="${name}"]`);
  const control = view.querySelector(`[data-testid="${testid}"]`);
  const toDom = [], toLayout = [];
  for (let r = 0; r < repetitions; r++) {
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => { observer.disconnect(); resolve(performance.now()); });
      observer.observe(view, { attributes: true, attributeFilter: ["data-state"] });
    });
    const start = performance.now();
    control.value = values[r % 2];
    control.dispatchEvent(new Event(eventName, { bubbles: true }));
    const domTime = await changed;
    void view.getBoundingClientRect(); // style and layout of the new DOM
    toLayout.push(performance.now() - start);
    toDom.push(domTime - start);
  }
  return [toDom, toLayout];
}"""


def widget_pages(html):
    """{widget class: first built page (relative path) that shows it}."""
    pages = {}
    for path in sorted(html.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r'"_anywidget_id":\s*"utils\.widgets\.\w+\.(\w+)"', text):
            pages.setdefault(name, str(path.relative_to(html)))
    return pages


def run(repetitions=200, warmup=20, html=None):
    """Markdown table of the latency per widget and control (ms), measured on the built site."""
    html = Path(html) if html else built_html(rebuild=False)
    pages = widget_pages(html)
    rows = []
    with serving(html) as (base, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, controls in CONTROLS.items():
            if name not in pages:
                rows.append([name, "—", "not on any built page (stale build? `make book`)", "", "", "", ""])
                continue
            page.goto(base + pages[name])
            page.wait_for_selector(f'[data-widget="{name}"][data-state]', timeout=30_000)
            page.locator(f'[data-widget="{name}"]').first.scroll_into_view_if_needed()
            for testid, event, values in controls:
                to_dom, to_layout = page.evaluate(MEASURE, [name, testid, event, values, repetitions + warmup])
                to_dom, to_layout = to_dom[warmup:], to_layout[warmup:]
                median = summary(to_dom)[0]
                rows.append([name, testid, f"{median:.2f}", f"{percentile(to_dom, 95):.2f}",
                             f"{summary(to_layout)[0]:.2f}", f"{percentile(to_layout, 95):.2f}",
                             "met" if median < TARGET_MS else "MISSED"])
    header = ["widget", "control", "median ms", "p95 ms", "median ms +layout", "p95 ms +layout",
              f"median < {TARGET_MS:g} ms"]
    note = f"\n\n{repetitions} repetitions per control after {warmup} warm-up ones; static page, no kernel."
    return table(header, rows) + note
