"""The widgets driven from Python: outputs equal `utils` called directly, bad inputs fail clearly, labels complete.

No browser and no kernel here: setting a trait (as the view does through the kernel) recomputes the outputs.
"""

import json
import math
import re
from pathlib import Path

import pytest
import torch
import traitlets
from hypothesis import given, settings
from hypothesis import strategies as st

import utils
from _ext.qkv_i18n import load_glossary
from utils import database
from utils.attention import POOL_MODES, pool_weights
from utils.widgets import (
    DatabaseExplorer,
    HeatmapExplorer,
    KernelRegressionExplorer,
    ProjectionExplorer,
    QueryExplorer,
)
from utils.widgets.labels import LABELS

REPO = Path(__file__).resolve().parent.parent
WIDGET_DIR = REPO / "utils" / "widgets"
WIDGETS = [QueryExplorer, HeatmapExplorer, DatabaseExplorer, KernelRegressionExplorer, ProjectionExplorer]
JS_FILES = {
    QueryExplorer: "query_explorer.js",
    HeatmapExplorer: "heatmap_explorer.js",
    DatabaseExplorer: "database_explorer.js",
    KernelRegressionExplorer: "kernel_regression_explorer.js",
    ProjectionExplorer: "projection_explorer.js",
}


def f64(x):
    return torch.tensor(x, dtype=torch.float64)


def close(actual, expected):
    torch.testing.assert_close(actual, expected, rtol=1e-12, atol=1e-12)


# --- QueryExplorer ---


@pytest.mark.parametrize("scoring", ["dot", "scaled_dot", "gaussian"])
@pytest.mark.parametrize("temperature", [0.05, 1.0, 20.0])
def test_query_explorer_matches_attention_pool(scoring, temperature):
    widget = QueryExplorer()
    widget.query = (-0.7, 1.3)
    widget.scoring = scoring
    widget.temperature = temperature
    widget.bandwidth = 0.6
    keys, values = f64(widget.key_points), f64(widget.values)
    output, weights = utils.attention_pool(f64([[-0.7, 1.3]]), keys, values, scoring=scoring,
                                           temperature=temperature, bandwidth=0.6)
    close(widget.weights, weights[0])
    close(widget.output, output[0])
    close(widget.scores, utils.attention_scores(f64([[-0.7, 1.3]]), keys, scoring=scoring, bandwidth=0.6)[0])


def test_query_explorer_recomputes_on_front_end_state():
    # the kernel applies the view's changes with set_state, exactly like this
    widget = QueryExplorer(key_points=[[1, 0], [0, 1], [-1, -1]], values=[[0, 0], [2, 0], [0, 2]])
    widget.set_state({"query": [2.0, -1.0], "temperature": 0.5})
    _, weights = utils.attention_pool(f64([[2.0, -1.0]]), f64(widget.key_points), f64(widget.values), temperature=0.5)
    close(widget.weights, weights[0])


def test_query_explorer_takes_dragged_keys_and_values():
    # a dragged key or value reaches Python as the view sends it (JSON numbers, ints where it can): set_state
    widget = QueryExplorer(query=(0.5, 0.5))
    keys, values = [list(p) for p in widget.key_points], [list(p) for p in widget.values]
    keys[2], values[1] = [1, 1], [-0.35, 2]  # k3 onto the query's side, v2 further up
    widget.set_state({"key_points": keys})
    widget.set_state({"values": values})
    assert widget.key_points[2] == [1.0, 1.0] and all(isinstance(c, float) for p in widget.key_points for c in p)
    output, weights = utils.attention_pool(f64([[0.5, 0.5]]), f64(keys), f64(values), scoring="scaled_dot")
    close(widget.weights, weights[0])
    close(widget.output, output[0])
    assert int(widget.weights.argmax()) == 2  # k3 moved next to q: now the largest weight


@pytest.mark.parametrize(("trait", "value", "message"), [
    ("key_points", [[0.0, 1.0]] * 3, r"key_points and values must have the same number of rows, got 3 key_points"),
    ("values", [[0.0, math.nan]] * 4, r"values must be finite"),
    ("key_points", [[0.0, 1.0, 2.0]] * 4, r"key_points must have shape \(n, 2\)"),
])
def test_query_explorer_rejects_a_bad_moved_point_and_keeps_its_state(trait, value, message):
    widget = QueryExplorer()
    before = (widget.key_points, widget.values, widget.weights)
    with pytest.raises(ValueError, match=message):
        widget.set_state({trait: value})
    assert (widget.key_points, widget.values, widget.weights) == before


