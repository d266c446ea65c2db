"""The third-party stylesheets trimmed of rules the site cannot use (_ext/unused_css.py): the rule itself, and in
Chromium that no rule removed matches an element of the site's pages as drawn."""

import gzip

import pytest
import tinycss2
from sphinx.errors import ExtensionError

from _ext.unused_css import (
    GROUPS,
    MARKER,
    TRIMMED,
    names_needed,
    selector_list,
    trim_site,
    trim_stylesheet,
    whole_stylesheet,
)
from tests import harness


def test_a_rule_stays_when_every_name_it_needs_is_a_word_of_the_site():
    words = {"card", "body", "active", "div", "p"}
    css = (".card{color:red}.carousel{color:blue}.card .carousel,.card.active{margin:0}div>p{top:0}"
           "table td{top:1px}.card:not(.missing){left:0}.card:is(.x,.y)::before{content:'a'}[data-x] .card{z-index:1}"
           ".\\31 0{top:2px}@media (min-width:10px){.carousel{top:0}.card{top:3px}}@supports (x:y){.gone{top:0}}"
           "@font-face{font-family:f;src:url(f.woff)}@keyframes spin{to{transform:rotate(1turn)}}"
           '.card:after{content:"\\f185"}.card:before{content:"é"}')
    trimmed = trim_stylesheet('@charset "UTF-8";' + css, words)
    assert trimmed.startswith(MARKER)
    assert trimmed.removeprefix(MARKER) == (
        ".card{color:red}.card.active{margin:0}div>p{top:0}.card:not(.missing){left:0}"
        '.card:is(.x,.y)::before{content:"a"}[data-x] .card{z-index:1}.\\31 0{top:2px}'
        "@media (min-width:10px){.card{top:3px}}"
        "@font-face{font-family:f;src:url(f.woff)}@keyframes spin{to{transform:rotate(1turn)}}"
        '.card:after{content:"\\00f185"}.card:before{content:"\\0000e9"}')  # ASCII, the @charset gone


def test_the_names_a_selector_needs():
    assert names_needed("html[data-theme=dark] .bd-sidebar > ul li:hover::after") == ["html", ".bd-sidebar"[1:],
                                                                                     "ul", "li"]
    assert names_needed("#main-content .nav-link:nth-child(2n+1)") == ["main-content", "nav-link"]
    assert names_needed(".a:not(.b:has(.c))") == ["a"]
    assert names_needed("*") == [] and names_needed(".md\\:flex") is None
    assert selector_list(".a:is(.b, .c), .d[title='x,y'] ,.e") == [".a:is(.b, .c)", ".d[title='x,y']", ".e"]


def test_a_later_build_trims_the_whole_copy_again_and_a_lost_copy_stops_it_named(tmp_path):
    outdir = tmp_path / "html"
    for pattern in TRIMMED:
        path = outdir / pattern.replace("*", "abc")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(".used{top:0}.unused{top:1px}.later{top:2px}", encoding="utf-8")
    (outdir / "page.html").write_text('<p class="used">', encoding="utf-8")

    class App:  # what trim_site reads of Sphinx's application
        class builder:
            format = "html"
    App.outdir = str(outdir)
    theme = outdir / TRIMMED[0]
    trim_site(App, None)
    assert theme.read_text(encoding="utf-8") == MARKER + ".used{top:0}"
    (outdir / "later.html").write_text('<p class="later">', encoding="utf-8")  # a page a later build adds
    trim_site(App, None)
    assert theme.read_text(encoding="utf-8") == MARKER + ".used{top:0}.later{top:2px}"
    (tmp_path / ".unused_css" / TRIMMED[0]).unlink()
    with pytest.raises(ExtensionError, match=r"pydata-sphinx-theme\.css was trimmed by an earlier build"):
        trim_site(App, None)


def test_the_built_stylesheets_are_trimmed_and_much_lighter(built_site):
    for pattern in TRIMMED:
        for path in built_site.glob(pattern):
            whole = whole_stylesheet(built_site, path)
            trimmed = path.read_bytes()
            assert trimmed.startswith(MARKER.encode()), f"{path.name} is not trimmed"
            assert len(gzip.compress(trimmed)) < 0.5 * len(gzip.compress(whole.read_bytes())), path.name


def removed_selectors(whole_css: str, trimmed_css: str) -> list[str]:
    """The selectors of `whole_css` that `trimmed_css` no longer has (by text; nested in @media and the like too)."""
    def selectors(css):
        found = []
        def walk(rules):
            for rule in rules:
                if rule.type == "qualified-rule":
                    found.extend(selector_list(tinycss2.serialize(rule.prelude)))
                elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPS and rule.content is not None:
                    walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
        walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
        return found
    kept = set(selectors(trimmed_css))
    return sorted({selector for selector in selectors(whole_css) if selector not in kept})


# The removed selectors that match an element of the page as drawn. A selector is tried without its pseudo-elements
# and user-action states (a::before, a:hover: the element is what matters); one the browser does not know
# (::-moz-..., :-webkit-...) cannot match in it and is counted apart.
MATCHING = """(selectors) => {
  const bare = (selector) => selector
    .replace(/::?(before|after|marker|placeholder|selection|backdrop|first-line|first-letter)\\b/g, "")
    .replace(/:(hover|focus|focus-visible|focus-within|active|visited|link|target)\\b/g, "");
  const matching = [];
  let unknown = 0;
  for (const selector of selectors) {
    try {
      if (document.querySelector(bare(selector) || "*")) matching.push(selector);
    } catch {
      unknown += 1;
    }
  }
  return { matching, unknown };
}"""
STYLED_PAGES = [("notebooks/en/queries-keys-values", 390, "light"), ("notebooks/ko/transformer-qkv", 1280, "dark"),
                ("notebooks/en/exercises", 1280, "light"), ("notebooks/ko/nadaraya-watson", 390, "dark"),
                ("notebooks/en/visualizing-attention", 1280, "dark"), ("chapters/ko/index", 390, "light"),
                ("chapters/en/glossary", 1280, "light"), ("chapters/ko/search/index", 390, "dark")]


@pytest.fixture(scope="module")
def removed(built_site):
    """Every selector the trimming removed, from each of the TRIMMED stylesheets."""
    found = []
    for pattern in TRIMMED:
        for path in built_site.glob(pattern):
            whole = whole_stylesheet(built_site, path)
            found += removed_selectors(whole.read_text(encoding="utf-8"), path.read_text(encoding="utf-8"))
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "scheme"), STYLED_PAGES, ids=[f"{n}-{w}-{s}" for n, w, s in STYLED_PAGES])
def test_no_removed_rule_matches_an_element_of_a_page(built_site, site_server, browser, removed, name, width, scheme):
    """Each page as drawn (widgets, originals, every section laid out; light or dark, phone or desktop): none of
    the removed selectors matches any of its elements."""
    assert len(removed) > 1000  # Bootstrap's components, sphinx-design's grids: most of the rules
    page = harness.watched_page(browser, width=width)
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{site_server}{name}.html", wait_until="networkidle")
    page.wait_for_function("() => document.querySelectorAll('.qkv-widget').length === "
                           "document.querySelectorAll('script[type*=\"widget-view\"]').length")
    found = page.evaluate(MATCHING, removed)
    page.context.close()
    assert found["unknown"] < len(removed) / 10, found["unknown"]
    assert not found["matching"], f"removed rules that style {name}: {found['matching'][:10]}"
