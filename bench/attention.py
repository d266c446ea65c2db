"""utils.attention_pool against torch.nn.functional.scaled_dot_product_attention: what the readable version costs."""

import torch
import torch.nn.functional as F

import utils

from .timing import repeat, summary, table

SIZES = [(1, 64, 64, 32), (8, 256, 256, 64), (8, 1024, 1024, 64)]  # (batch, num_queries, num_keys, d)
TARGET_RATIO = 2.0


def _ms(fn, runs):
    """(median, min, max) in milliseconds, after one warm-up call."""
    return tuple(1e3 * x for x in summary(repeat(fn, runs + 1)[1:]))


def _fmt(stats):
    return f"{stats[0]:.2f} ({stats[1]:.2f}–{stats[2]:.2f})"


def run(runs=7):
    """Median time of both at each size; returns (markdown, ratio at the largest size)."""
    torch.manual_seed(0)
    rows, ratio = [], None
    for batch, num_queries, num_keys, d in SIZES:
        q = torch.randn(batch, num_queries, d)
        k, v = torch.randn(batch, num_keys, d), torch.randn(batch, num_keys, d)
        ours = _ms(lambda q=q, k=k, v=v: utils.attention_pool(q, k, v), runs)
        reference = _ms(lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v), runs)
        ratio = ours[0] / reference[0]
        rows.append([f"{batch}×{num_queries}×{num_keys}×{d}", _fmt(ours), _fmt(reference), f"{ratio:.2f}×"])
    header = ["size (batch×queries×keys×d)", "attention_pool, ms", "SDPA, ms", "ratio"]
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    text = table(header, rows) + f"\n\nTarget: within {TARGET_RATIO}× of PyTorch at the largest size — {verdict}."
    return text
