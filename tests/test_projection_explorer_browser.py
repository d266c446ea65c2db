"""ProjectionExplorer with the trained model on the built static site, in Chromium, with no kernel: the parameters
are the ones stored in the page, the random / trained switch, the token buttons and the typed sequence recompute
every number (checked against torch), and bad input gets a message in the page's language and changes nothing.

Uses the fixtures of tests/conftest.py (`built_site`, `site_server`, `page`); every test here is slow.
"""

import json

import pytest

from tests.harness import stored_widget_state
from tests.test_widgets_browser import CHECKS, act_and_check, pages_with, state_of
from utils.widgets.labels import LABELS


def stored_models(page):
    """The `models` traits ({"trained": state, "random": state}) of the page's model-mode ProjectionExplorers."""
    return [model["state"]["models"] for model in stored_widget_state(page).get("state", {}).values()
            if model["state"].get("models")]


def model_pages(built_site):
    pages = [path for path in pages_with(built_site, "ProjectionExplorer")
             if len(stored_models(built_site / path)) == 1]
    assert {path.split("/")[1] for path in pages} >= {"en", "ko"}, pages  # notebooks/<lang>/...
    return pages


def open_view(page, url):
    page.goto(url)
    view = page.locator('[data-widget="ProjectionExplorer"]').first
    view.wait_for(state="attached", timeout=20_000)
    page.wait_for_function("el => el.dataset.state", arg=view.element_handle())
    return view


def message(template, **values):
    return template.format(**values)


@pytest.fixture(params=["en", "ko"])
def model_view(request, built_site, site_server, page):
    """(view, lang, stored models) for the page of that language that shows the trained model."""
    lang = request.param
    path = next(p for p in model_pages(built_site) if p.split("/")[1] == lang)
    view = open_view(page, site_server + path)
    return view, lang, stored_models(built_site / path)[0]


def test_switch_swaps_the_stored_parameters_and_leaves_no_stale_readout(model_view):
    view, _, models = model_view
    control = view.get_by_test_id
    state = state_of(view)
    assert state["mode"] == "model" and state["parameters"] == "trained"
    assert state["model_state"] == models["trained"] != models["random"]  # the page's own trained parameters
    CHECKS["ProjectionExplorer"](state)
    last = len(state["sequence"]) - 1
    view.page.mouse.move(0, 0)  # no cell under the pointer when the page scrolls
    control(f"cell-{last}-0").focus()  # the readout tells the weight of that cell ...
    for which in ("random", "trained"):
        state = act_and_check(view, "ProjectionExplorer", lambda w=which: control("parameters").select_option(w))
        assert state["parameters"] == which and state["model_state"] == models[which]
        readout = control("readout").inner_text()  # ... and still tells it, for the parameters now shown
        assert readout.endswith(f": {state['matrix'][last][0]:.3f}"), (which, readout)
        assert control("answer").inner_text().split(": ")[1].startswith(state["answer"])


def test_trained_head_finds_the_key_in_a_typed_sequence(model_view):
    view, _, _ = model_view
    control = view.get_by_test_id
    for text, row, answer in [("k0 v3, k1 v4, k2 v5, k3 v6, k1 ?", 1, "v4"), ("k5 v7, k6 v0, k5 ?", 0, "v7")]:
        def type_and_run(text=text):
            control("sequence-text").fill(text)
            control("sequence-text").press("Enter")
        state = act_and_check(view, "ProjectionExplorer", type_and_run, changed="sequence")
        assert state["token"] == len(state["sequence"]) - 1 and state["answer"] == answer, state["answer"]
        lookup = []
        for h in (0, 1):  # the weight of the query position on the matching row, in each head
            if state_of(view)["head"] != h:
                act_and_check(view, "ProjectionExplorer", lambda h=h: control("head").select_option(str(h)),
                              changed="head")
            lookup.append(state_of(view))
        assert max(s["weights"][row] for s in lookup) >= 0.9, [s["weights"] for s in lookup]


def test_token_buttons_build_a_sequence(model_view):
    view, lang, _ = model_view
    control = view.get_by_test_id
    vocab = state_of(view)["vocab"]
    control("sequence-clear").click()
    applied = []
    for name in ["k5", "v7", "k1", "v0", "k5", "?"]:
        before = view.get_attribute("data-state")
        control(f"vocab-{vocab.index(name)}").click()
        applied.append(name)
        if len(applied) % 2:  # half a position: a message says what is missing, the numbers stay
            text = message(LABELS[lang]["seq_format"], position=len(applied) // 2 + 1, got=1, slots=2)
            assert control("message").inner_text().startswith(text)
            assert view.get_attribute("data-state") == before
        else:
            state = state_of(view)
            assert [t for position in state["sequence"] for t in position] == applied
            assert control("message").inner_text() == ""
            CHECKS["ProjectionExplorer"](state)
    assert state["answer"] == "v7"
    state = act_and_check(view, "ProjectionExplorer", lambda: control("token-button-1").click(), changed="token")
    assert state["token"] == 1 and control("token-button-1").get_attribute("aria-pressed") == "true"


def test_bad_input_gets_a_message_and_changes_nothing(model_view):
    view, lang, _ = model_view
    control = view.get_by_test_id
    labels = LABELS[lang]
    cases = [
        ("k0 v3, kx ?", message(labels["seq_unknown"], token="kx")),
        ("   ", labels["seq_empty"]),
        (", ".join(["k0 v1"] * 6), message(labels["seq_too_long"], count=6, max=5)),
        ("k0 v1, k2", message(labels["seq_format"], position=2, got=1, slots=2)),
        ("k0;v1", message(labels["seq_unknown"], token="k0;v1")),
    ]
    before = view.get_attribute("data-state")
    for text, expected in cases:
        control("sequence-text").fill(text)
        control("sequence-apply").click()
        assert control("message").inner_text() == f"{expected} {labels['seq_kept']}", text
        assert view.get_attribute("data-state") == before, text  # the previous sequence and its numbers stay
    state = act_and_check(view, "ProjectionExplorer", lambda: control("parameters").select_option("random"))
    assert state["sequence"] == json.loads(before)["sequence"]
