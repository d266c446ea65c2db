"""The Korean edition is in step with the English one: same cells, code, equations, outputs, and the chosen terms.

Fast, pure file checks on every pair notebooks/en/X.ipynb ↔ notebooks/ko/X.ipynb (and chapters/en/X.md ↔
chapters/ko/X.md). The terms come from chapters/glossary.yml, which also renders both glossary pages.
Each failure names the file, the cell index and what differs. CONTRIBUTING.md explains the rules for authors.
"""

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
import yaml

from _ext.qkv_i18n import load_glossary
from tools import notebook_twin

ROOT = Path(__file__).resolve().parents[1]

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
DISPLAY_MATH = re.compile(  # $$...$$, ```{math} / ```math fences, :::{math}, and amsmath \begin{env}...\end{env}
    r"\$\$.+?\$\$|```\{math\}.*?```|```math.*?```|:::\{math\}.*?:::|\\begin\{([a-zA-Z*]+)\}.*?\\end\{\1\}", re.S
)
HEADING = re.compile(r"^#{1,6} .*$", re.M)
CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)  # fences and code spans (a $ there is not maths)
INLINE_MATH = re.compile(r"(?<![$\\])\$(?!\$)((?:\\.|[^$\\])+?)\$")  # $...$, not \$ (a dollar sign)
MATH_ROLE = re.compile(r"\{math\}`([^`]*)`")
LABEL_OPTION = re.compile(r"^:label:.*$", re.M)
ENGLISH_LINK = re.compile(r"\]\(([^)\s]*\ben/[\w.-]+\.(?:ipynb|md))")  # a link to an English page
NOT_PROSE = re.compile(r"\]\([^)]*\)|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|^:\w+:.*?$", re.S | re.M)  # links, code, maths
GLOSS = re.compile(r"[^()]{0,12}?\(([^()]*)\)")  # after a Korean term: a short tail, then (English ...)
GLOSSARY = load_glossary()

EN_NOTEBOOKS = sorted((ROOT / "notebooks" / "en").glob("*.ipynb"))
KO_NOTEBOOKS = sorted((ROOT / "notebooks" / "ko").glob("*.ipynb"))
EN_PAGES = sorted((ROOT / "chapters" / "en").glob("*.md"))
LABELS_FILE = ROOT / "utils" / "widgets" / "labels.py"  # the widgets' words, both languages
# Pages that serve both editions and so have no Korean twin, with the reason (none today: each edition has its own
# references page, and the Korean citations link to the Korean one).
SHARED_PAGES: dict[str, str] = {}


def twin(en_path):
    """notebooks/en/X.ipynb -> notebooks/ko/X.ipynb, chapters/en/X.md -> chapters/ko/X.md"""
    return en_path.parents[1] / "ko" / en_path.name


NOTEBOOK_PAIRS = [(en, twin(en)) for en in EN_NOTEBOOKS if twin(en).exists()]
PAGE_PAIRS = [(en, twin(en)) for en in EN_PAGES if twin(en).exists()]
ALL_PAIRS = NOTEBOOK_PAIRS + PAGE_PAIRS


def rel(path):
    """A path relative to the repository (if inside it), for messages."""
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def ids(pairs):
    """Test ids: the English file names."""
    return [en.name for en, _ in pairs]


def read_notebook(path):
    """The notebook at `path` (nbformat 4)."""
    return nbformat.read(path, as_version=4)


def markdown_units(path):
    """The prose of a notebook or page as (index, text) units: markdown cells of a notebook, blocks of a .md page."""
    if path.suffix == ".ipynb":
        return [(i, c.source) for i, c in enumerate(read_notebook(path).cells) if c.cell_type == "markdown"]
    return list(enumerate(re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))))


