"""The page around the Korean text, on the built site (slow): the theme speaks Korean, citations go to the Korean
references, navigation stays in its edition, Korean words are not split across lines, and Korean search works.

The Korean pages are found from the paths (chapters/ko/, notebooks/ko/), independently of _ext/qkv_i18n.py.
"""

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = [f"{top}/{lang}" for top in ("chapters", "notebooks") for lang in ("en", "ko")]

# What may stay in Latin letters on a Korean page, and why. Elements: code and maths (not words), citations and
# the bibliography (authors and titles as published), anything marked lang="en" (it says it is English), and
# notebook outputs and widgets (what the code prints; the glossary tests check their words), and the glossary's term
# rows (English terms, and reasons that discuss English words, are that table's subject; its header row is checked).
NOT_PROSE = ("script, style, noscript, template, code, pre, kbd, samp, .math, mjx-container, .MathJax, "
             "body [lang='en'], .bibtex-citation, .citation, .cell_output, .jupyter-widgets, .widget-subarea, "
             "table.qkv-glossary tbody")
# Proper names (products, formats, licences, people of d2l's toy database and of the works cited) and titles of
# works, which Korean writes in Latin letters too.
PROPER_NAMES = {
    "Binder", "Colab", "PyTorch", "Python", "Jupyter", "JupyterLab", "matplotlib", "ImageNet", "BertViz", "GPT",
    "Hugging Face", "PDF",
    "QKV", "MIT", "CC BY-SA", "Dive into Deep Learning", "Queries, Keys, and Values", "The Annotated Transformer",
    "The Illustrated Transformer", "Transformer Explainer", "Zhang", "Lipton", "Li", "Smola", "Mu", "Lipten", "Xu",
    "Hu", "Rachel", "Jain", "Wallace", "Wiegreffe", "Pinter", "Bahdanau",
    "CPU", "MLP", "NaN",  # abbreviations Korean writes in Latin letters too
}
# Python names that the translated prose writes without code formatting (nadaraya-watson, transformer-qkv); once
# the translations mark them as `code`, drop them from here.
CODE_WORDS = {"True", "False", "float32"}
# Run in the page: every text node outside NOT_PROSE, every aria-label/title/alt/placeholder/tooltip, the tab title.
VISIBLE_AND_SPOKEN = """(notProse) => {
  const strings = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent.trim() && !n.parentElement.closest(notProse)) strings.push(n.textContent);
  }
  const names = ["aria-label", "title", "alt", "placeholder", "data-tooltip", "data-bs-title", "aria-description"];
  for (const el of document.querySelectorAll(names.map((name) => `[${name}]`).join(", "))) {
    if (el.closest(notProse)) continue;
    for (const name of names) if (el.getAttribute(name)) strings.push(el.getAttribute(name));
  }
  for (const title of document.querySelectorAll("svg title")) {
    if (!title.closest(notProse)) strings.push(title.textContent);
  }
  return strings;
}"""
# The theme's and extensions' scripts have written their buttons (copy buttons are added after the page loads).
SCRIPTS_DONE = "document.readyState === 'complete' && (!document.querySelector('div.highlight pre') || " \
               "document.querySelector('.copybtn') !== null)"
GLOSS = re.compile(r"\([^()]*\)")  # "어텐션(attention)": the English in parentheses glosses the Korean before it
QUOTED = re.compile(r"“[^”]*”")  # an English example sentence quoted as data: “the cat sat on the mat”
HANGUL = re.compile(r"[\uAC00-\uD7A3]")
LATIN_WORD = re.compile(r"(?<![.\w])[A-Za-z][A-Za-z'’]+")  # not a file extension (".ipynb") nor part of a token


def english_words(strings, allowed):
    """The Latin-letter words of `strings` once glosses and the `allowed` names are taken out."""
    names = sorted(allowed, key=len, reverse=True)  # "Hugging Face" before "Face"
    words = set()
    for text in strings:
        text = QUOTED.sub(" ", GLOSS.sub(" ", text))
        for name in names:
            text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
        words |= set(LATIN_WORD.findall(text))
    return words


def edition_pages(site, lang):
    """Every built page of one edition, relative to the site."""
    return sorted(p.relative_to(site) for top in ("chapters", "notebooks") for p in (site / top / lang).glob("*.html"))


