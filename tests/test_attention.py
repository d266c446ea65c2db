"""Tests of `utils.attention`: properties (hypothesis), agreement with PyTorch and with the formulas, bad inputs."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import utils
from utils.attention import KERNELS, SCORINGS

# Deterministic and small: the whole file runs in a few seconds.
FAST = settings(max_examples=30, deadline=None, derandomize=True, database=None)


def tensors(shape, low=-5.0, high=5.0):
    """Strategy: float64 tensors of `shape` with finite entries in [low, high]."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return hnp.arrays(np.float64, shape, elements=elements).map(torch.from_numpy)


def masks(shape):
    """Strategy: boolean tensors of `shape` (True = keep the key)."""
    return hnp.arrays(np.bool_, shape).map(torch.from_numpy)


# (batch, num_queries, num_keys)
SHAPES = st.tuples(st.integers(1, 2), st.integers(1, 4), st.integers(1, 5))


def randn(*shape, seed=0, dtype=torch.float64):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def random_mask(*shape, seed=0):
    """A boolean mask with about a third of the keys masked."""
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed)) > 1 / 3


# ---------------------------------------------------------------- properties of softmax and attention pooling


@FAST
@given(data=st.data())
def test_weights_are_distributions_or_zero_rows(data):
    shape = data.draw(SHAPES)
    scores, mask = data.draw(tensors(shape, -30, 30)), data.draw(masks(shape))
    for weights, kept in ((utils.softmax(scores), torch.ones(shape[:-1])),
                          (utils.softmax(scores, mask=mask), mask.any(-1))):
        assert (weights >= 0).all()
        torch.testing.assert_close(weights.sum(-1), kept.to(weights.dtype))


@FAST
@given(data=st.data())
def test_adding_a_constant_to_a_row_changes_nothing(data):
    shape = data.draw(SHAPES)
    scores, mask = data.draw(tensors(shape, -30, 30)), data.draw(masks(shape))
    shift = data.draw(tensors((*shape[:-1], 1), -1000, 1000))  # one constant per row
    temperature = data.draw(st.sampled_from([0.1, 1.0, 7.0]))
    for m in (None, mask):
        torch.testing.assert_close(utils.softmax(scores + shift, temperature, mask=m),
                                   utils.softmax(scores, temperature, mask=m))


@FAST
@given(data=st.data())
def test_permuting_keys_and_values_together_changes_nothing(data):
    nq, nk, d = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    queries, keys, values = data.draw(tensors((nq, d))), data.draw(tensors((nk, d))), data.draw(tensors((nk, 2)))
    scoring = data.draw(st.sampled_from(SCORINGS))
    perm = torch.tensor(data.draw(st.permutations(range(nk))))
    output, weights = utils.attention_pool(queries, keys, values, scoring=scoring, bandwidth=2.0)
    output_p, weights_p = utils.attention_pool(queries, keys[perm], values[perm], scoring=scoring, bandwidth=2.0)
    torch.testing.assert_close(output_p, output)
    torch.testing.assert_close(weights_p, weights[:, perm])


@FAST
@given(ints=st.lists(st.integers(-1000, 1000), min_size=1, max_size=8, unique=True))
def test_temperature_to_zero_gives_the_arg_max_one_hot_row(ints):
    scores = torch.tensor(ints, dtype=torch.float64) / 10  # no ties: scores differ by at least 0.1
    one_hot = F.one_hot(scores.argmax(), len(ints)).to(scores.dtype)
    torch.testing.assert_close(utils.softmax(scores, temperature=1e-4), one_hot, rtol=0, atol=1e-12)


@FAST
@given(data=st.data())
def test_huge_temperature_gives_the_uniform_row_over_kept_keys(data):
    shape = data.draw(SHAPES)
    scores, mask = data.draw(tensors(shape, -50, 50)), data.draw(masks(shape))
    uniform = mask / mask.sum(-1, keepdim=True).clamp(min=1)
    torch.testing.assert_close(utils.softmax(scores, temperature=1e9, mask=mask), uniform.to(scores.dtype),
                               rtol=0, atol=1e-6)
    torch.testing.assert_close(utils.softmax(scores, temperature=1e9), torch.full(shape, 1 / shape[-1],
                               dtype=scores.dtype), rtol=0, atol=1e-6)


@FAST
@given(data=st.data())
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_scores_of_plus_minus_ten_thousand_stay_finite(dtype, data):
    shape = data.draw(SHAPES)
    values = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1e4, 1e4, 0.0, 9999.5]))
    scores = torch.from_numpy(data.draw(values)).to(dtype)
    mask = data.draw(masks(shape))
    temperature = data.draw(st.sampled_from([1e-3, 1.0, 1e3]))
    for m in (None, mask):
        weights = utils.softmax(scores, temperature, mask=m)
        assert torch.isfinite(weights).all()
        kept = torch.ones(shape[:-1]) if m is None else m.any(-1)
        torch.testing.assert_close(weights.sum(-1), kept.to(dtype))
    # the same through attention_pool: 1-D queries and keys of size 100 give dot products of ±1e4
    q, k = scores.new_tensor([[100.0]]), scores.new_tensor([[100.0], [-100.0], [99.0]])
    output, weights = utils.attention_pool(q, k, k, scoring="dot", temperature=temperature)
    assert torch.isfinite(output).all() and torch.isfinite(weights).all()


@FAST
@given(data=st.data())
def test_masked_keys_get_weight_exactly_zero(data):
    shape = data.draw(SHAPES)
    scores, mask = data.draw(tensors(shape, -30, 30)), data.draw(masks(shape))
    weights = utils.softmax(scores, temperature=data.draw(st.sampled_from([0.01, 1.0, 100.0])), mask=mask)
    assert (weights[~mask] == 0).all()
    queries, keys, values = data.draw(tensors((*shape[:2], 2))), data.draw(tensors((shape[0], shape[2], 2))), \
        data.draw(tensors((shape[0], shape[2], 3)))
    _, pooled = utils.attention_pool(queries, keys, values, mask=mask)
    assert (pooled[~mask] == 0).all()


@FAST
@given(data=st.data())
def test_minus_infinity_scores_act_as_masked(data):
    shape = data.draw(SHAPES)
    scores, mask = data.draw(tensors(shape, -30, 30)), data.draw(masks(shape))
    with_inf = scores.masked_fill(~mask, -math.inf)
    expected = utils.softmax(scores, mask=mask)
    torch.testing.assert_close(utils.softmax(with_inf), expected)
    torch.testing.assert_close(utils.softmax(with_inf, temperature=3.0), utils.softmax(scores, 3.0, mask=mask))
    assert (utils.softmax(with_inf)[~mask] == 0).all()