def test_query_explorer_limit_modes_are_softmax_limits():
    widget = QueryExplorer(query=(1.0, 0.2))
    scores = widget.scores
    widget.mode = "argmax"
    close(widget.weights, utils.softmax(scores, temperature=1e-4))  # the top score is ahead by far more than 1e-4
    assert widget.weights.tolist().count(1.0) == 1
    widget.mode = "uniform"
    torch.testing.assert_close(widget.weights, utils.softmax(scores, temperature=1e9), rtol=0, atol=1e-8)
    widget.temperature = 1.0
    widget.mode = "softmax"
    close(widget.weights, utils.softmax(scores))


def test_limit_weights_ties_and_masked_keys():
    scores = f64([[2.0, 2.0, 1.0, -math.inf], [-math.inf] * 4])
    assert pool_weights(scores, mode="argmax").tolist() == [[0.5, 0.5, 0.0, 0.0], [0.0] * 4]
    assert pool_weights(scores, mode="uniform").tolist() == [[1 / 3, 1 / 3, 1 / 3, 0.0], [0.0] * 4]


def test_query_explorer_output_is_a_convex_combination():
    widget = QueryExplorer(query=(1.9, -1.9), scoring="dot", temperature=0.01)
    assert bool((widget.weights >= 0).all())
    torch.testing.assert_close(widget.weights.sum(), f64(1.0))
    values = f64(widget.values)
    assert bool((widget.output >= values.min(0).values - 1e-12).all())
    assert bool((widget.output <= values.max(0).values + 1e-12).all())


# --- HeatmapExplorer ---


@pytest.mark.parametrize("scoring", utils.attention.SCORINGS)
def test_heatmap_explorer_matches_softmax_of_scores(scoring):
    queries = torch.linspace(-2, 2, 10, dtype=torch.float64).reshape(5, 2)
    keys = torch.linspace(-1, 3, 14, dtype=torch.float64).reshape(7, 2)
    widget = HeatmapExplorer(queries, keys, scoring=scoring)
    widget.temperature = 0.3
    widget.bandwidth = 0.8
    scores = utils.attention_scores(queries, keys, scoring=scoring, bandwidth=0.8)
    close(widget.scores, scores)
    close(widget.weights, utils.softmax(scores, temperature=0.3))
    assert widget.weights.shape == (5, 7)


def test_heatmap_explorer_default_state_is_json_without_infinities():
    widget = HeatmapExplorer(scoring="boxcar", bandwidth=0.1)  # only queries 0 and 3 sit on a key
    assert widget.weights.sum(-1).tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]  # the others attend to nothing
    assert widget.scores.isinf().sum() == 6 * 8 - 2
    json.dumps(widget.get_state(), allow_nan=False)


# --- DatabaseExplorer and utils.database ---

EDGE_TEXTS = ["", " ", "Li", "li", "LI", "Lipton", "Zhang ", "리", "이름", "😀", "Li😀", "a" * 1000, "한" * 1000,
              "\x02\x03", "\x00", "Ｌｉ", "e\u0301", "-inf", "null"]


@pytest.mark.parametrize("mode", ["exact", "approximate", "soft"])
def test_database_explorer_never_breaks_and_matches_utils(mode):
    widget = DatabaseExplorer(mode=mode)
    for text in EDGE_TEXTS:
        widget.text = text
        weights, scores = database.lookup_weights(database.DATABASE, text, mode=mode, temperature=0.1)
        close(widget.weights, weights)
        close(widget.similarities, scores)
        assert bool(((scores >= 0) & (scores <= 1)).all())
        total = float(widget.weights.sum())
        assert total == pytest.approx(1.0) or (mode != "soft" and total == 0.0)
        if mode == "exact":
            assert widget.result == database.exact_lookup(database.DATABASE, text)
        elif mode == "approximate":
            assert widget.result == database.approximate_lookup(database.DATABASE, text)
        else:
            assert widget.result is None
        json.dumps(widget.get_state(), allow_nan=False)


