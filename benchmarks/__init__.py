"""Ratio benchmarks of the backprop package: ours vs PyTorch CPU, and ours vs our own GEMM floor.

Run them with ``make bench`` (or ``python -m benchmarks --help``). Everything runs in one
process with one BLAS/OpenMP thread per library, the implementations take turns round-robin,
and every ratio is the median of per-round ratios, reported with its interquartile range.
"""