def test_a_fully_masked_row_gives_zero_weights_and_zero_output():
    scores = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    weights = utils.softmax(scores, mask=torch.tensor([[True, True], [False, False]]))
    torch.testing.assert_close(weights[1], torch.zeros(2))
    torch.testing.assert_close(utils.softmax(torch.full((3,), -math.inf)), torch.zeros(3))
    output, _ = utils.attention_pool(torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 4) + 1,
                                     mask=torch.tensor([[True, False], [False, False]]))
    torch.testing.assert_close(output, torch.tensor([[2.0] * 4, [0.0] * 4]))


# ---------------------------------------------------------------- agreement with PyTorch


@pytest.mark.parametrize("batch", [(), (3,), (2, 3)])
@pytest.mark.parametrize("with_mask", [False, True])
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-12), (torch.float32, 1e-6)])
def test_attention_pool_equals_torch_scaled_dot_product_attention(batch, with_mask, dtype, tol):
    queries, keys, values = randn(*batch, 4, 6, seed=1), randn(*batch, 5, 6, seed=2), randn(*batch, 5, 3, seed=3)
    queries, keys, values = queries.to(dtype), keys.to(dtype), values.to(dtype)
    mask = random_mask(*batch, 4, 5, seed=4) if with_mask else None
    if with_mask:
        mask[..., 0, :] = False  # torch 2.13 also gives a fully masked row zero output
    output, weights = utils.attention_pool(queries, keys, values, scoring="scaled_dot", mask=mask)
    expected = F.scaled_dot_product_attention(queries, keys, values, attn_mask=mask)
    torch.testing.assert_close(output, expected, rtol=tol, atol=tol)
    assert weights.shape == (*batch, 4, 5)


def _torch_mha_weights(mha):
    """(W_q, W_k, W_v, W_o) of a bias-free `nn.MultiheadAttention`, in the X @ W convention of `utils`."""
    if mha.in_proj_weight is not None:
        w_q, w_k, w_v = mha.in_proj_weight.chunk(3)
    else:
        w_q, w_k, w_v = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight
    return w_q.T, w_k.T, w_v.T, mha.out_proj.weight.T


