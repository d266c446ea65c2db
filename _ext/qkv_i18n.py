"""Sphinx extension for the two editions: `<html lang>`, links between twin pages, and the glossary table.

- Pages under `chapters/ko/` and `notebooks/ko/` declare `<html lang="ko">`, every other page `lang="en"`.
- A page whose twin in the other language was built gets a "한국어로 읽기" / "Read in English" link at the top of
  its body (with `lang` and `hreflang`) and a `<link rel="alternate" hreflang>` in its head (an absolute address under
  the site's html_baseurl, which _ext/qkv_head.py sets); the landing page links
  to both editions. The notebooks themselves carry no language links, so both editions keep the same cells.
- Every page ends with the licence and the credit to *Dive into Deep Learning*, in the page's language.
- ```{qkv-glossary}``` with `:lang: en|ko` renders `chapters/glossary.yml`, the one source of the chosen terms;
  the parity tests read the same file.
- Sphinx's `language` is global ('en'), so on Korean pages every string that Sphinx, the themes, sphinx-copybutton,
  sphinx-togglebutton and sphinx-exercise write themselves is swapped for its Korean in the tables below (UI_KO is
  the one table of UI strings): the templates' _() and translate(), the header buttons, the attributes of the
  rendered page (title, aria-label, ...), the scripts' run-time strings, caption numbers ("Fig. 1" -> "그림 1"),
  solution titles ("Solution to Exercise 1" -> "연습 1 해답") and the solutions' "Click to show" hint.
- A page of an edition stays in it: its sidebar shows that edition's part only, previous/next never lead to the
  other edition, the book title shows its language's half, and its citations link to its edition's references page.
- Figures and exercises are numbered per edition: each language's count starts at 1, as if the other edition were
  not in the book. Captions, {numref} text and solution titles all read the same numbers, so they agree.
"""

import html
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import solution_node

from _ext.qkv_search import KOREAN_SEARCH, load_search_once, search_messages_ko

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "chapters" / "glossary.yml"
LANGUAGES = ("en", "ko")
EDITIONS = ("chapters", "notebooks")  # top folders that hold one sub-folder per language
LANDING_LINKS = {"en": "chapters/en/index", "ko": "chapters/ko/index"}  # where the landing page sends each reader
LINK_LABEL = {"en": "Read in English", "ko": "한국어로 읽기"}
TABLE_HEADERS = {"en": ("English", "Korean", "Not used", "Why"), "ko": ("한국어", "영어", "쓰지 않는 표현", "이유")}
HOME_TITLE = {"en": "Home: choose a language", "ko": "처음: 언어 고르기"}  # the landing page, in an edition's sidebar
NAV_LABEL = {"en": "Other language", "ko": "다른 언어", "root": "Language · 언어"}
# The words Sphinx, the theme and sphinx-exercise write in English, as Korean pages show them.
NUMFIG_FORMAT_KO = {"figure": "그림 %s", "exercise": "연습 %s"}  # Sphinx's numfig_format: caption numbers
SOLUTION_TITLE_KO = "{exercise} 해답"  # sphinx-exercise's "Solution to {exercise}"
THEME_OPTIONS_KO = {"theme_toc_title": "목차", "theme_search_bar_text": "이 책에서 검색..."}
# Every English string of Sphinx, sphinx-book-theme, pydata-sphinx-theme and sphinx-copybutton that a Korean page
# shows or speaks, and its Korean. One table for the templates' _() and translate(), the header buttons' tooltips,
# the attributes written by the templates and the writer (title, aria-label, alt, ...) and the copy button's script.
UI_KO = {
    "Skip to main content": "본문으로 건너뛰기", "Back to top": "맨 위로", "Site navigation": "사이트 탐색",
    "Main": "책 목차", "Page": "페이지 탐색", "Section Navigation": "절 탐색", "On this page": "이 페이지의 내용",
    "Version warning": "버전 경고", "Announcement": "알림", "Breadcrumb": "현재 위치", "Home": "처음",
    "Index": "색인", "General Index": "전체 색인", "Search": "검색", "Search Page": "검색 페이지",
    "previous": "이전", "next": "다음", "previous page": "이전 페이지", "next page": "다음 페이지",
    "Toggle primary sidebar": "책 목차 열기/닫기", "Toggle secondary sidebar": "페이지 목차 열기/닫기",
    "Expand Sidebar": "사이드바 펼치기", "Collapse Sidebar": "사이드바 접기",
    "Color mode": "화면 색", "Light": "밝게", "Dark": "어둡게", "System Settings": "시스템 설정 따르기",
    "Source repositories": "소스 저장소", "Source repository": "소스 저장소", "Repository": "저장소",
    "Open an issue": "이슈 열기", "Open issue": "이슈 열기", "Show source": "소스 보기", "Show Source": "소스 보기",
    "Suggest edit": "수정 제안", "Download this page": "이 페이지 내려받기",
    "Download notebook file": "노트북 파일 내려받기", "Download source file": "소스 파일 내려받기",
    "Print to PDF": "PDF로 인쇄", "Fullscreen mode": "전체 화면", "Launch interactive content": "실행하기",
    "Launch on Binder": "Binder에서 실행", "Launch on JupyterHub": "JupyterHub에서 실행",
    "Launch on Colab": "Colab에서 실행", "Launch Thebe": "이 페이지에서 실행", "Live Code": "코드 실행",
    "logo": "로고", "By": "지은이:", "© Copyright %(copyright)s.": "© %(copyright)s",
    "Link to this heading": "이 제목으로 연결되는 링크", "Link to this image": "이 그림으로 연결되는 링크",
    "Link to this table": "이 표로 연결되는 링크", "Link to this equation": "이 수식으로 연결되는 링크",
    "Link to this code": "이 코드로 연결되는 링크", "Link to this definition": "이 정의로 연결되는 링크",
    "Link to this term": "이 용어로 연결되는 링크",
    # sphinx-copybutton's messages
    "Copy": "복사", "Copy to clipboard": "클립보드에 복사", "Copied!": "복사했습니다!",
    "Failed to copy": "복사하지 못했습니다",
    "Toggle hidden content": "숨긴 내용 펼치기/접기",  # sphinx-togglebutton's button
}
AUTHOR_KO = "QKV 장 저자들"  # _config.yml's author, as the Korean footer names it
COPYBUTTON_KO = {"copy": "Copy", "copy_to_clipboard": "Copy to clipboard", "copy_success": "Copied!",
                 "copy_failure": "Failed to copy"}  # sphinx-copybutton's message keys -> their UI_KO entries
