"""Page weight: each built page's HTML plus everything it loads in Chromium, and the size of the whole site."""

from tests.harness import built_html, chromium, local_file, serving

from .timing import table

SHARED = ("_static/widgets-offline.js",)  # the widget loader: cached once
THEME = ("_static/", "searchindex.js")  # the theme's scripts, styles and fonts, and the search index: every page
TARGET_MB = 1.5
MB = 1024 * 1024


def _weights(page, base, html, path):
    """(total, outside the shared assets, the page's own HTML and images) bytes that loading `path` fetches."""
    urls = set()
    page.on("request", lambda request: urls.add(request.url))
    page.goto(base + path, wait_until="networkidle")
    total = unshared = own = 0
    for url in urls:
        local = local_file(html, url)
        if local:
            size, relative = local.stat().st_size, str(local.relative_to(html))
            total += size
            unshared += 0 if relative.startswith(SHARED) else size
            own += 0 if relative.startswith(THEME) else size
    return total, unshared, own


def run():
    """Markdown table of page weights (MB) and the built site's size."""
    html = built_html(rebuild=False)
    rows = []
    with serving(html) as (base, _), chromium() as browser:
        for path in sorted(html.rglob("*.html")):
            relative = str(path.relative_to(html))
            if relative in ("genindex.html", "search.html") or relative.startswith("_static/"):
                continue  # index pages, and theme templates copied into _static
            page = browser.new_page()
            total, unshared, own = _weights(page, base, html, relative)
            page.close()
            verdict = "met" if unshared / MB <= TARGET_MB else "MISSED"
            rows.append([relative, f"{total / MB:.2f}", f"{unshared / MB:.2f}", verdict, f"{own / MB:.2f}"])
    site_mb = sum(f.stat().st_size for f in html.rglob("*") if f.is_file()) / MB
    header = ["page", "loads, MB", "without the widget loader, MB", f"≤ {TARGET_MB} MB", "own HTML + images, MB"]
    note = ("\n\nAbout 0.7 MB of every page (uncompressed) is the theme's scripts, styles and fonts, the same for all "
            "pages and cached after the first; the theme's 1.45 MB Font Awesome script is removed and its webfonts cut "
            "to the icons shown (_ext/fontawesome_lite.py). Sizes are uncompressed: a first visit fetches "
            "0.15-0.37 MiB gzipped (bench/speed.py).")
    return table(header, rows) + note + f"\n\nWhole built site: {site_mb:.1f} MB."
