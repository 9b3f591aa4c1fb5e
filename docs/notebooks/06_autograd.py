# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # From equations to autograd
#
# BP1-BP4 are the chain rule worked out once for one kind of layer. Autograd systems such as
# PyTorch's do not know those four equations. They know only the **local rules** of the
# [worked example's graph](../worked_example.md#the-graph-it-runs-on): every operation records its
# inputs and its local derivatives, and one backward walk multiplies upstream gradients by local
# ones and adds up what arrives at each value. This notebook writes such an engine for scalars,
# in about 60 lines, and checks that it reproduces the package's BP1-BP4 results on the
# [worked example](../worked_example.md) to $10^{-12}$.
#
# **Form:** one sample, column vectors, as on the worked-example page, except in the timing at the
# end, which uses a batch. With $N = 1$ the batch loss $\mathcal{L}$ is the sample's loss $\ell$.

# %%
import math
import time

import numpy as np
from IPython.display import Markdown, display

import backprop as bp


class MarkdownTable(Markdown):
    """A table on the page; text when run as `python this_file.py`."""

    def __repr__(self):
        return self.data


# %% [markdown]
# ## The engine
#
# A `Value` holds a number (`data`), the gradient $\partial\ell/\partial(\text{value})$ (`grad`),
# and, if an operation made it, the operation's inputs with the local derivative of the output
# with respect to each of them. `backward()` orders the graph so that every value comes after
# everything it was computed from (a topological order), seeds $\partial\ell/\partial\ell = 1$,
# and walks that order in reverse: each value hands `upstream * local` to each of its inputs, and
# an input **adds** (`+=`) what it receives, because it may receive from several places.


