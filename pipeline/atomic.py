"""Atomic file writes: write beside the target, then rename into place.

A reader (or a resumed run) therefore sees either the old complete file or the new
complete file, never a partial one. The temporary name starts with a dot and carries the
process id, so two workers never share one and leftovers are easy to recognise.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sweep_stale(path: Path) -> None:
    """Remove temporaries a killed writer of ``path`` left behind.

    Luigi runs one task per target at a time, so any temporary of this target that exists
    before we start writing belongs to a run that died: a SIGKILL skips every cleanup.
    """
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
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
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
