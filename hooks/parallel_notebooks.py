"""MkDocs hook: execute the notebooks side by side, from the start of the build.

mkdocs-jupyter (``execute: true``) runs each notebook when MkDocs renders its page, one after
the other, while the rest of the build waits. Each notebook has its own kernel process, so
nothing stops them from running at the same time. As soon as MkDocs knows the files
(``on_files``), this hook starts a fresh kernel for each notebook that mkdocs-jupyter would
execute and runs the notebooks with nbclient in a background thread, while MkDocs renders the
Markdown pages.

When mkdocs-jupyter then converts a notebook page, its ``ExecutePreprocessor`` is handed this
build's run of that notebook instead of starting a second kernel: it waits for the run and
copies the outputs into the notebook. While it waits, the notebooks whose runs are done are
converted ahead of their pages (hooks/convert_ahead.py). If a cell raised, that step raises the
cell's ``CellExecutionError`` inside mkdocs-jupyter, so the build fails as before
(``allow_errors: false``). Nothing is cached: every build executes every notebook again.

The runs follow mkdocs-jupyter's settings (``include``, ``execute``, ``execute_ignore``,
``allow_errors``, ``kernel_name``) and use the same working directory. Scheduling, measured on
a 2-core machine:

* at most ``cpu_count + 1`` notebooks run at once, in page order, so they finish roughly in the
  order MkDocs needs them and each page is converted while later notebooks still run;
* kernels run at a lower CPU priority (Linux), so MkDocs itself, which does its work one page
  after the other, is never the one kept waiting;
* kernels run BLAS on one thread: they already keep every core busy;
* a kernel counts as ready when it answers (jupyter_client's client also waits for 0.2 s of
  quiet on IOPub, before every notebook), and a page gets its notebook's results before the
  kernel is shut down (about 0.1 s more).

Kernels talk to the build over local IPC sockets (``kernel_config``), not TCP on 127.0.0.1: no
other machine could listen in, and ipykernel prints no "running over TCP without encryption"
warning, one per notebook, that a reader of the build output would take for a security problem.

Each kernel is forked from one process of the build that has imported ipykernel's
dependencies, NumPy, matplotlib and the package once (docs_build/kernel_zygote.py): a kernel
would otherwise spend about a second of CPU time on those imports before its first cell. It is
still a kernel of its own for each notebook, with nothing left by another notebook. Where the
system cannot fork, kernels start as Jupyter starts them.

The runs start at ``on_config``, half a second before MkDocs reads the files: the hook finds
the notebooks itself, as MkDocs will (``get_files``). At ``on_files`` it compares them with
the files MkDocs found, and if a plugin or hook added or removed a notebook in between, it
stops those runs and starts the right ones.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib.util
import logging
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from convert_ahead import Ahead
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.parallel_notebooks")

PLUGIN = "mkdocs-jupyter"
KERNEL_NICENESS = 10
KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules warning, on every kernel
}


def kernel_config(socket_dir: str, index: int) -> dict[str, dict[str, str]]:
    """Traitlets config for nbclient's kernel manager: the kernel's sockets are Unix domain
    sockets ``<socket_dir>/<index>-<n>``. Each kernel needs its own prefix: the default,
    ``kernel-ipc`` in the working directory, would be shared by kernels started together."""
    return {"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, str(index))}}


ROOT = pathlib.Path(__file__).resolve().parents[1]
ZYGOTE = ROOT / "docs_build" / "kernel_zygote.py"
LAUNCHER = ROOT / "docs_build" / "kernel_launcher.py"
CAN_FORK = hasattr(os, "fork") and sys.platform != "win32"


def start_zygote(socket_path: str) -> subprocess.Popen[bytes]:
    """Start docs_build/kernel_zygote.py listening on `socket_path`; closing its stdin ends it
    and the kernels it forked. It imports at the priority of the calling thread, then lowers
    its own to KERNEL_NICENESS (Linux), which its kernels inherit."""
    return subprocess.Popen(
        [sys.executable, str(ZYGOTE), socket_path, str(KERNEL_NICENESS)],
        stdin=subprocess.PIPE,
        env=os.environ | KERNEL_ENV,
        # Its own session, as Jupyter gives each kernel: Ctrl-C in the terminal stops the
        # build, which then ends the zygote; it does not interrupt the kernels.
        start_new_session=True,
    )


def kernel_manager() -> type[Any]:
    """Jupyter's kernel manager, looking for kernel specs in Jupyter's data path only.

    By default it also looks in IPython's own folder of kernel specs (``~/.ipython/kernels``,
    from before Jupyter had its own), and finding that folder imports all of IPython into the
    build: about half a second of CPU time that the build, which keeps both cores busy, waits
    for. The notebooks' kernel, ``python3``, is ipykernel's, which Jupyter's path holds."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_path
    from traitlets import default

    class JupyterPathKernelSpecs(KernelSpecManager):  # type: ignore[misc]
        @default("kernel_dirs")
        def _jupyter_path_only(self) -> list[str]:
            return jupyter_path("kernels")

    class KernelManager(AsyncKernelManager):  # type: ignore[misc]
        @default("kernel_spec_manager")
        def _jupyter_path_specs(self) -> KernelSpecManager:
            return JupyterPathKernelSpecs(data_dir=self.data_dir)

        @default("client_factory")
        def _ready_client(self) -> type[Any]:
            return ReadyClient

    class ReadyClient(AsyncKernelClient):  # type: ignore[misc]
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """Wait until the kernel answers a ``kernel_info`` request and IOPub is connected.

            jupyter_client's own method then also waits until IOPub has been quiet for 0.2 s,
            to drop the kernel's start-up messages: 0.2 s before every notebook's first cell.
            nbclient reads only the IOPub messages that answer its own requests, so here they
            are left where they are."""
            from queue import Empty

            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                with contextlib.suppress(Empty):
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        # A message on IOPub (the kernel's status) shows that it is connected;
                        # what the kernel published before that is lost, so ask again.
                        await self.iopub_channel.get_msg(timeout=0.2)
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self.is_alive():
                    raise RuntimeError("the kernel died before it answered kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer kernel_info in {timeout} s")

    return KernelManager


