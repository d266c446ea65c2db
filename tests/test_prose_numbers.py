"""Numbers in the prose that restate an output agree with it, in both editions; every other number says why not.

The prose of a notebook is its markdown cells (a `{figure}`'s caption and `:alt:` text included) and the figure
captions and alt texts of its cell metadata. notebooks/prose-numbers.yml lists, per notebook:

- `restated`: phrases of the prose with a number in brackets, e.g. `holds [six] records`, in English (`en`) and in
  Korean (`ko`), the id of the code cell whose printed output the number restates, and a regex (`output`) whose
  groups pick the numbers out of that cell's English output, one group per bracketed number, in order. The Korean
  output is read at the same positions (tests/test_parity.py keeps the numbers of both outputs identical). The
  prose number must be the output rounded as the prose writes it: to its decimals (0.85 for 0.849), to units for an
  integer, to its leading digits for an integer after "about"/"약" (about 500 for 511.3), and a fraction such as 1/3
  to the output's printed decimals. If the regex matches several times, every match must agree.
- `not_outputs`: every other number written in digits in the prose, with the reason it is not an output
  (a parameter set in the code, a constant of an equation, an axis position...). A number an alt text reads off a
  figure is printed by the code next to the figure and restated, so it is checked too.

Numbers are typed, not glued: myst-nb's `{glue:text}` renders on the site, but neither JupyterLab nor
jupyterlab-myst renders it, so a reader of the notebook would see the raw markup. Fast: reads the stored notebooks.
"""

import functools
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.test_parity import NUMBER
from tools.notebook_twin import TEXT_KEYS

ROOT = Path(__file__).resolve().parents[1]
INVENTORY_PATH = ROOT / "notebooks" / "prose-numbers.yml"
INVENTORY = yaml.safe_load(INVENTORY_PATH.read_text(encoding="utf-8"))
NAMES = sorted(p.stem for p in (ROOT / "notebooks" / "en").glob("*.ipynb"))
EDITIONS = ("en", "ko")

# a number in digits, not part of a name (float64); a Korean particle may follow it (0.85로)
DIGITS = re.compile(r"(?<![A-Za-z0-9_.])-?\d+(?:\.\d+)?(?![A-Za-z0-9_])")
NOT_SCANNED = re.compile(  # display maths, targets of roles and links, directive options but a figure's alt text
    r"\$\$.*?\$\$|```\{math\}.*?```|\{[\w:-]+\}`[^`]*`|\]\([^)]*\)|^:(?!alt:)[\w-]+:[^\n]*$", re.S | re.M)
MARK = re.compile(r"\[([^\[\]]+)\]")  # [six] in a phrase of the inventory
PROSE_NUMBER = r"(-?\d+(?:\.\d+)?(?:/\d+)?|[^\W\d_]+)"  # where a bracketed number stands: 0.85, 1/3, six, 여섯
WORDS = {  # number words that may be bracketed: English, Korean native numbers (with their forms before 개)
    "en": {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())},
    "ko": {w: i for i, w in enumerate("_ 하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열".split()) if i}
    | {"한": 1, "두": 2, "세": 3, "네": 4},
}
ABOUT = re.compile(r"(?:about|약)\s*$", re.I)


@functools.cache
def read(path):
    """The notebook at `path` (read once per test session)."""
    return nbformat.read(path, as_version=4)


def prose(path):
    """(where, text) of every piece of prose of a notebook: markdown cells, figure captions and alt texts."""
    pieces = []
    for cell in read(path).cells:
        if cell.cell_type == "markdown":
            pieces.append((f"cell {cell.id}", cell.source))
        for key, text in _texts(cell.metadata.get("mystnb", {})):
            pieces.append((f"cell {cell.id} {key}", text))
    return pieces


def _texts(meta):
    """(key, text) of the captions and alt texts in a cell's `mystnb` metadata."""
    for key, value in meta.items():
        if isinstance(value, dict):
            yield from _texts(value)
        elif key in TEXT_KEYS:
            yield key, value


