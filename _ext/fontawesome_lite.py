"""Font Awesome, light: pydata-sphinx-theme's icons without its 1.45 MB script, from webfonts cut to the icons the
site shows.

- The theme ships Font Awesome twice: as a script that swaps each `<i class="fa-...">` for an inline SVG, and as
  webfonts with CSS that draw the same `<i>` icons. The pages use no custom icon that only the script knows, so the
  script is removed from every written page and from `_static` (tests/test_site.py checks the icons still show).
- The webfonts hold about 2,000 icons (275 KB for solid and brands, fetched by every first visit); the site shows a
  few dozen. Each font is cut (fontTools, as matplotlib installs it) to the icons named by an `fa-*` class in a page
  or a script of the site, and to every icon character the theme's styles use directly (the admonitions' icons, in
  `--pst-icon-*` variables). The cut fonts are WOFF (zlib; WOFF2 would need brotli) and replace the originals in the
  theme's `@font-face` rules. `icon_codepoints` and `shown_codepoints` are what tests/test_site.py checks with.
"""

import re
from pathlib import Path

from fontTools import subset
from sphinx.application import Sphinx

SCRIPT_TAG = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
THEME_CSS = Path("_static") / "styles" / "pydata-sphinx-theme.css"
WEBFONTS = Path("_static") / "vendor" / "fontawesome" / "webfonts"
FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
ICON_RULE = re.compile(r'((?:\.fa-[\w-]+:+before,?)+)\{content:"\\([0-9a-f]+)"\}')  # .fa-sun:before{content:"\f185"}
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
ICON_CHARACTER = re.compile("[\ue000-\uf8ff]")  # Unicode's private use area, where the icons live
ICON_ESCAPE = re.compile(r'"\\0*([ef][0-9a-f]{3})"')  # "\f185", or "\00f185" (_ext/unused_css.py writes ASCII)
FONT_SOURCE = re.compile(r'src:url\(([^)]*/webfonts/)({})\.woff2\) format\("woff2"\),url\([^)]*\.ttf\) '
                         r'format\("truetype"\)'.format("|".join(FONTS)))


def icon_codepoints(css: str) -> dict:
    """{'fa-sun': 0xf185, ...}: each icon class of Font Awesome's stylesheet and the character it draws."""
    return {name.strip(".").split(":")[0]: int(code, 16) for names, code in ICON_RULE.findall(css)
            for name in names.split(",") if name}


def shown_codepoints(outdir: Path) -> set:
    """The icon characters the site can show: its `fa-*` classes (pages and scripts), and the icon characters its
    stylesheets use outside Font Awesome's own icon rules."""
    icons = icon_codepoints((outdir / THEME_CSS).read_text(encoding="utf-8"))
    named = set()
    for path in [*outdir.rglob("*.html"), *(outdir / "_static").rglob("*.js")]:
        named |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    shown = {icons[name] for name in named if name in icons}
    for path in (outdir / "_static").rglob("*.css"):
        shown |= style_codepoints(path.read_text(encoding="utf-8", errors="replace"))
    return shown


def style_codepoints(css: str) -> set:
    """The icon characters a stylesheet uses outside Font Awesome's own icon rules, written or escaped."""
    rest = ICON_RULE.sub("", css)
    return {ord(char) for char in ICON_CHARACTER.findall(rest)} | {int(code, 16) for code in ICON_ESCAPE.findall(rest)}


def cut_fonts(outdir: Path) -> None:
    """Each webfont cut to the shown icons, as WOFF, in place of its WOFF2 and TTF in the theme's @font-face."""
    css_path = outdir / THEME_CSS
    css = css_path.read_text(encoding="utf-8")
    if not FONT_SOURCE.search(css):
        return  # already cut (an incremental build that did not copy the theme's files again)
    shown = shown_codepoints(outdir)
    options = subset.Options()
    options.flavor = "woff"
    for name in FONTS:
        font = subset.load_font(str(outdir / WEBFONTS / f"{name}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(shown & set(font.getBestCmap())))
        subsetter.subset(font)
        subset.save_font(font, str(outdir / WEBFONTS / f"{name}.woff"), options)
        for original in (f"{name}.woff2", f"{name}.ttf"):
            (outdir / WEBFONTS / original).unlink()
    css_path.write_text(FONT_SOURCE.sub(r'src:url(\1\2.woff) format("woff")', css), encoding="utf-8")


def lighten(app: Sphinx, exception) -> None:
    """Remove the script tag from every page, then the script and its source map; cut the webfonts."""
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
    cut_fonts(out)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", lighten)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
