"""Shared fixtures: the seed folder, the reference data, a CLI runner, and the real services
(luigid, redis-server) started by the project's own scripts on free ports."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds() -> Path:
    return SEEDS


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA


def run_cli(*args: str) -> int:
    return main(["run", *args, "--quiet"])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"luigid exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("luigid did not start listening in time")


@pytest.fixture
def luigid(tmp_path: Path) -> Iterator[str]:
    """A real luigid from scripts/luigid.sh on a free port; yields its URL."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "STATE_DIR": str(tmp_path / "luigid"),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "luigid.sh")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port, proc, time.monotonic() + 30)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    """A real redis-server started from scripts/redis-server.sh on a free port."""
    redis = pytest.importorskip("redis", reason="pip install redis (the test extra) for the shared option")
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed (scripts/install-test-services.sh redis-server)")
    port = free_port()
    proc = subprocess.Popen([str(ROOT / "scripts" / "redis-server.sh"), str(port), str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.skip(f"redis-server did not answer on 127.0.0.1:{port}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
