"""Sphinx extension for the two editions: `<html lang>`, links between twin pages, and the glossary table.

- Pages under `chapters/ko/` and `notebooks/ko/` declare `<html lang="ko">`, every other page `lang="en"`.
- A page whose twin in the other language was built gets a "한국어로 읽기" / "Read in English" link at the top of
  its body (with `lang` and `hreflang`) and a `<link rel="alternate" hreflang>` in its head; the landing page links
  to both editions. The notebooks themselves carry no language links, so both editions keep the same cells.
- Every page ends with the licence and the credit to *Dive into Deep Learning*, in the page's language.
- ```{qkv-glossary}``` with `:lang: en|ko` renders `chapters/glossary.yml`, the one source of the chosen terms;
  the parity tests read the same file.
- Sphinx's `language` is global ('en'), so on Korean pages the few words that Sphinx, the theme and
  sphinx-exercise write themselves are swapped for the Korean ones in the tables below: caption numbers
  ("Fig. 1" -> "그림 1", "Exercise 1" -> "연습 1"), solution titles ("Solution to Exercise 1" -> "연습 1 해답"),
  the solutions' "Click to show" hint, the "Contents" heading, the search box and the previous/next links.
- Figures and exercises are numbered per edition: each language's count starts at 1, as if the other edition were
  not in the book. Captions, {numref} text and solution titles all read the same numbers, so they agree.
"""

import html
import re
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import solution_node

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "chapters" / "glossary.yml"
LANGUAGES = ("en", "ko")
EDITIONS = ("chapters", "notebooks")  # top folders that hold one sub-folder per language
LANDING_LINKS = {"en": "chapters/en/index", "ko": "chapters/ko/index"}  # where the landing page sends each reader
LINK_LABEL = {"en": "Read in English", "ko": "한국어로 읽기"}
TABLE_HEADERS = {"en": ("English", "Korean", "Not used", "Why"), "ko": ("한국어", "English", "쓰지 않는 표현", "이유")}
NAV_LABEL = {"en": "Other language", "ko": "다른 언어", "root": "Language · 언어"}
# The words Sphinx, the theme and sphinx-exercise write in English, as Korean pages show them.
NUMFIG_FORMAT_KO = {"figure": "그림 %s", "exercise": "연습 %s"}  # Sphinx's numfig_format: caption numbers
SOLUTION_TITLE_KO = "{exercise} 해답"  # sphinx-exercise's "Solution to {exercise}"
THEME_OPTIONS_KO = {"theme_toc_title": "목차", "theme_search_bar_text": "이 책에서 검색..."}
TEMPLATE_WORDS_KO = {"Search": "검색", "previous": "이전", "next": "다음"}  # words the templates pass to _()
TOGGLE_HINTS_KO = {"togglebutton_hint": "표시하려면 클릭", "togglebutton_hint_hide": "숨기려면 클릭"}  # solutions
D2L_SECTION = "https://d2l.ai/chapter_attention-mechanisms-and-transformers/queries-keys-values.html"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
# The licence and the credit to d2l under every page (the theme's extra_footer), in the page's language.
FOOTER = {
    "en": f'Text and figures: <a href="{CC_BY_SA}" rel="license">CC BY-SA 4.0</a>; code: MIT. Adapted from section '
          f'11.1 of <a href="{D2L_SECTION}"><em>Dive into Deep Learning</em></a> by Zhang, Lipton, Li and Smola '
          f'(CC BY-SA 4.0).',
    "ko": f'글과 그림: <a href="{CC_BY_SA}" rel="license">CC BY-SA 4.0</a>, 코드: MIT 라이선스. Zhang, Lipton, Li, '
          f'Smola의 <a href="{D2L_SECTION}"><em>Dive into Deep Learning</em></a> 11.1절(CC BY-SA 4.0)을 바탕으로 '
          f'썼습니다.',
}
CAPTION_NUMBER = re.compile(r'(<span class="caption-number">)([^<]*?)( </span>)')  # how Sphinx writes "Fig. 1 "


