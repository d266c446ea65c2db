"""A toy database of (last name, first name) records, looked up by exact, approximate and soft (attention) matching.

Similarity is the Dice coefficient of character bigrams: each text is lower-cased (ASCII letters only, so Python and
the widget's JavaScript agree exactly), split into code points and framed by a start and an end mark, so that
"Li" has the bigrams (^, l), (l, i), (i, $). Then similarity(a, b) = 2 |A ∩ B| / (|A| + |B|) for the multisets A, B
of bigrams: 1 for texts equal up to ASCII case, 0 when no bigram is shared. The empty text has the single bigram
(^, $), so it is similar (1) only to itself. `utils/widgets/attention_math.js` mirrors this file function by function.
"""

import itertools
import string
from collections import Counter

import torch

from ._checks import choice, positive_scalar
from .attention import softmax

# (key, value) = (last name, first name), as in d2l's example
DATABASE = (
    ("Zhang", "Aston"),
    ("Lipton", "Zachary"),
    ("Li", "Mu"),
    ("Smola", "Alex"),
    ("Hu", "Rachel"),
    ("Werness", "Brent"),
)

MODES = ("exact", "approximate", "soft")
_START, _END = "\x02", "\x03"  # frame marks (ASCII STX, ETX)
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _text(name, value):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return value


def bigrams(text):
    """Multiset of the character bigrams of `text`, lower-cased (ASCII) and framed by a start and an end mark."""
    chars = [_START, *_text("text", text).translate(_LOWER), _END]  # code points, as Python iterates a str
    return Counter(itertools.pairwise(chars))


def similarity(a, b):
    """Dice coefficient of the character bigrams of `a` and `b`, in [0, 1]; 1 when they are equal."""
    bigrams_a, bigrams_b = bigrams(_text("a", a)), bigrams(_text("b", b))
    shared = sum((bigrams_a & bigrams_b).values())
    return 2 * shared / (sum(bigrams_a.values()) + sum(bigrams_b.values()))


def _check_db(db):
    db = tuple(db)
    if not db or not all(isinstance(row, tuple | list) and len(row) == 2 for row in db):
        raise ValueError(f"db must be a non-empty sequence of (key, value) pairs, got {db!r:.80}")
    return db


def similarities(db, query):
    """Similarity of `query` to every key of `db`, a float64 tensor `(num_records,)`."""
    db, query = _check_db(db), _text("query", query)
    return torch.tensor([similarity(query, key) for key, _ in db], dtype=torch.float64)


def lookup_weights(db, query, mode="soft", temperature=0.1):
    """Weight on each record for one kind of lookup, and the similarities: `(weights, scores)`, both `(num_records,)`.

    exact: 1 on the first record whose key equals `query` (case-sensitive), else all 0;
    approximate: 1 on the first most similar key, all 0 if no key shares a bigram with `query`;
    soft: softmax(scores / temperature), attention over every record.
    """
    choice("mode", mode, MODES)
    temperature = positive_scalar("temperature", temperature)
    scores = similarities(db, query)
    if mode == "soft":
        return softmax(scores, temperature=temperature), scores
    if mode == "exact":
        chosen = next((i for i, (key, _) in enumerate(db) if key == query), None)
    else:
        best = int(scores.argmax())  # torch returns the first maximum
        chosen = best if scores[best] > 0 else None
    weights = torch.zeros_like(scores)
    if chosen is not None:
        weights[chosen] = 1.0
    return weights, scores


def returned_value(db, weights):
    """The value of the record with weight 1, or None when every weight is 0."""
    return db[int(weights.argmax())][1] if weights.max() > 0 else None


def exact_lookup(db, query):
    """The value whose key equals `query` exactly (case-sensitive), or None when there is no such record."""
    db = _check_db(db)
    return returned_value(db, lookup_weights(db, query, mode="exact")[0])


def approximate_lookup(db, query):
    """The value of the most similar key (the first one on ties), or None when no key shares a bigram with `query`."""
    db = _check_db(db)
    return returned_value(db, lookup_weights(db, query, mode="approximate")[0])


def soft_lookup(db, query, temperature=0.1):
    """Attention over every record: returns `(weights, scores)`, both `(num_records,)`.

    scores are the similarities and weights = softmax(scores / temperature): weight i goes to the value of record i.
    """
    return lookup_weights(db, query, mode="soft", temperature=temperature)
