"""Figures for the chapter. Each function returns a `matplotlib.figure.Figure` and displays nothing.

Figures are built with `Figure` below rather than `pyplot`, so nothing is shown twice and no global setting changes;
a notebook shows a figure by making it the last expression of a cell.
"""

import io
import math
import numbers

import matplotlib
import matplotlib.figure
import torch
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle
from matplotlib.transforms import Bbox

from ._checks import as_float_tensor, choice, same_size
from .fonts import font_context


class Figure(matplotlib.figure.Figure):
    """A figure that Jupyter shows as PNG without pyplot (and so without any global backend setting)."""

    def _repr_png_(self):
        area, engine = self.saved_area(), self.get_layout_engine()
        self.set_layout_engine("none")  # save the layout just measured: another pass of the engine can move panels
        try:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100, bbox_inches=area)
        finally:
            self.set_layout_engine(engine)
        return buffer.getvalue()

    def saved_area(self, pad=0.05):
        """The canvas in inches after a layout pass, grown by `pad` past any side that text sticks out of."""
        self.draw_without_rendering()  # runs the layout engine, so the extents below are the drawn ones
        canvas, content = self.bbox_inches, self.get_tightbbox()
        if content.x0 >= 0 and content.y0 >= 0 and content.x1 <= canvas.x1 and content.y1 <= canvas.y1:
            return canvas  # nothing is cut off: the figure keeps its size exactly
        return Bbox.union([canvas, content.padded(pad)])


WEIGHT_RANGE = (0.0, 1.0)  # the colour scale of attention weights: equal weights look equal


def _color_range(matrices, vmin, vmax, colorbar_label):
    """The colour scale `(low, high)` for `matrices`, or raise: entries must fit it, a scale not 0..1 is labelled."""
    low = float(matrices.min()) if vmin == "min" else vmin
    high = float(matrices.max()) if vmax == "max" else vmax
    for name, value, word in (("vmin", low, "min"), ("vmax", high, "max")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number or {word!r}, got {value!r}")
    low, high = float(low), float(high)
    if not low < high:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin!r} ({low:g}) and vmax={vmax!r} ({high:g})")
    smallest, largest = float(matrices.min()), float(matrices.max())
    if smallest < low or largest > high:
        raise ValueError(
            f"matrices must lie in the colour range [{low:g}, {high:g}], got values from {smallest:.4g} to "
            f"{largest:.4g}; attention weights lie in [0, 1], for other values (scores) pass vmin='min', "
            f"vmax='max' and a colorbar_label")
    if (low, high) != WEIGHT_RANGE and not colorbar_label:
        raise ValueError(f"colorbar_label must say what a colour scale other than 0..1 shows, got {colorbar_label!r} "
                         f"for [{low:g}, {high:g}]")
    return low, high


# The colour scale is 0..1, as for attention weights, so that equal weights look equal in every figure. Another scale
# is an explicit, labelled choice: vmax="max" (0 to the largest entry) or vmin="min", vmax="max" (the entries' own
# range, for scores), each with a colorbar_label that says so.
def show_heatmaps(matrices, xlabel, ylabel, titles=None, figsize=(2.5, 2.5), cmap="Reds", vmin=0.0, vmax=1.0,
                  colorbar_label=None):
    """Heatmaps of `matrices` `(rows, cols, num_queries, num_keys)` on one grid with one shared colour bar."""
    matrices = as_float_tensor("matrices", matrices).detach()
    if matrices.dim() != 4:
        raise ValueError(
            f"matrices must have 4 axes (rows, cols, num_queries, num_keys), got shape {tuple(matrices.shape)}"
        )
    num_rows, num_cols = matrices.shape[:2]
    if num_rows == 0 or num_cols == 0:
        raise ValueError(f"matrices must hold at least one matrix, got shape {tuple(matrices.shape)}")
    if matrices.shape[2] == 0 or matrices.shape[3] == 0:
        raise ValueError(
            f"matrices must not be empty (num_queries and num_keys >= 1), got shape {tuple(matrices.shape)}"
        )
    if titles is not None and len(titles) != num_cols:
        raise ValueError(f"titles must have one entry per column ({num_cols}), got {len(titles)}")
    matrices = matrices.to(torch.float32).cpu()
    low, high = _color_range(matrices, vmin, vmax, colorbar_label)
    matrices = matrices.numpy()
    with font_context():
        fig = Figure(figsize=(figsize[0] * num_cols, figsize[1] * num_rows), layout="constrained")
        axes = fig.subplots(num_rows, num_cols, sharex=True, sharey=True, squeeze=False)
        for i, row_axes in enumerate(axes):
            for j, ax in enumerate(row_axes):
                image = ax.imshow(matrices[i, j], cmap=cmap, vmin=low, vmax=high)
                if i == num_rows - 1:
                    ax.set_xlabel(xlabel)
                if j == 0:
                    ax.set_ylabel(ylabel)
                if titles is not None:
                    ax.set_title(titles[j])
        colorbar = fig.colorbar(image, ax=axes, shrink=0.6)
        if colorbar_label:
            colorbar.set_label(colorbar_label)
    return fig


