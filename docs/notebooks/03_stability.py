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
# # Numerical stability
#
# The formulas of the derivation are exact in real numbers. In floating point, $e^{z}$ overflows
# to `inf` once $z > 709.78$ in float64 (and $z > 88.72$ in float32), and underflows to 0 once
# $z < -745$. Logits that large are not exotic: a badly scaled input or a large learning rate
# produces them within a few steps. This notebook puts the textbook formulas next to what the
# package computes:
#
# * softmax and cross-entropy, naive versus the fused log-sum-exp form used by
#   `bp.log_softmax` and `bp.SoftmaxCrossEntropyLoss`;
# * the sigmoid at $z = \pm 1000$, naive versus `bp.Sigmoid`.
#
# The naive formulas raise NumPy's floating-point warnings. Instead of printing them, each naive
# computation runs inside `np.errstate`, which records the floating-point errors it hit, and we
# print that record.

# %%
import html
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

import backprop as bp


class MarkdownTable(Markdown):
    """A table on the page; text when run as `python this_file.py`."""

    def __repr__(self):
        return html.unescape(re.sub(r"</?\w+>", "", self.data.replace("<sup>", "^")))


plt.rcParams["figure.facecolor"] = "white"  # legible in light and dark mode
np.set_printoptions(precision=4)


def run_naive(f, *args):
    """f(*args), with NumPy's floating-point errors recorded, not printed."""
    flags = []

    def note(kind, flag):
        flags.append(kind)

    with np.errstate(all="call", call=note):
        result = f(*args)
    return result, sorted(set(flags))


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def naive_cross_entropy(z, label):
    return -np.log(naive_softmax(z)[label])


# %% [markdown]
# ## Softmax: inf / inf
#
# $\mathrm{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$. Shifting every logit by the same constant
# does not change the result, so the three rows below have the same softmax. The naive formula
# gets only the first one right: in the second, every $e^{z_j}$ is `inf` and `inf / inf` is NaN;
# in the third, every $e^{z_j}$ is 0 and `0 / 0` is NaN.

# %%
rows = np.array(
    [
        [1.0, 2.0, 3.0],
        [1001.0, 1002.0, 1003.0],
        [-1001.0, -1000.0, -999.0],
    ]
)
for z in rows:
    naive, flags = run_naive(naive_softmax, z)
    print(f"z = {z}")
    print(f"  naive       {naive}  floating-point errors: {flags or 'none'}")
    print(f"  bp.softmax  {bp.softmax(z)}")

fused = bp.softmax(rows)
assert np.isfinite(fused).all()
assert np.allclose(fused, fused[:1], rtol=1e-12, atol=0)  # all rows equal

# %% [markdown]
# `bp.log_softmax` subtracts $m = \max_j z_j$ first, so every exponent is at most 0 and the
# largest term of the sum is exactly $e^0 = 1$:
#
# $$
# \log \mathrm{softmax}(z)_i = (z_i - m) - \log \sum_j e^{z_j - m}.
# $$
#
# The sum lies between 1 and the number of classes, so its logarithm can neither overflow nor be
# $\log 0$. `bp.softmax` is the exponential of that.

# %% [markdown]
# ## Cross-entropy: log of 0
#
# The loss of a sample with label $y$ is $-\log \mathrm{softmax}(z)_y$. Take the logits
# $z = t\,(1, 0, -1)$ with the label on the *last* class, the one the network finds least likely.
# The exact loss is $2t + \log(1 + e^{-t} + e^{-2t})$, which grows linearly in $t$. The naive
# formula first computes the probability $\approx e^{-2t}$, which underflows to 0 once
# $2t > 745$, and then takes $-\log 0 = \infty$. (Beyond $t = 709.78$, $e^{t}$ overflows too, and
# the probability of the first class becomes `inf / inf` = NaN.) In float32 the loss breaks much
# sooner.

# %%
t_grid = np.logspace(0, 3.3, 60)
label = np.array([2])
ce = bp.SoftmaxCrossEntropyLoss()
curves = {}
for dtype in (np.float64, np.float32):
    naive, fused = [], []
    for t in t_grid:
        z = (t * np.array([[1.0, 0.0, -1.0]])).astype(dtype)
        naive.append(run_naive(naive_cross_entropy, z[0], 2)[0])
        fused.append(ce.forward(z, label))
    naive = np.array(naive, dtype=np.float64)
    curves[np.dtype(dtype).name] = (naive, np.array(fused))

