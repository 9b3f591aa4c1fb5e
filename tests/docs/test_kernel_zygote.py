"""docs_build/kernel_zygote.py and kernel_launcher.py: the build's kernels are forked from one
process that imported their libraries, and each still behaves as a kernel of its own."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from docs_helpers import import_hook
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pn = import_hook("parallel_notebooks")
pytestmark = pytest.mark.skipif(not pn.CAN_FORK, reason="the zygote needs os.fork")


def import_zygote() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kernel_zygote", pn.ZYGOTE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stop_zygote(zygote: subprocess.Popen[bytes]) -> int:
    assert zygote.stdin is not None
    zygote.stdin.close()
    return zygote.wait(timeout=30)


@pytest.fixture(scope="module")
def zygote_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("zygote") / "socket"
    zygote = pn.start_zygote(str(path))
    yield str(path)
    assert stop_zygote(zygote) == 0


def run(cells: list[str], socket_path: str, **options: Any) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=pn.zygote_kernel_manager(socket_path),
        **options,
    ).execute(env=os.environ | pn.KERNEL_ENV)
    return nb


def text(nb: Any, cell: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_each_notebook_gets_a_kernel_of_its_own(zygote_socket: str) -> None:
    first = run(
        [
            "import os, numpy as np\n"
            "x = 41\n"
            "np.set_printoptions(precision=2)\n"
            "import backprop\n"
            "backprop.planted = True\n"
            "print(os.getpid())"
        ],
        zygote_socket,
    )
    second = run(
        [
            "print('x' in dir())",
            "import numpy as np, backprop\n"
            "print(np.get_printoptions()['precision'], hasattr(backprop, 'planted'))",
            "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()",
            "import os\nprint(os.getpid())",
        ],
        zygote_socket,
    )
    assert text(second, 0) == "False\n", "a variable of the first notebook leaked"
    assert text(second, 1) == "8 False\n", "module state of the first notebook leaked"
    assert "image/png" in second.cells[2].outputs[0]["data"], "figures are shown inline"
    assert text(first, 0) != text(second, 3), "both notebooks ran in one process"


def test_kernels_collect_garbage_in_larger_batches(zygote_socket: str) -> None:
    """A forked kernel uses the zygote's thresholds, and the preloaded imports are frozen:
    no collection of the kernel scans them."""
    nb = run(
        ["import gc\nprint(gc.get_threshold(), gc.get_freeze_count() > 10_000)"], zygote_socket
    )
    zygote = import_zygote()
    assert text(nb, 0) == f"{zygote.KERNEL_GC_THRESHOLDS} True\n"


def test_kernels_run_at_the_kernel_priority(zygote_socket: str) -> None:
    """The zygote imports at the build's priority, then lowers its own: its kernels run at
    KERNEL_NICENESS (or the build's own, if that is lower still)."""
    nb = run(["import os\nprint(os.nice(0))"], zygote_socket)
    assert text(nb, 0) == f"{max(pn.KERNEL_NICENESS, os.nice(0))}\n"


def notebook_config(tmp_path: Path, names: list[str], execute: bool = True) -> Any:
    """A MkDocs config whose docs folder holds the notebooks `names` and a Markdown page."""
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "index.md").write_text("# Home\n")
    for name in names:
        (docs / name).write_text("# %%\nprint(1)\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - mkdocs-jupyter:\n"
        f"      include: ['*.py']\n      execute: {str(execute).lower()}\n"
    )
    return load_config(str(tmp_path / "mkdocs.yml"))


def test_the_runs_start_at_on_config_and_a_failed_build_ends_them(tmp_path: Path) -> None:
    """At on_config the hook finds the notebooks as MkDocs will, and starts their runs and
    the zygote; on_files keeps those runs when MkDocs found the same notebooks."""
    from mkdocs.structure.files import get_files

    config = notebook_config(tmp_path, ["a.py", "b.py"])
    pn.on_config(config)
    runs = pn._runs
    assert runs is not None and list(runs.results) == [
        str(tmp_path / "docs" / n) for n in ("a.py", "b.py")
    ]
    host = runs._host
    assert host is not None and host.zygote is not None and host.zygote.poll() is None
    zygote, sockets = host.zygote, Path(host.sockets.name)
    pn.on_files(get_files(config), config)
    assert pn._runs is runs, "the same notebooks: the runs started at on_config go on"
    pn.on_build_error(RuntimeError("a later step failed"))
    assert pn._runs is None and pn._ahead is None
    assert zygote.poll() == 0 and not sockets.exists()
    assert all(f.done() for f in runs.results.values())


