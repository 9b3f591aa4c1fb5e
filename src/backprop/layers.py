"""The affine layer $z = W a + b$, in batch form $Z = A W^\\top + \\mathbf{1} b^\\top$."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._checks import RNGLike, as_float_array, as_rng, check_2d, check_finite
from ._saved import caller_can_write, copy_into
from .init import INITIALIZERS, InitName
from .module import Module, Parameter, as_grad


def affine(A_prev: NDArray[Any], W: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    """$Z = A W^\\top + \\mathbf{1} b^\\top$ for a batch ``A_prev`` (N, n), as the derivation writes it."""
    # --8<-- [start:forward]
    Z = A_prev @ W.T + b  # (N, n) @ (n, m) + (m,) -> (N, m)
    # --8<-- [end:forward]
    return Z


SMALL_BATCH = 64
"""Up to this many rows, ``Linear.forward`` computes ``Z`` with ``affine_fast``."""


def affine_fast(A_prev: NDArray[Any], W: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    """The same ``Z`` as ``affine``, computed as its transpose $Z^\\top = W A^\\top$.

    Each entry is the same dot product, so the numbers agree (``tests/test_fast_paths.py``
    checks it). For a batch of at most ``SMALL_BATCH`` rows, NumPy's OpenBLAS can run
    ``W @ A_prev.T`` faster than ``A_prev @ W.T``: 1.2 to 2 times for a 784 -> 256 layer at
    8 to 64 rows with its SkylakeX kernel, less with others. For larger batches it is no
    faster, and the transposed copy into row order makes it slower. ``make bench`` measures
    both on the machine at hand (docs/performance.md).
    """
    # --8<-- [start:forward_fast]
    Zt = W @ A_prev.T  # (m, n) @ (n, N) -> (m, N): Z transposed
    Z = np.add(Zt.T, b, order="C")  # Zt^T + b, stored row by row like A_prev @ W.T + b
    # --8<-- [end:forward_fast]
    return Z


class Linear(Module):
    """Fully connected layer.

    Shapes (N = batch size, n = ``in_features``, m = ``out_features``):

    * ``W``: (m, n), the math's $W^{(k)}$ and ``torch.nn.Linear``'s layout.
    * ``b``: (m,).
    * ``forward``: ``A_prev`` (N, n) -> ``Z`` (N, m), $Z = A W^\\top + \\mathbf{1} b^\\top$.
    * ``backward``: ``delta`` (N, m) = dL/dZ -> ``dA_prev`` (N, n); sets ``dW`` (m, n)
      and ``db`` (m,).

    Inputs of integer or bool dtype, or of another float dtype, are cast to ``dtype``,
    so a float32 layer stays float32. NaN/inf inputs raise ``ValueError``, and so does a NaN/inf
    gradient given to ``backward``.

    ``forward`` keeps ``A_prev`` for ``dW``: as it is if the caller cannot change it (a cast,
    a read-only batch of ``fit``, a network's inner array), otherwise a read-only copy of its
    own (``_saved.py``). Editing ``A_prev`` after ``forward`` never changes ``dW``.

    Args:
        in_features: n, the width of the input.
        out_features: m, the width of the output.
        rng: source of the random initial weights: an int seed, a ``numpy.random.Generator``
            or ``None`` (fresh entropy), as for ``np.random.default_rng``.
        dtype: float dtype of ``W``, ``b`` and every array this layer returns.
        init: ``"he"`` (for ReLU, the default) or ``"xavier"`` (for sigmoid/tanh).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: RNGLike = None,
        dtype: DTypeLike = np.float64,
        init: InitName = "he",
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive int, got {value!r}.")
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a float dtype, got {self.dtype}.")
        if init not in INITIALIZERS:
            raise ValueError(f"Linear: init must be one of {sorted(INITIALIZERS)}, got {init!r}.")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.W = INITIALIZERS[init](
            as_rng(rng, "Linear"), self.in_features, self.out_features, self.dtype
        )
        self.b = np.zeros(self.out_features, dtype=self.dtype)
        self.dW: NDArray[Any] | None = None
        self.db: NDArray[Any] | None = None
        self.A_prev: NDArray[Any] | None = None
        self._copy: NDArray[Any] | None = None  # the buffer of forward's copies of A_prev

    def __repr__(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"

    def _forward_ran(self) -> bool:
        return self.A_prev is not None

    def _kept(self) -> tuple[NDArray[Any] | None, ...]:
        return (self.A_prev,)

    def forward(self, A_prev: ArrayLike) -> NDArray[Any]:
        """``A_prev`` (N, n) -> ``Z`` (N, m). Keeps ``A_prev`` (or a copy) for ``dW``."""
        given = A_prev
        A_prev = as_float_array(A_prev, self.dtype, self, "input")
        check_2d(A_prev, self, "input", self.in_features)
        if caller_can_write(A_prev, given):  # keep a copy: dW is of the A_prev forward saw
            self.A_prev = None  # (its buffer is refilled: no stale cache if a check fails)
            A_prev = self._copy = copy_into(A_prev, self._copy)
        check_finite(A_prev, self, "input")  # on the copy, if any: fresh in the CPU cache
        self.A_prev = A_prev
        if len(A_prev) <= SMALL_BATCH:
            return affine_fast(A_prev, self.W, self.b)  # the numbers of affine(), faster here
        return affine(A_prev, self.W, self.b)

    def backward(self, delta: ArrayLike) -> NDArray[Any]:
        """``delta`` = dL/dZ (N, m) -> dL/dA_prev (N, n); sets ``dW`` (m, n) and ``db`` (m,)."""
        delta = self.backward_params(delta)
        W = self.W
        # --8<-- [start:input_grad]
        dA_prev = delta @ W  # (N, m) @ (m, n) -> (N, n): row form of W^T delta
        # --8<-- [end:input_grad]
        return dA_prev

    def backward_params(self, delta: ArrayLike) -> NDArray[Any]:
        """Set ``dW`` (m, n) and ``db`` (m,) from ``delta`` (N, m); skip dL/dA_prev.

        Training never needs dL/dX for the first layer, so ``Sequential.backward``
        calls this there when ``need_input_grad=False``. Returns ``delta`` as cast.
        """
        self._require_cache(self.A_prev)
        assert self.A_prev is not None
        A_prev = self.A_prev
        delta = as_grad(delta, self.dtype, self)
        self._check_grad_shape(delta, (A_prev.shape[0], self.out_features))
        # --8<-- [start:bp3]
        dW = delta.T @ A_prev  # (m, N) @ (N, n) -> (m, n): sums delta_i a_j over the batch
        # --8<-- [end:bp3]
        # --8<-- [start:bp4]
        db = delta.sum(axis=0)  # (N, m) -> (m,): the bias gradient sums over the batch
        # --8<-- [end:bp4]
        self.dW, self.db = dW, db
        return delta

    def parameters(self) -> list[Parameter]:
        """``W`` and ``b``, with gradients ``dW`` and ``db``."""
        return [Parameter(self, "W", "W"), Parameter(self, "b", "b")]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(N, n) -> (N, m); a wrong feature count n is a ``ValueError``, as in ``forward``."""
        if not input_shape or input_shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r}: expected input shape (N, {self.in_features}), got {tuple(input_shape)}."
            )
        return (*input_shape[:-1], self.out_features)