@pytest.mark.parametrize("num_heads", [1, 2, 4])
@pytest.mark.parametrize("kind", ["self", "cross", "attn_mask", "key_padding_mask"])
def test_multi_head_attention_equals_torch_multihead_attention(num_heads, kind):
    torch.manual_seed(0)
    width, batch, nq, nk = 8, 2, 3, 5
    kdim, vdim = (6, 7) if kind == "cross" else (width, width)
    mha = torch.nn.MultiheadAttention(width, num_heads, bias=False, batch_first=True, kdim=kdim, vdim=vdim,
                                      dtype=torch.float64).eval()
    queries, keys, values = randn(batch, nq, width, seed=1), randn(batch, nk, kdim, seed=2), \
        randn(batch, nk, vdim, seed=3)
    mask, torch_kwargs = None, {}
    if kind == "attn_mask":
        mask = random_mask(nq, nk, seed=5)
        mask[:, 0] = True  # torch's MultiheadAttention gives NaN for a fully masked row
        torch_kwargs = {"attn_mask": ~mask}  # torch: True = do NOT attend
    elif kind == "key_padding_mask":
        mask = utils.valid_lens_mask(torch.tensor([2, 5]), nk)  # (batch, 1, num_keys)
        torch_kwargs = {"key_padding_mask": ~mask[:, 0, :]}
    with torch.no_grad():
        expected, expected_weights = mha(queries, keys, values, average_attn_weights=False, **torch_kwargs)
        output, weights = utils.multi_head_attention(queries, keys, values, *_torch_mha_weights(mha),
                                                     num_heads=num_heads, mask=mask)
    torch.testing.assert_close(output, expected, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(weights, expected_weights, rtol=1e-10, atol=1e-12)
    assert weights.shape == (batch, num_heads, nq, nk)


# ---------------------------------------------------------------- Nadaraya–Watson and kernels against the formulas

FORMULAS = {
    "gaussian": lambda u: math.exp(-u * u / 2),
    "boxcar": lambda u: 1.0 if abs(u) <= 1 else 0.0,
    "epanechnikov": lambda u: max(0.0, 1 - u * u),
}


def nadaraya_watson_loop(queries, keys, values, kernel, bandwidth):
    """f(x) = Σ_i K(|x - x_i|/h) y_i / Σ_j K(|x - x_j|/h), one query at a time; 0 when no K is positive."""
    kernel_fn, predictions, weights = FORMULAS[kernel], [], []
    for x in queries:
        ks = [kernel_fn(math.dist(np.atleast_1d(x), np.atleast_1d(xi)) / bandwidth) for xi in keys]
        total = sum(ks)
        row = [k / total if total > 0 else 0.0 for k in ks]
        weights.append(row)
        predictions.append(sum((w * np.asarray(y) for w, y in zip(row, values, strict=True)), np.zeros_like(values[0])))
    return np.array(predictions), np.array(weights)


@FAST
@given(data=st.data())
def test_nadaraya_watson_equals_a_python_loop_over_the_formula(data):
    kernel = data.draw(st.sampled_from(KERNELS))
    bandwidth = data.draw(st.floats(0.25, 3.0))
    m, n, d = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 6)), data.draw(st.sampled_from([1, 2]))
    if d == 1:  # 1-D inputs: x and y are numbers
        queries, keys, values = data.draw(tensors((m,), -3, 3)), data.draw(tensors((n,), -3, 3)), \
            data.draw(tensors((n,)))
    else:
        queries, keys, values = data.draw(tensors((m, d), -3, 3)), data.draw(tensors((n, d), -3, 3)), \
            data.draw(tensors((n, 2)))
    q_np, k_np, v_np = queries.numpy(), keys.numpy(), values.numpy()
    if kernel == "boxcar":  # |u| = 1 exactly is on the edge, where rounding may decide either way
        assume(all(abs(math.dist(np.atleast_1d(x), np.atleast_1d(xi)) / bandwidth - 1) > 1e-9
                   for x in q_np for xi in k_np))
    predictions, weights = utils.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=bandwidth)
    expected_predictions, expected_weights = nadaraya_watson_loop(q_np, k_np, v_np, kernel, bandwidth)
    torch.testing.assert_close(weights, torch.from_numpy(expected_weights), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(predictions, torch.from_numpy(expected_predictions), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kernel", ["boxcar", "epanechnikov"])
def test_a_query_with_no_neighbour_in_the_support_predicts_zero(kernel):
    keys, values = torch.tensor([0.0, 1.0, 1.5]), torch.tensor([2.0, 3.0, 4.0])
    predictions, weights = utils.nadaraya_watson(torch.tensor([5.0, 0.25]), keys, values, kernel=kernel)
    assert predictions[0] == 0 and (weights[0] == 0).all()
    assert predictions[1] > 0 and weights[1].sum() == pytest.approx(1.0)


def test_gaussian_weights_stay_normalised_far_from_every_key():
    predictions, weights = utils.nadaraya_watson(torch.tensor([100.0]), torch.tensor([0.0, 1.0]),
                                                 torch.tensor([2.0, 3.0]), bandwidth=0.5)
    torch.testing.assert_close(weights, torch.tensor([[0.0, 1.0]]))  # the nearest key takes it all
    torch.testing.assert_close(predictions, torch.tensor([3.0]))


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("u", [-2.0, -1.0001, -1.0, -0.5, 0.0, 0.3, 0.9999, 1.0, 1.5, 3.0])
def test_kernels_closed_forms(kernel, u):
    kernel_fn = {"gaussian": utils.gaussian_kernel, "boxcar": utils.boxcar_kernel,
                 "epanechnikov": utils.epanechnikov_kernel}[kernel]
    assert float(kernel_fn(torch.tensor(u, dtype=torch.float64))) == pytest.approx(FORMULAS[kernel](u), abs=1e-15)
    # kernel_scores is log K(|q - k| / h): exponentiated, it gives the kernel again
    score = utils.kernel_scores(torch.tensor([[2 * u]], dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64),
                                kernel=kernel, bandwidth=2.0)
    assert math.exp(float(score)) == pytest.approx(FORMULAS[kernel](u), rel=1e-6, abs=1e-12)


def test_dot_and_scaled_dot_scores_are_the_formulas():
    queries, keys = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2)
    expected = torch.einsum("bqd,bkd->bqk", queries, keys)
    torch.testing.assert_close(utils.dot_product_scores(queries, keys), expected)
    torch.testing.assert_close(utils.scaled_dot_product_scores(queries, keys), expected / 2)  # sqrt(4) = 2
    torch.testing.assert_close(utils.attention_scores(queries, keys, "dot"), expected)


# ---------------------------------------------------------------- valid_lens_mask against d2l's masked_softmax


def d2l_masked_softmax(scores, valid_lens):
    """d2l's semantics: per batch row, keys at positions >= valid_len get score -1e6 before an ordinary softmax."""
    scores = scores.clone()
    for b, n in enumerate(valid_lens.tolist()):
        scores[b, :, n:] = -1e6
    return torch.softmax(scores, dim=-1)


def test_valid_lens_mask_matches_d2l_masked_softmax():
    scores, valid_lens = randn(3, 2, 4, seed=1), torch.tensor([1, 3, 4])
    mask = utils.valid_lens_mask(valid_lens, 4)
    assert mask.shape == (3, 1, 4) and mask.dtype == torch.bool
    torch.testing.assert_close(utils.softmax(scores, mask=mask), d2l_masked_softmax(scores, valid_lens))
    assert utils.valid_lens_mask([2], 3).tolist() == [[[True, True, False]]]


def test_valid_len_zero_gives_zero_weights_where_d2l_gives_uniform():
    scores = randn(1, 2, 4, seed=1)
    torch.testing.assert_close(d2l_masked_softmax(scores, torch.tensor([0])), torch.full((1, 2, 4), 0.25,
                               dtype=scores.dtype))
    weights = utils.softmax(scores, mask=utils.valid_lens_mask(torch.tensor([0]), 4))
    torch.testing.assert_close(weights, torch.zeros_like(scores))


def d2l_masked_softmax_2d(scores, valid_lens):
    """d2l's semantics for valid_lens of shape (batch, num_queries): one length per query."""
    scores = scores.clone()
    for b, row in enumerate(valid_lens.tolist()):
        for i, n in enumerate(row):
            scores[b, i, n:] = -1e6
    return torch.softmax(scores, dim=-1)


@pytest.mark.parametrize("num_queries", [2, 3])  # 2 = the number of heads below: no silent (batch, heads) reading
def test_two_dimensional_valid_lens_mean_one_length_per_query_as_in_d2l(num_queries):
    valid_lens = torch.tensor([[1, 4, 2], [3, 2, 4]])[:, :num_queries]  # (batch, num_queries)
    mask = utils.valid_lens_mask(valid_lens, 4)
    assert mask.shape == (2, num_queries, 4)
    scores = randn(2, num_queries, 4, seed=2)
    torch.testing.assert_close(utils.softmax(scores, mask=mask), d2l_masked_softmax_2d(scores, valid_lens))
    # with heads, d2l repeats the lengths for every head: the same mask broadcasts over a heads axis
    head_scores = randn(2, 2, num_queries, 4, seed=3)
    weights = utils.softmax(head_scores, mask=mask[:, None])
    for h in range(2):
        torch.testing.assert_close(weights[:, h], d2l_masked_softmax_2d(head_scores[:, h], valid_lens))


def test_valid_lens_mask_is_built_on_the_device_of_valid_lens():
    mask = utils.valid_lens_mask(torch.tensor([1, 2], device="meta"), 3)
    assert mask.device.type == "meta" and mask.shape == (2, 1, 3) and mask.dtype == torch.bool


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("scoring", SCORINGS)
def test_gradients_are_finite_with_masks_and_on_the_kernels_edge(scoring):
    queries = torch.tensor([[0.0], [1.0], [2.5], [9.0]], dtype=torch.float64, requires_grad=True)
    keys = torch.tensor([[0.0], [0.5], [1.5], [2.0]], dtype=torch.float64, requires_grad=True)  # 1.0 - 0.0 = h
    values = randn(4, 2, seed=1).requires_grad_()
    mask = torch.tensor([[True, True, False, True], [True, False, True, True],
                         [False, False, False, False], [True, True, True, True]])  # one fully masked row
    output, weights = utils.attention_pool(queries, keys, values, scoring=scoring, mask=mask)
    grads = torch.autograd.grad((output**2).sum() + (weights**2).sum(), (queries, keys, values), allow_unused=True)
    assert grads[2] is not None
    for grad in grads:
        assert grad is None or torch.isfinite(grad).all()


@pytest.mark.parametrize("scoring", ["dot", "scaled_dot", "gaussian", "epanechnikov"])
def test_gradients_agree_with_finite_differences(scoring):
    queries = randn(2, 3, seed=1).requires_grad_()
    keys = (0.3 * randn(4, 3, seed=2)).requires_grad_()
    values = randn(4, 2, seed=3).requires_grad_()
    mask = torch.tensor([[True, False, True, True], [True, True, True, False]])

    def pooled(q, k, v):
        return utils.attention_pool(q, k, v, scoring=scoring, bandwidth=3.0, mask=mask)[0]

    assert torch.autograd.gradcheck(pooled, (queries, keys, values))


def test_gradient_of_dot_attention_with_keys_as_values_is_the_covariance_of_the_keys():
    """With a(q, k) = qᵀk and v = k, ∂Attention/∂q = Σ α k kᵀ - (Σ α k)(Σ α k)ᵀ (an exercise of the chapter)."""
    query, keys = randn(1, 3, seed=1), randn(5, 3, seed=2)
    jacobian = torch.autograd.functional.jacobian(
        lambda q: utils.attention_pool(q, keys, keys, scoring="dot")[0][0], query)[:, 0, :]
    alpha = torch.softmax(keys @ query[0], dim=0)
    mean = alpha @ keys
    covariance = (alpha[:, None] * keys).T @ keys - torch.outer(mean, mean)
    torch.testing.assert_close(jacobian, covariance)


# ---------------------------------------------------------------- a tensor temperature and bandwidth, learned


def scalar(value, shape, dtype=torch.float64):
    """`value` as a leaf tensor of `shape` () or (1,) that requires grad."""
    return torch.full(shape, value, dtype=dtype, requires_grad=True)


@pytest.mark.parametrize("shape", [(), (1,)])
@pytest.mark.parametrize("temperature", [0.3, 1.0, 4.0])  # 1.0: no shortcut may skip the division
@pytest.mark.parametrize("masked", [False, True])
def test_gradient_of_softmax_with_a_tensor_temperature_is_that_of_the_formula(shape, temperature, masked):
    scores = randn(3, 5, seed=1).requires_grad_()
    mask = random_mask(3, 5, seed=2) | torch.eye(3, 5, dtype=torch.bool) if masked else None  # no empty row
    T = scalar(temperature, shape)

    def reference(s, t):
        a = s / t
        return torch.softmax(a if mask is None else a.masked_fill(~mask, -math.inf), dim=-1)

    assert torch.autograd.gradcheck(lambda s, t: utils.softmax(s, t, mask=mask), (scores, T))
    target = randn(3, 5, seed=3)  # any loss that depends on every weight
    grads = torch.autograd.grad((utils.softmax(scores, T, mask=mask) * target).sum(), (scores, T))
    expected = torch.autograd.grad((reference(scores, T) * target).sum(), (scores, T))
    for got, want in zip(grads, expected, strict=True):
        torch.testing.assert_close(got, want)
    assert grads[1].shape == shape and grads[1].abs() > 1e-3  # T really gets a gradient


def nadaraya_watson_formula(queries, keys, values, kernel, h, temperature=1.0, mask=None):
    """K(|x - x_i| / h)^(1/T) y_i / Σ_j K(|x - x_j| / h)^(1/T) for 1-D data, written out with autograd-able ops."""
    u = (queries[:, None] - keys[None, :]).abs() / h  # (num_queries, num_keys)
    k = torch.exp(-(u**2) / 2) if kernel == "gaussian" else torch.clamp(1 - u**2, min=0)
    k = k ** (1 / temperature)
    if mask is not None:
        k = k * mask
    weights = k / k.sum(-1, keepdim=True)
    return weights @ values


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
@pytest.mark.parametrize("shape", [(), (1,)])
def test_gradient_through_a_tensor_bandwidth_is_that_of_the_formula(kernel, shape):
    keys = torch.linspace(0, 4, 9, dtype=torch.float64)
    values = torch.sin(keys) + 0.3 * randn(9, seed=1)
    queries = keys[[1, 4, 7]] + 0.31  # within one bandwidth of a few keys, on no support edge
    h = scalar(1.2, shape)
    predictions, _ = utils.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=h)
    expected = nadaraya_watson_formula(queries, keys, values, kernel, h)
    torch.testing.assert_close(predictions, expected)
    (grad,) = torch.autograd.grad(predictions.square().sum(), h)
    (want,) = torch.autograd.grad(expected.square().sum(), h)
    torch.testing.assert_close(grad, want)
    assert grad.shape == shape and grad.abs() > 1e-3
    assert torch.autograd.gradcheck(
        lambda b: utils.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=b)[0], (h,))


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_leave_one_out_loss_with_tensor_bandwidth_and_temperature_has_the_formulas_gradient(kernel):
    """The loss a notebook minimises to learn h = exp(θ): attention_pool with the leave-one-out mask."""
    x = torch.linspace(0, 3, 12, dtype=torch.float64) + 0.05 * randn(12, seed=1)
    y = torch.cos(x) + 0.2 * randn(12, seed=2)
    not_self = ~torch.eye(12, dtype=torch.bool)
    theta, T = scalar(math.log(0.9), ()), scalar(0.7, (1,))

    def loss(theta, T):
        left_out, _ = utils.attention_pool(x[:, None], x[:, None], y[:, None], scoring=kernel,
                                           bandwidth=theta.exp(), temperature=T, mask=not_self)
        return ((left_out[:, 0] - y) ** 2).mean()

    expected = ((nadaraya_watson_formula(x, x, y, kernel, theta.exp(), T, not_self) - y) ** 2).mean()
    torch.testing.assert_close(loss(theta, T), expected)
    grads = torch.autograd.grad(loss(theta, T), (theta, T))
    for got, want in zip(grads, torch.autograd.grad(expected, (theta, T)), strict=True):
        torch.testing.assert_close(got, want)
    assert torch.autograd.gradcheck(loss, (theta, T))


