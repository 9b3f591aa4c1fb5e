"""A float32 model stays float32 end to end: no silent promotion to float64 anywhere."""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp

F32 = np.float32


def float32_net(rng: np.random.Generator) -> bp.Sequential:
    return bp.Sequential(
        bp.Linear(5, 8, rng=rng, dtype=F32),
        bp.ReLU(),
        bp.Linear(8, 8, rng=rng, dtype=F32, init="xavier"),
        bp.Sigmoid(),
        bp.Linear(8, 6, rng=rng, dtype=F32, init="xavier"),
        bp.Tanh(),
        bp.Linear(6, 3, rng=rng, dtype=F32),
    )


OPTIMIZERS = {
    "sgd": lambda p: bp.SGD(p, lr=0.1),
    "sgd_momentum_wd": lambda p: bp.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "adam": lambda p: bp.Adam(p, lr=1e-3),
    "adam_wd": lambda p: bp.Adam(p, lr=1e-3, weight_decay=1e-2),
}


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("loss_name", ["ce_labels", "ce_onehot_float64", "mse_float64_target"])
@pytest.mark.parametrize("x_dtype", [np.float32, np.float64, np.int64])
def test_float32_end_to_end(opt_name: str, loss_name: str, x_dtype: type) -> None:
    """Weights, activations, gradients, loss gradient and optimizer state stay float32, even when
    the data (X, or the targets) arrive as float64 or int64."""
    rng = np.random.default_rng(0)
    net = float32_net(rng)
    X = (10 * rng.standard_normal((7, 5))).astype(x_dtype)
    labels = rng.integers(0, 3, size=7)
    target = {
        "ce_labels": labels,
        "ce_onehot_float64": np.eye(3)[labels],
        "mse_float64_target": rng.standard_normal((7, 3)),
    }[loss_name]
    loss_fn = bp.MSELoss() if loss_name.startswith("mse") else bp.SoftmaxCrossEntropyLoss()
    opt = OPTIMIZERS[opt_name](net.parameters())
    params = net.parameters()
    ids = [id(p.value) for p in params]

    for _ in range(3):  # several steps: momentum buffers and Adam moments kick in
        A = X
        for layer in net.layers:
            A = layer.forward(A)
            assert A.dtype == F32, layer
        loss = loss_fn.forward(A, target)
        assert isinstance(loss, float)
        grad = loss_fn.backward()
        assert grad.dtype == F32
        dX = net.backward(grad)
        assert dX is not None and dX.dtype == F32
        assert net.backward(grad, need_input_grad=False) is None
        for p in params:
            assert p.grad.dtype == F32, p.name
        opt.step()
        for p in params:
            assert p.value.dtype == F32, p.name
    assert [id(p.value) for p in params] == ids  # updated in place, never replaced

    state = []
    if isinstance(opt, bp.SGD):
        state = [v for v in opt.velocity if v is not None]
    elif isinstance(opt, bp.Adam):
        state = opt.m + opt.v
    assert all(s.dtype == F32 for s in state)
    assert net.predict(X).dtype == F32


def test_float32_fit_and_evaluate() -> None:
    rng = np.random.default_rng(1)
    X, y = bp.datasets.xor(n=64, rng=rng)  # float64 data into a float32 model
    net = bp.Sequential(
        bp.Linear(2, 8, rng=rng, dtype=F32), bp.Tanh(), bp.Linear(8, 2, rng=rng, dtype=F32)
    )
    history = bp.fit(
        net,
        bp.SoftmaxCrossEntropyLoss(),
        bp.SGD(net.parameters(), lr=0.1, momentum=0.9),
        X,
        y,
        epochs=3,
        batch_size=16,
        rng=rng,
    )
    assert all(p.value.dtype == F32 for p in net.parameters())
    assert np.isfinite(history["loss"]).all()


def test_init_and_activations_keep_float32() -> None:
    rng = np.random.default_rng(0)
    for init in ("he", "xavier"):
        layer = bp.Linear(4, 3, rng=rng, dtype=F32, init=init)
        assert layer.W.dtype == F32 and layer.b.dtype == F32
    Z = rng.standard_normal((2, 3)).astype(F32)
    for act in (bp.ReLU(), bp.Sigmoid(), bp.Tanh()):
        assert act.forward(Z).dtype == F32
        assert act.backward(np.ones((2, 3))).dtype == F32  # a float64 upstream grad is cast
    assert bp.softmax(Z).dtype == F32 and bp.log_softmax(Z).dtype == F32