def test_database_lookups_follow_d2l_example():
    db = database.DATABASE
    assert database.exact_lookup(db, "Li") == "Mu"
    assert database.exact_lookup(db, "li") is None  # exact means exact, case included
    assert database.approximate_lookup(db, "li") == "Mu"
    without_li = [row for row in db if row[0] != "Li"]
    assert database.exact_lookup(without_li, "Li") is None
    assert database.approximate_lookup(without_li, "Li") == "Zachary"  # Lipton, as in the text
    assert database.approximate_lookup(db, "xyz") is None  # no shared bigram: nothing is close
    weights, scores = database.soft_lookup(db, "Li", temperature=0.1)
    assert int(weights.argmax()) == 2 and float(weights.sum()) == pytest.approx(1.0)
    close(weights, utils.softmax(scores, temperature=0.1))


def test_similarity_by_hand():
    # "li" -> {^l, li, i$}; "lipton" -> {^l, li, ip, pt, to, on, n$}: 2 shared, Dice = 2·2 / (3 + 7)
    assert database.similarity("Li", "Lipton") == pytest.approx(0.4)
    assert database.similarity("", "") == 1.0
    assert database.similarity("", "Li") == 0.0
    assert database.similarity("aa", "a") == pytest.approx(2 * 2 / (3 + 2))  # {^a, aa, a$} and {^a, a$}
    assert database.bigrams("Aa") == database.bigrams("aA")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_properties(a, b):
    s = database.similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == database.similarity(b, a)
    assert database.similarity(a, a) == 1.0
    assert database.similarity(a.upper(), a) == 1.0 or not a.isascii()


def test_database_explorer_with_other_records_and_modes():
    widget = DatabaseExplorer(records=[("Kim", "Minji"), ("Lee", "Jiwoo")], text="Lee", mode="exact")
    assert widget.result == "Jiwoo" and widget.weights.tolist() == [0.0, 1.0]
    widget.text = "Park"
    assert widget.result is None and widget.weights.tolist() == [0.0, 0.0]
    widget.set_state({"mode": "soft", "temperature": 1.0})
    close(widget.weights, utils.softmax(widget.similarities, temperature=1.0))


# --- KernelRegressionExplorer ---


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar", "epanechnikov"])
@pytest.mark.parametrize("bandwidth", [0.05, 0.5, 3.0])
def test_kernel_regression_explorer_matches_nadaraya_watson(kernel, bandwidth):
    widget = KernelRegressionExplorer()
    widget.kernel = kernel
    widget.bandwidth = bandwidth
    widget.x_test = 1.234
    x, y, grid = f64(widget.x_train), f64(widget.y_train), f64(widget.x_grid)
    predictions, weights = utils.nadaraya_watson(grid, x, y, kernel=kernel, bandwidth=bandwidth)
    close(widget.predictions, predictions)
    close(widget.weights, weights)
    prediction, test_weights = utils.nadaraya_watson(f64([1.234]), x, y, kernel=kernel, bandwidth=bandwidth)
    close(widget.test_prediction, prediction[0])
    close(widget.test_weights, test_weights[0])


