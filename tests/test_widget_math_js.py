"""The widgets' JavaScript maths (utils/widgets/attention_math.js), run in Node, against torch and utils.

Many seeded random cases go to one Node process as JSON; -inf travels as {"$neginf": 1} (JSON has no infinity)
and comes back as null. Needs `node`: skipped when it is missing, except under CI=true, where that is a failure.
"""

import json
import math
import random
import subprocess
from pathlib import Path

import pytest
import torch

import utils
from tests.harness import from_json as decode
from utils import attention, database, plotting
from utils.attention import pool_weights
from utils.tiny_transformer import PreviousTokenTask, RecallTask, train
from utils.widgets import (
    DatabaseExplorer,
    HeatmapExplorer,
    KernelRegressionExplorer,
    ProjectionExplorer,
    QueryExplorer,
    challenges,
)

WIDGET_DIR = Path(utils.__file__).parent / "widgets"
MATH_JS = WIDGET_DIR / "attention_math.js"
TOL = {"rtol": 1e-6, "atol": 1e-6}
RUNNER = """
const maths = require(process.argv[1]);
const revive = (key, value) => (value !== null && typeof value === "object" && value.$neginf ? -Infinity : value);
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"), revive);
process.stdout.write(JSON.stringify(calls.map(([name, args]) => maths[name](...args))));
"""


def encode(x):
    """Nested lists for JSON, with -inf as {"$neginf": 1}."""
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list | tuple):
        return [encode(item) for item in x]
    if isinstance(x, float) and x == -math.inf:
        return {"$neginf": 1}
    return x


