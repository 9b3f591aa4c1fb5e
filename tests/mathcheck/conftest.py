"""The checker lives in hooks/mathcheck (MkDocs puts hooks/ on sys.path for the hook); tests import it the same way."""

from __future__ import annotations

import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parents[2] / "hooks"
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))
