"""The site's equations drawn at build time: MathJax's SVG, stored in _ext/typeset_maths.json, so that a page loads
no MathJax script and no maths font, and nothing is typeset in the reader's browser.

- `svg`, an html_math_renderer: each equation's stored SVG is written where sphinx.ext.mathjax would write its TeX,
  in the same `<span>`/`<div class="math">` (numbers, permalinks and several-part display equations as Sphinx's
  mathjax renderer builds them). Each SVG carries MathJax's assistive MathML, which screen readers read.
- The SVGs share one font cache: a page gets the glyphs its equations use (the English originals of a Korean page
  included) once, in a hidden `<svg>` at the end of its body. A display equation wider than the column becomes a tab
  stop (assets/scroll-stops.js, _ext/scroll_stops.py), so a keyboard can scroll it.
- Before the pages are written, every equation of the book must be in the store. New ones are typeset by Node
  (_ext/typeset_maths.mjs, mathjax-full pinned in package.json, installed by `npm ci`), and the store is rewritten
  to hold exactly the book's equations: commit it with the page that changed. Without Node a missing equation stops
  the build, named. `tests/test_maths.py` typesets the store again and compares.
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number

STORE = Path(__file__).with_name("typeset_maths.json")
TYPESETTER = Path(__file__).with_name("typeset_maths.mjs")
STYLE = "qkv-maths.css"  # the stylesheet the SVGs need, written into _static
GLYPH_USE = re.compile(r'xlink:href=\\?"#(MJX-[\w-]+)')  # also inside the JSON of a Korean page's English originals


def display_tex(node: nodes.math_block) -> str:
    """The TeX MathJax is given for a display equation, as sphinx.ext.mathjax assembles it."""
    if node["nowrap"]:
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts]
    if len(parts) > 1:
        return r" \begin{align}\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}\end{align} "
    return parts[0] if parts else ""


def key(tex: str, display: bool) -> str:
    """An equation's name in the store."""
    return f"{'display' if display else 'inline'}:{tex}"


def equations_of(doctree) -> set:
    """The store keys of every equation in a doctree."""
    found = {key(node.astext(), False) for node in doctree.findall(nodes.math)}
    return found | {key(display_tex(node), True) for node in doctree.findall(nodes.math_block)}


def load_store() -> dict:
    if not STORE.is_file():
        return {"mathjax": None, "css": "", "glyphs": {}, "equations": {}}
    return json.loads(STORE.read_text(encoding="utf-8"))


def typeset(keys: list) -> dict:
    """Run the Node typesetter on store keys: its output (css, glyphs, equations in the order of `keys`)."""
    node = shutil.which("node")
    if node is None or not (STORE.parent.parent / "node_modules" / "mathjax-full").is_dir():
        first = keys[0].split(":", 1)[1]
        raise ExtensionError(f"{len(keys)} equation(s) are not in {STORE.name}, and typesetting them needs Node with "
                             f"mathjax-full (`npm ci`); the first: {first}")
    equations = [{"tex": name.split(":", 1)[1], "display": name.startswith("display:")} for name in keys]
    done = subprocess.run([node, str(TYPESETTER)], input=json.dumps(equations), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise ExtensionError(f"{TYPESETTER.name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def complete_store(app: Sphinx, env) -> None:
    """Typeset the book's new equations (Node) and keep exactly the book's equations in the store."""
    wanted = set().union(*(equations_of(env.get_doctree(name)) for name in env.found_docs))
    store = load_store()
    missing = sorted(wanted - store["equations"].keys())
    if missing:
        new = typeset(missing)
        store["equations"].update(zip(missing, new["equations"], strict=True))
        store["glyphs"].update(new["glyphs"])
        store |= {"mathjax": new["mathjax"], "css": new["css"]}
    if missing or store["equations"].keys() != wanted:
        store["equations"] = {name: store["equations"][name] for name in sorted(wanted)}
        used = set(GLYPH_USE.findall("".join(store["equations"].values())))
        store["glyphs"] = {name: path for name, path in sorted(store["glyphs"].items()) if name in used}
        STORE.write_text(json.dumps(store, indent=0, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    app.builder.qkv_maths = store


def stored_svg(translator, name: str) -> str:
    store = translator.builder.qkv_maths
    if name not in store["equations"]:
        raise ExtensionError(f"equation not in {STORE.name} (a page changed after the store was completed): {name}")
    return store["equations"][name]


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(stored_svg(self, key(node.astext(), False)) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"] and not node["nowrap"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(stored_svg(self, key(display_tex(node), True)) + "</div>\n")
    raise nodes.SkipNode


def add_glyphs(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The glyphs the page's equations use, once, in a hidden svg at the end of its body."""
    glyphs = getattr(app.builder, "qkv_maths", {}).get("glyphs", {})
    used = sorted(set(GLYPH_USE.findall(context.get("body", ""))))
    if used:
        paths = "".join(f'<path id="{name}" d="{html.escape(glyphs[name])}"></path>' for name in used)
        context["body"] += (f'<svg id="MJX-SVG-global-cache" style="display: none" aria-hidden="true">'
                            f"<defs>{paths}</defs></svg>")


def write_style(app: Sphinx, exception) -> None:
    """MathJax's stylesheet for its SVG output, into _static."""
    if exception is None and app.builder.format == "html" and hasattr(app.builder, "qkv_maths"):
        (Path(app.outdir) / "_static" / STYLE).write_text(app.builder.qkv_maths["css"], encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_html_math_renderer("svg", (visit_math, None), (visit_displaymath, None))
    app.connect("env-updated", complete_store)
    app.connect("html-page-context", add_glyphs)
    app.connect("build-finished", write_style)
    app.add_css_file(STYLE)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
