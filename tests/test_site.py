"""The built site works offline: every page loads quietly in Chromium, maths and widgets render, assets are local."""

import fnmatch
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

from _ext import fontawesome_lite
from _ext.qkv_originals import ORIGINALS_ID
from _ext.qkv_search import KOREAN_SEARCH
from _ext.unused_css import whole_stylesheet
from tests import harness
from tools.first_cell import package_source

REPO = Path(__file__).resolve().parent.parent
VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
# <link rel=...> values that only point somewhere; every other rel (stylesheet, icon, preload...) fetches
NAVIGATION_RELS = {"alternate", "author", "bookmark", "canonical", "help", "index", "license", "next", "prev",
                   "search", "external", "noopener", "noreferrer", "nofollow", "me", "top", "up", "first", "last"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
# A URL naming a host: scheme://host, or a quoted protocol-relative "//host.tld"
HOST_URL = re.compile(r"""\b[a-zA-Z][\w+.-]*://([\w-]+(?:\.[\w-]+)*|\[[0-9a-fA-F:]+\])|["'(]//([\w-]+(?:\.[\w-]+)+)""")
# XML namespace names: identifiers that look like URLs and are never fetched (SVG drawn by the widgets' JavaScript)
NAMESPACES = re.compile(r"http://www\.w3\.org/(?:2000/svg|1999/xlink|1999/xhtml|1998/Math/MathML|XML/1998/namespace)")
LOCAL_HOSTS = {"127.0.0.1"}
FIRST_VISIT_BUDGET = 1024 * 1024  # bytes a page's first visit may fetch, gzipped (issue 12: a class on phones)
# Third-party files of the theme name hosts in licence notes, comments, documentation links and unused defaults. They
# are pinned (requirements.txt), and every page's Chromium test aborts and fails a request to another host. Any other
# host in them fails the test below.
THIRD_PARTY_HOSTS = {
    "_static/mystnb.*.css": {"github.com", "m2.material.io", "nbsphinx.readthedocs.io"},
    "_static/searchtools.js": {"developer.mozilla.org"},
    "_static/sphinx_highlight.js": {"www.w3.org"},
    "_static/copybutton.js": {"www.w3.org"},
    "_static/copybutton.css": {"codepen.io"},
    "_static/togglebutton.js": {"www.w3.org"},
    "_static/clipboard.min.js": {"clipboardjs.com"},
    "_static/scripts/pydata-sphinx-theme.js": {"pydata-sphinx-theme.readthedocs.io"},
    "_static/styles/pydata-sphinx-theme.css": {"fontawesome.com", "getbootstrap.com", "github.com", "www.w3.org"},
    "_static/styles/sphinx-book-theme.css": {"sass-guidelin.es"},
}


def toc_pages() -> list[str]:
    """Every page _toc.yml names, plus those the build writes itself, as paths without '.html'."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())

    def files(node):
        if isinstance(node, dict):
            yield from ([node["file"]] if "file" in node else [])
            for value in node.values():
                yield from files(value)
        elif isinstance(node, list):
            for item in node:
                yield from files(item)

    redirect = ["index"] if toc["root"] != "index" else []  # sphinx-external-toc's index.html -> the root page
    return [toc["root"], *files(toc), *redirect, "genindex", "search", KOREAN_SEARCH]


PAGES = toc_pages()


def built_pages(html: Path) -> set[str]:
    """The html pages of a built site (not the theme's or the sources' folders), as paths without '.html'."""
    return {p.relative_to(html).with_suffix("").as_posix() for p in html.rglob("*.html")
            if p.relative_to(html).parts[0] not in ("_static", "_sources")}


def is_remote(url: str) -> bool:
    """True for a URL that is not relative to the site (a scheme other than data:, or //host, or /root)."""
    has_scheme = bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url))
    return (has_scheme and not url.startswith("data:")) or url.startswith("/")