def run_js(node, calls):
    """Run [(function name, args), ...] in one Node process; return the list of results."""
    payload = json.dumps([[name, encode(list(args))] for name, args in calls], allow_nan=False)
    done = subprocess.run([node, "-e", RUNNER, str(MATH_JS)], input=payload, capture_output=True, text=True,
                          timeout=120, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def f64(x):
    return torch.tensor(x, dtype=torch.float64)


def randn(generator, *shape, scale=1.0):
    return torch.randn(*shape, generator=generator, dtype=torch.float64) * scale


TEMPERATURES = [1e-3, 0.01, 0.3, 1.0, 7.0, 1e3, 1e6]


def softmax_cases():
    """(scores, temperature, mask) rows: random, huge, -inf entries, fully masked, masks."""
    g = torch.Generator().manual_seed(0)
    cases = []
    for i in range(300):
        n = 1 + i % 9
        scores = randn(g, n, scale=[0.1, 1.0, 30.0, 1e3][i % 4])
        if i % 5 == 1:
            scores[torch.rand(n, generator=g) < 0.4] = -math.inf
        if i % 17 == 2:
            scores[:] = -math.inf  # a fully masked row
        mask = None
        if i % 3 == 2:
            mask = (torch.rand(n, generator=g) < 0.6).tolist()
            if i % 9 == 8:
                mask = [False] * n
        cases.append((scores, TEMPERATURES[i % len(TEMPERATURES)], mask))
    return cases


def test_softmax_matches_torch(node):
    cases = softmax_cases()
    results = run_js(node, [("softmax", case) for case in cases])
    fully_masked = 0
    for (scores, temperature, mask), got in zip(cases, results, strict=True):
        mask_t = None if mask is None else torch.tensor(mask)
        expected = utils.softmax(scores, temperature=temperature, mask=mask_t)
        torch.testing.assert_close(decode(got), expected, **TOL)
        fully_masked += int(expected.sum() == 0)
    assert fully_masked >= 10  # the all-zero rows were exercised


@pytest.mark.parametrize("scoring", utils.attention.SCORINGS)
def test_scores_and_pooling_match_torch(node, scoring):
    g = torch.Generator().manual_seed(1)
    cases = []
    for i in range(60):
        nq, nk, d, dv = 1 + i % 4, 1 + i % 7, 1 + i % 5, 1 + i % 3
        q, k, v = randn(g, nq, d, scale=2), randn(g, nk, d, scale=2), randn(g, nk, dv)
        cases.append((q, k, v, scoring, TEMPERATURES[i % len(TEMPERATURES)], [0.05, 0.7, 3.0][i % 3]))
    results = run_js(node, [("attentionPool", case) for case in cases])
    for (q, k, v, _, temperature, bandwidth), got in zip(cases, results, strict=True):
        output, weights = utils.attention_pool(q, k, v, scoring=scoring, temperature=temperature, bandwidth=bandwidth)
        scores = utils.attention_scores(q, k, scoring=scoring, bandwidth=bandwidth)
        torch.testing.assert_close(decode(got["scores"]), scores, **TOL)
        torch.testing.assert_close(decode(got["weights"]), weights, **TOL)
        torch.testing.assert_close(decode(got["output"]), output, **TOL)


@pytest.mark.parametrize("mode", ["argmax", "uniform"])
def test_limit_modes_match_python(node, mode):
    g = torch.Generator().manual_seed(2)
    rows = [randn(g, 1 + i % 6).round(decimals=1) for i in range(100)]  # rounding makes ties
    rows += [torch.tensor([1.0, 1.0, -math.inf], dtype=torch.float64), torch.full((3,), -math.inf, dtype=torch.float64)]
    results = run_js(node, [("limitWeights", (row, mode)) for row in rows])
    ties = 0
    for row, got in zip(rows, results, strict=True):
        expected = pool_weights(row, mode=mode)
        torch.testing.assert_close(decode(got), expected, **TOL)
        ties += int((expected > 0).sum() > 1)
    assert ties >= 5


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar", "epanechnikov"])
def test_nadaraya_watson_matches_torch(node, kernel):
    g = torch.Generator().manual_seed(3)
    cases = []
    for i in range(40):
        x = torch.rand(1 + i % 12, generator=g, dtype=torch.float64) * 5
        cases.append((torch.linspace(-1, 6, 23, dtype=torch.float64), x, randn(g, len(x)), kernel,
                      [0.01, 0.3, 2.0, 50.0][i % 4]))
    results = run_js(node, [("nadarayaWatson", case) for case in cases])
    for (queries, x, y, _, bandwidth), got in zip(cases, results, strict=True):
        predictions, weights = utils.nadaraya_watson(queries, x, y, kernel=kernel, bandwidth=bandwidth)
        torch.testing.assert_close(decode(got["predictions"]), predictions, **TOL)
        torch.testing.assert_close(decode(got["weights"]), weights, **TOL)


def test_multi_head_attention_matches_torch(node):
    g = torch.Generator().manual_seed(4)
    cases = []
    for i in range(30):
        heads, d_head, n, m, d = 1 + i % 4, 1 + i % 3, 1 + i % 5, 1 + i % 6, 2 + i % 3
        width = heads * d_head
        cases.append((randn(g, n, d), randn(g, m, d), randn(g, m, d), randn(g, d, width), randn(g, d, width),
                      randn(g, d, width), randn(g, width, d), heads))
    results = run_js(node, [("multiHeadAttention", case) for case in cases])
    for case, got in zip(cases, results, strict=True):
        output, weights = utils.multi_head_attention(*case[:7], num_heads=case[7])
        torch.testing.assert_close(decode(got["output"]), output, **TOL)
        torch.testing.assert_close(decode(got["weights"]), weights, **TOL)


def random_texts():
    """Seeded strings over ASCII (both cases), Hangul, emoji, combining marks, the frame marks; and edge cases."""
    rng = random.Random(5)
    pools = ["abcLIPTONzhangsmola ", "리이름한국어", "😀🙂👍🏽", "e\u0301\u0300", "\x02\x03\x00", "ＬｉΣσς"]
    alphabet = "".join(pools)
    texts = ["", " ", "Li", "li", "LI", "Lipton", "\ud800", "a" * 1000, "한" * 1000, "😀" * 500]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(300)]
    return texts


def test_similarity_matches_python_exactly(node):
    texts = random_texts()
    pairs = [(a, b) for a, b in zip(texts, texts[1:] + texts[:1], strict=True)]
    pairs += [(text, key) for text in texts[:40] for key, _ in database.DATABASE]
    results = run_js(node, [("similarity", pair) for pair in pairs])
    expected = [database.similarity(a, b) for a, b in pairs]
    assert results == expected  # same float64 operations in the same order: equal, not just close
    assert 0 < sum(0 < s < 1 for s in expected) < len(expected)


