"""The scale-out path end to end: two workers, a real luigid and a real redis-server, 10k documents.

The README's multi-machine recipe is exactly this on one host: workers that share an output
folder take shard tasks from the central scheduler, and the cross-batch near-duplicate state
lives in Redis. The batch must come out byte-identical to one process on its own with the
state in a folder, or scaling out would change what the corpus contains.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, read_jsonl

from pipeline.cli import main

DOCS = 10_000
OUTPUTS = ("articles.jsonl", "removed.jsonl", "rejected.jsonl", "errors.jsonl")


@pytest.fixture
def corpus(shared_data: Path, tmp_path: Path) -> Path:
    """The throughput benchmark's 10k corpus (bench/make_corpus.py, seed 0), generated here."""
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "--docs", str(DOCS), "--seed", "0",
                    "--out", str(out), "--data", str(shared_data), "--no-jsonl-form"],
                   check=True, capture_output=True, timeout=300)
    return out / "input"


def _shard_steps(stderr: str) -> Counter[str]:
    """'newsclean STEP: shard N ...' lines a worker printed, one per shard task it ran."""
    return Counter(line.split(":")[0] + ":" + line.split()[3] for line in stderr.splitlines()
                   if line.startswith("newsclean ") and ": shard " in line)


@pytest.mark.slow
@pytest.mark.redis
def test_two_workers_with_luigid_and_redis_equal_one_process(corpus: Path, tmp_path: Path, luigid: str,
                                                             redis_port: int) -> None:
    import redis

    args = ["run", "--input", str(corpus), "--batch", "day1"]
    shared = [sys.executable, "-m", "pipeline", *args, "--output", str(tmp_path / "shared"),
              "--scheduler-url", luigid, "--dedup-redis", f"redis://127.0.0.1:{redis_port}"]
    workers = [subprocess.Popen(shared, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    logs = [w.communicate(timeout=1200) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for _, err in logs]

    per_worker = [_shard_steps(err) for _, err in logs]
    assert all(per_worker), "both workers took shard tasks"
    done = sum(per_worker, Counter())
    assert done and set(done.values()) == {1}, "every shard task ran exactly once"
    assert redis.Redis(host="127.0.0.1", port=redis_port).dbsize() > 0, "the kept articles' state went to Redis"

    assert main([*args, "--output", str(tmp_path / "alone"), "--workers", "2", "--quiet"]) == 0
    for name in OUTPUTS:
        assert (tmp_path / "shared" / "day1" / name).read_bytes() == (tmp_path / "alone" / "day1" / name).read_bytes()
    articles = read_jsonl(tmp_path / "alone" / "day1" / "articles.jsonl")
    rejected = read_jsonl(tmp_path / "alone" / "day1" / "rejected.jsonl")
    assert len(articles) > DOCS // 2 and any(r["reason"] == "duplicate" for r in rejected)
