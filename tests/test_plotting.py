"""Tests of `utils.plotting`: the heatmap grid, PNG output, Hangul glyphs, and no global matplotlib state."""

import inspect
import io
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
import torch
from PIL import Image

import utils
from utils import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_and_warnings(fig):
    """`fig._repr_png_()` and the messages of every warning raised while it renders."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = fig._repr_png_()
    return png, [str(w.message) for w in caught]


def grid_position(ax):
    """(row, column) of a subplot in its figure's grid."""
    spec = ax.get_subplotspec()
    return spec.rowspan.start, spec.colspan.start


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (2, 3), (3, 2)])
@pytest.mark.parametrize("with_titles", [False, True])
def test_show_heatmaps_grid_labels_titles_and_one_colorbar(rows, cols, with_titles):
    matrices = torch.rand(rows, cols, 4, 5, generator=torch.Generator().manual_seed(0))
    titles = [f"head {j}" for j in range(cols)] if with_titles else None
    fig = utils.show_heatmaps(matrices, xlabel="Keys", ylabel="Queries", titles=titles)
    assert isinstance(fig, plotting.Figure)
    heatmaps = [ax for ax in fig.axes if ax.images]
    colorbars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(heatmaps) == rows * cols and len(colorbars) == 1 and len(fig.axes) == rows * cols + 1
    assert sorted(map(grid_position, heatmaps)) == [(i, j) for i in range(rows) for j in range(cols)]
    for ax in heatmaps:
        i, j = grid_position(ax)
        assert ax.get_xlabel() == ("Keys" if i == rows - 1 else "")
        assert ax.get_ylabel() == ("Queries" if j == 0 else "")
        assert ax.get_title() == (titles[j] if with_titles else "")
        np.testing.assert_allclose(ax.images[0].get_array(), matrices[i, j].numpy())
        # one colour scale for the whole grid, 0..1 as for attention weights, so the colorbar is true for every panel
        assert ax.images[0].get_clim() == (0.0, 1.0)


def cell_colours(fig):
    """RGB colours `(num_queries, num_keys, 3)` at the cell centres of `fig`'s first heatmap, read from its PNG."""
    pixels = np.asarray(Image.open(io.BytesIO(fig._repr_png_())).convert("RGB"), dtype=int)  # (height, width, 3)
    assert pixels.shape[:2] == (round(fig.bbox.height), round(fig.bbox.width)), "the image is not the canvas"
    ax = next(ax for ax in fig.axes if ax.images)
    rows, cols = ax.images[0].get_array().shape
    centres = ax.transData.transform([(j, i) for i in range(rows) for j in range(cols)])  # pixels, y upwards
    return np.array([pixels[pixels.shape[0] - 1 - int(y), int(x)] for x, y in centres]).reshape(rows, cols, 3)


def near_uniform_weights(num_queries=6):
    """Rows of weights between 0.12 and 0.13 that sum to 1 (softmax at a high temperature)."""
    row = torch.tensor([0.12, 0.13, 0.12, 0.13, 0.125, 0.125, 0.125, 0.125])
    return torch.stack([row.roll(i) for i in range(num_queries)])  # (num_queries, 8)


def test_near_uniform_weights_are_drawn_in_near_equal_colours():
    """0.12 and 0.13 are almost the same weight, so they must look almost the same (a min-max scale would stretch
    them from white to dark red)."""
    weights = near_uniform_weights()
    assert torch.allclose(weights.sum(-1), torch.ones(6))
    spread = cell_colours(utils.show_heatmaps(weights[None, None], "Keys", "Queries"))
    assert np.ptp(spread.reshape(-1, 3), axis=0).max() <= 10, np.ptp(spread.reshape(-1, 3), axis=0)
    # control: weights that do differ (0.05 to 0.3) get clearly different colours from the same reading
    varied = torch.tensor([[0.05, 0.3, 0.1, 0.2, 0.05, 0.3]])
    colours = cell_colours(utils.show_heatmaps(varied[None, None], "Keys", "Queries"))
    assert np.ptp(colours.reshape(-1, 3), axis=0).max() > 60


