"""Tests of the figures of "Attention pooling by similarity" and "Where queries, keys and values come from"."""

import warnings

import matplotlib.figure
import numpy as np
import pytest
import torch

import utils
from tests.harness import rendered
from utils.plotting import plot_curves, plot_kernels, plot_regression, show_labelled_heatmaps

KERNELS = (utils.gaussian_kernel, utils.boxcar_kernel, utils.epanechnikov_kernel)
TOKENS = ["the", "cat", "sat"]


def regression_inputs(num_panels=2):
    x_train = torch.tensor([0.0, 1.0, 2.0, 3.0])
    y_train = torch.tensor([0.5, 1.5, 1.0, 2.0])
    x_test = torch.linspace(0, 3, 7)
    y_true = torch.sin(x_test)
    predictions = torch.stack([utils.nadaraya_watson(x_test, x_train, y_train, bandwidth=h)[0]
                               for h in (0.3, 1.0, 3.0)[:num_panels]])
    return x_train, y_train, x_test, y_true, predictions


def test_plot_kernels_draws_each_kernel_in_its_own_panel():
    fig = plot_kernels(KERNELS, ["Gaussian", "Boxcar", "Epanechnikov"], "u", "K(u)", support=2.0)
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["Gaussian", "Boxcar", "Epanechnikov"]
    assert axes[0].get_ylabel() == "K(u)" and all(ax.get_xlabel() == "u" for ax in axes)
    for ax, kernel in zip(axes, KERNELS, strict=True):
        u, k = ax.lines[0].get_data()
        assert u.min() == pytest.approx(-2.0) and u.max() == pytest.approx(2.0)
        np.testing.assert_allclose(k, kernel(torch.as_tensor(u)).numpy(), atol=1e-6)
    rendered(fig)


def test_plot_kernels_wants_one_title_per_kernel():
    with pytest.raises(ValueError, match="titles"):
        plot_kernels(KERNELS, ["Gaussian"], "u", "K(u)")


def test_plot_regression_shows_data_truth_and_one_fit_per_panel():
    x_train, y_train, x_test, y_true, predictions = regression_inputs(num_panels=2)
    legend = ("data", "truth", "fit")
    fig = plot_regression(x_train, y_train, x_test, y_true, predictions, ["h = 0.3", "h = 1"], "x", "y", legend)
    assert [ax.get_title() for ax in fig.axes] == ["h = 0.3", "h = 1"]
    for ax, prediction in zip(fig.axes, predictions, strict=True):
        np.testing.assert_allclose(ax.collections[0].get_offsets(), torch.stack([x_train, y_train], 1).numpy())
        truth, fit = ax.lines
        np.testing.assert_allclose(truth.get_ydata(), y_true.numpy(), atol=1e-6)
        np.testing.assert_allclose(fit.get_ydata(), prediction.numpy(), atol=1e-6)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(legend)
    rendered(fig)


def test_plot_regression_accepts_one_prediction_row_as_a_vector():
    x_train, y_train, x_test, y_true, predictions = regression_inputs(num_panels=1)
    fig = plot_regression(x_train, y_train, x_test, y_true, predictions[0], ["fit"], "x", "y", ("a", "b", "c"))
    assert len(fig.axes) == 1


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"predictions": torch.zeros(2, 5)}, "predictions"),
        ({"y_train": torch.zeros(3)}, "same length"),
        ({"titles": ["only one"]}, "titles"),
        ({"legend": ("data", "truth")}, "legend"),
        ({"predictions": torch.full((2, 7), float("nan"))}, "predictions"),
    ],
)
def test_plot_regression_rejects_mismatched_inputs(change, match):
    x_train, y_train, x_test, y_true, predictions = regression_inputs(num_panels=2)
    args = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_true": y_true, "predictions": predictions,
            "titles": ["a", "b"], "xlabel": "x", "ylabel": "y", "legend": ("data", "truth", "fit")}
    with pytest.raises(ValueError, match=match):
        plot_regression(**(args | change))


def test_plot_curves_draws_every_curve_and_marks_each_minimum():
    x = torch.tensor([0.1, 1.0, 10.0])
    curves = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 6.0]])
    fig = plot_curves(x, curves, ["a", "b"], "h", "error", title="T", logx=True, mark_min=True)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear" and ax.get_title() == "T"
    lines = ax.lines  # curve a, minimum of a, curve b, minimum of b
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_ydata(), curves[0].numpy())
    assert (lines[1].get_xdata(), lines[1].get_ydata()) == (pytest.approx(1.0), pytest.approx(1.0))
    assert (lines[3].get_xdata(), lines[3].get_ydata()) == (pytest.approx(0.1), pytest.approx(0.5))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    rendered(fig)


def test_plot_curves_without_marks_has_one_line_per_curve():
    fig = plot_curves([1, 2, 3], [[1, 2, 3], [3, 2, 1], [2, 2, 2]], ["a", "b", "c"], "x", "y")
    assert len(fig.axes[0].lines) == 3


def test_plot_curves_rejects_curves_of_another_length():
    with pytest.raises(ValueError, match="curves"):
        plot_curves([1, 2, 3], [[1, 2]], ["a"], "x", "y")
    with pytest.raises(ValueError, match="labels"):
        plot_curves([1, 2, 3], [[1, 2, 3]], ["a", "b"], "x", "y")


def test_show_labelled_heatmaps_puts_tokens_on_both_axes_of_every_head():
    weights = torch.softmax(torch.randn(1, 2, 3, 3, generator=torch.Generator().manual_seed(0)), dim=-1)
    fig = show_labelled_heatmaps(weights, TOKENS, TOKENS, "Keys", "Queries", titles=["Head 1", "Head 2"])
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in heatmaps] == ["Head 1", "Head 2"]
    assert [t.get_text() for t in heatmaps[0].get_yticklabels()] == TOKENS  # shared rows: labelled on the left
    for ax, matrix in zip(heatmaps, weights[0], strict=True):
        assert [t.get_text() for t in ax.get_xticklabels()] == TOKENS
        np.testing.assert_allclose(ax.images[0].get_array(), matrix.numpy(), atol=1e-6)
    rendered(fig)


def test_show_labelled_heatmaps_annotates_each_cell_with_its_value():
    weights = torch.tensor([[[[0.25, 0.75], [1.0, 0.0]]]])
    fig = show_labelled_heatmaps(weights, ["q1", "q2"], ["k1", "k2"], "Keys", "Queries", annotate=True)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0.00", "0.25", "0.75", "1.00"]


def test_show_labelled_heatmaps_renders_hangul_tokens():
    weights = torch.full((1, 1, 2, 2), 0.5)
    fig = show_labelled_heatmaps(weights, ["고양이", "앉았다"], ["고양이", "앉았다"], "키", "쿼리", titles=["헤드 1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" when Hangul has no font
        rendered(fig)


@pytest.mark.parametrize(("rows", "cols"), [(["a", "b"], TOKENS), (TOKENS, ["a"])])
def test_show_labelled_heatmaps_wants_one_label_per_row_and_column(rows, cols):
    with pytest.raises(ValueError, match="labels"):
        show_labelled_heatmaps(torch.zeros(1, 1, 3, 3), rows, cols, "Keys", "Queries")