# --- figures for "Queries, keys and values" ---------------------------------------------------------------------------

POOLING_REGIONS = ("cone", "hull", None)
_INK, _ACCENT, _FILL = "#333333", "#c0392b", "#f5b7b1"  # text and arrows, outputs and weights, shaded regions


def _points_2d(name, points):
    """`points` as a float tensor `(n, 2)`, or raise a message that names `name`."""
    points = as_float_tensor(name, points, min_dim=2, max_dim=2)
    if points.shape[-1] != 2 or points.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, 2) with n >= 1, got {tuple(points.shape)}")
    return points


def _weight_vector(weights):
    """`weights` as a non-negative float tensor `(num_keys,)`, or raise."""
    weights = as_float_tensor("weights", weights, max_dim=1)
    if weights.numel() == 0 or (weights < 0).any():
        raise ValueError(f"weights must be non-empty and >= 0, got {weights.tolist()}")
    return weights


def convex_hull(points):
    """Vertices of the convex hull of 2-D `points` `(n, 2)`, counter-clockwise from the lowest-left one."""
    def turns_left(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]) > 0

    ordered = sorted(set(map(tuple, _points_2d("points", points).tolist())))
    if len(ordered) <= 2:
        return ordered
    chains = []
    for sweep in (ordered, ordered[::-1]):  # lower chain left to right, then upper chain right to left
        chain = []
        for p in sweep:
            while len(chain) >= 2 and not turns_left(chain[-2], chain[-1], p):
                chain.pop()
            chain.append(p)
        chains.append(chain[:-1])
    return chains[0] + chains[1]


def cone_angles(vectors):
    """Angles `(start, span)` of the narrowest sector holding 2-D `vectors` (their cone if span < π), or None."""
    angles = sorted(math.atan2(y, x) for x, y in _points_2d("vectors", vectors).tolist() if (x, y) != (0.0, 0.0))
    if not angles:
        raise ValueError("vectors must hold at least one non-zero vector")
    # the widest empty angle between neighbouring directions; the cone is the rest of the circle
    gaps = [(angles[(i + 1) % len(angles)] - a) % (2 * math.pi) or 2 * math.pi for i, a in enumerate(angles)]
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    if gaps[widest] < math.pi:
        return None
    return angles[(widest + 1) % len(angles)], 2 * math.pi - gaps[widest]


