"""Attention pooling in PyTorch: scores, softmax, kernels, Nadaraya–Watson and multi-head attention.

Shapes follow d2l: queries `(..., num_queries, d)`, keys `(..., num_keys, d)`,
values `(..., num_keys, d_v)`, weights `(..., num_queries, num_keys)`.
A boolean `mask` keeps the keys where it is True (as in `torch.nn.functional.scaled_dot_product_attention`).
"""

import math

import torch

from ._checks import as_float_tensor, choice, common_dtype, positive, same_size

SCORINGS = ("dot", "scaled_dot", "gaussian", "boxcar", "epanechnikov")
KERNELS = ("gaussian", "boxcar", "epanechnikov")


def _check_mask(mask, shape):
    """Return `mask` as a bool tensor that broadcasts to `shape`, or raise."""
    if mask is None:
        return None
    mask = torch.as_tensor(mask)
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean tensor (True = keep the key), got dtype {mask.dtype}")
    try:
        broadcast = torch.broadcast_shapes(mask.shape, shape)
    except RuntimeError:
        broadcast = None
    if broadcast != torch.Size(shape):
        raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' shape {tuple(shape)}")
    return mask


def softmax(scores, temperature=1.0, mask=None):
    """Softmax over the last axis of `scores / temperature`; masked keys and scores of -inf get weight 0.

    A row whose keys are all masked gets all-zero weights (not the uniform row of d2l's `masked_softmax`):
    attending to nothing returns nothing.
    """
    scores = torch.as_tensor(scores)
    if not scores.is_floating_point():
        scores = as_float_tensor("scores", scores)
    if scores.dim() < 1:
        raise ValueError(f"scores must have at least 1 axis, got shape {tuple(scores.shape)}")
    all_finite = bool(torch.isfinite(scores).all())  # one pass over the scores decides the path
    if not all_finite and (torch.isnan(scores).any() or (scores == math.inf).any()):
        raise ValueError(f"scores must not contain NaN or +inf (-inf means 'weight 0'), shape {tuple(scores.shape)}")
    temperature = positive("temperature", temperature)
    mask = _check_mask(mask, scores.shape)
    if mask is None and all_finite:  # fast path: nothing masked
        if temperature != 1.0:
            scores = (scores - scores.amax(dim=-1, keepdim=True)) / temperature
        return torch.softmax(scores, dim=-1)
    keep = scores > -math.inf
    if mask is not None:
        keep = keep & mask
    shifted = scores.masked_fill(~keep, -math.inf)
    row_max = shifted.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    # subtract the row maximum before dividing, so a tiny temperature cannot overflow to +inf
    exps = torch.exp((shifted - row_max) / temperature)  # exp(-inf) = 0 for masked keys
    totals = exps.sum(dim=-1, keepdim=True)
    return exps / torch.where(totals > 0, totals, torch.ones_like(totals))


# softmax's two limits, as the widgets offer them (mirrored by limitWeights in utils/widgets/attention_math.js)
POOL_MODES = ("softmax", "argmax", "uniform")
TIE_TOLERANCE = 1e-9  # scores this close to the maximum count as tied in 'argmax' mode


def pool_weights(scores, temperature=1.0, mode="softmax"):
    """Weights over the last axis: softmax(scores / temperature), or one of its limits.

    mode 'argmax' (T -> 0): equal weight on the keys whose score is within TIE_TOLERANCE of the maximum (one-hot
    when the maximum is unique, like a database lookup); 'uniform' (T -> ∞): equal weight on every key with a finite
    score (average pooling). A row with no finite score gets all-zero weights, as in `softmax`.
    """
    choice("mode", mode, POOL_MODES)
    if mode == "softmax":
        return softmax(scores, temperature=temperature)
    keep = scores > -math.inf
    if mode == "argmax":
        keep = keep & (scores >= scores.amax(dim=-1, keepdim=True) - TIE_TOLERANCE)
    return softmax(torch.zeros_like(scores), mask=keep)