# What scripts write at run time, in English whatever the page: copybutton's icon title, togglebutton's label.
RUNTIME_UI = ("Copy to clipboard", "Toggle hidden content")
UI_ATTRIBUTE = re.compile(r'(\s(?:title|aria-label|alt|placeholder|data-tooltip|data-bs-title)=")([^"]*)(")')
TOGGLE_HINTS_KO = {"togglebutton_hint": "눌러서 펼치기", "togglebutton_hint_hide": "눌러서 접기"}  # solutions
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
REFERENCES = "chapters/{lang}/references"  # each edition's bibliography page; citations link to their own edition's
# myst-nb's toggle of a hidden code cell ("Show code cell source"), as Korean pages write it
CODE_PROMPT = re.compile(r'(<p class="(?:collapsed|expanded) admonition-title">)(Show|Hide) code cell (\w+)(</p>)')
CODE_PROMPT_KO = {"Show": "보기", "Hide": "숨기기", "source": "소스", "outputs": "출력", "content": "내용"}
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


def ui_korean(message, english=lambda message: message):
    """A theme or Sphinx UI string in Korean (UI_KO), else what `english` makes of it."""
    return UI_KO.get(message) or english(message)


def edition_title(title, lang):
    """The book title's half in `lang` ("Queries, Keys and Values · 쿼리, 키, 값" -> "쿼리, 키, 값"), else all of it."""
    halves = title.split(" · ")
    return halves[LANGUAGES.index(lang)].strip() if len(halves) == len(LANGUAGES) else title