def plot_pooling_outputs(values, outputs, region, title, value_label, output_label, region_label=None,
                         figsize=(4.2, 4.2)):
    """2-D `values` as arrows, attention outputs `(n, 2)` as dots, and the region (cone or hull) that holds them."""
    values, outputs = _points_2d("values", values), _points_2d("outputs", outputs)
    choice("region", region, POOLING_REGIONS)
    if region is not None and not region_label:
        raise ValueError(f"region_label must name the shaded region {region!r}, got {region_label!r}")
    everything = torch.cat([values, outputs, torch.zeros(1, 2)])
    low, high = everything.amin(0), everything.amax(0)
    pad = 0.15 * float((high - low).max()) + 0.3
    (x0, y0), (x1, y1) = (low - pad).tolist(), (high + pad).tolist()
    with font_context():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        if region == "hull":
            ax.fill(*zip(*convex_hull(values), strict=True), color=_FILL, alpha=0.6, label=region_label, zorder=0)
        elif region == "cone":
            cone, radius = cone_angles(values), 4 * math.hypot(x1 - x0, y1 - y0)
            if cone is None:
                ax.axhspan(y0, y1, color=_FILL, alpha=0.6, label=region_label, zorder=0)
            else:
                start, span = cone
                arc = torch.linspace(start, start + span, 64)
                fan = [(0.0, 0.0), *zip((radius * arc.cos()).tolist(), (radius * arc.sin()).tolist(), strict=True)]
                ax.fill(*zip(*fan, strict=True), color=_FILL, alpha=0.6, label=region_label, zorder=0)
        for i, (x, y) in enumerate(values.tolist(), start=1):
            ax.annotate("", xy=(x, y), xytext=(0, 0), zorder=4,
                        arrowprops={"arrowstyle": "-|>", "color": _INK, "lw": 1.5, "shrinkA": 0, "shrinkB": 0})
            ax.annotate(rf"$\mathbf{{v}}_{{{i}}}$", (x, y), xytext=(5, 5), textcoords="offset points", color=_INK,
                        zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        ax.plot([], [], color=_INK, lw=1.5, label=value_label)  # legend entry for the arrows
        ax.scatter(*outputs.T.tolist(), s=22 if len(outputs) > 10 else 70, color=_ACCENT, alpha=0.6,
                   edgecolors="white", linewidths=0.4, label=output_label, zorder=3)
        ax.plot(0, 0, marker="o", color=_INK, markersize=3)
        ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=title)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize="small", framealpha=0.9)
    return fig


def plot_bars(categories, bars, titles, ylabel, figsize=(3.0, 0.45)):
    """Horizontal bar charts side by side, one panel per entry of `bars`, each bar labelled with its value."""
    categories = list(categories)
    if len(bars) != len(titles) or not bars:
        raise ValueError(f"bars and titles must have the same length >= 1, got {len(bars)} and {len(titles)}")
    bars = [as_float_tensor(f"bars[{j}]", b, max_dim=1) for j, b in enumerate(bars)]
    for j, b in enumerate(bars):
        same_size(f"bars[{j}]", b.numel(), "categories", len(categories), "length")
    with font_context():
        fig = Figure(figsize=(figsize[0] * len(bars), figsize[1] * len(categories) + 1.0), layout="constrained")
        axes = fig.subplots(1, len(bars), sharey=True, squeeze=False)[0]
        for ax, heights, title in zip(axes, bars, titles, strict=True):
            heights = heights.tolist()
            ax.barh(range(len(categories)), heights, color=_ACCENT, alpha=0.8)
            low, high = min(min(heights), 0.0), max(max(heights), 0.0)
            span = high - low or 1.0
            for row, h in enumerate(heights):
                ax.annotate(f"{h:.2f}", (h, row), xytext=(3 if h >= 0 else -3, 0), textcoords="offset points",
                            ha="left" if h >= 0 else "right", va="center", fontsize="small", color=_INK)
            ax.set_xlim(low - (0.3 if low < 0 else 0.05) * span, high + (0.3 if high > 0 else 0.05) * span)
            ax.axvline(0, color=_INK, lw=0.8)
            ax.set_title(title)
            ax.tick_params(axis="x", labelsize="small")
        axes[0].set_yticks(range(len(categories)), categories)
        axes[0].invert_yaxis()  # first category on top
        axes[0].set_ylabel(ylabel)
    return fig