def page_language(pagename):
    """'ko' for a page of the Korean edition, otherwise 'en' (landing page, index pages and the English edition)."""
    parts = pagename.split("/")
    return parts[1] if len(parts) > 2 and parts[0] in EDITIONS and parts[1] in LANGUAGES else "en"


def counterpart(pagename):
    """The same page in the other language ('notebooks/en/x' <-> 'notebooks/ko/x'), or None outside the editions."""
    parts = pagename.split("/")
    if len(parts) < 3 or parts[0] not in EDITIONS or parts[1] not in LANGUAGES:
        return None
    parts[1] = "ko" if parts[1] == "en" else "en"
    return "/".join(parts)


def number_per_edition(app, env):
    """Renumber figures and exercises so that each edition counts from 1; return the pages whose numbers changed.

    Sphinx numbers each kind of enumerable node through the whole book in toctree order (the Korean edition's first
    exercise would be the eighth). Renumbering each language's share of every counter keeps that order.
    """
    shares = defaultdict(list)  # (language, figtype, section number) -> [(number, docname, node id)]
    for docname, figtypes in env.toc_fignumbers.items():
        for figtype, numbers in figtypes.items():
            for node_id, number in numbers.items():
                shares[page_language(docname), figtype, number[:-1]].append((number[-1], docname, node_id))
    changed = set()
    for (_, figtype, section), share in shares.items():
        for new, (old, docname, node_id) in enumerate(sorted(share), start=1):
            if new != old:
                env.toc_fignumbers[docname][figtype][node_id] = (*section, new)
                changed.add(docname)
    return sorted(changed)


def korean_number(config, text):
    """'Fig. 3' -> '그림 3', 'Exercise 3' -> '연습 3' (English `numfig_format` -> NUMFIG_FORMAT_KO); else None."""
    for figtype, korean in NUMFIG_FORMAT_KO.items():
        before, _, after = config.numfig_format[figtype].partition("%s")
        match = re.fullmatch(f"{re.escape(before)}([0-9.]+){re.escape(after)}", text)
        if match:
            return korean % match[1]
    return None


def localise_doctree(app, doctree, docname):
    """On a Korean page, write sphinx-exercise's "Solution to Exercise N" titles as "연습 N 해답"."""
    if page_language(docname) != "ko":
        return
    for solution in doctree.findall(solution_node):
        title = solution[0]  # "Solution to", then a link to the exercise: " Exercise N"
        link = title.next_node(nodes.reference)
        exercise = korean_number(app.config, link.astext().strip()) if link else None
        if exercise:
            before, _, after = SOLUTION_TITLE_KO.partition("{exercise}")  # the link stays on the exercise's name
            link[:] = [nodes.Text(exercise)]
            title[:] = [nodes.Text(before), link, nodes.Text(after)]
            solution["title"] = SOLUTION_TITLE_KO.format(exercise=exercise)


def localise_page(app, pagename, templatename, context, doctree):
    """On a Korean page, write caption numbers, the theme's few words and the solutions' hints in Korean."""
    if page_language(pagename) != "ko":
        return
    context.update(THEME_OPTIONS_KO)
    english = app.builder.templates.environment.globals["gettext"]
    context["gettext"] = lambda message: TEMPLATE_WORDS_KO.get(message) or english(message)  # the templates' _()
    context["script_files"] = [_with_korean_hints(app, js) for js in context["script_files"]]
    if "body" in context:
        context["body"] = CAPTION_NUMBER.sub(
            lambda m: m[1] + (korean_number(app.config, m[2]) or m[2]) + m[3], context["body"])


def _with_korean_hints(app, js):
    """sphinx-togglebutton's inline script `let toggleHintShow = '<hint>';` with the Korean hint; others unchanged."""
    body = getattr(js, "attributes", {}).get("body") or ""
    korean = body
    for option, hint in TOGGLE_HINTS_KO.items():
        korean = korean.replace(f"'{app.config[option]}'", f"'{hint}'")
    return js if korean == body else type(js)(js.filename, priority=js.priority, **{**js.attributes, "body": korean})