def soup(path):
    """The parsed html of a built page."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def resolve(site, page, href):
    """The built file (relative to the site) a relative link on `page` points to, and its #anchor."""
    parts = urlsplit(href)
    path = (site / page).parent.joinpath(parts.path).resolve() if parts.path else (site / page).resolve()
    return path.relative_to(site.resolve()), parts.fragment


def edition_of(page):
    """'en' or 'ko' for a page under chapters/xx or notebooks/xx, else None."""
    parts = Path(page).parts
    return parts[1] if len(parts) == 3 and f"{parts[0]}/{parts[1]}" in EDITIONS else None


# --- 1. every visible or spoken string of the theme is Korean ------------------------------------------------------

def test_english_detector_sees_english_and_passes_glosses_and_names():
    """english_words finds English words, but not glosses, names, file extensions or Korean."""
    found = english_words(["맨 위로", "Back to top", "어텐션(attention)", "PyTorch로 .ipynb 파일", "“a cat”에서"],
                          PROPER_NAMES)
    assert found == {"Back", "to", "top"}


def test_korean_pages_show_and_speak_no_english(built_site, site_server, page):
    """No text node, tooltip, aria-label, alt or placeholder of a Korean page is English (skip link, toolbar and its
    menus, copy buttons, heading links, sidebar, footer, previous/next...); the English twins do have such words."""
    allowed = PROPER_NAMES | CODE_WORDS

    def words_on(path):
        page.goto(site_server + str(path), wait_until="networkidle")
        page.wait_for_function(SCRIPTS_DONE)
        return english_words(page.evaluate(VISIBLE_AND_SPOKEN, NOT_PROSE), allowed)

    twin_words = words_on("notebooks/en/queries-keys-values.html")
    assert {"Back", "top", "Copy", "clipboard", "Download", "Skip"} <= twin_words, "the collector is blind"
    found = {str(path): sorted(words) for path in edition_pages(built_site, "ko") if (words := words_on(path))}
    assert len(edition_pages(built_site, "ko")) >= 8
    assert not found, "English on Korean pages (add the string to UI_KO in _ext/qkv_i18n.py):\n" + "\n".join(
        f"{path}: {' '.join(words)}" for path, words in found.items())


# --- 3. citations go to the references page of their own edition ---------------------------------------------------

def test_citations_link_to_their_editions_references(built_site):
    """Every citation on a page of an edition links to an entry of chapters/<its language>/references.html."""
    wrong, seen = [], set()
    for lang in ("en", "ko"):
        references = Path("chapters", lang, "references.html")
        assert (built_site / references).is_file(), f"no {references}"
        for page in edition_pages(built_site, lang):
            for link in soup(built_site / page).select(".bibtex-citation a[href]"):
                target, anchor = resolve(built_site, page, link["href"])
                entry = soup(built_site / target).find(id=anchor) if (built_site / target).is_file() else None
                seen.add(lang)
                if target != references or entry is None or "citation" not in entry.get("class", []):
                    wrong.append(f"{page}: {link.get_text()} -> {link['href']}")
    assert seen == {"en", "ko"}, f"citations found only in {seen}"
    assert not wrong, "citations leaving their edition's references page:\n" + "\n".join(wrong)


# --- 4. navigation ---------------------------------------------------------------------------------------------------

def sidebar_links(site, page):
    """(text, target page) of each link in a page's sidebar navigation."""
    nav = soup(site / page).select_one("nav.bd-docs-nav")
    return [(a.get_text(" ", strip=True), resolve(site, page, a["href"])[0]) for a in nav.select("a[href]")]


def test_previous_and_next_stay_in_the_edition(built_site):
    """The previous/next links of a page of an edition lead to a page of the same edition (or the landing page)."""
    wrong, checked = [], 0
    for lang in ("en", "ko"):
        for page in edition_pages(built_site, lang):
            for link in soup(built_site / page).select("a.left-prev, a.right-next"):
                target = resolve(built_site, page, link["href"])[0]
                checked += 1
                if edition_of(target) not in (lang, None) or (edition_of(target) is None and lang == "ko"):
                    wrong.append(f"{page}: {' '.join(link['class'])} -> {target}")
    assert checked > 10
    assert not wrong, "\n".join(wrong)