def localise_page(app, pagename, templatename, context, doctree):
    """On a Korean page, write caption numbers, the theme's words, buttons and scripts and the solutions' hints in
    Korean."""
    if page_language(pagename) != "ko":
        return
    context.update(THEME_OPTIONS_KO)
    english = app.builder.templates.environment.globals["gettext"]
    context["gettext"] = lambda message: ui_korean(message, english)  # the templates' _()
    translate = context.get("translate", english)
    context["translate"] = lambda message: ui_korean(message, translate)  # sphinx-book-theme's templates
    context["author"] = AUTHOR_KO
    pathto = context["pathto"]
    context["pathto"] = lambda uri, *args: pathto(KOREAN_SEARCH if uri == "search" else uri, *args)  # search boxes
    _localise_buttons(context.get("header_buttons", []))
    scripts = []  # a new list: the builder's own is shared by every page
    for js in context["script_files"]:
        scripts.append(_with_korean_hints(app, js))
        if str(getattr(js, "filename", "") or "").endswith("copybutton.js"):
            scripts.append(type(js)(None, priority=js.priority, body=copybutton_korean()))
        if pagename == KOREAN_SEARCH and str(getattr(js, "filename", "") or "").endswith("doctools.js"):
            scripts.append(type(js)(None, priority=js.priority, body=search_messages_ko()))
    context["script_files"] = scripts
    if "body" in context:
        body = CAPTION_NUMBER.sub(lambda m: m[1] + (korean_number(app.config, m[2]) or m[2]) + m[3], context["body"])
        context["body"] = CODE_PROMPT.sub(
            lambda m: f"{m[1]}코드 셀 {CODE_PROMPT_KO.get(m[3], m[3])} {CODE_PROMPT_KO[m[2]]}{m[4]}", body)


def edition(pagename):
    """'en' or 'ko' for a page of an edition (under chapters/xx or notebooks/xx), else None."""
    return page_language(pagename) if counterpart(pagename) else None


def keep_to_the_edition(app, pagename, templatename, context, doctree):
    """On a page of an edition: the book title, the sidebar and previous/next of that edition only."""
    lang = edition(pagename)
    if lang is None:
        return
    if context.get("docstitle"):
        context["docstitle"] = edition_title(context["docstitle"], lang)
    context["root_title"] = HOME_TITLE[lang]  # the sidebar's link to the landing page
    _, prev, following = app.builder.relations.get(pagename, (None, None, None))
    for key, doc in (("prev", prev), ("next", following)):
        if doc and edition(doc) != lang and doc != app.config.root_doc:
            context[key] = None
    toctree = context.get("generate_toctree_html")
    if toctree:
        context["generate_toctree_html"] = lambda *args, **kwargs: own_part(toctree(*args, **kwargs), lang)


def own_part(sidebar, lang):
    """The theme's sidebar tree (BeautifulSoup) without the other edition's part (a caption and its list): the part
    that holds the current page stays or, on a page outside the toctree, the part that links to `lang` pages."""
    parts = [(caption, caption.find_next_sibling("ul")) for caption in getattr(sidebar, "select", list)("p.caption")]
    current = any(items and items.select_one(".current") for _, items in parts)
    for caption, items in parts:
        if not (items and items.select_one(".current" if current else f'a[href*="/{lang}/"]')):
            caption.decompose()
            if items:
                items.decompose()
    return sidebar


def _localise_buttons(buttons):
    """The header buttons' tooltips and labels (nested in groups and dropdowns) in Korean, in place."""
    for button in buttons:
        for key in ("tooltip", "text"):
            if isinstance(button.get(key), str):
                button[key] = ui_korean(button[key])
        _localise_buttons(button.get("buttons", []))


def localise_attributes(page):
    """Rendered html with every UI_KO string in a title, aria-label, alt, ... attribute written in Korean."""
    return UI_ATTRIBUTE.sub(
        lambda m: m[1] + html.escape(ui_korean(html.unescape(m[2])), quote=True) + m[3], page)


def render_korean_attributes(app):
    """Make the html builder pass each Korean page through `localise_attributes` (the templates' fixed words), and
    the Korean search page through `load_search_once`."""
    templates = getattr(app.builder, "templates", None)
    if templates is None or not hasattr(templates, "render"):
        return
    render = templates.render

    def render_page(template, context):
        page = render(template, context)
        if context.get("pagename") == KOREAN_SEARCH:
            page = load_search_once(page)
        return localise_attributes(page) if context.get("language") == "ko" else page

    templates.render = render_page


