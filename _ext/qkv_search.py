"""Search that finds Korean words, and a Korean search page.

- Sphinx has no Korean stemmer, and Korean glues particles to words ("어텐션은", "어텐션을"), so a query for "어텐션"
  would find nothing. `SearchEnglishKorean` indexes English as Sphinx does and every Hangul word also under each of
  its prefixes of at least two syllables ("어텐션은" -> "어텐", "어텐션", "어텐션은"): a query for a word finds it
  whatever particle follows. The browser side is Sphinx's own (no new script): a query word is looked up as it is.
- `chapters/ko/search/index.html` is the search page rendered as a Korean page (qkv_i18n localises it like any
  Korean page); the search boxes of Korean pages send their queries there, and its result texts come from SEARCH_KO.
"""

import json
import re

from sphinx.search import languages
from sphinx.search.en import SearchEnglish

SEARCH_LANGUAGE = "en-ko"  # html_search_language: English stemming plus Hangul prefixes
KOREAN_SEARCH = "chapters/ko/search/index"  # the Korean search page: a Korean page by its path, with no twin
HANGUL_WORD = re.compile(r"[\uAC00-\uD7A3]{2,}")
MIN_PREFIX = 2  # syllables: a one-syllable prefix ("어") would match nearly every page
# searchtools.js's messages (through Documentation.gettext), as the Korean search page shows them.
SEARCH_KO = {
    "Search Results": "검색 결과",
    "Searching": "검색 중",
    "Preparing search...": "검색 준비 중...",
    "Search finished, found ${resultCount} page(s) matching the search query.":
        "검색을 마쳤습니다. 검색어와 일치하는 페이지 ${resultCount}개를 찾았습니다.",
    "Your search did not match any documents. Please make sure that all words are spelled correctly and that "
    "you've selected enough categories.": "검색어와 일치하는 문서가 없습니다. 철자가 맞는지 확인해 보세요.",
    ", in ": ", 위치: ",
}


def hangul_prefixes(word):
    """Every prefix of `word`'s Hangul words of at least MIN_PREFIX syllables ("어텐션은" -> 어텐, 어텐션, 어텐션은)."""
    return [hangul[:end] for hangul in HANGUL_WORD.findall(word) for end in range(MIN_PREFIX, len(hangul) + 1)]


class SearchEnglishKorean(SearchEnglish):
    """Sphinx's English search language that also indexes each Hangul word under its prefixes."""

    lang = SEARCH_LANGUAGE

    def split(self, input):
        """Sphinx's English words, each Hangul word followed by its shorter prefixes."""
        words = []
        for word in super().split(input):
            words.append(word)
            words += [prefix for prefix in hangul_prefixes(word) if prefix != word]
        return words


def use_korean_search(app, config):
    """Index with SearchEnglishKorean."""
    config.html_search_language = SEARCH_LANGUAGE


def korean_search_page(app):
    """Sphinx's search page once more, as the Korean search page."""
    if app.builder.format == "html" and app.builder.search:
        yield KOREAN_SEARCH, {}, "search.html"


SEARCH_SCRIPTS = re.compile(r'<script src="[^"]*searchtools\.js"></script>\s*<script src="[^"]*language_data\.js">'
                            r'</script>\s*<script src="[^"]*searchindex\.js"></script>\s*')


def load_search_once(page):
    """The Korean search page's html without the search scripts that the theme's layout adds to any page not named
    'search' (the search template loads them too: twice, they fail with "already declared")."""
    return SEARCH_SCRIPTS.sub("", page, count=1) if len(SEARCH_SCRIPTS.findall(page)) > 1 else page


def search_messages_ko():
    """An inline script that gives searchtools.js the Korean of SEARCH_KO and, since searchtools.js writes result
    links relative to the site's root (where Sphinx's search page is), prefixes them with the path to the root."""
    catalog = {"messages": SEARCH_KO, "plural_expr": "0", "locale": "ko"}
    return f"""Documentation.addTranslations({json.dumps(catalog, ensure_ascii=False)});
document.addEventListener("DOMContentLoaded", () => {{
  const root = document.documentElement.dataset.content_root, results = document.getElementById("search-results");
  if (results) new MutationObserver(() => results.querySelectorAll("ul.search a").forEach((a) => {{
    if (!a.getAttribute("href").startsWith(root)) a.setAttribute("href", root + a.getAttribute("href"));
  }})).observe(results, {{ childList: true, subtree: true }});
}});"""


def setup(app):
    """Register the search language and the Korean search page."""
    languages[SEARCH_LANGUAGE] = SearchEnglishKorean
    app.connect("config-inited", use_korean_search)
    app.connect("html-collect-pages", korean_search_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
