"""A tiny attention model trained on CPU in seconds, and two synthetic tasks whose right attention pattern is known.

The model is one layer of the chapter's own `multi_head_attention` between token + position embeddings and a readout
to the vocabulary: `logits = (x + attention(x)) @ W_out + b_out`, with a causal mask (a position sees itself and the
positions before it). `model(tokens)` returns `(logits, weights)`, weights `(batch, num_heads, n, n)`.

Tasks (`RecallTask`, `PreviousTokenTask`) sample `Batch`es: `tokens`, `targets` (-1 where nothing is predicted) and
`attend`, the position a right head must attend to from each predicted position (-1 elsewhere).

- Associative recall is the database lookup of the first section: each position is one row of the database, a key
  token and a value token (their embeddings are added), and the last position holds the query key with the blank
  value token "?". The answer is the value of the row whose key equals the query; a right head puts its weight on
  that row's position. (With one layer the key and its value must share a position: a head that attends to a lone
  key token could read only the key, and no position of a lone value token knows which key came before it.)
- "Output the previous token": the answer at position i is the token at position i - 1, so a right head is the
  sub-diagonal of the hand-made heatmaps; position 0 predicts nothing.

All the numbers are float64 so that training takes the same path, to the last digit or very nearly, on any CPU.
"""

import contextlib
import dataclasses
import math
from typing import ClassVar

import torch

from ._checks import as_float_tensor
from .attention import multi_head_attention

IGNORE = -1  # target and attend value where nothing is predicted


@dataclasses.dataclass(frozen=True)
class Batch:
    """Sequences of a task: tokens `(num, n)` or `(num, n, 2)`, targets and attend `(num, n)` (-1 = none)."""

    tokens: torch.Tensor
    targets: torch.Tensor
    attend: torch.Tensor


@dataclasses.dataclass(frozen=True)
class RecallTask:
    """Associative recall over `num_pairs` (key, value) rows with distinct keys, then a query key."""

    num_pairs: int = 4
    num_keys: int = 8
    num_values: int = 8
    name: str = "recall"
    batch_size: ClassVar[int] = 256  # sequences per training step: one prediction each

    def __post_init__(self):
        for field in ("num_pairs", "num_keys", "num_values"):
            _positive_int(field, getattr(self, field))
        if self.num_pairs > self.num_keys:
            raise ValueError(f"num_pairs must be <= num_keys ({self.num_keys}) for keys to be distinct, "
                             f"got {self.num_pairs}")

    @property
    def vocab(self):
        """Token names: keys 'k0'…, values 'v0'…, then the blank value '?'."""
        return [f"k{i}" for i in range(self.num_keys)] + [f"v{i}" for i in range(self.num_values)] + ["?"]

    @property
    def max_len(self):
        """Positions in a sequence: the rows, then the query."""
        return self.num_pairs + 1

    def sample(self, num, seed=0):
        """`num` random sequences; tokens `(num, num_pairs + 1, 2)` hold (key id, value id) per position."""
        _positive_int("num", num)
        g = torch.Generator().manual_seed(seed)
        n, blank = self.num_pairs, self.num_keys + self.num_values
        keys = torch.rand(num, self.num_keys, generator=g).argsort(-1)[:, :n]  # (num, n), distinct per row
        values = torch.randint(self.num_values, (num, n), generator=g) + self.num_keys  # (num, n)
        row = torch.randint(n, (num,), generator=g)  # (num,) the row the query asks for
        picked = torch.arange(num)
        query = torch.stack([keys[picked, row], torch.full((num,), blank)], -1)  # (num, 2)
        tokens = torch.cat([torch.stack([keys, values], -1), query[:, None]], 1)  # (num, n + 1, 2)
        targets = torch.full((num, n + 1), IGNORE)
        attend = torch.full((num, n + 1), IGNORE)
        targets[:, n], attend[:, n] = values[picked, row], row
        return Batch(tokens, targets, attend)