def load_glossary(path=GLOSSARY):
    """The glossary's terms: dicts with en, ko and optionally en_forms, ko_also, avoid, avoid_en, why_en, why_ko."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["terms"]


def _link(app, pagename, target, lang):
    """An <a> to `target` labelled in `lang`, marked with that language."""
    href = html.escape(app.builder.get_relative_uri(pagename, target))
    return f'<a href="{href}" hreflang="{lang}" lang="{lang}">{LINK_LABEL[lang]}</a>'


def on_html_page_context(app, pagename, templatename, context, doctree):
    """Set the page's language and, when the twin page exists, link to it at the top of the body and in the head."""
    lang = page_language(pagename)
    context["language"] = lang  # the theme's layout writes <html lang="{{ language }}">
    context["theme_extra_footer"] = FOOTER[lang]
    if doctree is None:  # search, genindex: no body to link from
        return
    if pagename == app.config.root_doc:
        targets = {code: doc for code, doc in LANDING_LINKS.items() if doc in app.env.all_docs}
    else:
        twin = counterpart(pagename)
        targets = {page_language(twin): twin} if twin in app.env.all_docs else {}
    if not targets:
        return
    links = " · ".join(_link(app, pagename, doc, code) for code, doc in targets.items())
    label = NAV_LABEL["root" if pagename == app.config.root_doc else lang]
    context["body"] = (
        f'<nav class="qkv-lang-switch" aria-label="{label}" '
        f'style="text-align: right; font-size: 0.9em;">{links}</nav>\n' + context["body"]
    )
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{code}" href="{html.escape(app.builder.get_relative_uri(pagename, doc))}">'
        for code, doc in targets.items()
    )


class GlossaryTable(SphinxDirective):
    """```{qkv-glossary}``` with `:lang: en|ko`: the chosen terms as a table, headings and reasons in that language."""

    option_spec: ClassVar = {"lang": lambda arg: directives.choice(arg, LANGUAGES)}

    def run(self):
        lang = self.options.get("lang", "en")
        self.env.note_dependency(str(GLOSSARY))
        rows = []
        for term in load_glossary():
            en = self._text(term["en"], "en")
            ko = self._text(", ".join([term["ko"], *term.get("ko_also", [])]), "ko")
            avoid = self._text(", ".join(term.get("avoid", [])), "ko", ", ".join(term.get("avoid_en", [])), "en")
            why = self._text(term.get(f"why_{lang}", ""), lang)
            rows.append((ko, en, avoid, why) if lang == "ko" else (en, ko, avoid, why))
        return [self._table(TABLE_HEADERS[lang], rows)]

    @staticmethod
    def _text(*texts_and_languages):
        """A paragraph of the non-empty texts, each marked with its language (docutils writes class language-xx as
        lang="xx"), separated by commas."""
        pairs = zip(texts_and_languages[::2], texts_and_languages[1::2], strict=True)
        spans = [nodes.inline(text, text, classes=[f"language-{lang}"]) for text, lang in pairs if text]
        paragraph = nodes.paragraph()
        for i, span in enumerate(spans):
            paragraph += [nodes.Text(", "), span] if i else [span]
        return paragraph

    @staticmethod
    def _table(headers, rows):
        """A docutils table with one header row."""
        group = nodes.tgroup(cols=len(headers))
        group += [nodes.colspec(colwidth=width) for width in (3, 3, 3, 6)]
        group += nodes.thead("", _row([nodes.paragraph(text=h) for h in headers]))
        group += nodes.tbody("", *(_row(cells) for cells in rows))
        return nodes.table("", group, classes=["qkv-glossary"])


def _row(cells):
    """A table row from a list of body elements."""
    return nodes.row("", *(nodes.entry("", cell) for cell in cells))


def setup(app):
    """Register the page hooks, the numbering per edition and the glossary directive."""
    app.connect("env-get-updated", number_per_edition, priority=900)  # after Sphinx has numbered the book
    app.connect("doctree-resolved", localise_doctree)  # after sphinx-exercise has written its titles
    app.connect("html-page-context", on_html_page_context)
    app.connect("html-page-context", localise_page, priority=800)  # after the theme has set its options
    app.add_directive("qkv-glossary", GlossaryTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
