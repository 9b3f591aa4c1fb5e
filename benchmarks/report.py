"""The targets, the JSON report, and the tables rendered from it.

Two audiences, two blocks, both written by ``make bench`` between markers and both rendered
from ``benchmarks/results/latest.json``:

* ``page_block`` for readers, in ``docs/performance.md``: the package against ``torch.nn``,
  what training the digits network costs, the machine and the date;
* ``targets_block`` for maintainers, in ``benchmarks/README.md``: every target and whether the
  run met it.

Two more blocks of the readers' page: ``parts_block``, the time of each part of our training
step, and ``fast_path_block``, ``affine_fast`` against ``affine`` by batch size.

Standard library only: ``tests/test_performance_page.py`` loads this file by path to check
that both files show exactly the blocks of the committed JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LATEST = ROOT / "benchmarks" / "results" / "latest.json"
PAGE = ROOT / "docs" / "performance.md"
README = ROOT / "benchmarks" / "README.md"


def markers(name: str) -> tuple[str, str]:
    """The begin and end comments around the block ``name`` of a page."""
    return (
        f"<!-- {name}:begin (written by `make bench` from benchmarks/results/latest.json) -->",
        f"<!-- {name}:end -->",
    )


TABLES = "benchmark-table"  # the tables, in docs/performance.md and benchmarks/README.md
FAST_PATH = "fast-path-table"  # affine_fast against affine, in docs/performance.md
PARTS = "parts-table"  # the parts of our training step, in docs/performance.md

# id -> (what is measured, unit, target: the measured median must be <= this)
TARGETS: dict[str, tuple[str, str, float]] = {
    "train_b128": ("Training step, batch 128: ours / torch", "ratio", 0.85),
    "train_b32": ("Training step, batch 32: ours / torch", "ratio", 0.72),
    "equal_b128": ("Equal-work step (dL/dX too), batch 128: ours / torch", "ratio", 0.88),
    "floor_b128": ("Training step / its GEMMs alone, batch 128", "ratio", 1.20),
    "digits_seconds": ("Digits 64-64-10 to 97% test accuracy: our time", "s", 0.20),
    "digits_ratio": ("Digits to 97%: ours / torch, same schedule", "ratio", 0.30),
    "gradcheck_seconds": ("check_gradients, 3-layer 20-unit float64 net", "s", 0.5),
    "docs_seconds": ("Cold docs build (no .cache/), every notebook executed", "s", 30.0),
    "serve_edit_seconds": ("make serve: a Markdown edit to the page served", "s", 5.0),
}


def result(
    key: str,
    stat: dict[str, float] | None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One row: ``stat`` is ``{"median", "q1", "q3", "n"}``, or ``None`` if not measured."""
    benchmark, unit, target = TARGETS[key]
    row: dict[str, Any] = {"id": key, "benchmark": benchmark, "unit": unit, "target": target}
    if stat is None:
        row |= {"median": None, "q1": None, "q3": None, "n": 0, "met": None}
    else:
        row |= {k: stat[k] for k in ("median", "q1", "q3", "n")}
        row["met"] = bool(stat["median"] <= target)
    row["note"] = note
    row["details"] = details or {}
    return row


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value:.3f} s"
    return f"{value:.2f}"


def cells(row: dict[str, Any]) -> list[str]:
    """benchmark, median, IQR, target, met? as display strings."""
    unit = row["unit"]
    if row["median"] is None:
        median = iqr = "not measured"
        met = "n/a"
    else:
        median = _number(row["median"], unit)
        iqr = (
            f"{_number(row['q1'], unit)} to {_number(row['q3'], unit)}"
            if row["n"] > 1
            else "single run"
        )
        met = "yes" if row["met"] else "**no**"
    return [row["benchmark"], median, iqr, f"≤ {_number(row['target'], unit)}", met]


HEADER = ["benchmark", "median", "IQR (25th to 75th pct)", "target", "met?"]


