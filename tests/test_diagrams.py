"""Tests of the diagrams of `utils.plotting` for the Transformer section: what they show, and that it fits a phone."""

import re

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from utils import plotting

QKV_LABELS = {"input_label": "input, one row per token", "projection_label": "learned projections",
              "output_labels": ["queries", "keys", "values"]}


def multi_head(num_heads, lang="en"):
    title = "Head {}" if lang == "en" else "헤드 {}"
    words = (["input", "each head: d/H columns", "concatenation", "output"] if lang == "en"
             else ["입력", "헤드마다 열 d/H개", "이어 붙이기", "출력"])
    return plotting.plot_multi_head([title.format(j + 1) for j in range(num_heads)], *words)


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def patches(fig, gid):
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


def test_projection_diagram_shows_each_matrix_with_its_shape():
    fig = plotting.plot_qkv_projections(**QKV_LABELS)
    shown = texts(fig)
    for label in [QKV_LABELS["input_label"], QKV_LABELS["projection_label"], *QKV_LABELS["output_labels"]]:
        assert shown.count(label) == 1, label
    # X (n×d) times each W (d×d_k) gives Q, K or V (n×d_k)
    for name in ["X", "W}_q", "W}_k", "W}_v", "Q", "K", "V"]:
        assert sum(t.startswith("$\\mathbf{" + name) for t in shown) == 1, name
    assert sorted(t for t in shown if "times" in t) == sorted([r"$n \times d$"] + [r"$d \times d_k$"] * 3
                                                              + [r"$n \times d_k$"] * 3)
    assert len(patches(fig, "matrix")) == 7


@pytest.mark.parametrize("num_heads", [1, 2, 4, 8])
def test_multi_head_diagram_has_one_softmax_and_one_block_per_head_in_order(num_heads):
    fig = multi_head(num_heads)
    shown = texts(fig)
    assert [t for t in shown if t.startswith("Head")] == [f"Head {j + 1}" for j in range(num_heads)]
    softmaxes = [t for t in shown if "softmax" in t]
    assert len(softmaxes) == num_heads and all(f"V}}_{j + 1}" in t for j, t in enumerate(softmaxes))
    heads, blocks = patches(fig, "head"), patches(fig, "block")
    assert len(heads) == len(blocks) == num_heads
    # head 1 on top, and the concatenation stacks the heads' blocks in the same order, touching
    assert [h.get_y() for h in heads] == sorted((h.get_y() for h in heads), reverse=True)
    tops = [b.get_y() + b.get_height() for b in blocks]
    assert tops[1:] == pytest.approx([b.get_y() for b in blocks[:-1]])
    for head, block in zip(heads, blocks, strict=True):
        assert head.get_edgecolor()[:3] == pytest.approx(block.get_edgecolor()[:3])  # a head's colour is its block's
    for word in ["input", "concatenation", "output", r"$\mathbf{W}_o$"]:
        assert shown.count(word) == 1, word


@pytest.mark.parametrize("make", [lambda: plotting.plot_qkv_projections(**QKV_LABELS),
                                  lambda: multi_head(4), lambda: multi_head(8, lang="ko")],
                         ids=["projections", "four-heads", "eight-heads-ko"])
def test_diagrams_fit_a_phone_no_text_clipped_or_too_small(make):
    fig = make()
    width, height = fig.get_size_inches()
    assert width <= 6.5 and height <= 4.5  # shown at full width on a phone, about half its size
    FigureCanvasAgg(fig).draw()  # lays the figure out as when it is saved
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    for text in fig.axes[0].texts:
        if not text.get_text():
            continue
        assert text.get_fontsize() >= 9, text.get_text()
        box = text.get_window_extent(renderer)
        inside = (box.x0 >= canvas.x0 and box.y0 >= canvas.y0 and box.x1 <= canvas.x1 and box.y1 <= canvas.y1)
        assert inside, f"{text.get_text()!r} at {box} is outside the canvas {canvas}"


def test_diagram_arguments_are_named():
    with pytest.raises(ValueError, match=re.escape("output_labels must have one entry per projection")):
        plotting.plot_qkv_projections("x", "w", ["queries", "keys"])
    for titles in [[], [f"h{j}" for j in range(9)]]:
        with pytest.raises(ValueError, match=rf"head_titles must have 1 to 8 entries .*got {len(titles)}"):
            plotting.plot_multi_head(titles, "input", "split", "concatenation", "output")
