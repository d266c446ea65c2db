"""A tab stop for each block that scrolls inside its box (assets/scroll-stops.js), in place of the theme's.

pydata-sphinx-theme's `addTabStopsToScrollableElements` reads the size of every code block, output and table of the
page at load, on every resize and 300 ms after every change to the page's DOM (a widget drawing itself is one), and
writes a tab index between reads: each pass lays out the whole page, the sections that `content-visibility: auto`
would skip included (Lighthouse: a forced reflow of ~100 ms at its 4x slowdown, plus the long tasks around it).
assets/scroll-stops.js does the same job from a ResizeObserver, for equations too. After the build, the theme's
function is made to return at once in the minified `_static/scripts/pydata-sphinx-theme.js` (theme pinned in
requirements.txt); if its text is not found exactly once, the build stops, naming the file and what it looked for.
"""

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

THEME_SCRIPT = Path("_static", "scripts", "pydata-sphinx-theme.js")
# the minified addTabStopsToScrollableElements: its name is mangled, its body is not
THEME_TAB_STOPS = 'function I(){const e=()=>{document.querySelectorAll(["pre",".nboutput > .output_area",'
SWITCHED_OFF = THEME_TAB_STOPS.replace("{const", "{return;const", 1)


def switch_off_theme_tab_stops(script: str) -> str:
    """The theme's script with its tab-stop function returning at once; raise unless found exactly once."""
    found = script.count(THEME_TAB_STOPS)
    if found != 1 and SWITCHED_OFF not in script:
        raise ExtensionError(
            f"_ext/scroll_stops.py: {THEME_SCRIPT} holds the theme's tab-stop function {found} times, not once "
            f"(looked for {THEME_TAB_STOPS!r}); a new pydata-sphinx-theme? Find addTabStopsToScrollableElements "
            "in its minified script and update THEME_TAB_STOPS")
    return script.replace(THEME_TAB_STOPS, SWITCHED_OFF)


def patch_theme(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / THEME_SCRIPT
    script = path.read_text(encoding="utf-8")
    patched = switch_off_theme_tab_stops(script)
    if patched != script:
        path.write_text(patched, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_js_file("scroll-stops.js", loading_method="defer")
    app.connect("build-finished", patch_theme)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