@pytest.mark.parametrize("mode", ["exact", "approximate", "soft"])
def test_lookup_matches_python(node, mode):
    texts = random_texts()
    records = [list(row) for row in database.DATABASE]
    other = [["Kim", "Minji"], ["Lee", "Jiwoo"], ["이", "지우"], ["😀", "smile"], ["", "empty"]]
    calls = [(records if i % 2 else other, text, mode, [0.01, 0.1, 1.0][i % 3]) for i, text in enumerate(texts)]
    calls += [(records, key, mode, 0.1) for key, _ in database.DATABASE]
    results = run_js(node, [("lookupWeights", call) for call in calls])
    found = 0
    for (db, text, _, temperature), got in zip(calls, results, strict=True):
        weights, scores = database.lookup_weights([tuple(r) for r in db], text, mode=mode, temperature=temperature)
        torch.testing.assert_close(decode(got["weights"]), weights, **TOL)
        assert got["scores"] == scores.tolist()
        expected = None if mode == "soft" else database.returned_value([tuple(r) for r in db], weights)
        assert got["result"] == expected
        found += expected is not None
    assert mode == "soft" or found >= len(database.DATABASE)


def test_convex_hull_matches_python(node):
    g = torch.Generator().manual_seed(6)
    clouds = [[[0.0, 0.0]], [[1.0, 2.0], [1.0, 2.0]], [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]],  # one point, twins, a line
              [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.0], [0.0, 0.0]]]  # inner, edge, twin
    clouds += [randn(g, 1 + i % 12, 2).round(decimals=i % 3).tolist() for i in range(200)]  # rounding makes ties
    results = run_js(node, [("convexHull", (cloud,)) for cloud in clouds])
    for cloud, got in zip(clouds, results, strict=True):
        expected = plotting.convex_hull(cloud)  # the same vertices in the same order (Python's in float32)
        assert len(got) == len(expected), cloud
        torch.testing.assert_close(f64(got), f64(expected), **TOL)


def test_shared_constants_match_python(node):
    got = json.loads(subprocess.run(
        [node, "-e", "const m = require(process.argv[1]); console.log(JSON.stringify([m.TIE_TOLERANCE, "
                     "Object.keys(m.LOG_KERNELS)]))", str(MATH_JS)], capture_output=True, text=True, timeout=60).stdout)
    assert got == [attention.TIE_TOLERANCE, list(attention.KERNELS)]


def boundary_cases():
    """attentionPool calls on the edges: distance exactly one bandwidth, ties, nothing in the window, tiny/huge T."""
    one = [[0.0], [0.5], [-0.5], [0.25]]  # keys at distance 0, h, h, h/2 of the query 0 (exact in binary)
    values = [[1.0], [2.0], [4.0], [8.0]]
    cases = [([[0.0]], one, values, kernel, 1.0, 0.5) for kernel in attention.KERNELS]  # |q - k| = h exactly
    cases += [([[0.0]], [[0.5], [-0.5]], [[2.0], [4.0]], kernel, 1.0, 0.5) for kernel in attention.KERNELS]
    cases += [([[0.0]], [[0.75], [-0.75]], [[2.0], [4.0]], kernel, 1.0, 0.5) for kernel in ("boxcar", "epanechnikov")]
    ties = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]  # two identical keys: equal scores
    for temperature in (5e-324, 1e-300, 1e-3, 1.0, 1e3, 1e300, 1.7e308):
        cases += [([[2.0, 0.5]], ties, [[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]], scoring, temperature, 1.0)
                  for scoring in ("dot", "scaled_dot", "gaussian")]
    return cases


def test_boundary_inputs_match_torch(node):
    cases = boundary_cases()
    results = run_js(node, [("attentionPool", case) for case in cases])
    for (q, k, v, scoring, temperature, bandwidth), got in zip(cases, results, strict=True):
        q, k, v = f64(q), f64(k), f64(v)
        output, weights = utils.attention_pool(q, k, v, scoring=scoring, temperature=temperature, bandwidth=bandwidth)
        scores = utils.attention_scores(q, k, scoring=scoring, bandwidth=bandwidth)
        where = (scoring, temperature, bandwidth)
        torch.testing.assert_close(decode(got["scores"]), scores, **TOL, msg=lambda m, w=where: f"{w}: {m}")
        torch.testing.assert_close(decode(got["weights"]), weights, **TOL, msg=lambda m, w=where: f"{w}: {m}")
        torch.testing.assert_close(decode(got["output"]), output, **TOL, msg=lambda m, w=where: f"{w}: {m}")
    # the edges did happen: a key exactly one bandwidth away is inside the boxcar, at the rim of Epanechnikov
    boxcar, epanechnikov = results[1]["weights"][0], results[2]["weights"][0]
    assert boxcar == [0.25] * 4 and epanechnikov[1:3] == [0, 0]
    assert results[-1]["weights"][0][0] == results[-1]["weights"][0][1] > 0  # tied keys share the weight