def test_a_tensor_boxcar_bandwidth_gets_gradient_zero_not_none():
    """The boxcar estimate is flat in h between two distances, so its derivative there is 0."""
    h = scalar(1.3, ())
    predictions, _ = utils.nadaraya_watson([0.2, 1.9], [0.0, 1.0, 2.0, 3.0], [1.0, -2.0, 4.0, 0.5], kernel="boxcar",
                                           bandwidth=h)
    assert predictions.requires_grad
    (grad,) = torch.autograd.grad(predictions.sum(), h)
    assert grad == 0


TENSOR_CALLS = {  # every function that takes a temperature or a bandwidth: (call, the argument's name)
    "softmax": (lambda x: utils.softmax(randn(2, 4, seed=1), temperature=x), "temperature"),
    "pool_weights": (lambda x: utils.attention.pool_weights(randn(2, 4, seed=1), temperature=x), "temperature"),
    "attention_pool T": (lambda x: utils.attention_pool(randn(2, 3), randn(4, 3, seed=1), randn(4, 2, seed=2),
                                                        temperature=x)[0], "temperature"),
    "attention_pool h": (lambda x: utils.attention_pool(randn(2, 3), randn(4, 3, seed=1), randn(4, 2, seed=2),
                                                        scoring="gaussian", bandwidth=x)[0], "bandwidth"),
    "kernel_scores": (lambda x: utils.kernel_scores(0.2 * randn(2, 3), 0.2 * randn(4, 3, seed=1), "epanechnikov",
                                                    x), "bandwidth"),  # every pair inside the support
    "attention_scores": (lambda x: utils.attention_scores(randn(2, 3), randn(4, 3, seed=1), "gaussian", x),
                         "bandwidth"),
    "nadaraya_watson": (lambda x: utils.nadaraya_watson(randn(3), randn(5, seed=1), randn(5, seed=2),
                                                        bandwidth=x)[0], "bandwidth"),
    "lookup_weights": (lambda x: utils.database.lookup_weights(utils.database.DATABASE, "Li", temperature=x)[0],
                       "temperature"),
}


