"""Drop pydata-sphinx-theme's Font Awesome *script* (1.45 MB on every page): its icons render from the webfonts.

The theme ships Font Awesome twice: as a script that swaps each `<i class="fa-...">` for an inline SVG, and as
webfonts with CSS that draw the same `<i>` icons. The pages use no custom icon that only the script knows, so the
script is removed from every written page and from `_static` (tests/test_site.py checks the icons still show).
"""

import re
from pathlib import Path

from sphinx.application import Sphinx

SCRIPT_TAG = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')


def drop_script(app: Sphinx, exception) -> None:
    """Remove the script tag from every HTML page of the build, then the script and its source map."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lighter = SCRIPT_TAG.sub("", text)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")
    for name in ("fontawesome.js", "fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
        (out / "_static" / "scripts" / name).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", drop_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
