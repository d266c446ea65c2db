"""The built site works offline: every page loads quietly in Chromium, maths and widgets render, assets are local."""

import hashlib
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "assets" / "vendor"
VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
# <link rel=...> values that only point somewhere; every other rel (stylesheet, icon, preload...) fetches
NAVIGATION_RELS = {"alternate", "author", "bookmark", "canonical", "help", "index", "license", "next", "prev",
                   "search", "external", "noopener", "noreferrer", "nofollow", "me", "top", "up", "first", "last"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


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
    return [toc["root"], *files(toc), *redirect, "genindex", "search"]


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


def parse(path: Path) -> AssetRefs:
    """The asset URLs and class names of one html page."""
    refs = AssetRefs()
    refs.feed(path.read_text(encoding="utf-8"))
    return refs


# --- fast: the vendored files ---------------------------------------------------------------------------------


def test_vendored_assets_match_their_checksums():
    """Every file under assets/vendor is listed in SHA256SUMS with its current hash, and nothing listed is missing."""
    listed = dict(reversed(line.split("  ", 1)) for line in (VENDOR / "SHA256SUMS").read_text().splitlines())
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == present, "run `make assets`: SHA256SUMS and assets/vendor list different files"
    wrong = [name for name, digest in listed.items()
             if hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() != digest]
    assert not wrong, f"vendored files changed since `make assets`: {wrong}"


def test_vendored_anywidget_is_the_installed_one():
    """The site's anywidget module is the one the pinned anywidget wheel ships (re-run `make assets` after a bump)."""
    installed = Path(importlib.util.find_spec("anywidget").origin).parent / "nbextension" / "index.js"
    assert (VENDOR / "anywidget" / "index.js").read_bytes() == installed.read_bytes()


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


def test_some_page_has_maths(built_site):
    """At least one page carries equations, so the MathJax check below is not vacuous."""
    assert any("math" in parse(built_site / f"{name}.html").classes for name in PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline(name, built_site, site_server, page, screenshot):
    """The page loads with no console error and no outside request; its maths and widgets render."""
    refs = parse(built_site / f"{name}.html")
    page.goto(f"{site_server}{name}.html", wait_until="load")
    if "math" in refs.classes:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        untypeset = page.eval_on_selector_all(
            ".math", "els => els.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent)")
        assert not untypeset, f"equations MathJax did not typeset: {untypeset}"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    if page.locator(VIEW).count():
        # html-manager puts each stored view in a div.widget-subarea right before its <script>
        page.wait_for_function(f"""() => [...document.querySelectorAll('{VIEW}')].every(s =>
            s.previousElementSibling?.matches('.widget-subarea') && s.previousElementSibling.firstElementChild)""")
        assert page.locator(".jupyter-widgets-error-widget").count() == 0, "a widget failed to render"
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    undrawn = page.eval_on_selector_all(ICONS, """els => els.filter(e => e.getBoundingClientRect().width > 0 &&
        !getComputedStyle(e, '::before').fontFamily.includes('Font Awesome')).map(e => e.className)""")
    assert not undrawn, f"icons without their webfont (the theme's script is removed): {undrawn}"
    screenshot(page, name.replace("/", "__"))


def test_no_page_loads_the_font_awesome_script(built_site):
    """The theme's 1.45 MB icon script is gone from every page and from _static (_ext/no_fontawesome_script.py)."""
    loading = [str(p.relative_to(built_site)) for p in built_site.rglob("*.html") if "fontawesome.js" in p.read_text()]
    assert not loading and not (built_site / "_static" / "scripts" / "fontawesome.js").exists(), loading
