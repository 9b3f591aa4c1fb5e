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
# # Bug clinic
#
# A backward pass with a bug still runs, still returns arrays of the right shapes, and often still
# trains, only worse. The gradient check is what catches it. Here we plant four classic bugs, each
# as a small subclass that overrides **one** method of the real class in `backprop`, and run
# `bp.check_gradients` on a network built with the buggy class and then on the same network (same
# weights, same data) built with the real one.
#
# | bug | where | equation it breaks |
# |---|---|---|
# | $\sigma'(a)$ used where $\sigma'(z)$ belongs | `Sigmoid._sigma_prime` | BP1 / BP2 |
# | missing transpose, $W\delta$ for $W^\top\delta$ | `Linear.backward` | BP4 (input gradient), then BP2 |
# | bias gradient averaged twice | `Linear.backward_params` | BP4 (bias gradient) |
# | missing $1/N$ in the loss gradient | `SoftmaxCrossEntropyLoss.backward` | BP1 (output delta) |
#
# `check_gradients` returns one relative error per array: every weight `i.W`, every bias `i.b`
# and the `input`. Here `i` is the module's index in the `Sequential`, counted from 0 with the
# activations included, not the layer number $k$ of the math: in the 4-5-5-3 network below,
# `0.W` is $W^{(1)}$, `2.W` is $W^{(2)}$ and `4.W` is $W^{(3)}$. Which arrays fail tells where to
# look.

# %%
import html
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import backprop as bp


class MarkdownTable(Markdown):
    """A table on the page; text when run as `python this_file.py`."""

    def __repr__(self):
        return html.unescape(re.sub(r"</?\w+>", "", self.data.replace("<sup>", "^")))


plt.rcParams["figure.facecolor"] = "white"  # legible in light and dark mode

N = 8  # batch size; N > 1 matters, see bugs (c) and (d)
X = np.random.default_rng(1).standard_normal((N, 4))
y = np.random.default_rng(2).integers(0, 3, size=N)
TOL, LARGE = 1e-7, 1e-3
clinic = {}  # bug -> (errors with the bug, errors fixed)


def build(activation=bp.Tanh, middle=bp.Linear):
    """A 4-5-5-3 network. The same seed gives the same weights,
    whichever classes are passed in."""
    rng = np.random.default_rng(0)
    return bp.Sequential(
        bp.Linear(4, 5, rng=rng),
        activation(),
        middle(5, 5, rng=rng),
        bp.Tanh(),
        bp.Linear(5, 3, rng=rng),
    )


def report(bug, buggy, fixed):
    clinic[bug] = (buggy, fixed)
    lines = [
        "| array | with the bug | fixed (the real package) |",
        "|---|---:|---:|",
    ]
    for name in buggy:
        flag = " **fails**" if buggy[name] > TOL else ""
        bad, good = f"{buggy[name]:.1e}{flag}", f"{fixed[name]:.1e}"
        lines.append(f"| `{name}` | {bad} | {good} |")
    display(MarkdownTable("\n".join(lines)))


# %% [markdown]
# ## (a) The sigmoid's derivative taken at a instead of z
#
# BP1 and BP2 multiply by $\sigma'(z^{(k)})$, the derivative at the *pre-activation*. `Sigmoid`
# caches its output $a = \sigma(z)$ and uses $\sigma'(z) = a(1-a)$. The bug uses $\sigma'(a)$ where
# $\sigma'(z)$ belongs: it evaluates the derivative formula at the cached $a$ as if it were $z$,
# giving $\sigma(a)(1-\sigma(a))$. Both values lie in $(0, 1/4]$, so the gradients have plausible
# sizes and nothing looks wrong.


# %%
class SigmoidPrimeOfOutput(bp.Sigmoid):
    def _sigma_prime(self, A):
        # BUG: runs the sigmoid again, on a instead of z, ...
        sigma_of_a, _ = super()._sigma(A)
        # ... so this is σ'(a), where σ'(z) = a (1 - a) belongs
        return super()._sigma_prime(sigma_of_a)


loss_fn = bp.SoftmaxCrossEntropyLoss()
buggy_net = build(activation=SigmoidPrimeOfOutput)
buggy = bp.check_gradients(buggy_net, loss_fn, X, y)
fixed = bp.check_gradients(build(activation=bp.Sigmoid), loss_fn, X, y)
report(r"(a) $\sigma'(a)$ for $\sigma'(z)$", buggy, fixed)

assert max(buggy["0.W"], buggy["0.b"], buggy["input"]) > LARGE
# the arrays above the sigmoid are fine:
assert max(buggy["2.W"], buggy["2.b"], buggy["4.W"], buggy["4.b"]) < TOL
assert max(fixed.values()) < TOL

# %% [markdown]
# Only the arrays *below* the sigmoid (layer 0 and the input) fail: the gradients of layers 2 and 4
# never pass through the sigmoid's backward. That localizes the bug to the sigmoid, or to the input
# gradient that layer 2 hands down to it. Bug (b) shows the second case, with the same pattern.

# %% [markdown]
# ## (b) A missing transpose
#
# BP4 sends $\partial\ell/\partial a^{(k-1)} = (W^{(k)})^\top \delta^{(k)}$ down; in row form that
# is `delta @ W`. Writing `delta @ W.T` computes $W\delta$ instead. For a rectangular layer the
# shapes would not match and NumPy would raise, but in a **square** layer (5 to 5 here) nothing
# complains.