def printed(path, cell_id):
    """The text a code cell printed: its streams and the text/plain of outputs that are not figures or widgets."""
    cells = [c for c in read(path).cells if c.get("id") == cell_id]
    assert cells, f"{path.name}: no cell with id {cell_id!r}"
    parts = []
    for output in cells[0].get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "text/plain" in output.get("data", {}) and not any(
                m.startswith("image/") or "widget" in m for m in output.data):
            parts.append(output.data["text/plain"])
    return "".join(parts)


def unmark(phrase):
    """A phrase of the inventory without its brackets, runs of whitespace as one space."""
    return " ".join(MARK.sub(r"\1", phrase).split())


def phrase_pattern(phrase):
    """Regex that finds a phrase of the inventory in prose, whatever its bracketed numbers now say (each one is a
    group: digits, a fraction or a word); any run of whitespace matches any other."""
    parts = re.split(MARK, " ".join(phrase.split()))  # text, number, text, number, ..., text
    return re.compile("".join(
        PROSE_NUMBER if i % 2 else r"\s+".join(re.escape(word) for word in part.split(" "))
        for i, part in enumerate(parts)))


def prose_value(text, lang):
    """(value, decimals or None for a fraction) of a number as the prose writes it: 0.85, 6, six, 여섯, 1/3."""
    if text.lower() in WORDS[lang]:
        return WORDS[lang][text.lower()], 0
    if re.fullmatch(r"\d+/\d+", text):
        numerator, denominator = map(int, text.split("/"))
        return numerator / denominator, None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text), len(text.split(".")[1]) if "." in text else 0
    raise ValueError(f"{text!r} in brackets is not a number (digits, a fraction or a number word)")


def agrees(text, lang, output_text, about=False):
    """True if the prose number `text` is the printed number `output_text` rounded as the prose writes it."""
    value, decimals = prose_value(text, lang)
    output = float(output_text)
    if decimals is None:  # a fraction: to the printed decimals of the output
        printed_decimals = len(output_text.split(".")[1]) if "." in output_text else 0
        return abs(value - output) <= 0.5 * 10 ** -printed_decimals + 1e-12
    if about and decimals == 0 and value:  # about 500: trailing zeros are not significant
        digits = str(int(abs(value)))
        decimals = -(len(digits) - len(digits.rstrip("0")))
    return round(output, decimals) == value


def output_numbers(en_output, regex):
    """For each match of `regex` in the English output, the indices (among all numbers) of its groups' numbers."""
    starts = [m.start() for m in NUMBER.finditer(en_output)]
    matches = list(re.finditer(regex, en_output, re.M))
    if not matches:
        raise AssertionError(f"output regex {regex!r} matches nothing in:\n{en_output}")
    indices = []
    for m in matches:
        try:
            indices.append([starts.index(m.start(g)) for g in range(1, len(m.groups()) + 1)])
        except ValueError:
            raise AssertionError(f"a group of {regex!r} does not start at a number in:\n{en_output}") from None
    return indices


def restated_problems(name, lang):
    """Each restated number of notebook `name` in edition `lang` differs from its output: the problems found."""
    path = ROOT / "notebooks" / lang / f"{name}.ipynb"
    problems = []
    for entry in INVENTORY[name].get("restated", []):
        phrase, pattern = entry[lang], phrase_pattern(entry[lang])
        hits = [(where, m) for where, text in prose(path) for m in pattern.finditer(text)]
        if not hits:
            problems.append(f"phrase not found in the prose: {unmark(phrase)!r}")
            continue
        en_output = printed(ROOT / "notebooks" / "en" / f"{name}.ipynb", entry["cell"])
        own = NUMBER.findall(printed(path, entry["cell"]))
        for indices in output_numbers(en_output, entry["output"]):
            if len(indices) != pattern.groups:
                problems.append(f"{phrase!r}: {pattern.groups} bracketed numbers, {len(indices)} groups in "
                                f"{entry['output']!r}")
                break
            for where, m in hits:
                for group, (listed, index) in enumerate(zip(MARK.findall(phrase), indices, strict=True), 1):
                    text = m.group(group)
                    if not agrees(text, lang, own[index], about=bool(ABOUT.search(m.string[:m.start(group)]))):
                        problems.append(f"{where}: {text!r} in {m.group(0)!r} restates {own[index]} "
                                        f"printed by cell {entry['cell']}")
                    elif text != listed:
                        problems.append(f"{where}: the prose says {text!r} where {INVENTORY_PATH.name} lists "
                                        f"[{listed}]; update the inventory")
    return problems


