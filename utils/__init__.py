"""Queries, keys and values: the maths (PyTorch), the figures and the widgets of the chapter."""

from .attention import (
    additive_scores,
    attention_pool,
    attention_scores,
    boxcar_kernel,
    dot_product_scores,
    epanechnikov_kernel,
    gaussian_kernel,
    kernel_scores,
    multi_head_attention,
    nadaraya_watson,
    scaled_dot_product_scores,
    softmax,
    valid_lens_mask,
)
from .fonts import font_context
from .plotting import show_heatmaps
from .text import pad
from .tiny_transformer import PreviousTokenTask, RecallTask, TinyTransformer, attention_mass, evaluate, train
from .widgets import DatabaseExplorer, HeatmapExplorer, KernelRegressionExplorer, ProjectionExplorer, QueryExplorer

__all__ = [
    "DatabaseExplorer",
    "HeatmapExplorer",
    "KernelRegressionExplorer",
    "PreviousTokenTask",
    "ProjectionExplorer",
    "QueryExplorer",
    "RecallTask",
    "TinyTransformer",
    "additive_scores",
    "attention_mass",
    "attention_pool",
    "attention_scores",
    "boxcar_kernel",
    "dot_product_scores",
    "epanechnikov_kernel",
    "evaluate",
    "font_context",
    "gaussian_kernel",
    "kernel_scores",
    "multi_head_attention",
    "nadaraya_watson",
    "pad",
    "scaled_dot_product_scores",
    "show_heatmaps",
    "softmax",
    "train",
    "valid_lens_mask",
]
