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
# # Column math vs batch code
#
# The derivation works with one sample at a time, as a column vector:
# $a^{(k-1)} \in \mathbb{R}^{n\times 1}$, $W^{(k)} \in \mathbb{R}^{m\times n}$,
# $b^{(k)}, z^{(k)}, \delta^{(k)} \in \mathbb{R}^{m\times 1}$. The code works with a batch of $N$
# samples stored as **rows**: `A_prev` has shape (N, n) and `delta` has shape (N, m), while `W`
# keeps the math's (m, n) layout. This notebook runs the column formulas sample by sample, stacks
# or sums the results over the batch, and checks that they equal what the real `bp.Linear`
# computes:
#
# | | column form, one sample | batch form, N rows (code) |
# |---|---|---|
# | forward | $z = W a + b$ | `Z = A_prev @ W.T + b` |
# | BP3 | $\partial\mathcal{L}/\partial W = \delta\, a^\top$ | `dW = delta.T @ A_prev` |
# | BP4 | $\partial\mathcal{L}/\partial b = \delta$ | `db = delta.sum(axis=0)` |
# | BP4 | $\partial\mathcal{L}/\partial a^{(k-1)} = W^\top \delta$ | `dA_prev = delta @ W` |
#
# Stacking the columns $z_s$ of the samples $s = 1..N$ side by side gives an $m\times N$ matrix,
# $[z_1 \cdots z_N] = W [a_1 \cdots a_N] + b\,\mathbf{1}^\top$. Transposing it gives the batch
# form $Z = A W^\top + \mathbf{1} b^\top$, one row per sample. The parameter gradients are sums over
# the samples, $\sum_s \delta_s a_s^\top = \Delta^\top A$, because every sample contributes to the
# same $W$.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.patches import Patch, Rectangle

import backprop as bp

plt.rcParams.update({"figure.facecolor": "white", "savefig.facecolor": "white"})
rng = np.random.default_rng(0)


def agree(column_result: np.ndarray, batch_result: np.ndarray) -> float:
    """Assert the two forms agree to rtol 1e-12; return the largest absolute difference."""
    assert column_result.shape == batch_result.shape, (column_result.shape, batch_result.shape)
    assert np.allclose(column_result, batch_result, rtol=1e-12, atol=0), "the two forms differ"
    return float(np.abs(column_result - batch_result).max())


# %% [markdown]
# ## One layer, forward
#
# A layer with $n = 4$ inputs and $m = 3$ outputs, and a batch of $N = 6$ samples.

# %%
N, n, m = 6, 4, 3
layer = bp.Linear(n, m, rng=rng)
layer.b[:] = rng.standard_normal(m)  # a non-zero bias, so that b is really tested
A_prev = rng.standard_normal((N, n))  # row s is sample s: a^(k-1) transposed
W = layer.W  # (m, n), the same layout as the math

z_columns = []
for s in range(N):
    a = A_prev[s].reshape(n, 1)  # a^(k-1) of sample s: (n, 1)
    z = W @ a + layer.b.reshape(m, 1)  # (m, n) @ (n, 1) + (m, 1) -> (m, 1)
    z_columns.append(z)
Z_stacked = np.hstack(z_columns)  # (m, N): sample s is column s

Z = layer.forward(A_prev)  # the package: Z = A_prev @ W.T + b, (N, m)
print("columns stacked:", Z_stacked.shape, " batch code:", Z.shape)
print(f"largest |difference| after transposing: {agree(Z_stacked.T, Z):.1e}")

# %% [markdown]
# ## One layer, backward
#
# The upstream gradient comes from a real loss, the softmax cross-entropy averaged over the batch.
# Its output delta is $\delta_s = \frac{1}{N}(p_s - y_s)$ for sample $s$: the $1/N$ of the batch
# mean is already inside each $\delta_s$, which is why the gradients below are plain *sums* over the
# samples, not means.

# %%
y = rng.integers(0, m, size=N)
loss_fn = bp.SoftmaxCrossEntropyLoss()
loss_fn.forward(Z, y)
delta = loss_fn.backward()  # (N, m): row s is δ_s^T
dA_prev = layer.backward(delta)  # sets layer.dW (m, n) and layer.db (m,)

dW_sum = np.zeros((m, n))
db_sum = np.zeros((m, 1))
da_columns = []
for s in range(N):
    a = A_prev[s].reshape(n, 1)  # (n, 1)
    d = delta[s].reshape(m, 1)  # δ of sample s: (m, 1)
    dW_sum += d @ a.T  # BP3: (m, 1) @ (1, n) -> (m, n)
    db_sum += d  # BP4: (m, 1)
    da_columns.append(W.T @ d)  # BP4: (n, m) @ (m, 1) -> (n, 1)

