"""Figures for the chapter. Each function returns a `matplotlib.figure.Figure` and displays nothing.

Figures are built with `Figure` below rather than `pyplot`, so nothing is shown twice and no global setting changes;
a notebook shows a figure by making it the last expression of a cell.
"""

import io

import matplotlib.figure
import torch

from .fonts import font_context


class Figure(matplotlib.figure.Figure):
    """A figure that Jupyter shows as PNG without pyplot (and so without any global backend setting)."""

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def show_heatmaps(matrices, xlabel, ylabel, titles=None, figsize=(2.5, 2.5), cmap="Reds"):
    """Heatmaps of `matrices` `(rows, cols, num_queries, num_keys)` on one grid with one shared colorbar."""
    matrices = torch.as_tensor(matrices).detach()
    if matrices.dim() != 4:
        raise ValueError(
            f"matrices must have 4 axes (rows, cols, num_queries, num_keys), got shape {tuple(matrices.shape)}"
        )
    num_rows, num_cols = matrices.shape[:2]
    if num_rows == 0 or num_cols == 0:
        raise ValueError(f"matrices must hold at least one matrix, got shape {tuple(matrices.shape)}")
    if titles is not None and len(titles) != num_cols:
        raise ValueError(f"titles must have one entry per column ({num_cols}), got {len(titles)}")
    matrices = matrices.to(torch.float32).cpu().numpy()
    with font_context():
        fig = Figure(figsize=(figsize[0] * num_cols, figsize[1] * num_rows), layout="constrained")
        axes = fig.subplots(num_rows, num_cols, sharex=True, sharey=True, squeeze=False)
        vmin, vmax = float(matrices.min()), float(matrices.max())
        for i, row_axes in enumerate(axes):
            for j, ax in enumerate(row_axes):
                image = ax.imshow(matrices[i, j], cmap=cmap, vmin=vmin, vmax=vmax)
                if i == num_rows - 1:
                    ax.set_xlabel(xlabel)
                if j == 0:
                    ax.set_ylabel(ylabel)
                if titles is not None:
                    ax.set_title(titles[j])
        fig.colorbar(image, ax=axes, shrink=0.6)
    return fig