def test_other_colour_scales_are_explicit_and_labelled():
    weights = near_uniform_weights()[None, None]  # (1, 1, 6, 8)
    fig = utils.show_heatmaps(weights, "Keys", "Queries", vmax="max", colorbar_label="weight (0 to the largest)")
    image, colorbar = fig.axes[0].images[0], next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert image.get_clim() == pytest.approx((0.0, 0.13))
    assert colorbar.get_ylabel() == "weight (0 to the largest)"
    scores = torch.tensor([[-2.0, 0.5, 3.0]])[None, None]
    fig = utils.show_heatmaps(scores, "Keys", "Queries", vmin="min", vmax="max", colorbar_label="score")
    assert fig.axes[0].images[0].get_clim() == (-2.0, 3.0)
    with pytest.raises(ValueError, match=re.escape("matrices must lie in the colour range [0, 1], got values from -2 "
                                                   "to 3; attention weights lie in [0, 1]")):
        utils.show_heatmaps(scores, "Keys", "Queries")
    with pytest.raises(ValueError, match=r"colorbar_label must say what a colour scale other than 0\.\.1 shows, "
                                         r"got None for \[0, 0\.13\]"):
        utils.show_heatmaps(weights, "Keys", "Queries", vmax="max")
    with pytest.raises(ValueError, match=r"vmax must be a number or 'max', got 'largest'"):
        utils.show_heatmaps(weights, "Keys", "Queries", vmax="largest")
    with pytest.raises(ValueError, match=r"vmin must be below vmax, got vmin='min' \(0\.5\) and vmax='max' \(0\.5\)"):
        utils.show_heatmaps(torch.full((1, 1, 2, 2), 0.5), "Keys", "Queries", vmin="min", vmax="max",
                            colorbar_label="w")
    with pytest.raises(ValueError, match=r"matrices must lie in the colour range \[0, 1\]"):
        plotting.show_labelled_heatmaps(scores, ["q"], ["a", "b", "c"], "Keys", "Queries")


@pytest.mark.parametrize(("vmin", "vmax"), [(0.0, 1.0), (0.0, "max"), ("min", "max")])
def test_colour_bar_ticks_are_distinct_numbers(vmin, vmax):
    fig = utils.show_heatmaps(near_uniform_weights()[None, None], "Keys", "Queries", vmin=vmin, vmax=vmax,
                              colorbar_label="weight")
    fig._repr_png_()
    colorbar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    low, high = colorbar.get_ylim()
    ticks = [t for t in colorbar.yaxis.get_majorticklocs() if low <= t <= high]
    labels = colorbar.yaxis.get_major_formatter().format_ticks(ticks)
    assert len(ticks) >= 3 and len(set(labels)) == len(labels), labels


def test_show_heatmaps_accepts_weights_that_require_grad():
    queries = torch.randn(2, 3, requires_grad=True)
    _, weights = utils.attention_pool(queries, torch.randn(4, 3), torch.randn(4, 1))
    fig = utils.show_heatmaps(weights.reshape(1, 1, 2, 4), "Keys", "Queries")
    assert len([ax for ax in fig.axes if ax.images]) == 1


@pytest.mark.parametrize("shape", [(4, 5), (3, 4, 5), (1, 1, 1, 4, 5), (4,)])
def test_show_heatmaps_rejects_other_than_four_axes_and_names_the_shape(shape):
    message = f"matrices must have 4 axes (rows, cols, num_queries, num_keys), got shape {tuple(shape)}"
    with pytest.raises(ValueError, match=re.escape(message)):
        utils.show_heatmaps(torch.ones(shape), "Keys", "Queries")


def test_show_heatmaps_rejects_empty_grids_and_wrong_titles():
    with pytest.raises(ValueError, match=r"matrices must hold at least one matrix, got shape \(0, 2, 3, 3\)"):
        utils.show_heatmaps(torch.ones(0, 2, 3, 3), "Keys", "Queries")
    for shape in [(1, 1, 0, 3), (2, 1, 3, 0)]:
        message = f"matrices must not be empty (num_queries and num_keys >= 1), got shape {shape}"
        with pytest.raises(ValueError, match=re.escape(message)):
            utils.show_heatmaps(torch.ones(shape), "Keys", "Queries")
    with pytest.raises(ValueError, match=r"titles must have one entry per column \(2\), got 3"):
        utils.show_heatmaps(torch.ones(1, 2, 3, 3), "Keys", "Queries", titles=["a", "b", "c"])


def test_repr_png_returns_a_non_blank_png():
    fig = utils.show_heatmaps(torch.eye(3).reshape(1, 1, 3, 3), "Keys", "Queries")
    data = fig._repr_png_()
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.width > 100 and image.height > 100
    assert image.getcolors(maxcolors=10) is None  # cells, labels and a colorbar: not a blank canvas


