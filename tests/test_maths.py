"""The site's equations, typeset at build time (_ext/qkv_maths.py): the stored SVG is what MathJax draws from the
TeX, each equation is given to MathJax as Sphinx's own MathJax renderer would give it, and no page is left with TeX
a reader would see raw."""

import json
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.ext import mathjax

from _ext import qkv_maths

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None or not (qkv_maths.STORE.parent.parent / "node_modules" / "mathjax-full").is_dir(),
    reason="needs Node and `npm ci` (mathjax-full)")


def run_typesetter(equations):
    return subprocess.run([NODE, str(qkv_maths.TYPESETTER)], input=json.dumps(equations), capture_output=True,
                          text=True, check=False)


@needs_node
def test_store_is_what_mathjax_draws_from_the_tex():
    """Typesetting every stored equation again gives the stored markup, glyphs and stylesheet (nobody edited the store
    by hand, and the pinned mathjax-full drew it)."""
    store = qkv_maths.load_store()
    names = list(store["equations"])
    assert len(names) > 100, f"the store holds only {len(names)} equations"
    again = qkv_maths.typeset(names)
    assert again["mathjax"] == store["mathjax"], "mathjax-full changed: build the book to typeset the store again"
    changed = [name for name, markup in zip(names, again["equations"], strict=True)
               if store["equations"][name] != markup]
    assert not changed, f"{len(changed)} stored equations differ from MathJax's drawing, e.g. {changed[:3]}"
    assert store["glyphs"] == {name: again["glyphs"][name] for name in store["glyphs"]}
    assert set(qkv_maths.GLYPH_USE.findall("".join(store["equations"].values()))) == set(store["glyphs"])
    assert store["css"] == again["css"]


def sphinx_display_tex(node):
    """The TeX that sphinx.ext.mathjax writes for a display equation, without its delimiters."""
    class Translator:
        builder = SimpleNamespace(config=SimpleNamespace(mathjax_display=("<<", ">>")))

        def __init__(self):
            self.body = []

        def starttag(self, *args, **kwargs):
            return ""

        def encode(self, text):
            return text

    translator = Translator()
    with pytest.raises(nodes.SkipNode):
        mathjax.html_visit_displaymath(translator, node)
    return "".join(translator.body).removesuffix("</div>\n").removeprefix("<<").removesuffix(">>")


@pytest.mark.parametrize("tex", [
    r"a = b",
    "a = b\n\nc = d",  # two equations: aligned
    r"a &= b \\ c &= d",  # a line break: split
    "a &= b \\\\ c\n\ne = f\n\n",
])
def test_display_equations_reach_mathjax_as_sphinx_gives_them(tex):
    node = nodes.math_block(tex, tex, nowrap=False, number=None)
    assert qkv_maths.display_tex(node) == sphinx_display_tex(node)


def test_a_missing_equation_without_node_stops_the_build_naming_it(monkeypatch):
    monkeypatch.setattr(qkv_maths.shutil, "which", lambda name: None)
    with pytest.raises(qkv_maths.ExtensionError, match=re.escape(r"the first: \frac{a}{b}")):
        qkv_maths.typeset([qkv_maths.key(r"\frac{a}{b}", True)])


@needs_node
def test_the_typesetter_names_tex_it_cannot_typeset():
    done = run_typesetter([{"tex": r"\frac{a}{", "display": True}])
    assert done.returncode != 0
    assert "MathJax cannot typeset display TeX \\frac{a}{ : Missing close brace" in done.stderr


RAW_TEX = re.compile(r"\\\(|\\\[|\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$|\\(?:frac|mathbf|sum|alpha|exp)\b")
NOT_TEXT = "script, style, pre, code, .highlight, mjx-container, svg, textarea"


@pytest.mark.slow
def test_no_page_shows_raw_tex(built_site):
    """No page shows TeX to a reader: every equation became SVG at build time, and no `$...$` or `\\(...\\)` is left
    in the text (the browser no longer typesets anything)."""
    raw = []
    for path in sorted(built_site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for hidden in soup.select(NOT_TEXT):
            hidden.decompose()
        raw += [f"{path.relative_to(built_site)}: {match!r}" for match in RAW_TEX.findall(soup.get_text(" "))]
    assert not raw, "TeX shown raw:\n" + "\n".join(raw[:20])