class AssetRefs(HTMLParser):
    """Collect every URL a page fetches by itself: scripts, styles, fonts, images, frames, media."""

    def __init__(self):
        super().__init__()
        self.urls, self.classes, self._in_style = [], set(), False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.classes.update((a.get("class") or "").split())
        rels = set((a.get("rel") or "").lower().split())
        if tag == "link" and a.get("href") and not rels <= NAVIGATION_RELS:
            self.urls.append(a["href"])
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "track", "input") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])
        self.urls += [m.group(1) or m.group(2) for m in CSS_URL.finditer(a.get("style") or "")]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [m.group(1) or m.group(2) for m in CSS_URL.finditer(data)]


class LinkTags(HTMLParser):
    """The (tag, attrs) of every <link> and <a> of a page."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if tag in ("link", "a"):
            self.tags.append((tag, attrs))

    @classmethod
    def of(cls, path: Path):
        """The tags of the html file at `path`."""
        parser = cls()
        parser.feed(path.read_text(encoding="utf-8"))
        return parser.tags


class HostsOutsideLinks(HTMLParser):
    """Every host named in an html file outside a link: a link (`<a>`: its href, title and text; a `<link>` that
    only points somewhere: its href) is followed only if the reader chooses to; anything else (a script, a
    stylesheet, a config block, text, a comment) is not."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hosts, self._in_link, self._in_originals = [], 0, False

    def _check(self, where, text):
        self.hosts += [f"{where}: {host}" for host in named_hosts(text)]

    def handle_starttag(self, tag, attrs):
        self._in_link += tag == "a"
        self._in_originals = tag == "script" and ("id", ORIGINALS_ID) in attrs
        # a <link> that only points somewhere (rel canonical, alternate...) is a link too: the browser fetches nothing
        pointer = tag == "link" and set((dict(attrs).get("rel") or "").lower().split()) <= NAVIGATION_RELS
        for name, value in attrs:
            if value and not ((tag == "a" or pointer) and name in ("href", "title")):
                self._check(f"<{tag} {name}>", value)

    def handle_endtag(self, tag):
        self._in_link -= tag == "a" and self._in_link > 0
        self._in_originals = False

    def handle_data(self, data):
        if self._in_originals:  # the English originals of a Korean page: html that the page shows on request
            for fragment in json_strings(json.loads(data)):
                inner = HostsOutsideLinks()
                inner.feed(fragment)
                self.hosts += [f"English original: {host}" for host in inner.hosts]
        elif not self._in_link:
            self._check("text", data)

    def handle_comment(self, data):
        self._check("comment", data)


def json_strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | dict):
        for item in value.values() if isinstance(value, dict) else value:
            yield from json_strings(item)


def parse(path: Path) -> AssetRefs:
    """The asset URLs and class names of one html page."""
    refs = AssetRefs()
    refs.feed(path.read_text(encoding="utf-8"))
    return refs


PACKAGE_SOURCE = package_source()  # the set-up cell's `%pip install` source, as its code on the page shows it
# _config.yml values that name another host on purpose: links the reader follows, never assets the site loads
CONFIG_LINKS = {
    "repository.url": "the repository and issue buttons link to it",
    "launch_buttons.binderhub_url": "the launch button links to it",
    "launch_buttons.colab_url": "the Colab launch button links to it",
}


