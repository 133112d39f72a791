"""Running one per-document step over a shard: error isolation and counts.

This is where "bad input never stops the batch" is enforced for every stage at once: an
exception inside a step fails that one document with a message naming the stage, and the
shard goes on. It is also where a stage's counts come from, so every stage reports the
same numbers in the same shape (the datatrove habit: stats as a by-product of running).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import ERROR, OK, REJECTED, Document

Step = Callable[[Document], Document]


@dataclass
class StageStats:
    """What one stage did to one shard; summed across shards for the report."""

    stage: str
    docs_in: int = 0
    ok_out: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "docs_in": self.docs_in,
            "ok_out": self.ok_out,
            "rejected": dict(sorted(self.rejected.items())),
            "errors": self.errors,
            "removed": dict(sorted(self.removed.items())),
            "seconds": round(self.seconds, 3),
        }


def _apply(step: Step, doc: Document, stage: str) -> Document:
    try:
        return step(doc)
    except Exception as exc:  # one document's failure must not stop the shard
        doc.fail(f"{stage} failed: {type(exc).__name__}: {exc}")
        return doc


def run_step(docs: Iterable[Document], step: Step, stage: str, stats: StageStats) -> Iterator[Document]:
    """Apply ``step`` to every ok document; pass the others through untouched.

    A document the step rejects or fails is stamped with the stage, so errors.jsonl and
    rejected.jsonl say where it happened.
    """
    for doc in docs:
        stats.docs_in += 1
        if doc.status == OK:
            started = time.perf_counter()
            before = Counter(r["rule"] for r in doc.removed)
            doc = _apply(step, doc, stage)
            stats.seconds += time.perf_counter() - started
            stats.removed.update(Counter(r["rule"] for r in doc.removed) - before)
            if doc.status != OK:
                doc.detail.setdefault("stage", stage)
                if doc.status == REJECTED:
                    stats.rejected[doc.reason] += 1
                elif doc.status == ERROR:
                    stats.errors += 1
        stats.ok_out += doc.status == OK
        yield doc
