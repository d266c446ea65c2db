"""tests/harness.py's shared build: pytest-xdist's workers pass the run's id and build the book once between them."""

import types

import pytest

from tests import harness


@pytest.fixture
def builds(tmp_path, monkeypatch):
    """A stand-in build_book in a build folder of its own: `builds.count` calls so far; `builds.fail_first` makes the
    first call fail as a warning would."""
    builds = types.SimpleNamespace(count=0, fail_first=False)
    monkeypatch.setenv("QKV_BUILD_DIR", str(tmp_path))

    def build_book():
        builds.count += 1
        if builds.count == 1 and builds.fail_first:
            raise harness.BuildError("WARNING: the first build warned")
        (tmp_path / "_build" / "html").mkdir(parents=True, exist_ok=True)
        return tmp_path / "_build" / "html"

    monkeypatch.setattr(harness, "build_book", build_book)
    return builds


def test_workers_of_one_run_share_one_build_and_a_new_run_builds_again(builds):
    html = {harness.built_html(rebuild=True, run_id="run-1") for _ in range(3)}
    assert builds.count == 1 and len(html) == 1
    harness.built_html(rebuild=True, run_id="run-2")
    assert builds.count == 2


def test_a_failed_build_fails_every_worker_of_the_run_with_its_log(builds):
    builds.fail_first = True
    for _ in range(2):
        with pytest.raises(harness.BuildError, match="the first build warned"):
            harness.built_html(rebuild=True, run_id="run-1")
    assert builds.count == 1, "a worker built again after the run's build had failed"


def test_without_a_run_id_every_call_builds_when_asked(builds):
    for _ in range(2):
        harness.built_html(rebuild=True)
    assert builds.count == 2