def config_strings(node, path=""):
    """(dotted path, string) for every key and string value of a YAML tree; a key's path is its parent's."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key)
            yield from config_strings(value, f"{path}.{key}".lstrip("."))
    elif isinstance(node, list):
        for item in node:
            yield from config_strings(item, path)
    elif isinstance(node, str):
        yield path, node


# a link or asset in raw HTML written in markdown
RAW_LINK = re.compile(r"""<(?:a|img|link|script|source|iframe|video|audio)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)""",
                      re.I)


def source_markdown(path: Path) -> str:
    """The markdown of a page, or of a notebook's markdown cells."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def raw_link_problems(path: Path, root: Path = REPO) -> list[str]:
    """Internal links and assets in the raw HTML of a source page that would not resolve once built: X.html must be
    a page (X.md or X.ipynb) beside the source, any other file must exist; a root-relative path is refused."""
    problems = []
    for url in RAW_LINK.findall(source_markdown(path)):
        target = urlsplit(url).path
        if re.match(r"^[a-zA-Z][\w+.-]*:|^//", url) or not target:
            continue  # another host (the built-site checks judge those) or an anchor on the same page
        resolved = (path.parent / unquote(target)).resolve()
        pages = [resolved.with_suffix(s) for s in (".md", ".ipynb")] if resolved.suffix == ".html" else [resolved]
        if target.startswith("/") or not any(p.is_file() for p in pages):
            problems.append(f"{path.relative_to(root)}: {url}")
    return problems


def test_raw_html_links_resolve():
    """Every internal href/src written as raw HTML in the pages and notebooks points at a page or file that exists
    (MyST checks its own links; raw HTML it passes through unchecked)."""
    sources = [REPO / "intro.md", *sorted(REPO.glob("chapters/*/*.md")), *sorted(REPO.glob("notebooks/*/*.ipynb"))]
    problems = [problem for path in sources for problem in raw_link_problems(path)]
    assert not problems, "raw HTML links that do not resolve:\n" + "\n".join(problems)


@pytest.mark.parametrize(("html", "ok"), [
    ('<a href="../ko/index.html#top">', True), ('<img src="../en/missing.png">', False),
    ('<a href="nowhere.html">', False), ('<a href="/chapters/en/index.html">', False),
    ('<a href="https://example.org/">', True), ('<a href="#a-heading">', True),
])
def test_raw_link_rule(tmp_path, html, ok):
    """raw_link_problems accepts a page or file that exists, and refuses a missing one or a root-relative path."""
    for folder in ("en", "ko"):
        (tmp_path / "chapters" / folder).mkdir(parents=True)
    (tmp_path / "chapters" / "ko" / "index.md").write_text("# 시작\n", encoding="utf-8")
    page = tmp_path / "chapters" / "en" / "page.md"
    page.write_text(f"# A page\n\nSee {html}here</a>.\n", encoding="utf-8")
    assert (raw_link_problems(page, tmp_path) == []) is ok


