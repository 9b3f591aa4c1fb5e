"""The worker of hooks/static_math.py that cuts half of the math fonts down (font_subset.py).

It starts with the build and, before it imports fontTools, lowers its CPU priority to the
notebook kernels' (niceness 10), so that MkDocs itself is never the one kept waiting for the
import; it is done long before the fonts come, after the last page, when the build has
nothing else to do but cut the other half.

stdin: one JSON object per line, {"chars": str, "fonts": [path, ...]}: those fonts are subset
to those characters (`font_subset.subset_font`). It exits at the end of stdin.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path


def main() -> None:
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(10)  # as KERNEL_NICENESS in hooks/parallel_notebooks.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from font_subset import subset_font

    for line in sys.stdin:
        message = json.loads(line)
        chars = set(message["chars"])
        for path in message["fonts"]:
            subset_font(Path(path), chars)


if __name__ == "__main__":
    main()
