"""On the built site: each page declares its language, links to its twin in the other language, shows the words
that Sphinx and its extensions write in its own language, and numbers its figures and exercises per edition (slow).

The language rule is read from the paths, independently of _ext/qkv_i18n.py: pages under chapters/ko/ and
notebooks/ko/ are Korean, every other page is English.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from _ext.qkv_head import base_url
from tests.harness import screenshot_dir

REPO = Path(__file__).resolve().parents[1]
SITE_ADDRESS = base_url(yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"])

EDITIONS = [f"{top}/{lang}" for top in ("chapters", "notebooks") for lang in ("en", "ko")]


class PageFacts(HTMLParser):
    """The <html lang>, the language-switch links and the <link rel="alternate"> tags of one page."""

    def __init__(self, text):
        super().__init__()
        self.lang, self.switch_links, self.alternates, self._in_switch = None, [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "nav" and "qkv-lang-switch" in attrs.get("class", "").split():
            self._in_switch = True
        elif tag == "a" and self._in_switch:
            self.switch_links.append(attrs)
        elif tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switch = False


def facts(path):
    """PageFacts of an html file."""
    return PageFacts(path.read_text(encoding="utf-8"))


def edition_pages(site):
    """Every built page of both editions, relative to the site."""
    return sorted(p.relative_to(site) for folder in EDITIONS for p in (site / folder).glob("*.html"))


def target(site, page, href):
    """The file a link on `page` points to: relative, or absolute under the site's address (hreflang links)."""
    if SITE_ADDRESS and href.startswith(SITE_ADDRESS):
        return site.joinpath(urlsplit(href.removeprefix(SITE_ADDRESS)).path).resolve()
    return (site / page).parent.joinpath(urlsplit(href).path).resolve()


def other(page):
    """chapters/en/x.html <-> chapters/ko/x.html"""
    top, lang, name = page.parts
    return Path(top, "ko" if lang == "en" else "en", name)


def test_both_editions_were_built(built_site):
    """Both editions have pages (so the tests below have something to check)."""
    pages = edition_pages(built_site)
    assert {p.parts[1] for p in pages} == {"en", "ko"}, pages


def test_every_page_declares_its_language(built_site):
    """<html lang="ko"> under chapters/ko and notebooks/ko; lang="en" on every other page."""
    pages = sorted(p for p in built_site.rglob("*.html") if not p.relative_to(built_site).parts[0].startswith("_"))
    wrong = []
    for path in pages:
        lang = facts(path).lang
        if lang is None and "http-equiv=\"Refresh\"" in path.read_text(encoding="utf-8"):
            continue  # the root index.html only redirects to the landing page
        page = path.relative_to(built_site)
        expected = "ko" if page.parts[:2] in (("chapters", "ko"), ("notebooks", "ko")) else "en"
        if lang != expected:
            wrong.append(f"{page}: lang={lang!r}, expected {expected!r}")
    assert pages and not wrong, "\n".join(wrong)


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_links_to_its_twin(built_site, edition):
    """A page whose twin was built links to it near the top, with lang and hreflang of the twin's language, and
    names it in a <link rel="alternate" hreflang>; a page without a built twin has no language link at all."""
    problems = []
    for page in [p for p in edition_pages(built_site) if p.parent == Path(edition)]:
        page_facts, twin = facts(built_site / page), other(page)
        twin_lang = twin.parts[1]
        if not (built_site / twin).is_file():
            if page_facts.switch_links:
                problems.append(f"{page}: links to a twin that was not built: {page_facts.switch_links}")
            continue
        links = page_facts.switch_links
        if len(links) != 1 or target(built_site, page, links[0]["href"]) != (built_site / twin).resolve():
            problems.append(f"{page}: expected one language link to {twin}, found {links}")
        elif (links[0].get("hreflang"), links[0].get("lang")) != (twin_lang, twin_lang):
            problems.append(f"{page}: link to {twin} lacks hreflang/lang {twin_lang!r}: {links[0]}")
        alternates = [(a.get("hreflang"), target(built_site, page, a["href"])) for a in page_facts.alternates]
        if alternates != [(twin_lang, (built_site / twin).resolve())]:
            problems.append(f"{page}: <link rel=alternate> should name {twin} only, found {alternates}")
    assert not problems, "\n".join(problems)