def reader_text(path):
    """(where, text) pieces of `path` a reader sees: a notebook's markdown and code cells and its figure captions
    and alt texts, else the whole file."""
    if path.suffix != ".ipynb":
        return [("file", path.read_text(encoding="utf-8"))]
    cells = list(enumerate(read_notebook(path).cells))
    return [(f"cell {i}", c.source) for i, c in cells if c.cell_type != "raw"] + [
        (f"cell {i} metadata", json.dumps(c.metadata["mystnb"], ensure_ascii=False)) for i, c in cells
        if "mystnb" in c.metadata]


# --- the rules, as functions that return a list of problems --------------------------------------------------------


def code_tokens(source):
    """The tokens of `source` that must match, comments and non-logical newlines dropped."""
    return [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL)]


def string_may_differ(en, ko):
    """True if two string literals may differ: the Korean one contains Hangul, or they are 'en' -> 'ko'."""
    if HANGUL.search(ko):
        return True
    try:
        return (ast.literal_eval(en), ast.literal_eval(ko)) == ("en", "ko")
    except (ValueError, SyntaxError):
        return False


def code_problems(en_source, ko_source):
    """Why `ko_source` is not a twin of `en_source` (the rule is in test_same_code's docstring); [] if it is."""
    try:
        en_tokens, ko_tokens = code_tokens(en_source), code_tokens(ko_source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [] if en_source == ko_source else ["code cannot be tokenized, so it must be identical, and it is not"]
    if len(en_tokens) != len(ko_tokens):
        return [f"{len(en_tokens)} tokens in English, {len(ko_tokens)} in Korean (comments not counted)"]
    for en, ko in zip(en_tokens, ko_tokens, strict=True):
        same = en.type == ko.type and (en.string == ko.string or en.type in (tokenize.NEWLINE, tokenize.ENDMARKER))
        if not same and not (en.type == ko.type == tokenize.STRING and string_may_differ(en.string, ko.string)):
            return [f"line {ko.start[0]}: Korean {ko.string!r} where English has {en.string!r}"]
    return []


def display_math(markdown):
    """Display equations of a markdown text in order, whitespace-normalised, without their labels (which differ)."""
    return [" ".join(LABEL_OPTION.sub("", m.group(0)).split()) for m in DISPLAY_MATH.finditer(markdown)]


def inline_math(markdown):
    """The distinct inline equations ($…$, {math}`…`) of a markdown text, whitespace-normalised, sorted: Korean word
    order may move them and a translation may say one twice. Display maths and code are not counted."""
    text = DISPLAY_MATH.sub(" ", markdown)
    found = [m.group(1) for m in MATH_ROLE.finditer(text)]
    found += [m.group(1) for m in INLINE_MATH.finditer(CODE.sub(" ", text))]
    return sorted({" ".join(equation.split()) for equation in found})


def unit_problems(en_path, ko_path, extract):
    """'cell i: English vs Korean' wherever `extract` (e.g. display_math) differs between a markdown unit and its
    twin; the prose blocks of a page need not line up, so a page is compared whole."""
    en, ko = dict(markdown_units(en_path)), dict(markdown_units(ko_path))
    if en_path.suffix == ".md":
        en, ko = {"page": "\n".join(en.values())}, {"page": "\n".join(ko.values())}
    return [f"cell {i}: {extract(en[i])} vs {extract(ko.get(i, ''))}"
            for i in en if extract(en[i]) != extract(ko.get(i, ""))]


def metadata_problems(en, ko):
    """A cell's `mystnb` metadata (figure captions, alt texts, names) agrees: the same keys and values, except that
    a name gets the prefix ko- and a caption or alt text is in Korean (contains Hangul)."""
    if not isinstance(en, dict) or not isinstance(ko, dict):
        return [] if en == ko else [f"{ko!r} where English has {en!r}"]
    if sorted(en) != sorted(ko):
        return [f"keys {sorted(ko)} where English has {sorted(en)}"]
    problems = []
    for key in en:
        if key == "name" and ko[key] != notebook_twin.LABEL_PREFIX + en[key]:
            problems.append(f"name {ko[key]!r} should be {notebook_twin.LABEL_PREFIX + en[key]!r}")
        elif key in notebook_twin.TEXT_KEYS and not HANGUL.search(ko[key]):
            problems.append(f"{key} not translated: {ko[key][:60]!r}")
        elif key != "name" and key not in notebook_twin.TEXT_KEYS:
            problems += metadata_problems(en[key], ko[key])
    return problems


def text_problems(en, ko):
    """Text outputs may differ only in translated labels.

    The sequence of numbers must be identical, and the text between them may differ only where the Korean text
    contains Hangul.
    """
    if NUMBER.findall(en) != NUMBER.findall(ko):
        return [f"numbers differ: English {NUMBER.findall(en)[:8]}..., Korean {NUMBER.findall(ko)[:8]}..."]
    return [f"text differs without Hangul: English {a!r}, Korean {b!r}"
            for a, b in zip(NUMBER.split(en), NUMBER.split(ko), strict=True) if a != b and not HANGUL.search(b)][:1]


def output_problems(en_outputs, ko_outputs):
    """Same number and types of outputs; text by `text_problems`; images and widget views need only be present (the
    text/plain of a widget view is its Python repr, with a memory address, and not what a reader sees)."""
    if [o.output_type for o in en_outputs] != [o.output_type for o in ko_outputs]:
        return [f"output types differ: {[o.output_type for o in en_outputs]} vs {[o.output_type for o in ko_outputs]}"]
    problems = []
    for n, (en, ko) in enumerate(zip(en_outputs, ko_outputs, strict=True)):
        if en.output_type == "stream":
            pairs = [(en.name, ko.name)] if en.name != ko.name else [(en.text, ko.text)]
        elif en.output_type == "error":
            pairs = [(en.ename, ko.ename)] if en.ename != ko.ename else [(en.evalue, ko.evalue)]
        elif sorted(en.data) != sorted(ko.data):
            problems.append(f"output {n}: kinds differ: {sorted(en.data)} vs {sorted(ko.data)}")
            continue
        elif any("widget-view" in mime for mime in en.data):
            pairs = []
        else:
            pairs = [(_as_text(en.data[m]), _as_text(ko.data[m])) for m in en.data if not m.startswith("image/")]
        problems += [f"output {n}: {p}" for a, b in pairs for p in text_problems(a, b)]
    return problems


def _as_text(data):
    """A mime bundle entry as text."""
    return data if isinstance(data, str) else json.dumps(data, sort_keys=True)


def english_regex(term, gloss=False):
    """Case-insensitive whole-word regex of the English forms of a term; for a gloss, the term itself also counts."""
    forms = [*term.get("en_forms", []), *([re.escape(term["en"]) + "s?"] if gloss or "en_forms" not in term else [])]
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.I)