@pytest.mark.parametrize("call, name", TENSOR_CALLS.values(), ids=TENSOR_CALLS.keys())
def test_every_temperature_and_bandwidth_may_be_a_tensor_with_a_gradient(call, name):
    as_number = call(0.8)
    for shape in [(), (1,)]:
        x = scalar(0.8, shape)
        as_tensor = call(x)
        torch.testing.assert_close(as_tensor, as_number)
        (grad,) = torch.autograd.grad(as_tensor.sum() + as_tensor.square().sum(), x)
        assert grad.shape == shape and torch.isfinite(grad).all() and grad.abs() > 0, name
    bad = torch.tensor([0.8, 0.8])
    with pytest.raises(ValueError, match=rf"^{name} must be a number or a tensor of shape \(\) or \(1,\)"):
        call(bad)


@pytest.mark.parametrize("inputs, h, result", [(torch.float32, torch.float64, torch.float32),
                                               (torch.float64, torch.float32, torch.float64)])
def test_a_tensor_bandwidth_does_not_change_the_inputs_dtype(inputs, h, result):
    x, keys, values = (torch.tensor(v, dtype=inputs) for v in ([0.5], [0.0, 1.0], [1.0, 3.0]))
    predictions, weights = utils.nadaraya_watson(x, keys, values,
                                                 bandwidth=torch.tensor(0.7, dtype=h, requires_grad=True))
    assert predictions.dtype == weights.dtype == result
    output = utils.softmax(torch.tensor([1.0, 2.0], dtype=inputs), torch.tensor(0.7, dtype=h))
    assert output.dtype == result


# ---------------------------------------------------------------- integer and mixed inputs


def test_integer_inputs_give_the_float_result():
    q, k, v = [[1, 0], [0, 2]], [[1, 1], [0, 1], [2, 0]], [[1], [2], [3]]
    as_float = [torch.tensor(x, dtype=torch.float32) for x in (q, k, v)]
    for scoring in SCORINGS:
        for got, expected in zip(utils.attention_pool(torch.tensor(q), torch.tensor(k), torch.tensor(v), scoring),
                                 utils.attention_pool(*as_float, scoring), strict=True):
            assert got.dtype == torch.float32
            torch.testing.assert_close(got, expected)
    torch.testing.assert_close(utils.softmax(torch.tensor([1, 2, 3])), utils.softmax(torch.tensor([1.0, 2.0, 3.0])))
    torch.testing.assert_close(utils.nadaraya_watson(torch.tensor([1, 2]), torch.tensor([0, 1, 3]), [4, 5, 6])[0],
                               utils.nadaraya_watson(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0, 3.0]),
                                                     torch.tensor([4.0, 5.0, 6.0]))[0])
    w = torch.eye(2, dtype=torch.int64)
    torch.testing.assert_close(utils.multi_head_attention(q, k, [[1, 2], [3, 4], [5, 6]], w, w, w, w, 2)[0],
                               utils.multi_head_attention(*as_float[:2], torch.tensor([[1.0, 2], [3, 4], [5, 6]]),
                                                          *[w.float()] * 4, 2)[0])


def test_mixed_float64_and_integer_or_float32_inputs_are_promoted():
    q64, k, v = randn(2, 3, seed=1), torch.tensor([[1, 0, 2], [0, 1, 1]]), torch.tensor([[1.0], [2.0]])
    output, weights = utils.attention_pool(q64, k, v)
    expected = utils.attention_pool(q64, k.double(), v.double())
    assert output.dtype == weights.dtype == torch.float64
    torch.testing.assert_close(output, expected[0])
    predictions, _ = utils.nadaraya_watson(torch.linspace(0, 1, 3, dtype=torch.float64), [0.0, 1.0], [1, 2])
    assert predictions.dtype == torch.float64
    w32 = torch.eye(3)
    output, _ = utils.multi_head_attention(q64, q64, q64, w32, w32, w32, w32, num_heads=3)
    torch.testing.assert_close(output, utils.multi_head_attention(q64, q64, q64, *[w32.double()] * 4, 3)[0])


# ---------------------------------------------------------------- limits: tiny bandwidths and temperatures

TINY = [1e-20, 3e-24, 1e-44, 1e-170, 1e-310, 5e-324]  # each passes validation; some round to 0 in float32


def as_given(value, as_tensor):
    """`value` itself, or as a float64 0-dim tensor that requires grad (it holds every positive Python float)."""
    return torch.tensor(value, dtype=torch.float64, requires_grad=True) if as_tensor else value


