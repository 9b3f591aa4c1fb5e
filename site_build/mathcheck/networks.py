"""Networks built with the package, and the values their forward and backward passes record.

Each network is chosen so that every equation of the derivation is a true and non-trivial
statement on it: two or more hidden layers (BP2 at two depths), an output sigma' that is not 1
(BP1), a batch of N > 1 (every 1/N), non-zero biases, and a square weight matrix beside
non-square ones (a dropped transpose is a wrong value, not only a wrong shape).

Values are stored in the math's layout: one sample's vectors as columns (m, 1), a batch as rows
(N, m), ``b`` and ``db`` as columns (m, 1). Layers are numbered 1..L as on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp

from .functions import activation, bce, complex_jacobian

Array = NDArray[np.float64]


@dataclass
class Sample:
    """One sample, run through the package alone (a batch of one row): the per-sample ``ell``."""

    a: dict[int, Array]  # a^{(k)}, k = 0..L, (m_k, 1)
    z: dict[int, Array]  # z^{(k)}, k = 1..L
    delta: dict[int, Array]  # dl/dz^{(k)}
    da: dict[int, Array]  # dl/da^{(k)}, k = 0..L
    dW: dict[int, Array]
    db: dict[int, Array]  # (m_k, 1)
    y: Array  # (m_L, 1), one-hot for cross-entropy
    loss: float
    p: Array | None  # the softmax probabilities the package's loss cached (cross-entropy only)


@dataclass
class Batch:
    """The whole batch through the package: the batch loss L (a mean) and its gradients."""

    A: dict[int, Array]  # (N, m_k)
    Z: dict[int, Array]
    Delta: dict[int, Array]  # dL/dZ^{(k)}
    dA: dict[int, Array]
    dW: dict[int, Array]
    db: dict[int, Array]  # (m_k, 1)
    Y: Array
    loss: float
    P: Array | None  # the probabilities the package's loss cached, one row per sample


@dataclass(eq=False)  # hashed by identity: results are memoized per network
class Network:
    """A network, its parameters and the values recorded from the package."""

    name: str
    loss: str  # "mse", "ce" or "bce"
    activations: dict[int, str]  # sigma of layer k: "tanh", "sigmoid", "relu" or "identity"
    W: dict[int, Array]
    b: dict[int, Array]  # (m_k, 1)
    samples: list[Sample]
    batch: Batch
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def L(self) -> int:
        return len(self.W)

    @property
    def N(self) -> int:
        return len(self.samples)

    def width(self, k: int) -> int:
        """m_k, the width of layer k (m_0 is the input's)."""
        if k == 0:
            return int(self.W[1].shape[1])
        return int(self.W[k].shape[0])


_ACTIVATIONS = {"tanh": bp.Tanh, "sigmoid": bp.Sigmoid, "relu": bp.ReLU}


def _loss_fn(kind: str) -> Any:
    if kind == "mse":
        return bp.MSELoss()
    if kind == "ce":
        return bp.SoftmaxCrossEntropyLoss()
    return bp.BCEWithLogitsLoss()


def _record(
    layers: list[Any], kind: str, X: Array, target: Any
) -> tuple[dict[str, dict[int, Array]], float]:
    """Forward and backward through the package's own layers and loss, in order; returns A, Z,
    Delta (= dLoss/dZ, what ``Linear.backward`` receives), dA, dW and db by layer number k."""
    outputs: list[Array] = []
    A = X
    for layer in layers:
        A = layer.forward(A)
        outputs.append(A)
    loss_fn = _loss_fn(kind)
    loss = float(loss_fn.forward(A, target))
    if kind == "ce":  # the softmax probabilities the loss cached in its forward pass
        rec_probs = np.array(loss_fn.probs, dtype=np.float64)
    g = loss_fn.backward()
    grads: list[Array] = [np.empty(0)] * len(layers)  # dLoss/d(output of module i)
    dinputs: list[Array] = [np.empty(0)] * len(layers)  # dLoss/d(input of module i)
    for i in reversed(range(len(layers))):
        grads[i] = np.asarray(g, dtype=np.float64)
        g = layers[i].backward(g)
        dinputs[i] = np.asarray(g, dtype=np.float64)
    rec: dict[str, dict[int, Array]] = {n: {} for n in ("A", "Z", "Delta", "dA", "dW", "db", "P")}
    rec["A"][0] = X
    if kind == "ce":
        rec["P"][0] = rec_probs
    k = 0
    for i, layer in enumerate(layers):
        if isinstance(layer, bp.Linear):
            k += 1
            rec["Z"][k] = outputs[i]
            rec["Delta"][k] = grads[i]
            rec["dW"][k] = np.array(layer.dW)
            rec["db"][k] = np.array(layer.db).reshape(-1, 1)
            rec["dA"][k - 1] = dinputs[i]
        # a^{(k)} is the activation's output, or z^{(k)} when no activation follows
        rec["A"][k] = outputs[i]
        rec["dA"][k] = grads[i]
    return rec, loss


def _build(name: str, kind: str, sizes: list[int], acts: list[str], N: int, seed: int) -> Network:
    """A network with random parameters, inputs and targets (non-zero biases)."""
    rng = np.random.default_rng(seed)
    L = len(sizes) - 1
    W = {k: rng.standard_normal((sizes[k], sizes[k - 1])) * 0.8 for k in range(1, L + 1)}
    b = {k: rng.standard_normal((sizes[k], 1)) * 0.5 for k in range(1, L + 1)}
    X = rng.standard_normal((N, sizes[0]))
    C = sizes[-1]
    if kind == "ce":
        Y = np.eye(C)[rng.permutation(np.arange(N) % C)]
    else:
        Y = rng.uniform(0.05, 0.95, size=(N, C))
    return _assemble(name, kind, acts, W, b, X, Y)


def _assemble(
    name: str,
    kind: str,
    acts: list[str],
    W: dict[int, Array],
    b: dict[int, Array],
    X: Array,
    Y: Array,
) -> Network:
    """Run the package's layers and loss on these parameters, the batch X (rows are samples)
    and targets Y (one-hot rows for cross-entropy), and record every value."""
    L = len(W)
    N = X.shape[0]
    target: Any = Y.argmax(axis=1) if kind == "ce" else Y

    def layers() -> list[Any]:
        out: list[Any] = []
        for k in range(1, L + 1):
            lin = bp.Linear(W[k].shape[1], W[k].shape[0])
            lin.W = W[k].copy()
            lin.b = b[k].ravel().copy()
            out.append(lin)
            if acts[k - 1] != "identity":
                out.append(_ACTIVATIONS[acts[k - 1]]())
        return out

    batch_rec, batch_loss = _record(layers(), kind, X, target)
    P = batch_rec["P"][0] if kind == "ce" else None
    samples = []
    for s in range(N):
        t = target[s : s + 1]
        rec, loss = _record(layers(), kind, X[s : s + 1], t)
        p = rec["P"][0].reshape(-1, 1) if kind == "ce" else None

        def col(d: dict[int, Array]) -> dict[int, Array]:
            return {k: v.reshape(-1, 1) for k, v in d.items()}

        samples.append(
            Sample(
                a=col(rec["A"]),
                z=col(rec["Z"]),
                delta=col(rec["Delta"]),
                da=col(rec["dA"]),
                dW=rec["dW"],
                db=rec["db"],
                y=Y[s].reshape(-1, 1),
                loss=loss,
                p=p,
            )
        )
    batch = Batch(
        A=batch_rec["A"],
        Z=batch_rec["Z"],
        Delta=batch_rec["Delta"],
        dA=batch_rec["dA"],
        dW=batch_rec["dW"],
        db=batch_rec["db"],
        Y=Y,
        loss=batch_loss,
        P=P,
    )
    activations = {k: acts[k - 1] for k in range(1, L + 1)}
    if kind == "bce":
        _sigmoid_output(activations, samples, batch)
    return Network(name, kind, activations, W, b, samples, batch)


def _sigmoid_output(activations: dict[int, str], samples: list[Sample], batch: Batch) -> None:
    """BCEWithLogitsLoss fuses the output sigmoid into the loss. The page reads that network as
    one whose last sigma is the sigmoid, a^{(L)} = sigmoid(z^{(L)}), and whose loss is the BCE of
    a^{(L)}; the package gives z^{(L)} and delta^{(L)}, the checker's math gives a^{(L)} and
    dl/da^{(L)} (complex step of its own BCE)."""
    L = max(activations)
    activations[L] = "sigmoid"
    for sample in samples:
        a = activation("sigmoid", sample.z[L])
        y = sample.y
        sample.a[L] = a
        sample.da[L] = complex_jacobian(lambda p, y=y: bce(p, y), a, (1,))[0]
    N = len(samples)
    batch.A[L] = np.vstack([s.a[L].T for s in samples])
    batch.dA[L] = np.vstack([s.da[L].T for s in samples]) / N


def has_bce() -> bool:
    """Whether the package has ``BCEWithLogitsLoss`` (added by issue 9)."""
    return hasattr(bp, "BCEWithLogitsLoss")


STANDARD_CE = ([3, 4, 4], ["relu", "tanh", "identity"])


@cache
def networks() -> tuple[Network, ...]:
    """The networks every equation is checked on (built once per process)."""
    nets = [
        # tanh, sigmoid hidden layers; sigmoid output with MSE: sigma'(z^{(L)}) != 1.
        _build("mse", "mse", [3, 4, 4, 2], ["tanh", "sigmoid", "sigmoid"], N=3, seed=1),
        # relu, tanh hidden layers; plain Linear logits with softmax cross-entropy.
        _build("ce", "ce", [*STANDARD_CE[0], 3], STANDARD_CE[1], N=4, seed=2),
    ]
    if has_bce():
        nets.append(
            _build("bce", "bce", [2, 3, 3, 2], ["sigmoid", "tanh", "identity"], N=3, seed=3)
        )
    return tuple(nets)


@cache
def with_classes(C: int) -> Network:
    """The cross-entropy network with C classes (a section that states $C = 2$ is read on it)."""
    if C < 2:
        raise ValueError(f"a softmax needs at least 2 classes, not {C}")
    return _build(f"ce, C = {C}", "ce", [*STANDARD_CE[0], C], STANDARD_CE[1], N=max(4, C), seed=2)


@cache
def twin(kind: str, sizes: tuple[int, ...], acts: tuple[str, ...]) -> Network:
    """A network of the same sizes, activations and loss as a page's own network, with random
    parameters and a batch of 3: the page's formulas are checked on it like the derivation's
    (the page's own numbers may hide a fault, such as two equal biases)."""
    return _build("with random values", kind, list(sizes), list(acts), N=3, seed=4)


def shown(
    kind: str,
    acts: tuple[str, ...],
    W: tuple[Array, ...],
    b: tuple[Array, ...],
    x: Array,
    y: Array,
) -> Network:
    """The network a page shows the numbers of: one sample x, target y, W^{(1)}, b^{(1)}, ..."""
    Wd = {k + 1: np.asarray(w, dtype=np.float64) for k, w in enumerate(W)}
    bd = {k + 1: np.asarray(v, dtype=np.float64).reshape(-1, 1) for k, v in enumerate(b)}
    X = np.asarray(x, dtype=np.float64).reshape(1, -1)
    Y = np.asarray(y, dtype=np.float64).reshape(1, -1)
    return _assemble("shown on the page", kind, list(acts), Wd, bd, X, Y)
