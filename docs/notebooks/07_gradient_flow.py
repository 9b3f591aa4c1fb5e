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
# # Gradient flow through depth
#
# Section 6 of the derivation reads two warnings out of the equations. Unrolling BP2 from the
# output layer $L$ down to layer $k$ (one sample, column vectors),
#
# $$
# \delta^{(k)} = \mathrm{diag}\big(\sigma'(z^{(k)})\big)\,\big(W^{(k+1)}\big)^{\top}\cdots
# \mathrm{diag}\big(\sigma'(z^{(L-1)})\big)\,\big(W^{(L)}\big)^{\top}\delta^{(L)},
# $$
#
# multiplies one factor $\sigma'$ per layer. The sigmoid's derivative is at most $\frac14$, so
# the error can shrink by a factor of 4 or more per sigmoid layer: the *vanishing gradient*. And
# the forward pass multiplies by one weight matrix per layer, so the scale of the initial weights
# decides whether the activations keep their spread, die out or saturate.
#
# This notebook measures both on 10-layer networks built with the package. Everything below runs
# at every build of the site.

# %%
import matplotlib.pyplot as plt
import numpy as np

import backprop as bp

plt.rcParams["figure.facecolor"] = "white"  # legible in light and dark mode

DEPTH, WIDTH, N, C = 10, 32, 64, 10  # 10 Linear layers of 32 units, a batch of 64, 10 classes
data_rng = np.random.default_rng(0)
X = data_rng.standard_normal((N, WIDTH))
y = data_rng.integers(0, C, size=N)
ACTIVATIONS = {"sigmoid": bp.Sigmoid, "tanh": bp.Tanh, "ReLU": bp.ReLU}
INIT = {"sigmoid": "xavier", "tanh": "xavier", "ReLU": "he"}  # the package's advice per activation


def deep_net(act, init, seed=1):
    """DEPTH Linear layers with `act` between them; the last one gives C logits."""
    rng = np.random.default_rng(seed)
    modules = []
    for k in range(1, DEPTH + 1):
        out = C if k == DEPTH else WIDTH
        modules.append(bp.Linear(WIDTH, out, rng=rng, init=init))
        if k < DEPTH:
            modules.append(act())
    return bp.Sequential(*modules)


def table(header, rows):
    """A plain-text table, readable in the notebook and when run as a script."""
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


# %% [markdown]
# ## The gradient of every layer
#
# One forward and one backward pass with softmax cross-entropy, then the size of each layer's
# weight gradient $\lVert \partial\mathcal{L}/\partial W^{(k)} \rVert$ (the Frobenius norm), for
# $k = 1$ (next to the input) to $k = 10$ (the output layer). Each network uses the
# initialisation the package recommends for its activation.

# %%
loss_fn = bp.SoftmaxCrossEntropyLoss()
grad_norms = {}
for name, act in ACTIVATIONS.items():
    net = deep_net(act, INIT[name])
    loss_fn.forward(net.forward(X), y)
    net.backward(loss_fn.backward())
    linears = [m for m in net.layers if isinstance(m, bp.Linear)]
    grad_norms[name] = np.array([np.linalg.norm(m.dW) for m in linears])

fig, ax = plt.subplots(figsize=(6.5, 3.4))
for name, norms in grad_norms.items():
    ax.semilogy(range(1, DEPTH + 1), norms, "o-", label=name)
ax.set_xlabel("layer $k$ (1 = next to the input)")
ax.set_ylabel(r"$\|\partial\mathcal{L}/\partial W^{(k)}\|$")
ax.set_xticks(range(1, DEPTH + 1))
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
plt.show()

shrink = {name: norms[0] / norms[-1] for name, norms in grad_norms.items()}
table(
    ["activation", "|dW| at layer 1", "|dW| at layer 10", "layer 1 / layer 10"],
    [(n, f"{g[0]:.1e}", f"{g[-1]:.1e}", f"{shrink[n]:.1e}") for n, g in grad_norms.items()],
)
assert shrink["sigmoid"] < 1e-3  # the first layer of the sigmoid net barely learns
assert shrink["sigmoid"] < 1e-2 * min(shrink["tanh"], shrink["ReLU"])

