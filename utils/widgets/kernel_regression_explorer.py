"""KernelRegressionExplorer: Nadaraya–Watson regression with a chosen kernel and bandwidth, and one test point."""

import torch
import traitlets

from .._checks import choice, positive
from ..attention import KERNELS, nadaraya_watson
from . import challenges
from ._base import Widget, as_tensor, esm, float_list, size, validate

NUM_GRID = 51  # test points on which the fit is drawn


def default_data(num_train=20, seed=0):
    """Sorted x ~ U(0, 5) and y = 2 sin(x) + x^0.8 + N(0, 0.5²), drawn from torch.Generator().manual_seed(seed)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.sort(torch.rand(num_train, generator=generator, dtype=torch.float64) * 5).values
    y = 2 * torch.sin(x) + x**0.8 + 0.5 * torch.randn(num_train, generator=generator, dtype=torch.float64)
    return x, y


class KernelRegressionExplorer(Widget):
    """Nadaraya–Watson fit on a grid of test points, the weights heatmap, and a movable test point's weights."""

    _esm = esm("kernel_regression_explorer.js")
    _goal = staticmethod(challenges.kernel_regression_explorer)
    _inputs = ("kernel", "bandwidth", "x_test")
    _data = ("x_train", "y_train")
    _choices = (("kernel", KERNELS),)
    x_train = traitlets.Any().tag(sync=True)  # (n,)
    y_train = traitlets.Any().tag(sync=True)  # (n,)
    x_grid = traitlets.Any(read_only=True).tag(sync=True)  # (51,): NUM_GRID points from min to max of x_train
    kernel = traitlets.Unicode().tag(sync=True)
    bandwidth = traitlets.Any().tag(sync=True)
    x_test = traitlets.Any().tag(sync=True)  # the movable test point
    predictions = traitlets.Any(read_only=True)  # (51,) tensor, Python only
    weights = traitlets.Any(read_only=True)  # (51, n) tensor, Python only
    test_weights = traitlets.Any(read_only=True)  # (n,) tensor, Python only
    test_prediction = traitlets.Any(read_only=True)  # () tensor, Python only

    def __init__(self, x_train=None, y_train=None, kernel="gaussian", bandwidth=0.5, x_test=None, lang="en",
                 **kwargs):
        if (x_train is None) != (y_train is None):
            raise ValueError("x_train and y_train must be given together (or both left out for the default data)")
        if x_train is None:
            x_train, y_train = default_data()
        if x_test is None:
            x = as_tensor(float_list("x_train", x_train, (None,)))
            x_test = round(float(x.min() + x.max()) / 2, 2)  # the middle, on the slider's 0.01 steps
        super().__init__(x_train=x_train, y_train=y_train, kernel=kernel, bandwidth=bandwidth, x_test=x_test,
                         lang=lang, **kwargs)

    @validate("x_train", "y_train")
    def _check_data(self, proposal):
        name = proposal["trait"].name
        points = float_list(name, proposal["value"], (None,))
        other = size(getattr(self, "y_train" if name == "x_train" else "x_train"), 0)
        if other is not None and other != len(points):
            raise ValueError(f"x_train and y_train must have the same length, got {len(points)} for {name} and "
                             f"{other} for the other (set both inside `with widget.hold_trait_notifications():`)")
        return points

    @validate("kernel")
    def _check_kernel(self, proposal):
        return choice("kernel", proposal["value"], KERNELS)

    @validate("bandwidth")
    def _check_bandwidth(self, proposal):
        return positive("bandwidth", proposal["value"])

    @validate("x_test")
    def _check_x_test(self, proposal):
        return float_list("x_test", [proposal["value"]], (1,))[0]

    def _update(self):
        keys, values = as_tensor(self.x_train), as_tensor(self.y_train)
        grid = torch.linspace(float(keys.min()), float(keys.max()), NUM_GRID, dtype=torch.float64)
        if grid.tolist() != self.x_grid:
            self.set_trait("x_grid", grid.tolist())
        queries = torch.cat([as_tensor(self.x_grid), as_tensor([self.x_test])])  # the grid, then the test point
        predictions, weights = nadaraya_watson(queries, keys, values, kernel=self.kernel, bandwidth=self.bandwidth)
        with self.hold_trait_notifications():
            self.set_trait("predictions", predictions[:-1])
            self.set_trait("weights", weights[:-1])
            self.set_trait("test_prediction", predictions[-1])
            self.set_trait("test_weights", weights[-1])
