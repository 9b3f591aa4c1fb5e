"""The kernel command when a build's kernels come from the zygote (docs_build/kernel_zygote.py).

``python -I -S kernel_launcher.py SOCKET -f CONNECTION_FILE ...`` asks the zygote listening on
``SOCKET`` for an ipykernel with the arguments after ``SOCKET``, this process's environment and
working directory. It then stands for the kernel: the signals it gets (an interrupt, a
termination) go to the kernel, and it exits when the kernel exits, with its exit status. If it
is killed, the zygote kills the kernel. Standard library only, so it starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time

CONNECT_SECONDS = 60.0  # the zygote listens before it imports, so this is only a safety net
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1)


def connect(path: str) -> socket.socket:
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        print("usage: kernel_launcher.py SOCKET [ipykernel arguments]", file=sys.stderr)
        return 2
    sock = connect(argv[0])
    request = {"argv": argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}
    sock.sendall(json.dumps(request).encode() + b"\n")
    answers = sock.makefile("rb")
    line = answers.readline()
    if not line:
        print("kernel_launcher.py: the kernel zygote did not start a kernel", file=sys.stderr)
        return 1
    pid = int(line)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    line = answers.readline()  # "exit N" when the kernel has exited
    if not line.startswith(b"exit "):
        print("kernel_launcher.py: lost the kernel zygote", file=sys.stderr)
        return 1
    code = int(line.split()[1])
    if code < 0:  # killed by a signal: so is this process, as the kernel's stand-in
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