# %% [markdown]
# The sigmoid network's first layer gets a gradient orders of magnitude smaller than its last:
# it would learn orders of magnitude more slowly. Tanh and ReLU lose far less per layer. The
# bound behind it is the sigmoid's derivative, largest at $z = 0$:

# %%
z = np.linspace(-8, 8, 16001)
for name, act in ACTIVATIONS.items():
    layer = act()
    layer.forward(z.reshape(1, -1))
    slope = layer.backward(np.ones((1, z.size)))  # sigma'(z) at every z
    print(f"largest {name}' on [-8, 8]: {slope.max():.4f}")
    if name == "sigmoid":
        assert abs(slope.max() - 0.25) < 1e-12

# %% [markdown]
# ## The spread of the activations, by initialisation
#
# The forward pass multiplies by one $W^{(k)}$ per layer. If the weights are too small, every
# layer shrinks the activations; too large, and tanh units saturate at $\pm 1$, where
# $\sigma' \approx 0$. Below, the standard deviation of $a^{(k)}$ over the batch and the units,
# layer by layer, for weights drawn with a fixed standard deviation (0.05, too small, and 1,
# too large) and with the package's initialisation (He for ReLU, Xavier for tanh), which scales
# the weights by the number of inputs $n$.


# %%
def hidden_activations(act, init, W_std=None, seed=2):
    """The activations a(1) .. a(DEPTH - 1) for X; `W_std` overrides the package's init."""
    net = deep_net(act, init, seed)
    rng = np.random.default_rng(seed)
    out, result = X, []
    for module in net.layers[:-1]:
        if W_std is not None and isinstance(module, bp.Linear):
            module.W[:] = W_std * rng.standard_normal(module.W.shape)
        out = module.forward(out)
        if not isinstance(module, bp.Linear):
            result.append(out)
    return result


runs = {
    "tanh, std 0.05": hidden_activations(bp.Tanh, "xavier", 0.05),
    "tanh, std 1": hidden_activations(bp.Tanh, "xavier", 1.0),
    "tanh, Xavier": hidden_activations(bp.Tanh, "xavier"),
    "ReLU, std 0.05": hidden_activations(bp.ReLU, "he", 0.05),
    "ReLU, He": hidden_activations(bp.ReLU, "he"),
}
cases = {label: np.array([a.std() for a in acts]) for label, acts in runs.items()}
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for label, s in cases.items():
    ax.semilogy(range(1, DEPTH), s, "o-", label=label)
ax.set_xlabel("hidden layer $k$")
ax.set_ylabel("std of $a^{(k)}$")
ax.set_xticks(range(1, DEPTH))
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
plt.show()

saturated = {  # tanh units at |a| > 0.99 have sigma' = 1 - a^2 < 0.02
    label: float(np.mean(np.abs(acts[-1]) > 0.99))
    for label, acts in runs.items()
    if "tanh" in label
}
table(
    ["weights", "std at layer 1", "std at layer 9", "tanh units of layer 9 with |a| > 0.99"],
    [
        (
            label,
            f"{s[0]:.2g}",
            f"{s[-1]:.2g}",
            f"{saturated[label]:.0%}" if label in saturated else "",
        )
        for label, s in cases.items()
    ],
)

assert cases["tanh, std 0.05"][-1] < 1e-3 * cases["tanh, std 0.05"][0]  # dies out
assert cases["ReLU, std 0.05"][-1] < 1e-3 * cases["ReLU, std 0.05"][0]
assert saturated["tanh, std 1"] > 0.5 > saturated["tanh, Xavier"]  # saturates
ratio_he = cases["ReLU, He"][-1] / cases["ReLU, He"][0]
assert 0.2 < ratio_he < 5  # He keeps the spread of the same order through 9 ReLU layers

# %% [markdown]
# With weights of a fixed small spread the activations die out layer by layer, and with them the
# inputs $a^{(k-1)}$ of BP3. With a fixed large spread the tanh units saturate, so their $\sigma'$
# is near 0. He and Xavier keep the spread of the same order through all nine hidden layers. That
# is why `bp.Linear` uses He by default and offers `init="xavier"` for tanh and the sigmoid.