@pytest.mark.parametrize("temperature", [0, -1.0, math.inf, math.nan])
def test_softmax_refuses_a_temperature_python_refuses(node, temperature):
    with pytest.raises(ValueError) as python:
        utils.softmax(f64([1.0, 2.0]), temperature=temperature)
    script = "const m = require(process.argv[1]); try { m.softmax([1, 2], Number(process.argv[2])); } " \
             "catch (error) { console.log(error.message); }"
    done = subprocess.run([node, "-e", script, str(MATH_JS), str(temperature)], capture_output=True, text=True,
                          timeout=60)
    message = done.stdout.strip()
    assert message.startswith("temperature must be a positive finite number, got"), message
    assert str(python.value).startswith("temperature must be a positive finite number")


def test_all_keys_masked_give_zero_weights_and_output(node):
    cases = [([[0.0]], [[5.0], [-5.0]], [[1.0], [2.0]], kernel, 1.0, 0.5) for kernel in ("boxcar", "epanechnikov")]
    results = run_js(node, [("attentionPool", case) for case in cases])
    for case, got in zip(cases, results, strict=True):
        output, weights = utils.attention_pool(*(f64(x) for x in case[:3]), scoring=case[3], bandwidth=case[5])
        assert got["weights"] == weights.tolist() == [[0.0, 0.0]] and got["output"] == output.tolist() == [[0.0]]


WIDGET_CLASSES = [QueryExplorer, HeatmapExplorer, DatabaseExplorer, KernelRegressionExplorer, ProjectionExplorer]


