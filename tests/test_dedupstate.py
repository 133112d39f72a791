"""Cross-batch NearDup: earlier batches win, count for templates, and both backends agree.

The Redis tests run a REAL redis-server on 127.0.0.1 (scripts/redis-server.sh) on a free
port; they skip with the reason when it cannot be started.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_dedup import BRIDGE, CFG, FOOTER, MIXED, doc

from pipeline import dedup
from pipeline.dedupstate import DirectoryState, kept_rows, pack, subset, unpack
from pipeline.lshindex import LshIndex, redis_storage
from pipeline.minhash import SignatureTable

ROOT = Path(__file__).resolve().parent.parent


def run(state: dedup.DedupState, docs: list) -> dict[str, dedup.Decision]:
    """One batch: decide against the state, then remember what was kept."""
    tables = [dedup.compute_signatures(docs, CFG)]
    decisions = dedup.find_near_duplicates(tables, CFG, state=state)
    dedup.update_state(state, tables, decisions)
    return decisions


def day1() -> list:
    return [
        doc("orig", BRIDGE, site="courier.example", date="2024-02-07"),
        doc("t0", ["Share on:", MIXED[0], FOOTER], url="https://barta-india.in/0"),
        doc("t1", ["Share on:", MIXED[1], FOOTER], url="https://barta-india.in/1"),
    ]


def day2() -> list:
    return [
        doc("copy", [*BRIDGE, "Republished with permission."], site="news.example", date="2024-02-01"),
        doc("t2", ["Share on:", MIXED[2], FOOTER], url="https://barta-india.in/2"),
        doc("fresh", MIXED[5:], site="x.example"),
    ]


DAY2_EXPECTED = {
    # dated before the original, but the original is already published: the earlier batch wins
    "copy": {"duplicate_of": "orig", "similarity": pytest.approx(0.97, abs=0.03)},
    # the footer is template only together with yesterday's two pages of the site
    "t2": {"remove": {0: "neardup.template", 2: "neardup.template"}},
}


def test_directory_state_earlier_batch_wins_and_counts_for_templates(tmp_path: Path) -> None:
    assert run(DirectoryState(tmp_path, "2024-02-07"), day1()) == {}
    assert run(DirectoryState(tmp_path, "2024-02-08"), day2()) == DAY2_EXPECTED
    segments = sorted(p.name for p in (tmp_path / "segments").iterdir())
    assert segments == ["2024-02-07.npz", "2024-02-08.npz"]


def test_directory_state_rerun_and_backfill_see_only_earlier_batches(tmp_path: Path) -> None:
    run(DirectoryState(tmp_path, "2024-02-07"), day1())
    run(DirectoryState(tmp_path, "2024-02-08"), day2())
    assert run(DirectoryState(tmp_path, "2024-02-08"), day2()) == DAY2_EXPECTED  # not a copy of itself
    assert run(DirectoryState(tmp_path, "2024-02-07"), day1()) == {}  # day 2 is later: invisible
    assert DirectoryState(tmp_path, "2024-02-09").earlier_batches() == ["2024-02-07", "2024-02-08"]


def test_state_keeps_only_documents_that_were_not_copies() -> None:
    tables = [dedup.compute_signatures(day1() + day2(), CFG)]
    decisions = dedup.find_near_duplicates(tables, CFG)
    assert decisions["orig"]["duplicate_of"] == "copy"  # same batch: the earlier date wins
    assert kept_rows(tables, decisions).doc_ids.tolist() == ["t0", "t1", "copy", "t2", "fresh"]


def test_subset_and_pack_round_trip_rows_exactly() -> None:
    table = dedup.compute_signatures([*day1(), doc("empty", [])], CFG)
    part = subset(table, [2, 0])
    assert part.doc_ids.tolist() == ["t1", "orig"]
    assert np.array_equal(part.paragraph_shingles(0), table.paragraph_shingles(table.para_offsets[2]))
    back = unpack([pack(table, 2), pack(table, 0)], table.params)
    for name in vars(part):
        assert np.array_equal(getattr(back, name), getattr(part, name)), name
    assert unpack([pack(table, 3)], table.params).para_sig.shape == (0, CFG["num_perm"])


@pytest.mark.redis
def test_redis_state_matches_the_directory_state(redis_port: int, tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{redis_port}"
    assert run(dedup.open_state(CFG, "2024-02-07", redis_url=url), day1()) == {}
    assert run(dedup.open_state(CFG, "2024-02-08", redis_url=url), day2()) == DAY2_EXPECTED
    assert run(dedup.open_state(CFG, "2024-02-08", redis_url=url), day2()) == DAY2_EXPECTED
    assert run(dedup.open_state(CFG, "2024-02-07", redis_url=url), day1()) == {}
    local = tmp_path / "state"
    run(dedup.open_state(CFG, "2024-02-07", directory=local), day1())
    assert run(dedup.open_state(CFG, "2024-02-08", directory=local), day2()) == DAY2_EXPECTED


@pytest.mark.redis
def test_redis_state_skips_queries_only_when_no_earlier_batch_is_stored(redis_port: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    url = f"redis://127.0.0.1:{redis_port}"
    run(dedup.open_state(CFG, "2024-02-08", redis_url=url), day1())
    queried: list[int] = []
    real_query = LshIndex.query_many
    monkeypatch.setattr(LshIndex, "query_many", lambda self, sigs: queried.append(len(sigs)) or real_query(self, sigs))
    table = dedup.compute_signatures(day2(), CFG)
    assert dedup.open_state(CFG, "2024-02-07", redis_url=url).related(table, CFG) is None
    assert queried == []  # only a later batch is stored: nothing to ask
    assert dedup.open_state(CFG, "2024-02-09", redis_url=url).related(table, CFG) is not None
    redis.Redis(host="127.0.0.1", port=redis_port).delete("newsclean:batches")  # a state from before the set
    queried.clear()
    assert dedup.open_state(CFG, "2024-02-09", redis_url=url).related(table, CFG) is not None
    assert queried


@pytest.mark.redis
def test_batched_redis_queries_equal_datasketch_query(redis_port: int) -> None:
    table: SignatureTable = dedup.compute_signatures(day1() + day2(), CFG)
    storage = redis_storage("127.0.0.1", redis_port, b"test-query")
    index = LshIndex(0.5, CFG["num_perm"], CFG["seed"], 0.95, storage)
    keys = [f"p{i}" for i in range(len(table.para_sig))]
    index.insert_many(keys, table.para_sig)
    batched = index.query_many(table.para_sig)
    one_by_one = [set(index.lsh.query(index._sketch(row))) for row in table.para_sig]
    assert batched == one_by_one
    assert all(k in found for k, found in zip(keys, batched, strict=True))