def korean_regex(term):
    """The accepted Korean forms of a term, at the start of a word (particles follow, never precede)."""
    forms = [term["ko"], *term.get("ko_also", [])]
    return re.compile(r"(?<![\uac00-\ud7a3])(?:" + "|".join(map(re.escape, forms)) + ")")


def other_senses(term, lang):
    """`text` with the phrases removed in which the term means something else (the term's en_not or ko_not)."""
    phrases = term.get(f"{lang}_not", [])
    other = re.compile("|".join(phrases), re.I) if phrases else None
    return (lambda text: other.sub(" ", text)) if other else (lambda text: text)


def glossary_problems(en_path, ko_path):
    """For each term the English prose uses, the Korean prose uses the chosen Korean term, with the English in
    parentheses at first use: the first markdown cell (or block; headings aside) that uses the Korean term must
    gloss it, e.g. 어텐션(attention) or 어텐션 가중치(attention weights), unless the term says gloss: false. Prose is
    markdown without link targets, code spans, maths and directive options, with line breaks read as spaces; the
    phrases of a term's en_not / ko_not (another sense of the word, e.g. a numeric value) do not count."""
    en_prose = " ".join(" ".join(NOT_PROSE.sub(" ", text).split()) for _, text in markdown_units(en_path))
    ko_units = [(i, " ".join(NOT_PROSE.sub(" ", HEADING.sub("", text)).split())) for i, text in markdown_units(ko_path)]
    problems = []
    for term in GLOSSARY:
        english, korean, gloss = english_regex(term), korean_regex(term), english_regex(term, gloss=True)
        if not english.search(other_senses(term, "en")(en_prose)):
            continue
        units = [(i, other_senses(term, "ko")(text)) for i, text in ko_units]
        first = next(((i, text) for i, text in units if korean.search(text)), None)
        if first is None:
            problems.append(f"uses '{term['en']}' but the Korean never says {term['ko']!r}")
        elif term.get("gloss", True) and not any((g := GLOSS.match(first[1], m.end())) and gloss.search(g.group(1))
                                                 for m in korean.finditer(first[1])):
            problems.append(f"cell {first[0]}: first use of {term['ko']!r} without the English in parentheses, "
                            f"e.g. {term['ko']}({term['en']})")
    return problems


