"""What state a run's stages are in: done, missing, stale, or failed last time.

"Stale" means outputs of that stage exist, but under another fingerprint: the config, the
code or an upstream stage changed since they were made, so the next run rebuilds them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.layout import PER_SHARD, STAGES, failure_path, shard_file, stage_dir, stage_marker

DONE, MISSING, STALE, FAILED = "done", "missing", "stale", "failed"


@dataclass
class StageState:
    stage: str
    fingerprint: str
    shards: dict[int | None, str] = field(default_factory=dict)  # None for whole-batch stages
    errors: dict[int | None, str] = field(default_factory=dict)

    def summary(self) -> str:
        counts = Counter(self.shards.values())
        parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        scope = f"{len(self.shards)} shards" if self.stage in PER_SHARD else "batch"
        return f"{self.stage:<11} {self.fingerprint}  {scope}: {parts or 'nothing to do'}"


def _other_dirs(out: Path, stage: str, fingerprint: str) -> list[Path]:
    return [d for d in (out / "stages").glob(f"{stage}-*") if d.name != f"{stage}-{fingerprint}"]


def _state(current: Path, others: list[Path], marker: str, shard: int | None) -> tuple[str, str | None]:
    failed = failure_path(current, shard)
    if (current / marker).exists():
        return DONE, None
    if failed.exists():
        return FAILED, json.loads(failed.read_text()).get("error", "")
    if any((d / marker).exists() for d in others):
        return STALE, None
    return MISSING, None


def shard_count(out: Path, ingest_fp: str) -> int | None:
    """Shards of the current Ingest, else of the newest earlier one, else unknown."""
    current = stage_dir(out, "ingest", ingest_fp) / stage_marker("ingest")
    manifests = [current] if current.exists() else sorted(
        (out / "stages").glob("ingest-*/manifest.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for manifest in manifests:
        return int(json.loads(manifest.read_text())["shards"])
    return None


def run_status(out: Path, fingerprints: dict[str, str]) -> list[StageState]:
    out = Path(out)
    n = shard_count(out, fingerprints["ingest"]) or 0
    states = []
    for stage in STAGES:
        fp = fingerprints[stage]
        current, others = stage_dir(out, stage, fp), _other_dirs(out, stage, fp)
        state = StageState(stage, fp)
        keys: list[int | None] = list(range(n)) if stage in PER_SHARD else [None]
        for key in keys:
            marker = shard_file(stage, key) if key is not None else stage_marker(stage)
            state.shards[key], error = _state(current, others, marker, key)
            if error is not None:
                state.errors[key] = error
        states.append(state)
    return states