def aligned(rows: list[list[str]]) -> str:
    """Rows of cells as console text: columns padded, the first row underlined, no Markdown."""
    rows = [[c.replace("**", "").replace("`", "") for c in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def text_table(report: dict[str, Any]) -> str:
    """The table for the console."""
    return aligned([HEADER] + [cells(row) for row in report["results"]])


def machine_line(report: dict[str, Any]) -> str:
    env = report["environment"]
    torch = (
        f"torch {env['torch']} ({env.get('torch_blas', '?')})" if env.get("torch") else "no torch"
    )
    kernel = env.get("numpy_blas_kernel") or "?"
    return (
        f"Measured {env['date']} on {env['cpu']} ({env['logical_cpus']} logical CPUs, "
        f"shared with other jobs), Python {env['python']}, NumPy {env['numpy']} "
        f"({env['numpy_blas']}, kernel {kernel}), {torch}; one thread per library.{_load(env)}"
    )


def _load(env: dict[str, Any]) -> str:
    start, end = env.get("load_average"), env.get("load_average_end")
    if not start or not end:
        return ""
    return f" Load average (1 min) {start[0]:.1f} at the start, {end[0]:.1f} at the end."


STEP_LABELS = {
    "ours_train": "ours, training step",
    "ours_train_clear_forward": "ours, training step, forward by `affine` instead of `affine_fast`",
    "torch_train": "torch, training step",
    "ours_equal": "ours, equal-work step",
    "torch_equal": "torch, equal-work step",
    "numpy_inplace": "hand-written in-place NumPy step (`benchmarks/inplace.py`)",
    "gemm_floor": "our 8 GEMMs alone (NumPy, OpenBLAS)",
    "torch_gemm_floor": "the same 8 GEMMs in torch (MKL), no autograd",
}


def step_times(report: dict[str, Any]) -> list[str]:
    """Markdown rows of the median CPU time per step (context for the ratios)."""
    by_id = {r["id"]: r["details"] for r in report["results"]}
    b128 = by_id.get("floor_b128", {}).get("median_us_per_step", {})
    b32 = by_id.get("train_b32", {}).get("median_us_per_step", {})
    if not b128:
        return []

    def ms(micros: dict[str, float], key: str) -> str:
        return f"{micros[key] / 1000:.2f} ms" if key in micros else ""

    lines = ["| median time per step | batch 128 | batch 32 |", "|---|---:|---:|"]
    lines += [
        f"| {label} | {ms(b128, key)} | {ms(b32, key)} |"
        for key, label in STEP_LABELS.items()
        if key in b128 or key in b32
    ]
    return lines


CEILING_COLUMNS = [
    "step ratio",
    "target",
    "ours",
    "in-place NumPy, `W -= lr * dW`",
    "in-place NumPy, `dW *= lr; W -= dW`",
]
CEILING_ROWS = {  # result id -> the denominator of the in-place step's ratios in its details
    "train_b128": "torch_train",
    "train_b32": "torch_train",
    "floor_b128": "gemm_floor",
}


def ceiling_rows(report: dict[str, Any]) -> list[list[str]]:
    """Our step ratios next to those of the hand-written in-place NumPy step (same rounds)."""
    rows = []
    for row in report["results"]:
        denominator = CEILING_ROWS.get(row["id"])
        details = row.get("details", {})
        keep = details.get(f"numpy_inplace_keep_grads_over_{denominator}")
        scratch = details.get(f"numpy_inplace_over_{denominator}")
        if denominator is None or row["median"] is None or not keep or not scratch:
            continue
        rows.append(
            [
                row["benchmark"],
                f"≤ {row['target']:.2f}",
                f"{row['median']:.2f}",
                f"{keep['median']:.2f}",
                f"{scratch['median']:.2f}",
            ]
        )
    return rows


def ceiling_text(report: dict[str, Any]) -> str:
    """The ``ceiling_rows`` for the console."""
    rows = ceiling_rows(report)
    if not rows:
        return ""
    return "NumPy's own limit, measured in the same rounds (medians):\n" + aligned(
        [CEILING_COLUMNS, *rows]
    )


def targets_block(report: dict[str, Any]) -> str:
    """What ``benchmarks/README.md`` shows between the markers: every target, met or not."""
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|---|---:|---:|---:|:---:|",
        *("| " + " | ".join(cells(row)) + " |" for row in report["results"]),
        "",
        f"{machine_line(report)} {report['summary']}.",
    ]
    ceiling = ceiling_rows(report)
    if ceiling:
        lines += [
            "",
            "NumPy's own limit, measured in the same rounds (medians; see docs/performance.md):",
            "",
            "| " + " | ".join(CEILING_COLUMNS) + " |",
            "|---|---:|---:|---:|---:|",
            *("| " + " | ".join(r) + " |" for r in ceiling),
        ]
    return "\n".join(lines)


# result id -> what a reader is told it measures (docs/performance.md)
READER_RATIOS = {
    "train_b128": "One training step of the 784-256-256-10 network, batch 128",
    "train_b32": "One training step of the same network, batch 32",
    "equal_b128": "The same step, also computing dL/dX, batch 128",
    "digits_ratio": "Training the 64-64-10 digits network to 97% test accuracy",
}
READER_COSTS = {
    "digits_seconds": "Training the 64-64-10 digits network to 97% test accuracy",
    "gradcheck_seconds": "`bp.check_gradients` on a 20-20-20-10 tanh network, batch of 16",
}


def _reader_row(row: dict[str, Any], label: str) -> str:
    median, iqr = cells(row)[1:3]
    note = f" ({row['note']})" if row["id"] == "digits_seconds" and row["note"] else ""
    return f"| {label}{note} | {median} | {iqr} |"


def page_block(report: dict[str, Any]) -> str:
    """What ``docs/performance.md`` shows between the ``TABLES`` markers, for readers."""
    by_id = {row["id"]: row for row in report["results"]}
    ratios = [_reader_row(by_id[k], label) for k, label in READER_RATIOS.items() if k in by_id]
    costs = [_reader_row(by_id[k], label) for k, label in READER_COSTS.items() if k in by_id]
    lines = [
        "| the package's time / torch.nn's time | median | middle half of the rounds |",
        "|---|---:|---:|",
        *ratios,
        "",
        "| what it costs, in CPU time on one core | median | middle half of the runs |",
        "|---|---:|---:|",
        *costs,
        "",
        f"{machine_line(report)}",
    ]
    ceiling = ceiling_rows(report)
    if ceiling:
        lines += [
            "",
            "| step ratio (medians, same rounds) | the package | "
            + " | ".join(CEILING_COLUMNS[3:])
            + " |",
            "|---|---:|---:|---:|",
            *("| " + " | ".join([r[0], *r[2:]]) + " |" for r in ceiling),
        ]
    times = step_times(report)
    if times:
        lines += ["", *times]
    gemms = by_id.get("floor_b128", {}).get("details", {}).get("numpy_gemms_over_torch_gemms")
    if gemms:
        lines += [
            "",
            f"In the same rounds, NumPy's OpenBLAS took {gemms['median']:.2f} times as long as "
            "torch's MKL for the eight GEMMs (median of the per-round ratios).",
        ]
    return "\n".join(lines)


def fast_path_block(report: dict[str, Any]) -> str:
    """What ``docs/performance.md`` shows between the ``FAST_PATH`` markers: ``affine_fast``
    against ``affine`` by batch size, and which one ``Linear.forward`` runs."""
    fast = report.get("fast_path")
    if not fast:
        return "(Not measured in this run.)"
    small = fast["small_batch"]
    lines = [
        "| rows in the batch | the product alone | the whole forward | the layer runs |",
        "|---:|---:|---:|---|",
    ]
    for row in fast["by_rows"]:
        product, whole = row["transposed_product_over_product"], row["fast_over_clear"]
        runs = "the fast path" if row["rows"] <= small else "`affine`"
        lines.append(
            f"| {row['rows']} | {product['median']:.2f} | {whole['median']:.2f} | {runs} |"
        )
    env = report["environment"]
    lines += [
        "",
        "Each ratio is the fast form's CPU time over the clear form's: `W @ A_prev.T` over "
        "`A_prev @ W.T` for the product alone, and `affine_fast` over `affine`, with the bias "
        "and the copy into row order, for the whole forward. Below 1, the fast form is faster. "
        f"The layer is {fast['layer']}; medians of the per-round ratios of {fast['rounds']} "
        f"rounds, measured in the run of the tables above ({env['date']}, OpenBLAS kernel "
        f"{env.get('numpy_blas_kernel') or '?'}).",
    ]
    return "\n".join(lines)


PART_LABELS = {  # benchmarks/parts.py's names -> what a reader is told
    "gemms": "the eight matrix products",
    "update": "the SGD update, `opt.step()`",
    "relus": "the two ReLUs, forward and backward",
    "loss": "the loss, forward and backward",
}


def parts_block(report: dict[str, Any]) -> str:
    """What ``docs/performance.md`` shows between the ``PARTS`` markers: the CPU time of each
    part of our training step, alone, and its share of the whole step."""
    parts = report.get("parts")
    if not parts:
        return "(Not measured in this run.)"
    columns = parts["by_batch"]

    def cell(micros: float, step: float) -> str:
        return f"{micros:,.0f} µs ({100 * micros / step:.0f}%)"

    lines = [
        "| part of the training step | "
        + " | ".join(f"batch {c['batch_size']}" for c in columns)
        + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, label in PART_LABELS.items():
        cells = [cell(c["median_us"][name], c["median_us"]["step"]) for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    rest = [cell(c["rest_us"], c["median_us"]["step"]) for c in columns]
    lines.append("| everything else: the step minus the parts above | " + " | ".join(rest) + " |")
    whole = [f"{c['median_us']['step']:,.0f} µs" for c in columns]
    lines.append("| the whole step | " + " | ".join(whole) + " |")
    lines += [
        "",
        f"Medians of the CPU time per call over {parts['rounds']} rounds, each part on its own "
        "on the arrays of a real step, measured in the run of the tables above.",
    ]
    return "\n".join(lines)


def summary(results: list[dict[str, Any]]) -> str:
    measured = [r for r in results if r["met"] is not None]
    met = sum(r["met"] for r in measured)
    return f"{met} of {len(measured)} measured targets met"


def load(path: Path = LATEST) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def update_page(
    report: dict[str, Any],
    page: Path = PAGE,
    block: Callable[[dict[str, Any]], str] = page_block,
    name: str = TABLES,
) -> bool:
    """Replace the text between the markers ``name`` of ``page`` by ``block(report)``; False
    if the page has no such markers. ``update_page(report, README, targets_block)`` for the
    targets, ``update_page(report, PAGE, fast_path_block, FAST_PATH)`` for the fast path."""
    if not page.exists():
        return False
    begin, end = markers(name)
    text = page.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        return False
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    page.write_text(f"{head}{begin}\n{block(report)}\n{end}{tail}", encoding="utf-8")
    return True


def block_in_page(page: Path = PAGE, name: str = TABLES) -> str:
    """The text currently between the markers ``name`` of ``page``."""
    begin, end = markers(name)
    text = page.read_text(encoding="utf-8")
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")