def test_on_files_restarts_the_runs_when_the_notebooks_changed(tmp_path: Path) -> None:
    """A plugin or hook may add or remove files after on_config: the runs follow the files."""
    from mkdocs.structure.files import File, get_files

    config = notebook_config(tmp_path, ["a.py"])
    pn.on_config(config)
    first = pn._runs
    assert first is not None
    files = get_files(config)
    (tmp_path / "docs" / "c.py").write_text("# %%\nprint(3)\n")
    files.append(File("c.py", config["docs_dir"], config["site_dir"], True))
    try:
        pn.on_files(files, config)
        second = pn._runs
        assert second is not first and all(f.done() for f in first.results.values())
        assert second is not None and list(second.results) == [
            str(tmp_path / "docs" / n) for n in ("a.py", "c.py")
        ]
        assert [
            o["text"]
            for o in second.results[str(tmp_path / "docs" / "c.py")]
            .result(timeout=60)
            .cells[0]
            .outputs
        ] == ["3\n"]
    finally:
        pn.on_build_error(RuntimeError("end of the test"))


def test_no_kernels_when_mkdocs_jupyter_executes_nothing(tmp_path: Path) -> None:
    from mkdocs.structure.files import get_files

    config = notebook_config(tmp_path, ["a.py"], execute=False)
    pn.on_config(config)
    assert pn._runs is None
    pn.on_files(get_files(config), config)
    assert pn._runs is not None and pn._runs.results == {} and pn._runs._host is None
    pn.on_build_error(RuntimeError("end of the test"))


def test_a_raising_cell_fails_the_run(zygote_socket: str) -> None:
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        run(["1 / 0"], zygote_socket)


