"""What every widget shares: its JavaScript module (shared maths + helpers + its own file), its CSS and its labels."""

import functools
from pathlib import Path

import anywidget
import torch
import traitlets

from .._checks import as_float_tensor, choice
from .labels import LABELS

_HERE = Path(__file__).parent
_SHARED_JS = ("attention_math.js", "ui.js")


class RejectedValue(traitlets.TraitError, ValueError):
    """A value a widget's validator rejects: a ValueError that traitlets also undoes inside a hold (set_state)."""


class RejectedType(traitlets.TraitError, TypeError):
    """A value of the wrong type that a widget's validator rejects: a TypeError that traitlets also undoes."""


def validate(*names):
    """traitlets.validate whose ValueError or TypeError is raised as a TraitError too: inside set_state (a view's
    change, held) traitlets undoes a rejected value only on TraitError, and would otherwise keep it and recompute."""
    def decorate(method):
        @functools.wraps(method)
        def checked(self, proposal):
            try:
                return method(self, proposal)
            except (ValueError, TypeError) as error:
                raise (RejectedType if isinstance(error, TypeError) else RejectedValue)(str(error)) from error
        return traitlets.validate(*names)(checked)
    return decorate


def esm(filename):
    """One ES module for the browser: attention_math.js, ui.js, then the widget's own `filename`."""
    return "\n".join((_HERE / name).read_text(encoding="utf-8") for name in (*_SHARED_JS, filename))


def float_list(name, value, shape):
    """`value` as nested lists of floats of the given `shape` (None = any size on that axis), or raise naming `name`."""
    tensor = as_float_tensor(name, value, min_dim=len(shape), max_dim=len(shape))
    if not isinstance(value, torch.Tensor):
        tensor = torch.as_tensor(value, dtype=torch.float64)  # Python floats are float64: keep every digit
    wrong = any(want is not None and got != want for got, want in zip(tensor.shape, shape, strict=True))
    if wrong or 0 in tensor.shape:
        expected = str(tuple("n" if want is None else want for want in shape)).replace("'", "")
        raise ValueError(f"{name} must have shape {expected} (n >= 1), got shape {tuple(tensor.shape)}")
    return tensor.to(torch.float64).tolist()


def size(value, axis):
    """Size of `value` along `axis`, or None when it is not (yet) a valid array: its own validator will say why."""
    try:
        shape = torch.as_tensor(value).shape
        return shape[axis] if 0 not in shape else None
    except (TypeError, ValueError, RuntimeError, IndexError):
        return None


def as_tensor(value):
    """A synced nested list as a float64 tensor, so Python and JavaScript compute in the same precision."""
    return torch.tensor(value, dtype=torch.float64)


class Widget(anywidget.AnyWidget):
    """Base of the chapter's widgets: `lang` picks the labels; input traits are recomputed into outputs by `_update`."""

    _css = (_HERE / "widgets.css").read_text(encoding="utf-8")
    lang = traitlets.Unicode("en").tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)  # every human-readable text the view shows, from utils/widgets/labels.py
    choices = traitlets.Dict(read_only=True).tag(sync=True)  # the options the view offers: {trait: [value, ...]}
    # the challenge above the controls was reached (utils/widgets/challenges.py); it stays True once reached
    challenge_solved = traitlets.Bool(False, read_only=True).tag(sync=True)
    _choices = ()  # (trait, options) pairs: each widget's lists of options, from utils (the .js files name none)
    _inputs = ()  # the traits the view writes; a change recomputes the outputs
    _data = ()  # the traits only Python sets (the points, the table); a change also recomputes the outputs
    _goal = None  # the widget's function in challenges.py: (widget) -> bool, after `_update`

    def __init__(self, lang="en", **kwargs):
        choice("lang", lang, tuple(LABELS))
        self.set_trait("choices", {name: list(options) for name, options in self._choices})
        super().__init__(lang=lang, labels=dict(LABELS[lang]), **kwargs)
        self.observe(lambda change: self._recompute(), names=[*self._inputs, *self._data])
        self._recompute()

    @validate("lang")
    def _check_lang(self, proposal):
        return choice("lang", proposal["value"], tuple(LABELS))

    @traitlets.observe("lang")
    def _switch_labels(self, change):
        self.labels = dict(LABELS[change["new"]])

    def _recompute(self):
        """`_update`, then mark the challenge solved if its goal is reached now."""
        self._update()
        if not self.challenge_solved and self._goal(self):
            self.set_trait("challenge_solved", True)

    def _update(self):
        """Recompute the output traits from the inputs (with `utils`, in float64)."""
        raise NotImplementedError