# %%
class Value:
    """A scalar in a computation graph: data, gradient, and how it was made."""

    def __init__(self, data, inputs=(), local_grads=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs  # the Values this one was computed from
        self.local_grads = local_grads  # d(self)/d(input), one per input
        self.op = op

    def __repr__(self):
        return f"Value({self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def lift(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):  # add: both local derivatives are 1
        other = Value.lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):  # multiply: each input's local derivative is the other factor
        other = Value.lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):  # k a plain number
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Value.lift(other))

    def __truediv__(self, k):  # divide by a plain number
        return self * (1.0 / k)

    __radd__ = __add__
    __rmul__ = __mul__

    def sigmoid(self):  # local derivative a (1 - a), from the output, as bp.Sigmoid caches it
        a = 1.0 / (1.0 + math.exp(-self.data))
        return Value(a, (self,), (a * (1.0 - a),), "sigmoid")

    def relu(self):  # max(z, 0): the gradient goes to the winner
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), "relu")

    def backward(self):
        """Set .grad of every Value this one depends on to d(self)/d(value)."""
        order, seen = [], set()

        def visit(v):  # depth first: a value goes in after all of its inputs
            if id(v) not in seen:
                seen.add(id(v))
                for u in v.inputs:
                    visit(u)
                order.append(v)

        visit(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0  # d loss / d loss
        for v in reversed(order):
            for u, local in zip(v.inputs, v.local_grads, strict=True):
                u.grad += v.grad * local  # upstream times local, summed over every use


# %% [markdown]
# `backward` clears the gradients of the graph it walks before it starts, so calling it twice gives
# the same answer. What it **never** does is let one use of a value replace another: `+=` is the
# fork rule.
#
# ## The worked example, one scalar at a time
#
# The same network as the worked-example page: inputs $x$, target $y$, both layers with the logistic
# sigmoid, and `bp.MSELoss`, the mean over the $m = 2$ outputs. First the package, as the page runs
# it. The delta of a layer is what the sigmoid's `backward` returns, so a small `bp.Sigmoid`
# subclass keeps it.

# %%
x = np.array([0.05, 0.10])
y = np.array([0.01, 0.99])
W1, b1 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([0.35, 0.35])
W2, b2 = np.array([[0.40, 0.45], [0.50, 0.55]]), np.array([0.60, 0.60])


class KeepDelta(bp.Sigmoid):
    def backward(self, grad):
        self.delta = super().backward(grad)  # delta = dl/da ⊙ sigma'(z), from the package
        return self.delta


def package_gradients():
    """dW, db and delta of both layers from bp.Sequential, bp.MSELoss, net.backward."""
    sig1, sig2 = KeepDelta(), KeepDelta()
    net = bp.Sequential(bp.Linear(2, 2), sig1, bp.Linear(2, 2), sig2)
    for lin, W, b in ((net.layers[0], W1, b1), (net.layers[2], W2, b2)):
        lin.W[...], lin.b[...] = W, b
    loss_fn = bp.MSELoss()
    loss = loss_fn.forward(net.forward(x[None, :]), y[None, :])
    net.backward(loss_fn.backward())
    lin1, lin2 = net.layers[0], net.layers[2]
    return loss, {
        "dW1": lin1.dW,
        "db1": lin1.db,
        "delta1": sig1.delta[0],
        "dW2": lin2.dW,
        "db2": lin2.db,
        "delta2": sig2.delta[0],
    }


package_loss, package = package_gradients()

# %% [markdown]
# Now the engine. Every weight, bias and input entry is a `Value`; the forward pass is written
# entry by entry, $z_i = \sum_j W_{ij} a_j + b_i$, exactly as the page substitutes numbers.


# %%
def values(array):
    return np.array([Value(v) for v in np.ravel(array)], dtype=object).reshape(np.shape(array))


def scalar_forward(x_, y_, W1_, b1_, W2_, b2_):
    """The example's loss as a graph of scalar Values; returns (loss, z1, z2)."""
    z1 = [sum((W1_[i, j] * x_[j] for j in range(2)), b1_[i]) for i in range(2)]
    a1 = [z.sigmoid() for z in z1]
    z2 = [sum((W2_[i, j] * a1[j] for j in range(2)), b2_[i]) for i in range(2)]
    a2 = [z.sigmoid() for z in z2]
    loss = sum((a2[i] - y_[i]) ** 2 for i in range(2)) / 2  # MSELoss: mean over m = 2
    return loss, z1, z2


vx, vW1, vb1, vW2, vb2 = values(x), values(W1), values(b1), values(W2), values(b2)
loss, z1, z2 = scalar_forward(vx, y, vW1, vb1, vW2, vb2)
loss.backward()

grad = np.vectorize(lambda v: v.grad, otypes=[float])
engine = {
    "dW1": grad(vW1),
    "db1": grad(vb1),
    "delta1": grad(np.array(z1, dtype=object)),  # delta = dl/dz: the grad of the z Values
    "dW2": grad(vW2),
    "db2": grad(vb2),
    "delta2": grad(np.array(z2, dtype=object)),
}

rows = ["| gradient | engine | package | largest difference |", "| --- | --- | --- | --- |"]
for name, g in engine.items():
    np.testing.assert_allclose(g, package[name], rtol=1e-12, atol=0)
    diff = np.abs(g - package[name]).max()
    fmt = lambda a: ", ".join(f"{v:.9f}" for v in np.ravel(a))  # noqa: E731
    rows.append(f"| `{name}` | {fmt(g)} | {fmt(package[name])} | {diff:.1e} |")
assert abs(loss.data - package_loss) <= 1e-12 * package_loss
display(MarkdownTable("\n".join(rows)))

# %% [markdown]
# Every gradient agrees with the package to a relative $10^{-12}$ (the cell asserts it), and the
# loss too. The engine never saw BP1-BP4: they fall out of the local rules. The fork rule is in
# there, unseen: each $a^{(1)}_j$ feeds both $z^{(2)}_1$ and $z^{(2)}_2$, and its gradient is the sum
# of the two, $W^{(2)}_{1j}\delta^{(2)}_1 + W^{(2)}_{2j}\delta^{(2)}_2$, the $j$-th entry of
# $(W^{(2)})^\top\delta^{(2)}$ in BP2.
#
# ## The fork: why `+=`
#
# A value used twice gets two gradients back, and its gradient is their sum. The smallest case is
# $f(u) = u \cdot u + u$, with $f'(u) = 2u + 1$. Here is the same engine with one character changed,
# `=` for `+=`, so that each use *replaces* the gradient instead of adding to it.


# %%
def backward_overwriting(out):
    """Value.backward with `=` instead of `+=`: the last use of a value wins."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for u in v.inputs:
                visit(u)
            order.append(v)

    visit(out)
    out.grad = 1.0
    for v in reversed(order):
        for u, local in zip(v.inputs, v.local_grads, strict=True):
            u.grad = v.grad * local  # the bug


u = Value(3.0)
f = u * u + u
f.backward()
right = u.grad
backward_overwriting(f)
wrong = u.grad
print(f"f(u) = u*u + u at u = 3: f'(u) = 2u + 1 = {2 * 3.0 + 1:g}")
print(f"  with += : {right:g}")
print(f"  with =  : {wrong:g}")
assert right == 2 * 3.0 + 1 and wrong != right

# %% [markdown]
# With `=`, $u$ keeps only the gradient of the use that was processed last. The worked example has
# forks too (every $a^{(1)}_j$, every $x_j$), and the overwriting engine gets its layer-1 gradients
# wrong while layer 2's, which sit before any fork on the way back, stay right:

# %%
vx, vW1, vb1, vW2, vb2 = values(x), values(W1), values(b1), values(W2), values(b2)
loss, z1, z2 = scalar_forward(vx, y, vW1, vb1, vW2, vb2)
backward_overwriting(loss)
for name, got in (("dW2", grad(vW2)), ("dW1", grad(vW1))):
    rel = np.abs(got - package[name]).max() / np.abs(package[name]).max()
    print(f"{name} with '=': largest relative error {rel:.2e}")
np.testing.assert_allclose(grad(vW2), package["dW2"], rtol=1e-12, atol=0)
assert not np.allclose(grad(vW1), package["dW1"], rtol=1e-3, atol=0)

# %% [markdown]
# ## Accumulating (PyTorch) or overwriting (this package)
#
# PyTorch's autograd is this engine on tensors. It **accumulates** into each leaf's `.grad` for the
# same reason our engine uses `+=`: a tensor used in several places (a weight shared by two layers,
# an RNN's weights used at every time step, an embedding looked up twice) must get the sum of its
# gradients. PyTorch goes one step further and also accumulates *across* calls to `backward()`, which
# lets you add up the gradients of several small batches before one optimizer step. The price is
# that the gradients of the previous step are still there, so every training loop calls
# `optimizer.zero_grad()` before `loss.backward()`; forget it and each step uses the sum of all
# gradients so far.
#
# This package works per layer instead of per scalar: `bp.Linear.backward` **assigns**
# `self.dW, self.db = dW, db` (BP3 and BP4 for the layer's whole batch at once). There is nothing to
# clear, so there is no `zero_grad`, and a training loop cannot forget it. The price is the fork case:
# if one `bp.Linear` object appears twice in a network, the second `backward` through it overwrites
# what the first one wrote, and its forward cache (`A_prev`) holds only the last input it saw. The
# package therefore cannot share one layer between two places, and `bp.Sequential` refuses it with
# an error that says why:

# %%
rng = np.random.default_rng(0)
shared = bp.Linear(3, 3, rng=rng)
try:
    bp.Sequential(shared, bp.Tanh(), shared)  # one layer used in two places
    raise AssertionError("Sequential accepted a layer used twice")
except ValueError as err:
    print(err)
X = rng.standard_normal((4, 3))
Y = rng.standard_normal((4, 3))

separate = bp.Sequential(bp.Linear(3, 3, rng=rng), bp.Tanh(), bp.Linear(3, 3, rng=rng))
ok = bp.check_gradients(separate, bp.MSELoss(), X, Y)
assert max(ok.values()) < 1e-7
print(f"two separate layers: largest error {max(ok.values()):.1e}")

# %% [markdown]
# With two separate layers the gradients check out. Sharing would need each layer to accumulate
# over its uses, and a way to clear between steps: exactly PyTorch's `.grad` and `zero_grad()`.
#
# ## Why real code works on matrices
#
# The scalar engine is correct, but it builds one Python object per multiplication. Here are both on
# the same small batch, $N = 32$ samples through the worked example's network: the engine runs one
# graph per sample and averages, as `bp.MSELoss` averages over the batch; the package runs
# `forward` and `backward` once on the $(32, 2)$ batch. They agree first, then each is timed (best
# of 5 runs).

# %%
N = 32
Xb = rng.uniform(0, 1, size=(N, 2))
Yb = rng.uniform(0, 1, size=(N, 2))

net = bp.Sequential(bp.Linear(2, 2), bp.Sigmoid(), bp.Linear(2, 2), bp.Sigmoid())
for lin, W, b in ((net.layers[0], W1, b1), (net.layers[2], W2, b2)):
    lin.W[...], lin.b[...] = W, b
loss_fn = bp.MSELoss()


def package_step():
    loss_fn.forward(net.forward(Xb), Yb)
    net.backward(loss_fn.backward(), need_input_grad=False)
    return net.layers[0].dW


def engine_step():
    pW1, pb1, pW2, pb2 = values(W1), values(b1), values(W2), values(b2)
    total = sum(scalar_forward(values(Xb[s]), Yb[s], pW1, pb1, pW2, pb2)[0] for s in range(N))
    (total / N).backward()
    return grad(pW1)


np.testing.assert_allclose(engine_step(), package_step(), rtol=1e-12, atol=0)


def best_time(fn, repeats=5):
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


t_engine, t_package = best_time(engine_step), best_time(package_step)
print(f"scalar engine: {t_engine * 1e3:.2f} ms per forward + backward of {N} samples")
print(f"package:       {t_package * 1e3:.3f} ms")
print(f"ratio: the scalar engine takes {t_engine / t_package:.0f} times as long")

# %% [markdown]
# The ratio is measured when the site builds, on whatever machine builds it, so it is printed, not
# promised. On a network this small the package spends most of its time on Python overhead too; on a
# 784-256-10 network the engine would build more than half a million `Value` objects for each sample,
# while the package hands each layer to one matrix product. The local rules are the same; doing them for a whole
# matrix at once is what BP1-BP4 are for.