def zygote_kernel_manager(socket_path: str) -> type[Any]:
    """A Jupyter kernel manager class (`kernel_manager`) whose kernels the zygote at
    `socket_path` forks: the kernel command ``python -m ipykernel_launcher ARGS`` becomes
    ``kernel_launcher.py SOCKET ARGS`` (docs_build/kernel_launcher.py)."""

    class ZygoteKernelManager(kernel_manager()):  # type: ignore[misc]
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd: list[str] = super().format_kernel_cmd(extra_arguments)
            if cmd[1:3] != ["-m", "ipykernel_launcher"]:
                raise PluginError(
                    "hooks/parallel_notebooks.py: the kernel runs "
                    f"{cmd[:3]}, not ipykernel, so it cannot be forked from the zygote."
                )
            return [sys.executable, "-I", "-S", str(LAUNCHER), socket_path, *cmd[3:]]

    return ZygoteKernelManager


class KernelHost:
    """Where a build's kernels live: a private folder for their sockets (mode 0700) and, where
    the system can fork, the zygote they are forked from, started at once. `close` ends the
    zygote, any kernel left, and removes the folder."""

    def __init__(self) -> None:
        self.sockets = tempfile.TemporaryDirectory(prefix="kernels-")
        self.zygote_socket = os.path.join(self.sockets.name, "zygote")
        self.zygote: subprocess.Popen[bytes] | None = None
        if CAN_FORK:
            try:
                self.zygote = start_zygote(self.zygote_socket)
            except BaseException:
                self.sockets.cleanup()
                raise

    def manager_class(self) -> type[Any]:
        """The kernel manager class for this host's kernels (imports jupyter_client)."""
        if self.zygote is not None:
            return zygote_kernel_manager(self.zygote_socket)
        return kernel_manager()

    def close(self) -> None:
        if self.zygote is not None:  # its stdin closing ends it, and any kernel left
            assert self.zygote.stdin is not None
            self.zygote.stdin.close()
            self.zygote.wait()
            self.zygote = None
        self.sockets.cleanup()


_runs: NotebookRuns | None = None  # started at on_config, checked at on_files
_ahead: Ahead | None = None  # notebooks converted while MkDocs waits for a run (convert_ahead.py)


