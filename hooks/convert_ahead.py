"""Convert finished notebooks to HTML while MkDocs waits for another (hooks/parallel_notebooks.py).

MkDocs renders its pages one after the other, in a single thread. When it reaches a notebook
page whose run is still going, it waits, and meanwhile the runs of later notebooks may finish;
once it has that page, it converts the later ones one by one, about 0.3 s each, while the other
core has nothing left to do. `Ahead` uses the wait instead: while MkDocs waits for a run, each
finished notebook is converted with mkdocs-jupyter's own converter (``nb2html``), with the
arguments mkdocs-jupyter gave the page being waited for, and the HTML is kept. When MkDocs
reaches that notebook's page, mkdocs-jupyter's call to ``nb2html`` returns the kept HTML if it
asks with the same arguments, and converts as usual otherwise. The HTML is the same: the same
function, the same executed notebook, the same arguments.

A notebook whose run failed is not converted ahead: its own page converts it and reports the
error, as before.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

# Opens the context in which nbconvert's ExecutePreprocessor hands out that notebook's run.
Serve = Callable[[str], contextlib.AbstractContextManager[Any]]


class Ahead:
    """While installed, mkdocs-jupyter's ``nb2html`` is served from the notebooks converted
    ahead (`wait`), in the order of `runs` (notebook path -> its run)."""

    def __init__(self, runs: dict[str, concurrent.futures.Future[Any]], serve: Serve) -> None:
        self.runs = runs
        self.serve = serve
        self.kept: dict[str, tuple[str, str]] = {}  # path -> (the arguments, as a key; HTML)
        self.served: set[str] = set()  # paths whose page got the kept HTML
        self._done: set[str] = set()  # paths converted, ahead or by their page, or failed
        self._calls: list[tuple[str, dict[str, Any]]] = []  # nb2html calls under way
        self._module: Any = None
        self._original: Callable[..., str] | None = None

    def install(self) -> None:
        from mkdocs_jupyter import convert  # type: ignore[import-untyped]

        self._module, self._original = convert, convert.nb2html
        convert.nb2html = self._nb2html

    def uninstall(self) -> None:
        if self._module is not None:
            self._module.nb2html = self._original
            self._module = None

    @staticmethod
    def _key(kwargs: dict[str, Any]) -> str:
        return repr(sorted(kwargs.items()))

    def _nb2html(self, nb_path: str, **kwargs: Any) -> str:
        kept = self.kept.pop(nb_path, None)
        self._done.add(nb_path)
        if kept is not None and kept[0] == self._key(kwargs):
            self.served.add(nb_path)
            return kept[1]
        assert self._original is not None
        self._calls.append((nb_path, kwargs))
        try:
            return self._original(nb_path, **kwargs)
        finally:
            self._calls.pop()

    def wait(self, future: concurrent.futures.Future[Any]) -> None:
        """Until `future` is done, convert each notebook whose run is done (and succeeded)."""
        while not future.done():
            ready = [p for p, run in self.runs.items() if run.done() and p not in self._done]
            if ready and self._calls:
                self._convert(ready[0], self.runs[ready[0]])
                continue
            pending = [run for run in self.runs.values() if not run.done()]  # `future` too
            concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)

    def _convert(self, path: str, run: concurrent.futures.Future[Any]) -> None:
        self._done.add(path)
        if run.exception() is not None:
            return  # its page converts it, and reports why it failed
        _, kwargs = self._calls[-1]  # the page being waited for: the same plugin settings
        assert self._original is not None
        with _nbconvert2_globals(), self.serve(path):
            self.kept[path] = (self._key(kwargs), self._original(path, **kwargs))


@contextlib.contextmanager
def _nbconvert2_globals() -> Iterator[None]:
    """mkdocs-jupyter's converter numbers the code cells of a notebook in a module global (for
    the copy buttons' ids) and keeps its kernel's language in another: a conversion ahead, run
    in the middle of another notebook's, must leave both as it found them."""
    from mkdocs_jupyter import nbconvert2

    saved = nbconvert2.cell_id, nbconvert2.kernel_lang
    try:
        yield
    finally:
        nbconvert2.cell_id, nbconvert2.kernel_lang = saved
