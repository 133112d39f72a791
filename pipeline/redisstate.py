"""The shared cross-batch state: datasketch's MinHashLSH in Redis, and packed records beside it.

Several machines (or a scheduled job and a manual rerun) can then deduplicate against one
history. Keys, all under the fixed prefix ``basename`` (default ``newsclean``):

* ``<b>:doc*`` / ``<b>:para*``: datasketch's Redis storage of the document and paragraph
  LSH indexes (``storage_config={"type": "redis", "basename": ...}``); paragraph keys are
  ``"<doc id>\\x1f<row>"``;
* ``<b>:exact:<16 hex>``: set of doc ids having a paragraph with that exact hash;
* ``<b>:docs``: hash doc id -> :func:`pipeline.dedupstate.pack` record (for verification);
* ``<b>:batchof``: hash doc id -> batch key; ``<b>:batch:<key>``: set of that batch's ids;
* ``<b>:batches``: set of the batch keys present, so a batch with nothing before it skips
  the queries (about 30 s for 10k documents: one Redis command per band and paragraph).

Only documents of batches that sort before this one are returned, as in the directory
backend; adding a batch again first removes what it added last time.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import redis

from pipeline.dedupstate import _index, doc_signatures, long_paragraphs, pack, paragraph_owner, unpack
from pipeline.lshindex import redis_storage
from pipeline.minhash import SignatureTable, _params

SEP = "\x1f"


class RedisState:
    """Cross-batch state in one Redis database, for the batch ``batch``."""

    def __init__(self, cfg: dict[str, Any], batch: str, host: str = "127.0.0.1", port: int = 6379,
                 basename: str = "newsclean") -> None:
        self.cfg, self.batch, self.base = cfg, batch, basename
        self.client = redis.Redis(host=host, port=port)
        self.docs = _index(cfg, "document_threshold", redis_storage(host, port, f"{basename}:doc".encode()))
        self.paras = _index(cfg, "paragraph_threshold", redis_storage(host, port, f"{basename}:para".encode()))

    def _key(self, *parts: str) -> str:
        return ":".join([self.base, *parts])

    def _earlier(self, ids: set[str]) -> list[str]:
        """Of ``ids``, those kept by a batch before this one, sorted."""
        ordered = sorted(ids)
        batches = self.client.hmget(self._key("batchof"), ordered) if ordered else []
        return [i for i, b in zip(ordered, batches, strict=True) if b is not None and b.decode() < self.batch]

    def related(self, table: SignatureTable, cfg: dict[str, Any]) -> SignatureTable | None:
        if not self._has_earlier_batch():
            return None
        limit = cfg["state_max_matches"]
        found: set[Hashable] = set()
        for hits in self.docs.query_many(doc_signatures(table)[1]):
            found |= set(self._earlier({str(h) for h in hits})[:limit])
        for hits in self._exact_matches(table.para_exact):
            found |= set(self._earlier(hits)[:limit])
        near = self.paras.query_many(table.para_sig[long_paragraphs(table, cfg)])
        for hits in near:
            found |= set(self._earlier({str(h).split(SEP)[0] for h in hits})[:limit])
        ids = sorted(str(i) for i in found)
        if not ids:
            return None
        blobs = self.client.hmget(self._key("docs"), ids)
        return unpack([b for b in blobs if b is not None], table.params)

    def _has_earlier_batch(self) -> bool:
        """Whether any batch sorting before this one is stored. A state written before the
        ``batches`` set existed has ids in ``batchof`` only: then the queries decide."""
        names = self.client.smembers(self._key("batches"))
        if names:
            return any(b.decode() < self.batch for b in names)
        return bool(self.client.hlen(self._key("batchof")))

    def _exact_matches(self, exact: np.ndarray) -> list[set[str]]:
        pipe = self.client.pipeline(transaction=False)
        for h in exact.tolist():
            pipe.smembers(self._key("exact", f"{h:016x}"))
        return [{m.decode() for m in members} for members in pipe.execute()]

    def add(self, table: SignatureTable) -> None:
        """Index this batch's kept documents (replacing what an earlier run of it added)."""
        self._forget_batch()
        ids = [str(i) for i in table.doc_ids]
        docs, sigs = doc_signatures(table)
        self.docs.insert_many([ids[d] for d in docs], sigs)
        owner = paragraph_owner(table)
        rows = long_paragraphs(table, self.cfg)
        keys = [f"{ids[owner[p]]}{SEP}{table.para_pos[p]}" for p in rows.tolist()]
        self.paras.insert_many(keys, table.para_sig[rows])
        pipe = self.client.pipeline(transaction=True)
        for p, h in enumerate(table.para_exact.tolist()):
            pipe.sadd(self._key("exact", f"{h:016x}"), ids[owner[p]])
        for d, doc_id in enumerate(ids):
            pipe.hset(self._key("docs"), doc_id, pack(table, d))
            pipe.hset(self._key("batchof"), doc_id, self.batch)
        if ids:
            pipe.sadd(self._key("batch", self.batch), *ids)
            pipe.sadd(self._key("batches"), self.batch)
        pipe.execute()

    def _forget_batch(self) -> None:
        """Remove every trace of an earlier ``add`` of this batch (a rerun replaces it)."""
        ids = sorted(m.decode() for m in self.client.smembers(self._key("batch", self.batch)))
        if not ids:
            return
        blobs = self.client.hmget(self._key("docs"), ids)
        old = unpack([b for b in blobs if b is not None], _params(self.cfg))
        self.docs.remove_many(ids)
        owner = paragraph_owner(old)
        rows = long_paragraphs(old, self.cfg).tolist()
        self.paras.remove_many([f"{old.doc_ids[owner[p]]}{SEP}{old.para_pos[p]}" for p in rows])
        pipe = self.client.pipeline(transaction=True)
        for p, h in enumerate(old.para_exact.tolist()):
            pipe.srem(self._key("exact", f"{h:016x}"), str(old.doc_ids[owner[p]]))
        pipe.hdel(self._key("docs"), *ids)
        pipe.hdel(self._key("batchof"), *ids)
        pipe.delete(self._key("batch", self.batch))
        pipe.srem(self._key("batches"), self.batch)
        pipe.execute()

