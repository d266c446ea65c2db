"""Binder: binder/ installs what requirements.txt pins (torch: the CPU build); that environment runs every notebook.

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
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
EDITABLE = "-e ."
TORCH = re.compile(r"^torch==(?P<version>[^+\s]+)(?P<local>\+cpu)?$")


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
    assert allowed == {int(match[1])}, f"requires-python {requires!r} allows 3.{sorted(allowed)}, runtime.txt {runtime}"


def test_postbuild_is_an_executable_script():
    post_build = BINDER / "postBuild"
    assert post_build.read_text(encoding="utf-8").startswith("#!"), "binder/postBuild needs a shebang line"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (chmod +x)"


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
    assert not wrong, f"links that do not follow _config.yml ({prefix}, {url}): {wrong}"
    if not binder.get(Path("README.md")):
        pytest.skip("README.md has no Binder badge yet")


def run(args, **kwargs):
    """Run a command, and fail with its output (the last 6000 characters) when it fails."""
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    output = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{output}"
    return done, time.monotonic() - started


@pytest.mark.slow
def test_binder_environment_runs_every_notebook(tmp_path):
    """A fresh venv from binder/ (torch first, as the plain pin) plus postBuild runs every notebook under nbval."""
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

        run([python, "-m", "pip", "check"], env=env)
        listed, _ = run([python, "-m", "pip", "list", "--format=json"], env=env)
        names = {package["name"].lower(): package["version"] for package in json.loads(listed.stdout)}
        assert not [name for name in names if name.startswith("nvidia-") or name == "triton"], "CUDA packages came in"
        assert names["torch"].split("+")[0] == TORCH.match(torch_pin)["version"]
        # cwd is not the repository, so this import finds `utils` only through postBuild's install
        probe = "import utils, torch; print(utils.__file__); print(torch.cuda.is_available())"
        imported, _ = run([python, "-c", probe], env=env, cwd=tmp_path)
        assert imported.stdout.split() == [str(REPO / "utils" / "__init__.py"), "False"]

        notebooks = [nb.relative_to(REPO) for nb in sorted((REPO / "notebooks").rglob("*.ipynb"))]
        notebooks = [nb for nb in notebooks if ".ipynb_checkpoints" not in nb.parts]
        assert notebooks, "no notebook under notebooks/"
        nbval = [python, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-q", *notebooks]
        checked, timings["nbval"] = run(nbval, env=env, cwd=REPO)
        assert re.search(r"\d+ passed", checked.stdout) and " failed" not in checked.stdout, checked.stdout[-2000:]
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # about 1.5 GB
        print("binder environment timings (s):", {step: round(seconds) for step, seconds in timings.items()})