def valid_lens_mask(valid_lens, num_keys):
    """Boolean mask `(..., 1, num_keys)` keeping the first `valid_lens` keys of each row (d2l's `valid_lens`)."""
    valid_lens = torch.as_tensor(valid_lens)
    if valid_lens.is_floating_point() or valid_lens.dtype == torch.bool:
        raise TypeError(f"valid_lens must hold integers, got dtype {valid_lens.dtype}")
    if (valid_lens < 0).any():
        raise ValueError(f"valid_lens must be >= 0, got {valid_lens.tolist()}")
    positions = torch.arange(num_keys)
    return (positions < valid_lens[..., None])[..., None, :]


def _check_queries_keys(queries, keys):
    queries = as_float_tensor("queries", queries, min_dim=2)
    keys = as_float_tensor("keys", keys, min_dim=2)
    same_size("queries", queries.shape[-1], "keys", keys.shape[-1], "feature size (last axis)")
    dtype = common_dtype(queries, keys)
    return queries.to(dtype), keys.to(dtype)


def dot_product_scores(queries, keys):
    """Scores q·k, shape `(..., num_queries, num_keys)`."""
    queries, keys = _check_queries_keys(queries, keys)
    return queries @ keys.transpose(-2, -1)


def scaled_dot_product_scores(queries, keys):
    """Scores q·k / sqrt(d), which keeps their variance near 1 for random unit-variance vectors."""
    queries, keys = _check_queries_keys(queries, keys)
    return (queries / math.sqrt(queries.shape[-1])) @ keys.transpose(-2, -1)  # scale the smaller tensor


def gaussian_kernel(u):
    """K(u) = exp(-u²/2), without the constant that normalisation cancels."""
    return torch.exp(-torch.as_tensor(u) ** 2 / 2)


def boxcar_kernel(u):
    """K(u) = 1 if |u| <= 1 else 0."""
    return (torch.as_tensor(u).abs() <= 1).to(torch.get_default_dtype())


def epanechnikov_kernel(u):
    """K(u) = max(0, 1 - u²), without the constant 3/4 that normalisation cancels."""
    return torch.clamp(1 - torch.as_tensor(u) ** 2, min=0)


def kernel_scores(queries, keys, kernel="gaussian", bandwidth=1.0):
    """Scores log K(‖q - k‖ / h), so that softmax(scores) = K / ΣK; -inf where K = 0."""
    choice("kernel", kernel, KERNELS)
    bandwidth = positive("bandwidth", bandwidth)
    queries, keys = _check_queries_keys(queries, keys)
    # squared distances, (..., num_queries, num_keys)
    u2 = ((queries.unsqueeze(-2) - keys.unsqueeze(-3)) ** 2).sum(-1) / bandwidth**2
    if kernel == "gaussian":
        return -u2 / 2
    if kernel == "boxcar":
        return torch.where(u2 <= 1, torch.zeros_like(u2), torch.full_like(u2, -math.inf))
    inside = u2 < 1  # epanechnikov; the inner `where` keeps log's gradient finite at the support's edge
    return torch.where(inside, torch.log(torch.where(inside, 1 - u2, torch.ones_like(u2))), -math.inf)


def attention_scores(queries, keys, scoring="scaled_dot", bandwidth=1.0):
    """Scores a(q, k) for every query–key pair, shape `(..., num_queries, num_keys)`."""
    choice("scoring", scoring, SCORINGS)
    if scoring == "dot":
        return dot_product_scores(queries, keys)
    if scoring == "scaled_dot":
        return scaled_dot_product_scores(queries, keys)
    return kernel_scores(queries, keys, kernel=scoring, bandwidth=bandwidth)


def attention_pool(queries, keys, values, scoring="scaled_dot", temperature=1.0, bandwidth=1.0, mask=None):
    """Attention(q, D) = Σ_i α(q, k_i) v_i; returns `(output, weights)`.

    output: `(..., num_queries, d_v)`, weights: `(..., num_queries, num_keys)`.
    """
    values = as_float_tensor("values", values, min_dim=2)
    keys_t = torch.as_tensor(keys)
    if keys_t.dim() >= 2:
        same_size("keys", keys_t.shape[-2], "values", values.shape[-2], "number of rows (num_keys)")
    scores = attention_scores(queries, keys, scoring=scoring, bandwidth=bandwidth)
    weights = softmax(scores, temperature=temperature, mask=mask)
    dtype = common_dtype(weights, values)
    return weights.to(dtype) @ values.to(dtype), weights.to(dtype)


