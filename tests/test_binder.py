"""Binder: binder/ installs what requirements.txt pins (torch: the CPU build); that environment runs the notebooks.

The only allowed differences between binder/requirements.txt and requirements.txt (comments and blank lines aside):
  1. binder/ starts with `--extra-index-url https://download.pytorch.org/whl/cpu` (PyTorch's CPU-only wheels);
  2. binder/ pins torch as `torch==<the same version>+cpu`;
  3. binder/ leaves out `-e .`: binder/postBuild installs this repository's package instead.
Every other line must be equal, in the same order.
"""

import difflib
import json
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from tests.harness import run

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
EDITABLE = "-e ."
TORCH = re.compile(r"^torch==(?P<version>[^+\s]+)(?P<local>\+cpu)?$")
# tests/test_nbval.py runs all ten notebooks in the project's environment; the Binder environment differs only in how
# it is installed, so two notebooks (one per edition: autograd, a widget, the tiny model, Korean figures) prove it
BINDER_NOTEBOOKS = ["en/nadaraya-watson.ipynb", "ko/transformer-qkv.ipynb"]
# repo2docker's own environment for Python 3.11, which binder/requirements.txt is installed over (its Jupyter packages,
# by their PyPI names): repo2docker/buildpacks/conda/environment.py-3.11-linux-64.lock, jupyterhub/repo2docker 808ae6b.
REPO2DOCKER_BASE = [
    "jupyterlab==4.4.9", "notebook==7.4.7", "jupyter-server==2.17.0", "jupyter-client==8.6.3", "ipykernel==7.0.1",
    "ipywidgets==8.1.7", "jupyterlab-widgets==3.0.15", "widgetsnbextension==4.0.14", "tornado==6.5.2",
    "jupyter-offlinenotebook==0.3.2", "jupyter-resource-usage==1.2.0", "jupyterhub==5.4.0",
]