def korean_labels():
    """(where, English label, Korean label) for every widget word and every translated figure or output string
    (the `strings:` of notebooks/ko/translations/*.yml)."""
    path = LABELS_FILE
    tree = ast.parse(path.read_text(encoding="utf-8"))
    labels = next(ast.literal_eval(n.value) for n in tree.body
                  if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "LABELS")
    pairs = [(f"{rel(path)} [{key!r}]", en, labels["ko"][key]) for key, en in labels["en"].items()]
    for yml in sorted((ROOT / "notebooks" / "ko" / "translations").glob("*.yml")):
        strings = yaml.safe_load(yml.read_text(encoding="utf-8")).get("strings") or {}
        pairs += [(f"{rel(yml)} strings", en, ko) for en, ko in strings.items() if ko is not None]
    return pairs


def label_problems(labels):
    """For each (where, English, Korean) label: a glossary term the English uses must be in the Korean by its
    Korean word (figure labels and widget words are short, so no gloss is asked for). Format fields such as
    {query!r} are code, not words."""
    problems = []
    for where, en, ko in labels:
        words = re.sub(r"\{[^{}]*\}", " ", en)
        for term in GLOSSARY:
            if english_regex(term).search(other_senses(term, "en")(words)) and not korean_regex(term).search(ko):
                problems.append(f"{where}: {en!r} -> {ko!r} does not say {term['ko']!r} ({term['en']})")
    return problems


def widget_classes():
    """The widget class names exported by utils.widgets (read from its __all__, without importing torch)."""
    path = ROOT / "utils" / "widgets" / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8")) if path.exists() else ast.Module(body=[])
    names = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"]
    return set(ast.literal_eval(names[0])) if names else set()


def widget_languages(path):
    """(cell index, widget class, its lang argument or None) for every widget constructed in a notebook."""
    classes, found = widget_classes(), []
    for index, cell in enumerate(read_notebook(path).cells):
        try:
            tree = ast.parse(cell.source) if cell.cell_type == "code" else ast.Module(body=[])
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            name = getattr(node, "func", None) and getattr(node.func, "attr", getattr(node.func, "id", None))
            if isinstance(node, ast.Call) and name in classes:
                lang = [k.value for k in node.keywords if k.arg == "lang"]
                found.append((index, name, ast.literal_eval(lang[0]) if lang else None))
    return found


CHOSEN_TERMS = [ko for term in GLOSSARY for ko in (term["ko"], *term.get("ko_also", []))]


def avoided_regex(phrase):
    """A variant at the start of a word, with any spacing between its words (주의 메커니즘 finds 주의메커니즘 and
    주의\n메커니즘), unless that would find a chosen term: then the space is what is avoided (히트 맵, not 히트맵)."""
    words = [re.escape(word) for word in phrase.split()]
    spaced = r"\s*".join(words)
    if any(re.fullmatch(spaced, chosen) for chosen in CHOSEN_TERMS):
        spaced = r"\s+".join(words)
    return re.compile(r"(?<![\w가-힣])" + spaced)


