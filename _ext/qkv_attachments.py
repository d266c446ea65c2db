"""Figures whose image is a notebook cell attachment (`attachment:NAME.png`) on the site, as in JupyterLab.

The notebooks' figures are markdown `{figure}` cells whose image is an attachment of that cell (copied from the code
cell above it by tools/notebook_twin.py), so that JupyterLab numbers them and resolves `{numref}` to them. myst-nb
1.4 leaves `attachment:` URIs alone, and Sphinx would look for a file of that name. Before Sphinx collects a page's
images, this extension writes each attachment the page uses to `<doctree dir>/attachments/<page>/NAME` and points
the image at it; Sphinx then copies it to `_images/` like any figure (lazy loading included, _ext/qkv_head.py).
The figure sits in a `cell_output` container, as a figure in a code cell's output does (assets/qkv-a11y.css).
An attachment the notebook does not have is a build warning, an error under `-W`.
"""

import base64
import os
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

PREFIX = "attachment:"
logger = logging.getLogger(__name__)


def notebook_attachments(path: Path) -> dict:
    """{name: {mime type: base64 data}} of every markdown cell attachment of the notebook at `path`."""
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        found.update(cell.get("attachments", {}) if cell.cell_type == "markdown" else {})
    return found


def write_attachments(app: Sphinx, doctree: nodes.document) -> None:
    """Point each `attachment:` image of the page at a file holding that attachment's bytes."""
    images = [node for node in doctree.findall(nodes.image) if node["uri"].startswith(PREFIX)]
    if not images:
        return
    docname = app.env.docname
    source = Path(app.env.doc2path(docname))
    attachments = notebook_attachments(source) if source.suffix == ".ipynb" else {}
    folder = Path(app.doctreedir) / "attachments" / docname
    for node in images:
        name = node["uri"].removeprefix(PREFIX)
        data = next(iter(attachments.get(name, {}).values()), None)
        if data is None:
            logger.warning(f"{node['uri']}: the notebook has no attachment {name!r} (run `make notebooks`)",
                           location=node)
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = base64.b64decode(data)
        if not path.exists() or path.read_bytes() != raw:
            path.write_bytes(raw)
        node["uri"] = "/" + Path(os.path.relpath(path, app.srcdir)).as_posix()  # "/": from the source folder
        figure = node.parent
        if isinstance(figure, nodes.figure) and "cell_output" not in figure.parent.get("classes", []):
            output = nodes.container(classes=["cell_output"])  # a drawn output, as myst-nb wraps one (dark-mode card)
            figure.parent.replace(figure, output)  # not replace_self, which copies the ids
            output += figure


def setup(app: Sphinx) -> dict:
    """Runs before Sphinx's image collector (doctree-read, priority 500)."""
    app.connect("doctree-read", write_attachments, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
