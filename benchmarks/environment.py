"""What the numbers were measured on: CPU, libraries, BLAS kernel and thread counts."""

from __future__ import annotations

import datetime as dt
import os
import platform
from typing import Any

import numpy as np
import threadpoolctl


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what ``platform`` knows elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def thread_pools() -> list[dict[str, Any]]:
    """threadpoolctl's view of every loaded BLAS/OpenMP library (call it inside the limits)."""
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "architecture")
    return [
        {key: info[key] for key in keep if key in info} for info in threadpoolctl.threadpool_info()
    ]


def describe(torch: Any | None) -> dict[str, Any]:
    """Machine, versions, BLAS library and kernel, thread counts, date."""
    pools = thread_pools()
    numpy_blas = next(
        (p for p in pools if p["user_api"] == "blas" and "openblas" in p["internal_api"]), None
    )
    env: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": (
            f"{numpy_blas['internal_api']} {numpy_blas.get('version')}" if numpy_blas else "unknown"
        ),
        "numpy_blas_kernel": numpy_blas.get("architecture") if numpy_blas else None,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "thread_pools": pools,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    if torch is not None:
        config = torch.__config__.show()
        blas = next(
            (
                part.split("=", 1)[1]
                for part in config.replace(",", " ").split()
                if "BLAS_INFO=" in part
            ),
            "unknown",
        )
        env |= {
            "torch": torch.__version__,
            "torch_blas": blas,
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads(),
        }
    else:
        env["torch"] = None
    return env