@dataclasses.dataclass(frozen=True)
class PreviousTokenTask:
    """Sequences of `length` random tokens; the answer at each position i >= 1 is the token at i - 1."""

    length: int = 8
    vocab_size_: int = 8
    name: str = "previous"
    batch_size: ClassVar[int] = 64  # sequences per training step: length - 1 predictions each

    def __post_init__(self):
        for field in ("length", "vocab_size_"):
            _positive_int(field.rstrip("_"), getattr(self, field))
        if self.length < 2:
            raise ValueError(f"length must be >= 2 for a previous token to exist, got {self.length}")

    @property
    def vocab(self):
        """Token names 't0', 't1', …"""
        return [f"t{i}" for i in range(self.vocab_size_)]

    @property
    def max_len(self):
        """Positions in a sequence."""
        return self.length

    def sample(self, num, seed=0):
        """`num` random sequences; tokens `(num, length)`."""
        _positive_int("num", num)
        g = torch.Generator().manual_seed(seed)
        tokens = torch.randint(self.vocab_size_, (num, self.length), generator=g)  # (num, n)
        targets = torch.full_like(tokens, IGNORE)
        targets[:, 1:] = tokens[:, :-1]
        attend = torch.full_like(tokens, IGNORE)
        attend[:, 1:] = torch.arange(self.length - 1)
        return Batch(tokens, targets, attend)


TASKS = {"recall": RecallTask, "previous": PreviousTokenTask}


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class TinyTransformer(torch.nn.Module):
    """One causal multi-head attention layer between token + position embeddings and a readout to the vocabulary."""

    def __init__(self, vocab_size, max_len, d_model=32, num_heads=2, seed=0):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("max_len", max_len), ("d_model", d_model),
                            ("num_heads", num_heads)):
            _positive_int(name, value)
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.config = {"vocab_size": vocab_size, "max_len": max_len, "d_model": d_model, "num_heads": num_heads}
        g = torch.Generator().manual_seed(seed)

        def param(*shape, scale):
            return torch.nn.Parameter(torch.randn(*shape, generator=g, dtype=torch.float64) * scale)

        self.token_embedding = param(vocab_size, d_model, scale=1.0)  # (vocab, d)
        self.position_embedding = param(max_len, d_model, scale=1.0)  # (max_len, d)
        for name in ("W_q", "W_k", "W_v", "W_o"):  # (d, d), applied as x @ W
            setattr(self, name, param(d_model, d_model, scale=1 / math.sqrt(d_model)))
        self.W_out = param(d_model, vocab_size, scale=1 / math.sqrt(d_model))  # (d, vocab)
        self.b_out = torch.nn.Parameter(torch.zeros(vocab_size, dtype=torch.float64))  # (vocab,)

    def check_tokens(self, tokens):
        """Return `tokens` as a long tensor `(batch, n)` or `(batch, n, slots)`, or raise naming `tokens`."""
        tokens = torch.as_tensor(tokens)
        if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
            raise TypeError(f"tokens must hold integer token ids, got dtype {tokens.dtype}")
        if tokens.dim() not in (2, 3):
            raise ValueError(f"tokens must have shape (batch, n) or (batch, n, slots), got {tuple(tokens.shape)}")
        n, max_len = tokens.shape[1], self.config["max_len"]
        if n == 0 or tokens.shape[0] == 0 or tokens.numel() == 0:
            raise ValueError(f"tokens must hold at least one sequence of at least one token, got shape "
                             f"{tuple(tokens.shape)}")
        if n > max_len:
            raise ValueError(f"tokens has sequences of {n} positions, more than the model's max_len={max_len}")
        bad = (tokens < 0) | (tokens >= self.config["vocab_size"])
        if bad.any():
            raise ValueError(f"tokens holds unknown token id {int(tokens[bad][0])}; ids must be in "
                             f"0..{self.config['vocab_size'] - 1}")
        return tokens.long()

    def forward(self, tokens):
        """Logits `(batch, n, vocab)` and the attention weights `(batch, num_heads, n, n)`."""
        tokens = self.check_tokens(tokens)
        x = self.token_embedding[tokens]  # (batch, n, d) or (batch, n, slots, d)
        if x.dim() == 4:
            x = x.sum(-2)  # the slots of a position (a key and its value) add up to one embedding
        n = tokens.shape[1]
        x = x + self.position_embedding[:n]  # (batch, n, d)
        causal = torch.ones(n, n, dtype=torch.bool).tril()  # (n, n), True = may attend
        out, weights = multi_head_attention(x, x, x, self.W_q, self.W_k, self.W_v, self.W_o,
                                            self.config["num_heads"], mask=causal)
        logits = (x + out) @ self.W_out + self.b_out  # (batch, n, vocab)
        return logits, weights

    def state(self):
        """Config and weights as plain Python numbers and nested lists (JSON-ready, e.g. for a widget)."""
        return {"config": dict(self.config),
                "weights": {name: p.detach().tolist() for name, p in self.named_parameters()}}

    @classmethod
    def from_state(cls, state):
        """The model whose `state()` is `state`."""
        model = cls(**state["config"])
        with torch.no_grad():
            for name, p in model.named_parameters():
                what = f"state['weights'][{name!r}]"
                value = as_float_tensor(what, torch.as_tensor(state["weights"][name], dtype=p.dtype))
                if value.shape != p.shape:
                    raise ValueError(f"{what} must have shape {tuple(p.shape)}, "
                                     f"got {tuple(value.shape)}")
                p.copy_(value)
        return model