checks = {
    "dW": agree(dW_sum, layer.dW),
    "db": agree(db_sum.ravel(), layer.db),
    "dA_prev": agree(np.hstack(da_columns).T, dA_prev),
}
for name, diff in checks.items():
    print(f"{name:8s} column form == batch code, largest |difference| {diff:.1e}")

# %% [markdown]
# ## A whole network, sample by sample
#
# The same comparison for a 2-layer network, $4 \to 5 \to 3$ with a tanh in between: the forward
# pass and the whole backward pass (BP1 for the output delta, BP2 through the tanh, BP3 and BP4 at
# each layer) written in column form for each sample, against one call of `net.forward` and
# `net.backward`.

# %%
net = bp.Sequential(bp.Linear(4, 5, rng=rng), bp.Tanh(), bp.Linear(5, 3, rng=rng))
lin1, lin2 = net.layers[0], net.layers[2]
for lin in (lin1, lin2):
    lin.b[:] = rng.standard_normal(lin.b.shape)
X = rng.standard_normal((N, 4))

logits = net.forward(X)
loss = loss_fn.forward(logits, y)
dX = net.backward(loss_fn.backward())

W1, b1, W2, b2 = lin1.W, lin1.b.reshape(-1, 1), lin2.W, lin2.b.reshape(-1, 1)
grads = {
    "W1": np.zeros_like(W1),
    "b1": np.zeros_like(b1),
    "W2": np.zeros_like(W2),
    "b2": np.zeros_like(b2),
}
loss_sum, dx_columns = 0.0, []
for s in range(N):
    a0 = X[s].reshape(-1, 1)  # a^(0) = x: (4, 1)
    z1 = W1 @ a0 + b1  # (5, 1)
    a1 = np.tanh(z1)  # (5, 1)
    z2 = W2 @ a1 + b2  # (3, 1), the logits
    p = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()  # softmax: (3, 1)
    onehot = np.eye(3)[:, [y[s]]]  # (3, 1)
    loss_sum += -np.log(p[y[s], 0])
    d2 = (p - onehot) / N  # BP1 for the mean cross-entropy: (3, 1)
    d1 = (W2.T @ d2) * (1 - a1**2)  # BP2: (5, 3) @ (3, 1) ⊙ (5, 1)
    grads["W2"] += d2 @ a1.T  # BP3
    grads["b2"] += d2  # BP4
    grads["W1"] += d1 @ a0.T
    grads["b1"] += d1
    dx_columns.append(W1.T @ d1)  # BP4: dL/da^(0), (4, 1)

assert np.isclose(loss_sum / N, loss, rtol=1e-12, atol=0)
rows = [
    ("W1", grads["W1"], lin1.dW),
    ("b1", grads["b1"].ravel(), lin1.db),
    ("W2", grads["W2"], lin2.dW),
    ("b2", grads["b2"].ravel(), lin2.db),
    ("input", np.hstack(dx_columns).T, dX),
]
for name, column_result, batch_result in rows:
    print(
        f"{name:6s} {batch_result.shape!s:8s} largest |difference| {agree(column_result, batch_result):.1e}"
    )

# %% [markdown]
# ## The shape ledger
#
# Every array of that network, in both forms. The activation shapes come from `net.shapes`, which
# walks the layers without computing anything; the gradient shapes are those of the arrays the
# backward pass just produced (each is asserted to match). $N$ is the batch size, 6 here.

# %%
for name, shape in net.shapes((N, 4)):
    print(f"{name:<42s} {shape}")


# %%
def col(width: int) -> str:
    return f"({width}, 1)"


shapes = dict(net.shapes((N, 4)))
ledger = []
activation_in = shapes["input"]
math_layer = 0
for i, layer_i in enumerate(net.layers):
    if not isinstance(layer_i, bp.Linear):
        continue
    math_layer += 1
    k, km1 = f"<sup>({math_layer})</sup>", f"<sup>({math_layer - 1})</sup>"
    out_shape = shapes[f"{i}: {layer_i!r}"]
    m_i, n_i = layer_i.W.shape
    ledger += [
        (f"a{km1}", col(n_i), "`A_prev`", activation_in),
        (f"W{k}", str((m_i, n_i)), "`W`", layer_i.W.shape),
        (f"b{k}", col(m_i), "`b`", layer_i.b.shape),
        (f"z{k} = W{k} a{km1} + b{k}", col(m_i), "`Z = A_prev @ W.T + b`", out_shape),
        (f"&delta;{k} = &part;L/&part;z{k}", col(m_i), "`delta`", out_shape),
        (
            f"&part;L/&part;W{k} = &delta;{k} (a{km1})<sup>T</sup>",
            str((m_i, n_i)),
            "`dW = delta.T @ A_prev`",
            layer_i.dW.shape,
        ),
        (
            f"&part;L/&part;b{k} = &delta;{k}",
            col(m_i),
            "`db = delta.sum(axis=0)`",
            layer_i.db.shape,
        ),
        (
            f"&part;L/&part;a{km1} = (W{k})<sup>T</sup> &delta;{k}",
            col(n_i),
            "`dA_prev = delta @ W`",
            activation_in,
        ),
    ]
    assert layer_i.dW.shape == layer_i.W.shape and layer_i.db.shape == layer_i.b.shape
    activation_in = (
        shapes[f"{i + 1}: {net.layers[i + 1]!r}"] if i + 1 < len(net.layers) else out_shape
    )

