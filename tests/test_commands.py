"""The make targets: each works after any other, leaves nothing git would show, and takes the right torch.

- The leftovers of the other commands (pytest, hypothesis and ruff caches, JupyterLab checkpoints) do not break the
  strict book build, and `git status` stays clean (slow: one book build in a copy of the checkout).
- `make lab` starts for root, prints the URL to open and stops on Ctrl+C, leaving nothing behind (slow).
- Without any setting, torch comes from PyTorch's CPU index on Linux, and a `.venv` made with PyPI's CUDA torch is
  reinstalled (fast: `make -n` with a stand-in virtual environment).
"""

import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness import build_book

REPO = Path(__file__).resolve().parent.parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def git(*args, cwd):
    """Output of a git command in `cwd`; fails the test with git's message when it fails."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def copy_checkout(target):
    """A git repository at `target` holding this checkout's files as they are now (committed or not)."""
    for name in git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0"):
        if name and (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        git(*args, cwd=target)


def leave_what_the_commands_leave(repo):
    """Run, in `repo`, what `make test`, `make quick` and `make lab` run that writes caches; add what they can add."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "ruff", "check", "-q", "."], cwd=repo, env=env, capture_output=True)  # lint aside
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--hypothesis-seed=0",
                    "tests/test_attention.py::test_weights_are_distributions_or_zero_rows"],
                   cwd=repo, env=env, check=True, capture_output=True)
    # a cache from a pytest run with its default folder, and JupyterLab's copy of a saved notebook
    (repo / ".pytest_cache").mkdir(exist_ok=True)
    (repo / ".pytest_cache" / "README.md").write_text("# pytest cache directory #\n", encoding="utf-8")
    checkpoints = repo / "notebooks" / "en" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copy(repo / "notebooks" / "en" / "exercises.ipynb", checkpoints / "exercises-checkpoint.ipynb")


@pytest.mark.slow
def test_book_builds_after_the_other_commands_and_git_status_stays_clean(tmp_path):
    """issue 16: `make book` after `make test` failed on .pytest_cache/README.md ("not included in any toctree")."""
    repo = tmp_path / "repo"
    copy_checkout(repo)
    leave_what_the_commands_leave(repo)
    build_book(repo, repo)  # strict: fails with the log on any warning
    status = git("status", "--porcelain", "--untracked-files=all", cwd=repo)
    assert not status, f"files the commands left that git would show (add them to .gitignore):\n{status}"


def free_port():
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_make_lab_starts_prints_its_url_and_stops_cleanly():
    """`make lab` as this user (root in CI: it adds --allow-root) prints the URL to open; Ctrl+C stops it."""
    before = git("status", "--porcelain", "--untracked-files=all", cwd=REPO)
    port = free_port()
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "lab",
         f"LAB_ARGS=--no-browser --port={port} --ServerApp.ip=127.0.0.1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    lines, deadline = [], time.monotonic() + 120
    try:
        while time.monotonic() < deadline and lab.poll() is None:
            lines.append(lab.stdout.readline())
            if re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", lines[-1]):
                break
        else:
            pytest.fail("`make lab` printed no URL to open:\n" + "".join(lines)[-3000:])
    finally:
        os.killpg(lab.pid, signal.SIGINT)
        os.killpg(lab.pid, signal.SIGINT)  # JupyterLab asks to confirm the first one
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
    after = git("status", "--porcelain", "--untracked-files=all", cwd=REPO)
    assert after == before, f"`make lab` left files that git shows:\n{after}"


def make_dry_run(venv, *args):
    """The commands `make` would run to bring the stand-in `venv` up to date (nothing is run)."""
    done = subprocess.run(["make", "--no-print-directory", "-n", f"VENV={venv}", f"{venv}/.installed", *args],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.replace("\\\n", " ")  # one line per command


@pytest.fixture
def venv(tmp_path):
    """A stand-in virtual environment whose stamp is newer than requirements.txt: up to date for make."""
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (tmp_path / "venv" / ".installed").touch()
    return tmp_path / "venv"


@pytest.mark.skipif(platform.system() != "Linux" or platform.machine() != "x86_64", reason="Linux x86-64 only")
def test_torch_comes_from_the_cpu_index_without_any_setting(venv):
    (venv / ".installed").unlink()
    commands = make_dry_run(venv)
    torch_line = next(line for line in commands.splitlines() if "grep '^torch=='" in line)
    assert f"--extra-index-url {CPU_INDEX}" in torch_line, commands
    assert "--extra-index-url" not in make_dry_run(venv, "TORCH_INDEX="), "TORCH_INDEX= must mean PyPI's torch"


def test_a_venv_made_with_cuda_torch_is_reinstalled(venv):
    assert "pip" not in make_dry_run(venv), "an up-to-date stand-in venv must need nothing"
    (venv / "lib" / "python3.11" / "site-packages" / "nvidia").mkdir()  # where PyPI's CUDA torch puts its libraries
    commands = make_dry_run(venv)
    assert "pip uninstall" in commands and "pip install" in commands, commands
    assert "pip" not in make_dry_run(venv, "TORCH_INDEX="), "TORCH_INDEX= asks for PyPI's (CUDA) torch"


def test_every_requirement_is_pinned_exactly():
    """requirements.txt pins every package with == (binder/requirements.txt follows it: test_binder)."""
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    loose = [line for line in lines if line and not line.startswith("#") and line != "-e ."
             and not re.fullmatch(r"[A-Za-z0-9._-]+(\[[\w,-]+\])?==[\w.+!-]+", line)]
    assert not loose, (f"requirements.txt: not pinned with ==: {loose}; "
                       "fix: `.venv/bin/pip install NAME==VERSION`, then run `make lock`")
