"""QueryExplorer: a query moving among a few 2-D keys, its attention weights and the pooled output."""

import traitlets

from .._checks import choice, positive
from ..attention import KERNELS, POOL_MODES, attention_scores, pool_weights
from . import challenges
from ._base import Widget, as_tensor, esm, float_list, size, validate

SCORINGS = ("dot", "scaled_dot", "gaussian")  # the scorings that make sense for a few 2-D keys

# four keys around the origin, each with a value point (the default data, chosen so that no two keys tie)
DEFAULT_KEY_POINTS = ((1.2, 0.3), (-0.4, 1.1), (-1.0, -0.6), (0.5, -1.2))
DEFAULT_VALUES = ((1.0, 1.0), (-1.0, 1.4), (-1.4, -0.8), (1.2, -1.0))


class QueryExplorer(Widget):
    """Drag the query, keys and values (or use the keys, sliders): each key's weight, the output in the values' hull."""

    _esm = esm("query_explorer.js")
    _goal = staticmethod(challenges.query_explorer)
    _inputs = ("query", "key_points", "values", "scoring", "temperature", "bandwidth", "mode")  # the view drags points
    _choices = (("scoring", SCORINGS), ("mode", POOL_MODES), ("kernel", KERNELS))  # kernel: scorings with a bandwidth
    key_points = traitlets.Any().tag(sync=True)  # (num_keys, 2); the view writes it when a key is dragged
    values = traitlets.Any().tag(sync=True)  # (num_keys, 2); the view writes it when a value is dragged
    query = traitlets.Any().tag(sync=True)  # (2,)
    scoring = traitlets.Unicode().tag(sync=True)
    temperature = traitlets.Any().tag(sync=True)
    bandwidth = traitlets.Any().tag(sync=True)
    mode = traitlets.Unicode().tag(sync=True)
    scores = traitlets.Any(read_only=True)  # (num_keys,) tensor, Python only
    weights = traitlets.Any(read_only=True)  # (num_keys,) tensor, Python only
    output = traitlets.Any(read_only=True)  # (2,) tensor, Python only

    def __init__(self, key_points=None, values=None, query=(0.5, 0.5), scoring="scaled_dot", temperature=1.0,
                 bandwidth=1.0, mode="softmax", lang="en", **kwargs):
        super().__init__(
            key_points=DEFAULT_KEY_POINTS if key_points is None else key_points,
            values=DEFAULT_VALUES if values is None else values,
            query=query, scoring=scoring, temperature=temperature, bandwidth=bandwidth, mode=mode, lang=lang, **kwargs,
        )

    @validate("key_points", "values")
    def _check_points(self, proposal):
        name = proposal["trait"].name
        points = float_list(name, proposal["value"], (None, 2))
        other = "values" if name == "key_points" else "key_points"
        other_rows = size(getattr(self, other), 0)
        if other_rows is not None and other_rows != len(points):
            raise ValueError(
                f"key_points and values must have the same number of rows, got {len(points)} {name} and "
                f"{other_rows} {other} (set both inside `with widget.hold_trait_notifications():`)"
            )
        return points

    @validate("query")
    def _check_query(self, proposal):
        return float_list("query", proposal["value"], (2,))

    @validate("scoring")
    def _check_scoring(self, proposal):
        return choice("scoring", proposal["value"], SCORINGS)

    @validate("mode")
    def _check_mode(self, proposal):
        return choice("mode", proposal["value"], POOL_MODES)

    @validate("temperature", "bandwidth")
    def _check_positive(self, proposal):
        return positive(proposal["trait"].name, proposal["value"])

    def _update(self):
        keys, values = as_tensor(self.key_points), as_tensor(self.values)
        scores = attention_scores(as_tensor([self.query]), keys, scoring=self.scoring, bandwidth=self.bandwidth)[0]
        weights = pool_weights(scores, temperature=self.temperature, mode=self.mode)
        with self.hold_trait_notifications():
            self.set_trait("scores", scores)
            self.set_trait("weights", weights)
            self.set_trait("output", weights @ values)