def requirement_lines(path):
    """The lines pip reads from a requirements file: comments and blank lines dropped."""
    lines = (line.split(" #")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def binder_lines_from(root_lines):
    """What binder/requirements.txt must hold, given requirements.txt (see the module docstring)."""
    expected = [CPU_INDEX]
    for line in root_lines:
        if line == EDITABLE:
            continue
        match = TORCH.match(line)
        expected.append(f"torch=={match['version']}+cpu" if match else line)
    return expected


def local_lines_from(binder_lines):
    """binder/requirements.txt for this machine: no CPU index (unreachable here), torch as the plain pin."""
    local = []
    for line in binder_lines:
        if line == CPU_INDEX:
            continue
        match = TORCH.match(line)
        local.append(f"torch=={match['version']}" if match else line)
    return local


def name_of(requirement):
    """The normalised project name of a `name==version` line."""
    return re.sub(r"[-_.]+", "-", requirement.split("==")[0]).lower()


def repo2docker_lines(binder_lines, cpu_wheels):
    """What pip must make consistent when repo2docker installs binder/: binder/'s lines, its CPU index replaced by
    `--find-links cpu_wheels`, plus each package of repo2docker's environment that binder/ does not pin (pip keeps
    those as they are)."""
    pinned = {name_of(line) for line in binder_lines if "==" in line}
    lines = [f"--find-links {cpu_wheels}" if line == CPU_INDEX else line for line in binder_lines]
    return lines + [line for line in REPO2DOCKER_BASE if name_of(line) not in pinned]


def test_binder_requirements_match_requirements_txt():
    root = requirement_lines(REPO / "requirements.txt")
    assert sum(bool(TORCH.match(line)) for line in root) == 1, "requirements.txt must pin torch exactly once"
    binder = requirement_lines(BINDER / "requirements.txt")
    expected = binder_lines_from(root)
    diff = "\n".join(difflib.unified_diff(expected, binder, "expected (from requirements.txt)", "binder/", lineterm=""))
    assert binder == expected, f"binder/requirements.txt drifted from requirements.txt:\n{diff}\nfix: run `make lock`"


def test_runtime_txt_names_the_python_that_pyproject_requires():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-3.<minor>, got {runtime!r}"
    requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    allowed = {minor for minor in range(30) if SpecifierSet(requires).contains(f"3.{minor}.0")}
    assert int(match[1]) in allowed, f"requires-python {requires!r} allows 3.{sorted(allowed)}, runtime.txt {runtime}"
    assert {11, 12, 13} <= allowed, f"requires-python {requires!r} must allow the Pythons learners have, 3.11 to 3.13"


def test_postbuild_is_an_executable_script():
    post_build = BINDER / "postBuild"
    assert post_build.read_text(encoding="utf-8").startswith("#!"), "binder/postBuild needs a shebang line"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (chmod +x)"


def colab_prefix(config):
    """The start of an "Open in Colab" address of this repository's files: Colab's GitHub scheme over _config.yml."""
    repository = config["repository"]
    path = repository["url"].rstrip("/").removeprefix("https://github.com/")
    book = repository.get("path_to_book", "").strip("/")
    return f"{config['launch_buttons']['colab_url'].rstrip('/')}/github/{path}/blob/{repository['branch']}/" + (
        f"{book}/" if book else "")


def test_every_notebook_page_offers_colab_and_binder(built_site):
    """Each notebook page's launch menu opens that notebook in Colab and in Binder, at the configured repository."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    binder = (f"{config['launch_buttons']['binderhub_url'].rstrip('/')}/v2/gh/"
              f"{repository['url'].removeprefix('https://github.com/')}/{repository['branch']}?urlpath=")
    notebooks = sorted(path.relative_to(REPO) for path in (REPO / "notebooks").glob("*/*.ipynb"))
    assert notebooks, "no notebook under notebooks/"
    missing = []
    for notebook in notebooks:
        html = (built_site / notebook.with_suffix(".html")).read_text(encoding="utf-8")
        links = set(re.findall(r'href="([^"]+)"', html))
        colab = colab_prefix(config) + notebook.as_posix()
        if colab not in links:
            missing.append(f"{notebook}: no Colab link {colab}")
        if not any(link.startswith(binder) and link.endswith(notebook.as_posix()) for link in links):
            missing.append(f"{notebook}: no Binder link {binder}…{notebook}")
    assert not missing, "\n".join(missing)


def test_readme_links_use_the_configured_repository():
    """_config.yml's repository (and launch_buttons) is the one place that names the repository; pages follow it."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    repository, hub = config["repository"], config["launch_buttons"]["binderhub_url"].rstrip("/")
    url = repository["url"].rstrip("/")
    prefix = f"{hub}/v2/gh/{url.removeprefix('https://github.com/')}/{repository.get('branch', 'main')}"
    pages = [REPO / "README.md", REPO / "intro.md", *sorted((REPO / "chapters").rglob("*.md"))]
    texts = {page.relative_to(REPO): page.read_text(encoding="utf-8") for page in pages if page.exists()}
    any_hub = r"https://[^\s/]*binder[^\s/]*/v2/[^\s)\"'>\]]+"  # a launch link to any BinderHub
    binder = {page: re.findall(any_hub, text) for page, text in texts.items()}
    clones = {page: re.findall(r"git clone (\S+)", text) for page, text in texts.items()}
    wrong = [link for links in binder.values() for link in links if not re.match(rf"{re.escape(prefix)}(\?|/|$)", link)]
    wrong += [link for links in clones.values() for link in links if link.removesuffix(".git") != url]
    installs = {page: re.findall(r"git\+(https://[^\s@`]+)", text) for page, text in texts.items()}
    wrong += [link for links in installs.values() for link in links if link != url]
    colab = colab_prefix(config)
    any_colab = r"https://colab\.research\.google\.com/[^\s)\"'>\]]+"
    colabs = {page: re.findall(any_colab, text) for page, text in texts.items()}
    wrong += [link for links in colabs.values() for link in links
              if not link.startswith(colab) or not (REPO / link.removeprefix(colab)).is_file()]
    assert not wrong, f"links that do not follow _config.yml ({prefix}, {url}): {wrong}"
    if not binder.get(Path("README.md")):
        pytest.skip("README.md has no Binder badge yet")


@pytest.mark.slow
def test_binder_environment_runs_the_notebooks(tmp_path):
    """A fresh venv from binder/ (torch first, as the plain pin) plus postBuild runs two notebooks under nbval."""
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        "PYTHONNOUSERSITE": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    local = local_lines_from(requirement_lines(BINDER / "requirements.txt"))
    (tmp_path / "requirements.txt").write_text("\n".join(local) + "\n", encoding="utf-8")
    torch_pin = next(line for line in local if TORCH.match(line))
    timings = {}
    try:
        _, timings["venv"] = run([sys.executable, "-m", "venv", venv])
        pip_install = [python, "-m", "pip", "install", "-q", "--no-compile"]  # byte-compiling torch takes long
        _, timings["torch"] = run([*pip_install, torch_pin], env=env)
        _, timings["requirements"] = run([*pip_install, "-r", tmp_path / "requirements.txt"], env=env)
        _, timings["postBuild"] = run([BINDER / "postBuild"], env=env, cwd=tmp_path)  # must not rely on its cwd

        for installed in ("share/jupyter/lab/settings/overrides.json",
                          "etc/jupyter/jupyter_server_config.d/qkv-binder.json"):
            assert (venv / installed).is_file(), f"binder/postBuild did not install {installed}"
        run([python, "-m", "pip", "check"], env=env)
        listed, _ = run([python, "-m", "pip", "list", "--format=json"], env=env)
        names = {package["name"].lower(): package["version"] for package in json.loads(listed.stdout)}
        assert not [name for name in names if name.startswith("nvidia-") or name == "triton"], "CUDA packages came in"
        assert names["torch"].split("+")[0] == TORCH.match(torch_pin)["version"]
        # cwd is not the repository, so this import finds `utils` only through postBuild's install
        probe = "import utils, torch; print(utils.__file__); print(torch.cuda.is_available())"
        imported, _ = run([python, "-c", probe], env=env, cwd=tmp_path)
        assert imported.stdout.split() == [str(REPO / "utils" / "__init__.py"), "False"]

        notebooks = [Path("notebooks") / name for name in BINDER_NOTEBOOKS]
        assert all((REPO / nb).is_file() for nb in notebooks), f"BINDER_NOTEBOOKS names a missing notebook: {notebooks}"
        nbval = [python, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-q", *notebooks]
        checked, timings["nbval"] = run(nbval, env=env, cwd=REPO)
        assert re.search(r"\d+ passed", checked.stdout) and " failed" not in checked.stdout, checked.stdout[-2000:]
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # about 1.5 GB
        print("binder environment timings (s):", {step: round(seconds) for step, seconds in timings.items()})


def test_binder_jupyter_settings_are_real_settings():
    """binder/overrides.json sets real JupyterLab settings, binder/jupyter_server_config.json real server options."""
    from jupyter_server.serverapp import ServerApp

    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, settings in json.loads((BINDER / "overrides.json").read_text(encoding="utf-8")).items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text(encoding="utf-8"))
        for key, value in settings.items():
            assert key in schema["properties"], f"overrides.json: {plugin} has no setting {key!r}"
            expected = schema["properties"][key]["type"]
            assert type(value).__name__ == {"boolean": "bool", "integer": "int"}.get(expected, expected), (
                f"overrides.json: {plugin} {key} must be a {expected}, got {value!r}")
    classes = {cls.__name__: cls for cls in ServerApp().classes}
    for section, options in json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8")).items():
        assert section in classes, f"jupyter_server_config.json: the server has no configurable {section!r}"
        traits = classes[section].class_traits(config=True)
        for key, value in options.items():
            assert key in traits, f"jupyter_server_config.json: {section} has no option {key!r}"
            traits[key].validate(None, value)  # raises TraitError for a value of the wrong type


@pytest.mark.slow
def test_binder_requirements_resolve_over_repo2docker_environment(tmp_path):
    """binder/requirements.txt, its exact `torch==X+cpu` line included, resolves as pip resolves it in repo2docker:
    over repo2docker's JupyterLab and notebook, with a local folder holding PyTorch's CPU wheel as the CPU index."""
    binder = requirement_lines(BINDER / "requirements.txt")
    torch_pin = next(line for line in binder if TORCH.match(line))
    assert TORCH.match(torch_pin)["local"], f"binder/ must pin the CPU build, got {torch_pin!r}"
    wheel_name = f"{torch_pin.replace('==', '-')}-cp{sys.version_info[0]}{sys.version_info[1]}-"
    folders = os.environ.get("PIP_FIND_LINKS", "/opt/wheels").split()
    wheels = [wheel for folder in folders for wheel in Path(folder).glob(f"{wheel_name}*.whl")]
    if not wheels:
        pytest.skip(f"no local {wheel_name}*.whl (PyTorch's CPU index is unreachable here) in {folders}")
    cpu = tmp_path / "cpu"
    cpu.mkdir()
    (cpu / wheels[0].name).symlink_to(wheels[0])
    (tmp_path / "requirements.txt").write_text("\n".join(repo2docker_lines(binder, cpu)) + "\n", encoding="utf-8")
    # the CPU folder replaces any local wheel folder of this machine's pip configuration (its indexes stay)
    env = os.environ | {"PIP_FIND_LINKS": str(cpu)}
    report = tmp_path / "report.json"
    run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-qq", "--report", report,
         "-r", tmp_path / "requirements.txt"], env=env)
    chosen = {name_of(item["metadata"]["name"]): item["metadata"]["version"]
              for item in json.loads(report.read_text(encoding="utf-8"))["install"]}
    wrong = [line for line in binder if "==" in line and chosen.get(name_of(line)) != line.split("==")[1]]
    assert not wrong, f"pip did not take these pins of binder/requirements.txt: {wrong}"
    assert not [name for name in chosen if name.startswith("nvidia-") or name == "triton"], "CUDA packages came in"