def uncovered_numbers(name, lang):
    """Numbers in digits in the prose of notebook `name` (edition `lang`) that are not a bracketed number of a
    restated phrase: (where, number, context)."""
    path = ROOT / "notebooks" / lang / f"{name}.ipynb"
    patterns = [phrase_pattern(entry[lang]) for entry in INVENTORY[name].get("restated", [])]
    found = []
    for where, text in prose(path):
        covered = [m.span(g) for pattern in patterns for m in pattern.finditer(text)
                   for g in range(1, pattern.groups + 1)]
        scanned = NOT_SCANNED.sub(lambda m: " " * len(m.group(0)), text)
        for m in DIGITS.finditer(scanned):
            if not any(start <= m.start() < end for start, end in covered):
                found.append((where, m.group(0), " ".join(text[max(0, m.start() - 40):m.end() + 25].split())))
    return found


# --- the tests -----------------------------------------------------------------------------------------------------


def test_inventory_names_every_notebook():
    """prose-numbers.yml has an entry for each English notebook, and only for those."""
    assert sorted(INVENTORY) == NAMES, f"{INVENTORY_PATH.name}: notebooks {sorted(INVENTORY)}, expected {NAMES}"


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("name", NAMES)
def test_restated_numbers_match_their_outputs(name, lang):
    """Every number the prose restates from a printed output is that output, rounded as the prose writes it."""
    problems = restated_problems(name, lang)
    assert not problems, f"notebooks/{lang}/{name}.ipynb:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("name", NAMES)
def test_every_prose_number_is_accounted_for(name, lang):
    """Every number in digits in the prose is either restated from an output (and so checked) or listed under
    not_outputs with the reason; a new number must be classified in prose-numbers.yml."""
    allowed = INVENTORY[name].get("not_outputs", {})
    found = [(where, number, context) for where, number, context in uncovered_numbers(name, lang)
             if number not in allowed]
    assert not found, (f"notebooks/{lang}/{name}.ipynb: numbers not in {INVENTORY_PATH.name} (add a restated entry "
                       "or a not_outputs reason):\n" + "\n".join(f"{w}: {n!r} in ...{c}..." for w, n, c in found))


def test_every_not_output_number_occurs():
    """No stale not_outputs entry: each listed number occurs in the prose of its notebook (in either edition) outside
    the restated phrases."""
    stale = []
    for name in NAMES:
        present = {number for lang in EDITIONS for _, number, _ in uncovered_numbers(name, lang)}
        stale += [f"{name}: {n}" for n in INVENTORY[name].get("not_outputs", {}) if n not in present]
    assert not stale, "not_outputs entries that occur nowhere else than in restated phrases:\n" + "\n".join(stale)


@pytest.mark.parametrize(("text", "output", "about", "ok"), [
    ("0.85", "0.849", False, True),
    ("0.85", "0.844", False, False),
    ("six", "6", False, True),
    ("six", "7", False, False),
    ("500", "511.3", True, True),
    ("500", "511.3", False, False),
    ("0", "0.013", True, True),
    ("0", "0.6", True, False),
    ("1/3", "0.333", False, True),
    ("1/3", "0.330", False, False),
    ("0.50", "0.500", False, True),
])
def test_rounding_rule(text, output, about, ok):
    """agrees() accepts the output rounded as the prose writes it, and nothing else."""
    assert agrees(text, "en", output, about) is ok


def test_phrase_pattern_finds_the_numbers_whatever_they_say():
    """A phrase is found with other numbers in its brackets' places, so a drifted number is reported, not lost."""
    m = phrase_pattern("similarity [0.50] and\n  weight [0.49];").search("have similarity 0.51 and weight\n0.5;")
    assert m and m.groups() == ("0.51", "0.5")
    assert phrase_pattern("holds [six] records").search("holds seven records").group(1) == "seven"
    assert phrase_pattern("똑같이 $[1/3]$씩").search("똑같이 $1/4$씩").group(1) == "1/4"
    assert unmark("holds  [six]\n records") == "holds six records"
