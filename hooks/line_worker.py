"""A child process of the build, fed one JSON message per line while the build goes on.

`LineWorker.send` returns at once: a thread of its own writes each message to the child's
stdin, so the build never waits for the child to read. The child answers once, on its stdout,
after the end of its input (`finish`, or `answer`). Its stderr goes to a temporary file, so
that it never waits for the build to read its warnings either. Used by hooks/typeset_math.py
(MathJax in Node), hooks/offline_check.py (the offline scan), hooks/search_index.py
(Material's search entries) and hooks/static_math.py (half of the math fonts).
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import tempfile
import threading
from pathlib import Path


class WorkerError(RuntimeError):
    """The child process failed; the message ends with its stderr."""


class LineWorker:
    """The child process ``cmd`` (run in ``cwd``), fed by `send`; `finish`, `answer` or `close`
    ends it."""

    def __init__(self, cmd: list[str], *, cwd: Path | None = None, name: str = "worker") -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed by finish or close)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, cwd=cwd
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write, name=f"{name}-input", daemon=True)
        self._writer.start()

    def send(self, message: object) -> None:
        # One line per message: JSON escapes every newline inside strings.
        self._lines.put(json.dumps(message).encode("utf-8") + b"\n")

    def _write(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (line := self._lines.get()) is not None:
                stdin.write(line)
                if self._lines.empty():  # nothing more to send now: let the child have it
                    stdin.flush()
        except (BrokenPipeError, ValueError):  # the child ended early: `finish` reports why
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):  # flushes what it will never read
                stdin.close()

    def finish(self) -> tuple[int, bytes, str]:
        """End the input and wait for the child: (its exit status, its stdout, its stderr)."""
        self._lines.put(None)
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait()
        self._writer.join()
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        return self.proc.returncode, out, err

    def answer(self) -> bytes:
        """`finish`, then `close`: the child's stdout. Raises `WorkerError`, with the end of
        its stderr, if it did not exit with status 0."""
        try:
            returncode, out, err = self.finish()
        finally:
            self.close()
        if returncode != 0:
            raise WorkerError(f"exit status {returncode}:\n{err.strip()[-4000:]}")
        return out

    def close(self) -> None:
        """Stop the child if it still runs (the build failed before `finish`)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._lines.put(None)
        self._writer.join()
        for stream in (self.proc.stdout, self._stderr):
            if stream is not None:
                stream.close()
