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
# | step | column form, one sample | batch form, N rows (code) |
# |---|---|---|
# | forward | $z = W a + b$ | `Z = A_prev @ W.T + b` |
# | BP3 | $\partial\ell/\partial W = \delta\, a^\top$ | `dW = delta.T @ A_prev` |
# | BP4 | $\partial\ell/\partial b = \delta$ | `db = delta.sum(axis=0)` |
# | BP4 | $\partial\ell/\partial a^{(k-1)} = W^\top \delta$ | `dA_prev = delta @ W` |
#
# Stacking the columns $z_s$ of the samples $s = 1..N$ side by side gives an $m\times N$ matrix,
# $[z_1 \cdots z_N] = W [a_1 \cdots a_N] + b\,\mathbf{1}^\top$. Transposing it gives the batch
# form $Z = A W^\top + \mathbf{1} b^\top$, one row per sample. The parameter gradients are sums over
# the samples, $\sum_s \delta_s a_s^\top = \Delta^\top A$, because every sample contributes to the
# same $W$.

# %%
import html
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.patches import Patch, Rectangle

import backprop as bp


class MarkdownTable(Markdown):
    """A table on the page; text when run as `python this_file.py`."""

    def __repr__(self):
        return html.unescape(re.sub(r"</?\w+>", "", self.data.replace("<sup>", "^")))


plt.rcParams["figure.facecolor"] = "white"  # legible in light and dark mode
rng = np.random.default_rng(0)


def agree(column_form, batch_form):
    """Assert both forms agree to rtol 1e-12; return the largest gap."""
    assert column_form.shape == batch_form.shape
    assert np.allclose(column_form, batch_form, rtol=1e-12, atol=0)
    return np.abs(column_form - batch_form).max()


# %% [markdown]
# ## One layer, forward
#
# A layer with $n = 4$ inputs and $m = 3$ outputs, and a batch of $N = 6$ samples.

# %%
N, n, m = 6, 4, 3
layer = bp.Linear(n, m, rng=rng)
layer.b[:] = rng.standard_normal(m)  # a non-zero bias, to test b too
A_prev = rng.standard_normal((N, n))  # row s: a^(k-1) of sample s
W = layer.W  # (m, n), the same layout as the math

z_columns = []
for s in range(N):
    a = A_prev[s].reshape(n, 1)  # a^(k-1) of sample s: (n, 1)
    z = W @ a + layer.b.reshape(m, 1)  # (m, n) @ (n, 1) + (m, 1) -> (m, 1)
    z_columns.append(z)
Z_stacked = np.hstack(z_columns)  # (m, N): sample s is column s

Z = layer.forward(A_prev)  # the package: Z = A_prev @ W.T + b, (N, m)
print("columns stacked:", Z_stacked.shape, " batch code:", Z.shape)
print(f"largest |difference| after a transpose: {agree(Z_stacked.T, Z):.1e}")

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
    print(f"{name:8s} column form == batch code, |difference| <= {diff:.1e}")

# %% [markdown]
# ## A whole network, sample by sample
#
# The same comparison for a 2-layer network, $4 \to 5 \to 3$ with a tanh in between: the forward
# pass and the whole backward pass (BP1 for the output delta, BP2 through the tanh, BP3 and BP4 at
# each layer) written in column form for each sample, against one call of `net.forward` and
# `net.backward`.

# %%
net = bp.Sequential(
    bp.Linear(4, 5, rng=rng),
    bp.Tanh(),
    bp.Linear(5, 3, rng=rng),
)
lin1, lin2 = net.layers[0], net.layers[2]
for lin in (lin1, lin2):
    lin.b[:] = rng.standard_normal(lin.b.shape)
X = rng.standard_normal((N, 4))

logits = net.forward(X)
loss = loss_fn.forward(logits, y)
dX = net.backward(loss_fn.backward())

W1, b1 = lin1.W, lin1.b.reshape(-1, 1)  # (5, 4), (5, 1)
W2, b2 = lin2.W, lin2.b.reshape(-1, 1)  # (3, 5), (3, 1)
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
    e = np.exp(z2 - z2.max())
    p = e / e.sum()  # softmax: (3, 1)
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
for name, column_form, batch_form in rows:
    diff = agree(column_form, batch_form)
    shape = str(batch_form.shape)
    print(f"{name:6s} {shape:8s} column == batch, |difference| <= {diff:.1e}")

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
# batch_shapes[i] is the input shape of net.layers[i], batch_shapes[i + 1]
# its output shape
batch_shapes = [shape for _, shape in net.shapes((N, 4))]
assert batch_shapes[0] == X.shape and batch_shapes[-1] == logits.shape

