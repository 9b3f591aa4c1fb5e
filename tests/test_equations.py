"""The four backpropagation equations, each checked against finite differences.

The derivation page links to these tests by name. Each test writes the equation out
independently (in NumPy, from the math, not by calling the package) and checks that

1. the package computes exactly that equation, and
2. the equation is the true gradient: it matches central differences of the loss with
   relative error below 1e-7 (float64).

Row (batch) form of the equations, with ``delta`` = dL/dZ of shape (N, m):

* BP1  ``delta_L = dL/dA * sigma'(Z_L)``
* BP2  ``delta_k = (delta_{k+1} @ W_{k+1}) * sigma'(Z_k)``  (column form: W^T delta)
* BP3  ``dW_k = delta_k.T @ A_{k-1}``
* BP4  ``db_k = delta_k.sum(axis=0)``, and ``dA_{k-1} = delta_k @ W_k``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.typing import NDArray

import backprop as bp

TOL = 1e-7  # relative error of analytic vs central-difference gradients, float64
# Central-difference step. Its error is truncation O(EPS^2) plus rounding ~1e-16 |L| / EPS.
# For the small gradients of these random little nets (|g| ~ 1e-4 after two sigmoid layers),
# EPS = 1e-5 balances the two: a sweep of 1,200 random nets gave relative errors <= 3e-8,
# whereas with 1e-6 rounding alone pushed 1-2% of cases to 1e-7..3e-7.
EPS = 1e-5
# Even then, rounding in L leaves noise of about eps_machine * max(|L|, 1) / EPS per entry, so a
# gradient whose norm is not well above that cannot be resolved to 1e-7 relative error. Such
# examples (about 3% of random nets, e.g. a target almost equal to the prediction, or several
# saturated sigmoids in a row) are not valid finite-difference checks, and Hypothesis replaces
# them (``assume``). The exact-formula checks in each test need no such floor.

Array = NDArray[np.float64]


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


# sigma'(z) written from the math, independently of the package's cached-value tricks.
SIGMA_PRIME: dict[str, Callable[[Array], Array]] = {
    "relu": lambda z: (z > 0).astype(np.float64),
    "sigmoid": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
    "tanh": lambda z: 1.0 / np.cosh(z) ** 2,
}
ACTIVATIONS: dict[str, type[bp.Activation]] = {
    "relu": bp.ReLU,
    "sigmoid": bp.Sigmoid,
    "tanh": bp.Tanh,
}
LOSSES = ["mse", "ce_labels", "ce_probs"]

# (N, n, m): batch size, input width, output width. m >= 2 so cross-entropy is not trivial.
shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(2, 5))
seeds = st.integers(0, 2**32 - 1)
hidden = st.integers(2, 5)  # width 1 would be a bottleneck that shrinks gradients toward FD noise


def assert_matches_fd(analytic: Array, numeric: Array, loss: float, what: str = "") -> None:
    """relative_error(analytic, numeric) < 1e-7, for gradients that finite differences resolve
    (``loss`` is L at the point, which sets the rounding noise of the differences)."""
    assert analytic.shape == numeric.shape
    noise = np.sqrt(numeric.size) * np.finfo(np.float64).eps * max(abs(loss), 1.0) / EPS
    assume(float(np.linalg.norm(numeric)) > noise / TOL)
    err = bp.relative_error(analytic, numeric)
    assert err < TOL, f"{what}: relative error {err:.2e}"


def assume_off_the_kink(act: str, *Zs: Array) -> None:
    """ReLU is not differentiable at 0: skip examples with a pre-activation so close to 0 that
    a perturbation of EPS (times an input of size ~10) could cross it."""
    if act == "relu":
        assume(all(float(np.abs(Z).min()) > 1e-3 for Z in Zs))


def make_loss(kind: str) -> bp.Loss:
    return bp.MSELoss() if kind == "mse" else bp.SoftmaxCrossEntropyLoss()


def make_target(kind: str, rng: np.random.Generator, N: int, m: int) -> NDArray[Any]:
    if kind == "mse":
        return rng.standard_normal((N, m))
    if kind == "ce_labels":
        return rng.integers(0, m, size=N)
    P = rng.random((N, m)) + 0.05  # a strictly positive probability matrix, rows sum to 1
    return P / P.sum(axis=1, keepdims=True)


def activation_inputs(name: str, rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    """Standard-normal pre-activations; for ReLU, none within 1e-3 of its kink at 0,
    where central differences would straddle the non-differentiable point."""
    Z = rng.standard_normal(shape)
    if name == "relu":
        Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    return Z


def build_net(act: str, n: int, h: int, m: int, rng: np.random.Generator) -> bp.Sequential:
    """Linear -> act -> Linear -> act -> Linear: three weight layers, two hidden activations."""
    A = ACTIVATIONS[act]
    net = bp.Sequential(
        bp.Linear(n, h, rng=rng),
        A(),
        bp.Linear(h, h, rng=rng),
        A(),
        bp.Linear(h, m, rng=rng),
    )
    # Random, non-zero biases: with the default zeros, a dead ReLU unit feeds z = 0 exactly
    # into the next layer, where central differences straddle ReLU's kink.
    for layer in net.layers:
        if isinstance(layer, bp.Linear):
            layer.b[:] = rng.uniform(0.1, 0.5, layer.b.shape) * rng.choice([-1, 1], layer.b.shape)
    return net


def backward_by_layer(net: bp.Sequential, grad: Array) -> tuple[dict[int, Array], Array]:
    """Run the reverse loop one layer at a time.

    Returns ``upstream`` with ``upstream[i]`` = dL/d(output of layer i), the gradient that
    layer i's ``backward`` receives (for a Linear layer this is its delta), and dL/dX.
    """
    upstream: dict[int, Array] = {}
    g = grad
    for i in reversed(range(len(net.layers))):
        upstream[i] = g
        g = net.layers[i].backward(g)
    return upstream, g


def forward_from(net: bp.Sequential, start: int, A: Array) -> Array:
    for layer in net.layers[start:]:
        A = layer.forward(A)
    return A


@pytest.mark.parametrize("loss_kind", LOSSES)
@pytest.mark.parametrize("act", [*ACTIVATIONS, "identity"])
@given(shape=shapes, seed=seeds)
def test_bp1_output_delta(act: str, loss_kind: str, shape: tuple[int, int, int], seed: int) -> None:
    """BP1: delta^L = dL/da^L ⊙ sigma'(z^L), for every activation and both losses.

    ``identity`` is a network ending in a Linear layer (sigma' = 1): then delta^L is the
    loss gradient itself, e.g. the fused softmax-cross-entropy (softmax(Z) - Y) / N.
    """
    N, _, m = shape
    rng = np.random.default_rng(seed)
    Z = activation_inputs(act, rng, (N, m))
    target = make_target(loss_kind, rng, N, m)
    loss_fn = make_loss(loss_kind)

    if act == "identity":
        loss_fn.forward(Z, target)
        delta = loss_fn.backward()
        # The loss gradients written from their formulas.
        if loss_kind == "mse":
            expected = 2 * (Z - target) / Z.size
        else:
            Y = np.eye(m)[target] if loss_kind == "ce_labels" else target
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
            expected = (P - Y) / N
        np.testing.assert_allclose(delta, expected, rtol=1e-10, atol=1e-15)

        def L(z: Array) -> float:
            return loss_fn.forward(z, target)

    else:
        layer = ACTIVATIONS[act]()
        loss_fn.forward(layer.forward(Z), target)
        dL_dA = loss_fn.backward()
        delta = layer.backward(dL_dA)
        np.testing.assert_allclose(delta, dL_dA * SIGMA_PRIME[act](Z), rtol=1e-10, atol=1e-15)

        def L(z: Array) -> float:
            return loss_fn.forward(ACTIVATIONS[act]().forward(z), target)

    assert_matches_fd(delta, bp.numerical_gradient(L, Z.copy(), EPS), L(Z), "delta^L")


@pytest.mark.parametrize("loss_kind", LOSSES)
@pytest.mark.parametrize("act", list(ACTIVATIONS))
@given(shape=shapes, h=hidden, seed=seeds)
def test_bp2_recursion(
    act: str, loss_kind: str, shape: tuple[int, int, int], h: int, seed: int
) -> None:
    """BP2: delta^k = (W^{k+1})^T delta^{k+1} ⊙ sigma'(z^k), through two hidden layers.

    Row form: ``delta_k = (delta_{k+1} @ W_{k+1}) * sigma'(Z_k)``. Checked at both hidden
    layers, against the package's backward and against finite differences of L wrt z^k.
    """
    N, n, m = shape
    rng = np.random.default_rng(seed)
    net = build_net(act, n, h, m, rng)
    X = rng.standard_normal((N, n))
    target = make_target(loss_kind, rng, N, m)
    loss_fn = make_loss(loss_kind)

    # Pre-activations z^1 (output of layer 0) and z^2 (output of layer 2).
    Z1 = net.layers[0].forward(X)
    Z2 = net.layers[2].forward(net.layers[1].forward(Z1))
    assume_off_the_kink(act, Z1, Z2)
    loss_fn.forward(forward_from(net, 3, Z2), target)
    delta3 = loss_fn.backward()  # output layer is Linear: delta^3 = dL/dz^3 (BP1, sigma' = 1)
    upstream, dX = backward_by_layer(net, delta3)
    # Sequential.backward runs the same reverse loop.
    np.testing.assert_array_equal(net.backward(delta3), dX)
    W2, W3 = net.layers[2].W, net.layers[4].W  # type: ignore[attr-defined]

    # The recursion, written out, compared with what the package's reverse loop produced.
    delta2 = (delta3 @ W3) * SIGMA_PRIME[act](Z2)
    delta1 = (delta2 @ W2) * SIGMA_PRIME[act](Z1)
    np.testing.assert_allclose(upstream[2], delta2, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(upstream[0], delta1, rtol=1e-10, atol=1e-15)

    # The recursion gives the true dL/dz^k.
    def L_of_Z2(z: Array) -> float:
        return loss_fn.forward(forward_from(net, 3, z), target)

    def L_of_Z1(z: Array) -> float:
        return loss_fn.forward(forward_from(net, 1, z), target)

    loss = L_of_Z2(Z2)
    assert_matches_fd(delta2, bp.numerical_gradient(L_of_Z2, Z2.copy(), EPS), loss, "delta^2")
    assert_matches_fd(delta1, bp.numerical_gradient(L_of_Z1, Z1.copy(), EPS), loss, "delta^1")


class Backpropagated:
    """A 3-weight-layer net after one forward and a layer-by-layer backward."""

    def __init__(
        self, act: str, loss_kind: str, shape: tuple[int, int, int], h: int, seed: int
    ) -> None:
        N, n, m = shape
        rng = np.random.default_rng(seed)
        self.net = build_net(act, n, h, m, rng)
        self.X = rng.standard_normal((N, n))
        self.target = make_target(loss_kind, rng, N, m)
        self.loss_fn = make_loss(loss_kind)
        self.loss = self.L(self.X)
        self.linears = [(i, l) for i, l in enumerate(self.net.layers) if isinstance(l, bp.Linear)]
        # A_{k-1}: the input each Linear layer cached in forward.
        self.inputs = {i: np.array(l.A_prev) for i, l in self.linears}  # type: ignore[attr-defined]
        self.upstream, self.dX = backward_by_layer(self.net, self.loss_fn.backward())
        hidden_Z = [self.inputs[i] @ lin.W.T + lin.b for i, lin in self.linears[:-1]]
        assume_off_the_kink(act, *hidden_Z)

    def L(self, _: Array) -> float:
        """The loss at the net's current weights and ``self.X`` (both read by reference)."""
        return self.loss_fn.forward(self.net.forward(self.X), self.target)


@pytest.mark.parametrize("loss_kind", LOSSES)
@pytest.mark.parametrize("act", list(ACTIVATIONS))
@given(shape=shapes, h=hidden, seed=seeds)
def test_bp3_weight_gradient(
    act: str, loss_kind: str, shape: tuple[int, int, int], h: int, seed: int
) -> None:
    """BP3: dL/dW^k = delta^k (a^{k-1})^T summed over the batch, i.e. ``delta.T @ A_prev``."""
    run = Backpropagated(act, loss_kind, shape, h, seed)
    for i, layer in run.linears:
        delta, A_prev = run.upstream[i], run.inputs[i]
        # Sum over samples s of the column-form outer product delta_s a_s^T.
        expected = np.einsum("si,sj->ij", delta, A_prev)
        assert layer.dW is not None and layer.dW.shape == layer.W.shape
        np.testing.assert_allclose(layer.dW, expected, rtol=1e-10, atol=1e-15)
    analytic = {i: np.array(layer.dW) for i, layer in run.linears}
    for i, layer in run.linears:
        numeric = bp.numerical_gradient(run.L, layer.W, EPS)
        assert_matches_fd(analytic[i], numeric, run.loss, f"dW of layer {i}")


@pytest.mark.parametrize("loss_kind", LOSSES)
@pytest.mark.parametrize("act", list(ACTIVATIONS))
@given(shape=shapes, h=hidden, seed=seeds)
def test_bp4_bias_and_input_gradient(
    act: str, loss_kind: str, shape: tuple[int, int, int], h: int, seed: int
) -> None:
    """BP4: dL/db^k = delta^k summed over the batch; and dL/da^{k-1} = (W^k)^T delta^k,
    in row form ``dA_prev = delta @ W``, which at the first layer is dL/dX."""
    run = Backpropagated(act, loss_kind, shape, h, seed)
    for i, layer in run.linears:
        delta = run.upstream[i]
        expected_db = sum(delta[s] for s in range(delta.shape[0]))
        assert layer.db is not None and layer.db.shape == layer.b.shape
        np.testing.assert_allclose(layer.db, expected_db, rtol=1e-10, atol=1e-15)
        # dA_prev of layer i is what the layer below received: dL/d(output of layer i - 1).
        dA_prev = run.upstream[i - 1] if i > 0 else run.dX
        np.testing.assert_allclose(dA_prev, delta @ layer.W, rtol=1e-10, atol=1e-15)
    analytic = {i: np.array(layer.db) for i, layer in run.linears}
    dX = np.array(run.dX)
    for i, layer in run.linears:
        numeric = bp.numerical_gradient(run.L, layer.b, EPS)
        assert_matches_fd(analytic[i], numeric, run.loss, f"db of layer {i}")
    assert_matches_fd(dX, bp.numerical_gradient(run.L, run.X, EPS), run.loss, "dL/dX")
