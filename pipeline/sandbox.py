"""A long-lived child process that runs one named function with a time limit per call.

Why a subprocess and not ``multiprocessing``: the caller may itself be a Luigi task process
(or a daemonic pool worker, which multiprocessing forbids from having children), and a
plain ``python -c`` child with two pipes works from anywhere, imports nothing of the
parent's state, and can be killed without poisoning locks the parent holds. The child is
reused across calls, so its start-up cost (importing trafilatura and lxml) is paid once;
only a call that runs over its limit costs a kill and a restart.

Protocol: one JSON line per message. The parent first sends ``{"sys_path", "func"}``; the
child imports ``func`` ("module:qualname") and answers ``{"ready": true}``. Each request
is ``{"args": [...]}`` and each answer is ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": "..."}``. The child exits when its stdin closes, so it cannot
outlive a parent that dies without calling ``close()``. POSIX only (``select`` on pipes).
"""

from __future__ import annotations

import importlib
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0  # importing trafilatura on a loaded machine; not charged to any document


class SandboxTimeout(Exception):
    """The call ran over its limit; the child has been killed and will be restarted."""


class SandboxError(Exception):
    """The function raised in the child, or the child died; the message says which."""


def function_name(func: Callable[..., Any]) -> str:
    """The "module:qualname" the child imports; refuses what a fresh process cannot import."""
    module, qualname = func.__module__, func.__qualname__
    if module == "__main__" or "<" in qualname:
        raise ValueError(f"{module}.{qualname} cannot be imported by a child: use a module-level function")
    return f"{module}:{qualname}"


def _resolve(name: str) -> Callable[..., Any]:
    module, _, qualname = name.partition(":")
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _send(stream: Any, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message).encode("ascii") + b"\n")
    stream.flush()


def serve() -> None:
    """Child side: answer requests until stdin closes.

    The real stdout is kept for the protocol and fd 1 is pointed at stderr, so a library
    that prints cannot corrupt an answer.
    """
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    stdin = sys.stdin.buffer
    hello = json.loads(stdin.readline())
    sys.path[:] = hello["sys_path"]
    func = _resolve(hello["func"])
    _send(out, {"ready": True})
    for line in stdin:
        args = json.loads(line)["args"]
        try:
            _send(out, {"ok": True, "result": func(*args)})
        except Exception as exc:  # the parent decides what a failure means for the document
            _send(out, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})


class Sandbox:
    """Runs ``func(*args)`` in a reusable child process, at most ``timeout`` seconds a call.

    Arguments and results must be JSON values. Use as a context manager, or call
    ``close()``, so the child is shut down when the work is done.
    """

    def __init__(self, func: Callable[..., Any], timeout: float) -> None:
        self.func_name = function_name(func)
        self.timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.close()

    def call(self, *args: Any) -> Any:
        """The function's result; SandboxTimeout or SandboxError when there is none."""
        proc = self._ensure_started()
        try:
            _send(proc.stdin, {"args": list(args)})
            answer = self._read_message(self.timeout)
        except SandboxTimeout:
            self._kill()
            raise
        except (OSError, SandboxError) as exc:
            self._kill()
            raise SandboxError(f"worker process died: {exc}") from None
        if not answer.get("ok"):
            raise SandboxError(answer.get("error", "unknown error"))
        return answer["result"]

    def close(self) -> None:
        """Let the child finish on end-of-input; kill it if it does not go quietly."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            proc.stdout.close()  # type: ignore[union-attr]

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._kill()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from pipeline.sandbox import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        _send(self._proc.stdin, {"sys_path": sys.path, "func": self.func_name})
        try:
            self._read_message(max(START_TIMEOUT, self.timeout))
        except (SandboxTimeout, SandboxError) as exc:
            self._kill()
            raise SandboxError(f"worker process did not start: {exc}") from None
        return self._proc

    def _read_message(self, timeout: float) -> dict[str, Any]:
        """One JSON line from the child, reading the raw pipe so ``select`` sees all data."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SandboxTimeout(f"no answer within {timeout:g}s")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise SandboxError(f"exit code {self._proc.wait()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _kill(self) -> None:
        proc, self._proc, self._buffer = self._proc, None, b""
        if proc is None:
            return
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