def test_kernel_regression_explorer_data_and_grid():
    widget = KernelRegressionExplorer(x_train=[0.0, 1.0, 3.0], y_train=[1.0, 2.0, 0.0], kernel="boxcar", bandwidth=0.2)
    assert len(widget.x_grid) == 51 and widget.x_grid[0] == 0.0 and widget.x_grid[-1] == 3.0
    assert widget.x_test == 1.5
    assert widget.test_weights.tolist() == [0.0, 0.0, 0.0] and float(widget.test_prediction) == 0.0  # no support
    x, y = torch.sort(torch.rand(20, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 5).values, None
    close(f64(KernelRegressionExplorer().x_train), x)  # the documented default data
    with widget.hold_trait_notifications():
        widget.x_train, widget.y_train = [5.0, 6.0], [1.0, 1.0]
    assert widget.x_grid[-1] == 6.0 and widget.weights.shape == (51, 2) and y is None


# --- ProjectionExplorer ---


def test_projection_explorer_matches_multi_head_attention():
    widget = ProjectionExplorer(num_heads=3, seed=7)
    x = f64(widget.embeddings)
    w = [f64(getattr(widget, name)) for name in ("W_q", "W_k", "W_v", "W_o")]
    output, weights = utils.multi_head_attention(x, x, x, *w, num_heads=3)
    close(widget.weights, weights)
    close(widget.output, output)
    assert widget.weights.shape == (3, 6, 6) and f64(widget.W_q).shape == (4, 6)
    the = [i for i, token in enumerate(widget.tokens) if token == "the"]
    close(widget.weights[:, the[0]], widget.weights[:, the[1]])  # the same token asks the same question


def test_projection_explorer_is_deterministic_per_seed():
    a, b, c = ProjectionExplorer(seed=1), ProjectionExplorer(seed=1), ProjectionExplorer(seed=2)
    assert a.W_q == b.W_q and a.embeddings == b.embeddings
    assert a.W_q != c.W_q
    a.set_state({"token": 3, "head": 1})
    assert (a.token, a.head) == (3, 1)


# --- languages, labels, modules ---


@pytest.mark.parametrize("cls", WIDGETS)
def test_language_switch(cls):
    widget = cls(lang="ko")
    assert widget.labels == LABELS["ko"]
    widget.lang = "en"
    assert widget.labels == LABELS["en"]
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'ko'; got 'fr'"):
        widget.lang = "fr"
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'ko'; got 'EN'"):
        cls(lang="EN")


def test_labels_complete_in_both_languages():
    assert LABELS["en"].keys() == LABELS["ko"].keys()
    for lang, labels in LABELS.items():
        for name, text in labels.items():
            assert isinstance(text, str) and text.strip(), f"LABELS[{lang!r}][{name!r}] is empty"
    used = set()
    for filename in {*JS_FILES.values(), "ui.js"}:
        source = (WIDGET_DIR / filename).read_text(encoding="utf-8")
        used |= set(re.findall(r'\b(?:t\(|label\(model, )"([a-z_]+)"\)', source))  # t("name"), label(model, "name")
        used |= set(re.findall(r'\blogSlider\(model, "([a-z_]+)"', source))  # labelled by the trait's name
        selects = re.findall(r'\btraitSelect\(model, "([a-z_]+)", [^;]*?(?:, "([a-z_]+)")?\);', source)
        used |= {caption or name for name, caption in selects}  # labelled by the caption, else the trait's name
    dynamic = {f"mode_{m}" for m in POOL_MODES} | {f"button_{m}" for m in POOL_MODES if m != "softmax"}
    dynamic |= {"query_x", "query_y"}
    dynamic |= set(utils.attention.SCORINGS) | set(database.MODES)
    calls = {f: re.findall(r'\bchallengeBox\(model, ([^)]*)\)', (WIDGET_DIR / f).read_text(encoding="utf-8"))
             for f in JS_FILES.values()}
    assert all(calls.values()), calls  # a challenge in every widget (ProjectionExplorer: one per mode)
    boxes = {key for found in calls.values() for call in found for key in re.findall(r'"([a-z_]+)"', call)}
    dynamic |= {f"{part}_{key}" for key in boxes for part in ("goal", "why")}  # challengeBox's goal_<key>, why_<key>
    assert len(used) > 30
    assert used | dynamic <= LABELS["en"].keys(), sorted((used | dynamic) - LABELS["en"].keys())


def test_korean_labels_use_the_glossary():
    terms = load_glossary()
    avoid = [word for term in terms for word in term.get("avoid", [])]
    for name, text in LABELS["ko"].items():
        assert not [word for word in avoid if word in text], f"LABELS['ko'][{name!r}] = {text!r}"
    assert [LABELS["ko"][k] for k in ("query", "key", "value", "temperature", "bandwidth", "scaled_dot")] == [
        "쿼리", "키", "값", "온도", "대역폭", "스케일드 내적"]


def test_js_shows_no_hard_wired_text():
    # text reaches the DOM only through t(...), numbers or data: no quoted words in text/label positions
    for filename in {*JS_FILES.values(), "ui.js"}:
        source = (WIDGET_DIR / filename).read_text(encoding="utf-8")
        assert not re.findall(r'(?:text|label|textContent)\s*[:=]\s*"[A-Za-z]', source), filename


def test_js_views_name_no_choice_lists():
    # the options come from Python in the `choices` trait; only attention_math.js names kernels, as maths
    options = {*utils.attention.SCORINGS, *POOL_MODES, *database.MODES} - {"softmax", "soft"}  # single-name checks
    for filename in {*JS_FILES.values(), "ui.js"}:
        source = (WIDGET_DIR / filename).read_text(encoding="utf-8")
        named = sorted(option for option in options if f'"{option}"' in source)
        assert not named, f"{filename} names {named}: send them in the widget's `choices` trait"


def test_choices_trait_is_utils_lists():
    assert QueryExplorer().choices == {"scoring": ["dot", "scaled_dot", "gaussian"], "mode": list(POOL_MODES),
                                       "kernel": list(utils.attention.KERNELS)}
    assert HeatmapExplorer().choices == {"scoring": list(utils.attention.SCORINGS),
                                         "kernel": list(utils.attention.KERNELS)}
    assert KernelRegressionExplorer().choices == {"kernel": list(utils.attention.KERNELS)}
    assert DatabaseExplorer().choices == {"mode": list(database.MODES)}
    with pytest.raises(traitlets.TraitError, match="read-only"):
        QueryExplorer().choices = {}


@pytest.mark.parametrize("notebook", sorted(REPO.glob("notebooks/*/*.ipynb")), ids=lambda p: "/".join(p.parts[-2:]))
def test_stored_widgets_run_the_current_javascript(notebook):
    """The site shows each widget from the state stored in its notebook: that copy of the JS must be today's."""
    state = json.loads(notebook.read_text(encoding="utf-8"))["metadata"].get("widgets", {})
    models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {}).values()
    current = {f"{cls.__module__}.{cls.__name__}": cls()._esm for cls in WIDGETS}
    stale = [m["state"]["_anywidget_id"] for m in models
             if "_anywidget_id" in m["state"] and m["state"].get("_esm") != current[m["state"]["_anywidget_id"]]]
    assert not stale, f"stored widget JavaScript is stale ({stale}); fix: run `make notebooks`"


