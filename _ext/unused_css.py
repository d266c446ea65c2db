"""The theme's, sphinx-design's and MyST-NB's stylesheets without the rules that nothing in the site can use.

Every page loads these three stylesheets in its head (pydata-sphinx-theme.css alone, Bootstrap and the theme, is
397 KB, 65 KB gzipped), and the first paint waits for them: on a phone (Lighthouse's slow 4G) they were the largest
part of a page's first contentful paint. Most of their rules style what this book never shows (Bootstrap's
carousel, sphinx-design's grids of every size). After the build, each keeps only the rules whose selectors name
classes, ids and elements that occur somewhere in the site: in a built page, in a script the site ships (a class a
script adds is named in it) or in a widget's stored state. This is PurgeCSS's rule, done with tinycss2: a selector
is kept when every name it needs is a word of the site; names inside `:not()`, `:is()`, `:where()` and `:has()`
and attribute selectors never remove a rule, and a selector with an escape is kept. At-rules other than @media,
@supports, @layer and @container (fonts, keyframes) are kept whole.

tinycss2 writes an escaped character (Font Awesome's `"\\f185"`) as the character itself; the trimmed stylesheet
writes every character outside ASCII escaped again (`"\\00f185"`), so it reads the same whatever encoding a server
declares. The whole stylesheet is kept in `_build/.unused_css/` the first time; a later build (which may not copy the
static files again, and may add a page that uses more) trims that copy again, never an already trimmed file.
"""

import re
from pathlib import Path

import tinycss2
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

TRIMMED = ("_static/styles/pydata-sphinx-theme.css", "_static/sphinx-design.min.css", "_static/mystnb.*.css")
MARKER = "/* Rules that no page, script or widget of this site can use removed by _ext/unused_css.py. */\n"
WORD = re.compile(r"[A-Za-z0-9_-]+")
NOT_ASCII = re.compile(r"[^\x00-\x7f]")
SITE_TEXT = ("*.html", "*.js", "*.json")  # pages, scripts, widget state: where a class, id or element is named
GROUPS = ("media", "supports", "layer", "container")  # at-rules whose rules are trimmed one by one
FUNCTIONAL = re.compile(r":[\w-]+\([^()]*\)")  # :not(.x), :nth-child(2n+1): the innermost first
NAMED = re.compile(r"[.#](-?[A-Za-z_][\w-]*)|(?:^|(?<=[\s>+~(]))([A-Za-z][\w-]*)")


def site_words(outdir: Path) -> set[str]:
    """Every word (letters, digits, '-', '_') of the built site's pages, scripts and JSON files."""
    words = set()
    for pattern in SITE_TEXT:
        for path in outdir.rglob(pattern):
            words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def names_needed(selector: str) -> list[str] | None:
    """The class, id and element names a selector needs, or None for one never to remove (an escape in it)."""
    if "\\" in selector:
        return None
    bare = re.sub(r"\[[^\]]*\]", "", selector)  # attribute selectors
    while FUNCTIONAL.search(bare):
        bare = FUNCTIONAL.sub("", bare)
    bare = re.sub(r"::?[\w-]+", "", bare)  # :hover, ::before
    return [match[1] or match[2] for match in NAMED.finditer(bare.strip())]


def selector_list(prelude: str) -> list[str]:
    """The selectors of a rule's prelude: split at its commas, not at those inside brackets (`:is(.a, .b)`)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    return [part.strip() for part in [*parts, prelude[start:]]]


def used(selector: str, words: set[str]) -> bool:
    needed = names_needed(selector)
    return needed is None or all(name in words for name in needed)


def trimmed_rules(rules, words: set[str]) -> str:
    """The rules, serialised, without those (and the selectors of a list) that need a name not in `words`."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [selector for selector in selector_list(tinycss2.serialize(rule.prelude))
                         if used(selector, words)]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPS and rule.content is not None:
            inner = trimmed_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                                  words)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
        elif rule.type == "error":
            raise ExtensionError(f"_ext/unused_css.py: a stylesheet does not parse ({rule.message})")
    return "".join(kept)


def trim_stylesheet(css: str, words: set[str]) -> str:
    """`css` without the rules that need a name not in `words`, marked as trimmed, in ASCII."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    rules = [rule for rule in rules if not (rule.type == "at-rule" and rule.lower_at_keyword == "charset")]
    return MARKER + NOT_ASCII.sub(lambda match: f"\\{ord(match[0]):06x}", trimmed_rules(rules, words))


def whole_stylesheet(outdir: Path, path: Path) -> Path:
    """Where the whole copy of the built stylesheet `path` is kept."""
    return outdir.parent / ".unused_css" / path.relative_to(outdir)


def trim_site(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    words = None
    for pattern in TRIMMED:
        found = sorted(outdir.glob(pattern))
        if not found:
            raise ExtensionError(f"_ext/unused_css.py: no stylesheet {pattern} in {outdir} (a new theme or "
                                 "extension version? update TRIMMED)")
        for path in found:
            words = words if words is not None else site_words(outdir)
            copy = whole_stylesheet(outdir, path)
            css = path.read_text(encoding="utf-8")
            if not css.startswith(MARKER):
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(css, encoding="utf-8")
            elif not copy.is_file():
                raise ExtensionError(f"_ext/unused_css.py: {path} was trimmed by an earlier build and its whole "
                                     f"copy {copy} is gone; delete {outdir} and build again")
            path.write_text(trim_stylesheet(copy.read_text(encoding="utf-8"), words), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", trim_site, priority=900)  # after the pages are rewritten (_ext/qkv_head.py)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
