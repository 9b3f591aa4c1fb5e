"""Start notebook kernels by forking one process that has already imported their libraries.

Every notebook of the site runs in a kernel of its own, as it does when a reader runs it. A
kernel spends about a second of CPU time importing ipykernel, IPython, NumPy, matplotlib and
the package before the notebook's first cell runs, and a build runs seven kernels on two
cores. This module is that import, done once per build:

* ``python kernel_zygote.py SOCKET [NICENESS]`` (the *zygote*) imports those libraries, lowers
  its priority to ``NICENESS`` if given (its kernels inherit it), then listens on the Unix
  socket ``SOCKET``. For each request it forks: the child becomes an ipykernel with
  the request's arguments, environment and working directory. The child shares no state with
  the notebooks run before it: each one is forked from the zygote, which never runs a cell.
  When its standard input closes (the build is over), the zygote kills the kernels still
  running and exits.
* ``docs_build/kernel_launcher.py`` is the command Jupyter starts instead of
  ``python -m ipykernel_launcher``: it asks the zygote for a kernel, passes the signals it gets
  on to it, and exits when the kernel exits, with its exit status. To Jupyter it is the kernel
  process.

The zygote imports matplotlib with ``MPLBACKEND`` set to the inline backend, as ipykernel sets
it before a notebook can import matplotlib, but neither ``pyplot`` nor the backend itself:
those attach to the kernel's shell when the notebook imports them. It does not import
ipykernel itself (`PRELOAD` says why), and it starts no thread and no event loop, which a
forked child could not use. It freezes what it imported (``gc.freeze``), and its kernels run
the cyclic garbage collector less often (`KERNEL_GC_THRESHOLDS`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import socket
import sys
import traceback
from typing import Any

# What ipykernel sets before any cell runs (ipykernel/kernelapp.py, init_gui_pylab).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# What a kernel of this site imports before its notebook's own work: ipykernel's dependencies
# (not ipykernel itself, whose classes read the environment that Jupyter gives each kernel,
# such as JPY_PARENT_PID, when they are defined) and the notebooks' libraries.
PRELOAD = [
    "IPython",
    "IPython.core.interactiveshell",
    "jupyter_client",
    "jupyter_client.session",
    "zmq",
    "zmq.asyncio",
    "tornado.ioloop",
    "numpy",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.axes",
    "matplotlib.backend_bases",
    "matplotlib.font_manager",
    "matplotlib.image",
    "backprop",
]
OPTIONAL = ["debugpy.server.api"]  # ipykernel's debugger, if debugpy is installed
# A kernel's cyclic garbage collector runs after 10,000 net allocations, not Python's 700, as in
# the build itself (hooks/gc_tuning.py): about 0.1 s of CPU time less per notebook. Cycles are
# still collected, in larger batches.
KERNEL_GC_THRESHOLDS = (10_000, 50, 100)


def preload() -> None:
    """Import the kernels' libraries into this process, once. A library that fails to import
    is left out: the notebook that imports it then fails in its own cell, as it would in a
    kernel of its own (the package while someone edits it, say)."""
    import importlib

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in PRELOAD + OPTIONAL:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    early = sorted(m for m in sys.modules if m == "ipykernel" or m.startswith("ipykernel."))
    if early:
        raise RuntimeError(f"kernel_zygote.py: preloading imported {early}; it must not")


def become_kernel(request: dict[str, Any]) -> None:
    """In a forked child: run ipykernel as ``python -m ipykernel_launcher`` would; never
    returns."""
    code = 1
    try:
        gc.set_threshold(*KERNEL_GC_THRESHOLDS)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


class Zygote:
    """The zygote's event loop: requests on the socket, children's exits, its own stdin."""

    def __init__(self, path: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.requests: dict[socket.socket, bytes] = {}  # connection -> request so far
        self.children: dict[int, socket.socket] = {}  # kernel pid -> its launcher
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through wake_w
        self.wake_w = wake_w

    def serve(self) -> None:
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "exit")
        self.selector.register(sys.stdin, selectors.EVENT_READ, "parent")
        while True:
            for key, _ in self.selector.select():
                if key.data == "accept":
                    conn, _ = self.listener.accept()
                    self.requests[conn] = b""
                    self.selector.register(conn, selectors.EVENT_READ, "request")
                elif key.data == "request":
                    self._read_request(key.fileobj)  # type: ignore[arg-type]
                elif key.data == "launcher":
                    self._launcher_spoke(key.fileobj)  # type: ignore[arg-type]
                elif key.data == "exit":
                    os.read(self.wake_r, 4096)
                    self._reap()
                elif key.data == "parent" and not os.read(sys.stdin.fileno(), 4096):
                    self._stop()
                    return

    def _read_request(self, conn: socket.socket) -> None:
        data = conn.recv(65536)
        if not data:
            self.selector.unregister(conn)
            del self.requests[conn]
            conn.close()
            return
        self.requests[conn] += data
        if not self.requests[conn].endswith(b"\n"):
            return
        request = json.loads(self.requests.pop(conn))
        self.selector.unregister(conn)
        pid = os.fork()
        if pid == 0:
            self._forget(conn)
            become_kernel(request)
        self.children[pid] = conn
        conn.sendall(f"{pid}\n".encode())
        self.selector.register(conn, selectors.EVENT_READ, "launcher")

    def _forget(self, conn: socket.socket) -> None:
        """In the child: drop everything of the zygote's."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.selector.close()
        for sock in [self.listener, conn, *self.requests, *self.children.values()]:
            sock.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the zygote's stdin belongs to the build
        os.close(devnull)

    def _launcher_spoke(self, conn: socket.socket) -> None:
        if conn.recv(4096):
            return  # launchers send nothing after their request
        # The launcher is gone (killed): so is its kernel. `_reap` closes the connection.
        self.selector.unregister(conn)
        for pid, launcher in self.children.items():
            if launcher is conn:
                self._kill(pid)

    def _kill(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(KeyError):  # unless `_launcher_spoke` did
                self.selector.unregister(conn)
            with contextlib.suppress(OSError):  # the launcher may be gone already
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            conn.close()

    def _stop(self) -> None:
        for pid in list(self.children):
            self._kill(pid)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.children.pop(pid).close()


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or (len(argv) == 2 and not argv[1].isdigit()):
        print("usage: kernel_zygote.py SOCKET [NICENESS]", file=sys.stderr)
        return 2
    zygote = Zygote(argv[0])  # listens before the imports: launchers may connect already
    preload()
    if len(argv) == 2:  # the kernels' priority (Linux), once the imports are done
        with contextlib.suppress(AttributeError, OSError):
            os.nice(max(0, int(argv[1]) - os.nice(0)))
    # What the imports made lives as long as a kernel: no collection in a kernel scans it. (It
    # also stays shared with the zygote's memory; a collection would write to every object.)
    gc.freeze()
    zygote.serve()
    return 0


if __name__ == "__main__":
    sys.path.pop(0)  # this folder: a kernel's imports must not see it
    raise SystemExit(main(sys.argv[1:]))