@pytest.mark.parametrize("cls", WIDGETS)
def test_esm_is_shared_maths_then_the_widget(cls):
    widget = cls()
    math_js = (WIDGET_DIR / "attention_math.js").read_text(encoding="utf-8")
    ui_js = (WIDGET_DIR / "ui.js").read_text(encoding="utf-8")
    own = (WIDGET_DIR / JS_FILES[cls]).read_text(encoding="utf-8")
    assert widget._esm == "\n".join([math_js, ui_js, own])
    assert widget._esm.count("export default") == 1
    assert f'widgetModule("{cls.__name__}"' in own
    assert ".qkv-widget" in widget._css
    state = widget.get_state()
    json.dumps(state, allow_nan=False)
    assert not {"weights", "scores", "output"} & state.keys()  # outputs stay in Python; the view computes its own


# --- bad inputs ---

BAD_INPUTS = [
    (QueryExplorer, "query", (1.0, 2.0, 3.0), ValueError, r"query must have shape \(2,\)"),
    (QueryExplorer, "query", (math.nan, 0.0), ValueError, r"query must be finite"),
    (QueryExplorer, "query", "top", TypeError, r"query must be a tensor or a rectangular nested list of numbers"),
    (QueryExplorer, "temperature", 0, ValueError, r"temperature must be a positive finite number, got 0"),
    (QueryExplorer, "temperature", math.inf, ValueError, r"temperature must be a positive finite number"),
    (QueryExplorer, "temperature", "hot", TypeError, r"temperature must be a positive number, got 'hot'"),
    (QueryExplorer, "bandwidth", -1.0, ValueError, r"bandwidth must be a positive finite number, got -1.0"),
    (QueryExplorer, "scoring", "boxcar", ValueError, r"scoring must be one of 'dot', 'scaled_dot', 'gaussian'"),
    (QueryExplorer, "mode", "max", ValueError, r"mode must be one of 'softmax', 'argmax', 'uniform'; got 'max'"),
    (QueryExplorer, "key_points", [[0.0, 1.0]], ValueError, r"key_points and values must have the same number"),
    (QueryExplorer, "values", [[0.0, 1.0, 2.0]] * 4, ValueError, r"values must have shape \(n, 2\)"),
    (HeatmapExplorer, "queries", [[1.0, 2.0, 3.0]], ValueError, r"queries and keys must have the same feature size"),
    (HeatmapExplorer, "scoring", "cosine", ValueError, r"scoring must be one of 'dot', 'scaled_dot', 'gaussian'"),
    (HeatmapExplorer, "temperature", -0.5, ValueError, r"temperature must be a positive finite number"),
    (DatabaseExplorer, "mode", "fuzzy", ValueError, r"mode must be one of 'exact', 'approximate', 'soft'"),
    (DatabaseExplorer, "temperature", 0.0, ValueError, r"temperature must be a positive finite number"),
    (DatabaseExplorer, "records", [], ValueError, r"records must be a non-empty sequence of \(key, value\)"),
    (DatabaseExplorer, "text", 5, Exception, r"'text' trait .* expected a unicode string"),
    (KernelRegressionExplorer, "kernel", "triangle", ValueError, r"kernel must be one of 'gaussian', 'boxcar'"),
    (KernelRegressionExplorer, "x_test", math.nan, ValueError, r"x_test must be finite"),
    (KernelRegressionExplorer, "y_train", [1.0], ValueError, r"x_train and y_train must have the same length"),
    (ProjectionExplorer, "token", 6, ValueError, r"token must be an integer in \[0, 6\), got 6"),
    (ProjectionExplorer, "head", 1.0, ValueError, r"head must be an integer in \[0, 2\), got 1.0"),
    (ProjectionExplorer, "tokens", ["a"], Exception, r"read-only"),
]