def test_an_interrupt_reaches_the_kernel(zygote_socket: str) -> None:
    """nbclient interrupts a cell that runs past its timeout; the launcher passes it on."""
    nb = run(
        ["import time\ntime.sleep(120)"],
        zygote_socket,
        timeout=3,
        interrupt_on_timeout=True,
        allow_errors=True,
    )
    errors = [o for o in nb.cells[0].outputs if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["KeyboardInterrupt"]


def run_async(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run `scenario` on an event loop of its own (other tests may leave one running here)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


async def _start(socket_path: str) -> tuple[Any, Any, int]:
    km = pn.zygote_kernel_manager(socket_path)(kernel_name="python3")
    await km.start_kernel(env=os.environ | pn.KERNEL_ENV)
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    pids: list[int] = []

    def output(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            pids.append(int(msg["content"]["text"]))

    await client.execute_interactive("import os; print(os.getpid())", output_hook=output)
    return km, client, pids[0]


def test_a_killed_launcher_takes_its_kernel_with_it(zygote_socket: str) -> None:
    async def scenario() -> int:
        km, client, pid = await _start(zygote_socket)
        client.stop_channels()
        km.provisioner.process.kill()  # SIGKILL: the launcher cannot pass it on
        km.provisioner.process.wait()
        await km.cleanup_resources()
        km.context.destroy(linger=0)
        return int(pid)

    pid = run_async(scenario)
    assert wait_gone(pid), f"kernel {pid} outlived its launcher"


def test_closing_the_zygote_input_ends_it_and_its_kernels(tmp_path: Path) -> None:
    socket_path = tmp_path / "socket"
    zygote = pn.start_zygote(str(socket_path))

    async def scenario() -> tuple[int, int, int | None]:
        km, client, pid = await _start(str(socket_path))
        try:
            code = stop_zygote(zygote)
            gone = wait_gone(pid)
            launcher = km.provisioner.process.wait(timeout=20)
        finally:
            client.stop_channels()
            await km.cleanup_resources()
            km.context.destroy(linger=0)
        return code, pid if not gone else 0, launcher

    try:
        code, left, launcher = run_async(scenario)
    finally:
        if zygote.poll() is None:
            zygote.kill()
    assert code == 0
    assert left == 0, f"kernel {left} outlived the zygote"
    assert launcher != 0, "the launcher must report that its kernel was killed"


def test_merge_streams_merges_only_consecutive_outputs_of_one_stream() -> None:
    out = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        out("stream", name="stdout", text="a"),
        out("stream", name="stdout", text="\nb\n"),
        out("display_data", data={"text/plain": "figure"}),
        out("stream", name="stdout", text="c\n"),
        out("stream", name="stderr", text="warning\n"),
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell, nbformat.v4.new_markdown_cell("text")]
    pn.merge_streams(nb)
    assert [(o["output_type"], o.get("text")) for o in cell.outputs] == [
        ("stream", "a\nb\n"),
        ("display_data", None),
        ("stream", "c\n"),
        ("stream", "warning\n"),
    ]


def test_a_zygote_that_cannot_start_fails_the_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page waits for its notebook's run: none may wait for a run that never comes."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("cannot start the zygote")

    monkeypatch.setattr(pn.subprocess, "Popen", refuse)
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %%\nprint(1)\n")
    runs = pn.NotebookRuns([str(notebook)], "python3", False)
    runs.join()
    with pytest.raises(OSError, match="cannot start the zygote"):
        runs.results[str(notebook)].result(timeout=10)


def test_a_kernel_is_ready_without_waiting_for_quiet_on_iopub(zygote_socket: str) -> None:
    """jupyter_client's wait_for_ready ends by reading IOPub until a read times out after 0.2 s
    of quiet. The build's client stops at the first IOPub message after the kernel_info reply
    (IOPub is connected), and a cell still runs."""
    from queue import Empty

    from traitlets.config import Config

    async def start() -> tuple[list[str], str]:
        manager = pn.zygote_kernel_manager(zygote_socket)(
            kernel_name="python3",
            config=Config(pn.kernel_config(str(Path(zygote_socket).parent), 90)),
        )
        await manager.start_kernel(env=os.environ | pn.KERNEL_ENV)
        client = manager.client()
        client.start_channels()
        reads: list[str] = []  # how each IOPub read of wait_for_ready ended
        get_msg = client.iopub_channel.get_msg

        async def recording(*args: Any, **kwargs: Any) -> Any:
            try:
                msg = await get_msg(*args, **kwargs)
            except Empty:
                reads.append("timed out")
                raise
            reads.append(msg["msg_type"])
            return msg

        client.iopub_channel.get_msg = recording
        try:
            await client.wait_for_ready(timeout=60)
            client.iopub_channel.get_msg = get_msg
            reply = await client.execute_interactive("print(6 * 7)", output_hook=lambda m: None)
            return reads, reply["content"]["status"]
        finally:
            client.stop_channels()
            await manager.shutdown_kernel()

    # A thread of its own: an event loop may already run in this one (the browser tests').
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        reads, status = pool.submit(lambda: asyncio.run(start())).result(timeout=120)
    assert reads[-1] != "timed out", reads
    assert status == "ok"


def test_a_page_gets_its_results_before_the_kernel_shuts_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page that waits for a notebook goes on while its kernel shuts down."""
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %%\nprint(1)\n")
    seen: list[bool] = []
    shut_down = pn.shut_down

    async def recording(client: Any, path: str) -> None:
        seen.append(runs.results[path].done())
        await shut_down(client, path)

    monkeypatch.setattr(pn, "shut_down", recording)
    runs = pn.NotebookRuns([str(notebook)], "python3", False)
    runs.join()
    assert runs.results[str(notebook)].result().cells[0].outputs[0]["text"] == "1\n"
    assert seen == [True]


def test_kernel_specs_come_from_jupyters_path_without_importing_ipython() -> None:
    """The build's kernel manager finds ipykernel's ``python3`` on Jupyter's data path, and
    looking for it imports no IPython into the build (IPython's own folder of kernel specs is
    not searched)."""
    probe = (
        "import sys\n"
        "from jupyter_core.paths import jupyter_path\n"
        "manager = pn.kernel_manager()(kernel_name='python3')\n"
        "assert manager.kernel_spec_manager.kernel_dirs == jupyter_path('kernels')\n"
        "spec = manager.kernel_spec\n"
        "assert spec.argv[1:3] == ['-m', 'ipykernel_launcher'], spec.argv\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'IPython'], 'IPython imported'\n"
        "print('ok')\n"
    )
    hook = Path(pn.__file__)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util, sys\n"
            f"sys.path.insert(0, {str(hook.parent)!r})\n"  # as MkDocs loads a hook
            f"spec = importlib.util.spec_from_file_location('pn', {str(hook)!r})\n"
            "pn = importlib.util.module_from_spec(spec); spec.loader.exec_module(pn)\n" + probe,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and out.stdout == "ok\n", out.stderr