def _box(ax, x, y, text, color=_INK, width=0.9):
    """A rounded box centred at (x, y) holding `text`."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.3), width, 0.6, boxstyle="round,pad=0.05",
                                facecolor="white", edgecolor=color, lw=1.4, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=12, color=color, zorder=4)


def plot_attention_mechanism(weights, query_label, key_label, weight_label, value_label, pooling_label,
                             output_label):
    """Diagram of attention pooling: the query meets every key, each key gets a weight, the weighted values add up."""
    weights = _weight_vector(weights)
    num_keys, scale = weights.numel(), max(1.0, float(weights.max()))
    rows = [num_keys - 1 - i for i in range(num_keys)]  # key 1 on top
    middle, top = (num_keys - 1) / 2, num_keys - 0.35
    x_query, x_key, x_bar, x_value, x_sum, x_out = 0.0, 2.4, 3.3, 6.8, 8.6, 10.4
    bar_width, colors = 1.6, matplotlib.colormaps["Reds"]
    with font_context():
        fig = Figure(figsize=(10.0, 0.8 * num_keys + 1.3), layout="constrained")
        ax = fig.subplots()
        _box(ax, x_query, middle, r"$\mathbf{q}$", color=_ACCENT)
        ax.text(x_query, middle + 0.55, query_label, ha="center", va="bottom")
        for header, x in ((key_label, x_key), (weight_label, x_bar + bar_width / 2), (value_label, x_value)):
            ax.text(x, top, header, ha="center", va="bottom")
        for i, (y, w) in enumerate(zip(rows, weights.tolist(), strict=True), start=1):
            share = w / scale
            ax.annotate("", xy=(x_key - 0.5, y), xytext=(x_query + 0.5, middle),
                        arrowprops={"arrowstyle": "-|>", "color": "#999999", "lw": 1.0, "shrinkA": 0, "shrinkB": 0})
            _box(ax, x_key, y, rf"$\mathbf{{k}}_{{{i}}}$")
            ax.add_patch(Rectangle((x_bar, y - 0.18), bar_width, 0.36, facecolor="#eeeeee", edgecolor="none"))
            ax.add_patch(Rectangle((x_bar, y - 0.18), bar_width * share, 0.36, facecolor=colors(0.25 + 0.7 * share),
                                   edgecolor="none", zorder=2, gid="weight"))
            ax.text(x_bar + bar_width + 0.12, y, rf"$\alpha_{{{i}}} = {w:.2f}$", va="center", fontsize=10)
            _box(ax, x_value, y, rf"$\mathbf{{v}}_{{{i}}}$")
            for start, end in ((x_key + 0.5, x_bar), (x_bar + bar_width + 1.25, x_value - 0.5)):  # pair k_i with v_i
                ax.plot([start, end], [y, y], color="#999999", lw=0.8, ls=":")
            ax.plot([x_value + 0.5, x_sum - 0.3], [y, middle], color=colors(0.25 + 0.7 * share),
                    lw=0.6 + 5 * share, solid_capstyle="round", zorder=1, gid="pooling")
        ax.add_patch(Circle((x_sum, middle), 0.3, facecolor="white", edgecolor=_ACCENT, lw=1.6, zorder=3))
        ax.text(x_sum, middle, r"$\Sigma$", ha="center", va="center", fontsize=14, color=_ACCENT, zorder=4)
        ax.text(x_sum, middle - 0.45, pooling_label, ha="center", va="top", fontsize="small")
        ax.annotate("", xy=(x_out - 0.75, middle), xytext=(x_sum + 0.3, middle),
                    arrowprops={"arrowstyle": "-|>", "color": _ACCENT, "lw": 1.6, "shrinkA": 0, "shrinkB": 0})
        _box(ax, x_out, middle, r"$\sum_i \alpha_i \mathbf{v}_i$", color=_ACCENT, width=1.4)
        ax.text(x_out, middle + 0.55, output_label, ha="center", va="bottom")
        ax.set(xlim=(x_query - 0.8, x_out + 0.9), ylim=(-0.6, top + 0.5), aspect="equal")
        ax.axis("off")
    return fig


# --- figures for "Attention pooling by similarity" and "Where queries, keys and values come from" ------------------


def _rows(name, x, num_cols=None):
    """`x` as a float tensor `(rows, cols)` (a 1-D input is one row) on the CPU; checks the number of columns."""
    x = as_float_tensor(name, x, max_dim=2).detach().to(torch.float32).cpu()
    x = x.unsqueeze(0) if x.dim() == 1 else x
    if num_cols is not None and x.shape[1] != num_cols:
        raise ValueError(f"{name} must have {num_cols} entries per row, got shape {tuple(x.shape)}")
    return x


def _check_len(name, seq, expected, what):
    """Raise unless `seq` has `expected` entries, one per `what`."""
    if len(seq) != expected:
        raise ValueError(f"{name} must have one entry per {what} ({expected}), got {len(seq)}")


def plot_kernels(kernels, titles, xlabel, ylabel, support=3.0, figsize=(2.6, 2.2)):
    """Kernels K(u) on [-support, support], one panel each, titled by `titles`."""
    _check_len("titles", titles, len(kernels), "kernel")
    u = torch.linspace(-support, support, 601)
    with font_context():
        fig = Figure(figsize=(figsize[0] * len(kernels), figsize[1]), layout="constrained")
        axes = fig.subplots(1, len(kernels), sharey=True, squeeze=False)[0]
        for ax, kernel, title in zip(axes, kernels, titles, strict=True):
            k = torch.as_tensor(kernel(u)).detach().to(torch.float32)
            ax.fill_between(u.numpy(), k.numpy(), color="tab:blue", alpha=0.15, linewidth=0)
            ax.plot(u.numpy(), k.numpy(), color="tab:blue", linewidth=2)
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel(ylabel)
    return fig


def plot_regression(x_train, y_train, x_test, y_true, predictions, titles, xlabel, ylabel, legend,
                    figsize=(3.2, 2.6)):
    """Regression fits `predictions` `(num_panels, num_test)`, one panel each, over the data and the true curve.

    `legend` names the three kinds of marks: (training data, true function, prediction).
    """
    x_train, y_train = (_rows(n, t)[0] for n, t in (("x_train", x_train), ("y_train", y_train)))
    x_test, y_true = (_rows(n, t)[0] for n, t in (("x_test", x_test), ("y_true", y_true)))
    if len(x_train) != len(y_train) or len(x_test) != len(y_true):
        raise ValueError(f"x and y must have the same length, got x_train {len(x_train)}, y_train {len(y_train)}, "
                         f"x_test {len(x_test)}, y_true {len(y_true)}")
    predictions = _rows("predictions", predictions, num_cols=len(x_test))
    _check_len("titles", titles, len(predictions), "panel (row of predictions)")
    _check_len("legend", legend, 3, "kind of mark (data, truth, prediction)")
    with font_context():
        fig = Figure(figsize=(figsize[0] * len(predictions), figsize[1]), layout="constrained")
        axes = fig.subplots(1, len(predictions), sharey=True, squeeze=False)[0]
        for ax, prediction, title in zip(axes, predictions, titles, strict=True):
            ax.scatter(x_train.numpy(), y_train.numpy(), s=14, color="0.55", alpha=0.8, label=legend[0], zorder=1)
            ax.plot(x_test.numpy(), y_true.numpy(), color="tab:green", linestyle="--", linewidth=1.8,
                    label=legend[1], zorder=2)
            ax.plot(x_test.numpy(), prediction.numpy(), color="tab:red", linewidth=2, label=legend[2], zorder=3)
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel(ylabel)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize="small")
    return fig


def plot_curves(x, curves, labels, xlabel, ylabel, title=None, logx=False, logy=False, mark_min=False,
                figsize=(4.5, 3.0)):
    """Curves `(num_curves, len(x))` against `x`, one legend entry each; `mark_min` dots each curve's minimum."""
    x = _rows("x", x)[0]
    curves = _rows("curves", curves, num_cols=len(x))
    _check_len("labels", labels, len(curves), "curve")
    with font_context():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        for curve, label, color in zip(curves, labels, ("tab:blue", "tab:red", "tab:green", "tab:purple") * 4,
                                       strict=False):
            ax.plot(x.numpy(), curve.numpy(), marker="o", markersize=3, linewidth=1.8, color=color, label=label)
            if mark_min:
                best = int(curve.argmin())
                ax.plot(float(x[best]), float(curve[best]), marker="o", markersize=9, markerfacecolor="none",
                        markeredgewidth=2, color=color)
        ax.set_xscale("log" if logx else "linear")
        ax.set_yscale("log" if logy else "linear")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if title is not None:
            ax.set_title(title)
        ax.grid(alpha=0.3, which="both" if (logx or logy) else "major")
        ax.legend(fontsize="small")
    return fig


