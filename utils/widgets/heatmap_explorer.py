"""HeatmapExplorer: the weights of every query over every key, as in `utils.show_heatmaps`, with a temperature."""

import math

import traitlets

from .._checks import choice, positive
from ..attention import KERNELS, SCORINGS, attention_scores, softmax
from . import challenges
from ._base import Widget, as_tensor, esm, float_list, size, validate


def _circle(count, radius=2.0):
    """`count` points evenly spaced on a circle, starting at angle 0, as (x, y) tuples."""
    angles = [2 * math.pi * i / count for i in range(count)]
    return tuple((radius * math.cos(a), radius * math.sin(a)) for a in angles)


# six queries and eight keys on the same circle: each query attends most to the keys pointing its way
DEFAULT_QUERIES = _circle(6)
DEFAULT_KEYS = _circle(8)


class HeatmapExplorer(Widget):
    """A num_queries × num_keys heatmap of attention weights; hover or focus a cell for its score and weight."""

    _esm = esm("heatmap_explorer.js")
    _goal = staticmethod(challenges.heatmap_explorer)
    _inputs = ("scoring", "temperature", "bandwidth")
    _data = ("queries", "key_points")
    _choices = (("scoring", SCORINGS), ("kernel", KERNELS))  # kernel: the scorings with a bandwidth
    queries = traitlets.Any().tag(sync=True)  # (num_queries, d)
    key_points = traitlets.Any().tag(sync=True)  # (num_keys, d); the constructor calls it `keys`
    scoring = traitlets.Unicode().tag(sync=True)
    temperature = traitlets.Any().tag(sync=True)
    bandwidth = traitlets.Any().tag(sync=True)
    scores = traitlets.Any(read_only=True)  # (num_queries, num_keys) tensor, Python only
    weights = traitlets.Any(read_only=True)  # (num_queries, num_keys) tensor, Python only

    def __init__(self, queries=None, keys=None, temperature=1.0, scoring="scaled_dot", bandwidth=1.0, lang="en",
                 **kwargs):
        super().__init__(
            queries=DEFAULT_QUERIES if queries is None else queries,
            key_points=DEFAULT_KEYS if keys is None else keys,
            temperature=temperature, scoring=scoring, bandwidth=bandwidth, lang=lang, **kwargs,
        )

    @validate("queries", "key_points")
    def _check_points(self, proposal):
        name = proposal["trait"].name
        points = float_list(name, proposal["value"], (None, None))
        other = size(getattr(self, "key_points" if name == "queries" else "queries"), -1)
        if other is not None and other != len(points[0]):
            raise ValueError(
                f"queries and keys must have the same feature size, got {len(points[0])} for {name} and "
                f"{other} for the other (set both inside `with widget.hold_trait_notifications():`)"
            )
        return points

    @validate("scoring")
    def _check_scoring(self, proposal):
        return choice("scoring", proposal["value"], SCORINGS)

    @validate("temperature", "bandwidth")
    def _check_positive(self, proposal):
        return positive(proposal["trait"].name, proposal["value"])

    def _update(self):
        scores = attention_scores(as_tensor(self.queries), as_tensor(self.key_points), scoring=self.scoring,
                                  bandwidth=self.bandwidth)
        with self.hold_trait_notifications():
            self.set_trait("scores", scores)
            self.set_trait("weights", softmax(scores, temperature=self.temperature))
