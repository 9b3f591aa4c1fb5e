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
# # Checking every equation
#
# The derivation gives four equations, BP1 to BP4, plus a derivative for each activation and an
# output gradient for each loss. This notebook checks every one of them against finite differences,
# using the real package (`import backprop as bp`). It runs again at every build of this site, so a
# wrong equation in `src/backprop` stops the build.
#
# **The check.** For a scalar loss $\mathcal{L}(x)$ and each entry $x_i$ of an array, the central
# difference
#
# $$
# \frac{\partial \mathcal{L}}{\partial x_i} \approx
# \frac{\mathcal{L}(x + \epsilon e_i) - \mathcal{L}(x - \epsilon e_i)}{2\epsilon},
# \qquad \epsilon = 10^{-5},
# $$
#
# has truncation error $O(\epsilon^2)$. We compare it with the gradient $g_a$ that backprop
# computes through the scale-free relative error
#
# $$
# \mathrm{err} = \frac{\lVert g_a - g_n \rVert}{\lVert g_a \rVert + \lVert g_n \rVert}.
# $$
#
# Everything runs in float64. A correct equation gives an error near $10^{-10}$; each cell asserts
# $\mathrm{err} < 10^{-7}$. A wrong one (a missing transpose, a lost factor) gives $10^{-2}$ or more.
# The [Bug clinic](../04_bug_clinic/) shows such failures.
#
# Code uses rows as samples: a batch of $N$ column vectors $a^{(k-1)}$ is the array `A_prev` of
# shape (N, n), and `delta` holds one $\delta^{(k)}$ per row.

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
np.set_printoptions(precision=4, suppress=True)

rng = np.random.default_rng(0)
N = 5  # batch size: N > 1, so the 1/N of the batch mean is checked too
TOL = 1e-7
results = []  # (check, array compared, relative error), for the summary


def record(check, what, analytic, numeric):
    """Relative error of backprop's array against finite differences."""
    err = bp.relative_error(analytic, numeric)
    results.append((check, what, err))
    print(f"{check:<18} {what:<24} relative error {err:.1e}")
    return err


