"""ProjectionExplorer with a trained TinyTransformer: the Python widget against the model, and the widget's own
JavaScript (its whole ES module, run in Node) against torch: the forward pass, the per-head breakdown, the parser.

Needs `node` for the JavaScript tests: skipped when it is missing, except under CI=true, where that is a failure.
"""

import json
import math
import re
import subprocess

import pytest
import torch

import utils
from tests.harness import from_json as f64
from utils.widgets import ProjectionExplorer
from utils.widgets.labels import LABELS

TOL = {"rtol": 1e-6, "atol": 1e-6}
# appended to the widget's module (attention_math.js + ui.js + projection_explorer.js), so it reaches its functions
RUNNER = """
const { states, calls } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const functions = { attentionBreakdown, tinyForward, parseSequence };
const arg = (a) => (typeof a === "string" && Object.hasOwn(states, a) ? states[a] : a); // a model state, sent once
process.stdout.write(JSON.stringify(calls.map(([name, args]) => functions[name](...args.map(arg)))));
"""


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread: with tensors this small, more threads on a busy machine are many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def recall():
    """The recall task, its model trained from scratch (seed 0, the default settings) and that model untrained."""
    task = utils.RecallTask()
    model, _ = utils.train(task)
    return task, model, utils.TinyTransformer(len(task.vocab), task.max_len, seed=0)


