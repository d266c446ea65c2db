"""On the built site: each page declares its language, and links to its twin in the other language (slow).

The language rule is read from the paths, independently of _ext/qkv_i18n.py: pages under chapters/ko/ and
notebooks/ko/ are Korean, every other page is English.
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
    """The file a relative link on `page` points to."""
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