exact = 2 * t_grid + np.log1p(np.exp(-t_grid) + np.exp(-2 * t_grid))
for name, (naive, fused) in curves.items():
    first_bad = t_grid[~np.isfinite(naive)].min()
    print(f"{name}: the naive loss is inf or NaN from t = {first_bad:.0f} on,")
    print("         the fused loss is finite everywhere")
    rtol = 1e-5 if name == "float32" else 1e-12
    assert np.isfinite(fused).all()
    assert np.allclose(fused, exact, rtol=rtol, atol=0)
    assert not np.isfinite(naive).all()  # the naive loss does break

fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4), sharey=True)
for ax, (name, (naive, fused)) in zip(axes, curves.items(), strict=True):
    good = np.isfinite(naive)
    bad_t = t_grid[~good]
    ax.loglog(t_grid, fused, lw=3, alpha=0.6, label="fused (bp)")
    ax.loglog(t_grid[good], naive[good], "k--", label="naive, where finite")
    ax.plot(bad_t, np.full(bad_t.size, 1.3), "|", ms=10, color="tab:red")
    ax.plot([], [], "|", ms=10, color="tab:red", label="naive is inf or NaN")
    ax.set_title(name)
    ax.set_ylim(1, 1e4)
    ax.set_xlabel(r"logit scale $t$, with $z = t\,(1, 0, -1)$")
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("cross-entropy loss")
axes[0].legend(fontsize=9, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The gradient is just as safe. With the probabilities $p$ computed from `log_softmax`, the fused
# output delta $\delta^{(L)} = \frac{1}{N}(p - y)$ stays bounded by $1/N$ in absolute value, even
# for logits of $\pm 10^4$, while the naive softmax makes it NaN:

# %%
z_huge = np.array([[1e4, 0.0, -1e4], [3.0, 1.0, 2.0]])
y_huge = np.array([2, 0])
loss = ce.forward(z_huge, y_huge)
delta = ce.backward()
naive_p, flags = run_naive(naive_softmax, z_huge)
print(f"fused: loss {loss:.1f}, delta =\n{delta}")
print(f"naive: p - y =\n{naive_p - np.eye(3)[y_huge]}")
print(f"       floating-point errors: {flags}")
assert np.isfinite(loss) and np.isfinite(delta).all()
assert np.abs(delta).max() <= 1 / len(y_huge)

# %% [markdown]
# The same in float32, where `exp` already overflows at 88.72: logits of 100 break the naive
# softmax, and `bp.log_softmax` returns finite values, still in float32.

# %%
z32 = np.array([[100.0, 0.0, -100.0]], dtype=np.float32)
naive32, flags = run_naive(naive_softmax, z32)
logp32 = bp.log_softmax(z32)
print(f"naive softmax:  {naive32}, floating-point errors:")
print(f"                {flags}")
print(f"bp.log_softmax: {logp32}  dtype {logp32.dtype}")
assert logp32.dtype == np.float32 and np.isfinite(logp32).all()

# %% [markdown]
# ## Sigmoid at extreme inputs
#
# There are two textbook ways to write the sigmoid, and each fails on one side:
#
# * $1/(1 + e^{-z})$ overflows $e^{-z}$ for $z < -709.78$. The result, $1/\infty = 0$, happens to
#   be the right limit, but the overflow is still raised.
# * $e^{z}/(1 + e^{z})$ overflows for $z > 709.78$ and returns $\infty/\infty$ = NaN.
#
# `bp.Sigmoid` evaluates only $e^{-|z|} \le 1$ and picks the form that is safe for the sign of
# $z$: $1/(1+e^{-|z|})$ for $z \ge 0$ and $e^{-|z|}/(1+e^{-|z|})$ for $z < 0$. Its derivative
# $\operatorname{sigmoid}'(z) = a(1-a)$ is computed from the cached output $a$, so it never calls `exp` again.

# %%
z = np.array([[-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]])
naive_a, flags_a = run_naive(lambda z: 1 / (1 + np.exp(-z)), z)
naive_b, flags_b = run_naive(lambda z: np.exp(z) / (1 + np.exp(z)), z)
# the naive derivative, σ'(z) = e^{-z} / (1 + e^{-z})^2
naive_d, flags_d = run_naive(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, z)
sigmoid = bp.Sigmoid()
a = sigmoid.forward(z)
d = sigmoid.backward(np.ones_like(z))  # backward of dL/da = 1 is σ'(z)

columns = {
    "z": z,
    "1/(1+exp(-z))": naive_a,
    "exp(z)/(1+exp(z))": naive_b,
    "bp.Sigmoid": a,
    "naive sigmoid'(z)": naive_d,
    "bp.Sigmoid sigmoid'(z)": d,
}
lines = ["| " + " | ".join(columns) + " |", "|---:" * len(columns) + "|"]
for values in zip(*(col[0] for col in columns.values()), strict=True):
    lines.append("| " + " | ".join(f"{v:.4g}" for v in values) + " |")
display(MarkdownTable("\n".join(lines)))
print("floating-point errors:")
print("  1/(1+exp(-z))        ", flags_a)
print("  exp(z)/(1+exp(z))    ", flags_b)
print("  naive derivative     ", flags_d)
assert np.isfinite(a).all() and np.isfinite(d).all()
assert a[0, 0] == 0.0 and a[0, -1] == 1.0 and a[0, 3] == 0.5

# %% [markdown]
# One limit remains, and it is a matter of precision, not of overflow: $\operatorname{sigmoid}(40) = 1 - 4.2\times
# 10^{-18}$ rounds to exactly 1.0 in float64, so $a(1 - a)$ returns 0 where the true derivative is
# $4.2\times 10^{-18}$. The absolute error is far below anything that can move a weight, which is
# why caching the output is still the right trade.

# %%
a40 = sigmoid.forward(np.array([[40.0]]))
d40 = sigmoid.backward(np.ones((1, 1)))
true_d40 = np.exp(-40) / (1 + np.exp(-40)) ** 2
print(f"sigmoid(40) == 1.0: {a40[0, 0] == 1.0}")
print(f"a (1 - a) = {d40[0, 0]}, the true sigmoid'(40) = {true_d40:.2e}")
assert a40[0, 0] == 1.0 and d40[0, 0] == 0.0

# %% [markdown]
# Over the whole range $-1000 \le z \le 1000$, where does each formula work? Green: finite, and no
# intermediate overflowed. Orange: the result is finite, but an intermediate $e^{\pm z}$ overflowed
# to `inf` on the way (the case that prints a warning and happens to be right). Red: NaN.

# %%
z_line = np.linspace(-1000, 1000, 2001).reshape(1, -1)
# 0 = fine, 1 = finite but exp overflowed, 2 = NaN; read off the values,
# so NumPy's warnings are switched off here:
with np.errstate(over="ignore", invalid="ignore", under="ignore"):
    e_minus, e_plus = np.exp(-z_line), np.exp(z_line)
    naive_rows = {
        "naive 1/(1+exp(-z))": (1 / (1 + e_minus), e_minus),
        "naive exp(z)/(1+exp(z))": (e_plus / (1 + e_plus), e_plus),
        "naive sigmoid'(z)": (e_minus / (1 + e_minus) ** 2, e_minus),
    }
status = {}
for name, (value, intermediate) in naive_rows.items():
    overflowed = np.where(np.isinf(intermediate), 1, 0)
    status[name] = np.where(np.isnan(value), 2, overflowed)[0]
a_line = sigmoid.forward(z_line)
d_line = sigmoid.backward(np.ones_like(z_line))
status["bp.Sigmoid"] = np.where(np.isfinite(a_line), 0, 2)[0]
status["bp.Sigmoid sigmoid'(z)"] = np.where(np.isfinite(d_line), 0, 2)[0]
assert status["bp.Sigmoid"].max() == 0
assert status["bp.Sigmoid sigmoid'(z)"].max() == 0

colors = ["#4caf50", "#ff9800", "#e53935"]
fig, ax = plt.subplots(figsize=(7, 2.6))
ax.imshow(
    np.array(list(status.values())),
    aspect="auto",
    cmap=ListedColormap(colors),
    vmin=0,
    vmax=2,
    extent=(-1000, 1000, len(status) - 0.5, -0.5),
    interpolation="nearest",
)
ax.set_yticks(range(len(status)), list(status))
ax.set_xlabel("$z$")
ax.legend(
    handles=[Patch(color=c) for c in colors],
    labels=["finite", "finite, but exp overflowed", "NaN"],
    fontsize=9,
    loc="upper center",
    bbox_to_anchor=(0.5, -0.28),
    ncol=3,
)
fig.tight_layout()
plt.show()
for name, row in status.items():
    bad = z_line[0, row > 0]
    where = f"z in [{bad.min():.0f}, {bad.max():.0f}]" if bad.size else "none"
    print(f"{name:<24} trouble: {where}")