ledger = []
is_linear = [isinstance(layer, bp.Linear) for layer in net.layers]
linears = np.flatnonzero(is_linear)  # indices of the Linear layers
for k, i in enumerate(linears, start=1):
    lin = net.layers[i]
    m_k, n_k = lin.W.shape
    A_in, Z_out = batch_shapes[i], batch_shapes[i + 1]
    K, Km1 = f"<sup>({k})</sup>", f"<sup>({k - 1})</sup>"
    dL = "&part;L/&part;"
    aT = f"(a{Km1})<sup>T</sup>"
    WT = f"(W{K})<sup>T</sup>"
    ledger += [
        (f"a{Km1}", (n_k, 1), "A_prev", A_in),
        (f"W{K}", (m_k, n_k), "W", lin.W.shape),
        (f"b{K}", (m_k, 1), "b", lin.b.shape),
        (f"z{K} = W{K}a{Km1} + b{K}", (m_k, 1), "Z", Z_out),
        (f"&delta;{K}", (m_k, 1), "delta", Z_out),
        (f"{dL}W{K} = &delta;{K}{aT}", (m_k, n_k), "dW", lin.dW.shape),
        (f"{dL}b{K} = &delta;{K}", (m_k, 1), "db", lin.db.shape),
        (f"{dL}a{Km1} = {WT}&delta;{K}", (n_k, 1), "dA_prev", A_in),
    ]
    assert lin.dW.shape == lin.W.shape and lin.db.shape == lin.b.shape

lines = [
    "| math, one sample | column shape | code, N = 6 rows | batch shape |",
    "|---|---|---|---|",
]
for math, col_shape, code, batch_shape in ledger:
    lines.append(f"| {math} | {col_shape} | `{code}` | {batch_shape} |")
display(MarkdownTable("\n".join(lines)))

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
    """Draw (label, (rows, cols), kind) boxes to scale, and operators."""
    x = 0.0
    for term in terms:
        if isinstance(term, str):
            ax.text(x + 0.6, 0, term, ha="center", va="center", fontsize=13)
            x += 1.2
            continue
        label, (rows, cols), kind = term
        ax.add_patch(
            Rectangle(
                (x, -rows / 2),
                cols,
                rows,
                facecolor=COLORS[kind],
                edgecolor="black",
                lw=0.8,
            )
        )
        ax.text(
            x + cols / 2,
            rows / 2 + 0.25,
            f"{label}\n{(rows, cols)}",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        x += cols
    ax.set_xlim(-0.3, 17)
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
        [
            ("dW", (m, n), "grad"),
            "=",
            ("δ", (m, 1), "grad"),
            "@",
            ("a.T", (1, n), "act"),
        ],
        [
            ("dW", (m, n), "grad"),
            "=",
            ("delta.T", (m, N), "grad"),
            "@",
            ("A_prev", (N, n), "act"),
        ],
        "BP3",
    ),
    (
        [
            ("da_prev", (n, 1), "grad"),
            "=",
            ("W.T", (n, m), "param"),
            "@",
            ("δ", (m, 1), "grad"),
        ],
        [
            ("dA_prev", (N, n), "grad"),
            "=",
            ("delta", (N, m), "grad"),
            "@",
            ("W", (m, n), "param"),
        ],
        "BP4, input gradient",
    ),
]
fig, axes = plt.subplots(len(rows_to_draw), 2, figsize=(8, 6.6))
for row, pair in zip(rows_to_draw, axes, strict=True):
    column_terms, batch_terms, what = row
    draw(pair[0], column_terms, f"{what}: column form, one sample")
    draw(pair[1], batch_terms, f"{what}: batch form (code)")
kinds = {
    "act": "inputs and activations",
    "param": "parameters",
    "grad": "deltas and gradients",
}
fig.legend(
    handles=[Patch(facecolor=COLORS[k], edgecolor="black") for k in kinds],
    labels=list(kinds.values()),
    loc="lower center",
    ncol=3,
    fontsize=9,
)
fig.tight_layout(rect=(0, 0.04, 1, 1))
plt.show()
