"""``python -m benchmarks``: run every benchmark, print the table, write the JSON report."""

from .run import main

raise SystemExit(main())