@pytest.mark.parametrize("as_tensor", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bandwidth", TINY)
@pytest.mark.parametrize("kernel", KERNELS)
def test_a_tiny_bandwidth_gives_the_nearest_neighbour_limit(kernel, bandwidth, dtype, as_tensor):
    bandwidth = as_given(bandwidth, as_tensor)
    keys, values = torch.tensor([0.0, 1.0, 3.0], dtype=dtype), torch.tensor([2.0, 3.0, 4.0], dtype=dtype)
    queries = torch.tensor([3.0, 0.9, 0.5], dtype=dtype)  # on a key; nearest to one key; halfway between two
    predictions, weights = utils.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=bandwidth)
    assert predictions.dtype == weights.dtype == dtype
    if kernel == "gaussian":  # every query goes to its nearest key, ties split
        expected = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype)
    else:  # a compact support shrinks to the key itself: a query off every key gets nothing
        expected = torch.tensor([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype)
    torch.testing.assert_close(weights, expected, rtol=0, atol=0)
    torch.testing.assert_close(predictions, expected @ values, rtol=0, atol=0)


@pytest.mark.parametrize("as_tensor", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bandwidth", [1e-20, 1e-300])
def test_a_tiny_gaussian_bandwidth_goes_to_the_nearest_key_that_is_kept(bandwidth, dtype, as_tensor):
    bandwidth = as_given(bandwidth, as_tensor)
    queries, keys = torch.tensor([[0.9], [0.1]], dtype=dtype), torch.tensor([[0.0], [1.0], [3.0]], dtype=dtype)
    mask = torch.tensor([[True, False, True], [False, False, False]])  # the nearest key of query 0 is masked
    _, weights = utils.attention_pool(queries, keys, torch.eye(3, dtype=dtype), scoring="gaussian",
                                      bandwidth=bandwidth, mask=mask)
    torch.testing.assert_close(weights, torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("temperature", [1e-40, 1e-46, 1e-300, 5e-324])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_a_tiny_temperature_gives_the_arg_max_with_ties_split(temperature, dtype, masked, as_tensor):
    temperature = as_given(temperature, as_tensor)
    scores = torch.tensor([[1.0, 3.0, 3.0, 2.0], [0.5, -math.inf, 0.25, 0.5]], dtype=dtype)
    mask = torch.tensor([True, True, True, False]) if masked else None
    expected = torch.tensor([[0.0, 0.5, 0.5, 0.0], [0.5, 0.0, 0.0, 0.5]], dtype=dtype)
    if masked:
        expected = torch.tensor([[0.0, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0]], dtype=dtype)
    weights = utils.softmax(scores, temperature=temperature, mask=mask)
    assert weights.dtype == dtype
    torch.testing.assert_close(weights, expected, rtol=0, atol=0)
    finite = scores[:1]  # no -inf: the fast path
    torch.testing.assert_close(utils.softmax(finite, temperature=temperature), expected[:1], rtol=0, atol=0)


def test_kernel_scores_of_nearby_float32_points_far_from_the_origin_are_accurate():
    """No cancellation: ‖q - k‖² is not computed as ‖q‖² + ‖k‖² - 2 q·k, which loses every digit here."""
    queries = 1000 + randn(3, 4, seed=1, dtype=torch.float32) * 1e-2
    keys = 1000 + randn(5, 4, seed=2, dtype=torch.float32) * 1e-2
    distances = torch.cdist(queries.double(), keys.double())  # float64 reference from the same float32 inputs
    expected = -((distances / 0.01) ** 2) / 2
    torch.testing.assert_close(utils.kernel_scores(queries, keys, bandwidth=0.01).double(), expected,
                               rtol=1e-5, atol=1e-5)


def largest_intermediate(fn):
    """Number of elements of the largest tensor that any torch operation returns while `fn` runs."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Largest(TorchDispatchMode):
        numel = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in out if isinstance(out, tuple | list) else (out,):
                if isinstance(t, torch.Tensor):
                    Largest.numel = max(Largest.numel, t.numel())
            return out

    with Largest():
        fn()
    return Largest.numel


@pytest.mark.parametrize("scoring", [*SCORINGS, "additive"])
def test_scoring_memory_is_of_the_order_of_queries_times_keys(scoring):
    batch, nq, nk, d = 2, 64, 48, 32  # (batch, nq, nk, d) would hold 32× more elements than the weights
    queries, keys, values = randn(batch, nq, d, seed=1), randn(batch, nk, d, seed=2), randn(batch, nk, 2, seed=3)
    if scoring == "additive":
        params = randn(d, 16, seed=4), randn(d, 16, seed=5), randn(16, seed=6)
        numel = largest_intermediate(lambda: utils.softmax(utils.additive_scores(queries, keys, *params)))
    else:
        numel = largest_intermediate(lambda: utils.attention_pool(queries, keys, values, scoring=scoring))
    assert numel <= batch * nq * nk


# ---------------------------------------------------------------- additive (Bahdanau) scoring


def additive_loop(queries, keys, W_q, W_k, w_v):
    """a(q, k) = Σ_j w_v[j] tanh(Σ_i q_i W_q[i, j] + Σ_i k_i W_k[i, j]), one pair at a time."""
    return [[sum(w_v[j] * math.tanh(sum(q[i] * W_q[i][j] for i in range(len(q)))
                                    + sum(k[i] * W_k[i][j] for i in range(len(k))))
                 for j in range(len(w_v)))
             for k in keys] for q in queries]


@FAST
@given(data=st.data())
def test_additive_scores_equal_a_python_loop_over_the_formula(data):
    nq, nk, dq, dk, h = (data.draw(st.integers(1, 4)) for _ in range(5))
    queries, keys = data.draw(tensors((nq, dq), -2, 2)), data.draw(tensors((nk, dk), -2, 2))
    W_q, W_k, w_v = data.draw(tensors((dq, h), -1, 1)), data.draw(tensors((dk, h), -1, 1)), data.draw(tensors((h,)))
    expected = additive_loop(queries.tolist(), keys.tolist(), W_q.tolist(), W_k.tolist(), w_v.tolist())
    scores = utils.additive_scores(queries, keys, W_q, W_k, w_v)
    torch.testing.assert_close(scores, torch.tensor(expected, dtype=torch.float64), rtol=1e-12, atol=1e-12)


def test_additive_scores_broadcast_over_batches_and_have_gradients():
    queries, keys = randn(2, 3, 4, seed=1), randn(1, 5, 6, seed=2)  # query and key sizes may differ
    W_q, W_k, w_v = randn(4, 3, seed=3), randn(6, 3, seed=4), randn(3, seed=5)
    scores = utils.additive_scores(queries, keys, W_q, W_k, w_v)
    assert scores.shape == (2, 3, 5)
    for b in range(2):
        expected = additive_loop(queries[b].tolist(), keys[0].tolist(), W_q.tolist(), W_k.tolist(), w_v.tolist())
        torch.testing.assert_close(scores[b], torch.tensor(expected, dtype=torch.float64))
    inputs = tuple(t.clone().requires_grad_() for t in (queries, keys, W_q, W_k, w_v))
    assert torch.autograd.gradcheck(lambda *xs: utils.softmax(utils.additive_scores(*xs)), inputs)


# ---------------------------------------------------------------- zero keys, dtypes of the kernels


@pytest.mark.parametrize("scoring", SCORINGS)
def test_zero_keys_give_zero_output_with_or_without_a_mask(scoring):
    queries, keys, values = torch.ones(2, 3), torch.ones(0, 3), torch.ones(0, 4)
    for mask in (None, torch.ones(2, 0, dtype=torch.bool), torch.ones(0, dtype=torch.bool)):
        output, weights = utils.attention_pool(queries, keys, values, scoring=scoring, mask=mask)
        assert weights.shape == (2, 0)
        torch.testing.assert_close(output, torch.zeros(2, 4))


def test_kernels_keep_a_floating_dtype_and_make_integers_float():
    u64 = torch.tensor([-2.0, 0.0, 0.5], dtype=torch.float64)
    for kernel in (utils.gaussian_kernel, utils.boxcar_kernel, utils.epanechnikov_kernel):
        assert kernel(u64).dtype == torch.float64
        integers = kernel(torch.tensor([-2, 0, 1]))
        assert integers.dtype == torch.get_default_dtype()
        torch.testing.assert_close(integers, kernel(torch.tensor([-2.0, 0.0, 1.0])))


# ---------------------------------------------------------------- every bad input and its message

Q, K, V = torch.ones(2, 3), torch.ones(4, 3), torch.ones(4, 2)
W = torch.ones(4, 4)
NAN = torch.tensor([[1.0, math.nan, 0.0]])
INF = torch.tensor([[1.0, math.inf, 0.0]])

BAD_INPUTS = {
    "feature sizes differ": (lambda: utils.attention_pool(Q, torch.ones(4, 5), V), ValueError,
                             r"queries and keys must have the same feature size \(last axis\), got 3 and 5"),
    "num_keys differ": (lambda: utils.attention_pool(Q, K, torch.ones(5, 2)), ValueError,
                        r"keys and values must have the same number of rows \(num_keys\), got 4 and 5"),
    "nw num_keys differ": (lambda: utils.nadaraya_watson([1.0], [1.0, 2.0], [1.0]), ValueError,
                           r"keys and values must have the same number of rows \(training points\), got 2 and 1"),
    "queries 1-D": (lambda: utils.attention_pool(torch.ones(3), K, V), ValueError,
                    r"queries must have at least 2 axes, got shape \(3,\)"),
    "keys 1-D": (lambda: utils.dot_product_scores(Q, torch.ones(3)), ValueError,
                 r"keys must have at least 2 axes, got shape \(3,\)"),
    "values 1-D": (lambda: utils.attention_pool(Q, K, torch.ones(4)), ValueError,
                   r"values must have at least 2 axes, got shape \(4,\)"),
    "nw queries 3-D": (lambda: utils.nadaraya_watson(torch.ones(1, 1, 1), [1.0], [1.0]), ValueError,
                       r"queries must have at most 2 axes, got shape \(1, 1, 1\)"),
    "scores 0-D": (lambda: utils.softmax(torch.tensor(1.0)), ValueError,
                   r"scores must have at least 1 axis, got shape \(\)"),
    "W_q 3-D": (lambda: utils.multi_head_attention(Q, Q, Q, torch.ones(1, 3, 4), W[:3], W[:3], W, 2), ValueError,
                r"W_q must have at most 2 axes, got shape \(1, 3, 4\)"),
    "NaN in queries": (lambda: utils.attention_pool(NAN, K, V), ValueError,
                       r"queries must be finite, got NaN or infinity in a tensor of shape \(1, 3\)"),
    "inf in keys": (lambda: utils.attention_pool(Q, INF, torch.ones(1, 2)), ValueError, r"keys must be finite"),
    "NaN in values": (lambda: utils.attention_pool(Q, K, torch.full((4, 2), math.nan)), ValueError,
                      r"values must be finite, got NaN or infinity in a tensor of shape \(4, 2\)"),
    "NaN in nw values": (lambda: utils.nadaraya_watson([0.0], [0.0], [math.nan]), ValueError, r"values must be finite"),
    "inf in mha queries": (lambda: utils.multi_head_attention(INF, INF, INF, W[:3], W[:3], W[:3], W, 2), ValueError,
                           r"queries must be finite"),
    "NaN scores": (lambda: utils.softmax(NAN), ValueError, r"scores must not contain NaN or \+inf"),
    "+inf scores": (lambda: utils.softmax(INF), ValueError, r"scores must not contain NaN or \+inf .* shape \(1, 3\)"),
    "bool queries": (lambda: utils.attention_pool(torch.ones(2, 3, dtype=torch.bool), K, V), TypeError,
                     r"queries must hold real numbers, got dtype torch.bool"),
    "complex keys": (lambda: utils.attention_pool(Q, torch.ones(4, 3, dtype=torch.complex64), V), TypeError,
                     r"keys must hold real numbers, got dtype torch.complex64"),
    "string values": (lambda: utils.attention_pool(Q, K, "values"), TypeError,
                      r"values must be a tensor or a rectangular nested list of numbers, got str"),
    "ragged queries": (lambda: utils.attention_pool([[1.0, 2.0], [3.0]], K, V), TypeError,
                       r"queries must be a tensor or a rectangular nested list of numbers, got a ragged .*list"),
    "unknown scoring": (lambda: utils.attention_pool(Q, K, V, scoring="cosine"), ValueError,
                        r"scoring must be one of 'dot', 'scaled_dot', 'gaussian', 'boxcar', 'epanechnikov'; "
                        r"got 'cosine'"),
    "additive needs parameters": (lambda: utils.attention_pool(Q, K, V, scoring="additive"), ValueError,
                                  r"scoring 'additive' has parameters: compute "
                                  r"additive_scores\(queries, keys, W_q, W_k, w_v\), then softmax"),
    "unknown kernel": (lambda: utils.nadaraya_watson([0.0], [0.0], [1.0], kernel="triangle"), ValueError,
                       r"kernel must be one of 'gaussian', 'boxcar', 'epanechnikov'; got 'triangle'"),
    "dot is not a kernel": (lambda: utils.nadaraya_watson([0.0], [0.0], [1.0], kernel="dot"), ValueError,
                            r"kernel must be one of"),
    "unknown kernel_scores kernel": (lambda: utils.kernel_scores(Q, K, kernel="scaled_dot"), ValueError,
                                     r"kernel must be one of .*got 'scaled_dot'"),
    "mask does not broadcast": (lambda: utils.attention_pool(Q, K, V, mask=torch.ones(3, 4, dtype=torch.bool)),
                                ValueError, r"mask of shape \(3, 4\) does not broadcast to the scores' shape \(2, 4\)"),
    "mask with more axes": (lambda: utils.softmax(torch.ones(2, 4), mask=torch.ones(5, 2, 4, dtype=torch.bool)),
                            ValueError, r"mask of shape \(5, 2, 4\) does not broadcast"),
    "integer mask": (lambda: utils.attention_pool(Q, K, V, mask=torch.ones(2, 4, dtype=torch.int64)), TypeError,
                     r"mask must be a boolean tensor \(True = keep the key\), got dtype torch.int64"),
    "float mask": (lambda: utils.softmax(torch.ones(4), mask=[1.0, 0.0, 1.0, 1.0]), TypeError,
                   r"mask must be a boolean tensor .*torch.float32"),
    "num_heads does not divide": (lambda: utils.multi_head_attention(Q, Q, Q, torch.ones(3, 6), torch.ones(3, 6),
                                                                     torch.ones(3, 6), torch.ones(6, 6), 4),
                                  ValueError, r"W_q has 6 columns, not divisible by num_heads=4"),
    "W_q and W_k widths differ": (lambda: utils.multi_head_attention(Q, Q, Q, W[:3], torch.ones(3, 6), W[:3], W, 2),
                                  ValueError, r"W_q and W_k must have the same number of columns, got 4 and 6"),
    "W_v and W_o differ": (lambda: utils.multi_head_attention(Q, Q, Q, W[:3], W[:3], W[:3], torch.ones(6, 4), 2),
                           ValueError, r"W_v and W_o must have the same width, got 4 and 6"),
    "input and W sizes differ": (lambda: utils.multi_head_attention(Q, K, V, W[:3], W[:3], W[:3], W, 2), ValueError,
                                 r"values and W_v must have the same size \(last axis of the input, rows of W\), "
                                 r"got 2 and 3"),
    "valid_lens float": (lambda: utils.valid_lens_mask(torch.tensor([1.5]), 3), TypeError,
                         r"valid_lens must hold integers, got dtype torch.float32"),
    "valid_lens negative": (lambda: utils.valid_lens_mask([2, -1], 3), ValueError,
                            r"valid_lens must be >= 0, got \[2, -1\]"),
    "num_keys float": (lambda: utils.valid_lens_mask([1], 2.5), ValueError,
                       r"num_keys must be a non-negative integer, got 2\.5"),
    "num_keys negative": (lambda: utils.valid_lens_mask([1], -1), ValueError,
                          r"num_keys must be a non-negative integer, got -1"),
    "num_keys bool": (lambda: utils.valid_lens_mask([1], True), ValueError,
                      r"num_keys must be a non-negative integer, got True"),
    "ragged keys": (lambda: utils.attention_pool(Q, [[1.0, 2.0], [3.0]], V), TypeError,
                    r"keys must be a tensor or a rectangular nested list of numbers, got a ragged .*list"),
    "None keys": (lambda: utils.attention_pool(Q, None, V), TypeError,
                  r"keys must be a tensor or a rectangular nested list of numbers, got NoneType"),
    "string keys": (lambda: utils.attention_pool(Q, "keys", V), TypeError,
                    r"keys must be a tensor or a rectangular nested list of numbers, got str"),
    "batches do not broadcast": (lambda: utils.attention_pool(torch.ones(2, 1, 3), torch.ones(3, 4, 3),
                                                              torch.ones(3, 4, 2)), ValueError,
                                 r"queries and keys must have batch shapes \(all axes but the last two\) "
                                 r"that broadcast, got \(2,\) and \(3,\)"),
    "values batch does not broadcast": (lambda: utils.attention_pool(torch.ones(2, 1, 3), torch.ones(2, 4, 3),
                                                                     torch.ones(3, 4, 2)), ValueError,
                                        r"queries, keys and values must have batch shapes .* got \(2,\), \(2,\) "
                                        r"and \(3,\)"),
    "score batches do not broadcast": (lambda: utils.dot_product_scores(torch.ones(2, 1, 3), torch.ones(3, 4, 3)),
                                       ValueError, r"queries and keys must have batch shapes \(all axes but the "
                                       r"last two\) that broadcast, got \(2,\) and \(3,\)"),
    "q·k overflows": (lambda: utils.attention_pool(torch.full((1, 3), 1e20), torch.full((4, 3), 1e20), V,
                                                   scoring="dot"), ValueError,
                      r"^queries and keys are too large: their dot products overflow torch\.float32 "
                      r"\(beyond ±3\.4e\+38\); scale them down or use float64$"),
    "scaled q·k overflows": (lambda: utils.scaled_dot_product_scores(torch.full((1, 3), -1e20),
                                                                     torch.full((4, 3), 1e20)), ValueError,
                             r"^queries and keys are too large: their dot products overflow torch\.float32"),
    "additive W_q rows": (lambda: utils.additive_scores(Q, K, torch.ones(2, 5), torch.ones(3, 5), torch.ones(5)),
                          ValueError, r"queries and W_q must have the same size \(last axis of the input, rows of "
                          r"W\), got 3 and 2"),
    "additive widths differ": (lambda: utils.additive_scores(Q, K, torch.ones(3, 5), torch.ones(3, 4),
                                                             torch.ones(5)), ValueError,
                               r"W_q and W_k must have the same number of columns, got 5 and 4"),
    "additive w_v size": (lambda: utils.additive_scores(Q, K, torch.ones(3, 5), torch.ones(3, 5), torch.ones(4)),
                          ValueError, r"W_q and w_v must have the same number of hidden units, got 5 and 4"),
    "additive overflows": (lambda: utils.additive_scores(Q, K, torch.full((3, 5), 3e38), torch.full((3, 5), -3e38),
                                                         torch.ones(5)), ValueError,
                           r"^queries, keys, W_q, W_k and w_v are too large: the additive scores overflow "
                           r"torch\.float32 \(beyond ±3\.4e\+38\); scale them down or use float64$"),
    "float64 q·k overflows": (lambda: utils.dot_product_scores(torch.full((1, 3), 1e200, dtype=torch.float64),
                                                               torch.full((2, 3), 1e200, dtype=torch.float64)),
                              ValueError, r"^queries and keys are too large: their dot products overflow "
                              r"torch\.float64 \(beyond ±1\.8e\+308\); scale them down$"),
    "mask on another device": (lambda: utils.softmax(torch.ones(2, 4), mask=torch.ones(2, 4, dtype=torch.bool,
                                                                                       device="meta")), ValueError,
                               r"mask is on device meta but the scores are on cpu; move it with mask\.to\(\)"),
    "valid_lens on another device": (lambda: utils.attention_pool(Q, K, V, mask=utils.valid_lens_mask(
                                         torch.tensor([1, 2], device="meta"), 4)), ValueError,
                                     r"mask is on device meta but the scores are on cpu"),
    "additive w_v 2-D": (lambda: utils.additive_scores(Q, K, torch.ones(3, 5), torch.ones(3, 5), torch.ones(5, 1)),
                         ValueError, r"w_v must have at most 1 axes, got shape \(5, 1\)"),
}


@pytest.mark.parametrize("call, error, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_rejected_with_a_message_naming_it(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", ["temperature", "bandwidth"])
@pytest.mark.parametrize(("value", "error", "message"), [
    (0, ValueError, r"must be a positive finite number, got 0\.0"),
    (-1.5, ValueError, r"must be a positive finite number, got -1\.5"),
    (math.nan, ValueError, r"must be a positive finite number, got nan"),
    (math.inf, ValueError, r"must be a positive finite number, got inf"),
    (True, TypeError, r"must be a positive number, got True"),
    ("1", TypeError, r"must be a positive number, got '1'"),
    (None, TypeError, r"must be a positive number, got None"),
    (torch.tensor(0.0), ValueError, r"must be a positive finite number, got 0\.0 \(a tensor\)"),
    (torch.tensor([-1.5], requires_grad=True), ValueError, r"must be a positive finite number, got -1\.5 \(a tensor\)"),
    (torch.tensor(math.nan), ValueError, r"must be a positive finite number, got nan \(a tensor\)"),
    (torch.tensor(math.inf), ValueError, r"must be a positive finite number, got inf \(a tensor\)"),
    (torch.tensor([1.0, 2.0]), ValueError, r"must be a number or a tensor of shape \(\) or \(1,\), got shape \(2,\)"),
    (torch.ones(1, 1), ValueError, r"must be a number or a tensor of shape \(\) or \(1,\), got shape \(1, 1\)"),
    (torch.ones(0), ValueError, r"must be a number or a tensor of shape \(\) or \(1,\), got shape \(0,\)"),
    (torch.tensor(2), TypeError, r"must be a floating-point tensor \(or a number\), got dtype torch\.int64"),
    (torch.tensor(True), TypeError, r"must be a floating-point tensor \(or a number\), got dtype torch\.bool"),
    (torch.tensor(1 + 0j), TypeError, r"must be a floating-point tensor \(or a number\), got dtype torch\.complex"),
])
def test_bad_temperature_and_bandwidth(name, value, error, message):
    with pytest.raises(error, match=f"{name} {message}"):
        utils.attention_pool(Q, K, V, scoring="gaussian", **{name: value})
    if name == "bandwidth":
        with pytest.raises(error, match=f"bandwidth {message}"):
            utils.nadaraya_watson([0.0], [0.0], [1.0], bandwidth=value)
    else:
        with pytest.raises(error, match=f"temperature {message}"):
            utils.softmax([1.0, 2.0], temperature=value)


@pytest.mark.parametrize("num_heads", [0, -2, 2.0, True, "2", None])
def test_bad_num_heads(num_heads):
    with pytest.raises(ValueError, match=rf"num_heads must be a positive integer, got {num_heads!r}"):
        utils.multi_head_attention(Q, Q, Q, W[:3], W[:3], W[:3], W, num_heads)