def show_labelled_heatmaps(matrices, row_labels, col_labels, xlabel, ylabel, titles=None, figsize=(2.5, 2.5),
                           cmap="Reds", annotate=False, vmin=0.0, vmax=1.0, colorbar_label=None):
    """`show_heatmaps` with tick labels (tokens, say) on the rows and columns; `annotate` writes each value."""
    matrices = as_float_tensor("matrices", matrices).detach()
    if matrices.dim() == 4:
        _check_len("row_labels", row_labels, matrices.shape[2], "row (query)")
        _check_len("col_labels", col_labels, matrices.shape[3], "column (key)")
    with font_context():
        fig = show_heatmaps(matrices, xlabel, ylabel, titles=titles, figsize=figsize, cmap=cmap, vmin=vmin,
                            vmax=vmax, colorbar_label=colorbar_label)
        heatmaps = [ax for ax in fig.axes if ax.images]  # the colorbar's axes hold no image
        for ax in heatmaps:
            ax.set_xticks(range(len(col_labels)), col_labels, rotation=90)
            ax.set_yticks(range(len(row_labels)), row_labels)
            ax.tick_params(length=0)
            if annotate:
                image = ax.images[0]
                values, dark = image.get_array(), image.norm(image.get_array()) > 0.6  # dark cells get white text
                for i in range(values.shape[0]):
                    for j in range(values.shape[1]):
                        ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7,
                                color="white" if dark[i, j] else "black")
    return fig