@contextlib.contextmanager
def _reproducible(num_threads):
    """Deterministic algorithms and, if given, `num_threads` torch threads; both restored on exit."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    try:
        torch.use_deterministic_algorithms(True)
        if num_threads is not None:
            _positive_int("num_threads", num_threads)
            torch.set_num_threads(num_threads)
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def loss_and_accuracy(model, batch):
    """Mean cross-entropy and accuracy over the predicted positions of `batch`; also the weights."""
    logits, weights = model(batch.tokens)
    keep = batch.targets != IGNORE  # (num, n)
    loss = torch.nn.functional.cross_entropy(logits[keep], batch.targets[keep])
    accuracy = (logits[keep].argmax(-1) == batch.targets[keep]).double().mean()
    return loss, accuracy, weights


def attention_mass(weights, batch):
    """Per head, the mean weight that predicted positions put on the position a right head attends to, `(heads,)`."""
    keep = batch.attend != IGNORE  # (num, n)
    where = batch.attend.clamp(min=0)[:, None, :, None].expand(-1, weights.shape[1], -1, 1)  # (num, heads, n, 1)
    on_target = weights.gather(-1, where).squeeze(-1)  # (num, heads, n)
    return on_target.transpose(0, 1)[:, keep].mean(-1)  # (heads,)


def evaluate(model, task, num=1000, seed=1):
    """Held-out accuracy and attention mass per head (a float and a `(heads,)` tensor) on `num` fresh sequences."""
    batch = task.sample(num, seed=seed)
    with torch.no_grad():
        _, accuracy, weights = loss_and_accuracy(model, batch)
    return {"accuracy": accuracy.item(), "attention_mass": attention_mass(weights, batch)}


def train(task, steps=150, batch_size=None, lr=0.01, d_model=32, num_heads=2, seed=0, num_threads=1):
    """Train a fresh `TinyTransformer` on `task` with Adam; return `(model, losses)`, one training loss per step.

    Each step draws `batch_size` fresh sequences (None: the task's `batch_size`). Everything is seeded by `seed`
    (the weights and every batch), with deterministic algorithms. `num_threads` torch threads (None: leave torch's
    setting) are set for the run and restored: with tensors this small, one thread is the fastest, and more threads
    on a busy machine are many times slower.
    """
    batch_size = task.batch_size if batch_size is None else batch_size
    _positive_int("steps", steps)
    _positive_int("batch_size", batch_size)
    with _reproducible(num_threads):
        model = TinyTransformer(len(task.vocab), task.max_len, d_model=d_model, num_heads=num_heads, seed=seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        for step in range(steps):
            batch = task.sample(batch_size, seed=seed * 1_000_003 + step + 2)  # held-out seeds are 0 and 1
            loss, _, _ = loss_and_accuracy(model, batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return model, losses
