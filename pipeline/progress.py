"""A progress line for long runs: shard steps done, documents per second, ETA.

It watches the stage folders rather than listening to Luigi events, because with several
worker processes (or workers on other machines) the events happen elsewhere, while the
files they leave are visible to everyone sharing the output folder.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from pipeline.layout import PER_SHARD, shard_file, stage_dir, stage_marker


def count_done(out: Path, fingerprints: dict[str, str], n_shards: int) -> int:
    """Shard steps finished so far under the current fingerprints."""
    done = 0
    for stage in PER_SHARD:
        folder = stage_dir(out, stage, fingerprints[stage])
        done += sum((folder / shard_file(stage, i)).exists() for i in range(n_shards))
    return done


def progress_line(done: int, total: int, documents: int, elapsed: float) -> str:
    share = done / total if total else 1.0
    rate = documents * share / elapsed if elapsed > 0 else 0.0
    eta = elapsed * (1 - share) / share if share > 0 else float("nan")
    eta_text = time.strftime("%H:%M:%S", time.gmtime(eta)) if eta == eta else "--:--:--"
    return f"progress: {done}/{total} shard steps ({share:.0%}), {rate:,.0f} docs/s, ETA {eta_text}"


class Progress:
    """Redraws one status line on a terminal every ``interval`` seconds until stopped."""

    def __init__(self, out: Path, fingerprints: dict[str, str], stream: TextIO = sys.stderr,
                 interval: float = 1.0) -> None:
        self.out, self.fingerprints, self.stream, self.interval = Path(out), fingerprints, stream, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = time.monotonic()

    def _manifest(self) -> dict[str, int] | None:
        path = stage_dir(self.out, "ingest", self.fingerprints["ingest"]) / stage_marker("ingest")
        return json.loads(path.read_text()) if path.exists() else None

    def _draw(self) -> None:
        manifest = self._manifest()
        if manifest is None:
            line = "progress: reading inputs"
        else:
            n = manifest["shards"]
            done = count_done(self.out, self.fingerprints, n)
            line = progress_line(done, n * len(PER_SHARD), manifest["documents"], time.monotonic() - self._started)
        self.stream.write(f"\r\x1b[2K{line}")
        self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw()

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.stream.write("\r\x1b[2K")
        self.stream.flush()