def avoided_phrases(path, key):
    """'where: phrase' for every variant listed under `key` (avoid or avoid_en) that `path` contains at the start
    of a word (so 질의 is not found in 껍질의 or 성질의), with any spacing (see `avoided_regex`)."""
    phrases = [(phrase, avoided_regex(phrase)) for term in GLOSSARY for phrase in term.get(key, [])]
    return [
        f"{rel(path)}: {where}: {phrase!r}"
        for where, text in reader_text(path)
        for phrase, regex in phrases
        if regex.search(text)
    ]


# --- the tests -----------------------------------------------------------------------------------------------------


def test_every_english_notebook_has_a_korean_twin():
    """Each notebooks/en/X.ipynb has notebooks/ko/X.ipynb (fails until the Korean edition is complete)."""
    missing = [rel(en) for en in EN_NOTEBOOKS if not twin(en).exists()]
    assert not missing, f"no Korean twin for: {missing}"


def test_every_english_chapter_page_has_a_korean_twin():
    """Each chapters/en/X.md has chapters/ko/X.md, except the SHARED_PAGES."""
    missing = [rel(en) for en in EN_PAGES if not twin(en).exists() and en.name not in SHARED_PAGES]
    assert not missing, f"no Korean twin for: {missing}"


def test_every_korean_file_has_an_english_original():
    """No Korean notebook or page exists without the English one it translates."""
    korean = KO_NOTEBOOKS + sorted((ROOT / "chapters" / "ko").glob("*.md"))
    orphans = [rel(ko) for ko in korean if not (ko.parents[1] / "en" / ko.name).exists()]
    assert not orphans, f"Korean files without an English original: {orphans}"


