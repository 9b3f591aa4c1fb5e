"""Run every benchmark, print one table, write the JSON report and the docs table."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from typing import Any

import numpy as np
import threadpoolctl

from . import digits, docs_build, fast_path, gradients, inplace, mlp, parts, report
from .environment import describe
from .harness import Stat, Timings, ratio_stat, round_robin


def _import_torch() -> Any | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # settable only before torch's first parallel work
        torch.set_num_interop_threads(1)
    return torch


def _stat(s: Stat) -> dict[str, float]:
    return {"median": s.median, "q1": s.q1, "q3": s.q3, "n": s.n}


def _micros(times: dict[str, list[float]]) -> dict[str, float]:
    """Median seconds per call of each case, in microseconds (for the record, not the targets)."""
    return {name: round(float(np.median(t)) * 1e6, 1) for name, t in times.items()}


def _ratio_row(
    key: str, t: Timings, ours: str, theirs: str, details: dict[str, Any], note: str = ""
) -> dict[str, Any]:
    """A result row from CPU-time ratios, with the wall-clock ratios next to them."""
    wall = _stat(ratio_stat(t.wall[ours], t.wall[theirs]))
    stat = _stat(ratio_stat(t.cpu[ours], t.cpu[theirs]))
    return report.result(key, stat, note, details | {"wall_clock_ratio": wall})


def _step_details(t: Timings, rounds: int) -> dict[str, Any]:
    fast_path = ratio_stat(t.cpu["ours_train"], t.cpu["ours_train_clear_forward"])
    return {
        "rounds": rounds,
        "median_us_per_step": _micros(t.cpu),
        "median_us_per_step_wall_clock": _micros(t.wall),
        "fast_forward_over_clear_forward": _stat(fast_path),
    }


INPLACE_CASES = ("numpy_inplace", "numpy_inplace_keep_grads")


def inplace_cases(batch_size: int) -> dict[str, Any]:
    """The hand-written in-place step, scaling the gradients in place and keeping them."""
    return {
        name: inplace.inplace_step(batch_size, np.float32, keep_grads=keep)[0]
        for name, keep in zip(INPLACE_CASES, (False, True), strict=True)
    }


def mlp_results(torch: Any | None, rounds: int) -> list[dict[str, Any]]:
    f32 = np.float32
    cases: dict[str, Any] = {
        "ours_train": mlp.our_step(128, f32, equal_work=False)[0],
        "ours_train_clear_forward": mlp.with_clear_forward(
            mlp.our_step(128, f32, equal_work=False)[0]
        ),
        "gemm_floor": mlp.gemm_floor(128, f32),
        "ours_equal": mlp.our_step(128, f32, equal_work=True)[0],
        **inplace_cases(128),
    }
    if torch is not None:
        cases["torch_train"] = mlp.torch_step(torch, 128, f32, equal_work=False)[0]
        cases["torch_equal"] = mlp.torch_step(torch, 128, f32, equal_work=True)[0]
        cases["torch_gemm_floor"] = mlp.torch_gemm_floor(torch, 128, f32)
    print(f"  MLP 784-256-256-10, batch 128: {len(cases)} cases x {rounds} rounds", flush=True)
    t = round_robin(cases, rounds)
    details = _step_details(t, rounds)
    for case in INPLACE_CASES:
        details[f"{case}_over_gemm_floor"] = _stat(ratio_stat(t.cpu[case], t.cpu["gemm_floor"]))
    if torch is not None:  # how much of the gap is the BLAS library, not overhead
        s = ratio_stat(t.cpu["gemm_floor"], t.cpu["torch_gemm_floor"])
        details["numpy_gemms_over_torch_gemms"] = _stat(s)
        for case in INPLACE_CASES:
            s = ratio_stat(t.cpu[case], t.cpu["torch_train"])
            details[f"{case}_over_torch_train"] = _stat(s)
    results = [_ratio_row("floor_b128", t, "ours_train", "gemm_floor", details, "8 bare `@` calls")]
    if torch is not None:
        results.append(_ratio_row("train_b128", t, "ours_train", "torch_train", details))
        results.append(_ratio_row("equal_b128", t, "ours_equal", "torch_equal", details))
        cases32 = {
            "ours_train": mlp.our_step(32, f32, equal_work=False)[0],
            "ours_train_clear_forward": mlp.with_clear_forward(
                mlp.our_step(32, f32, equal_work=False)[0]
            ),
            "torch_train": mlp.torch_step(torch, 32, f32, equal_work=False)[0],
            **inplace_cases(32),
        }
        print(f"  MLP 784-256-256-10, batch 32: {len(cases32)} cases x {rounds} rounds", flush=True)
        t32 = round_robin(cases32, rounds)
        details32 = _step_details(t32, rounds)
        for case in INPLACE_CASES:
            s = ratio_stat(t32.cpu[case], t32.cpu["torch_train"])
            details32[f"{case}_over_torch_train"] = _stat(s)
        results.append(_ratio_row("train_b32", t32, "ours_train", "torch_train", details32))
    else:
        for key in ("train_b128", "equal_b128", "train_b32"):
            results.append(report.result(key, None, "not measured: torch is not installed"))
    order = list(report.TARGETS)
    return sorted(results, key=lambda r: order.index(r["id"]))


def digits_results(torch: Any | None, seeds: int, repeats: int) -> list[dict[str, Any]]:
    print(f"  digits: {seeds} seeds x {repeats} runs", flush=True)
    d = digits.benchmark(torch, seeds=seeds, repeats=repeats)
    rows = d["per_seed"]
    epochs = sorted(r["epochs"] for r in rows)
    note = f"{epochs[0]} to {epochs[-1]} epochs of batch 32, SGD momentum 0.9"

    def stat(key: str) -> dict[str, float]:
        return _stat(Stat.of([r[key] for r in rows]))

    details = {"per_seed": rows, "wall_clock": stat("wall_seconds")}
    out = [report.result("digits_seconds", stat("seconds"), note, details)]
    if torch is not None:
        wall_ratio = _stat(Stat.of([r["wall_seconds"] / r["torch_wall_seconds"] for r in rows]))
        out.append(
            report.result("digits_ratio", stat("ratio"), note, {"wall_clock_ratio": wall_ratio})
        )
    else:
        out.append(report.result("digits_ratio", None, "not measured: torch is not installed"))
    return out


def docs_results(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The cold build's row (the warm builds in its details) and the served edits' row."""

    def stat(seconds: list[float] | None) -> dict[str, float] | None:
        return None if seconds is None else _stat(Stat.of(seconds))

    extra = {"cpu_seconds_of_children": d["cpu_seconds"]} if "cpu_seconds" in d else {}
    if "warm" in d:
        extra["warm_builds"] = d["warm"]
        print(f"  warm builds: {d['warm']['seconds'] or d['warm']['note']}", flush=True)
    serve = d.get("serve") or {"seconds": None, "note": d["note"]}  # no serve: builds failed
    served = {k: v for k, v in serve.items() if k != "note" and v is not None}
    return [
        report.result("docs_seconds", stat(d["seconds"]), d["note"], extra),
        report.result("serve_edit_seconds", stat(serve["seconds"]), serve["note"], served),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, help="rounds per ratio (default 31, >= 15)")
    parser.add_argument("--seeds", type=int, default=10, help="digits seeds")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="7 rounds (or --rounds), 3 seeds, no docs build; writes results/quick.tmp.json",
    )
    parser.add_argument("--no-docs", action="store_true", help="skip the docs build timing")
    parser.add_argument(
        "--no-torch",
        action="store_true",
        help="run as if torch were absent (writes no-torch.tmp.json)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seeds, args.no_docs = args.rounds or 7, 3, True
    elif args.rounds is None:
        args.rounds = 31
    elif args.rounds < 15:
        parser.error("use at least 15 rounds (or --quick for a smoke run)")

    torch = None if args.no_torch else _import_torch()
    start = time.perf_counter()
    with threadpoolctl.threadpool_limits(limits=1):
        env = describe(torch)
        checks: dict[str, Any] = {}
        if torch is not None:
            print("Checking that ours and torch give the same parameters (float64)...", flush=True)
            checks["float64_max_relative_difference"] = mlp.check_same_as_torch(torch)
        checks["inplace_reference_max_relative_difference"] = inplace.check_same_as_package()
        print("Timing (1 thread per library, round-robin):", flush=True)
        results = mlp_results(torch, args.rounds)
        results += digits_results(torch, args.seeds, repeats=3)
        print("  check_gradients", flush=True)
        g = gradients.benchmark()
        results.append(
            report.result(
                "gradcheck_seconds",
                _stat(Stat.of(g["seconds"])),
                g["network"],
                {k: v for k, v in g.items() if k != "network"}
                | {"wall_clock": _stat(Stat.of(g["wall_seconds"]))},
            )
        )
        print(f"  affine_fast against affine: {len(fast_path.ROWS)} batch sizes", flush=True)
        fast = fast_path.benchmark(args.rounds)
        print("  the parts of the training step, batch 128 and 32", flush=True)
        step_parts = parts.benchmark(args.rounds)
    if args.no_docs:
        results.append(report.result("docs_seconds", None, "not measured: --no-docs"))
        results.append(report.result("serve_edit_seconds", None, "not measured: --no-docs"))
    else:
        print(
            "  docs: cold and warm mkdocs build --strict, edits served by mkdocs serve", flush=True
        )
        results += docs_results(docs_build.benchmark())
    env["load_average_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    env["wall_seconds"] = round(time.perf_counter() - start, 1)
    full = {
        "schema": 1,
        "environment": env,
        "checks": checks,
        "results": results,
        "fast_path": fast,
        "parts": step_parts,
        "summary": report.summary(results),
    }
    print()
    print(report.text_table(full))
    print(report.summary(results))
    print(report.ceiling_text(full))
    print(report.machine_line(full))
    official = torch is not None and not args.quick  # latest.json compares with torch
    name = "latest.json" if official else ("quick" if args.quick else "no-torch") + ".tmp.json"
    out = report.ROOT / "benchmarks" / "results" / name
    report.write(full, out)
    print(f"wrote {out.relative_to(report.ROOT)}")
    if official and report.update_page(full):
        print(f"updated the tables in {report.PAGE.relative_to(report.ROOT)}")
    for block, name in (
        (report.fast_path_block, report.FAST_PATH),
        (report.parts_block, report.PARTS),
    ):
        if official and report.update_page(full, report.PAGE, block, name):
            print(f"updated the {name} in {report.PAGE.relative_to(report.ROOT)}")
    if official and report.update_page(full, report.README, report.targets_block):
        print(f"updated the targets in {report.README.relative_to(report.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
