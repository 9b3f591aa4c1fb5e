"""Sequential: forward/backward order, need_input_grad, parameters(), shapes(), predict."""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp


def make_net(rng: np.random.Generator) -> bp.Sequential:
    return bp.Sequential(
        bp.Linear(4, 6, rng=rng), bp.ReLU(), bp.Linear(6, 5, rng=rng), bp.Tanh(), bp.Linear(5, 3)
    )


def test_forward_is_the_layers_in_order() -> None:
    rng = np.random.default_rng(0)
    net = make_net(rng)
    X = rng.standard_normal((7, 4))
    A = X
    for layer in net.layers:
        A = layer.forward(A)
    np.testing.assert_array_equal(net.forward(X), A)
    np.testing.assert_array_equal(net.predict(X), A)
    assert len(net) == 5 and list(net) == net.layers


@pytest.mark.parametrize("first", ["linear", "activation"])
def test_backward_without_input_grad(first: str) -> None:
    """need_input_grad=False returns None and gives the same dW/db as the full backward."""
    rng = np.random.default_rng(1)
    net = make_net(rng)
    if first == "activation":  # then there is no Linear to shortcut; still returns None
        net = bp.Sequential(bp.Sigmoid(), *net.layers)
    X = rng.standard_normal((7, 4))
    y = rng.integers(0, 3, size=7)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(net.forward(X), y)
    grad = loss_fn.backward()
    dX = net.backward(grad)
    assert dX is not None and dX.shape == X.shape
    full = [p.grad.copy() for p in net.parameters()]
    for p in net.parameters():  # wipe, so the second pass must really recompute them
        setattr(p.owner, "d" + p.attr, None)
    assert net.backward(grad, need_input_grad=False) is None
    for p, g in zip(net.parameters(), full, strict=True):
        np.testing.assert_array_equal(p.grad, g)


def test_need_input_grad_false_skips_the_input_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first Linear computes only dW and db: its full backward (with delta @ W) is not run."""
    rng = np.random.default_rng(2)
    net = make_net(rng)
    first = net.layers[0]
    X = rng.standard_normal((3, 4))
    net.forward(X)

    def fail(_: object) -> None:
        raise AssertionError("the first layer's dA_prev was computed")

    monkeypatch.setattr(first, "backward", fail)
    net.backward(np.ones((3, 3)), need_input_grad=False)
    assert first.dW is not None  # type: ignore[attr-defined]


def test_parameters_names_and_handles() -> None:
    rng = np.random.default_rng(3)
    net = make_net(rng)
    params = net.parameters()
    assert [p.name for p in params] == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    assert params[0].value is net.layers[0].W  # type: ignore[attr-defined]
    assert params[5].value is net.layers[4].b  # type: ignore[attr-defined]
    assert [p.value.shape for p in params] == [(6, 4), (6,), (5, 6), (5,), (3, 5), (3,)]
    with pytest.raises(RuntimeError, match="no gradient for 'W' yet"):
        _ = params[0].grad
    assert bp.Sequential(bp.ReLU()).parameters() == []


def test_shapes_output() -> None:
    net = bp.Sequential(bp.Linear(64, 64), bp.ReLU(), bp.Linear(64, 10))
    assert net.shapes((32, 64)) == [
        ("input", (32, 64)),
        ("0: Linear(in_features=64, out_features=64)", (32, 64)),
        ("1: ReLU()", (32, 64)),
        ("2: Linear(in_features=64, out_features=10)", (32, 10)),
    ]


def test_repr() -> None:
    net = bp.Sequential(bp.Linear(2, 3), bp.Sigmoid())
    assert repr(net) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3)\n  (1): Sigmoid()\n)"
    )


def test_linear_attributes_and_init() -> None:
    rng = np.random.default_rng(4)
    he = bp.Linear(400, 300, rng=rng)
    xavier = bp.Linear(400, 300, rng=rng, init="xavier")
    assert he.W.shape == (300, 400) and he.b.shape == (300,)
    assert (he.in_features, he.out_features) == (400, 300)
    np.testing.assert_array_equal(he.b, 0.0)
    assert he.dW is None and he.db is None
    assert he.W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    bound = np.sqrt(6 / 700)
    assert np.abs(xavier.W).max() <= bound
    assert xavier.W.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)
    # The rng makes init reproducible.
    a = bp.Linear(3, 2, rng=np.random.default_rng(9)).W
    np.testing.assert_array_equal(a, bp.Linear(3, 2, rng=np.random.default_rng(9)).W)


def test_activations_cache_what_the_docs_say() -> None:
    """ReLU caches the mask z > 0; Sigmoid and Tanh cache their output."""
    Z = np.array([[-1.0, 0.0, 2.0]])
    relu, sig, tanh = bp.ReLU(), bp.Sigmoid(), bp.Tanh()
    relu.forward(Z)
    np.testing.assert_array_equal(relu.cache, Z > 0)
    A = sig.forward(Z)
    np.testing.assert_array_equal(sig.cache, A)
    np.testing.assert_array_equal(tanh.forward(Z), np.tanh(Z))
    np.testing.assert_array_equal(tanh.cache, np.tanh(Z))


def test_evaluate() -> None:
    rng = np.random.default_rng(5)
    net = make_net(rng)
    X = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, size=8)
    logs = bp.evaluate(net, bp.SoftmaxCrossEntropyLoss(), X, y, prefix="test_")
    logits = net.forward(X)
    assert logs["test_accuracy"] == np.mean(logits.argmax(axis=1) == y)
    assert logs["test_loss"] == pytest.approx(bp.SoftmaxCrossEntropyLoss().forward(logits, y))
    Y = rng.standard_normal((8, 3))
    assert set(bp.evaluate(net, bp.MSELoss(), X, Y)) == {"loss"}