def nadaraya_watson(queries, keys, values, kernel="gaussian", bandwidth=1.0):
    """Nadaraya–Watson estimate f(x) = Σ_i K((x - x_i)/h) y_i / Σ_j K((x - x_j)/h); returns `(predictions, weights)`.

    queries `(m,)` or `(m, d)`, keys `(n,)` or `(n, d)`, values `(n,)` or `(n, d_v)`;
    predictions have the values' trailing shape, weights are `(m, n)`.
    A query with no training point inside the kernel's support predicts 0 with all-zero weights.
    """
    choice("kernel", kernel, KERNELS)
    queries = as_float_tensor("queries", queries, max_dim=2)
    keys = as_float_tensor("keys", keys, max_dim=2)
    values = as_float_tensor("values", values, max_dim=2)
    same_size("keys", keys.shape[0], "values", values.shape[0], "number of rows (training points)")
    squeeze = values.dim() == 1
    as_2d = [t.unsqueeze(-1) if t.dim() == 1 else t for t in (queries, keys, values)]
    predictions, weights = attention_pool(*as_2d, scoring=kernel, bandwidth=bandwidth)
    return (predictions.squeeze(-1) if squeeze else predictions), weights


def _split_heads(x, num_heads):
    """(..., n, num_heads * d_head) -> (..., num_heads, n, d_head)."""
    *batch, n, width = x.shape
    return x.reshape(*batch, n, num_heads, width // num_heads).transpose(-3, -2)


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, mask=None):
    """Scaled dot-product attention over `num_heads` heads of the projections X W_q, X W_k, X W_v.

    Weights are applied as `X @ W` (W_q: `(d_query, num_heads * d_head)`); the concatenated heads go through W_o.
    Returns `(output, weights)` with weights `(..., num_heads, num_queries, num_keys)`, one matrix per head.
    """
    if isinstance(num_heads, bool) or not isinstance(num_heads, int) or num_heads < 1:
        raise ValueError(f"num_heads must be a positive integer, got {num_heads!r}")
    inputs = {"queries": queries, "keys": keys, "values": values}
    inputs = {name: as_float_tensor(name, x, min_dim=2) for name, x in inputs.items()}
    projections = {"W_q": W_q, "W_k": W_k, "W_v": W_v, "W_o": W_o}
    projections = {name: as_float_tensor(name, w, min_dim=2, max_dim=2) for name, w in projections.items()}
    for (x_name, x), w_name in zip(inputs.items(), ("W_q", "W_k", "W_v"), strict=True):
        same_size(x_name, x.shape[-1], w_name, projections[w_name].shape[0], "size (last axis of the input, rows of W)")
        if projections[w_name].shape[1] % num_heads:
            raise ValueError(
                f"{w_name} has {projections[w_name].shape[1]} columns, not divisible by num_heads={num_heads}"
            )
    same_size("W_q", projections["W_q"].shape[1], "W_k", projections["W_k"].shape[1], "number of columns")
    same_size("W_v", projections["W_v"].shape[1], "W_o", projections["W_o"].shape[0], "width")
    dtype = common_dtype(*inputs.values(), *projections.values())
    q, k, v = (_split_heads(inputs[x].to(dtype) @ projections[w].to(dtype), num_heads)
               for x, w in (("queries", "W_q"), ("keys", "W_k"), ("values", "W_v")))
    if mask is not None:
        mask = torch.as_tensor(mask)
        mask = mask.unsqueeze(-3) if mask.dim() >= 2 else mask  # the same mask for every head
    heads, weights = attention_pool(q, k, v, scoring="scaled_dot", mask=mask)  # (..., h, nq, d_head)
    concat = heads.transpose(-3, -2).flatten(-2)  # (..., nq, h * d_head)
    return concat @ projections["W_o"].to(dtype), weights