def test_config_points_no_asset_at_another_host():
    """No key or value of _config.yml (asset paths, nb_ipywidgets_js and its data-jupyter-widgets-cdn, mathjax_path,
    favicon...) names another host, except the links of CONFIG_LINKS: the fast guard of the built-site checks."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    remote = [f"{path}: {text}" for path, text in config_strings(config)
              if path not in CONFIG_LINKS and (is_remote(text) or HOST_URL.search(text))]
    assert not remote, "_config.yml points at another host (serve the asset from assets/):\n" + "\n".join(remote)


ICONS = "i.fa, i.fas, i.fab, i.fa-solid, i.fa-brands, i.fa-regular"  # the theme's header and toc icons


# --- slow: the built site --------------------------------------------------------------------------------------


def test_every_built_page_is_checked(built_site):
    """The pages checked below are exactly the pages the build wrote (a page missing from the toc is caught)."""
    assert built_pages(built_site) == set(PAGES)


def test_pages_and_styles_only_reference_local_assets(built_site):
    """No page or stylesheet of the site points a script, style, font, image or frame at another host."""
    remote = {f"{p.relative_to(built_site)}: {url}" for p in built_site.rglob("*.html") for url in parse(p).urls
              if is_remote(url)}
    for css in built_site.rglob("*.css"):
        remote |= {f"{css.relative_to(built_site)}: {m.group(1) or m.group(2)}"
                   for m in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace"))
                   if is_remote(m.group(1) or m.group(2))}
    assert not remote, "assets from outside the site:\n" + "\n".join(sorted(remote))


def named_hosts(text: str) -> set[str]:
    """The hosts other than 127.0.0.1 that URLs in `text` name (XML namespace names are not URLs)."""
    return {m.group(1) or m.group(2) for m in HOST_URL.finditer(NAMESPACES.sub("", text))} - LOCAL_HOSTS


def test_no_built_file_names_another_host(built_site):
    """No html, js or css file of the site names a host other than 127.0.0.1, except in a link (html), in the
    set-up cell's code (PACKAGE_SOURCE: the repository that _config.yml names, installed from only where `utils` is
    missing) or in the third-party files of THIRD_PARTY_HOSTS, each with the hosts listed there (sphinx-thebe's
    unpkg.com is gone)."""
    found = []
    for path in sorted(p for ext in ("html", "js", "css") for p in built_site.rglob(f"*.{ext}")):
        relative = path.relative_to(built_site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            parser = HostsOutsideLinks()
            parser.feed(text.replace(PACKAGE_SOURCE, "the package source"))
            found += [f"{relative}: {host}" for host in sorted(set(parser.hosts))]
            continue
        allowed = set().union(*(hosts for pattern, hosts in THIRD_PARTY_HOSTS.items()
                                if fnmatch.fnmatch(relative, pattern)))
        found += [f"{relative}: {host}" for host in sorted(named_hosts(text) - allowed)]
    assert not found, "hosts named in the built site:\n" + "\n".join(found)


def test_some_page_has_maths(built_site):
    """At least one page carries equations, so the maths checks below are not vacuous."""
    assert any("math" in parse(built_site / f"{name}.html").classes for name in PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline(name, built_site, site_server, page, screenshot):
    """The page loads with no console error and no outside request; its maths and widgets render; its first visit
    fetches at most FIRST_VISIT_BUDGET gzipped."""
    refs = parse(built_site / f"{name}.html")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site_server}{name}.html", wait_until="load")
    if "math" in refs.classes:  # typeset at build time (_ext/qkv_maths.py): an SVG whose glyphs the page holds
        bare = page.eval_on_selector_all(
            ".math", "els => els.filter(e => !e.querySelector('mjx-container > svg')).map(e => e.textContent)")
        assert not bare, f"equations without their SVG: {bare}"
        missing = page.eval_on_selector_all(".math use", """uses => uses.map(u => u.getAttribute('xlink:href'))
            .filter(href => !(document.getElementById(href.slice(1)) instanceof SVGPathElement))""")
        assert not missing, f"glyphs the page's equations use and it does not hold: {sorted(set(missing))}"
        assert page.locator('.math [data-mml-node="merror"]').count() == 0, "MathJax reported a TeX error"
    if page.locator(VIEW).count():
        # assets/widgets-offline.js puts each stored view in a div.widget-subarea right before its <script>
        page.wait_for_function(f"""() => [...document.querySelectorAll('{VIEW}')].every(s =>
            s.previousElementSibling?.matches('.widget-subarea') && s.previousElementSibling.firstElementChild)""")
        assert page.locator(".jupyter-widgets-error-widget").count() == 0, "a widget failed to render"
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    undrawn = page.eval_on_selector_all(ICONS, """els => els.filter(e => e.getBoundingClientRect().width > 0 &&
        !getComputedStyle(e, '::before').fontFamily.includes('Font Awesome')).map(e => e.className)""")
    assert not undrawn, f"icons without their webfont (the theme's script is removed): {undrawn}"
    weight = harness.gzipped_weight(built_site, requested)
    assert weight <= FIRST_VISIT_BUDGET, f"a first visit fetches {weight / 1024:.0f} KiB gzipped (budget 1 MiB)"
    screenshot(page, name.replace("/", "__"))


def test_internal_links_resolve(built_site):
    """Every internal <a href> of every page, raw HTML included, points at a built file and, with #id, at an
    element of that file with that id."""
    ids, problems = {}, []
    for name in PAGES:
        page = built_site / f"{name}.html"
        for tag, attrs in LinkTags.of(page):
            href = dict(attrs).get("href") or ""
            if tag != "a" or re.match(r"^[a-zA-Z][\w+.-]*:|^//", href):
                continue
            path, fragment = urlsplit(href).path, urlsplit(href).fragment
            target = page.parent.joinpath(unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{name}.html: {href} (no such file)")
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r"""\bid=["']([^"']+)""", target.read_text(encoding="utf-8")))
                if unquote(fragment) not in ids[target]:
                    problems.append(f"{name}.html: {href} (no id {fragment!r} there)")
    assert not problems, "links that do not resolve:\n" + "\n".join(sorted(set(problems)))


def test_every_page_declares_an_icon_that_exists(built_site):
    """Each page names its icon (<link rel="icon">, an existing file), so no browser falls back to asking the site
    for /favicon.ico, a 404 on every fresh visit (the root index.html only redirects: it shows nothing)."""
    problems = []
    for name in PAGES:
        if 'http-equiv="Refresh"' in (built_site / f"{name}.html").read_text(encoding="utf-8")[:300]:
            continue
        icons = [dict(attrs) for tag, attrs in LinkTags.of(built_site / f"{name}.html") if tag == "link"
                 and "icon" in (dict(attrs).get("rel") or "").lower().split()]
        if not icons:
            problems.append(f"{name}.html: no <link rel=icon>")
        problems += [f"{name}.html: icon {icon['href']} is missing" for icon in icons
                     if not (built_site / name).parent.joinpath(icon["href"].split("?")[0]).is_file()]
    assert not problems, "\n".join(problems)


def test_no_page_loads_the_font_awesome_script(built_site):
    """The theme's 1.45 MB icon script is gone from every page and from _static (_ext/fontawesome_lite.py)."""
    loading = [str(p.relative_to(built_site)) for p in built_site.rglob("*.html") if "fontawesome.js" in p.read_text()]
    assert not loading and not (built_site / "_static" / "scripts" / "fontawesome.js").exists(), loading


def test_every_icon_has_its_glyph_in_the_cut_webfonts(built_site):
    """Every Font Awesome icon a page shows (an element with an fa-* class) and every icon character the styles use
    (the admonitions') is drawn by the cut webfont of its family (_ext/fontawesome_lite.py)."""
    webfonts = built_site / fontawesome_lite.WEBFONTS
    glyphs = {name: set(TTFont(webfonts / f"{name}.woff").getBestCmap()) for name in fontawesome_lite.FONTS}
    css = (built_site / fontawesome_lite.THEME_CSS).read_text(encoding="utf-8")  # as served (_ext/unused_css.py)
    whole = whole_stylesheet(built_site, built_site / fontawesome_lite.THEME_CSS).read_text(encoding="utf-8")
    codepoints = fontawesome_lite.icon_codepoints(whole)
    assert len(codepoints) > 1000, "Font Awesome's icon rules were not found in the theme's stylesheet"
    served = fontawesome_lite.icon_codepoints(css)
    missing = set()
    for name in PAGES:
        soup = BeautifulSoup((built_site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        for element in soup.select('[class*="fa-"]'):
            classes = element.get("class", [])
            font = ("fa-brands-400" if {"fab", "fa-brands"} & set(classes) else
                    "fa-regular-400" if {"far", "fa-regular"} & set(classes) else "fa-solid-900")
            missing |= {f"{name}: {icon} ({font})" for icon in classes
                        if icon in codepoints and codepoints[icon] not in glyphs[font]}
            missing |= {f"{name}: {icon} (no rule in the served stylesheet)" for icon in classes
                        if icon in codepoints and served.get(icon) != codepoints[icon]}
    characters = fontawesome_lite.style_codepoints(css)
    assert characters, "the theme's own icon characters (--pst-icon-*) were not found"
    missing |= {f"styles: U+{char:04X}" for char in characters
                if char not in glyphs["fa-solid-900"] | glyphs["fa-brands-400"]}
    assert not missing, "icons without a glyph:\n" + "\n".join(sorted(missing))
