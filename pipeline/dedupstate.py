"""Cross-batch NearDup state: what earlier batches kept, so today's copies of it are rejected.

Scheduled runs publish a batch a day; an article syndicated today of one published last
week is a duplicate of that earlier, already published, article. The state holds, per kept
document, the rows of its signature table (paragraph exact hashes, signatures and shingle
sets), enough to propose candidates with LSH *and* verify them with the true Jaccard.

Two backends answer the same two calls, :meth:`related` (the earlier documents that could
matter to a batch: document-LSH candidates, and documents sharing an exact or LSH-near
paragraph, at most ``state_max_matches`` per paragraph) and :meth:`add` (remember what a
batch kept):

* :class:`DirectoryState` (default, no server): one ``.npz`` segment per batch under a
  directory, written atomically like the per-shard signature files of datatrove's MinHash
  stages; ``related`` scans the segments one at a time with an in-memory datasketch LSH,
  so memory is bounded by the largest batch, not by the history.
* :class:`RedisState` (shared): datasketch's MinHashLSH in Redis under fixed key names, plus
  a Redis hash of packed document records for verification.

A batch only ever sees batches whose key sorts before its own (ISO dates do), so re-running
a day, or backfilling it late, gives the same decisions; adding a batch again replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.atomic import write_text
from pipeline.decisions import Decision
from pipeline.lshindex import LshIndex
from pipeline.minhash import SignatureTable, load_signatures, merge_tables, save_signatures

_DOC_FIELDS = ("doc_ids", "doc_sites", "doc_dates")


class DedupState(Protocol):
    """Documents kept by batches before this one."""

    def related(self, table: SignatureTable, cfg: dict[str, Any]) -> SignatureTable | None: ...

    def add(self, table: SignatureTable) -> None: ...


def subset(table: SignatureTable, docs: Sequence[int]) -> SignatureTable:
    """The rows of ``docs`` (document indexes), in that order, as a table of their own."""
    paras = np.array([p for d in docs for p in table.doc_paragraphs(d)], dtype=np.int64)
    n_para = np.array([len(table.doc_paragraphs(d)) for d in docs], dtype=np.int64)
    sizes = np.diff(table.shingle_offsets)[paras]
    starts = table.shingle_offsets[paras]
    take = np.repeat(starts - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes) + np.arange(sizes.sum())
    idx = np.array(docs, dtype=np.int64)
    return SignatureTable(
        params=table.params, doc_ids=table.doc_ids[idx], doc_sites=table.doc_sites[idx],
        doc_dates=table.doc_dates[idx], para_offsets=np.concatenate([[0], np.cumsum(n_para)]).astype(np.int64),
        para_pos=table.para_pos[paras], para_words=table.para_words[paras], para_exact=table.para_exact[paras],
        para_sig=table.para_sig[paras], shingle_offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        shingles=table.shingles[take.astype(np.int64)],
    )


def kept_rows(tables: Sequence[SignatureTable], decisions: dict[str, Decision]) -> SignatureTable:
    """Every document of the batch that was not rejected as a copy: what later batches match.

    Template and repeated paragraphs stay in, because template counting needs them.
    """
    table = merge_tables(tables)
    keep = [d for d, i in enumerate(table.doc_ids) if "duplicate_of" not in decisions.get(str(i), {})]
    return subset(table, keep)


def doc_signatures(table: SignatureTable) -> tuple[list[int], np.ndarray]:
    """Documents with paragraphs, and their MinHash: the minimum of their paragraphs' rows."""
    docs = [d for d in range(len(table.doc_ids)) if len(table.doc_paragraphs(d))]
    sigs = np.empty((len(docs), table.para_sig.shape[1]), dtype=np.uint32)
    for row, d in enumerate(docs):
        sigs[row] = table.para_sig[table.doc_paragraphs(d)].min(axis=0)
    return docs, sigs


def long_paragraphs(table: SignatureTable, cfg: dict[str, Any]) -> np.ndarray:
    return np.flatnonzero(table.para_words >= cfg["min_paragraph_words"])


def paragraph_owner(table: SignatureTable) -> np.ndarray:
    return np.repeat(np.arange(len(table.doc_ids)), np.diff(table.para_offsets))


def _index(cfg: dict[str, Any], threshold: str, storage: dict[str, Any] | None = None) -> LshIndex:
    return LshIndex(cfg[threshold], cfg["num_perm"], cfg["seed"], cfg["lsh_false_negative_weight"], storage)


def capped(matches: Iterator[set[Hashable]], limit: int) -> set[Hashable]:
    """The union of per-paragraph matches, keeping at most ``limit`` (smallest keys) of each."""
    out: set[Hashable] = set()
    for found in matches:
        out.update(sorted(found, key=str)[:limit])
    return out