def test_sidebar_shows_the_edition_only_and_its_titles_differ(built_site):
    """A page's sidebar links only to its own edition (and the landing page), and no two of its entries share a
    title: the chapter opener is not named like section 1."""
    problems = []
    for lang in ("en", "ko"):
        for page in edition_pages(built_site, lang):
            links = sidebar_links(built_site, page)
            others = [str(target) for _, target in links if edition_of(target) not in (lang, None)]
            titles = [text.casefold() for text, _ in links]
            duplicates = {t for t in titles if titles.count(t) > 1}
            if others or duplicates or len(links) < 8:
                problems.append(f"{page}: other edition {others}, same titles {duplicates}, {len(links)} links")
    assert not problems, "\n".join(problems)


def test_korean_roadmap_links_its_sections_like_the_english_one(built_site):
    """The Korean opener links the Korean twin of every notebook the English opener links, and no English page."""

    def linked(lang):
        page = Path("chapters", lang, "index.html")
        article = soup(built_site / page).select_one("article")
        return {resolve(built_site, page, a["href"])[0] for a in article.select("a.reference.internal[href]")}

    english = {target for target in linked("en") if target.parts[:2] == ("notebooks", "en")}
    korean = linked("ko")
    assert len(english) >= 5
    assert {Path(str(t).replace("/en/", "/ko/")) for t in english} <= korean
    assert not [t for t in korean if edition_of(t) == "en"], "the Korean opener links English pages"


# --- 5. Korean line breaking ------------------------------------------------------------------------------------------

# Each Hangul word (a run of syllables) of the page's paragraphs, list items and table cells: how many lines it spans.
SPLIT_WORDS = """() => {
  const split = [];
  let words = 0;
  for (const block of document.querySelectorAll("article p, article li, article td")) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.textContent.matchAll(/[\uAC00-\uD7A3]{2,}/gu)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        words += 1;
        if (tops.size > 1) split.push(m[0]);
      }
    }
  }
  return { words, split, wordBreak: getComputedStyle(document.querySelector("article p")).wordBreak };
}"""