def copybutton_korean():
    """An inline script, run right after sphinx-copybutton's: its `messages` table gains Korean and selects it, and
    the RUNTIME_UI strings that scripts write into the page are replaced by their Korean as they appear."""
    messages = json.dumps({key: UI_KO[english] for key, english in COPYBUTTON_KO.items()}, ensure_ascii=False)
    runtime = json.dumps({english: UI_KO[english] for english in RUNTIME_UI}, ensure_ascii=False)
    return f"""if (typeof messages === "object") {{ messages.ko = {messages}; locale = "ko"; }}
(() => {{
  const ko = {runtime};
  const localise = (root) => {{
    for (const el of [root, ...root.querySelectorAll("[aria-label], [data-tooltip], title")]) {{
      for (const name of ["aria-label", "data-tooltip"]) {{
        if (ko[el.getAttribute(name)]) el.setAttribute(name, ko[el.getAttribute(name)]);
      }}
      if (el.tagName === "title" && ko[el.textContent]) el.textContent = ko[el.textContent];
    }}
  }};
  new MutationObserver((records) => records.forEach((record) => record.addedNodes.forEach((node) => {{
    if (node.nodeType === Node.ELEMENT_NODE) localise(node);
  }}))).observe(document.documentElement, {{ childList: true, subtree: true }});
}})();"""


def _with_korean_hints(app, js):
    """sphinx-togglebutton's inline script `let toggleHintShow = '<hint>';` with the Korean hint; others unchanged."""
    body = getattr(js, "attributes", {}).get("body") or ""
    korean = body
    for option, hint in TOGGLE_HINTS_KO.items():
        korean = korean.replace(f"'{app.config[option]}'", f"'{hint}'")
    return js if korean == body else type(js)(js.filename, priority=js.priority, **{**js.attributes, "body": korean})


def allow_one_bibliography_per_edition(app, config):
    """Both references pages list the same works: not a mistake here (`cite_own_references` picks the target)."""
    config.suppress_warnings = [*config.suppress_warnings, "bibtex.duplicate_citation"]


def cite_own_references(app, doctree, docname):
    """Make the citations on a page of an edition link to that edition's references page."""
    lang = edition(docname)
    own = REFERENCES.format(lang=lang)
    keys = defaultdict(dict)  # bibliography page -> {citation id: bibtex key}
    for citation in app.env.get_domain("cite").citations:
        keys[citation.bibliography_key.docname][citation.citation_id] = citation.key
    if lang is None or own not in keys:
        return
    own_ids = {key: citation_id for citation_id, key in keys[own].items()}
    own_uri = app.builder.get_relative_uri(docname, own)
    for other in keys.keys() - {own}:
        prefix = app.builder.get_relative_uri(docname, other) + "#"
        for ref in doctree.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith(prefix) and uri[len(prefix):] in keys[other]:
                ref["refuri"] = f"{own_uri}#{own_ids[keys[other][uri[len(prefix):]]]}"


def load_glossary(path=GLOSSARY):
    """The glossary's terms: dicts with en, ko and optionally en_forms, ko_also, avoid, avoid_en, why_en, why_ko."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["terms"]


def _link(app, pagename, target, lang):
    """An <a> to `target` labelled in `lang`, marked with that language."""
    href = html.escape(app.builder.get_relative_uri(pagename, target))
    return f'<a href="{href}" hreflang="{lang}" lang="{lang}">{LINK_LABEL[lang]}</a>'


def absolute_uri(app, pagename, target):
    """The address of page `target` under the site's html_baseurl (_ext/qkv_head.py), else relative to pagename."""
    base = app.config.html_baseurl
    return base.rstrip("/") + "/" + app.builder.get_target_uri(target) if base else app.builder.get_relative_uri(
        pagename, target)


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
        f'\n<link rel="alternate" hreflang="{code}" href="{html.escape(absolute_uri(app, pagename, doc))}">'
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
    app.connect("doctree-resolved", cite_own_references)
    app.connect("config-inited", allow_one_bibliography_per_edition)
    app.connect("html-page-context", on_html_page_context)
    app.connect("html-page-context", localise_page, priority=800)  # after the theme has set its options
    app.connect("html-page-context", keep_to_the_edition, priority=800)
    app.connect("builder-inited", render_korean_attributes)
    app.add_css_file("qkv-korean.css")
    app.setup_extension("_ext.qkv_search")
    app.setup_extension("_ext.qkv_originals")
    app.add_directive("qkv-glossary", GlossaryTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
