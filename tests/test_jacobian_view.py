"""The derivation's Jacobian view: each backward step is a vector-Jacobian product.

The Jacobians are built here by central differences, entry by entry, from forward passes only;
the products with them must equal what the package's backward pass computes (one sample,
column vectors, so row s of the batch code times N).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import backprop as bp


def jacobian(f: Callable[[np.ndarray], np.ndarray], u: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d u for column vectors: entry (i, j) is d f_i / d u_j."""
    cols = []
    for j in range(u.size):
        e = np.zeros(u.size)
        e[j] = eps
        e = e.reshape(u.shape)
        cols.append(((f(u + e) - f(u - e)) / (2 * eps)).reshape(-1))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("act", [bp.Tanh, bp.Sigmoid])
@pytest.mark.parametrize("seed", [0, 1])
def test_bp2_is_a_product_with_the_two_jacobians(act: type[bp.Activation], seed: int) -> None:
    """delta(k) = diag(sigma'(z(k))) W(k+1)^T delta(k+1), with both Jacobians numerical."""
    rng = np.random.default_rng(seed)
    N = 3
    net = bp.Sequential(bp.Linear(4, 5, rng=rng), act(), bp.Linear(5, 3, rng=rng))
    X, y = rng.standard_normal((N, 4)), rng.integers(0, 3, size=N)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    Z1 = net.layers[0].forward(X)
    loss_fn.forward(net.layers[2].forward(net.layers[1].forward(Z1)), y)
    Delta2 = loss_fn.backward()
    Delta1 = net.layers[1].backward(net.layers[2].backward(Delta2))
    W2, b2 = net.layers[2].W, net.layers[2].b
    sigma = act()
    for s in range(N):
        z1 = Z1[s].reshape(-1, 1)
        a1 = sigma.forward(z1.T).T
        J_affine = jacobian(lambda a: W2 @ a + b2.reshape(-1, 1), a1)  # dz(2)/da(1)
        J_act = jacobian(lambda z: sigma.forward(z.T).T, z1)  # da(1)/dz(1)
        np.testing.assert_allclose(J_affine, W2, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(J_act, np.diag(np.diag(J_act)), atol=1e-12)  # diagonal
        delta2 = N * Delta2[s].reshape(-1, 1)
        vjp = J_act.T @ (J_affine.T @ delta2)
        np.testing.assert_allclose(vjp, N * Delta1[s].reshape(-1, 1), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_jacobian_and_the_ce_delta(seed: int) -> None:
    """J = diag(p) - p p^T, and J^T dl/dp = p - y, equal to the package's delta times N."""
    rng = np.random.default_rng(seed)
    C, N = 4, 5
    Z, y = rng.standard_normal((N, C)), rng.integers(0, C, size=N)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(Z, y)
    Delta = loss_fn.backward()
    for s in range(N):
        z = Z[s].reshape(-1, 1)
        p = np.exp(z) / np.exp(z).sum()  # softmax written from the math
        J = jacobian(lambda z_: np.exp(z_) / np.exp(z_).sum(), z)
        np.testing.assert_allclose(J, np.diag(p[:, 0]) - p @ p.T, rtol=1e-7, atol=1e-10)
        y_onehot = np.eye(C)[y[s]].reshape(-1, 1)
        dl_dp = -y_onehot / p
        np.testing.assert_allclose(J.T @ dl_dp, p - y_onehot, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(J.T @ dl_dp, N * Delta[s].reshape(-1, 1), rtol=1e-7, atol=1e-9)
