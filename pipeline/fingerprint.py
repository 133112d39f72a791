"""Fingerprints that name intermediate outputs: a Merkle chain over the stages.

A stage's fingerprint hashes its name, its code version, the config it depends on and the
fingerprints of the stages before it (the idea gokart uses for Luigi targets). Changing a
boilerplate rule therefore renames the StripBoilerplate output and everything after it,
while the Ingest and Extract outputs keep their names and are reused.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def chain(stage: str, version: str, config: Any, *upstream: str) -> str:
    blob = json.dumps([stage, version, config, list(upstream)], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def input_signature(paths: Sequence[str]) -> str:
    """Hash of every input file's path, size and modification time.

    Cheap (one stat per file, no reading) yet it notices added, removed or rewritten
    inputs, so a rerun over a changed input folder does not reuse a stale Ingest.
    """
    digest = hashlib.sha256()
    for raw in paths:
        root = Path(raw).resolve()
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            try:
                st = os.stat(path)
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()[:12]