@pytest.mark.parametrize("cls", WIDGET_CLASSES, ids=lambda cls: cls.__name__)
def test_widget_module_is_valid_javascript(node, cls, tmp_path):
    module = tmp_path / f"{cls.__name__}.mjs"
    module.write_text(cls()._esm, encoding="utf-8")
    done = subprocess.run([node, "--check", str(module)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- the challenges: CHALLENGES[name](state) in JavaScript against the Python widget's challenge_solved ---

CHALLENGE_RUNNER = """
const { CHALLENGES } = require(process.argv[1]);
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(calls.map(([name, state]) => CHALLENGES[name](state))));
"""
STATE_TRAITS = {"KernelRegressionExplorer": ("x_grid",)}


def challenge_state(widget):
    """What the view passes to CHALLENGES[name]: its traits (ProjectionExplorer: the head's weights it computed)."""
    name = type(widget).__name__
    traits = (*widget._inputs, *widget._data, *STATE_TRAITS.get(name, ()))
    state = {trait: getattr(widget, trait) for trait in traits}
    if name == "ProjectionExplorer":
        state.update(matrix=widget.weights[widget.head].tolist(), trained=bool(widget.models))
    return state


def log_uniform(rng, low, high):
    return 10 ** rng.uniform(math.log10(low), math.log10(high))


def misspell(rng, text):
    """`text` with one character deleted, replaced or doubled."""
    i = rng.randrange(len(text))
    return rng.choice([text[:i] + text[i + 1:], text[:i] + rng.choice("aeioulnrst") + text[i + 1:],
                       text[:i] + text[i] + text[i:]])


def random_challenge_widgets():
    """Seeded widgets in random states, biased towards each goal so that both outcomes occur often."""
    rng = random.Random(7)
    names = [key for key, _ in database.DATABASE]
    for _ in range(80):
        text = rng.choice([rng.choice(names), *[misspell(rng, rng.choice(names))] * 3, "xyz", ""])
        yield DatabaseExplorer(text=text, mode=rng.choice([*database.MODES, "soft", "soft"]),
                               temperature=log_uniform(rng, 0.01, 1))
    keys, values = QueryExplorer().key_points, QueryExplorer().values
    for i in range(120):
        near = rng.random() < 0.6
        moved = [[c + rng.gauss(0, 0.5) for c in point] for point in keys] if i % 3 == 2 else keys  # dragged keys
        query = [c + rng.gauss(0, 0.1) if near else rng.uniform(-1.4, 1.4) for c in moved[2]]
        yield QueryExplorer(query=query, scoring=rng.choice(["dot", "scaled_dot", "gaussian", "gaussian"]),
                            temperature=rng.choice([1.0, log_uniform(rng, 0.5, 3)]), key_points=moved,
                            values=[[c + rng.gauss(0, 0.5) for c in point] for point in values] if i % 2 else values,
                            bandwidth=log_uniform(rng, 0.1, 2), mode=rng.choice(["softmax", "softmax", "argmax"]))
    for _ in range(80):
        yield HeatmapExplorer(scoring=rng.choice(["boxcar", "boxcar", *attention.SCORINGS]),
                              temperature=log_uniform(rng, 0.01, 100), bandwidth=log_uniform(rng, 0.3, 3))
    x_train = [0.0, 0.4, 1.5, 1.9, 3.0]
    for i in range(80):
        data = {} if i % 2 else {"x_train": x_train, "y_train": [1.0, -1.0, 2.0, 0.0, 1.0]}
        smallest = 0.31 if i % 2 else 0.55  # the largest distance from a grid point to a training point
        yield KernelRegressionExplorer(kernel=rng.choice(attention.KERNELS), x_test=rng.uniform(0, 3),
                                       bandwidth=smallest * rng.uniform(0.8, 1.3), **data)
    for i in range(40):
        tokens = ["the", "cat", "sat", "on", "the", "mat"] if i % 2 else ["a", "b", "a", "c", "b"]
        heads = 1 + i % 3
        yield ProjectionExplorer(tokens=tokens, num_heads=heads, seed=i, token=rng.randrange(len(tokens)),
                                 head=rng.randrange(heads))
    task = RecallTask()
    model, _ = train(task, steps=120)
    keys = [name for name in task.vocab if name.startswith("k")]
    values = [name for name in task.vocab if name.startswith("v")]
    for _ in range(40):  # the query asks for the row just before it, or for another row
        rows = [[rng.choice(keys), rng.choice(values)] for _ in range(rng.randint(1, task.num_pairs))]
        asked = rows[-1][0] if rng.random() < 0.7 else rng.choice(keys)
        sequence = [*rows, [asked, "?"]]
        yield ProjectionExplorer(model=model, task=task, sequence=sequence, head=rng.randrange(2),
                                 parameters=rng.choice(["trained", "trained", "random"]),
                                 token=len(rows) if rng.random() < 0.8 else rng.randrange(len(sequence)))
    task = PreviousTokenTask()  # a head that looks at the position before whatever the tokens: only the key clause
    model, _ = train(task, steps=120)  # decides
    for _ in range(20):
        sequence = [[rng.choice(task.vocab)] for _ in range(rng.randint(2, task.max_len))]
        if rng.random() < 0.5:
            sequence[-1] = sequence[-2]
        yield ProjectionExplorer(model=model, task=task, sequence=sequence, head=rng.randrange(2))


@pytest.mark.slow  # builds every widget's challenge states, the trained ones included: seconds
def test_challenge_conditions_match_python(node):
    widgets = list(random_challenge_widgets())
    calls = []
    for widget in widgets:
        calls.append([type(widget).__name__, challenge_state(widget)])
    done = subprocess.run([node, "-e", CHALLENGE_RUNNER, str(MATH_JS)], input=json.dumps(calls, allow_nan=False),
                          capture_output=True, text=True, timeout=120, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    for (name, state), widget, got in zip(calls, widgets, json.loads(done.stdout), strict=True):
        assert got is widget.challenge_solved, (name, state)  # a fresh widget: solved = the goal is met now
    for cls in WIDGET_CLASSES:  # both outcomes happened for every widget
        outcomes = [w.challenge_solved for w in widgets if isinstance(w, cls)]
        assert 5 <= sum(outcomes) <= len(outcomes) - 5, (cls.__name__, sum(outcomes), len(outcomes))


def test_challenge_constants_match_python(node):
    names = ["GOAL_WEIGHT", "GOAL_KEY", "GOAL_QUERY", "SMALLEST_RATIO", "TIE"]
    script = f"const m = require(process.argv[1]); console.log(JSON.stringify({json.dumps(names)}.map((n) => m[n])))"
    got = json.loads(subprocess.run([node, "-e", script, str(MATH_JS)], capture_output=True, text=True,
                                    timeout=60).stdout)
    assert got == [getattr(challenges, name) for name in names]
