"""Tests of the figures of "Queries, keys and values": the mechanism diagram, pooling regions and bar charts."""

import math

import matplotlib.figure
import numpy as np
import pytest
import torch
from matplotlib.patches import Polygon, Rectangle

from tests.harness import rendered
from utils.plotting import cone_angles, convex_hull, plot_attention_mechanism, plot_bars, plot_pooling_outputs

VALUES = torch.tensor([[3.0, 0.5], [2.5, 2.5], [0.5, 2.0], [2.0, 1.5]])  # the last one lies inside the triangle
MECHANISM_LABELS = ("Query", "Keys", "Attention weights", "Values", "Attention pooling", "Output")


def texts(fig):
    return {t.get_text() for ax in fig.axes for t in ax.texts}


# --- geometry ---------------------------------------------------------------------------------------------------------

def test_convex_hull_keeps_only_the_corners_counter_clockwise():
    square = [[0, 0], [2, 0], [2, 2], [0, 2], [1, 1], [1, 0], [2, 2]]  # interior, edge midpoint and duplicate
    assert convex_hull(square) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]


def test_convex_hull_of_the_chapter_values_is_the_triangle_around_v4():
    assert convex_hull(VALUES) == [(0.5, 2.0), (3.0, 0.5), (2.5, 2.5)]


@pytest.mark.parametrize(("vectors", "expected"), [
    ([[1, 0], [0, 1], [1, 1]], (0.0, math.pi / 2)),
    ([[0, 1], [1, 0]], (0.0, math.pi / 2)),  # order does not matter
    ([[-1, 0.1], [-1, -0.1]], (math.pi - math.atan(0.1), 2 * math.atan(0.1))),  # across the ±π cut
    ([[2, 2]], (math.pi / 4, 0.0)),  # one vector: a ray
    ([[1, 0], [0, 1], [-1, 0]], (0.0, math.pi)),  # a half-plane
])
def test_cone_angles(vectors, expected):
    assert cone_angles(vectors) == pytest.approx(expected)


def test_cone_angles_is_none_when_the_vectors_span_the_plane():
    assert cone_angles([[1, 0], [-1, 1], [-1, -1]]) is None


# --- plot_pooling_outputs ---------------------------------------------------------------------------------------------

def test_pooling_outputs_shades_the_hull_and_draws_every_output():
    outputs = torch.softmax(torch.randn(20, 4, generator=torch.Generator().manual_seed(0)), -1) @ VALUES
    fig = plot_pooling_outputs(VALUES, outputs, "hull", "Weights sum to 1", "Values", "Outputs", "Convex hull")
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "Weights sum to 1"
    np.testing.assert_allclose(ax.collections[0].get_offsets(), outputs.numpy(), rtol=1e-6)
    (region,) = [p for p in ax.patches if isinstance(p, Polygon)]
    corners = region.get_xy()[:-1]  # matplotlib closes the polygon by repeating the first vertex
    np.testing.assert_allclose(corners, np.array(convex_hull(VALUES)))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Convex hull", "Values", "Outputs"]
    assert {rf"$\mathbf{{v}}_{{{i}}}$" for i in range(1, 5)} <= texts(fig)
    rendered(fig)


def test_pooling_outputs_shades_the_cone_between_the_extreme_values():
    fig = plot_pooling_outputs(VALUES, VALUES.sum(0, keepdim=True), "cone", "t", "v", "o", "cone")
    (fan,) = [p for p in fig.axes[0].patches if isinstance(p, Polygon)]
    xy = fan.get_xy()
    np.testing.assert_allclose(xy[0], [0.0, 0.0])
    angles = np.arctan2(xy[1:-1, 1], xy[1:-1, 0])
    np.testing.assert_allclose([angles.min(), angles.max()], [math.atan2(0.5, 3.0), math.atan2(2.0, 0.5)], rtol=1e-5)


def test_pooling_outputs_without_region_has_no_shading_and_korean_labels_render():
    fig = plot_pooling_outputs(VALUES, VALUES, None, "원-핫 가중치", "값", "출력")
    assert not [p for p in fig.axes[0].patches if isinstance(p, Polygon)]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["값", "출력"]
    rendered(fig)  # a missing Hangul glyph is a matplotlib UserWarning, which pyproject.toml turns into an error


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"values": torch.ones(3, 3)}, "values must have shape"),
    ({"outputs": torch.ones(2)}, "outputs must have at least 2 axes"),
    ({"region": "circle"}, "region must be one of"),
    ({"region_label": None}, "region_label"),
])
def test_pooling_outputs_rejects_bad_arguments(kwargs, message):
    arguments = {"values": VALUES, "outputs": VALUES, "region": "hull", "title": "t", "value_label": "v",
                 "output_label": "o", "region_label": "hull"} | kwargs
    with pytest.raises(ValueError, match=message):
        plot_pooling_outputs(**arguments)


# --- plot_bars --------------------------------------------------------------------------------------------------------

def test_bars_draw_one_panel_per_series_with_values_written_next_to_the_bars():
    names = ["Zhang", "Lipton", "Li"]
    scores, weights = torch.tensor([-0.5, 0.25, 1.0]), torch.tensor([0.1, 0.3, 0.6])
    fig = plot_bars(names, [scores, weights], ["Score", "Weight"], "Key")
    assert [ax.get_title() for ax in fig.axes] == ["Score", "Weight"]
    for ax, series in zip(fig.axes, (scores, weights), strict=True):
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        np.testing.assert_allclose([b.get_width() for b in bars], series.numpy())
        assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in series.tolist()]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == names
    assert fig.axes[0].get_ylabel() == "Key"
    rendered(fig)


def test_bars_reject_a_series_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"bars\[1\] and categories"):
        plot_bars(["a", "b"], [torch.ones(2), torch.ones(3)], ["x", "y"], "k")
    with pytest.raises(ValueError, match="bars and titles"):
        plot_bars(["a", "b"], [torch.ones(2)], ["x", "y"], "k")


# --- plot_attention_mechanism -----------------------------------------------------------------------------------------

def test_mechanism_bars_and_lines_grow_with_the_weights():
    weights = torch.tensor([0.1, 0.6, 0.05, 0.25])
    fig = plot_attention_mechanism(weights, *MECHANISM_LABELS)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches if p.get_gid() == "weight"]  # bars drawn to scale
    np.testing.assert_allclose(np.array(widths) / widths[1], (weights / weights[1]).numpy(), rtol=1e-6)
    line_widths = [line.get_linewidth() for line in ax.lines if line.get_gid() == "pooling"]  # value -> sum
    assert len(line_widths) == 4 and np.argsort(line_widths).tolist() == weights.argsort().tolist()
    assert set(MECHANISM_LABELS) <= texts(fig)
    assert {rf"$\alpha_{{{i}}} = {w:.2f}$" for i, w in enumerate(weights.tolist(), start=1)} <= texts(fig)
    rendered(fig)


def test_mechanism_rejects_negative_weights():
    with pytest.raises(ValueError, match="weights must be non-empty and >= 0"):
        plot_attention_mechanism([0.5, -0.1], *MECHANISM_LABELS)
