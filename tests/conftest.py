"""Shared test configuration: a fast, reproducible Hypothesis profile.

The default profile ("ci") runs 25 examples per property, with no deadline (a 2-core machine
shared with other jobs has noisy timings) and derandomized, so every run of the suite tests
the same examples. ``HYPOTHESIS_PROFILE=thorough pytest`` explores 500 random examples each.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
