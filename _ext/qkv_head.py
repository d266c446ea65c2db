"""What each page's head holds: nothing that delays the first paint, a description, and the site's absolute address.

- Scripts: Sphinx and the extensions write their scripts as plain `<script>`s in the head, where each one stops the
  page from painting until it has loaded and run. After the build, every classic script of a head that is neither
  deferred nor async is moved, in the same order, to the end of the body: it runs at the same point relative to the
  others, before DOMContentLoaded as before, but the page paints first. Scripts that stay: the theme's colour-mode
  script (`data-cfasync="false"`: the first paint needs the reader's light or dark mode), `defer`, `async` and
  module scripts (they never block), and data blocks (widget state, JSON).
- Script preloads: the theme preloads its two scripts, which are deferred and run only once the page is parsed;
  fetched first, they shared a phone's bandwidth with the stylesheets the first paint waits for (Lighthouse's first
  contentful paint: 0.3 s later). They go: each script is still fetched when the parser reaches it.
- Search: the theme loads Sphinx's search scripts and the whole search index (about 50 KB gzipped) on every page,
  for a search-as-you-type box that is off (`search_as_you_type`); only a search page (one with `#search-results`)
  keeps them.
- Widget state: a page that stores widgets carries their whole state (each widget's module, style, labels and
  data: 40-80 KB gzipped) in a `<script>` in its head, which the page's first paint waited for. It moves to a file
  beside the page, `<page>.widgets.json`; the script stays, empty, naming the file (`src`), and the widget loader
  (assets/widgets-offline.js) fetches it.
- One `<meta name="viewport">` (Sphinx's layout and the theme's both write one).
- `<meta name="description">`: the page's first paragraph of prose, shortened to DESCRIPTION_LENGTH characters.
- html_baseurl, the site's address, comes from the repository _config.yml names (repository.url, the project's one
  configured address): `https://github.com/OWNER/NAME` is published at `https://OWNER.github.io/NAME/` (GitHub
  Pages). Sphinx writes it as each page's canonical link; _ext/qkv_i18n.py writes absolute hreflang links with it.
  `html: baseurl:` in _config.yml overrides it.
"""

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx

DESCRIPTION_LENGTH = 155  # what search engines show of a description
HEAD_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.S)
VIEWPORT = re.compile(r'\s*<meta name="viewport"[^>]*>')
SCRIPT_PRELOAD = re.compile(r'\s*<link rel="preload" as="script"[^>]*>')
CLASSIC_TYPES = ("", "text/javascript", "application/javascript")
SEARCH_SCRIPT = re.compile(r'\s*<script src="[^"]*(_static/searchtools|_static/language_data|searchindex)\.js">'
                           r"</script>")
SEARCH_PAGE = 'id="search-results"'
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
STATE_SUFFIX = ".widgets.json"


def base_url(repository_url: str) -> str:
    """'https://github.com/OWNER/NAME' -> 'https://OWNER.github.io/NAME/' (GitHub Pages), else ''."""
    parts = urlsplit(repository_url or "")
    path = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.hostname != "github.com" or len(path) != 2 or not all(path):
        return ""
    return f"https://{path[0].lower()}.github.io/{path[1]}/"


def set_base_url(app: Sphinx, config) -> None:
    """html_baseurl from the repository's address, unless _config.yml sets `html: baseurl`."""
    if not config.html_baseurl:
        config.html_baseurl = base_url((config.html_theme_options or {}).get("repository_url", ""))


def description(doctree) -> str:
    """The first paragraph of prose of a page (not in an admonition, a table or a cell's output), shortened."""
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        if not isinstance(paragraph.parent, nodes.section):
            continue
        text = " ".join(paragraph.astext().split())
        if len(text) >= 40:
            if len(text) > DESCRIPTION_LENGTH:
                text = text[:DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
            return text
    return ""


def add_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A `<meta name="description">` from the page's first paragraph, else from its title and the book's."""
    text = description(doctree) or " · ".join(
        part for part in (html.unescape(re.sub("<[^>]+>", "", context.get("title") or "")), app.config.project)
        if part)
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{html.escape(text)}">'


def blocks_paint(attributes: str) -> bool:
    """True for a head script that stops the first paint: classic, neither defer nor async, not the mode script."""
    kind = re.search(r'\btype="([^"]*)"', attributes)
    if kind and kind[1] not in CLASSIC_TYPES:
        return False  # a module (deferred) or a data block
    return not re.search(r"\b(defer|async)\b", attributes) and 'data-cfasync="false"' not in attributes


def lighter_head(page: str) -> str:
    """The page with its head's paint-blocking scripts moved to the end of its body, no script preloads, and one
    viewport meta."""
    end = page.find("</head>")
    if end < 0 or "</body>" not in page:
        return page
    head, rest = page[:end], page[end:]
    moved = []

    def move(match):
        if not blocks_paint(match[1]):
            return match[0]
        moved.append(match[0].strip())
        return ""

    head = SCRIPT_PRELOAD.sub("", HEAD_SCRIPT.sub(move, head))
    first = VIEWPORT.search(head)
    if first:
        head = head[:first.end()] + VIEWPORT.sub("", head[first.end():])
    before, _, after = rest.rpartition("</body>")
    return head + before + "\n".join(moved) + "\n</body>" + after


def without_search_scripts(page: str) -> str:
    """The page without the search scripts and index, unless it is a search page."""
    return page if SEARCH_PAGE in page else SEARCH_SCRIPT.sub("", page)


CONTENT_IMAGE = re.compile(r"<img\b(?![^>]*\bloading=)(?=[^>]*\bsrc=\"[^\"]*_images/)")


def lazy_figures(page: str) -> str:
    """The page with its figures (images from _images/) loaded only when they come near the screen."""
    return CONTENT_IMAGE.sub('<img loading="lazy"', page)


def state_file(page: Path) -> Path:
    """Where the widget state of the built page `page` goes: `<page>.widgets.json` beside it."""
    return page.with_name(page.stem + STATE_SUFFIX)


def widget_state_apart(page: str, file_name: str) -> tuple[str, str | None]:
    """The page with its widget state script emptied and naming `file_name` instead, and the state (None if none)."""
    found = WIDGET_STATE.search(page)
    if not found:
        return page, None
    reference = f'<script type="application/vnd.jupyter.widget-state+json" src="{html.escape(file_name)}"></script>'
    return page[:found.start()] + reference + page[found.end():], found[1]


def rewrite_pages(app: Sphinx, exception) -> None:
    """Apply `lighter_head`, `lazy_figures`, `widget_state_apart` and (search-as-you-type off)
    `without_search_scripts` to every page."""
    if exception is not None or app.builder.format != "html":
        return
    search_as_you_type = (app.config.html_theme_options or {}).get("search_as_you_type")
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        lighter = lazy_figures(lighter_head(text if search_as_you_type else without_search_scripts(text)))
        lighter, state = widget_state_apart(lighter, state_file(path).name)
        if state is not None:
            state_file(path).write_text(state, encoding="utf-8")
        if lighter != text:
            path.write_text(lighter, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", set_base_url)
    app.connect("html-page-context", add_description)
    app.connect("build-finished", rewrite_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
