"""docs/performance.md and benchmarks/README.md show exactly the blocks of the committed report.

``make bench`` writes ``benchmarks/results/latest.json``, the readers' blocks between the
page's markers (the tables, the parts of the step, the fast path) and the maintainers' targets
table between the README's, all from the same run. None can drift from the JSON: this test
renders the JSON again with the benchmark package's own renderer and compares the texts. The
page is for readers: no targets on it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_report_module() -> ModuleType:
    """``benchmarks/report.py`` by path: the benchmarks are not an installed package."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "benchmarks" / "report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = load_report_module()


def test_the_page_shows_the_committed_report() -> None:
    latest = report.load()
    assert report.block_in_page() == report.page_block(latest)


def test_the_benchmarks_readme_shows_the_targets_of_the_committed_report() -> None:
    latest = report.load()
    assert report.block_in_page(report.README) == report.targets_block(latest)
    for row in latest["results"]:
        assert f"| {' | '.join(report.cells(row))} |" in report.block_in_page(report.README)


def test_the_page_is_for_readers_not_a_target_report() -> None:
    page = (ROOT / "docs" / "performance.md").read_text("utf-8")
    block = report.block_in_page()
    for internal in ("target", "met?", "**no**", "measured targets met", "docs build"):
        assert internal not in block, internal
    assert "targets met" not in page and "| **no** |" not in page
    latest = report.load()
    assert latest["environment"]["date"] in block  # measured and dated
    for key in ("train_b128", "train_b32", "digits_ratio", "digits_seconds"):
        row = next(r for r in latest["results"] if r["id"] == key)
        assert report.cells(row)[1] in block, key


def test_the_report_has_every_target_and_its_context() -> None:
    latest = report.load()
    assert [row["id"] for row in latest["results"]] == list(report.TARGETS)
    for row in latest["results"]:
        if row["median"] is not None:
            assert row["q1"] <= row["median"] <= row["q3"], row["id"]
            assert row["met"] == (row["median"] <= row["target"]), row["id"]
    env = latest["environment"]
    for key in ("date", "cpu", "numpy", "numpy_blas", "numpy_blas_kernel", "thread_pools"):
        assert env[key], key
    assert all(pool["num_threads"] == 1 for pool in env["thread_pools"])
    assert latest["summary"] == report.summary(latest["results"])


def test_a_changed_number_is_caught(tmp_path: Path) -> None:
    """The comparison is sensitive: one changed digit in the JSON makes the page stale."""
    latest = report.load()
    latest["results"][0]["median"] += 0.01
    page = tmp_path / "performance.md"
    page.write_text((ROOT / "docs" / "performance.md").read_text(encoding="utf-8"), "utf-8")
    assert report.block_in_page(page) != report.page_block(latest)
    assert report.update_page(latest, page)
    assert report.block_in_page(page) == report.page_block(latest)


@pytest.mark.parametrize("row_id", ["train_b128", "floor_b128"])
def test_the_table_renders_ratios_with_their_range(row_id: str) -> None:
    row = next(r for r in report.load()["results"] if r["id"] == row_id)
    if row["median"] is None:
        pytest.skip(f"{row_id} was not measured in the committed run")
    benchmark, median, iqr, target, met = report.cells(row)
    assert benchmark == row["benchmark"]
    assert median == f"{row['median']:.2f}"
    assert iqr == f"{row['q1']:.2f} to {row['q3']:.2f}"
    assert target == f"≤ {row['target']:.2f}"
    assert met in {"yes", "**no**"}


def test_the_page_shows_the_fast_path_of_the_committed_report() -> None:
    """The fast-path table is the committed run's, and it names the code's actual limit."""
    from backprop.layers import SMALL_BATCH

    latest = report.load()
    block = report.block_in_page(name=report.FAST_PATH)
    assert block == report.fast_path_block(latest)
    fast = latest["fast_path"]
    assert fast["small_batch"] == SMALL_BATCH
    assert [row["rows"] for row in fast["by_rows"]] == sorted(
        row["rows"] for row in fast["by_rows"]
    )
    for row in fast["by_rows"]:
        product, whole = row["transposed_product_over_product"], row["fast_over_clear"]
        for stat in (product, whole):
            assert stat["q1"] <= stat["median"] <= stat["q3"], row["rows"]
        runs = "the fast path" if row["rows"] <= SMALL_BATCH else "`affine`"
        line = f"| {row['rows']} | {product['median']:.2f} | {whole['median']:.2f} | {runs} |"
        assert line in block.splitlines(), line
    page = (ROOT / "docs" / "performance.md").read_text("utf-8")  # its prose names the limit
    assert f"For a batch of at most {SMALL_BATCH} rows (`SMALL_BATCH`)" in page
    assert f"The limit of {SMALL_BATCH} rows was chosen" in page


def test_each_block_is_written_between_its_own_markers(tmp_path: Path) -> None:
    latest = report.load()
    page = tmp_path / "performance.md"
    page.write_text((ROOT / "docs" / "performance.md").read_text(encoding="utf-8"), "utf-8")
    tables = report.block_in_page(page)
    latest["fast_path"]["by_rows"][0]["fast_over_clear"]["median"] += 0.5
    assert report.update_page(latest, page, report.fast_path_block, report.FAST_PATH)
    assert report.block_in_page(page, report.FAST_PATH) == report.fast_path_block(latest)
    assert report.block_in_page(page) == tables  # the other block is untouched
    assert not report.update_page(latest, tmp_path / "missing.md")
    (tmp_path / "plain.md").write_text("no markers\n", "utf-8")
    assert not report.update_page(latest, tmp_path / "plain.md", report.fast_path_block, "x")


def test_the_page_shows_the_step_parts_of_the_committed_report() -> None:
    latest = report.load()
    block = report.block_in_page(name=report.PARTS)
    assert block == report.parts_block(latest)
    for column in latest["parts"]["by_batch"]:
        micros = column["median_us"]
        parts_sum = sum(micros[name] for name in report.PART_LABELS)
        assert abs(column["rest_us"] - (micros["step"] - parts_sum)) < 0.5
        # the step is the one of the tables above: the same median within the noise of a run
        steps = next(r for r in latest["results"] if r["id"] == f"train_b{column['batch_size']}")
        assert 0.8 < micros["step"] / steps["details"]["median_us_per_step"]["ours_train"] < 1.25
    assert "| the whole step |" in block and block.count("µs (") == 5 * len(
        latest["parts"]["by_batch"]
    )
