"""ProjectionExplorer: where queries, keys and values come from in a Transformer: X W_q, X W_k, X W_v, several heads.

Two kinds of view. With `model=` (a trained `TinyTransformer`) and `task=` (its task: the vocabulary and a default
sequence), the reader switches between the trained parameters and the same model before training, edits the input
sequence, and sees the causal layer's forward pass, all computed in the browser from the parameters in the widget's
state. Without a model, a toy model of random embeddings and projections of a fixed sentence (`tokens`).
"""

import math

import torch
import traitlets

from ..attention import multi_head_attention
from ..tiny_transformer import TinyTransformer
from . import challenges
from ._base import Widget, as_tensor, esm, validate

DEFAULT_TOKENS = ("the", "cat", "sat", "on", "the", "mat")
D_MODEL, D_HEAD = 4, 2  # the toy model's embedding size, and size of each head's queries, keys and values
PARAMETERS = ("trained", "random")  # which parameters of a model the view uses


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


def check_sequence(sequence, vocab, slots, max_len):
    """`sequence` as a list of positions, each a list of `slots` token names from `vocab`, or raise naming it."""
    if not isinstance(sequence, list | tuple) or not all(isinstance(p, list | tuple) for p in sequence):
        raise ValueError(f"sequence must be a list of positions, each a list of token names, got {sequence!r:.80}")
    if not 1 <= len(sequence) <= max_len:
        raise ValueError(f"sequence must have 1 to {max_len} positions (the model's max_len), got {len(sequence)}")
    for i, position in enumerate(sequence):
        if len(position) != slots:
            raise ValueError(f"sequence position {i} must hold {slots} token(s), got {list(position)!r}")
        unknown = [token for token in position if token not in vocab]
        if unknown:
            raise ValueError(f"sequence position {i} holds unknown token {unknown[0]!r}; tokens must be in {vocab}")
    return [list(position) for position in sequence]


