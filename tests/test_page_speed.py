"""What keeps a page fast and well described, checked cheaply (Lighthouse itself runs in `make bench`, not here):
the widget loader's model interface (Node), no script in a head that blocks the first paint, a description, one
viewport, absolute hreflang addresses, no source map named but not shipped. The weight budget of every page's first
visit is checked where each page is loaded anyway: tests/test_site.py::test_page_renders_offline.
"""

import functools
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from sphinx.errors import ExtensionError

from _ext.qkv_head import STATE_SUFFIX, base_url, lazy_figures, lighter_head, state_file, widget_state_apart
from _ext.scroll_stops import SWITCHED_OFF, THEME_SCRIPT, THEME_TAB_STOPS, switch_off_theme_tab_stops
from tests import harness
from tests.test_site import PAGES as ALL_PAGES

REPO = Path(__file__).resolve().parents[1]
LOADER = REPO / "assets" / "widgets-offline.js"
CLASSIC = ("", "text/javascript", "application/javascript")
REDIRECTS = {"index"}  # sphinx-external-toc's index.html: a one-line refresh to the root page, no head
PAGES = [name for name in ALL_PAGES if name not in REDIRECTS]

# Drives the loader's exports in Node and prints what it saw as JSON; the assertions are in Python.
MODEL_SCRIPT = """
const { createModel, widgetDefinition, layoutStyle } = await import(process.argv[1]);
const seen = [];
const model = createModel({ temperature: 1, query: [0.5, 0.5], labels: { a: "b" } });
const log = (name) => (...args) => seen.push([name, args[1] === undefined ? null : args[1]]);
const onTemperature = log("change:temperature"), onAny = log("change");
model.on("change:temperature", onTemperature);
model.on("change", onAny);
model.on("change:query", log("change:query"));
const out = { initial: model.get("temperature") };
model.set("temperature", 2);
out.afterSet = model.get("temperature");
out.eventsAfterSet = seen.splice(0);
model.set("temperature", 2);
model.set("query", [0.5, 0.5]);
out.eventsAfterSameValues = seen.splice(0);
model.set({ temperature: 3, query: [1, 0] });
out.eventsAfterTwo = seen.splice(0);
model.off("change:temperature", onTemperature);
model.set("temperature", 4);
out.eventsAfterOff = seen.splice(0);
model.off("change");
model.set("temperature", 5);
out.eventsAfterOffAll = seen.splice(0);
out.saveReturns = model.save_changes() ?? null;
out.sendReturns = model.send({ hello: 1 }) ?? null;
const render = () => "drawn";
out.definitions = [
  (await widgetDefinition({ default: { render } })).render(),
  (await widgetDefinition({ default: () => ({ render }) })).render(),
  (await widgetDefinition({ default: async () => ({ render }) })).render(),
  (await widgetDefinition({ render })).render(),
];
out.layout = layoutStyle({ _model_name: "LayoutModel", width: "50%", max_width: "300px", height: null, top: "" });
console.log(JSON.stringify(out));
"""


