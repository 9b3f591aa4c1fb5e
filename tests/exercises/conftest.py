"""Exercise suite: every solution, starter, find-the-bug pair and pen-and-paper claim.

The exercise sources live in docs/exercises/ (the pages pull them in by snippet sections);
they import each other by plain module name, so that folder goes on ``sys.path`` here.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXERCISES = Path(__file__).resolve().parents[2] / "docs" / "exercises"
if str(EXERCISES) not in sys.path:
    sys.path.insert(0, str(EXERCISES))