@pytest.mark.parametrize(("cls", "trait", "value", "error", "message"), BAD_INPUTS,
                         ids=[f"{c.__name__}.{t}={v!r:.20}" for c, t, v, _, _ in BAD_INPUTS])
def test_bad_inputs_raise_naming_the_trait(cls, trait, value, error, message):
    widget = cls()
    before = {name: getattr(widget, name) for name in widget._inputs}
    with pytest.raises(error, match=message):
        setattr(widget, trait, value)
    assert {name: getattr(widget, name) for name in widget._inputs} == before


@pytest.mark.parametrize(("factory", "message"), [
    (lambda: QueryExplorer(key_points=[[0, 0]] * 3), r"key_points and values must have the same number of rows"),
    (lambda: QueryExplorer(query=[[0.5, 0.5]]), r"query must have at most 1 axes"),
    (lambda: HeatmapExplorer(keys=[]), r"key_points must have"),
    (lambda: KernelRegressionExplorer(x_train=[1.0, 2.0]), r"x_train and y_train must be given together"),
    (lambda: ProjectionExplorer(tokens=[]), r"tokens must be a non-empty list of strings"),
    (lambda: ProjectionExplorer(num_heads=0), r"num_heads must be an integer from 1 to 8, got 0"),
    (lambda: DatabaseExplorer(records=[("a", "b", "c")]), r"records must be a non-empty sequence"),
])
def test_bad_constructor_arguments(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


# --- the challenges (utils/widgets/challenges.py) ---


def smallest_gap_free_bandwidth(widget):
    """The largest distance from a grid point to its nearest training point: below it the windowed fits break."""
    grid, x = f64(widget.x_grid), f64(widget.x_train)
    return float((grid[:, None] - x[None, :]).abs().amin(1).amax())


# (widget, constructor arguments, [(changes, challenge_solved after them), ...]): near misses first, then the goal,
# then a move away from it (solved stays True)
CHALLENGE_STEPS = [
    (DatabaseExplorer, {"text": "Lipp", "mode": "soft", "temperature": 0.1}, [
        ({"text": "Lipton"}, False),  # 0.997 on Zachary, but "Lipton" is a key: no misspelling
        ({"text": "Lipt"}, False),  # misspelt, but only 0.84 at this temperature
        ({"text": "Lipto", "mode": "approximate"}, False),  # weight 1 on Zachary, but not the soft lookup
        ({"mode": "soft"}, True),  # 0.96
        ({"text": "Li"}, True),
    ]),
    (QueryExplorer, {"scoring": "gaussian"}, [
        ({"query": [-1.0, -0.6]}, False),  # q on k3: 0.65 at bandwidth 1
        ({"temperature": 0.1}, False),  # k3 takes it all, but with the temperature lowered
        ({"scoring": "dot", "temperature": 1.0, "query": [-1.38, -1.38]}, False),
        ({"scoring": "gaussian", "query": [-1.0, -0.6], "bandwidth": 0.5}, True),
        ({"query": [0.5, 0.5]}, True),
    ]),
    (HeatmapExplorer, {}, [
        ({"scoring": "boxcar"}, False),  # bandwidth 1: only key 1 is in query 1's window
        ({"temperature": 100.0}, False),  # near-uniform, not halves
        ({"scoring": "gaussian", "bandwidth": 1.5}, False),
        ({"scoring": "boxcar", "bandwidth": 1.5}, True),
        ({"bandwidth": 0.1}, True),
    ]),
    (ProjectionExplorer, {}, [
        ({"token": 2}, False),
        ({"head": 1}, False),
        ({"token": 4}, True),  # the second "the"
        ({"token": 1}, True),
    ]),
]


@pytest.mark.parametrize(("cls", "kwargs", "steps"), CHALLENGE_STEPS, ids=lambda x: getattr(x, "__name__", ""))
def test_challenge_is_solved_by_its_goal_only_and_stays_solved(cls, kwargs, steps):
    widget = cls(**kwargs)
    assert widget.challenge_solved is False
    for changes, solved in steps:
        with widget.hold_trait_notifications():
            for name, value in changes.items():
                setattr(widget, name, value)
        assert widget.challenge_solved is solved, changes


@pytest.mark.parametrize("kernel", ["boxcar", "epanechnikov", "gaussian"])
def test_kernel_regression_challenge_is_the_smallest_bandwidth_without_gaps(kernel):
    widget = KernelRegressionExplorer(kernel=kernel)
    smallest = smallest_gap_free_bandwidth(widget)  # 0.31 for the default data
    for factor in (0.5, 0.98, 1.005, 1.05, 1.09, 1.12, 2.0):
        fresh = KernelRegressionExplorer(kernel=kernel, bandwidth=factor * smallest)
        gap = bool((fresh.weights.sum(-1) == 0).any())
        assert gap == (kernel != "gaussian" and factor < 1), factor
        assert fresh.challenge_solved == (kernel != "gaussian" and 1 < factor < 1.1), factor


@pytest.mark.parametrize(("bandwidth", "solved"), [(1.03, False), (1.04, True), (1.99, True), (2.01, False)])
def test_heatmap_challenge_window_is_the_one_its_why_names(bandwidth, solved):
    # why_heatmap: "with a bandwidth between about 1.04 and 2, exactly these two keys are inside"
    widget = HeatmapExplorer(scoring="boxcar", bandwidth=bandwidth)
    assert widget.challenge_solved is solved
    assert ("1.04" in LABELS["en"]["why_heatmap"]) and ("1.04" in LABELS["ko"]["why_heatmap"])


def k3_weights(keys, scoring, edge):
    """k3's softmax weight (temperature 1) for every query on an 81 x 81 grid over the plot [-edge, edge]²."""
    grid = torch.linspace(-edge, edge, 81, dtype=torch.float64)
    return utils.softmax(utils.attention_scores(torch.cartesian_prod(grid, grid), f64(keys), scoring=scoring))[:, 2]


def test_query_challenge_and_the_dot_product_inside_the_plot():
    # why_query: "while the keys stay where they are it [the dot product] cannot lift k3 above 0.9 inside this plot;
    # drag k3 outward along q, or the other keys away from q, and it can". The key plane spans ±1.15 × the largest
    # coordinate of the keys and the query, and a dragged key stays inside it
    widget = QueryExplorer(query=(0.5, 0.5))
    edge = 1.15 * max(1.0, *(abs(c) for point in widget.key_points for c in point))
    for scoring in ("dot", "scaled_dot"):
        assert 0.5 < float(k3_weights(widget.key_points, scoring, edge).max()) < 0.9, scoring
    outward = [list(p) for p in widget.key_points]
    outward[2] = [-edge, -edge]  # k3 dragged to the corner its way
    assert float(k3_weights(outward, "dot", edge).max()) > 0.9
    away = [[edge, edge]] * 4
    away[2] = widget.key_points[2]  # k3 where it was, the other keys dragged to the far corner
    assert float(k3_weights(away, "dot", edge).max()) > 0.9
    assert "drag k3" in LABELS["en"]["why_query"] and "k3를 q 방향으로" in LABELS["ko"]["why_query"]


@pytest.mark.parametrize("cls", WIDGETS)
def test_challenge_solved_is_read_only_and_synced(cls):
    widget = cls()
    assert widget.challenge_solved is False and widget.get_state()["challenge_solved"] is False
    with pytest.raises(traitlets.TraitError, match="read-only"):
        widget.challenge_solved = True
