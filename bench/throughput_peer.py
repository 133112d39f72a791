"""The datatrove peer for bench/bench_throughput.py; runs inside bench/work/datatrove-venv.

Why a separate script and venv: datatrove pins its own trafilatura and numpy and pulls in
spacy; installed into the project's venv it would change the very libraries newsclean is
measured with. bench_throughput.py starts this file with the peer venv's python and reads
the JSON it prints last.

The closest datatrove equivalent of newsclean's chain, built from datatrove's own steps:

1. ``process`` (tasks = workers = N): JsonlReader -> Trafilatura on the HTML documents only
   (text documents pass through, as in newsclean) -> FTFYFormatter -> GopherRepetitionFilter
   -> GopherQualityFilter -> JsonlWriter;
2. ``signatures``: JsonlReader -> MinhashDedupSignature (16 buckets x 8 hashes = 128
   permutations and word 3-grams, matching newsclean's num_perm and shingle_words);
3. ``buckets``: MinhashDedupBuckets (one task per bucket, N workers);
4. ``cluster``: MinhashDedupCluster (one task, as datatrove requires);
5. ``filter``: JsonlReader -> MinhashDedupFilter -> JsonlWriter (tasks = N).

Language ID is left out: datatrove's LanguageFilter downloads a fastText model at run time,
which this machine cannot fetch. Dedup is document level only (datatrove has no paragraph
level MinHash stage).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.extractors.base import ExtractorSandbox
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.formatters import FTFYFormatter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def adapter(self: Any, data: dict[str, Any], path: str, id_in_file: int | str) -> dict[str, Any]:
    """Rows are ``{"id", "url", "text"|"html"}``; the format travels in metadata for the extractor."""
    is_html = "html" in data
    return {"text": data["html"] if is_html else data["text"], "id": data["id"],
            "metadata": {"url": data.get("url"), "format": "html" if is_html else "text"}}


class HtmlOnlyTrafilatura(Trafilatura):
    """datatrove's Trafilatura extractor (its sandboxed process and timeout), applied to HTML rows only.

    The stock step extracts every document; the corpus mixes text and HTML, and running
    trafilatura on plain text would both cost time newsclean does not spend and destroy it.
    """

    def run(self, data: Iterator[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        with ExtractorSandbox(timeout=self.timeout, warmup_text="") as sandbox:
            for doc in data:
                if doc.metadata.get("format") != "html":
                    yield doc
                    continue
                self.stat_update("total")
                with self.track_time():
                    try:
                        doc.text = sandbox.process_document(doc.text, self.extract)
                    except (TimeoutError, EOFError):
                        self.stat_update("timeout_or_crash")
                        continue
                    except Exception:  # datatrove's own step also skips a page that fails to parse
                        self.stat_update("clean_error")
                        continue
                if doc.text:
                    self.stat_update("forwarded")
                    yield doc
                else:
                    self.stat_update("dropped")


def count_rows(folder: Path) -> int:
    total = 0
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as fh:
            total += sum(1 for _ in fh)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", type=Path, required=True, help="the corpus's jsonl-form folder")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-minhash", action="store_true")
    args = ap.parse_args()
    w, n = args.work, args.workers
    config = MinhashConfig(n_grams=3, num_buckets=16, hashes_per_bucket=8, seed=1)
    stages: list[tuple[str, LocalPipelineExecutor]] = [
        ("process", LocalPipelineExecutor(pipeline=[
            JsonlReader(str(args.input), glob_pattern="*.jsonl.gz", adapter=adapter),
            HtmlOnlyTrafilatura(favour_precision=True, timeout=20.0),
            FTFYFormatter(),
            GopherRepetitionFilter(),
            GopherQualityFilter(),
            JsonlWriter(str(w / "processed")),
        ], tasks=n, workers=n, logging_dir=str(w / "logs" / "process"), skip_completed=False)),
    ]
    if not args.skip_minhash:
        stages += [
            ("signatures", LocalPipelineExecutor(pipeline=[
                JsonlReader(str(w / "processed")),
                MinhashDedupSignature(output_folder=str(w / "signatures"), config=config),
            ], tasks=n, workers=n, logging_dir=str(w / "logs" / "signatures"), skip_completed=False)),
            ("buckets", LocalPipelineExecutor(pipeline=[
                MinhashDedupBuckets(input_folder=str(w / "signatures"), output_folder=str(w / "buckets"),
                                    config=config),
            ], tasks=config.num_buckets, workers=n, logging_dir=str(w / "logs" / "buckets"),
                skip_completed=False)),
            ("cluster", LocalPipelineExecutor(pipeline=[
                MinhashDedupCluster(input_folder=str(w / "buckets"), output_folder=str(w / "remove_ids"),
                                    config=config),
            ], tasks=1, workers=1, logging_dir=str(w / "logs" / "cluster"), skip_completed=False)),
            ("filter", LocalPipelineExecutor(pipeline=[
                JsonlReader(str(w / "processed")),
                MinhashDedupFilter(input_folder=str(w / "remove_ids")),
                JsonlWriter(str(w / "final")),
            ], tasks=n, workers=n, logging_dir=str(w / "logs" / "filter"), skip_completed=False)),
        ]
    seconds: dict[str, float] = {}
    for name, executor in stages:
        started = time.perf_counter()
        executor.run()
        seconds[name] = round(time.perf_counter() - started, 3)
    final = w / ("processed" if args.skip_minhash else "final")
    result = {"stage_seconds": seconds, "docs_after_filters": count_rows(w / "processed"),
              "docs_out": count_rows(final), "left_out": ["language id (fastText model download)"]
              + (["minhash dedup"] if args.skip_minhash else [])}
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