def run_js(node, tmp_path, calls, states=None):
    """Run [(function name, args), ...] in the widget's module in one Node process; return the results.

    An argument that is a key of `states` (e.g. "$trained") stands for that model state, sent once.
    """
    module = tmp_path / "projection.cjs"
    module.write_text(ProjectionExplorer()._esm.replace("export default", "module.exports =") + RUNNER,
                      encoding="utf-8")
    payload = json.dumps({"states": states or {}, "calls": calls}, allow_nan=False)
    done = subprocess.run([node, str(module)], input=payload, capture_output=True, text=True, timeout=300,
                          encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def close(actual, expected):
    torch.testing.assert_close(f64(actual), expected.to(torch.float64), **TOL)


def reference(model, ids):
    """torch's numbers for one sequence `(n, 2)` of ids: x, per head q, k, v, q·k, weights, and the logits."""
    x = model.token_embedding[ids].sum(-2) + model.position_embedding[:len(ids)]  # (n, d)
    heads = model.config["num_heads"]
    q, k, v = ((x @ w).unflatten(-1, (heads, -1)).transpose(0, 1) for w in (model.W_q, model.W_k, model.W_v))
    logits, weights = model(ids[None])
    return {"q": q, "k": k, "v": v, "dots": q @ k.transpose(-1, -2), "weights": weights[0], "logits": logits[0]}


def random_sequences(task, num, seed):
    """Task samples (the right query structure) and sequences of random tokens of every length up to max_len."""
    g = torch.Generator().manual_seed(seed)
    sequences = list(task.sample(num, seed=seed).tokens)
    sequences += [torch.randint(len(task.vocab), (1 + i % task.max_len, 2), generator=g) for i in range(num)]
    return sequences


# --- the JavaScript forward pass against torch ---


@pytest.mark.parametrize("which", ["trained", "random"])
def test_js_forward_pass_matches_torch(node, tmp_path, recall, which):
    task, trained, untrained = recall
    model = trained if which == "trained" else untrained
    sequences = random_sequences(task, 20, seed=11)
    results = run_js(node, tmp_path, [("tinyForward", ("$model", ids.tolist())) for ids in sequences],
                     states={"$model": model.state()})
    got, expected = {}, {}  # name -> every number of every sequence, flattened, compared at once
    with torch.no_grad():
        for ids, result in zip(sequences, results, strict=True):
            ref = reference(model, ids)
            ref["scaled"] = ref["dots"] / math.sqrt(ref["q"].shape[-1])
            ref["out"] = ref["weights"] @ ref["v"]
            for name in ("q", "k", "v", "dots", "scaled", "weights", "out"):
                got.setdefault(name, []).append(f64([head[name] for head in result["heads"]]).flatten())
                expected.setdefault(name, []).append(ref[name].flatten())
            got.setdefault("logits", []).append(f64(result["logits"]).flatten())
            expected.setdefault("logits", []).append(ref["logits"].flatten())
    for name in got:
        torch.testing.assert_close(torch.cat(got[name]), torch.cat(expected[name]), **TOL,
                                   msg=lambda m, n=name: f"{n}: {m}")


def test_js_trained_head_finds_the_matching_key_and_random_does_not(node, tmp_path, recall):
    task, trained, untrained = recall
    batch = task.sample(100, seed=12)
    results = run_js(node, tmp_path, [("tinyForward", (which, ids.tolist()))
                                      for which in ("$trained", "$random") for ids in batch.tokens],
                     states={"$trained": trained.state(), "$random": untrained.state()})
    rows = batch.attend[:, -1]  # the row whose key is the query's

    def mass(got):  # per head, the mean weight of the query position on the matching row
        return f64([[g["heads"][h]["weights"][-1][row] for h in range(2)] for g, row in zip(got, rows, strict=True)])

    trained_mass, random_mass = mass(results[:100]).mean(0), mass(results[100:]).mean(0)
    assert trained_mass.max() >= 0.9 > random_mass.max(), (trained_mass, random_mass)
    answers = f64([g["logits"][-1] for g in results[:100]]).argmax(-1)
    assert torch.equal(answers, batch.targets[:, -1])


def test_js_toy_breakdown_matches_torch(node, tmp_path):
    widget = ProjectionExplorer(num_heads=3, seed=5)
    x, *w = (f64(getattr(widget, name)) for name in ("embeddings", "W_q", "W_k", "W_v", "W_o"))
    (got,) = run_js(node, tmp_path, [("attentionBreakdown", (widget.embeddings, widget.W_q, widget.W_k, widget.W_v,
                                                               widget.W_o, 3))])
    output, weights = utils.multi_head_attention(x, x, x, *w, num_heads=3)
    close(got["output"], output)
    q, k = ((x @ m).unflatten(-1, (3, -1)).transpose(0, 1) for m in w[:2])
    for h, head in enumerate(got["heads"]):
        close(head["weights"], weights[h])
        close(head["dots"], q[h] @ k[h].T)
        close(head["scaled"], q[h] @ k[h].T / math.sqrt(q.shape[-1]))


PARSES = [  # (text, expected sequence or error: label name and its values), for the recall vocabulary
    ("k0 v1, k2 v3, k0 ?", [["k0", "v1"], ["k2", "v3"], ["k0", "?"]]),
    ("  k7   v0 ,k7 ?  ", [["k7", "v0"], ["k7", "?"]]),
    ("k1 v2,", [["k1", "v2"]]),  # a trailing comma is no position
    ("", ("seq_empty", {})),
    (" , ,", ("seq_empty", {})),
    ("k0 v1, k9 ?", ("seq_unknown", {"token": "k9"})),
    ("K0 v1", ("seq_unknown", {"token": "K0"})),
    ("k0 v1, k1 v1, k2 v1, k3 v1, k4 v1, k0 ?", ("seq_too_long", {"count": 6, "max": 5})),
    ("k0 v1, k2", ("seq_format", {"position": 2, "got": 1, "slots": 2})),
    ("k0 v1 k2 v3", ("seq_format", {"position": 1, "got": 4, "slots": 2})),
]


def test_js_parses_sequences_and_names_each_problem(node, tmp_path):
    vocab = utils.RecallTask().vocab
    results = run_js(node, tmp_path, [("parseSequence", (text, vocab, 2, 5)) for text, _ in PARSES])
    for (text, expected), got in zip(PARSES, results, strict=True):
        assert got == ({"sequence": expected} if isinstance(expected, list) else {"error": list(expected)}), text
        if "error" in got:
            name, values = got["error"]
            for lang in LABELS:  # every placeholder of the message is filled
                assert set(values) == {part[1:-1] for part in _placeholders(LABELS[lang][name])}, (lang, name)
        else:  # Python takes what the view accepts
            ProjectionExplorer(model=utils.TinyTransformer(17, 5), task=utils.RecallTask(), sequence=got["sequence"])


def _placeholders(text):
    return re.findall(r"\{\w+\}", text)


# --- the Python widget with a model ---


def test_widget_numbers_are_the_models(recall):
    task, trained, untrained = recall
    widget = ProjectionExplorer(model=trained, task=task, lang="ko")
    assert widget.parameters == "trained" and widget.token == len(widget.sequence) - 1 == 4 and widget.slots == 2
    ids = widget.token_ids()
    with torch.no_grad():
        for which, model in (("trained", trained), ("random", untrained)):
            widget.parameters = which
            logits, weights = model(ids)
            torch.testing.assert_close(widget.weights, weights[0], rtol=0, atol=0)
            torch.testing.assert_close(widget.logits, logits[0], rtol=0, atol=0)
    assert widget.output is None and widget.models["random"] == untrained.state() != widget.models["trained"]
    widget.set_state({"sequence": [["k3", "v0"], ["k3", "?"]], "token": 1, "parameters": "trained"})
    with torch.no_grad():
        torch.testing.assert_close(widget.weights, trained(torch.tensor([[[3, 8], [3, 16]]]))[1][0], rtol=0, atol=0)


@pytest.mark.parametrize(("trait", "value", "message"), [
    ("sequence", [], r"sequence must have 1 to 5 positions"),
    ("sequence", [["k0", "v1"]] * 6, r"sequence must have 1 to 5 positions \(the model's max_len\), got 6"),
    ("sequence", [["k0", "zz"]], r"sequence position 0 holds unknown token 'zz'"),
    ("sequence", [["k0"]], r"sequence position 0 must hold 2 token\(s\), got \['k0'\]"),
    ("sequence", "k0 v1", r"sequence must be a list of positions"),
    ("parameters", "pretrained", r"parameters must be one of 'trained', 'random'; got 'pretrained'"),
    ("token", 5, r"token must be an integer in \[0, 5\), got 5"),
])
def test_bad_inputs_are_named_and_change_nothing(recall, trait, value, message):
    task, trained, _ = recall
    widget = ProjectionExplorer(model=trained, task=task)
    before = {name: getattr(widget, name) for name in widget._inputs}
    weights = widget.weights
    with pytest.raises(Exception, match=message):
        setattr(widget, trait, value)
    assert {name: getattr(widget, name) for name in widget._inputs} == before and widget.weights is weights


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"model": "trained"}, TypeError, r"model must be a utils.TinyTransformer, got str"),
    ({"model": utils.TinyTransformer(17, 5)}, ValueError, r"task must be the model's task"),
    ({"model": utils.TinyTransformer(9, 5), "task": utils.RecallTask()}, ValueError,
     r"task must match the model: vocabulary of 9 tokens"),
    ({"task": utils.RecallTask()}, ValueError, r"task, sequence and parameters need a model"),
    ({"model": utils.TinyTransformer(17, 5), "task": utils.RecallTask(), "sequence": [["k0", "v0", "v1"]]},
     ValueError, r"sequence position 0 must hold 2 token"),
])
def test_bad_constructor_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        ProjectionExplorer(**kwargs)


