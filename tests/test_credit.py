"""Licence and credit: the repository states its two licences, and the chapter credits Dive into Deep Learning
(whose text, CC BY-SA 4.0, it adapts) on its openers and under every page of the built site, in the page's language.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
D2L_SECTION = "https://d2l.ai/chapter_attention-mechanisms-and-transformers/queries-keys-values.html"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
D2L_KEY = "Zhang.Lipton.Li.ea.2023"
FOOTER_WORDS = {"en": "Adapted from section", "ko": "바탕으로 썼습니다"}  # how each edition's footer says it


def test_licence_file_names_both_licences_and_the_adapted_work():
    text = " ".join((REPO / "LICENSE").read_text(encoding="utf-8").split())
    for needed in ("MIT License", "CC BY-SA 4.0", CC_BY_SA, "Dive into Deep Learning", "https://d2l.ai"):
        assert needed in text, f"LICENSE does not mention {needed!r}"


def test_readme_states_the_licences():
    section = re.search(r"^## Licence.*?(?=^## |\Z)", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)
    assert section, "README.md has no '## Licence …' section"
    text = " ".join(section[0].split())
    for needed in ("MIT", "CC BY-SA 4.0", "Dive into Deep Learning", "LICENSE"):
        assert needed in text, f"README's licence section does not mention {needed!r}"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_openers_cite_and_link_d2l(lang):
    opener = (REPO / "chapters" / lang / "index.md").read_text(encoding="utf-8")
    assert f"{{cite:p}}`{D2L_KEY}`" in opener, f"chapters/{lang}/index.md does not cite {D2L_KEY}"
    assert D2L_SECTION in opener, f"chapters/{lang}/index.md does not link d2l's section 11.1"
    assert f"@book{{{D2L_KEY}," in (REPO / "references.bib").read_text(encoding="utf-8")


def footer(page: Path) -> str:
    """The theme's extra footer of a built page ('' if it has none)."""
    found = re.search(r'<div class="extra_footer">(.*?)</div>', page.read_text(encoding="utf-8"), re.S)
    return found[1] if found else ""


def test_every_page_carries_the_licence_and_the_credit(built_site):
    """Every content page (not the redirect index.html, not search) ends with the licence and d2l credit, in its
    edition's language."""
    skipped = {"index.html", "search.html", "genindex.html"}  # a redirect and two pages Sphinx writes itself
    pages = [p for p in built_site.rglob("*.html")
             if "_static" not in p.parts and p.relative_to(built_site).as_posix() not in skipped]
    assert len(pages) > 10
    problems = []
    for page in pages:
        lang = "ko" if page.relative_to(built_site).parts[1:2] == ("ko",) else "en"
        text = footer(page)
        for needed in (CC_BY_SA, D2L_SECTION, FOOTER_WORDS[lang]):
            if needed not in text:
                problems.append(f"{page.relative_to(built_site)}: footer lacks {needed!r}")
    assert not problems, "\n".join(problems)
