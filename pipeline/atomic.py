"""Atomic file writes: write beside the target, then rename into place.

A reader (or a resumed run) therefore sees either the old complete file or the new
complete file, never a partial one. The temporary name starts with a dot and carries the
writer's host and process id, so concurrent writers never share one, and a later run can
tell a dead writer's leftovers from a live writer's work in progress.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOST = socket.gethostname().replace("/", "_")


def temp_path(path: Path) -> Path:
    """This process's temporary name for ``path``."""
    return path.with_name(f".{path.name}.tmp-{_HOST}-{os.getpid()}")


def _writer_is_dead(stale: Path) -> bool:
    """True for a temporary left by a process of this host that no longer runs.

    Temporaries of other hosts (workers sharing the storage) are never judged: their
    process table is not ours to read.
    """
    host, _, pid = stale.name.rpartition(".tmp-")[2].rpartition("-")
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def sweep_stale(path: Path) -> None:
    """Remove temporaries that a killed writer of ``path`` left behind (a SIGKILL skips every cleanup)."""
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
        if not _writer_is_dead(stale):
            continue
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path``, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(path)
    tmp = temp_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")

