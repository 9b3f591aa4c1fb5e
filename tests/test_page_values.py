"""The numbers a page states about the code are measured at build time (site_build/markdown/values)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import backprop as bp
from site_build.markdown import values
from site_build.markdown.values import measures


def test_fill_page_replaces_known_names_and_rejects_unknown_ones() -> None:
    assert values.fill_page("a {{ wheel }} b {{wheel}}", "p.md", "w.whl") == "a w.whl b w.whl"
    with pytest.raises(values.TemplateError, match=r"p\.md:2: no value named 'y'"):
        values.fill_page("ok\n{{ y }}", "p.md", "w.whl")
    with pytest.raises(values.TemplateError, match=r"no value named 'W1_11'"):
        values.fill_page("{{ W1_11 }}", "p.md", "w.whl")  # the worked example's own numbers
    assert values.fill_page("{{ W1_11 }}", "worked_example.md", "w.whl") == "0.15"


def test_measured_values_are_computed_again_only_when_the_code_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "values.json"
    first = values.measured.__wrapped__(cache)
    assert first == {name: measure() for name, measure in values.VALUES.items()}
    cache.write_text('{"small_batch": "kept"}')
    assert values.measured.__wrapped__(cache) == {"small_batch": "kept"}
    cache.with_name("values.json.key").write_text("another key")
    assert values.measured.__wrapped__(cache) == first


def test_every_page_token_is_a_known_value() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs"
    used = {
        name
        for page in docs.rglob("*.md")
        # worked_example.md has numbers of its own (test_worked_example.py)
        if "vendor" not in page.parts and page.name != "worked_example.md"
        for name, _ in values.template.PLACEHOLDER.findall(page.read_text(encoding="utf-8"))
    }
    assert used, "no page uses a computed value"
    known = set(values.page_values("any.md", "w.whl"))
    assert used <= known, used - known
    assert "wheel" in used


def test_float64_checks_of_the_example_are_far_below_the_threshold() -> None:
    errors = measures.float64_errors()
    assert len(errors) == len(measures.SEEDS)
    assert all(0 < e < 1e-9 for e in errors), errors


def test_float32_best_error_is_far_above_float64_and_above_the_threshold() -> None:
    """The measurement behind 'Why float64': float32's best check misses 1e-7."""
    err, eps = measures.float32_best_error(0)
    assert 1e-7 < err < 1e-3, err
    assert measures.EPS_GRID.min() < eps < measures.EPS_GRID.max()  # an interior optimum
    assert err > 100 * max(measures.float64_errors())


def test_float32_measurement_uses_float32_arithmetic() -> None:
    """The same sweep in float64 would give a far smaller error: the float32 net is float32."""
    net, X, _ = measures.example_net(0, np.float32)
    assert X.dtype == np.float32
    assert all(p.value.dtype == np.float32 for p in net.parameters())


def test_parameter_count_of_the_benchmark_network() -> None:
    widths = (784, 256, 256, 10)
    expected = sum(n * m + m for n, m in itertools.pairwise(widths))
    assert measures.parameter_count(widths) == expected
    assert measures.parameter_count((3, 2)) == 8


def test_sci_and_span_are_inline_tex() -> None:
    assert measures.sci(3.21e-11) == r"$3.2 \times 10^{-11}$"
    assert measures.span((2e-5, 4.4e-5, 3e-5)) == r"$2.0 \times 10^{-5}$ to $4.4 \times 10^{-5}$"
    for name, value in values.VALUES.items():
        assert not re.search(r"\{\{|\}\}", value()), name
    assert isinstance(bp.__version__, str)
