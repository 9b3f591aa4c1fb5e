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
# # Training on real data
#
# The equations are checked; now they have to learn something. This notebook trains a
# 64-64-10 network with ReLU on the handwritten digits that ship with the package, using the
# package's own `bp.fit` and `bp.SGD` with momentum, and then a small network on 2-D spirals, whose
# decision regions can be drawn.
#
# Every training step is the loop of the derivation: a forward pass in which each layer caches
# what its backward pass needs (each `Linear` its input, each `ReLU` its mask $z^{(k)} > 0$), the
# batch loss $\mathcal{L}$, the mean of the samples' losses, the backward pass (BP1 at the
# output, BP2 down the layers, BP3 and BP4 at each layer), and one update
# $W^{(k)} \leftarrow W^{(k)} - \eta\, v^{(k)}$ where $v^{(k)}$ is the momentum-smoothed gradient.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import Pretty, display
from matplotlib.colors import ListedColormap

import backprop as bp

plt.rcParams["figure.facecolor"] = "white"  # legible in light and dark mode
rng = np.random.default_rng(0)

# %% [markdown]
# ## The digits
#
# 1797 grey-scale images of 8×8 pixels, flattened to 64 features in $[0, 1]$, with labels 0 to 9.
# `bp.datasets.load_digits` splits them into a training and a test set, with the same share of each
# class in both.

# %%
data = bp.datasets.load_digits(test_size=0.25, rng=np.random.default_rng(0))
print("X_train", data.X_train.shape, " X_test", data.X_test.shape)
print("training images per class:", np.bincount(data.y_train))

# the first training image of each digit, side by side with 1-pixel gaps
strip = np.zeros((8, 10 * 9 - 1))
for digit in range(10):
    first = data.X_train[data.y_train == digit][0]  # 64 pixels
    strip[:, 9 * digit : 9 * digit + 8] = first.reshape(8, 8)
fig, ax = plt.subplots(figsize=(7, 1.2))
ax.imshow(strip, cmap="gray_r")
ax.set_xticks(9 * np.arange(10) + 3.5, range(10))
ax.set_yticks([])
ax.tick_params(length=0)
for side in ax.spines.values():
    side.set_visible(False)
plt.show()

# %% [markdown]
# Each pixel is standardized with the mean and standard deviation of the *training* set (the test
# set is never looked at to fit anything). Pixels that are almost always blank have a standard
# deviation near 0, so it is floored at 0.1 to avoid blowing up their rare non-zero values.

# %%
mean = data.X_train.mean(axis=0)
std = np.maximum(data.X_train.std(axis=0), 0.1)
X_train = (data.X_train - mean) / std
X_test = (data.X_test - mean) / std
y_train, y_test = data.y_train, data.y_test

# %% [markdown]
# ## The network and the training loop
#
# Two `Linear` layers with a ReLU between them: $W^{(1)} \in \mathbb{R}^{64\times 64}$,
# $W^{(2)} \in \mathbb{R}^{10\times 64}$, He initialization, and the fused softmax cross-entropy
# loss on the 10 logits. SGD runs 20 epochs with learning rate 0.1, momentum 0.9, a little weight
# decay and mini-batches of 32. These settings were chosen on a validation split carved out of the
# training set, not on the test set.
#
# `fit` calls `callback(epoch, logs)` after every epoch; here it redraws a text progress bar in place
# (in a live notebook it moves; on this page you see its final state).
# The test set is passed as `validation_data` only to record the curves below.

# %%
net = bp.Sequential(
    bp.Linear(64, 64, rng=rng),
    bp.ReLU(),
    bp.Linear(64, 10, rng=rng),
)
loss_fn = bp.SoftmaxCrossEntropyLoss()
opt = bp.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
epochs = 20


class ProgressBar:
    """fit's callback: a text bar, redrawn after every epoch (a line per epoch in a script)."""

    def __init__(self, total, width=20):
        self.total, self.width = total, width
        # `python 02_training.py` has no notebook display to redraw: print lines instead.
        self.handle = display(Pretty(self.line(0, {})), display_id=True) if get_ipython() else None

    def line(self, done, logs):
        filled = round(self.width * done / self.total)
        bar = "=" * filled + " " * (self.width - filled)
        text = f"[{bar}] epoch {done:2d}/{self.total}"
        if logs:
            text += (
                f"  loss {logs['loss']:.3f}"
                f"  train {logs['accuracy']:.1%}"
                f"  test {logs['val_accuracy']:.1%}"
            )
        return text

    def __call__(self, epoch, logs):  # fit counts epochs from 0
        line = self.line(epoch + 1, logs)
        if self.handle is None:
            print(line)
        else:
            self.handle.update(Pretty(line))


history = bp.fit(
    net,
    loss_fn,
    opt,
    X_train,
    y_train,
    epochs=epochs,
    batch_size=32,
    rng=rng,
    validation_data=(X_test, y_test),
    callback=ProgressBar(epochs),
)

# %% [markdown]
# `fit` returned the history, one value per epoch:

# %%
print("epoch  train loss  train acc  test loss  test acc")
for e in (0, 1, 2, 4, 9, 14, 19):
    print(
        f"{e + 1:5d}"
        f"  {history['loss'][e]:10.4f}"
        f"  {history['accuracy'][e]:9.1%}"
        f"  {history['val_loss'][e]:9.4f}"
        f"  {history['val_accuracy'][e]:8.1%}"
    )