# --- diagrams for "Where queries, keys and values come from" ----------------------------------------------------------

_HEAD_COLORS = ("#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a93226", "#2e4053")


def _matrix(ax, x, y, width, height, name, shape, color=_INK, fill="white"):
    """A matrix drawn as a rectangle centred at (x, y): `name` inside, `shape` underneath."""
    ax.add_patch(Rectangle((x - width / 2, y - height / 2), width, height, facecolor=fill, edgecolor=color, lw=1.4,
                           zorder=3, gid="matrix"))
    ax.text(x, y, name, ha="center", va="center", fontsize=12, color=color, zorder=4)
    ax.text(x, y - height / 2 - 0.1, shape, ha="center", va="top", fontsize=10, color=_INK)


def _arrow(ax, start, end, color="#777777"):
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3, "shrinkA": 0,
                                                      "shrinkB": 0})


def plot_qkv_projections(input_label, projection_label, output_labels, figsize=(6.0, 3.9)):
    """Diagram of Q = X W_q, K = X W_k, V = X W_v: matrices drawn as boxes with their shapes (n×d)(d×d_k) → (n×d_k)."""
    _check_len("output_labels", output_labels, 3, "projection (queries, keys, values)")
    rows = (2.2, 0.0, -2.2)  # y of the query, key and value rows
    x_in, x_w, x_out = -0.6, 2.9, 5.1
    with font_context():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        _matrix(ax, x_in, rows[1], 1.6, 1.0, r"$\mathbf{X}$", r"$n \times d$")
        ax.text(x_in, rows[1] - 0.95, input_label, ha="center", va="top", fontsize=10)
        ax.text(x_w, rows[0] + 0.95, projection_label, ha="center", va="bottom")
        for y, name, label, color in zip(rows, ("q", "k", "v"), output_labels, _HEAD_COLORS, strict=False):
            _arrow(ax, (x_in + 0.85, rows[1]), (x_w - 0.6, y))
            _matrix(ax, x_w, y, 1.0, 1.6, rf"$\mathbf{{W}}_{name}$", r"$d \times d_k$", color=color)
            _arrow(ax, (x_w + 0.55, y), (x_out - 0.55, y), color=color)
            _matrix(ax, x_out, y, 1.0, 1.0, rf"$\mathbf{{{name.upper()}}}$", r"$n \times d_k$", color=color)
            ax.text(x_out + 0.65, y, label, ha="left", va="center", color=color)
        ax.set(xlim=(x_in - 1.0, x_out + 2.4), ylim=(rows[2] - 1.25, rows[0] + 1.35), aspect="equal")
        ax.axis("off")
    return fig