class NotebookRuns:
    """Executes notebooks in a background thread, each in a fresh kernel, several at once."""

    def __init__(
        self, paths: list[str], kernel_name: str, allow_errors: bool, host: KernelHost | None = None
    ) -> None:
        """Start running the notebooks at `paths`, in kernels of `host`; without one, the runs
        start a host of their own. The runs close the host when they end."""
        self.kernel_name = kernel_name
        self.allow_errors = allow_errors
        self.at_once = (os.cpu_count() or 1) + 1
        # path -> the executed notebook, or the exception its run raised
        self.results: dict[str, concurrent.futures.Future[Any]] = {
            path: concurrent.futures.Future() for path in paths
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._host = host
        self._manager_class: type[Any] | None = None  # set in the thread: imports jupyter_client
        self._thread = threading.Thread(target=self._main, name="notebook-runs")
        self._thread.start()

    def _main(self) -> None:
        # Linux: lowers this thread only, and the processes it starts inherit it.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), KERNEL_NICENESS)
        try:
            if self._host is None and self.results:
                self._host = KernelHost()
            if self._host is not None:
                self._manager_class = self._host.manager_class()
            asyncio.run(self._run_all())
        except BaseException as exc:  # no page may wait for a run that never comes
            for future in self.results.values():
                if not future.done():
                    future.set_exception(exc)
        finally:
            if self._host is not None:
                self._host.close()

    async def _run_all(self) -> None:
        self._loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self.at_once)
        self._tasks = [
            asyncio.create_task(self._run(path, i, slots)) for i, path in enumerate(self.results)
        ]
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, path: str, index: int, slots: asyncio.Semaphore) -> None:
        import jupytext  # type: ignore[import-untyped]
        from nbclient import NotebookClient
        from traitlets.config import Config

        future = self.results[path]
        host = self._host
        assert host is not None
        try:
            async with slots:
                nb = jupytext.read(path)
                client = NotebookClient(
                    nb,
                    kernel_name=self.kernel_name,
                    allow_errors=self.allow_errors,
                    store_widget_state=True,
                    config=Config(kernel_config(host.sockets.name, index)),
                )
                assert self._manager_class is not None
                client.kernel_manager_class = self._manager_class
                try:
                    # No working directory, as in mkdocs-jupyter: the kernel starts in ours.
                    # The kernel is shut down below, after its page has the results.
                    await client.async_execute(cleanup_kc=False, env=os.environ | KERNEL_ENV)
                    merge_streams(nb)
                    future.set_result(nb)
                finally:
                    await shut_down(client, path)
        except BaseException as exc:  # handed to the page that needs it
            if not future.done():
                future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise

    def cancel(self) -> None:
        """Stop the runs still going (their kernels are shut down) and wait for them."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            for task in self._tasks:
                loop.call_soon_threadsafe(task.cancel)
        self.join()

    def join(self) -> None:
        self._thread.join()


async def shut_down(client: Any, path: str) -> None:
    """Shut down the kernel of nbclient's `client` and close its channels, as nbclient does
    after the last cell when it cleans up itself. A kernel that cannot be shut down is
    reported (the zygote still ends it when the build ends)."""
    km, kc = client.km, client.kc
    try:
        if km is not None and await km.is_alive():
            await km.shutdown_kernel()
    except asyncio.CancelledError:
        # The build is stopping the runs: stop the launcher at once and reap it (the kernel
        # itself ends with the zygote, which the runs close next).
        if km is not None:
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=True)
        raise
    except Exception as exc:
        log.warning(f"hooks/parallel_notebooks.py: {path}: the kernel did not shut down: {exc}")
    finally:
        if km is not None:
            await km.cleanup_resources()
        if kc is not None:
            kc.stop_channels()


def merge_streams(nb: Any) -> None:
    """Merge each run of consecutive outputs to the same stream (stdout, stderr) into one.

    A print writes its text and its newline separately; when the kernel flushes between the
    two, they arrive as two outputs, and the page shows a second block that starts with an
    empty line. JupyterLab shows such a run as one block; so does the page. (nbclient's own
    ``coalesce_streams`` also merges streams that a figure stands between, moving text.)"""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list[Any] = []
        for output in cell.outputs:
            last = merged[-1] if merged else None
            if (
                last is not None
                and output.output_type == last.output_type == "stream"
                and output.name == last.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def _cells(nb: Any) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def copy_outputs(executed: Any, nb: Any, where: str) -> None:
    """Put the results of `executed` into `nb`, the same notebook as mkdocs-jupyter read it."""
    if _cells(executed) != _cells(nb):
        raise PluginError(
            f"hooks/parallel_notebooks.py: {where}: the notebook that mkdocs-jupyter converts "
            "does not have the cells of the one this hook executed (was it edited during the "
            "build?)."
        )
    for ran, cell in zip(executed.cells, nb.cells, strict=True):
        if cell.cell_type == "code":
            cell.outputs = ran.outputs
            cell.execution_count = ran.execution_count
        cell.metadata = ran.metadata
    for key in ("language_info", "widgets"):
        if key in executed.metadata:
            nb.metadata[key] = executed.metadata[key]


@contextmanager
def serve_run(future: concurrent.futures.Future[Any], where: str) -> Iterator[list[bool]]:
    """While active, nbconvert's ExecutePreprocessor returns this run instead of executing.

    Yields a one-item list that becomes [True] once the preprocessor was called."""
    from nbconvert.preprocessors import ExecutePreprocessor

    called = [False]
    original = ExecutePreprocessor.preprocess

    def preprocess(self: Any, nb: Any, resources: Any = None, km: Any = None) -> Any:
        called[0] = True
        if _ahead is not None:  # while the run goes on, convert the notebooks that are done
            _ahead.wait(future)
        copy_outputs(future.result(), nb, where)  # re-raises a cell's CellExecutionError
        return nb, resources

    ExecutePreprocessor.preprocess = preprocess  # type: ignore[method-assign]
    try:
        yield called
    finally:
        ExecutePreprocessor.preprocess = original  # type: ignore[method-assign]


def executed_by_jupyter(plugin: Any, file: Any) -> bool:
    """Whether mkdocs-jupyter executes this file when it renders it (its own rules)."""
    if not file.src_uri.endswith((".py", ".ipynb", ".md")):
        return False
    if not plugin.config["execute"] or not plugin.should_include(file):
        return False
    src = pathlib.PurePath(file.abs_src_path)
    return not any(src.match(pattern) for pattern in plugin.config["execute_ignore"])


def _stop() -> None:
    """End this build's runs and kernels, if any (a build that failed, or `mkdocs serve`
    starting the next build after one that stopped early)."""
    global _ahead, _runs
    if _ahead is not None:
        _ahead.uninstall()
        _ahead = None
    if _runs is not None:
        _runs.cancel()
        _runs = None


def _plugin(config: Any) -> Any:
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        raise PluginError(f"hooks/parallel_notebooks.py needs the {PLUGIN} plugin in mkdocs.yml.")
    return plugin


def _start(paths: list[str], plugin: Any) -> NotebookRuns:
    try:
        host = KernelHost() if paths else None
    except OSError as exc:
        raise PluginError(f"hooks/parallel_notebooks.py: cannot start the kernels: {exc}") from exc
    return NotebookRuns(paths, plugin.config["kernel_name"], plugin.config["allow_errors"], host)


def on_config(config: Any) -> Any:
    """Start the runs now, while MkDocs loads the files and the first pages: the zygote's
    imports (about a second) and the first notebooks take the other core."""
    global _runs
    _stop()
    plugin = _plugin(config)
    if plugin.config["execute"]:
        from mkdocs.structure.files import get_files

        paths = [f.abs_src_path for f in get_files(config) if executed_by_jupyter(plugin, f)]
        _runs = _start(paths, plugin)
    return config


def on_files(files: Any, config: Any) -> Any:
    global _ahead, _runs
    plugin = _plugin(config)
    paths = [f.abs_src_path for f in files if executed_by_jupyter(plugin, f)]
    if _runs is None or list(_runs.results) != paths:
        if _runs is not None:  # the files changed since on_config
            _runs.cancel()
        _runs = _start(paths, plugin)
    docs_dir = pathlib.Path(config["docs_dir"])
    runs = _runs

    def serve(path: str) -> contextlib.AbstractContextManager[Any]:
        return serve_run(runs.results[path], pathlib.Path(path).relative_to(docs_dir).as_posix())

    if _ahead is not None:
        _ahead.uninstall()
    _ahead = Ahead(runs.results, serve)
    _ahead.install()
    return files


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    # Hooks run after the plugins, so mkdocs-jupyter has already replaced page.render.
    if _runs is None or page.file.abs_src_path not in _runs.results:
        return page
    future = _runs.results[page.file.abs_src_path]
    where = page.file.src_uri
    if "render" not in vars(page):
        raise PluginError(f"hooks/parallel_notebooks.py: {PLUGIN} did not take over {where}.")
    convert: Callable[[Any, Any], None] = page.render

    def render(config: Any, files: Any) -> None:
        with serve_run(future, where) as called:
            convert(config, files)
        if not called[0] and not (_ahead is not None and page.file.abs_src_path in _ahead.served):
            raise PluginError(
                f"hooks/parallel_notebooks.py: {PLUGIN} converted {where} without nbconvert's "
                "ExecutePreprocessor, so this hook no longer matches it: update the hook."
            )

    page.render = render
    return page


def on_post_build(config: Any) -> None:
    global _ahead, _runs
    if _ahead is not None:
        _ahead.uninstall()
        _ahead = None
    if _runs is not None:
        _runs.join()
        save_executed(_runs, config)
        _runs = None


def save_executed(runs: NotebookRuns, config: Any) -> None:
    """Ship each executed notebook in the site as a download (docs_build/site_downloads.py)."""
    root = pathlib.Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "site_downloads", root / "docs_build" / "site_downloads.py"
    )
    assert spec is not None and spec.loader is not None
    downloads = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(downloads)
    for path, future in runs.results.items():
        src_uri = pathlib.Path(path).relative_to(config["docs_dir"]).as_posix()
        downloads.write_notebook(future.result(), pathlib.Path(config["site_dir"]), src_uri)


def on_build_error(error: Exception) -> None:
    _stop()