def run_loader(node, tmp_path):
    """What MODEL_SCRIPT saw of assets/widgets-offline.js (copied as .mjs: Node reads it as an ES module)."""
    module = tmp_path / "widgets-offline.mjs"
    module.write_text(LOADER.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([node, "--input-type=module", "-e", MODEL_SCRIPT, module.as_uri()],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_loader_model_interface(node, tmp_path):
    """The model the loader gives a widget behaves as anywidget's: get, set firing change events once per change,
    on/off, save_changes and send (no kernel: they return nothing); widget definitions in their three forms."""
    seen = run_loader(node, tmp_path)
    assert seen["initial"] == 1 and seen["afterSet"] == 2
    assert seen["eventsAfterSet"] == [["change:temperature", 2], ["change", None]]
    assert seen["eventsAfterSameValues"] == [], "setting a value equal to the current one fired events"
    assert seen["eventsAfterTwo"] == [["change:temperature", 3], ["change:query", [1, 0]], ["change", None]]
    assert seen["eventsAfterOff"] == [["change", None]], "off(event, callback) left the callback on"
    assert seen["eventsAfterOffAll"] == [], "off(event) left a callback on"
    assert seen["saveReturns"] is None and seen["sendReturns"] is None
    assert seen["definitions"] == ["drawn"] * 4
    assert seen["layout"] == {"width": "50%", "max-width": "300px"}


def test_lighter_head_moves_blocking_scripts_in_order():
    """Blocking head scripts go to the end of the body in their order; deferred, module, data and mode scripts stay;
    script preloads go, other preloads stay; one viewport meta is kept."""
    page = ('<html><head><meta name="viewport" content="a"><script data-cfasync="false">mode()</script>'
            '<link rel="preload" as="script" href="d.js" /><link rel="preload" as="font" href="f.woff2" />'
            '<script src="a.js"></script><script>after_a()</script><script defer src="d.js"></script>'
            '<script type="module" src="m.js"></script><script type="application/json">{}</script>'
            '<meta name="viewport" content="b"><script src="b.js"></script></head><body><p>text</p></body></html>')
    head, body = lighter_head(page).split("</head>")
    assert re.findall(r"<script[^>]*>[^<]*</script>", head) == [
        '<script data-cfasync="false">mode()</script>', '<script defer src="d.js"></script>',
        '<script type="module" src="m.js"></script>', '<script type="application/json">{}</script>']
    assert head.count('name="viewport"') == 1 and 'content="a"' in head
    assert re.findall(r"<link[^>]*>", head) == ['<link rel="preload" as="font" href="f.woff2" />']
    assert re.findall(r"<script[^>]*>[^<]*</script>", body) == [
        '<script src="a.js"></script>', "<script>after_a()</script>", '<script src="b.js"></script>']
    assert body.index("<p>text</p>") < body.index("a.js")


def test_figures_load_lazily_and_nothing_else_changes(built_site):
    """Every figure of a built chapter page waits until it nears the screen; other images and a set loading stay."""
    page = '<img alt="a" src="../../_images/x.png"/><img src="logo.svg"><img loading="eager" src="_images/y.png">'
    assert lazy_figures(page) == page.replace('<img alt="a"', '<img loading="lazy" alt="a"')
    built = (built_site / "notebooks" / "en" / "transformer-qkv.html").read_text(encoding="utf-8")
    figures = re.findall(r"<img\b[^>]*_images/[^>]*>", built)
    assert figures and all('loading="lazy"' in tag for tag in figures), figures[:2]


def test_widget_state_moves_to_a_file_the_state_script_names():
    state = '{"state": {"m1": {"model_name": "AnyModel", "state": {"_esm": "export default {}"}}}}'
    page = f'<head><script type="application/vnd.jupyter.widget-state+json">{state}</script></head><body>x</body>'
    moved, found = widget_state_apart(page, "a&b.widgets.json")
    assert found == state and json.loads(found)["state"]["m1"]["model_name"] == "AnyModel"
    assert moved == ('<head><script type="application/vnd.jupyter.widget-state+json" src="a&amp;b.widgets.json">'
                     "</script></head><body>x</body>")
    assert widget_state_apart(moved, "a&b.widgets.json") == (moved, None)  # a page built before: left as it is
    assert widget_state_apart("<p>no widgets</p>", "x.widgets.json") == ("<p>no widgets</p>", None)


def test_built_pages_with_widgets_name_their_state_file_and_it_holds_every_view_s_model(built_site):
    views = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
    with_widgets = 0
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        model_ids = [json.loads(view)["model_id"] for view in views.findall(text)]
        stored = state_file(page)
        assert "widget-state+json\">" not in text, f"{page.name} still stores its widget state inline"
        if not model_ids:
            assert not stored.exists(), f"{stored.name} beside a page without widgets"
            continue
        with_widgets += 1
        assert f'src="{stored.name}"' in text, f"{page.name} does not name {stored.name}"
        missing = set(model_ids) - set(json.loads(stored.read_text(encoding="utf-8"))["state"])
        assert not missing, f"{stored.name} lacks the models of {page.name}'s views: {missing}"
    stored_views = [notebook for notebook in (REPO / "notebooks").rglob("*.ipynb")
                    if "application/vnd.jupyter.widget-view+json" in notebook.read_text(encoding="utf-8")]
    assert with_widgets == len(stored_views) > 0, (with_widgets, stored_views)


def test_a_widget_whose_state_did_not_load_says_so(site_server, browser):
    page = harness.watched_page(browser)
    page.route("**/*" + STATE_SUFFIX, lambda route: route.fulfill(status=404, body="gone"))
    page.goto(f"{site_server}notebooks/en/queries-keys-values.html", wait_until="load")
    errors = page.locator(".jupyter-widgets-error-widget")
    errors.first.wait_for()
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    assert errors.count() == views > 0
    assert "queries-keys-values.widgets.json did not load (404)" in errors.first.inner_text()
    page.context.close()


def test_the_theme_s_tab_stop_function_is_switched_off_once_or_the_build_stops_named():
    script = "function A(){}" + THEME_TAB_STOPS + '".x"].join(", "))}function B(){}'
    patched = switch_off_theme_tab_stops(script)
    assert patched == script.replace(THEME_TAB_STOPS, SWITCHED_OFF) and patched.count("return;") == 1
    assert switch_off_theme_tab_stops(patched) == patched  # a second build (static files not copied again)
    for wrong in ("function A(){}", script + script):
        with pytest.raises(ExtensionError, match=re.escape(str(THEME_SCRIPT)) + ".*THEME_TAB_STOPS"):
            switch_off_theme_tab_stops(wrong)


def test_the_built_theme_script_is_switched_off(built_site):
    script = (built_site / THEME_SCRIPT).read_text(encoding="utf-8")
    assert script.count(SWITCHED_OFF) == 1 and THEME_TAB_STOPS not in script


def test_base_url_is_the_repository_s_pages_address():
    """The site's address comes from the repository _config.yml names (GitHub Pages), or is empty."""
    repository = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    owner, name = repository.rstrip("/").split("/")[-2:]
    assert base_url(repository) == f"https://{owner.lower()}.github.io/{name}/"
    assert base_url("https://gitlab.com/a/b") == "" and base_url("") == ""


class Head(HTMLParser):
    """The head's scripts (attrs, body), metas and links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.metas, self.links, self._in_head, self._script = [], [], [], False, None

    def handle_starttag(self, tag, attrs):
        self._in_head |= tag == "head"
        if not self._in_head:
            return
        if tag == "script":
            self._script = [dict(attrs), ""]
            self.scripts.append(self._script)
        elif tag == "meta":
            self.metas.append(dict(attrs))
        elif tag == "link":
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        self._in_head &= tag != "head"
        self._script = None if tag == "script" else self._script

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data


def test_redirects_are_only_a_refresh(built_site):
    """The pages the head checks skip hold nothing but a redirect."""
    for name in REDIRECTS:
        assert re.fullmatch(r'<meta http-equiv="Refresh" content="0; url=[\w./-]+" />\s*',
                            (built_site / f"{name}.html").read_text(encoding="utf-8"))


@functools.cache
def head_of(built_site, name):
    """The parsed head of a built page (parsed once for the three checks below)."""
    parser = Head()
    parser.feed((built_site / f"{name}.html").read_text(encoding="utf-8"))
    return parser


def test_no_head_script_blocks_the_first_paint(built_site):
    """Every script in a page's head is deferred, async, a module or data, except the theme's colour-mode script
    (the first paint needs it; it reads localStorage and nothing else); no script is preloaded ahead of the
    stylesheets."""
    blocking = []
    for name in PAGES:
        blocking += [f"{name}: preloads {link['href']}" for link in head_of(built_site, name).links
                     if link.get("rel") == "preload" and link.get("as") == "script"]
        for attrs, body in head_of(built_site, name).scripts:
            if attrs.get("type", "") in CLASSIC and "defer" not in attrs and "async" not in attrs:
                if attrs.get("data-cfasync") == "false" and "src" not in attrs and "localStorage" in body:
                    continue
                blocking.append(f"{name}: <script {attrs}> {body[:60]!r}")
    assert not blocking, "scripts that block the first paint:\n" + "\n".join(blocking)


def test_every_page_has_a_description_and_one_viewport(built_site):
    problems = []
    for name in PAGES:
        metas = head_of(built_site, name).metas
        descriptions = [m.get("content", "") for m in metas if m.get("name") == "description"]
        if len(descriptions) != 1 or len(descriptions[0]) < 20:
            problems.append(f"{name}: descriptions {descriptions}")
        viewports = [m for m in metas if m.get("name") == "viewport"]
        if len(viewports) != 1:
            problems.append(f"{name}: {len(viewports)} viewport metas")
    assert not problems, "\n".join(problems)


def test_hreflang_links_are_absolute(built_site):
    """Each page's `<link rel=alternate hreflang>` is the other edition's page at the site's absolute address."""
    repository = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    base = base_url(repository)
    checked, wrong = 0, []
    for name in PAGES:
        for link in head_of(built_site, name).links:
            if link.get("rel") == "alternate" and link.get("hreflang"):
                checked += 1
                href = link.get("href", "")
                target = href.removeprefix(base)
                if not href.startswith(base) or not (built_site / target).is_file() \
                        or f"/{link['hreflang']}/" not in f"/{target}":
                    wrong.append(f"{name}: {href}")
    assert checked >= 10, f"only {checked} hreflang links found"
    assert not wrong, "hreflang links that are not an absolute address of the other edition:\n" + "\n".join(wrong)


@pytest.mark.parametrize("suffix", ["js", "css"])
def test_no_source_map_named_but_not_shipped(built_site, suffix):
    missing = []
    for path in built_site.rglob(f"*.{suffix}"):
        text = path.read_text(encoding="utf-8", errors="replace")
        for target in re.findall(r"[#@]\s*sourceMappingURL=([^\s*'\"]+)", text):
            if not target.startswith("data:") and not (path.parent / target).is_file():
                missing.append(f"{path.relative_to(built_site)} -> {target}")
    assert not missing, "source maps named but not shipped:\n" + "\n".join(missing)


def test_only_search_pages_load_the_search_index(built_site):
    """The search scripts and index (about 50 KB gzipped) load on the search pages and on no other page."""
    search = re.compile(r'<script src="[^"]*(?:searchtools|language_data|searchindex)\.js"')
    loading = {name for name in ALL_PAGES if search.search((built_site / f"{name}.html").read_text(encoding="utf-8"))}
    assert loading == {"search", "chapters/ko/search/index"}, f"pages loading the search index: {sorted(loading)}"


def test_sections_off_screen_skip_layout(site_server, browser):
    """On a long chapter page the sections (h2) without a widget are laid out only near the screen
    (content-visibility: auto), and the text of one far below has no layout (no innerText) until it is reached."""
    page = harness.watched_page(browser, width=390, height=844, every_section=False)
    page.goto(f"{site_server}notebooks/en/queries-keys-values.html", wait_until="load")
    sections = page.eval_on_selector_all(".bd-article > section > section", """els => els.map(s => ({
        visibility: getComputedStyle(s).contentVisibility, widget: !!s.querySelector('script[type*="widget-view"]'),
        top: s.getBoundingClientRect().top }))""")
    assert len(sections) > 3, f"the page has {len(sections)} sections"
    wrong = [s for s in sections if s["visibility"] != ("visible" if s["widget"] else "auto")]
    assert not wrong and any(s["widget"] for s in sections), sections
    last = page.locator(".bd-article > section > section").last
    assert sections[-1]["top"] > 844 and last.inner_text() == "", "the last section is laid out before it is reached"
    last.scroll_into_view_if_needed()
    page.wait_for_function("s => s.innerText.length > 0", arg=last.element_handle())
    page.context.close()
