"""Each widget's challenge: one goal, reached or not, computed from the widget's state and its `utils` numbers.

`_update` calls the widget's function here after recomputing its outputs; `challenge_solved` then stays True.
`utils/widgets/attention_math.js` mirrors these functions (its `CHALLENGES`) for the static page, which has no kernel;
tests/test_widget_math_js.py pins the two to each other on many random states.
"""

import torch

from ..attention import nadaraya_watson

GOAL_WEIGHT = 0.9  # "more than 0.9 of the weight" (DatabaseExplorer, QueryExplorer)
GOAL_KEY = 2  # QueryExplorer: the key to favour, k3 (shown 1-based)
GOAL_QUERY = 1  # HeatmapExplorer: the query whose weight is split
SMALLEST_RATIO = 1.1  # KernelRegressionExplorer: "smallest" = the fit has a gap at bandwidth / SMALLEST_RATIO
TIE = 1e-9  # weights this close count as equal


def database_explorer(widget):
    """A last name that is in no record (no similarity 1) gets more than GOAL_WEIGHT on one first name, softly."""
    return widget.mode == "soft" and float(widget.similarities.max()) < 1 and float(widget.weights.max()) > GOAL_WEIGHT


def query_explorer(widget):
    """Key GOAL_KEY takes more than GOAL_WEIGHT of the softmax weight, with the temperature not below 1."""
    weights = widget.weights  # (num_keys,)
    return (widget.mode == "softmax" and widget.temperature >= 1 and len(weights) > GOAL_KEY
            and float(weights[GOAL_KEY]) > GOAL_WEIGHT)


def heatmap_explorer(widget):
    """Query GOAL_QUERY gives exactly half of its weight to each of two keys."""
    weights = widget.weights  # (num_queries, num_keys)
    return len(weights) > GOAL_QUERY and int(((weights[GOAL_QUERY] - 0.5).abs() < TIE).sum()) == 2


def _no_gap(weights):
    """True if every test point (row) has some weight, i.e. the fit has an estimate everywhere."""
    return bool((weights.sum(-1) > 0).all())


def kernel_regression_explorer(widget):
    """The fit on the grid has no gap at this bandwidth, but has one at bandwidth / SMALLEST_RATIO."""
    data = [torch.tensor(v, dtype=torch.float64) for v in (widget.x_grid, widget.x_train, widget.y_train)]
    _, narrower = nadaraya_watson(*data, kernel=widget.kernel, bandwidth=widget.bandwidth / SMALLEST_RATIO)
    return _no_gap(widget.weights) and not _no_gap(narrower)


def projection_explorer(widget):
    """Toy sentence: the query token's weights in this head equal another token's (the same embedding asks the same).

    Trained model: with the trained parameters, the query (the last position) asks for the key of the row just before
    it, and this head puts more than GOAL_WEIGHT of the query's weight on that row.
    """
    rows = widget.weights[widget.head]  # (n, n)
    if not widget.models:
        same = (rows - rows[widget.token]).abs().amax(-1) < TIE  # (n,)
        return int(same.sum()) > 1  # the token itself, and another
    sequence, last = widget.sequence, len(widget.sequence) - 1
    return (widget.parameters == "trained" and last >= 1 and widget.token == last
            and sequence[last][0] == sequence[last - 1][0] and float(rows[last, last - 1]) > GOAL_WEIGHT)
