"""A notebook stands on its own: downloaded from the site, it runs where torch is installed but this repository is not.

Its first code cell (the set-up cell, tools/first_cell.py) installs the package from the repository that _config.yml
names. The slow test serves a git repository of this working tree's package on 127.0.0.1 in that address's place
(git's `url.<base>.insteadOf`, given to the kernel in its environment), so the notebook runs exactly as downloaded.
Its virtual environment (torch and ipykernel, as pinned in requirements.txt) is kept under _build/ between runs,
keyed by those pins and the Python version; each test first uninstalls the package from it.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tests.harness import run, serving
from tools import first_cell

REPO = Path(__file__).resolve().parents[1]
# pages, without .html: one is enough, since every notebook starts with the same set-up cell (the test above checks
# it); this one is Korean, draws figures with Hangul and shows a widget
DOWNLOADED = ["notebooks/ko/nadaraya-watson"]
PACKAGE_FILES = ["pyproject.toml", "README.md", "utils"]  # what `pip install` of the repository reads
DISTRIBUTION = "qkv-utils"


def test_every_english_notebook_starts_with_the_set_up_cell():
    """The Korean twins get the same cell through tools/notebook_twin.py (checked by test_parity)."""
    paths = sorted((REPO / "notebooks" / "en").glob("*.ipynb"))
    assert paths, "no notebook under notebooks/en"
    found = [f"{path.name}: {problem}" for path in paths for problem in first_cell.problems(path)]
    assert not found, "run tools/first_cell.py:\n" + "\n".join(found)


def test_set_up_cell_installs_from_the_configured_repository(tmp_path):
    """The package source comes from _config.yml, and from nowhere else."""
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/someone/book/\n  branch: dev\n", encoding="utf-8")
    assert first_cell.package_source(config) == "git+https://example.org/someone/book@dev"
    assert f'PACKAGE = "{first_cell.package_source()}"' in first_cell.cell_source()


class DownloadLinks(HTMLParser):
    """The site-relative .ipynb links of a page (its download button's target)."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.endswith(".ipynb") and "://" not in href:  # not the launch buttons
            self.links.append(href)


def downloaded_notebook(html, page):
    """The notebook the built page `page` offers for download, read from the built site."""
    parser = DownloadLinks()
    parser.feed((html / f"{page}.html").read_text(encoding="utf-8"))
    assert parser.links, f"{page}.html offers no .ipynb download"
    target = urljoin(f"http://site/{page}.html", parser.links[0]).removeprefix("http://site/")
    assert (html / target).is_file(), f"{page}.html offers {parser.links[0]}, which the site does not hold"
    return nbformat.read(html / target, as_version=4)


def pins(*names):
    """The `name==version` lines of requirements.txt for `names`."""
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    found = [line for line in lines if re.sub(r"==.*", "", line).lower() in names]
    assert len(found) == len(names), f"requirements.txt must pin {names}, found {found}"
    return found


@pytest.fixture(scope="module")
def learner_python():
    """A virtual environment with torch and ipykernel only, cached under _build/; returns its python."""
    requirements = pins("torch", "ipykernel")
    key = hashlib.sha256(json.dumps([sys.version, requirements]).encode()).hexdigest()[:12]
    venv = REPO / "_build" / f"learner-venv-{key}"
    python = venv / "bin" / "python"
    if not (venv / "ready").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        run([sys.executable, "-m", "venv", venv])
        run([python, "-m", "pip", "install", "-q", "--no-compile", *requirements])  # torch first: its CPU build
        (venv / "ready").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return python


def uninstall_package(python):
    """Take this repository's package out of the learner's environment (a run before this one installed it)."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # this repository is not on its path
    run([python, "-m", "pip", "uninstall", "-q", "-y", DISTRIBUTION], env=clean)  # a no-op (warning) when absent
    probe = subprocess.run([python, "-c", "import utils"], env=clean, cwd=python.parent, capture_output=True)
    assert probe.returncode != 0, "the learner's environment still imports utils after the uninstall"


@pytest.fixture(scope="module")
def package_server(tmp_path_factory):
    """(served git URL, server) of a one-commit repository holding this working tree's package."""
    tmp = tmp_path_factory.mktemp("package")
    work, served = tmp / "work", tmp / "served" / "repository.git"
    work.mkdir()
    for name in PACKAGE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    branch = first_cell.package_source().rsplit("@", 1)[1]
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", "-c", "init.defaultBranch=main"]
    run([*git, "init", "-q", "-b", branch], cwd=work)
    run([*git, "add", "."], cwd=work)
    run([*git, "commit", "-q", "-m", "the package"], cwd=work)
    run(["git", "clone", "-q", "--bare", work, served])
    run(["git", "update-server-info"], cwd=served)  # git's "dumb" HTTP protocol: static files suffice
    with serving(served.parent) as (url, server):
        yield url + served.name, server


@pytest.mark.slow
@pytest.mark.parametrize("page", DOWNLOADED)
def test_downloaded_notebook_runs_without_this_repository(built_site, learner_python, package_server, page, tmp_path):
    notebook = downloaded_notebook(built_site, page)
    uninstall_package(learner_python)
    served, _ = package_server
    repository = first_cell.package_source().removeprefix("git+").rsplit("@", 1)[0]
    kernels = tmp_path / "kernels"
    (kernels / "learner").mkdir(parents=True)
    spec = {
        "argv": [str(learner_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "learner", "language": "python",
        "env": {  # no PYTHONPATH to this repository; the configured address fetches from 127.0.0.1
            "PYTHONPATH": "", "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.{served}.insteadOf", "GIT_CONFIG_VALUE_0": repository,
        },
    }  # fmt: skip
    (kernels / "learner" / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    manager = KernelManager(kernel_name="learner", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    client = NotebookClient(notebook, km=manager, timeout=900, resources={"metadata": {"path": str(tmp_path)}})
    notebook = client.execute()  # raises CellExecutionError at the first cell that fails

    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    printed = "".join(output.get("text", "") for output in setup.outputs if output.output_type == "stream")
    assert first_cell.package_source() in printed, f"the set-up cell did not report an install: {printed!r}"
    probe = "import utils; print(utils.__file__)"
    where = run([learner_python, "-c", probe], cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})[0].stdout
    site_packages = learner_python.parents[1] / "lib"
    assert Path(where.strip()).is_relative_to(site_packages), f"utils came from {where}, not from the install"