def test_korean_part_of_the_toc_mirrors_the_english_part():
    """_toc.yml's 한국어 part lists the Korean twins of the English part's files, in the same order and nesting."""
    parts = {part["caption"]: part["chapters"] for part in yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"]}

    def flatten(entries, depth=0):
        return [x for e in entries for x in [(depth, e["file"]), *flatten(e.get("sections", []), depth + 1)]]

    def exists(doc):
        return any((ROOT / doc).with_suffix(suffix).exists() for suffix in (".md", ".ipynb"))

    mirrored = [(d, f.replace("/en/", "/ko/")) for d, f in flatten(parts["English"])]
    assert flatten(parts["한국어"]) == [(d, f) for d, f in mirrored if exists(f)]


@pytest.mark.parametrize(("en_path", "ko_path"), NOTEBOOK_PAIRS, ids=ids(NOTEBOOK_PAIRS))
def test_same_cells_kinds_and_tags(en_path, ko_path):
    """Same number and kinds of cells, in the same order, with the same tags and the same figure metadata (see
    `metadata_problems`)."""
    en, ko = read_notebook(en_path).cells, read_notebook(ko_path).cells
    assert [c.cell_type for c in ko] == [c.cell_type for c in en], f"{rel(ko_path)}: cell kinds or count differ"
    problems = [f"cell {i}: tags {sorted(k.metadata.get('tags', []))} vs English {sorted(e.metadata.get('tags', []))}"
                for i, (e, k) in enumerate(zip(en, ko, strict=True))
                if sorted(e.metadata.get("tags", [])) != sorted(k.metadata.get("tags", []))]
    problems += [f"cell {i}: metadata mystnb: {p}" for i, (e, k) in enumerate(zip(en, ko, strict=True))
                 for p in metadata_problems(e.metadata.get("mystnb", {}), k.metadata.get("mystnb", {}))]
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


@pytest.mark.parametrize(("en_path", "ko_path"), NOTEBOOK_PAIRS, ids=ids(NOTEBOOK_PAIRS))
def test_same_code(en_path, ko_path):
    """Code cells are identical except comments and human-readable strings.

    Both cells are tokenized with Python's `tokenize`; COMMENT and NL tokens are dropped; every other token must be
    identical, except that a string literal may differ ONLY if the Korean one contains Hangul, or the pair is the
    language switch 'en' -> 'ko' (e.g. `lang='en'` -> `lang='ko'`).
    """
    en, ko = read_notebook(en_path).cells, read_notebook(ko_path).cells
    problems = [f"cell {i}: {p}" for i, (e, k) in enumerate(zip(en, ko, strict=False))
                if e.cell_type == k.cell_type == "code" for p in code_problems(e.source, k.source)]
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


@pytest.mark.parametrize(("en_path", "ko_path"), ALL_PAIRS, ids=ids(ALL_PAIRS))
def test_same_display_equations(en_path, ko_path):
    """Every display equation ($$…$$, {math}, \\begin{…}…\\end{…}) is identical, in the same cells and order."""
    problems = unit_problems(en_path, ko_path, display_math)
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


@pytest.mark.parametrize(("en_path", "ko_path"), ALL_PAIRS, ids=ids(ALL_PAIRS))
def test_same_inline_equations(en_path, ko_path):
    """Each cell has the inline equations ($…$, {math}`…`) of its English cell, no more and no fewer (see
    `inline_math` and `unit_problems`)."""
    problems = unit_problems(en_path, ko_path, inline_math)
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


@pytest.mark.parametrize(("en_path", "ko_path"), NOTEBOOK_PAIRS, ids=ids(NOTEBOOK_PAIRS))
def test_same_outputs(en_path, ko_path):
    """Stored outputs agree: see `output_problems` and `text_problems`."""
    en, ko = read_notebook(en_path).cells, read_notebook(ko_path).cells
    problems = [f"cell {i}: {p}" for i, (e, k) in enumerate(zip(en, ko, strict=False))
                if e.cell_type == k.cell_type == "code" for p in output_problems(e.outputs, k.outputs)]
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


@pytest.mark.parametrize(("en_path", "ko_path"), ALL_PAIRS, ids=ids(ALL_PAIRS))
def test_korean_uses_the_glossary_terms(en_path, ko_path):
    """For each glossary term the English prose uses, the Korean prose uses the chosen Korean term, glossed with the
    English in parentheses at its first use (see `glossary_problems`)."""
    problems = glossary_problems(en_path, ko_path)
    assert not problems, f"{rel(ko_path)}: " + "; ".join(problems)


def test_korean_labels_use_the_glossary_terms():
    """Figure and output labels (translation `strings:`) and widget words use the glossary's Korean terms where the
    English label uses the English term (see `label_problems`)."""
    problems = label_problems(korean_labels())
    assert not problems, "labels off the glossary (see chapters/glossary.yml):\n" + "\n".join(problems)


@pytest.mark.parametrize(("en", "ko", "ok"), [
    ("Small values are light.", "작은 값은 밝게 그립니다.", True),  # a number: no gloss asked for
    ("A kernel value of zero.", "커널(kernel) 값이 0입니다.", True),
    ("The weighted sum of the values.", "값들의 가중합입니다.", False),  # the attention value, unglossed
    ("The weighted sum of the values.", "값(value)들의 가중합입니다.", True),
    ("Small values are light; the sum of the values.", "작은 값은 밝게, 값(value)들의 합.", True),
    ("The gradient is zero.", "기울기는 0입니다.", False),
    ("Each training input.", "각 학습 입력.", True),  # gloss: false
    ("Each training input.", "각 훈련 입력.", False),
])
def test_glossary_rule(tmp_path, en, ko, ok):
    """glossary_problems tells the attention value from a number (en_not, ko_not) and asks no gloss of an everyday
    word (gloss: false), but still wants its Korean word."""
    (tmp_path / "en").mkdir(), (tmp_path / "ko").mkdir()
    (tmp_path / "en" / "p.md").write_text(en, encoding="utf-8"), (tmp_path / "ko" / "p.md").write_text(ko, "utf-8")
    assert (glossary_problems(tmp_path / "en" / "p.md", tmp_path / "ko" / "p.md") == []) is ok


@pytest.mark.parametrize(("en", "ko", "ok"), [
    ("weights = softmax(score / temperature)", "가중치 = 소프트맥스(스코어 / 온도)", True),
    ("weights = softmax(score / temperature)", "가중치 = softmax(점수 / 온도)", False),
    ("{query!r:>8} similarity {row}", "{query!r:>8} 유사도 {row}", True),  # {query!r} is code
    ("after training", "훈련 후", False),
])
def test_label_rule(en, ko, ok):
    """label_problems wants the glossary's Korean word in a label whose English uses the term."""
    assert (label_problems([("label", en, ko)]) == []) is ok


@pytest.mark.parametrize("path", EN_NOTEBOOKS + KO_NOTEBOOKS, ids=[rel(p) for p in EN_NOTEBOOKS + KO_NOTEBOOKS])
def test_widgets_name_their_language(path):
    """Every widget is built with an explicit lang: 'en' in the English edition, 'ko' in the Korean one (without it
    the Korean twin, whose code must stay identical, could not switch the widget's labels)."""
    expected = path.parent.name
    wrong = [f"cell {i}: {name}(lang={lang!r})" for i, name, lang in widget_languages(path) if lang != expected]
    assert not wrong, f"{rel(path)}: widgets need lang={expected!r}: " + "; ".join(wrong)


def test_no_avoided_variant_in_either_edition():
    """No Korean variant the glossary avoids appears in the Korean edition (prose, code, widget labels, landing page),
    and no English misspelling it lists appears in the English edition."""
    shared = [ROOT / "intro.md", LABELS_FILE]
    korean = [*KO_NOTEBOOKS, *sorted((ROOT / "chapters" / "ko").glob("*.md")), *shared]
    english = [*EN_NOTEBOOKS, *EN_PAGES, *shared]
    found = [hit for path in korean if path.exists() for hit in avoided_phrases(path, "avoid")]
    found += [hit for path in english if path.exists() for hit in avoided_phrases(path, "avoid_en")]
    assert not found, "avoided terms (see chapters/glossary.yml):\n" + "\n".join(found)


def test_korean_pages_link_to_korean_pages():
    """A Korean page links to an English page only while that page has no Korean twin (or is one of the
    SHARED_PAGES): once the twin exists, the link must move to it."""
    problems = []
    for path in [*KO_NOTEBOOKS, *sorted((ROOT / "chapters" / "ko").glob("*.md"))]:
        for where, text in reader_text(path):
            for target in ENGLISH_LINK.findall(text):
                english = (path.parent / target).resolve()
                if twin(english).exists() and english.name not in SHARED_PAGES:
                    problems.append(f"{rel(path)}: {where}: links to {target}; link to {rel(twin(english))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ko_path", KO_NOTEBOOKS, ids=[p.name for p in KO_NOTEBOOKS])
def test_korean_notebook_is_built_from_its_translation_file(ko_path):
    """notebooks/ko/X.ipynb is exactly what tools/notebook_twin.py builds from the English notebook and
    notebooks/ko/translations/X.yml: every English markdown cell has its Korean text, no entry is stale."""
    problems = notebook_twin.check(ko_path.stem)
    assert not problems, (f"{rel(ko_path)}:\n" + "\n".join(problems) + f"\nfix: edit notebooks/ko/translations/"
                          f"{ko_path.stem}.yml as said above, then run `make notebooks NAME={ko_path.stem}`")


def test_glossary_is_well_formed():
    """Every term has en and ko, its English forms compile, reasons come in both languages, and no avoided variant
    is found in a chosen Korean term, whatever its spacing (else the chosen term itself would fail)."""
    for term in GLOSSARY:
        assert term["en"] and term["ko"], term
        english_regex(term)
        assert ("why_en" in term) == ("why_ko" in term), f"{term['en']}: give the reason in both languages"
        clashes = [(a, c) for a in term.get("avoid", []) for c in CHOSEN_TERMS if avoided_regex(a).search(c)]
        assert not clashes, f"{term['en']}: avoided variant inside a chosen term: {clashes}"


# --- the rules reject what they should (small synthetic cases) -----------------------------------------------------


@pytest.mark.parametrize(("en", "ko", "ok"), [
    ("w = f(x, lang='en')  # weights", "w = f(x, lang='ko')  # 가중치", True),
    ("fig = plot(xlabel='Keys')", "fig = plot(xlabel='키')", True),
    ("x = 1\n# shape (n, d)\n", "x = 1\n", True),
    ("x = 1", "x = 2", False),
    ("s = 'scaled_dot'", "s = 'dot'", False),
    ("print('Keys')", "print('Keys:')", False),
    ("f(lang='en')", "f(lang='fr')", False),
    ("f(a, b)", "f(b, a)", False),
])
def test_code_rule(en, ko, ok):
    """code_problems accepts comments, Hangul strings and 'en' -> 'ko', and nothing else."""
    assert (code_problems(en, ko) == []) is ok


@pytest.mark.parametrize(("en", "ko", "ok"), [
    ("Output: 2.0000\n", "출력: 2.0000\n", True),
    ("Output: 2.0000\n", "출력: 2.0001\n", False),
    ("tensor([0.4, 0.6])", "tensor([0.4, 0.6]) ", False),
    ("weights sum to 1", "weights sum to 1.0", False),
])
def test_text_output_rule(en, ko, ok):
    """text_problems accepts translated labels and nothing else."""
    assert (text_problems(en, ko) == []) is ok


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("볼록 껍질의 꼭짓점은 성질의 예입니다.", []),
        ("질의를 키와 비교합니다.", ["질의"]),
        ("어텐션 가중치와 주의 가중치", ["주의 가중치"]),
        ("주의메커니즘과 주의\n기제", ["주의 메커니즘", "주의 기제"]),
        ("히트맵과 멀티 헤드 어텐션", []),
        ("히트 맵과 멀티헤드  어텐션", ["히트 맵", "멀티헤드 어텐션"]),
    ],
)
def test_avoided_phrases_match_at_word_start(tmp_path, text, found):
    """avoided_phrases finds a variant only at the start of a word, so natural Korean is not flagged."""
    (tmp_path / "page.md").write_text(text, encoding="utf-8")
    assert [hit.rsplit(": ", 1)[1].strip("'") for hit in avoided_phrases(tmp_path / "page.md", "avoid")] == found


