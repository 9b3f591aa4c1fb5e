r"""Exercise solution: a loss of your own, checked with ``bp.check_gradients``.

The log-cosh loss, a smooth cousin of the absolute error, as a mean over all $Nm$ entries of a
batch (rows are samples), like ``bp.MSELoss``:

$\mathcal{L} = \frac{1}{Nm}\sum_{s,i} \log\cosh(a_{si} - y_{si})$, so
$\frac{\partial\mathcal{L}}{\partial a_{si}} = \frac{1}{Nm}\tanh(a_{si} - y_{si})$.

$\cosh$ overflows for $|d| > 710$; $\log\cosh d = \operatorname{logaddexp}(d, -d) - \log 2$ does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:solution]
class LogCoshLoss(bp.Loss):
    """Mean of log cosh(pred - target) over all entries; pred and target (N, m)."""

    def __init__(self) -> None:
        self.diff: NDArray[Any] | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        pred = np.asarray(pred)
        self.diff = pred - np.asarray(target, dtype=pred.dtype)
        return float(np.mean(np.logaddexp(self.diff, -self.diff) - np.log(2)))

    def backward(self) -> NDArray[Any]:
        self._require_cache(self.diff)
        assert self.diff is not None
        return np.tanh(self.diff) / self.diff.size  # the mean brings 1/(N m)


# --8<-- [end:solution]


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 regression network under LogCoshLoss (6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    return bp.check_gradients(net, LogCoshLoss(), X, Y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
