"""tools/notebook_twin.py guards the translation: new English strings, word diffs, f-strings on any Python, staleness.

The checks run the tool on a copy of the notebooks in a temporary folder, so the repository is never changed.
"""

import json
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

from tools import notebook_twin

REPO = Path(__file__).resolve().parent.parent
SECTION = "visualizing-attention"


@pytest.fixture
def copy(tmp_path):
    """A folder with the tool and every notebook and translation file, like the repository."""
    (tmp_path / "tools").mkdir()
    shutil.copy(REPO / "tools" / "notebook_twin.py", tmp_path / "tools")
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return tmp_path


def edit_english(copy, old, new):
    """Replace `old` by `new` in the English notebook SECTION in `copy`; return the index of the cell it was in."""
    path = copy / "notebooks" / "en" / f"{SECTION}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    index = cell_holding(nb["cells"], old)
    nb["cells"][index]["source"] = "".join(nb["cells"][index]["source"]).replace(old, new, 1)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return index


def cell_holding(cells, text):
    """The index of the first cell whose source holds `text`."""
    found = [i for i, cell in enumerate(cells) if text in "".join(cell["source"])]
    assert found, f"no cell of {SECTION} holds {text!r}: update this test"
    return found[0]


def check(copy):
    """(exit code, output) of `notebook_twin.py --check SECTION` in `copy`."""
    done = subprocess.run([sys.executable, copy / "tools" / "notebook_twin.py", "--check", SECTION],
                          capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow  # runs the tool in a fresh interpreter, twice
def test_a_new_english_plot_label_fails_the_check_and_is_named(copy):
    index = edit_english(copy, 'xlabel="Keys"', 'xlabel="Key index"')  # the architecture review's acceptance test
    code, output = check(copy)
    assert code == 1
    assert f"{SECTION}: cell {index}: new string 'Key index'" in output, output
    assert output.rstrip().splitlines()[-1].startswith("fix:") and "make notebooks NAME=" in output, output


def test_an_edited_markdown_cell_shows_a_word_diff():
    nb = nbformat.read(REPO / "notebooks" / "en" / f"{SECTION}.ipynb", as_version=4)
    index = cell_holding(nb.cells, "A sanity check: the identity")
    nb.cells[index].source = nb.cells[index].source.replace("A sanity check", "A quick check")
    _, problems = notebook_twin.build_twin(nb, notebook_twin.load_translation(SECTION))
    assert any(p.startswith(f"cell {index}: no Korean") and "[-sanity-] {+quick+}" in p for p in problems), problems


@pytest.mark.parametrize(("old", "new", "diff"), [
    ("one two three", "one 2 three", "one [-two-] {+2+} three"),
    ("a b", "a b c", "a b {+c+}"),
    (" ".join("abcdefghijklmnop") + " x", " ".join("abcdefghijklmnop") + " y", "… m n o p [-x-] {+y+}"),
])
def test_word_diff(old, new, diff):
    assert notebook_twin.word_diff(old, new) == diff


def tokens_312(source, parts):
    """Python 3.12's tokens for a one-line `source`: `parts` are (type, text); positions follow from the text."""
    column, tokens = 0, []
    for kind, text in parts:
        column = source.index(text, column)
        tokens.append(tokenize.TokenInfo(kind, text, (1, column), (1, column + len(text)), source))
        column += len(text)
    return tokens


def test_fstrings_of_python_312_are_joined_into_one_string():
    start, middle, end = notebook_twin.FSTRING_START, getattr(tokenize, "FSTRING_MIDDLE", "FSTRING_MIDDLE"), \
        notebook_twin.FSTRING_END
    source = """label = f"bandwidth {f'{h}'}"  # h"""
    parts = [(tokenize.NAME, "label"), (tokenize.OP, "="), (start, 'f"'), (middle, "bandwidth "), (tokenize.OP, "{"),
             (start, "f'"), (tokenize.OP, "{"), (tokenize.NAME, "h"), (tokenize.OP, "}"), (end, "'"),
             (tokenize.OP, "}"), (end, '"'), (tokenize.COMMENT, "# h")]
    joined = [(t.type, t.string) for t in notebook_twin.join_fstrings(tokens_312(source, parts), source)]
    assert joined == [(tokenize.NAME, "label"), (tokenize.OP, "="), (tokenize.STRING, """f"bandwidth {f'{h}'}\""""),
                      (tokenize.COMMENT, "# h")]


def test_fstrings_are_translated_on_this_python():
    used, unlisted = set(), []
    source = 'print(f"bandwidth {h}:", f"{x!r} units")\n'
    translated = notebook_twin.translate_code(source, {"bandwidth {h}:": "대역폭 {h}:"}, {}, used, unlisted)
    assert translated == 'print(f"대역폭 {h}:", f"{x!r} units")\n'
    assert used == {("strings", "bandwidth {h}:")} and unlisted == ["{x!r} units"]


def notebook(*sources, outputs=()):
    """A small notebook with these code cells, the first one storing `outputs`."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells[0].outputs = list(outputs)
    return nb


@pytest.mark.slow
def test_run_uses_this_checkout_and_makes_the_notebook_current(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(notebook("import utils\nprint(utils.__file__)"), path)
    assert notebook_twin.stale_reasons(nbformat.read(path, as_version=4)), "a notebook never run is stale"
    notebook_twin.run(path)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text.strip() == str(REPO / "utils" / "__init__.py")
    assert notebook_twin.stale_reasons(nb) == []
    nb.cells[0].source += "  # edited"
    assert notebook_twin.stale_reasons(nb) == [
        "its code, utils (widget JavaScript included) or requirements.txt changed since it was run"]


def test_a_shown_widget_without_stored_state_is_stale():
    view = nbformat.v4.new_output("display_data", {notebook_twin.WIDGET_VIEW: {"model_id": "m1"}})
    nb = notebook("w", outputs=[view])
    nb.cells[0].execution_count = 1
    nb.metadata[notebook_twin.INPUTS_KEY] = notebook_twin.inputs_hash(nb)
    assert notebook_twin.stale_reasons(nb) == ["the state of a shown widget is not stored (a JupyterLab save)"]
    nb.metadata.widgets = {notebook_twin.WIDGET_STATE: {"state": {"m1": {}}}}
    assert notebook_twin.stale_reasons(nb) == []


def test_a_print_delivered_in_pieces_is_stored_as_one_stream():
    """A busy kernel may split one print into several stream messages; stored outputs must not depend on that."""
    piece = nbformat.v4.new_output
    outputs = [piece("stream", name="stdout", text="a "), piece("stream", name="stdout", text="b\n"),
               piece("stream", name="stderr", text="warning\n"), piece("execute_result", data={"text/plain": "1"}),
               piece("stream", name="stdout", text="c\n")]
    joined = notebook_twin.join_adjacent_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in joined] == [
        ("stream", "stdout", "a b\n"), ("stream", "stderr", "warning\n"), ("execute_result", None, None),
        ("stream", "stdout", "c\n")]


NOTEBOOKS = sorted((REPO / "notebooks").glob("*/*.ipynb"))
FIGURE_SECTION = "queries-keys-values"  # a section whose figures are markdown {figure} cells with attachments


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_figure_attachment_is_the_png_its_code_cell_drew(path):
    """The image JupyterLab shows for a figure is the PNG that nbval checks, in each edition its own."""
    nb = nbformat.read(path, as_version=4)
    assert notebook_twin.attachment_problems(nb) == []
    names = [name for _, name, _ in notebook_twin.attached_figures(nb)]
    assert all(name.startswith(notebook_twin.LABEL_PREFIX) == (path.parent.name == "ko") for name in names), names


def test_the_sections_figures_are_attached_in_both_editions():
    figures = {lang: notebook_twin.attached_figures(nbformat.read(REPO / "notebooks" / lang / f"{FIGURE_SECTION}.ipynb",
                                                                  as_version=4)) for lang in ("en", "ko")}
    assert figures["en"] and len(figures["en"]) == len(figures["ko"])
    assert [notebook_twin.LABEL_PREFIX + name for _, name, _ in figures["en"]] == [name for _, name, _ in figures["ko"]]
    # Korean labels in the plots: at least one Korean figure is not the English one
    assert any(en.attachments != {k.removeprefix(notebook_twin.LABEL_PREFIX): v for k, v in ko.attachments.items()}
               for (en, _, _), (ko, _, _) in zip(figures["en"], figures["ko"], strict=True))


@pytest.mark.slow  # runs the tool in a fresh interpreter, twice
def test_a_swapped_figure_attachment_fails_the_check_and_attaching_again_repairs_it(copy):
    path = copy / "notebooks" / "ko" / f"{FIGURE_SECTION}.ipynb"
    nb = nbformat.read(path, as_version=4)
    (first, a, _), (second, b, _) = notebook_twin.attached_figures(nb)[:2]
    first.attachments[a], second.attachments[b] = second.attachments[b], first.attachments[a]
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, copy / "tools" / "notebook_twin.py", "--check", FIGURE_SECTION],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert f"figure 1 (attachment:{a}) is not the PNG its code cell drew" in done.stdout, done.stdout
    assert f"figure 2 (attachment:{b}) is not the PNG" in done.stdout and "figure 3 " not in done.stdout, done.stdout
    assert notebook_twin.attach_figures(nb) == [] and notebook_twin.attachment_problems(nb) == []


def test_a_figure_without_its_drawing_cell_above_cannot_be_attached():
    figure = nbformat.v4.new_markdown_cell(":::{figure} attachment:fig-a.png\n:name: fig-a\n:alt: A.\n\nA.\n:::")
    png = nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=\n", "text/plain": "<Figure>"})
    nb = notebook("plot()", "print(1)", outputs=[png])
    nb.cells.insert(2, figure)  # below print(1), which drew nothing
    assert notebook_twin.attach_figures(nb) == [
        "figure attachment:fig-a.png has no code cell with one PNG output right above it"]
    assert notebook_twin.attachment_problems(nb) == [
        "figure 1 (attachment:fig-a.png) is not the PNG its code cell drew"]
    nb.cells.insert(1, nb.cells.pop(2))  # now below plot()
    assert notebook_twin.attach_figures(nb) == [] and notebook_twin.attachment_problems(nb) == []
    assert figure.attachments == {"fig-a.png": {"image/png": "iVBORw0KGgo=\n"}}


def test_the_twin_carries_no_english_attachment():
    en = nbformat.read(REPO / "notebooks" / "en" / f"{FIGURE_SECTION}.ipynb", as_version=4)
    ko, problems = notebook_twin.build_twin(en, notebook_twin.load_translation(FIGURE_SECTION))
    assert problems == []
    assert notebook_twin.attached_figures(ko) and not any("attachments" in cell for cell in ko.cells)
