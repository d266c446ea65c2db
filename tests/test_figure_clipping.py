"""No figure text is cut off at the edge of its image: every figure the notebooks store (both editions), and the
chapter's heatmap layouts drawn with English and Hangul labels.

A figure leaves a margin round its content, so a clipped title, label or tick shows as ink on the outermost pixels.
"""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import utils
from utils import plotting

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
INK = 60  # a pixel is ink when its R+G+B is this far from white (anti-aliasing of a white margin stays below)


def edges_with_ink(png):
    """The sides ('top', 'bottom', 'left', 'right') of PNG bytes `png` whose outermost pixel row or column has ink."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    ink = np.abs(pixels - 255).sum(-1) > INK  # (height, width)
    sides = {"top": ink[0], "bottom": ink[-1], "left": ink[:, 0], "right": ink[:, -1]}
    return [side for side, line in sides.items() if line.any()]


def stored_figures(path):
    """(cell index, PNG bytes) of every figure stored in the notebook at `path`."""
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                yield index, base64.b64decode("".join(png) if isinstance(png, list) else png)


def test_the_edge_check_sees_text_cut_off():
    """Control: text placed across the top edge of a plain matplotlib figure is found, and a margin is not."""
    fig = plotting.Figure(figsize=(3, 2))
    fig.text(0.5, 1.0, "Queries", ha="center", va="center", fontsize=14)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)  # matplotlib's own saving: the canvas as it is
    assert edges_with_ink(buffer.getvalue()) == ["top"]
    assert edges_with_ink(plotting.Figure(figsize=(3, 2))._repr_png_()) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS])
def test_no_stored_figure_is_cut_off(path):
    problems = [f"cell {index}: ink on the {', '.join(sides)} edge"
                for index, png in stored_figures(path) for sides in [edges_with_ink(png)] if sides]
    assert not problems, (f"{path.relative_to(ROOT)} stores figures whose text is cut off:\n" + "\n".join(problems)
                          + f"\nfix: run `make notebooks NAME={path.stem}`")


_PATTERNS = torch.stack([torch.eye(6), torch.eye(6).roll(1, dims=1), torch.eye(6).flip(1), torch.full((6, 6), 1 / 6)])
_ROW = _PATTERNS.reshape(1, 4, 6, 6)
_TITLES = {"en": ["own key", "next key", "mirror key", "uniform"], "ko": ["자기 키", "다음 키", "거울 키", "균등"]}
_AXES = {"en": ("Keys", "Queries"), "ko": ("키", "쿼리")}


def heatmap_layout(layout, lang):
    """One of the chapter's heatmap layouts, labelled in `lang`."""
    axes, titles = _AXES[lang], _TITLES[lang]
    if layout == "one panel":
        return utils.show_heatmaps(torch.eye(10)[None, None], *axes)
    if layout == "2 x 2 grid":
        return utils.show_heatmaps(_PATTERNS.reshape(2, 2, 6, 6), *axes)
    if layout == "row":
        return utils.show_heatmaps(_ROW, *axes)
    if layout == "row with titles":
        return utils.show_heatmaps(_ROW, *axes, titles=titles)
    if layout == "small row with titles":
        return utils.show_heatmaps(_ROW, *axes, titles=titles, figsize=(1.5, 1.5))
    tokens = titles[:3] * 2  # "labelled heads": two heads with token labels and every value written
    return plotting.show_labelled_heatmaps(_PATTERNS[None, :2], tokens, tokens, *axes, titles=titles[:2], annotate=True)


# every layout in English, the titled ones in Korean too (every figure function's example, with Korean labels, is
# checked the same way in tests/test_plotting.py)
CASES = [("one panel", "en"), ("2 x 2 grid", "en"), ("row", "en"), ("row with titles", "en"),
         ("small row with titles", "en"), ("labelled heads", "en"), ("row with titles", "ko"), ("labelled heads", "ko")]


@pytest.mark.slow  # eight figures drawn, about a second each (make quick keeps the control and the examples' check)
@pytest.mark.parametrize(("layout", "lang"), CASES)
def test_heatmaps_leave_every_text_inside_the_image(layout, lang):
    fig = heatmap_layout(layout, lang)
    png = fig._repr_png_()
    width, height = Image.open(io.BytesIO(png)).size
    canvas_width, canvas_height = (round(100 * s) for s in fig.get_size_inches())
    assert width >= canvas_width and height >= canvas_height, "the image lost part of the canvas"
    assert edges_with_ink(png) == [], f"text or marks cut off at the {edges_with_ink(png)} edge"