@pytest.mark.parametrize(("en", "ko", "ok"), [
    ({"figure": {"name": "fig-a", "caption": "A plot."}}, {"figure": {"name": "ko-fig-a", "caption": "그림."}}, True),
    ({"figure": {"name": "fig-a"}}, {"figure": {"name": "fig-a"}}, False),
    ({"image": {"alt": "Bars."}}, {"image": {"alt": "Bars."}}, False),
    ({"image": {"alt": "Bars.", "width": "80%"}}, {"image": {"alt": "막대.", "width": "50%"}}, False),
])
def test_metadata_rule(en, ko, ok):
    """metadata_problems wants prefixed names and Korean captions, and everything else unchanged."""
    assert (metadata_problems(en, ko) == []) is ok


def test_inline_math_finds_each_kind():
    """inline_math finds $…$ and {math}`…` in any order, and skips display maths, code and escaped dollars."""
    md = "Cost \\$5; $q_i$ and {math}`k`\n$$x$$ and `$not$`\n```\n$nor$\n```\nthen $\\alpha  =1$, $q_i$"
    assert inline_math(md) == sorted(["q_i", "k", "\\alpha =1"])


def test_display_math_finds_each_kind():
    """display_math finds $$, {math} and \\begin blocks in order, and ignores inline math."""
    md = "$a$ and $$x =\n 1$$\n```{math}\n:label: eq-y\ny\n```\n\\begin{align}z\\end{align}"
    assert display_math(md) == ["$$x = 1$$", "```{math} y ```", "\\begin{align}z\\end{align}"]