class ProjectionExplorer(Widget):
    """Pick a query position and a head; see its query, the keys, the scores, the weights and the sum of the values."""

    _esm = esm("projection_explorer.js")
    _goal = staticmethod(challenges.projection_explorer)
    _inputs = ("token", "head", "parameters", "sequence")
    _choices = (("parameters", PARAMETERS),)
    tokens = traitlets.List(read_only=True).tag(sync=True)  # toy: the sentence; model: the task's vocabulary
    num_heads = traitlets.Int(read_only=True).tag(sync=True)
    seed = traitlets.Int(read_only=True).tag(sync=True)
    embeddings = traitlets.List(read_only=True).tag(sync=True)  # toy: X, (n, 4); model: []
    W_q = traitlets.List(read_only=True).tag(sync=True)  # toy: (4, num_heads * 2); model: []
    W_k = traitlets.List(read_only=True).tag(sync=True)  # toy: (4, num_heads * 2); model: []
    W_v = traitlets.List(read_only=True).tag(sync=True)  # toy: (4, num_heads * 2); model: []
    W_o = traitlets.List(read_only=True).tag(sync=True)  # toy: (num_heads * 2, 4); model: []
    models = traitlets.Dict(read_only=True).tag(sync=True)  # model: {"trained": state(), "random": state()}; toy: {}
    slots = traitlets.Int(1, read_only=True).tag(sync=True)  # model: tokens per position (2 for recall: key + value)
    token = traitlets.Any().tag(sync=True)  # index of the query position
    head = traitlets.Any().tag(sync=True)  # index of the head
    parameters = traitlets.Unicode("trained").tag(sync=True)  # model: "trained" or "random"
    sequence = traitlets.List().tag(sync=True)  # model: the input, [[token name, ...] per position]; toy: []
    weights = traitlets.Any(read_only=True)  # (num_heads, n, n) tensor, Python only
    output = traitlets.Any(read_only=True)  # toy: the layer's output (n, 4) tensor; model: None; Python only
    logits = traitlets.Any(read_only=True)  # model: the model's logits (n, vocab) tensor; toy: None; Python only

    def __init__(self, model=None, task=None, sequence=None, tokens=None, num_heads=2, seed=0, token=None, head=0,
                 parameters="trained", lang="en", **kwargs):
        if model is None:
            if task is not None or sequence is not None or parameters != "trained":
                raise ValueError("task, sequence and parameters need a model: pass model= (a trained TinyTransformer)")
            data, token = self._toy(tokens, num_heads, seed), 1 if token is None else token
            sequence = []
        else:
            data = self._from_model(model, task, seed)
            if sequence is None:
                sequence = [_names(task, ids) for ids in task.sample(1, seed=0).tokens[0].tolist()]
            sequence = check_sequence(sequence, data["tokens"], data["slots"], model.config["max_len"])
            token = len(sequence) - 1 if token is None else token
        for name, value in data.items():
            self.set_trait(name, value)
        self._models = {name: TinyTransformer.from_state(state) for name, state in self.models.items()}
        super().__init__(sequence=sequence, parameters=parameters, token=token, head=head, lang=lang, **kwargs)

    @staticmethod
    def _toy(tokens, num_heads, seed):
        tokens = list(DEFAULT_TOKENS if tokens is None else tokens)
        if not tokens or not all(isinstance(word, str) for word in tokens):
            raise ValueError(f"tokens must be a non-empty list of strings, got {tokens!r:.80}")
        if isinstance(num_heads, bool) or not isinstance(num_heads, int) or not 1 <= num_heads <= 8:
            raise ValueError(f"num_heads must be an integer from 1 to 8, got {num_heads!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        embeddings, projections = toy_model(tokens, num_heads, seed)
        data = {"tokens": tokens, "num_heads": num_heads, "seed": seed, "embeddings": embeddings.tolist()}
        return data | {name: w.tolist() for name, w in projections.items()}

    @staticmethod
    def _from_model(model, task, seed):
        if not isinstance(model, TinyTransformer):
            raise TypeError(f"model must be a utils.TinyTransformer, got {type(model).__name__}")
        if task is None or not hasattr(task, "vocab") or not hasattr(task, "sample"):
            raise ValueError(f"task must be the model's task (e.g. utils.RecallTask()), got {task!r:.80}")
        config = model.config
        if len(task.vocab) != config["vocab_size"] or task.max_len > config["max_len"]:
            raise ValueError(f"task must match the model: vocabulary of {config['vocab_size']} tokens and at most "
                             f"{config['max_len']} positions, got {len(task.vocab)} and {task.max_len}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        sample = task.sample(1, seed=0).tokens  # (1, n) or (1, n, slots)
        untrained = TinyTransformer(**config, seed=seed)  # the same model before training (train's seed)
        return {"tokens": list(task.vocab), "num_heads": config["num_heads"], "seed": seed,
                "slots": 1 if sample.dim() == 2 else sample.shape[-1],
                "models": {"trained": model.state(), "random": untrained.state()}}

    @validate("token")
    def _check_token(self, proposal):
        return _index("token", proposal["value"], len(self.sequence) if self.models else len(self.tokens))

    @validate("head")
    def _check_head(self, proposal):
        return _index("head", proposal["value"], self.num_heads)

    @validate("parameters")
    def _check_parameters(self, proposal):
        if proposal["value"] not in PARAMETERS:
            raise ValueError(f"parameters must be one of 'trained', 'random'; got {proposal['value']!r}")
        return proposal["value"]

    @validate("sequence")
    def _check_sequence(self, proposal):
        if not self.models:
            if proposal["value"]:
                raise ValueError("sequence can only be set on a widget built with model= and task=")
            return []
        max_len = self.models["trained"]["config"]["max_len"]
        return check_sequence(proposal["value"], self.tokens, self.slots, max_len)

    @traitlets.observe("sequence")
    def _keep_token_inside(self, change):
        if self.models and self.token >= len(change["new"]):
            self.token = len(change["new"]) - 1  # a shorter sequence: the query moves to its last position

    def token_ids(self):
        """The sequence as token ids, `(1, n)` or `(1, n, slots)`, for the model."""
        ids = torch.tensor([[self.tokens.index(name) for name in position] for position in self.sequence])
        return ids[None, :, 0] if self.slots == 1 else ids[None]

    def _update(self):
        output = logits = None
        if self.models:
            with torch.no_grad():
                logits, weights = self._models[self.parameters](self.token_ids())
            logits, weights = logits[0], weights[0]
        else:
            x = as_tensor(self.embeddings)
            projections = [as_tensor(w) for w in (self.W_q, self.W_k, self.W_v, self.W_o)]
            output, weights = multi_head_attention(x, x, x, *projections, num_heads=self.num_heads)
        with self.hold_trait_notifications():
            self.set_trait("output", output)
            self.set_trait("logits", logits)
            self.set_trait("weights", weights)


def _names(task, ids):
    """A position's token ids (an int or a list) as the list of their names in `task.vocab`."""
    return [task.vocab[i] for i in (ids if isinstance(ids, list) else [ids])]
