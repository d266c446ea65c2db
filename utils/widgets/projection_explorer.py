"""ProjectionExplorer: where queries, keys and values come from in a Transformer: X W_q, X W_k, X W_v, several heads."""

import math

import torch
import traitlets

from ..attention import multi_head_attention
from . import challenges
from ._base import Widget, as_tensor, esm

DEFAULT_TOKENS = ("the", "cat", "sat", "on", "the", "mat")
D_MODEL, D_HEAD = 4, 2  # embedding size, and size of each head's queries, keys and values


def toy_model(tokens, num_heads, seed):
    """Embeddings `(n, D_MODEL)` and W_q, W_k, W_v `(D_MODEL, num_heads * D_HEAD)`, W_o `(num_heads * D_HEAD, D_MODEL)`.

    Drawn from torch.Generator().manual_seed(seed) in this order: one N(0, 1) embedding per distinct token (in order
    of first appearance, so a repeated token has the same embedding), then W_q, W_k, W_v and W_o with N(0, 1/fan_in).
    """
    generator = torch.Generator().manual_seed(seed)
    vocabulary = list(dict.fromkeys(tokens))
    table = torch.randn(len(vocabulary), D_MODEL, generator=generator, dtype=torch.float64)
    embeddings = table[[vocabulary.index(token) for token in tokens]]
    width = num_heads * D_HEAD
    shapes = {"W_q": (D_MODEL, width), "W_k": (D_MODEL, width), "W_v": (D_MODEL, width), "W_o": (width, D_MODEL)}
    weights = {name: torch.randn(*shape, generator=generator, dtype=torch.float64) / math.sqrt(shape[0])
               for name, shape in shapes.items()}
    return embeddings, weights


def _index(name, value, size):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"{name} must be an integer in [0, {size}), got {value!r}")
    return value


class ProjectionExplorer(Widget):
    """Pick a query token and a head; see its attention weights over the sentence and the head's weight matrix."""

    _esm = esm("projection_explorer.js")
    _goal = staticmethod(challenges.projection_explorer)
    _inputs = ("token", "head")
    tokens = traitlets.List(read_only=True).tag(sync=True)
    num_heads = traitlets.Int(read_only=True).tag(sync=True)
    seed = traitlets.Int(read_only=True).tag(sync=True)
    embeddings = traitlets.List(read_only=True).tag(sync=True)  # X, (n, 4)
    W_q = traitlets.List(read_only=True).tag(sync=True)  # (4, num_heads * 2)
    W_k = traitlets.List(read_only=True).tag(sync=True)  # (4, num_heads * 2)
    W_v = traitlets.List(read_only=True).tag(sync=True)  # (4, num_heads * 2)
    W_o = traitlets.List(read_only=True).tag(sync=True)  # (num_heads * 2, 4)
    token = traitlets.Any().tag(sync=True)  # index of the query token
    head = traitlets.Any().tag(sync=True)  # index of the head
    weights = traitlets.Any(read_only=True)  # (num_heads, n, n) tensor, Python only
    output = traitlets.Any(read_only=True)  # (n, 4) tensor, Python only

    def __init__(self, tokens=None, num_heads=2, seed=0, token=1, head=0, lang="en", **kwargs):
        tokens = list(DEFAULT_TOKENS if tokens is None else tokens)
        if not tokens or not all(isinstance(word, str) for word in tokens):
            raise ValueError(f"tokens must be a non-empty list of strings, got {tokens!r:.80}")
        if isinstance(num_heads, bool) or not isinstance(num_heads, int) or not 1 <= num_heads <= 8:
            raise ValueError(f"num_heads must be an integer from 1 to 8, got {num_heads!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        embeddings, projections = toy_model(tokens, num_heads, seed)
        data = {"tokens": tokens, "num_heads": num_heads, "seed": seed, "embeddings": embeddings.tolist()}
        data.update({name: w.tolist() for name, w in projections.items()})
        for name, value in data.items():
            self.set_trait(name, value)
        super().__init__(token=token, head=head, lang=lang, **kwargs)

    @traitlets.validate("token")
    def _check_token(self, proposal):
        return _index("token", proposal["value"], len(self.tokens))

    @traitlets.validate("head")
    def _check_head(self, proposal):
        return _index("head", proposal["value"], self.num_heads)

    def _update(self):
        x = as_tensor(self.embeddings)
        projections = [as_tensor(w) for w in (self.W_q, self.W_k, self.W_v, self.W_o)]
        output, weights = multi_head_attention(x, x, x, *projections, num_heads=self.num_heads)
        with self.hold_trait_notifications():
            self.set_trait("output", output)
            self.set_trait("weights", weights)