def test_landing_page_links_both_editions(built_site):
    """The landing page links to the English and the Korean chapter openers, each marked with its language."""
    links = facts(built_site / "intro.html").switch_links
    found = {(a.get("hreflang"), a.get("lang"), target(built_site, Path("intro.html"), a["href"])) for a in links}
    expected = {(lang, lang, (built_site / "chapters" / lang / "index.html").resolve()) for lang in ("en", "ko")}
    assert found == expected
    assert all(path.is_file() for *_, path in found)


# --- words and numbers that Sphinx, the theme and sphinx-exercise write ------------------------------------------

ENGLISH_NUMBERING = ("Fig. ", "Exercise ", "Solution to")  # what they write in English before a number
HANGUL = re.compile("[가-힣]")
NUMBER = re.compile(r"\d+(?:\.\d+)*")
# Words of the theme and of sphinx-togglebutton, outside the article text: name -> texts found in a parsed page
THEME_WORDS = {
    "contents heading": lambda soup: [e.get_text() for e in soup.select(".page-toc.tocsection, #jb-print-toc h2")],
    "search placeholder": lambda soup: [e["placeholder"] for e in soup.select("input[type=search][placeholder]")],
    "search button": lambda soup: [e.get_text() for e in soup.select(".search-button__default-text")],
    "previous/next": lambda soup: [e.get_text() for e in soup.select(".prev-next-subtitle")],
    "solution hints": lambda soup: [m[1] for e in soup.select("script:not([src])")
                                    for m in re.finditer(r"let toggleHint\w* = '([^']*)'", e.get_text())],
}


def soup(path):
    """The parsed html file."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(path):
    """The page's main content (<article class="bd-article">) without its scripts and styles."""
    main = soup(path).select_one("article.bd-article")
    for tag in main.select("script, style"):
        tag.decompose()
    return main


def number(text):
    """The number in a caption or link text ('그림 12', 'Exercise 3 ') as a string."""
    return NUMBER.search(text)[0]


def caption_numbers(path, selector):
    """The caption numbers of the page's figures ('figure') or exercises ('div.exercise'), in page order."""
    return [number(e.select_one(".caption-number").get_text()) for e in article(path).select(selector)]


def korean_pages(site):
    """The built Korean pages that have a built English twin, paired with it: [(ko, en)]."""
    return [(p, other(p)) for p in edition_pages(site) if p.parts[1] == "ko" and (site / other(p)).is_file()]


def test_korean_pages_write_no_english_numbering_words(built_site):
    """The main content of a Korean page never says "Fig. ", "Exercise " or "Solution to" (captions, exercise
    and solution titles, {numref} text); its English twin does, where it has figures or exercises."""
    found = {}
    for page in edition_pages(built_site):
        text = article(built_site / page).get_text()
        found[page] = [word for word in ENGLISH_NUMBERING if word in text]
    korean = {page: words for page, words in found.items() if page.parts[1] == "ko" and words}
    english = {word for page, words in found.items() if page.parts[1] == "en" for word in words}
    assert english == set(ENGLISH_NUMBERING), "the English pages should show every word this test looks for"
    assert not korean, f"English numbering words on Korean pages (write {{numref}}`그림 %s <label>`): {korean}"


def test_korean_pages_localise_the_theme_words(built_site):
    """The contents heading, the search box and button, previous/next and the solutions' show/hide hints are in
    Korean on each Korean page and in English on its twin."""
    problems, seen = [], set()
    for ko, en in korean_pages(built_site):
        ko_soup, en_soup = soup(built_site / ko), soup(built_site / en)
        for name, words in THEME_WORDS.items():
            ko_words, en_words = words(ko_soup), words(en_soup)
            seen |= {name} if ko_words else set()
            if not all(HANGUL.search(w) for w in ko_words):
                problems.append(f"{ko}: {name} {ko_words} (English twin: {en_words})")
            if any(HANGUL.search(w) for w in en_words):
                problems.append(f"{en}: {name} in Korean: {en_words}")
    assert seen == set(THEME_WORDS), f"never found on a Korean page: {set(THEME_WORDS) - seen}"
    assert not problems, "\n".join(problems)