# %%
class LinearNoTranspose(bp.Linear):
    def backward(self, delta):
        delta = self.backward_params(delta)  # dW and db are still right
        # BUG: this is the row form of W delta; W^T delta is delta @ W
        return delta @ self.W.T


buggy = bp.check_gradients(build(middle=LinearNoTranspose), loss_fn, X, y)
fixed = bp.check_gradients(build(), loss_fn, X, y)
report("(b) missing transpose", buggy, fixed)

assert max(buggy["0.W"], buggy["0.b"], buggy["input"]) > LARGE
# the square layer's own dW and db are right:
assert max(buggy["2.W"], buggy["2.b"]) < TOL
assert max(fixed.values()) < TOL

# %% [markdown]
# Layer 2's own `dW` and `db` pass, because BP3 and the bias part of BP4 do not involve the
# transpose. Everything that receives its gradient *through* layer 2 fails: the same pattern as in
# (a), so the next step would be to check layers 1 and 2 on their own, as the notebook
# [Checking every equation](../01_check_equations/) does for each layer.

# %% [markdown]
# ## (c) The bias gradient averaged twice
#
# The loss is a mean over the batch, so $\delta^{(L)}$ already carries the factor $1/N$, and BP4 in
# batch form *sums* $\delta$ over the samples: `db = delta.sum(axis=0)`. Writing
# `delta.mean(axis=0)` divides by $N$ a second time.


# %%
class LinearBiasMean(bp.Linear):
    def backward_params(self, delta):
        delta = super().backward_params(delta)
        # BUG: delta already carries the loss's 1/N
        self.db = delta.mean(axis=0)
        return delta


buggy = bp.check_gradients(build(middle=LinearBiasMean), loss_fn, X, y)
fixed = bp.check_gradients(build(), loss_fn, X, y)
report("(c) bias averaged twice", buggy, fixed)

assert buggy["2.b"] > LARGE
others = [err for name, err in buggy.items() if name != "2.b"]
assert max(others) < TOL  # nothing else is wrong
assert max(fixed.values()) < TOL
print(f"relative error of 2.b: {buggy['2.b']:.4f}")
print(f"(N - 1) / (N + 1) =    {(N - 1) / (N + 1):.4f}")

# %% [markdown]
# Exactly one array fails. Since the buggy gradient is the right one divided by $N$, the relative
# error is $\frac{\lVert g - g/N\rVert}{\lVert g\rVert + \lVert g/N\rVert} = \frac{N-1}{N+1}$.
# With a batch of one sample it is 0, so **a gradient check on a single sample cannot see this
# bug**:

# %%
buggy_net = build(middle=LinearBiasMean)
single = bp.check_gradients(buggy_net, loss_fn, X[:1], y[:1])
print(f"with N = 1, relative error of 2.b: {single['2.b']:.1e}")
assert single["2.b"] < TOL

# %% [markdown]
# ## (d) A missing 1/N in the loss gradient
#
# The forward pass returns the *mean* cross-entropy, $\mathcal{L} = \frac{1}{N}\sum_s \ell_s$, so
# row $s$ of the output delta is $\frac{1}{N}(p_s - y_s)^\top$. Dropping the $1/N$ scales every gradient by $N$. Training
# would still move in the right direction, just with a learning rate $N$ times too large, which is
# why this bug survives so long in practice.


# %%
class CrossEntropyNoMean(bp.SoftmaxCrossEntropyLoss):
    def backward(self):
        # BUG: forward averaged over the N samples, this gradient does not
        return self.probs - self.Y


buggy = bp.check_gradients(build(), CrossEntropyNoMean(), X, y)
fixed = bp.check_gradients(build(), bp.SoftmaxCrossEntropyLoss(), X, y)
report("(d) missing 1/N", buggy, fixed)

assert min(buggy.values()) > LARGE  # every array fails ...
# ... all by the same amount:
assert np.allclose(list(buggy.values()), (N - 1) / (N + 1), rtol=1e-6)
assert max(fixed.values()) < TOL

# %% [markdown]
# Every array fails with the *same* relative error, $(N-1)/(N+1) = 7/9$ for $N = 8$: the
# signature of a gradient that is right up to a constant factor. A uniform error points at the
# loss, or at a scale applied to all layers.

# %% [markdown]
# ## The four bugs at a glance
#
# Relative error of every array, with the bug (red) and with the real package (blue), on a log
# scale. The dashed line is the $10^{-7}$ threshold.

# %%
fig, axes = plt.subplots(2, 2, figsize=(7.5, 5.6), sharex=True, sharey=True)
for ax, bug in zip(axes.ravel(), clinic, strict=True):
    buggy, fixed = clinic[bug]
    names = list(buggy)
    ypos = np.arange(len(names))
    ax.barh(
        ypos - 0.2,
        [buggy[n] for n in names],
        height=0.4,
        color="tab:red",
        label="with the bug",
    )
    ax.barh(
        ypos + 0.2,
        [fixed[n] for n in names],
        height=0.4,
        color="tab:blue",
        label="fixed",
    )
    ax.axvline(TOL, color="black", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlim(1e-12, 3)
    ax.set_yticks(ypos, names)
    ax.set_title(bug, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
for ax in axes[1]:
    ax.set_xlabel("relative error (log scale)")
axes[0, 0].invert_yaxis()  # shared y axis: invert once, 0.W on top
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=9)
fig.tight_layout(rect=(0, 0, 1, 0.95))
plt.show()
