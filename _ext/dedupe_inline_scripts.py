"""Write each inline <script> once: Sphinx 7.4 doubles those registered after the builder starts (sphinx-thebe's).

An extension's `app.add_js_file(None, body=...)` made after `builder-inited` is stored twice: once by the builder
as filename None, and again, as filename '', when the builder re-reads the registry before writing. The two
copies differ only in that spelling, so sphinx-thebe's `const THEBE_JS_URL = ...` ends up twice in every page
and the browser reports "Identifier 'THEBE_JS_URL' has already been declared".
"""

from sphinx.application import Sphinx


def dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Drop a page's repeated scripts, counting filename None and '' as the same inline script."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, kept = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {})
        key = (getattr(js, "filename", js) or "", getattr(js, "priority", 0), tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept  # in place: this is the builder's list, which it resets before the next page


def setup(app: Sphinx) -> dict:
    """Register the page hook late, after every extension has added its scripts."""
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
