"""The English original, one click away: each translated heading, paragraph and caption of a Korean page can show
the English it translates, in place.

The Korean page and its English twin have the same cells and the same structure (the parity tests check it), so
their translated blocks, taken in document order, pair one to one. At build time each Korean block gets an empty
`<div class="qkv-original" data-original="N">` after it, and the page gets the English blocks' html in one
`<script type="application/json" id="qkv-originals">`: no extra request, works offline. The toggles (one before
each placeholder, one at the top of the page) are written here too, so the page is laid out with them from its first
paint (added by a script, they pushed the text down as it was read: a layout shift of 0.13 on a phone);
assets/qkv-originals.js makes them work (off by default; the page's choice remembered in localStorage).
A page whose blocks do not pair (a count differs) gets no originals rather than wrong ones.
"""

import json

from docutils import nodes

from _ext.qkv_i18n import counterpart, page_language

BLOCKS = (nodes.title, nodes.paragraph, nodes.caption)  # what a translation changes, block by block
NOT_TRANSLATED = (nodes.table, nodes.citation, nodes.footnote, nodes.literal_block, nodes.raw, nodes.field_list)

ORIGINALS_ID = "qkv-originals"  # the id of the JSON block that holds the English (assets/qkv-originals.js reads it)
# A block's toggle: its name starts with the visible word (WCAG 2.5.3, axe). The page's toggle shows them all.
BLOCK_TOGGLE = ('<button type="button" class="qkv-original-toggle" aria-controls="qkv-original-{number}" '
                'aria-expanded="false" title="영어 원문 보기" aria-label="영문: 영어 원문 보기">영문</button>')
PAGE_TOGGLE = '<button type="button" class="qkv-originals-all" aria-expanded="false">영어 원문 모두 보기</button>'


def translated_blocks(doctree):
    """The doctree's headings, paragraphs and captions in document order, outside tables, citations, code and the
    tables of contents (their entries are other pages' titles, and each edition lists its own)."""
    return [node for node in doctree.findall(lambda n: isinstance(n, BLOCKS))
            if not any(isinstance(parent, NOT_TRANSLATED) or "toctree-wrapper" in parent.get("classes", [])
                       for parent in _parents(node))
            and not isinstance(node.parent, nodes.document)]


def _parents(node):
    """The node's ancestors, nearest first."""
    while node.parent is not None:
        node = node.parent
        yield node


def english_html(app, node):
    """A block of the English doctree as html (maths as SVG, as on the page)."""
    if isinstance(node, nodes.title):
        return f"<p>{app.builder.render_partial(nodes.paragraph('', '', *node.deepcopy().children))['fragment']}</p>"
    return app.builder.render_partial(node.deepcopy())["fragment"]


def add_originals(app, doctree, docname):
    """On a Korean page with an English twin: a placeholder after each translated block and the English as JSON."""
    twin = counterpart(docname)
    if page_language(docname) != "ko" or twin not in app.env.all_docs or app.builder.format != "html":
        return
    korean = translated_blocks(doctree)
    english = translated_blocks(app.env.get_and_resolve_doctree(twin, app.builder))
    if not korean or len(korean) != len(english):
        return
    originals = []
    for ko, en in zip(korean, english, strict=True):
        if not en.astext().strip():
            continue  # an empty block (an exercise's empty title paragraph): nothing to show
        number = len(originals)
        originals.append(english_html(app, en))
        placeholder = (BLOCK_TOGGLE.format(number=number) + f'<div class="qkv-original" id="qkv-original-{number}" '
                       f'data-original="{number}" lang="en" hidden></div>')
        ko.parent.insert(ko.parent.index(ko) + 1, nodes.raw("", placeholder, format="html"))
    data = json.dumps(originals, ensure_ascii=False).replace("</", "<\\/")
    doctree += nodes.raw("", f'<script type="application/json" id="{ORIGINALS_ID}">{data}</script>', format="html")


def add_page_toggle(app, pagename, templatename, context, doctree):
    """The page's toggle first in its body, before the language switch (floated right, they share a line)."""
    if f'id="{ORIGINALS_ID}"' in context.get("body", ""):
        context["body"] = PAGE_TOGGLE + "\n" + context["body"]


def setup(app):
    """Add the originals to Korean pages, and the toggles' script and style to the site."""
    app.connect("doctree-resolved", add_originals, priority=900)  # after qkv_i18n's own changes
    app.connect("html-page-context", add_page_toggle, priority=600)  # after qkv_i18n's language switch
    app.add_js_file("qkv-originals.js")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