test = bp.evaluate(net, loss_fn, X_test, y_test)
print(f"test loss {test['loss']:.4f}")
print(f"test accuracy {test['accuracy']:.2%} on {len(y_test)} images")
assert test["accuracy"] >= 0.97, test

# %% [markdown]
# ## Loss and accuracy curves
#
# The training values are averages over each epoch's mini-batches, as they were seen while the
# weights moved; the test values are measured at the end of each epoch.

# %%
epochs_axis = np.arange(1, epochs + 1)
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(7.5, 3))
ax_loss.plot(epochs_axis, history["loss"], "o-", ms=3, label="train")
ax_loss.plot(epochs_axis, history["val_loss"], "s-", ms=3, label="test")
ax_loss.set_yscale("log")
ax_loss.set_ylabel(r"cross-entropy $\mathcal{L}$ (log scale)")
ax_acc.plot(epochs_axis, history["accuracy"], "o-", ms=3, label="train")
ax_acc.plot(epochs_axis, history["val_accuracy"], "s-", ms=3, label="test")
ax_acc.axhline(0.97, color="tab:red", ls="--", lw=1, label="97%")
ax_acc.set_ylim(0.8, 1.005)
ax_acc.set_ylabel("accuracy")
for ax in (ax_loss, ax_acc):
    ax.set_xlabel("epoch")
    ax.set_xticks(range(0, epochs + 1, 5))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Confusion matrix
#
# Row $i$, column $j$ counts the test images of digit $i$ that the network labelled $j$, so the
# diagonal holds the correct answers and everything off it is a mistake.

# %%
predicted = net.predict(X_test).argmax(axis=1)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
assert confusion.trace() == (predicted == y_test).sum()

fig, ax = plt.subplots(figsize=(5, 4.4))
im = ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        count = confusion[i, j]
        if count:
            dark = count > confusion.max() / 2
            color = "white" if dark else "black"
            ax.text(j, i, count, ha="center", va="center", color=color)
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title(f"test set: {confusion.trace()} of {confusion.sum()} correct")
fig.colorbar(im, ax=ax, fraction=0.046)
fig.tight_layout()
plt.show()

wrong = np.flatnonzero(predicted != y_test)
print(f"{len(wrong)} mistakes (true -> predicted):")
print(", ".join(f"{y_test[i]}->{predicted[i]}" for i in wrong))

# %% [markdown]
# ## Spirals: a decision boundary
#
# Three interleaved spirals in the plane cannot be separated by straight lines. A network with two
# hidden ReLU layers (2-64-64-3) learns curved regions. Because its input is 2-D, we can evaluate
# the trained network on a grid covering the plane and colour each point by the class with the
# largest logit.

# %%
X_sp, y_sp = bp.datasets.spirals(
    n_per_class=100,
    n_classes=3,
    noise=0.2,
    rng=rng,
)
spiral_net = bp.Sequential(
    bp.Linear(2, 64, rng=rng),
    bp.ReLU(),
    bp.Linear(64, 64, rng=rng),
    bp.ReLU(),
    bp.Linear(64, 3, rng=rng),
)
spiral_opt = bp.SGD(spiral_net.parameters(), lr=0.1, momentum=0.9)
spiral_history = bp.fit(
    spiral_net,
    loss_fn,
    spiral_opt,
    X_sp,
    y_sp,
    epochs=60,
    batch_size=32,
    rng=rng,
)
losses = spiral_history["loss"]
print(f"spirals: loss {losses[0]:.3f} -> {losses[-1]:.4f} in 60 epochs")
print(f"training accuracy {spiral_history['accuracy'][-1]:.1%}")

# points drawn fresh from the same distribution, never seen in training
X_new, y_new = bp.datasets.spirals(
    n_per_class=100, n_classes=3, noise=0.2, rng=np.random.default_rng(1)
)
new_accuracy = bp.evaluate(spiral_net, loss_fn, X_new, y_new)["accuracy"]
print(f"spirals: accuracy on 300 new points {new_accuracy:.1%}")
assert new_accuracy > 0.9

# %%
side = np.linspace(-1.3, 1.3, 201)
xx, yy = np.meshgrid(side, side)
grid = np.column_stack([xx.ravel(), yy.ravel()])  # 201 * 201 points
regions = spiral_net.predict(grid).argmax(axis=1).reshape(xx.shape)

colors = ["tab:blue", "tab:orange", "tab:green"]
fig, ax = plt.subplots(figsize=(5, 5))
ax.imshow(
    regions,
    origin="lower",
    extent=(-1.3, 1.3, -1.3, 1.3),
    cmap=ListedColormap(colors),
    alpha=0.25,
    interpolation="nearest",
)
for c in range(3):
    ax.scatter(
        *X_sp[y_sp == c].T,
        s=12,
        color=colors[c],
        edgecolor="black",
        linewidth=0.3,
        label=f"class {c}",
    )
ax.set_aspect("equal")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("decision regions of a 2-64-64-3 ReLU network")
ax.legend(fontsize=9, loc="lower right")
fig.tight_layout()
plt.show()