def test_a_shorter_sequence_moves_the_query_inside_it(recall):
    task, trained, _ = recall
    widget = ProjectionExplorer(model=trained, task=task)
    assert widget.token == 4
    widget.sequence = [["k1", "v1"], ["k1", "?"]]
    assert widget.token == 1 and widget.weights.shape == (2, 2, 2)
    widget.token = 0
    widget.sequence = [["k2", "v0"], ["k3", "v1"], ["k2", "?"]]  # still inside: kept
    assert widget.token == 0


def test_toy_widget_refuses_a_sequence():
    widget = ProjectionExplorer()
    with pytest.raises(ValueError, match=r"sequence can only be set on a widget built with model="):
        widget.sequence = [["the"]]
    assert widget.sequence == [] and widget.logits is None and widget.output.shape == (6, 4)


# --- the challenge with a model: the query asks for the row just before it, and a head finds it ---


def test_model_challenge_needs_the_trained_head_on_the_row_before_the_query(recall):
    task, trained, _ = recall
    widget = ProjectionExplorer(model=trained, task=task)
    assert widget.challenge_solved is False  # the default sequence asks for its first row
    near_misses = [
        {"sequence": [["k0", "v3"], ["k1", "v4"], ["k1", "?"]], "parameters": "random"},  # untrained: spread
        {"parameters": "trained", "token": 1},  # the row itself, not the query
        {"sequence": [["k0", "v3"], ["k1", "v4"], ["k0", "?"]], "token": 2},  # asks for the first row
        {"sequence": [["k1", "v3"], ["k1", "v4"], ["k1", "?"]], "token": 2},  # the key twice: the weight splits
    ]
    for changes in near_misses:
        widget.set_state(changes)
        assert widget.challenge_solved is False, changes
    widget.set_state({"sequence": [["k0", "v3"], ["k5", "v4"], ["k2", "v6"], ["k2", "?"]], "token": 3})
    heads = [float(widget.weights[h, 3, 2]) for h in range(widget.num_heads)]
    assert widget.challenge_solved is (heads[widget.head] > 0.9), heads
    widget.head = max(range(widget.num_heads), key=heads.__getitem__)
    assert widget.challenge_solved is True
    widget.parameters = "random"
    assert widget.challenge_solved is True  # stays solved
