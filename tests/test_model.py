"""Tests of `utils.tiny_transformer`: the tasks, the forward pass against torch, training from scratch, bad inputs."""

import json
import math

import pytest
import torch
import torch.nn.functional as F

import utils
from utils.tiny_transformer import IGNORE, TASKS

TASK_NAMES = list(TASKS)


@pytest.fixture(scope="module")
def trained():
    """Each task and its model trained from scratch with the default settings (seed 0)."""
    return {name: (TASKS[name](), *utils.train(TASKS[name]())) for name in TASK_NAMES}


def untrained(task, seed=0):
    return utils.TinyTransformer(len(task.vocab), task.max_len, seed=seed)


def assert_learned(model, task, seed=1):
    """Held-out accuracy >= 0.99 and one head that puts >= 0.9 of its weight where the task says it must."""
    result = utils.evaluate(model, task, num=1000, seed=seed)
    assert result["accuracy"] >= 0.99, result
    assert result["attention_mass"].max() >= 0.9, result
    return result


# ---------------------------------------------------------------- the tasks


def test_recall_targets_are_the_value_of_the_row_whose_key_is_the_query():
    task = utils.RecallTask(num_pairs=4, num_keys=8, num_values=8)
    batch = task.sample(200, seed=3)
    assert batch.tokens.shape == (200, 5, 2)
    for tokens, targets, attend in zip(batch.tokens.tolist(), batch.targets.tolist(), batch.attend.tolist(),
                                       strict=True):
        *rows, (query, blank) = tokens
        keys = [key for key, _ in rows]
        assert len(set(keys)) == 4 and all(0 <= key < 8 for key in keys)
        assert all(8 <= value < 16 for _, value in rows) and task.vocab[blank] == "?"
        row = keys.index(query)
        assert targets == [IGNORE] * 4 + [rows[row][1]]
        assert attend == [IGNORE] * 4 + [row]


def test_previous_token_targets_are_the_token_before():
    batch = utils.PreviousTokenTask(length=6, vocab_size_=5).sample(50, seed=3)
    for tokens, targets, attend in zip(batch.tokens.tolist(), batch.targets.tolist(), batch.attend.tolist(),
                                       strict=True):
        assert targets == [IGNORE, *tokens[:-1]]
        assert attend == [IGNORE, 0, 1, 2, 3, 4]


@pytest.mark.parametrize("name", TASK_NAMES)
def test_samples_depend_on_the_seed_only(name):
    task = TASKS[name]()
    a, b, c = task.sample(64, seed=5), task.sample(64, seed=5), task.sample(64, seed=6)
    assert torch.equal(a.tokens, b.tokens) and not torch.equal(a.tokens, c.tokens)


@pytest.mark.parametrize(("make", "match"), [
    (lambda: utils.RecallTask(num_pairs=9, num_keys=8), "num_pairs"),
    (lambda: utils.RecallTask(num_values=0), "num_values"),
    (lambda: utils.PreviousTokenTask(length=1), "length"),
    (lambda: utils.PreviousTokenTask().sample(0), "num"),
])
def test_bad_task_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---------------------------------------------------------------- the forward pass


@pytest.mark.parametrize("name", TASK_NAMES)
def test_shapes_and_causal_weights(name):
    task = TASKS[name]()
    model = untrained(task)
    tokens = task.sample(3).tokens
    logits, weights = model(tokens)
    n = task.max_len
    assert logits.shape == (3, n, len(task.vocab)) and weights.shape == (3, 2, n, n)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, n, dtype=weights.dtype))
    assert (weights.triu(1) == 0).all()  # no position sees a later one,
    assert (weights[..., torch.ones(n, n).tril().bool()] > 0).all()  # nor misses an earlier one


def test_forward_equals_torch_scaled_dot_product_attention():
    task = utils.RecallTask()
    model = untrained(task, seed=4)
    tokens = task.sample(5).tokens
    p = {name: value.detach() for name, value in model.named_parameters()}
    x = p["token_embedding"][tokens].sum(-2) + p["position_embedding"][: tokens.shape[1]]  # (5, n, 32)
    q, k, v = (t.unflatten(-1, (2, 16)).transpose(1, 2) for t in (x @ p["W_q"], x @ p["W_k"], x @ p["W_v"]))
    heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (5, 2, n, 16)
    expected = (x + heads.transpose(1, 2).flatten(-2) @ p["W_o"]) @ p["W_out"] + p["b_out"]
    scores = (q @ k.transpose(-2, -1) / math.sqrt(16)).masked_fill(torch.ones(5, 5).triu(1).bool(), -math.inf)
    logits, weights = model(tokens)
    torch.testing.assert_close(logits.detach(), expected)
    torch.testing.assert_close(weights.detach(), scores.softmax(-1))