class DirectoryState:
    """The embedded backend: ``root/segments/<batch>.npz`` plus ``root/manifest.json``."""

    def __init__(self, root: Path, batch: str) -> None:
        self.root, self.batch = Path(root), batch

    def _segment(self, batch: str) -> Path:
        return self.root / "segments" / f"{batch}.npz"

    def earlier_batches(self) -> list[str]:
        manifest = self.root / "manifest.json"
        batches = json.loads(manifest.read_text(encoding="utf-8"))["batches"] if manifest.exists() else []
        return sorted(b for b in batches if b < self.batch)

    def related(self, table: SignatureTable, cfg: dict[str, Any]) -> SignatureTable | None:
        parts = [self._related_in(load_signatures(self._segment(b)), table, cfg) for b in self.earlier_batches()]
        parts = [p for p in parts if len(p.doc_ids)]
        return merge_tables(parts) if parts else None

    def _related_in(self, old: SignatureTable, table: SignatureTable, cfg: dict[str, Any]) -> SignatureTable:
        """One segment's documents that matter to ``table``; the segment's index is dropped after."""
        limit = cfg["state_max_matches"]
        docs, sigs = doc_signatures(old)
        index = _index(cfg, "document_threshold")
        index.insert_many(docs, sigs)
        found = capped(iter(index.query_many(doc_signatures(table)[1])), limit)
        owner = paragraph_owner(old)
        by_exact: dict[int, set[Hashable]] = {}
        for p, h in enumerate(old.para_exact.tolist()):
            by_exact.setdefault(h, set()).add(int(owner[p]))
        found |= capped((by_exact.get(h, set()) for h in table.para_exact.tolist()), limit)
        old_long, new_long = long_paragraphs(old, cfg), long_paragraphs(table, cfg)
        paragraphs = _index(cfg, "paragraph_threshold")
        paragraphs.insert_many(old_long.tolist(), old.para_sig[old_long])
        near = paragraphs.query_many(table.para_sig[new_long])
        found |= capped(({int(owner[int(p)]) for p in hits} for hits in near), limit)
        return subset(old, sorted(int(d) for d in found))

    def add(self, table: SignatureTable) -> None:
        """Write this batch's segment, then list it in the manifest (both atomic): a crash
        between the two leaves an unlisted segment that the next ``add`` overwrites."""
        save_signatures(table, self._segment(self.batch))
        manifest = self.root / "manifest.json"
        batches = json.loads(manifest.read_text(encoding="utf-8"))["batches"] if manifest.exists() else []
        batches = sorted({*batches, self.batch})
        write_text(manifest, json.dumps({"batches": batches}, indent=1) + "\n")


def update_state(state: DedupState, tables: Sequence[SignatureTable], decisions: dict[str, Decision]) -> None:
    """After NearDup: remember what this batch kept, for the batches after it."""
    if tables:
        state.add(kept_rows(tables, decisions))


def open_state(cfg: dict[str, Any], batch: str, directory: Path | None = None, redis_url: str = "") -> DedupState:
    """The directory backend by default, the Redis one for ``redis_url`` = ``redis://host:port``."""
    if redis_url:
        from pipeline.redisstate import RedisState  # redis is only needed for the shared option

        host, _, port = redis_url.removeprefix("redis://").rstrip("/").partition(":")
        return RedisState(cfg, batch, host or "127.0.0.1", int(port or 6379))
    if directory is None:
        raise ValueError("the embedded dedup state needs a directory")
    return DirectoryState(directory, batch)


def pack(table: SignatureTable, d: int) -> bytes:
    """One document's rows as bytes: a JSON header line, then the raw arrays."""
    one = subset(table, [d])
    head = {name: str(getattr(one, name)[0]) for name in _DOC_FIELDS}
    head["paragraphs"] = len(one.para_pos)
    arrays = [one.para_pos, one.para_words, one.para_exact, one.para_sig, np.diff(one.shingle_offsets).astype(
        np.int32), one.shingles]
    return json.dumps(head).encode() + b"\n" + b"".join(a.tobytes() for a in arrays)


def unpack(blobs: Sequence[bytes], params: np.ndarray) -> SignatureTable:
    """The inverse of :func:`pack` for many documents at once."""
    tables = [_unpack_one(blob, params) for blob in blobs]
    return merge_tables(tables)


def _unpack_one(blob: bytes, params: np.ndarray) -> SignatureTable:
    line, _, raw = blob.partition(b"\n")
    head = json.loads(line)
    n, perm = int(head["paragraphs"]), int(params[1])
    cuts = np.cumsum([4 * n, 4 * n, 8 * n, 4 * n * perm, 4 * n])
    pos, words, exact, sig, sizes, shingles = np.split(np.frombuffer(raw, dtype=np.uint8), cuts)
    sizes_i = sizes.view(np.int32).astype(np.int64)
    values: dict[str, Any] = {name: np.array([head[name]], dtype=str) for name in _DOC_FIELDS}
    values.update(params=params, para_offsets=np.array([0, n], dtype=np.int64), para_pos=pos.view(np.int32),
                  para_words=words.view(np.int32), para_exact=exact.view(np.uint64),
                  para_sig=sig.view(np.uint32).reshape(n, perm), shingles=shingles.view(np.uint32),
                  shingle_offsets=np.concatenate([[0], np.cumsum(sizes_i)]).astype(np.int64))
    assert {f.name for f in fields(SignatureTable)} == set(values)
    return SignatureTable(**values)