def show_table(header, rows):
    """Display rows as a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    display(MarkdownTable("\n".join(lines)))


# %% [markdown]
# ## BP1: the output-layer delta
#
# $$
# \delta^{(L)} = \frac{\partial \ell}{\partial a^{(L)}} \odot \sigma'(z^{(L)})
# $$
#
# The derivation writes it for one sample; the code runs its batch form (one row per sample),
# $\Delta^{(L)} = \partial\mathcal{L}/\partial A^{(L)} \odot \sigma'(Z^{(L)})$. Take a batch of
# pre-activations $Z^{(L)}$ (the array `Z`), an output activation $\sigma$ and the mean squared
# error against targets $Y$. The activation's `backward` receives $\partial\mathcal{L}/\partial A^{(L)}$
# from the loss and returns $\Delta^{(L)}$. The finite differences perturb `Z` itself, so they
# measure $\partial\mathcal{L}/\partial Z^{(L)}$ directly.

# %%
Z = rng.standard_normal((N, 3))  # z^(L), one row per sample
Y = rng.standard_normal((N, 3))  # regression targets y
loss_fn = bp.MSELoss()

for act in (bp.Sigmoid(), bp.Tanh(), bp.ReLU()):

    def loss_of_z(Z, act=act):
        return loss_fn.forward(act.forward(Z), Y)

    loss_of_z(Z)
    grad_a = loss_fn.backward()  # dℒ/dA, (N, 3)
    delta = act.backward(grad_a)  # BP1, batch form: dℒ/dA ⊙ σ'(Z), (N, 3)
    numeric = bp.numerical_gradient(loss_of_z, Z)
    name = type(act).__name__
    err = record("BP1", f"delta, {name} + MSE", delta, numeric)
    assert err < TOL, err

# %% [markdown]
# The product is element-wise. For the sigmoid, $\operatorname{sigmoid}'(z) = a\,(1-a)$ with
# $a = \operatorname{sigmoid}(z)$, so BP1 can
# be written out by hand and compared with what `backward` returned:

# %%
sig = bp.Sigmoid()
A = sig.forward(Z)
loss_fn.forward(A, Y)
grad_a = loss_fn.backward()
by_hand = grad_a * A * (1 - A)  # dℒ/dA ⊙ a(1 - a)
print("delta (first two samples):\n", sig.backward(grad_a)[:2])
assert np.allclose(sig.backward(grad_a), by_hand, rtol=1e-15, atol=0)

# %% [markdown]
# ## BP2: the recursion
#
# $$
# \delta^{(k)} = \big((W^{(k+1)})^\top \delta^{(k+1)}\big) \odot \sigma'(z^{(k)})
# $$
#
# Here $z^{(k)}$ (4 units) goes through a tanh, then through layer $k+1$ (4 to 3) into a softmax
# cross-entropy loss. The loss gives $\delta^{(k+1)}$; `Linear.backward` multiplies by
# $(W^{(k+1)})^\top$ (in row form, `delta @ W`) and `Tanh.backward` multiplies by $\sigma'(z^{(k)})$.
# Finite differences perturb $z^{(k)}$.

# %%
Zk = rng.standard_normal((N, 4))  # z^(k)
y = rng.integers(0, 3, size=N)  # class labels
act = bp.Tanh()
layer_next = bp.Linear(4, 3, rng=rng)  # W^(k+1): (3, 4)
ce = bp.SoftmaxCrossEntropyLoss()


def loss_of_zk(Zk: np.ndarray) -> float:
    return ce.forward(layer_next.forward(act.forward(Zk)), y)


loss_of_zk(Zk)
delta_next = ce.backward()  # δ^(k+1), (N, 3)
# (W^(k+1))^T δ^(k+1), then ⊙ σ'(z^(k)):
delta_k = act.backward(layer_next.backward(delta_next))
err = record(
    "BP2",
    "delta, Tanh + Linear",
    delta_k,
    bp.numerical_gradient(loss_of_zk, Zk),
)
assert err < TOL, err

# %% [markdown]
# The same thing for one sample in the derivation's column form: $\delta^{(k+1)}$ is a
# $3\times 1$ column, $(W^{(k+1)})^\top$ is $4\times 3$, and $\sigma'(z) = 1 - \tanh^2 z$.

# %%
d_next = delta_next[0].reshape(3, 1)  # δ^(k+1) of sample 0, (3, 1)
z_k = Zk[0].reshape(4, 1)  # z^(k) of sample 0, (4, 1)
# (4, 3) @ (3, 1) ⊙ (4, 1) -> (4, 1)
column = (layer_next.W.T @ d_next) * (1 - np.tanh(z_k) ** 2)
print("column form, sample 0:", column.ravel())
print("batch code,  row 0:   ", delta_k[0])
assert np.allclose(column.ravel(), delta_k[0], rtol=1e-12, atol=0)

# %% [markdown]
# ## BP3: the weight gradient
#
# $$
# \frac{\partial \ell}{\partial W^{(k)}} = \delta^{(k)} (a^{(k-1)})^\top
# $$
#
# One `Linear` layer (4 inputs, 3 outputs) feeds a softmax cross-entropy loss. Finite differences
# perturb the entries of `layer.W` in place. In batch form the outer products of all samples are
# summed, `dW = delta.T @ A_prev` $= (\Delta^{(k)})^\top A^{(k-1)}$, and the $1/N$ of the batch mean
# is already inside `delta`.

# %%
layer = bp.Linear(4, 3, rng=rng)
A_prev = rng.standard_normal((N, 4))  # a^(k-1), one row per sample


def loss_of_params(
    _: np.ndarray,
) -> float:  # reads layer.W and layer.b, perturbed in place
    return ce.forward(layer.forward(A_prev), y)


loss_of_params(layer.W)
delta = ce.backward()  # δ^(k), (N, 3)
dA_prev = layer.backward(delta)  # sets layer.dW and layer.db
numeric_W = bp.numerical_gradient(loss_of_params, layer.W)
err = record("BP3", "dW", layer.dW, numeric_W)
assert err < TOL, err

outer_sum = sum(np.outer(delta[s], A_prev[s]) for s in range(N))
assert np.allclose(layer.dW, outer_sum, rtol=1e-12, atol=0)
print("dW, shape", layer.dW.shape, "= sum over the batch of delta_s a_s^T")

# %% [markdown]
# ## BP4: the bias and input gradients
#
# $$
# \frac{\partial \ell}{\partial b^{(k)}} = \delta^{(k)},
# \qquad
# \frac{\partial \ell}{\partial a^{(k-1)}} = (W^{(k)})^\top \delta^{(k)}
# $$
#
# Same layer. In batch form the bias gradient sums $\delta^{(k)}$ over the samples
# (`delta.sum(axis=0)`) and the input gradient is `delta @ W`, the row form of
# $(W^{(k)})^\top\delta^{(k)}$.

# %%
numeric_b = bp.numerical_gradient(loss_of_params, layer.b)
err = record("BP4", "db", layer.db, numeric_b)
assert err < TOL, err


def loss_of_input(A_prev: np.ndarray) -> float:
    return ce.forward(layer.forward(A_prev), y)


err = record(
    "BP4",
    "dA_prev",
    dA_prev,
    bp.numerical_gradient(loss_of_input, A_prev.copy()),
)
assert err < TOL, err

# %% [markdown]
# ## Activation: ReLU
#
# $\sigma(z) = \max(z, 0)$ and $\sigma'(z) = [z > 0]$. Each activation is checked on its own with
# an arbitrary upstream gradient $G$: for $\mathcal{L} = \sum G \odot \sigma(Z)$ we have
# $\partial\mathcal{L}/\partial Z = G \odot \sigma'(Z)$, which is what `backward(G)` returns.
# The inputs are kept away from the kink at 0, where the derivative does not exist.

# %%
G = rng.standard_normal((N, 6))  # arbitrary dL/da
Z_away = rng.standard_normal((N, 6))
Z_away += np.sign(Z_away) * 0.1  # |z| >= 0.1: away from the kink


def check_activation(act, Z):
    def loss_of_z(Z):
        return float((G * act.forward(Z)).sum())

    act.forward(Z)
    analytic = act.backward(G)  # before finite differences overwrite the cache
    numeric = bp.numerical_gradient(loss_of_z, Z)
    name = f"activation {type(act).__name__}"
    return record(name, "dL/dz", analytic, numeric)


err = check_activation(bp.ReLU(), Z_away)
assert err < TOL, err

# %% [markdown]
# At exactly $z = 0$ ReLU has no derivative. The package uses $\sigma'(0) = 0$, while the central
# difference straddles the kink and reports the average of the two slopes, $1/2$:

# %%
relu = bp.ReLU()
z0 = np.array([[-1.0, 0.0, 1.0]])
relu.forward(z0)
print("backward at z = -1, 0, 1:", relu.backward(np.ones_like(z0)))
print(
    "central difference:      ",
    bp.numerical_gradient(lambda z: float(relu.forward(z).sum()), z0),
)

# %% [markdown]
# ## Activation: sigmoid
#
# $\sigma(z) = 1/(1+e^{-z})$ and $\sigma'(z) = \sigma(z)(1-\sigma(z))$. `Sigmoid` caches its output
# $a = \sigma(z)$ and computes $\sigma'$ from it.

# %%
err = check_activation(bp.Sigmoid(), 3 * Z_away)  # into the flat tails
assert err < TOL, err

# %% [markdown]
# ## Activation: tanh
#
# $\sigma(z) = \tanh z$ and $\sigma'(z) = 1 - \tanh^2 z$. `Tanh` also caches its output.

# %%
err = check_activation(bp.Tanh(), 2 * Z_away)
assert err < TOL, err

# %% [markdown]
# With $G = 1$ the `backward` of each activation returns $\sigma'(z)$ itself. Here it is for a grid
# of $z$, computed by the package:

# %%
z = np.linspace(-4, 4, 401).reshape(1, -1)
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.6), sharex=True)
for ax, act in zip(axes, (bp.ReLU(), bp.Sigmoid(), bp.Tanh()), strict=True):
    a = act.forward(z)
    ax.plot(z[0], a[0], label=r"$\sigma(z)$")
    ax.plot(
        z[0],
        act.backward(np.ones_like(z))[0],
        "--",
        label=r"$\sigma'(z)$ from backward",
    )
    ax.set_title(type(act).__name__)
    ax.set_xlabel("$z$")
    ax.grid(alpha=0.3)
fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2)
fig.tight_layout(rect=(0, 0, 1, 0.86))
plt.show()

# %% [markdown]
# ## Loss: mean squared error
#
# $\mathcal{L} = \frac{1}{Nm}\sum_{s,i}(a_{si} - y_{si})^2$, the mean over all $N \times m$ entries,
# so $\partial\mathcal{L}/\partial A = \frac{2}{Nm}(A - Y)$. Finite differences perturb the predictions.

# %%
pred = rng.standard_normal((N, 3))
mse = bp.MSELoss()
mse.forward(pred, Y)
err = record(
    "loss MSE",
    "dL/da",
    mse.backward(),
    bp.numerical_gradient(lambda p: mse.forward(p, Y), pred),
)
assert err < TOL, err

# %% [markdown]
# ## Loss: softmax cross-entropy
#
# $\mathcal{L} = -\frac{1}{N}\sum_s \sum_c y_{sc}\log \mathrm{softmax}(z_s)_c$. The softmax
# Jacobian collapses the output delta: row $s$ of $\Delta^{(L)}$ is $\frac{1}{N}(p_s - y_s)^\top$, with
# $p_s = \mathrm{softmax}(z_s)$. Checked with integer labels and with probability targets (rows that
# sum to 1).

# %%
logits = rng.standard_normal((N, 4))
labels = rng.integers(0, 4, size=N)
probs = bp.softmax(rng.standard_normal((N, 4)))  # rows sum to 1

for target, what in (
    (labels, "delta, int labels"),
    (probs, "delta, soft targets"),
):
    ce.forward(logits, target)
    delta = ce.backward()

    def loss_of_logits(z, t=target):
        return ce.forward(z, t)

    numeric = bp.numerical_gradient(loss_of_logits, logits)
    err = record("loss softmax-CE", what, delta, numeric)
    assert err < TOL, err

print("rows of delta sum to 0:", np.abs(delta.sum(axis=1)).max() < 1e-15)

# %% [markdown]
# ## A whole 3-layer network
#
# Now all equations at once: three `Linear` layers with tanh and ReLU between them, and the
# softmax cross-entropy loss. `bp.check_gradients` runs one forward and backward pass, then
# perturbs every weight, every bias and the input, and returns one relative error per array.

# %%
net = bp.Sequential(
    bp.Linear(5, 8, rng=rng),
    bp.Tanh(),
    bp.Linear(8, 6, rng=rng),
    bp.ReLU(),
    bp.Linear(6, 3, rng=rng),
)
X = rng.standard_normal((N, 5))
y_net = rng.integers(0, 3, size=N)
errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y_net)

shapes = {p.name: p.value.shape for p in net.parameters()}
shapes["input"] = X.shape
show_table(
    ["array", "shape", "relative error"],
    [(f"`{k}`", shapes[k], f"{err:.1e}") for k, err in errors.items()],
)
worst_net = max(errors.values())
results.append(("3-layer network", "worst of all 7 arrays", worst_net))
assert worst_net < TOL, errors

# %% [markdown]
# The same network with a sigmoid in place of the tanh and the mean squared error as the loss:

# %%
net_mse = bp.Sequential(
    bp.Linear(5, 8, rng=rng),
    bp.Sigmoid(),
    bp.Linear(8, 6, rng=rng),
    bp.ReLU(),
    bp.Linear(6, 2, rng=rng),
)
Y_net = rng.standard_normal((N, 2))
errors_mse = bp.check_gradients(net_mse, bp.MSELoss(), X, Y_net)

show_table(
    ["array", "relative error"],
    [(f"`{k}`", f"{err:.1e}") for k, err in errors_mse.items()],
)
worst_mse = max(errors_mse.values())
results.append(("3-layer net, MSE", "worst of all 7 arrays", worst_mse))
assert worst_mse < TOL, errors_mse

# %% [markdown]
# ## Choosing the step size
#
# Why $\epsilon = 10^{-5}$? The central difference has a truncation error that shrinks like
# $\epsilon^2$, and a rounding error that grows like $u/\epsilon$, where $u \approx 1.1\times 10^{-16}$
# is float64's unit roundoff: the two values of $\mathcal{L}$ agree in most of their digits, and the
# subtraction cancels them. The two balance near $\epsilon \approx u^{1/3} \approx 5\times10^{-6}$,
# where the error is of order $u^{2/3} \approx 10^{-11}$. Sweeping $\epsilon$ on the 3-layer network
# shows both regimes; the sweep asks for the plain ratio (`noise_floor=False`), because the
# checker's default scale already absorbs the step's own error (see the derivation). In float32, $u \approx 6\times 10^{-8}$ and the best error is of order
# $u^{2/3} \approx 1.5 \times 10^{-5}$, far above the $10^{-7}$ threshold: this is why the checks
# run in float64. The derivation's section on gradient checking measures the float32 error on a
# small network at every build of the site.

# %%
eps_grid = np.logspace(-10, -1, 10)
worst = []  # the largest relative error over all arrays, for each eps
ce_loss = bp.SoftmaxCrossEntropyLoss()
for eps in eps_grid:
    errs = bp.check_gradients(net, ce_loss, X, y_net, eps=eps, noise_floor=False)
    worst.append(max(errs.values()))

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.loglog(eps_grid, worst, "o-", label="largest error over all arrays")
ax.axhline(TOL, color="tab:red", ls="--", label="threshold $10^{-7}$")
ax.axvline(1e-5, color="gray", ls=":", label=r"default $\epsilon = 10^{-5}$")
ax.set_xlabel(r"step $\epsilon$")
ax.set_ylabel("relative error")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=9)
fig.tight_layout()
plt.show()
best = eps_grid[int(np.argmin(worst))]
print(f"smallest error {min(worst):.1e} at eps = {best:.0e}")
print(f"error at the default eps = 1e-5: {worst[5]:.1e}")
assert np.isclose(eps_grid[5], 1e-5) and worst[5] < TOL

# %% [markdown]
# ## Summary
#
# Every check in this notebook, with its relative error against central differences:

# %%
summary = []
for check, what, err in results:
    passed = "yes" if err < TOL else "**no**"
    summary.append((check, what, f"{err:.1e}", passed))
show_table(["check", "array", "relative error", "below 1e-7"], summary)
assert all(err < TOL for _, _, err in results)

groups = list(dict.fromkeys(check for check, _, _ in results))
fig, ax = plt.subplots(figsize=(6.5, 3.2))
for row, group in enumerate(groups):
    errs = [err for check, _, err in results if check == group]
    ax.plot(errs, [row] * len(errs), "o", color="tab:blue", alpha=0.7)
ax.axvline(TOL, color="tab:red", ls="--", label="threshold $10^{-7}$")
ax.set_xscale("log")
ax.set_xlim(1e-12, 1e-5)
ax.set_yticks(range(len(groups)), groups, fontsize=9)
ax.invert_yaxis()
ax.set_xlabel("relative error against central differences")
ax.grid(alpha=0.3, axis="x")
ax.legend(fontsize=9, loc="lower right")
fig.tight_layout()
plt.show()
