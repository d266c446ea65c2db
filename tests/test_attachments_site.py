"""The site shows each figure whose image is a notebook cell attachment as it showed a drawn output: the attached
PNG, byte for byte, with its number, caption, alt text, lazy loading and the dark-mode card (_ext/qkv_attachments.py;
slow: reads the built site)."""

import base64
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from tools.notebook_twin import attached_figures

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path for path in (ROOT / "notebooks").glob("*/*.ipynb")
                   if attached_figures(nbformat.read(path, as_version=4)))


def test_some_notebooks_have_attached_figures():
    assert len(NOTEBOOKS) >= 4, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_attached_figures_appear_on_the_site_as_attached(built_site, path):
    page = built_site / path.relative_to(ROOT).with_suffix(".html")
    html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for cell, name, _ in attached_figures(nbformat.read(path, as_version=4)):
        label = re.search(r"^:name:\s*(\S+)", cell.source, re.M)[1]
        figure = html.find("figure", id=label)
        assert figure is not None, f"{page.name}: no figure {label}"
        image = figure.find("img")
        assert (page.parent / image["src"]).read_bytes() == base64.b64decode(cell.attachments[name]["image/png"]), label
        assert image["alt"] == re.search(r"^:alt:\s*(.*)$", cell.source, re.M)[1].strip(), label
        assert image.get("loading") == "lazy" and "cell_output" in figure.parent.get("class", []), label
        assert re.fullmatch(r"(Fig\.|그림) \d+", figure.select_one(".caption-number").get_text().strip()), label
        assert figure.select_one(".caption-text").get_text().strip(), label
