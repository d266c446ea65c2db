"""Attention pooling in PyTorch: scores, softmax, kernels, Nadaraya–Watson and multi-head attention.

Shapes follow d2l: queries `(..., num_queries, d)`, keys `(..., num_keys, d)`,
values `(..., num_keys, d_v)`, weights `(..., num_queries, num_keys)`.
A boolean `mask` keeps the keys where it is True (as in `torch.nn.functional.scaled_dot_product_attention`).
A `temperature` or `bandwidth` is a positive number or a one-element float tensor; gradients flow to a tensor, so
either can be learned by gradient descent.
"""

import math

import torch

from ._checks import as_float_tensor, broadcast, choice, common_dtype, integer, positive_scalar, same_size

SCORINGS = ("dot", "scaled_dot", "gaussian", "boxcar", "epanechnikov")
KERNELS = ("gaussian", "boxcar", "epanechnikov")


def _check_mask(mask, shape, device):
    """Return `mask` as a bool tensor that broadcasts to `shape` on `device`, or raise."""
    if mask is None:
        return None
    mask = torch.as_tensor(mask)
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean tensor (True = keep the key), got dtype {mask.dtype}")
    if mask.device != device:
        raise ValueError(f"mask is on device {mask.device} but the scores are on {device}; move it with mask.to()")
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
    attending to nothing returns nothing. A temperature too small for the scores' dtype gives the limit T -> 0:
    equal weights on the row's maxima.
    """
    scores = torch.as_tensor(scores)
    if not scores.is_floating_point():
        scores = as_float_tensor("scores", scores)
    if scores.dim() < 1:
        raise ValueError(f"scores must have at least 1 axis, got shape {tuple(scores.shape)}")
    all_finite = bool(torch.isfinite(scores).all())  # one pass over the scores decides the path
    if not all_finite and (torch.isnan(scores).any() or (scores == math.inf).any()):
        raise ValueError(f"scores must not contain NaN or +inf (-inf means 'weight 0'), shape {tuple(scores.shape)}")
    temperature = positive_scalar("temperature", temperature)
    return _softmax(scores, temperature, _check_mask(mask, scores.shape, scores.device), all_finite)


def _softmax(scores, temperature, mask, all_finite):
    """`softmax` of checked arguments; `all_finite` says that no score is -inf."""
    if scores.shape[-1] == 0:  # no keys: nothing to attend to
        return scores.new_zeros(scores.shape)
    if scores.dtype != torch.float64 and temperature < torch.finfo(scores.dtype).tiny:
        # T would round to 0 (0/0 = NaN) or lose digits in this dtype; float64 holds every positive Python float
        return _softmax(scores.double(), temperature, mask, all_finite).to(scores.dtype)
    if mask is None and all_finite:  # fast path: nothing masked
        if torch.is_tensor(temperature) or temperature != 1.0:  # a tensor T = 1 still needs its gradient
            scores = (scores - scores.amax(dim=-1, keepdim=True)) / temperature
        return torch.softmax(scores, dim=-1)
    keep = scores > -math.inf
    if mask is not None:
        keep = keep & mask
    shifted = scores.masked_fill(~keep, -math.inf)
    row_max = shifted.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    # subtract the row maximum before dividing, so a tiny temperature cannot overflow to +inf; a dropped key enters
    # as 0 and leaves as weight 0, so no -inf / T reaches autograd (a tensor T would get a NaN gradient)
    exps = torch.exp(torch.where(keep, shifted - row_max, 0.0) / temperature).masked_fill(~keep, 0.0)
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
    """Boolean mask keeping the first `valid_lens` keys, as d2l's `masked_softmax` does.

    valid_lens `(batch,)`: one length per sequence, mask `(batch, 1, num_keys)` (the same for every query);
    valid_lens `(batch, num_queries)`: one length per query, mask `(batch, num_queries, num_keys)`.
    With heads, d2l repeats the lengths for every head: insert a heads axis, `mask[:, None]`.
    The mask is built on the device of `valid_lens`.
    """
    num_keys = integer("num_keys", num_keys, minimum=0)
    valid_lens = torch.as_tensor(valid_lens)
    if valid_lens.is_floating_point() or valid_lens.dtype == torch.bool:
        raise TypeError(f"valid_lens must hold integers, got dtype {valid_lens.dtype}")
    if not valid_lens.is_meta and (valid_lens < 0).any():  # a meta tensor has no values to check
        raise ValueError(f"valid_lens must be >= 0, got {valid_lens.tolist()}")
    lens = valid_lens if valid_lens.dim() >= 2 else valid_lens[..., None]  # (batch,) -> (batch, 1): every query
    return torch.arange(num_keys, device=valid_lens.device) < lens[..., None]


def _check_queries_keys(queries, keys, same_features=True):
    queries = as_float_tensor("queries", queries, min_dim=2)
    keys = as_float_tensor("keys", keys, min_dim=2)
    if same_features:
        same_size("queries", queries.shape[-1], "keys", keys.shape[-1], "feature size (last axis)")
    broadcast(("queries", "keys"), (queries.shape[:-2], keys.shape[:-2]))
    dtype = common_dtype(queries, keys)
    return queries.to(dtype), keys.to(dtype)


def _check_scoring(scoring):
    if scoring == "additive":
        raise ValueError("scoring 'additive' has parameters: compute additive_scores(queries, keys, W_q, W_k, w_v), "
                         "then softmax")
    return choice("scoring", scoring, SCORINGS)


def _finite_scores(scores, culprits):
    """`scores` computed from finite inputs, or raise a message that blames the inputs when they overflowed."""
    if not torch.isfinite(scores).all():
        fix = "scale them down" if scores.dtype == torch.float64 else "scale them down or use float64"
        raise ValueError(f"{culprits} overflow {scores.dtype} (beyond ±{torch.finfo(scores.dtype).max:.2g}); {fix}")
    return scores


def _dot_scores(queries, keys, scaled):
    """q·k (or q·k / sqrt(d) when `scaled`) of checked tensors; raises if they overflow."""
    if scaled:
        queries = queries / math.sqrt(queries.shape[-1])  # scale the smaller tensor
    return _finite_scores(queries @ keys.transpose(-2, -1), "queries and keys are too large: their dot products")


def dot_product_scores(queries, keys):
    """Scores q·k, shape `(..., num_queries, num_keys)`."""
    return _dot_scores(*_check_queries_keys(queries, keys), scaled=False)


def scaled_dot_product_scores(queries, keys):
    """Scores q·k / sqrt(d), which keeps their variance near 1 for random unit-variance vectors."""
    return _dot_scores(*_check_queries_keys(queries, keys), scaled=True)


def additive_scores(queries, keys, W_q, W_k, w_v):
    """Additive (Bahdanau) scores a(q, k) = w_vᵀ tanh(q W_q + k W_k), shape `(..., num_queries, num_keys)`.

    W_q: `(d_query, num_hiddens)`, W_k: `(d_key, num_hiddens)`, w_v: `(num_hiddens,)`, applied as `X @ W` like
    `multi_head_attention`'s weights; queries and keys may have different sizes.
    """
    queries, keys = _check_queries_keys(queries, keys, same_features=False)
    W_q, W_k = (as_float_tensor(name, w, min_dim=2, max_dim=2) for name, w in (("W_q", W_q), ("W_k", W_k)))
    w_v = as_float_tensor("w_v", w_v, max_dim=1)
    same_size("queries", queries.shape[-1], "W_q", W_q.shape[0], "size (last axis of the input, rows of W)")
    same_size("keys", keys.shape[-1], "W_k", W_k.shape[0], "size (last axis of the input, rows of W)")
    same_size("W_q", W_q.shape[1], "W_k", W_k.shape[1], "number of columns")
    same_size("W_q", W_q.shape[1], "w_v", w_v.shape[0], "number of hidden units")
    dtype = common_dtype(queries, W_q, W_k, w_v)
    q, k = queries.to(dtype) @ W_q.to(dtype), keys.to(dtype) @ W_k.to(dtype)  # (..., nq, h), (..., nk, h)
    scores = q.new_zeros((*torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]), q.shape[-2], k.shape[-2]))
    for j, w in enumerate(w_v.to(dtype)):  # one (queries × keys) matrix per hidden unit, not (..., nq, nk, h)
        scores = scores + w * torch.tanh(q[..., :, None, j] + k[..., None, :, j])
    return _finite_scores(scores, "queries, keys, W_q, W_k and w_v are too large: the additive scores")


def _as_float(u):
    return as_float_tensor("u", u, min_dim=0, finite=False)


def gaussian_kernel(u):
    """K(u) = exp(-u²/2), without the constant that normalisation cancels."""
    return torch.exp(-_as_float(u) ** 2 / 2)


def boxcar_kernel(u):
    """K(u) = 1 if |u| <= 1 else 0."""
    u = _as_float(u)
    return (u.abs() <= 1).to(u.dtype)


def epanechnikov_kernel(u):
    """K(u) = max(0, 1 - u²), without the constant 3/4 that normalisation cancels."""
    return torch.clamp(1 - _as_float(u) ** 2, min=0)


def _distances(queries, keys):
    """‖q - k‖ for every pair, `(..., num_queries, num_keys)`, computed pair by pair.

    So no `(..., nq, nk, d)` tensor is formed, and no cancellation: ‖q‖² + ‖k‖² - 2 q·k would lose every digit
    for nearby points far from the origin.
    """
    if queries.dtype not in (torch.float32, torch.float64):  # cdist has no half precision
        return _distances(queries.float(), keys.float()).to(queries.dtype)
    return torch.cdist(queries, keys, compute_mode="donot_use_mm_for_euclid_dist")


def _log_kernel(distances, kernel, bandwidth, nearest=None):
    """log K(d / h) from the distances d; for the Gaussian, minus log K(nearest / h) if `nearest` is given.

    Neither d² nor h² is formed, so every bandwidth that passes validation gives the right limit as h -> 0.
    """
    if distances.dtype != torch.float64 and bandwidth < torch.finfo(distances.dtype).tiny:
        # h would round to 0 or lose digits in this dtype; float64 holds every positive Python float
        nearest = None if nearest is None else nearest.double()
        return _log_kernel(distances.double(), kernel, bandwidth, nearest).to(distances.dtype)
    if kernel == "boxcar":  # flat on its support: h only moves the edge, so a tensor h gets gradient 0, not None
        scores = torch.zeros_like(distances).masked_fill(distances > bandwidth, -math.inf)
        return scores + 0 * bandwidth if torch.is_tensor(bandwidth) else scores
    u = distances / bandwidth
    if kernel == "gaussian" and nearest is None:
        return -(u**2) / 2
    if kernel == "gaussian":  # -(d² - n²) / 2h² = 0 for the nearest key, -inf (not NaN) when it overflows
        farther = distances > nearest
        return torch.where(farther, -((distances - nearest) / bandwidth) * ((distances + nearest) / bandwidth) / 2, 0.0)
    inside = u < 1  # epanechnikov; the inner `where` keeps log's gradient finite at the support's edge
    return torch.where(inside, torch.log(torch.where(inside, 1 - u**2, 1.0)), -math.inf)


def _nearest(distances, mask):
    """Distance to the nearest kept key, `(..., num_queries, 1)`, or None when there are no keys."""
    if distances.shape[-1] == 0:
        return None
    kept = distances if mask is None else distances.masked_fill(~mask, math.inf)
    nearest = kept.amin(dim=-1, keepdim=True)
    return nearest.masked_fill(nearest == math.inf, 0.0)  # rows with every key masked: any finite value will do


def kernel_scores(queries, keys, kernel="gaussian", bandwidth=1.0):
    """Scores log K(‖q - k‖ / h), so that softmax(scores) = K / ΣK; -inf where K = 0 (or below the dtype's range)."""
    choice("kernel", kernel, KERNELS)
    bandwidth = positive_scalar("bandwidth", bandwidth)
    queries, keys = _check_queries_keys(queries, keys)
    return _log_kernel(_distances(queries, keys), kernel, bandwidth)


def attention_scores(queries, keys, scoring="scaled_dot", bandwidth=1.0):
    """Scores a(q, k) for every query–key pair, shape `(..., num_queries, num_keys)`."""
    _check_scoring(scoring)
    if scoring == "dot":
        return dot_product_scores(queries, keys)
    if scoring == "scaled_dot":
        return scaled_dot_product_scores(queries, keys)
    return kernel_scores(queries, keys, kernel=scoring, bandwidth=bandwidth)


def attention_pool(queries, keys, values, scoring="scaled_dot", temperature=1.0, bandwidth=1.0, mask=None):
    """Attention(q, D) = Σ_i α(q, k_i) v_i; returns `(output, weights)`.

    output: `(..., num_queries, d_v)`, weights: `(..., num_queries, num_keys)`.
    Gaussian scores are taken relative to the nearest kept key (softmax cancels the shift), so that a tiny
    bandwidth gives the nearest-neighbour limit instead of a row of zeros.
    """
    _check_scoring(scoring)
    queries, keys = _check_queries_keys(queries, keys)
    values = as_float_tensor("values", values, min_dim=2)
    same_size("keys", keys.shape[-2], "values", values.shape[-2], "number of rows (num_keys)")
    broadcast(("queries", "keys", "values"), (queries.shape[:-2], keys.shape[:-2], values.shape[:-2]))
    temperature = positive_scalar("temperature", temperature)
    if scoring in KERNELS:
        bandwidth = positive_scalar("bandwidth", bandwidth)
        distances = _distances(queries, keys)
        mask = _check_mask(mask, distances.shape, distances.device)
        nearest = _nearest(distances, mask) if scoring == "gaussian" else None
        scores = _log_kernel(distances, scoring, bandwidth, nearest)
        all_finite = bool(torch.isfinite(scores).all())
    else:
        scores = _dot_scores(queries, keys, scaled=scoring == "scaled_dot")  # finite, or it raised
        mask, all_finite = _check_mask(mask, scores.shape, scores.device), True
    weights = _softmax(scores, temperature, mask, all_finite)
    dtype = common_dtype(weights, values)
    return weights.to(dtype) @ values.to(dtype), weights.to(dtype)


def nadaraya_watson(queries, keys, values, kernel="gaussian", bandwidth=1.0):
    """Nadaraya–Watson estimate f(x) = Σ_i K((x - x_i)/h) y_i / Σ_j K((x - x_j)/h); returns `(predictions, weights)`.

    queries `(m,)` or `(m, d)`, keys `(n,)` or `(n, d)`, values `(n,)` or `(n, d_v)`;
    predictions have the values' trailing shape, weights are `(m, n)`.
    A query with no training point inside the kernel's support predicts 0 with all-zero weights.
    As h -> 0 the Gaussian predicts the nearest training point's value (the mean over ties), for any valid h.
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
    num_heads = integer("num_heads", num_heads, minimum=1)
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