def test_exercises_are_numbered_per_edition(built_site):
    """Each edition numbers its exercises (the sections' check-your-understanding questions, then the exercises page)
    1..N, a Korean page's like its twin's; each solution's title names its exercise's number."""
    by_edition = {lang: [] for lang in ("en", "ko")}
    for page in edition_pages(built_site):
        by_edition[page.parts[1]] += [int(n) for n in caption_numbers(built_site / page, "div.exercise")]
    for lang, numbers in by_edition.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (lang, numbers)
    pages = {lang: built_site / "notebooks" / lang / "exercises.html" for lang in ("en", "ko")}
    numbers = {lang: caption_numbers(path, "div.exercise") for lang, path in pages.items()}
    assert numbers["en"], "no numbered exercise found"
    assert numbers["en"] == numbers["ko"], numbers
    for ko, en in korean_pages(built_site):
        assert caption_numbers(built_site / ko, "div.exercise") == caption_numbers(built_site / en, "div.exercise"), ko
    for path in pages.values():
        main = article(path)
        solutions = main.select("div.solution")
        assert len(solutions) == len(numbers["en"]), f"{path}: one solution per exercise"
        for solution in solutions:
            title = solution.select_one(".admonition-title")
            exercise = main.find(id=title.a["href"].removeprefix("#"))
            assert number(title.get_text()) == number(exercise.select_one(".caption-number").get_text()), title


def test_figures_are_numbered_per_edition(built_site):
    """Each edition numbers its figures 1..N, and a Korean page's figures carry the same numbers as its twin's."""
    by_edition = {lang: [] for lang in ("en", "ko")}
    for page in edition_pages(built_site):
        by_edition[page.parts[1]] += [int(n) for n in caption_numbers(built_site / page, "figure")]
    for lang, numbers in by_edition.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (lang, numbers)
    assert by_edition["ko"], "no numbered Korean figure found"
    for ko, en in korean_pages(built_site):
        assert caption_numbers(built_site / ko, "figure") == caption_numbers(built_site / en, "figure"), ko


def test_numref_text_gives_the_caption_number(built_site):
    """Every {numref} link on an edition page shows the number of the caption it points to (checked on pages of
    both languages)."""
    checked, wrong = set(), []
    for page in edition_pages(built_site):
        for ref in article(built_site / page).select("a.reference.internal:has(> .std-numref)"):
            path, _, anchor = ref["href"].partition("#")
            linked = article(target(built_site, page, path) if path else built_site / page).find(id=anchor)
            caption = number(linked.select_one(".caption-number").get_text())
            checked.add(page.parts[1])
            if number(ref.get_text()) != caption:
                wrong.append(f"{page}: {ref.get_text()!r} links to #{anchor}, captioned {caption}")
    assert checked == {"en", "ko"}, f"{{numref}} links found only on pages in {checked}"
    assert not wrong, "\n".join(wrong)


# --- Hangul renders: no tofu (boxes) on Korean pages ---------------------------------------------------------------

# Draw each character in the element's own font on a canvas and compare it with a private-use character, which no
# font here has: a Hangul character drawn with the same pixels is a .notdef box (tofu).
TOFU = """([root, extra]) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const g = canvas.getContext("2d", { willReadFrequently: true });
  const draw = (ch, font) => {
    g.clearRect(0, 0, 48, 48);
    g.font = `32px ${font}`;
    g.fillText(ch, 4, 36);
    return g.getImageData(0, 0, 48, 48).data.join();
  };
  const found = new Map(extra ? [[extra, getComputedStyle(document.body).fontFamily]] : []);  // char -> its font
  for (const el of root ? document.querySelectorAll(root) : []) {
    const font = getComputedStyle(el).fontFamily;
    for (const ch of el.innerText.match(/[\\uAC00-\\uD7A3]/gu) || []) found.set(ch, font);
  }
  return [...found].filter(([ch, font]) => draw(ch, font) === draw("\\uF8FF", font)).map(([ch]) => ch);
}"""


@pytest.mark.parametrize("edition", ["chapters/ko", "notebooks/ko"])
def test_korean_pages_show_no_tofu(built_site, site_server, page, edition):
    """Every Hangul character of each Korean page, widgets included, is drawn with a real glyph; screenshots saved."""
    pages = sorted((built_site / edition).glob("*.html"))
    assert pages
    for path in pages:
        relative = str(path.relative_to(built_site))
        page.goto(site_server + relative, wait_until="networkidle")
        page.evaluate("() => document.fonts.ready")
        # the detector must see tofu where there is some: U+E000 has no glyph in any font here
        assert page.evaluate(TOFU, ["", "\ue000"]) == ["\ue000"], "the tofu detector is blind"
        tofu = page.evaluate(TOFU, ["main, [data-widget]", ""])
        assert not tofu, f"{relative}: Hangul drawn as boxes: {''.join(tofu)}"
        page.screenshot(path=str(screenshot_dir(built_site) / f"tofu-{relative.replace('/', '-')}.png"), full_page=True)
