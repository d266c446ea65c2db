"""Argument checks shared by `utils`: every error names the argument and what it received."""

import functools
import math
import numbers

import torch


def as_float_tensor(name, x, min_dim=1, max_dim=None, finite=True):
    """Return `x` as a floating-point tensor, or raise a message that names `name` (NaN, ±inf only if not `finite`)."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        try:
            t = torch.as_tensor(x)
        except (TypeError, ValueError, RuntimeError) as err:
            what = "a ragged or non-numeric " + type(x).__name__ if isinstance(x, list | tuple) else type(x).__name__
            raise TypeError(f"{name} must be a tensor or a rectangular nested list of numbers, got {what}") from err
    if t.dtype == torch.bool or t.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}")
    if not t.is_floating_point():
        t = t.to(torch.get_default_dtype())  # integers are converted, never truncated to integer maths
    if t.dim() < min_dim:
        raise ValueError(f"{name} must have at least {min_dim} axes, got shape {tuple(t.shape)}")
    if max_dim is not None and t.dim() > max_dim:
        raise ValueError(f"{name} must have at most {max_dim} axes, got shape {tuple(t.shape)}")
    if finite and not torch.isfinite(t).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity in a tensor of shape {tuple(t.shape)}")
    return t


def positive(name, value):
    """Return `value` as a float if it is a finite number > 0, else raise a message that names `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def positive_scalar(name, value):
    """`positive`, or a positive finite one-element float tensor (shape () or (1,)) as a 0-dim tensor, with its grad."""
    if not isinstance(value, torch.Tensor):
        return positive(name, value)
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor (or a number), got dtype {value.dtype}")
    if value.shape not in ((), (1,)):
        raise ValueError(f"{name} must be a number or a tensor of shape () or (1,), got shape {tuple(value.shape)}")
    number = value.item()
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive finite number, got {number!r} (a tensor)")
    return value.reshape(())


def integer(name, value, minimum):
    """Return `value` if it is an integer >= `minimum` (0 or 1), else raise a message that names `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} integer, got {value!r}")
    return int(value)


def choice(name, value, options):
    """Return `value` if it is one of `options`, else raise a message listing them."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def same_size(name_a, size_a, name_b, size_b, what):
    """Raise unless two sizes agree; `what` says which axis is meant."""
    if size_a != size_b:
        raise ValueError(f"{name_a} and {name_b} must have the same {what}, got {size_a} and {size_b}")


def broadcast(names, shapes):
    """The broadcast of the batch `shapes` (all axes but the last two) of the arguments `names`, or raise."""
    try:
        return torch.broadcast_shapes(*shapes)
    except RuntimeError:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        got = ", ".join(str(tuple(s)) for s in shapes[:-1]) + f" and {tuple(shapes[-1])}"
        raise ValueError(f"{listed} must have batch shapes (all axes but the last two) that broadcast, got {got}") \
            from None


def common_dtype(*tensors):
    """The floating-point dtype that all `tensors` can share without loss (float32 with float64 gives float64)."""
    return functools.reduce(torch.promote_types, [t.dtype for t in tensors])