assert shapes[f"2: {lin2!r}"] == logits.shape and shapes["input"] == dX.shape
table = "| math, one sample | column shape | code, a batch of N = 6 | batch shape |\n|---|---|---|---|\n"
table += "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ledger)
display(Markdown(table))

# %% [markdown]
# Read across a row: a column vector of length $m$ becomes $N$ rows of length $m$, so a shape
# $(m, 1)$ turns into $(N, m)$. The parameters and their gradients are shared by all samples and keep
# their shape, $(m, n)$ for $W$; the bias is stored flat as $(m,)$ and broadcast over the rows.

# %% [markdown]
# ## The products, drawn to scale
#
# Each box is an array with its rows drawn vertically and its columns horizontally, for $N = 6$,
# $n = 4$, $m = 3$. On the left, one sample in column form; on the right, the batch code. The
# inner dimensions of each product match, and in the batch form of $\partial\mathcal{L}/\partial W$ the
# inner dimension is $N$: that product is the sum over the samples.

# %%
COLORS = {"act": "#9ecae1", "param": "#fdae6b", "grad": "#e6a0c4"}


def draw(ax, terms, title):
    """Draw `label (rows, cols)` boxes to scale, separated by operator strings."""
    x = 0.0
    for term in terms:
        if isinstance(term, str):
            ax.text(x + 0.6, 0, term, ha="center", va="center", fontsize=13)
            x += 1.2
            continue
        label, (rows, cols), kind = term
        ax.add_patch(
            Rectangle((x, -rows / 2), cols, rows, facecolor=COLORS[kind], edgecolor="black", lw=0.8)
        )
        ax.text(
            x + cols / 2,
            rows / 2 + 0.25,
            f"{label}\n{(rows, cols)}",
            ha="center",
            va="bottom",
            fontsize=8,
        )
        x += cols
    ax.set_xlim(-0.3, 20)
    ax.set_ylim(-N / 2 - 0.5, N / 2 + 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10, loc="left")


rows_to_draw = [
    (
        [
            ("z", (m, 1), "act"),
            "=",
            ("W", (m, n), "param"),
            "@",
            ("a", (n, 1), "act"),
            "+",
            ("b", (m, 1), "param"),
        ],
        [
            ("Z", (N, m), "act"),
            "=",
            ("A_prev", (N, n), "act"),
            "@",
            ("W.T", (n, m), "param"),
            "+",
            ("b", (1, m), "param"),
        ],
        "forward",
    ),
    (
        [("dW", (m, n), "grad"), "=", ("δ", (m, 1), "grad"), "@", ("a.T", (1, n), "act")],
        [("dW", (m, n), "grad"), "=", ("delta.T", (m, N), "grad"), "@", ("A_prev", (N, n), "act")],
        "BP3",
    ),
    (
        [("da_prev", (n, 1), "grad"), "=", ("W.T", (n, m), "param"), "@", ("δ", (m, 1), "grad")],
        [("dA_prev", (N, n), "grad"), "=", ("delta", (N, m), "grad"), "@", ("W", (m, n), "param")],
        "BP4, input gradient",
    ),
]
fig, axes = plt.subplots(len(rows_to_draw), 2, figsize=(11, 7.5))
for (column_terms, batch_terms, what), (ax_col, ax_batch) in zip(rows_to_draw, axes, strict=True):
    draw(ax_col, column_terms, f"{what}: column form, one sample")
    draw(ax_batch, batch_terms, f"{what}: batch form (code)")
kinds = {"act": "inputs and activations", "param": "parameters", "grad": "deltas and gradients"}
fig.legend(
    handles=[Patch(facecolor=COLORS[k], edgecolor="black") for k in kinds],
    labels=list(kinds.values()),
    loc="lower center",
    ncol=3,
    fontsize=9,
)
fig.tight_layout(rect=(0, 0.04, 1, 1))
plt.show()
