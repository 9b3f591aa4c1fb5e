"""hooks/convert_ahead.py: while MkDocs waits for one notebook's run, the notebooks whose runs are
done are converted with mkdocs-jupyter's converter, and their pages get that same HTML."""

from __future__ import annotations

import concurrent.futures
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from docs_helpers import import_hook
from mkdocs_jupyter import convert

pn = import_hook("parallel_notebooks")
ARGS: dict[str, Any] = {"execute": True, "allow_errors": False, "theme": ""}


def notebook(path: Path, text: str) -> str:
    path.write_text(f"# %% [markdown]\n# # {path.stem}\n\n# %%\nprint({text!r})\n", "utf-8")
    return str(path)


def executed(path: str) -> Any:
    """The notebook at `path` as a run would return it: its cells, with an output each."""
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
            cell.execution_count = 1
    return nb


def done(path: str) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_result(executed(path))
    return future


def page(path: str, run: concurrent.futures.Future[Any], **args: Any) -> str:
    """What mkdocs-jupyter's render does with the hook: nb2html, with the run served. Each
    conversion reads the notebook again, and jupytext gives its cells new random ids."""
    with pn.serve_run(run, Path(path).name):
        return re.sub(r"cell-id=[0-9a-f]+", "cell-id=", str(convert.nb2html(path, **(ARGS | args))))


@pytest.fixture
def ahead(tmp_path: Path) -> Iterator[tuple[Any, dict[str, concurrent.futures.Future[Any]]]]:
    paths = [notebook(tmp_path / f"{name}.py", name) for name in ("first", "second", "failed")]
    runs: dict[str, concurrent.futures.Future[Any]] = {
        paths[0]: concurrent.futures.Future(),  # still running
        paths[1]: done(paths[1]),
        paths[2]: concurrent.futures.Future(),
    }
    runs[paths[2]].set_exception(RuntimeError("a cell raised"))
    converter = pn.Ahead(runs, lambda path: pn.serve_run(runs[path], Path(path).name))
    converter.install()
    pn._ahead = converter
    try:
        yield converter, runs
    finally:
        pn._ahead = None
        converter.uninstall()


def test_done_notebooks_are_converted_while_a_page_waits(ahead: Any) -> None:
    converter, runs = ahead
    first, second, failed = runs
    alone = {path: page(path, done(path)) for path in (first, second)}  # no wait: plain
    converter._done.clear()

    # The first page waits for its run; the second notebook's run is done meanwhile.
    threading.Timer(0.5, runs[first].set_result, [executed(first)]).start()
    assert page(first, runs[first]) == alone[first], "the waiting page is converted as always"
    assert second in converter.kept and failed not in converter.kept
    assert page(second, runs[second]) == alone[second], "the kept HTML is the conversion's"
    assert converter.served == {second}
    # The failed run is converted by its own page, which reports the error.
    with pytest.raises(RuntimeError, match="a cell raised"):
        page(failed, runs[failed])


def test_kept_html_is_not_served_for_other_arguments(ahead: Any) -> None:
    converter, runs = ahead
    first, second, _ = runs
    threading.Timer(0.2, runs[first].set_result, [executed(first)]).start()
    page(first, runs[first])
    assert second in converter.kept
    assert "jp-OutputArea-output extra" in page(
        second, runs[second], highlight_extra_classes="extra"
    )
    assert converter.served == set(), "converted again, with the page's own arguments"


def test_uninstall_restores_mkdocs_jupyters_converter(ahead: Any) -> None:
    converter, _ = ahead
    assert convert.nb2html == converter._nb2html
    converter.uninstall()
    assert convert.nb2html is converter._original