def test_state_round_trips_through_json():
    task = utils.PreviousTokenTask()
    model = untrained(task, seed=2)
    copy = utils.TinyTransformer.from_state(json.loads(json.dumps(model.state())))
    tokens = task.sample(4).tokens
    for a, b in zip(model(tokens), copy(tokens), strict=True):
        assert torch.equal(a, b)
    state = model.state()
    state["weights"]["W_q"] = state["weights"]["W_q"][:-1]
    with pytest.raises(ValueError, match=r"state\['weights'\]\['W_q'\].*shape"):
        utils.TinyTransformer.from_state(state)


@pytest.mark.parametrize(("tokens", "error", "match"), [
    ([[0, 1, 8]], ValueError, "tokens holds unknown token id 8"),
    ([[0, -1]], ValueError, "tokens holds unknown token id -1"),
    (torch.zeros(1, 0, dtype=torch.long), ValueError, "tokens must hold at least one"),
    (torch.zeros(0, 3, dtype=torch.long), ValueError, "tokens must hold at least one"),
    ([[0] * 9], ValueError, "tokens has sequences of 9 positions, more than the model's max_len=8"),
    ([0, 1], ValueError, r"tokens must have shape \(batch, n\)"),
    ([[0.0, 1.0]], TypeError, "tokens must hold integer token ids"),
])
def test_bad_tokens_are_named(tokens, error, match):
    with pytest.raises(error, match=match):
        untrained(utils.PreviousTokenTask())(tokens)


def test_bad_model_arguments_are_named():
    with pytest.raises(ValueError, match="d_model=30 must be divisible by num_heads=4"):
        utils.TinyTransformer(8, 8, d_model=30, num_heads=4)
    with pytest.raises(ValueError, match="vocab_size"):
        utils.TinyTransformer(0, 8)
    with pytest.raises(ValueError, match="num_threads"):
        utils.train(utils.PreviousTokenTask(), steps=1, num_threads=0)


# ---------------------------------------------------------------- training


@pytest.mark.slow  # trains both models (the module's `trained`)
@pytest.mark.parametrize("name", TASK_NAMES)
def test_trained_model_learns_the_task_and_the_right_head(trained, name):
    task, model, losses = trained[name]
    assert len(losses) == 150 and losses[-1] < losses[0] / 100
    assert_learned(model, task)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_the_same_checks_fail_on_an_untrained_model(name):
    task = TASKS[name]()
    with pytest.raises(AssertionError):
        assert_learned(untrained(task), task)


@pytest.mark.slow  # trains both models (the module's `trained`)
def test_recall_head_finds_the_matching_row_in_each_held_out_sequence(trained):
    task, model, _ = trained["recall"]
    batch = task.sample(500, seed=7)
    _, weights = model(batch.tokens)
    head = utils.attention_mass(weights, batch).argmax()
    query_row = weights[:, head, -1].detach()  # (500, positions)
    assert (query_row.argmax(-1) == batch.attend[:, -1]).all()
    assert query_row.gather(-1, batch.attend[:, -1:]).min() >= 0.5


def test_training_is_reproducible_and_restores_torch_settings():
    task = utils.PreviousTokenTask()
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(2)  # train() runs on 1 thread by default, and must give the 2 back
    try:
        runs = [utils.train(task, steps=5, seed=3) for _ in range(2)]
        assert torch.get_num_threads() == 2 and torch.are_deterministic_algorithms_enabled() == deterministic
    finally:
        torch.set_num_threads(threads)
    assert runs[0][1] == runs[1][1]
    assert runs[0][0].state() == runs[1][0].state()
    assert utils.train(task, steps=5, seed=4)[1] != runs[0][1]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", TASK_NAMES)
def test_other_seeds_learn_too(name, seed):
    task = TASKS[name]()
    model, _ = utils.train(task, seed=seed)
    assert_learned(model, task)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_an_untrained_model_with_the_defaults_is_where_training_starts(name):
    """The notebook compares a trained model with `TinyTransformer(len(vocab), max_len)`: train's starting point."""
    task = TASKS[name]()
    start, _ = utils.train(task, steps=1, lr=0.0)  # Adam with lr 0 leaves the weights as they were drawn
    assert start.state() == utils.TinyTransformer(len(task.vocab), task.max_len).state()  # the notebook's call
    assert start.state() != untrained(task, seed=1).state()