def test_hangul_labels_render_without_missing_glyphs():
    korean = {"xlabel": "키", "ylabel": "쿼리", "titles": ["어텐션 가중치", "헤드 2"]}
    fig = utils.show_heatmaps(torch.rand(1, 2, 3, 4), **korean)
    assert not [m for m in png_and_warnings(fig)[1] if "missing from font" in m]
    # control: the same text in matplotlib's default font does warn, so the check above can fail
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
        plain = plotting.Figure()
        plain.subplots().set_title(korean["titles"][0])
        assert [m for m in png_and_warnings(plain)[1] if "missing from font" in m]


def _examples():
    """One call of every public figure function, with Korean labels."""
    x = torch.linspace(0, 4, 9)
    return {
        "show_heatmaps": lambda: plotting.show_heatmaps(torch.rand(2, 2, 3, 4), "키", "쿼리", titles=["가", "나"]),
        "show_labelled_heatmaps": lambda: plotting.show_labelled_heatmaps(
            torch.rand(1, 1, 2, 3), ["나는", "학생"], ["나는", "학생", "이다"], "키", "쿼리", annotate=True),
        "plot_pooling_outputs": lambda: plotting.plot_pooling_outputs(
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.5, 0.6]], "hull", "출력", "값", "어텐션 출력", "볼록 껍질"),
        "plot_bars": lambda: plotting.plot_bars(["키 1", "키 2"], [[0.2, 0.8], [0.5, -0.5]], ["점수", "가중치"], "키"),
        "plot_attention_mechanism": lambda: plotting.plot_attention_mechanism(
            [0.1, 0.6, 0.3], "쿼리", "키", "가중치", "값", "어텐션 풀링", "출력"),
        "plot_kernels": lambda: plotting.plot_kernels(
            [utils.gaussian_kernel, utils.boxcar_kernel], ["가우시안", "박스카"], "u", "K(u)"),
        "plot_regression": lambda: plotting.plot_regression(
            x, x.sin(), x, x.sin(), x.cos().reshape(1, -1), ["예측"], "입력", "출력", ["데이터", "참값", "예측"]),
        "plot_curves": lambda: plotting.plot_curves(x, torch.stack([x, x**2]), ["선형", "제곱"], "대역폭", "오차",
                                                    title="곡선", mark_min=True),
        "plot_qkv_projections": lambda: plotting.plot_qkv_projections("입력", "학습되는 투영", ["쿼리", "키", "값"]),
        "plot_multi_head": lambda: plotting.plot_multi_head(["헤드 1", "헤드 2"], "입력", "분할", "이어 붙이기",
                                                            "출력"),
    }


EXAMPLES = _examples()


def test_every_public_figure_function_has_an_example():
    public = {name for name, fn in inspect.getmembers(plotting, inspect.isfunction)
              if fn.__module__ == plotting.__name__ and name.startswith(("plot_", "show_"))}
    assert public == set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_figure_functions_return_a_png_figure_with_hangul_and_leave_rcparams_alone(name):
    from tests.test_figure_clipping import edges_with_ink  # here: the subprocess below imports this module alone

    with mpl.rc_context({"font.family": ["serif"]}):  # a value no figure function sets, so a change shows
        before = dict(mpl.rcParams)
        fig = EXAMPLES[name]()
        assert isinstance(fig, plotting.Figure)
        png, messages = png_and_warnings(fig)
        assert not [m for m in messages if "missing from font" in m]
        assert Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=10) is None  # drawn
        assert edges_with_ink(png) == [], "text cut off at an edge of the image (tests/test_figure_clipping.py)"
        assert dict(mpl.rcParams) == before


@pytest.mark.slow  # a fresh interpreter that imports torch and draws every figure: ten seconds
def test_no_pyplot_and_no_pyplot_figures():
    """In a fresh interpreter: utils changes no rcParams, never imports pyplot, and creates no pyplot figure."""
    script = textwrap.dedent("""
        import sys, matplotlib
        before = dict(matplotlib.rcParams)
        sys.path.insert(0, sys.argv[1])
        from test_plotting import EXAMPLES  # every figure function, with Korean labels
        for example in EXAMPLES.values():
            example()._repr_png_()
        assert dict(matplotlib.rcParams) == before, "utils changed matplotlib.rcParams"
        assert "matplotlib.pyplot" not in sys.modules, "utils imported matplotlib.pyplot"
        import matplotlib.pyplot as plt
        EXAMPLES["show_heatmaps"]()._repr_png_()
        assert plt.get_fignums() == [], plt.get_fignums()
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]

