"""The learner's glossary (chapters/en/glossary.md, chapters/ko/glossary.md): every term has a one-line definition
and a link to where it is introduced, both editions define the same terms with the same links, and each Korean term
is the one chapters/glossary.yml chose."""

import json
import re
from pathlib import Path

import pytest

from _ext.qkv_i18n import load_glossary
from tools.notebook_twin import LABEL_DEFINITIONS

ROOT = Path(__file__).resolve().parents[1]
PAGES = {lang: ROOT / "chapters" / lang / "glossary.md" for lang in ("en", "ko")}
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`")
LINK = re.compile(r"\]\(([^)#\s]+)\)")


def definitions(lang):
    """[(term, definition)] of the page's ```{glossary} block, in order."""
    text = PAGES[lang].read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\n(.*?)^```$", text, re.M | re.S)
    assert block, f"{PAGES[lang]} has no ```{{glossary}} block"
    entries = re.findall(r"^(\S[^\n]*)\n((?:  [^\n]*\n?)+)", block.group(1), re.M)
    return [(term.strip(), " ".join(line.strip() for line in body.splitlines())) for term, body in entries]


def labels(lang):
    """Every label the notebooks of `lang` define: figure names, `(target)=`, `:label:` and `:name:`."""
    found = set()
    for path in (ROOT / "notebooks" / lang).glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found |= {a or b for a, b in LABEL_DEFINITIONS.findall(source)}  # (x)=, :label: x, :name: x
            name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
            found |= {name} if name else set()
    return found


def targets(definition):
    """The labels and the local files a definition links to."""
    return REF.findall(definition), [f for f in LINK.findall(definition) if not f.startswith("http")]


def test_both_editions_define_the_same_terms_with_the_same_links():
    en, ko = definitions("en"), definitions("ko")
    assert len(en) >= 25, f"only {len(en)} terms defined"
    assert [term.lower() for term, _ in en] == [re.search(r"\((.+)\)$", term).group(1).lower() for term, _ in ko], \
        "the Korean glossary must define the English terms, in the same order, as `한국어(English)`"
    for (term, en_text), (_, ko_text) in zip(en, ko, strict=True):
        (en_refs, en_files), (ko_refs, ko_files) = targets(en_text), targets(ko_text)
        assert ko_refs == [f"ko-{label}" for label in en_refs], term
        assert ko_files == [f.replace("/en/", "/ko/") for f in en_files], term


@pytest.mark.parametrize("lang", PAGES)
def test_every_term_is_defined_in_a_line_and_linked_to_where_it_is_introduced(lang):
    known, problems = labels(lang), []
    for term, text in definitions(lang):
        refs, files = targets(text)
        if not (refs or files or "https://d2l.ai/" in text):
            problems.append(f"{term}: no link to where it is introduced")
        problems += [f"{term}: unknown label {label}" for label in refs if label not in known]
        problems += [f"{term}: no file {f}" for f in files if not (PAGES[lang].parent / f).is_file()]
        if not 20 <= len(text) <= 260:
            problems.append(f"{term}: a definition of {len(text)} characters, not one line or two")
    assert not problems, "\n".join(problems)


def test_korean_terms_are_the_chosen_ones():
    chosen = {term["en"].lower(): [term["ko"], *term.get("ko_also", [])] for term in load_glossary()}
    problems = []
    for (en_term, _), (ko_term, _) in zip(definitions("en"), definitions("ko"), strict=True):
        words = chosen.get(en_term.lower())
        if words and not any(ko_term.startswith(f"{word}(") for word in words):
            problems.append(f"{en_term}: Korean {ko_term!r}, chapters/glossary.yml chose {words}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("lang", "talk"), [("en", r"\btests?\b|checked by"), ("ko", r"테스트")])
def test_the_glossary_speaks_to_learners(lang, talk):
    found = re.findall(rf".{{0,30}}(?:{talk}).{{0,30}}", PAGES[lang].read_text(encoding="utf-8"))
    assert not found, f"maintainer language on a learner's page: {found}"
