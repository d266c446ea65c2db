"""DatabaseExplorer: exact, approximate and soft (attention) lookups in the chapter's toy database."""

import traitlets

from .._checks import choice, positive
from ..database import DATABASE, MODES, lookup_weights, returned_value
from . import challenges
from ._base import Widget, esm, validate


class DatabaseExplorer(Widget):
    """Type a last name and see every key's similarity, the weights on the first names and what a lookup returns."""

    _esm = esm("database_explorer.js")
    _goal = staticmethod(challenges.database_explorer)
    _inputs = ("text", "mode", "temperature")
    _data = ("records",)
    _choices = (("mode", MODES),)
    records = traitlets.Any().tag(sync=True)  # [[key, value], ...]: (last name, first name)
    text = traitlets.Unicode().tag(sync=True)
    mode = traitlets.Unicode().tag(sync=True)  # 'exact', 'approximate' or 'soft'
    temperature = traitlets.Any().tag(sync=True)
    similarities = traitlets.Any(read_only=True)  # (num_records,) tensor, Python only
    weights = traitlets.Any(read_only=True)  # (num_records,) tensor, Python only
    result = traitlets.Any(read_only=True)  # the value returned (exact, approximate) or None; None in 'soft' mode

    def __init__(self, text="Li", mode="soft", temperature=0.1, records=DATABASE, lang="en", **kwargs):
        super().__init__(records=records, text=text, mode=mode, temperature=temperature, lang=lang, **kwargs)

    @validate("records")
    def _check_records(self, proposal):
        records = [list(row) for row in proposal["value"]]
        if not records or not all(len(row) == 2 and all(isinstance(s, str) for s in row) for row in records):
            raise ValueError(f"records must be a non-empty sequence of (key, value) string pairs, got {records!r:.80}")
        return records

    @validate("mode")
    def _check_mode(self, proposal):
        return choice("mode", proposal["value"], MODES)

    @validate("temperature")
    def _check_temperature(self, proposal):
        return positive("temperature", proposal["value"])

    def _update(self):
        records = [tuple(row) for row in self.records]
        weights, similarities = lookup_weights(records, self.text, mode=self.mode, temperature=self.temperature)
        with self.hold_trait_notifications():
            self.set_trait("similarities", similarities)
            self.set_trait("weights", weights)
            self.set_trait("result", None if self.mode == "soft" else returned_value(records, weights))
