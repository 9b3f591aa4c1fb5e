"""backprop: an executable derivation of backpropagation in NumPy.

Quick start:

```python
import numpy as np
import backprop as bp

rng = np.random.default_rng(0)
net = bp.Sequential(bp.Linear(2, 16, rng=rng), bp.Tanh(), bp.Linear(16, 2, rng=rng))
print(net.forward(rng.standard_normal((4, 2))).shape)  # (4, 2)
```
"""

from . import datasets
from .activations import Activation, ReLU, Sigmoid, Tanh
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import Linear
from .losses import BCEWithLogitsLoss, Loss, MSELoss, SoftmaxCrossEntropyLoss, log_softmax, softmax
from .module import Module, Parameter
from .network import Sequential
from .optim import SGD, Adam, Optimizer
from .train import evaluate, fit

__all__ = [
    "SGD",
    "Activation",
    "Adam",
    "BCEWithLogitsLoss",
    "Linear",
    "Loss",
    "MSELoss",
    "Module",
    "Optimizer",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SoftmaxCrossEntropyLoss",
    "Tanh",
    "check_gradients",
    "datasets",
    "evaluate",
    "fit",
    "log_softmax",
    "numerical_gradient",
    "relative_error",
    "softmax",
]

__version__ = "0.1.0"
