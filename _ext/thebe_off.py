"""Nothing of sphinx-thebe on the pages while thebe is off; its inline script written once when it is on.

jupyter-book always loads sphinx-thebe. With `launch_buttons.thebe` off (the default) it still writes, on every
page, an inline script naming unpkg.com (`const THEBE_JS_URL = ...`), `sphinx-thebe.js`, its stylesheet and a
per-page `text/x-thebe-config` naming a Binder repository: dead code that names another host. This extension drops
them all and does not copy sphinx-thebe's static folder.

With thebe on, Sphinx 7.4 stores an inline script added after `builder-inited` twice (filename None, then '', when
the builder re-reads the registry), so the browser reports "Identifier 'THEBE_JS_URL' has already been declared":
each page's scripts are then written once.
"""

from docutils import nodes
from sphinx.application import Sphinx

THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")
THEBE_RAW = ("text/x-thebe-config", "kernelName = ")  # the per-page raw html of sphinx_thebe.update_thebe_context


def thebe_on(app: Sphinx) -> bool:
    """True when the book turns thebe on (`launch_buttons: thebe: true` in _config.yml)."""
    return bool((app.config.html_theme_options or {}).get("launch_buttons", {}).get("thebe"))


def drop_static_folder(app: Sphinx) -> None:
    """Thebe off: do not copy sphinx-thebe's _static (its script, stylesheet and icon) into the site."""
    if not thebe_on(app):
        app.config.html_static_path[:] = [p for p in app.config.html_static_path if "sphinx_thebe" not in str(p)]


def drop_page_config(app: Sphinx, doctree, docname: str) -> None:
    """Thebe off: remove the raw html sphinx-thebe appended to the page."""
    if not thebe_on(app):
        for raw in list(doctree.findall(nodes.raw)):
            if raw.parent is doctree and any(marker in raw.astext() for marker in THEBE_RAW):
                doctree.remove(raw)


def page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Thebe off: drop sphinx-thebe's scripts and stylesheet; on: drop repeated scripts (None and '' alike)."""
    scripts, styles = context.get("script_files"), context.get("css_files")
    if not isinstance(scripts, list):
        return
    seen, kept = set(), []
    for js in scripts:
        filename, attrs = getattr(js, "filename", js) or "", getattr(js, "attributes", {})
        if not thebe_on(app) and (filename.endswith(THEBE_FILES) or "THEBE_JS_URL" in attrs.get("body", "")):
            continue
        key = (filename, getattr(js, "priority", 0), tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept  # in place: this is the builder's list, which it resets before the next page
    if isinstance(styles, list) and not thebe_on(app):
        styles[:] = [css for css in styles if not (getattr(css, "filename", css) or "").endswith(THEBE_FILES)]


def setup(app: Sphinx) -> dict:
    """Register late, after sphinx-thebe and every other extension have added theirs."""
    app.connect("builder-inited", drop_static_folder, priority=900)
    app.connect("doctree-resolved", drop_page_config, priority=900)
    app.connect("html-page-context", page_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