def plot_multi_head(head_titles, input_label, split_label, concat_label, output_label, figsize=(6.4, 3.6)):
    """Diagram of multi-head attention: X → one softmax(Q_j K_jᵀ/√d_k) V_j per head → concatenation → W_o."""
    num_heads = len(head_titles)
    if not 1 <= num_heads <= len(_HEAD_COLORS):
        raise ValueError(f"head_titles must have 1 to {len(_HEAD_COLORS)} entries (one per head), got {num_heads}")
    gap = 0.95
    rows = [gap * (num_heads - 1 - j) for j in range(num_heads)]  # head 1 on top
    middle, segment = gap * (num_heads - 1) / 2, 0.55  # segment: height of one head's block in the concatenation
    x_in, x_head, x_cat, x_wo, x_out = 0.0, 3.2, 5.9, 7.15, 8.5
    top = middle + segment * num_heads / 2
    with font_context():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
        _matrix(ax, x_in, middle, 0.9, 0.9, r"$\mathbf{X}$", r"$n \times d$")
        ax.text(x_in, middle + 0.55, input_label, ha="center", va="bottom", fontsize=10)
        ax.text(x_head, rows[0] + 0.42, split_label, ha="center", va="bottom", fontsize=10)
        for j, (y, title) in enumerate(zip(rows, head_titles, strict=True)):
            color = _HEAD_COLORS[j]
            _arrow(ax, (x_in + 0.5, middle), (x_head - 1.5, y), color=color)
            ax.add_patch(FancyBboxPatch((x_head - 1.45, y - 0.34), 2.9, 0.68, boxstyle="round,pad=0.03",
                                        facecolor="white", edgecolor=color, lw=1.4, zorder=3, gid="head"))
            ax.text(x_head, y + 0.11, rf"$\mathrm{{softmax}}(\mathbf{{Q}}_{j + 1}\mathbf{{K}}_{j + 1}^\top"
                    rf"/\sqrt{{d_k}})\,\mathbf{{V}}_{j + 1}$", ha="center", va="center", fontsize=9, zorder=4)
            ax.text(x_head, y - 0.2, title, ha="center", va="center", fontsize=9, color=color, zorder=4)
            block = top - segment * (j + 0.5)  # this head's block of the concatenation
            _arrow(ax, (x_head + 1.5, y), (x_cat - 0.3, block), color=color)
            ax.add_patch(Rectangle((x_cat - 0.25, block - segment / 2), 0.5, segment, facecolor=color, alpha=0.35,
                                   edgecolor=color, lw=1.0, zorder=3, gid="block"))
            ax.text(x_cat, block, rf"$\mathbf{{O}}_{j + 1}$", ha="center", va="center", fontsize=9, zorder=4)
        ax.text(x_cat, top + 0.1, concat_label, ha="center", va="bottom", fontsize=10)
        ax.text(x_cat, top - segment * num_heads - 0.1, r"$n \times d$", ha="center", va="top", fontsize=10)
        _arrow(ax, (x_cat + 0.3, middle), (x_wo - 0.4, middle))
        _matrix(ax, x_wo, middle, 0.7, 0.9, r"$\mathbf{W}_o$", r"$d \times d$")
        _arrow(ax, (x_wo + 0.4, middle), (x_out - 0.4, middle), color=_ACCENT)
        _matrix(ax, x_out, middle, 0.7, 0.9, r"$\mathbf{Y}$", r"$n \times d$", color=_ACCENT)
        ax.text(x_out, middle + 0.55, output_label, ha="center", va="bottom", color=_ACCENT, fontsize=10)
        low, high = min(rows[-1] - 0.45, top - segment * num_heads - 0.5), max(rows[0] + 0.85, top + 0.5)
        ax.set(xlim=(x_in - 0.6, x_out + 0.6), ylim=(low, high), aspect="equal")
        ax.axis("off")
    return fig