def test_korean_words_are_not_split_across_lines_on_a_phone(built_site, site_server, browser):
    """At 390 px, Korean text has word-break: keep-all and no Hangul word of a Korean page spans two lines."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        problems, words = [], 0
        for path in edition_pages(built_site, "ko"):
            phone.goto(site_server + str(path), wait_until="load")
            found = phone.evaluate(SPLIT_WORDS)
            words += found["words"]
            if found["wordBreak"] != "keep-all" or found["split"]:
                problems.append(f"{path}: word-break {found['wordBreak']}, split {found['split'][:10]}")
    finally:
        context.close()
    assert words > 1000
    assert not problems, "\n".join(problems)


# --- 2. Korean search -------------------------------------------------------------------------------------------------

def korean_search_url(site, site_server):
    """The page the search box of the Korean opener sends its query to, as a URL."""
    page = Path("chapters/ko/index.html")
    actions = {form["action"] for form in soup(site / page).select("form.bd-search[action]")}
    assert len(actions) == 1, f"the Korean opener's search boxes go to {actions}"
    target = resolve(site, page, actions.pop())[0]
    assert edition_of(target.parent) == "ko" or target.parts[:2] == ("chapters", "ko"), f"English search page {target}"
    return site_server + str(target)


def indexed_text(path):
    """A page's main text as the search index knows it: without the numbers that Sphinx adds when it writes the
    page ("그림 1" of captions and {numref} links)."""
    article = soup(path).select_one("article")
    for generated in article.select(".caption-number, .std-numref"):
        generated.decompose()
    return article.get_text()


def glued_only_words(texts, count=3):
    """Korean words (standing alone on some page) that some other page writes only with a particle glued on: the
    `count` most frequent. A search that finds that other page copes with particles."""
    tokens = {path: re.findall(r"[\uAC00-\uD7A3]+", text) for path, text in texts.items()}
    alone = Counter(token for words in tokens.values() for token in words if len(token) >= 2)
    found = []
    for word, _ in alone.most_common():
        if any(word not in words and any(t.startswith(word) for t in words) for words in tokens.values()):
            found.append(word)
        if len(found) == count:
            break
    return found


def test_korean_search_finds_korean_words_with_particles(built_site, site_server, page):
    """On the Korean search page (Korean title and result texts), a Korean word finds every Korean page that has it,
    also the pages that only write it with a particle glued on ("어텐션은", "어텐션을" for "어텐션"); links work."""
    texts = {path: indexed_text(built_site / path) for path in edition_pages(built_site, "ko")}
    queries = glued_only_words(texts)
    assert len(queries) == 3, f"too few Korean words written with particles only: {queries}"
    url = korean_search_url(built_site, site_server)
    for query in queries:
        page.goto(f"{url}?q={query}", wait_until="networkidle")
        page.wait_for_function("document.querySelector('#search-results .search-summary')?.innerText.length > 0")
        summary = page.inner_text("#search-results .search-summary")
        links = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
        found = {Path(urlsplit(href).path.lstrip("/")) for href in links}
        assert page.evaluate("document.documentElement.lang") == "ko"
        assert HANGUL.search(summary) and HANGUL.search(page.inner_text("#search-results h2")), summary
        expected = {path for path, text in texts.items() if re.search(rf"(?<![\uAC00-\uD7A3]){query}", text)}
        missing = sorted(map(str, expected - found))
        assert not missing, f"{query!r} did not find {missing} ({summary})"
        assert all((built_site / path).is_file() for path in found), f"result links to missing pages: {found}"


# --- §4. the English original, one click away -----------------------------------------------------------------------

def test_english_original_shows_in_place_and_hides_again(built_site, site_server, page):
    """On a Korean section, each translated block has a toggle (off by default) that shows the English of that block
    from the page itself (no request), by mouse or keyboard, with aria-expanded; the page toggle shows them all and
    is remembered."""
    path = "notebooks/ko/queries-keys-values.html"
    english_h1 = soup(built_site / path.replace("/ko/", "/en/")).select_one("article h1").get_text().strip("#¶ \n")
    korean_h1 = soup(built_site / path).select_one("article h1").get_text().strip("#¶ \n")
    page.goto(site_server + path, wait_until="networkidle")
    page.wait_for_function(SCRIPTS_DONE)
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    toggles = page.locator("button.qkv-original-toggle")
    assert toggles.count() > 20
    assert page.locator(".qkv-original:visible").count() == 0, "originals must be hidden by default"
    heading_toggle = page.locator("article h1 ~ button.qkv-original-toggle, section > button.qkv-original-toggle").first
    box = page.locator(f"#{heading_toggle.get_attribute('aria-controls')}")
    assert heading_toggle.get_attribute("aria-expanded") == "false"
    heading_toggle.click()
    assert box.is_visible() and box.inner_text().strip() == english_h1 != korean_h1
    assert box.get_attribute("lang") == "en" and heading_toggle.get_attribute("aria-expanded") == "true"
    heading_toggle.click()
    assert not box.is_visible() and heading_toggle.get_attribute("aria-expanded") == "false"
    heading_toggle.focus()
    page.keyboard.press("Enter")
    assert box.is_visible() and heading_toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    assert not box.is_visible()
    assert not requests, f"showing an original made requests: {requests}"
    shown = page.locator("button.qkv-original-toggle:visible")  # not those inside a closed solution dropdown
    page.click("button.qkv-originals-all")
    assert page.locator(".qkv-original:visible").count() == shown.count() > 20
    page.reload(wait_until="networkidle")
    page.wait_for_function(SCRIPTS_DONE)
    assert page.locator(".qkv-original:visible").count() == shown.count(), "the page's choice is not remembered"
    page.click("button.qkv-originals-all")
    assert page.locator(".qkv-original:visible").count() == 0


def test_every_korean_page_carries_the_english_of_its_blocks(built_site):
    """Each Korean page with an English twin holds one English original per translated block, in the page itself,
    and its toggles are in the page as built (a script adding them pushed the text down as it was read: a layout
    shift of 0.13 on a phone in Lighthouse)."""
    problems = []
    for path in edition_pages(built_site, "ko"):
        if not (built_site / str(path).replace("/ko/", "/en/")).is_file():
            continue
        page = soup(built_site / path)
        data = page.select_one("script#qkv-originals")
        boxes = page.select(".qkv-original")
        originals = json.loads(data.string) if data else []
        if not boxes or len(boxes) != len(originals) or not all(originals):
            problems.append(f"{path}: {len(boxes)} blocks, {len(originals)} originals")
        untoggled = [box.get("id") for box in boxes
                     if (toggle := box.find_previous_sibling()) is None or toggle.name != "button"
                     or toggle.get("aria-controls") != box.get("id")]
        if untoggled or len(page.select("button.qkv-originals-all")) != 1:
            problems.append(f"{path}: no toggle built before {untoggled[:3]}, or not one page toggle")
    assert not problems, "\n".join(problems)
