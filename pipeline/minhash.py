"""Paragraph fingerprints for near-duplicate detection: normalised text, shingle hashes, MinHash.

The Signatures stage runs per shard and the NearDup stage runs once over all shards, so
everything NearDup needs is computed here and stored in one ``.npz`` per shard: per
paragraph an exact hash of its normalised text (cc_net's paragraph hashing), the sorted
set of 32-bit word-shingle hashes (Broder 1997's resemblance, so LSH candidates can be
verified by their true Jaccard) and a MinHash signature of that set (datasketch). Word
shingles are hashed once with xxhash; MinHash receives those integers through an identity
``hashfunc`` (datasketch's affine32 scheme pre-mixes them with the MurmurHash3 finalizer),
so the same hashes serve the signature and the verification.

The LSH index is built and queried only through :func:`candidate_pairs`, the seam where a
sharded or Redis-backed index (datasketch ``storage_config``) can later slot in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import xxhash
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.atomic import atomic_path
from pipeline.document import Document

SCHEME = "affine32"  # datasketch 2.x default: 32-bit bijective permutations, uint32 storage
FORMAT_VERSION = 1

_APOSTROPHES = re.compile("['`\u00b4\u2018\u2019\u02bc]")
_NON_WORD = re.compile(r"[^\w\s]|_")


def normalise(text: str) -> str:
    """Casefolded words without punctuation, single-spaced.

    Copies of one paragraph differ in exactly these ways (curly vs straight quotes, a
    dropped comma, doubled spaces); apostrophes vanish so the straight and curly forms of "don't" agree, other
    punctuation becomes a word break so "cease-fire" and "cease fire" agree.
    """
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def exact_hash(normalised: str) -> int:
    """64 bits: collisions among a batch's distinct paragraphs are negligible (cc_net)."""
    return xxhash.xxh3_64_intdigest(normalised.encode("utf-8"))


def shingle_hashes(normalised: str, size: int, seed: int) -> np.ndarray:
    """Sorted unique xxh32 hashes of the ``size``-word shingles (one shingle if shorter).

    Shingles are hashed as slices of the encoded text (word boundaries found with numpy),
    one Python call per shingle. Stored sorted and unique so the true Jaccard of two
    paragraphs is one intersect1d.
    """
    if not normalised:
        return np.empty(0, dtype=np.uint32)
    raw = normalised.encode("utf-8")
    spaces = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 32)
    starts = np.concatenate([[0], spaces + 1])
    ends = np.concatenate([spaces, [len(raw)]])
    n = min(size, len(starts))
    spans = zip(starts[: len(starts) - n + 1].tolist(), ends[n - 1 :].tolist(), strict=True)
    hashes = np.fromiter((xxhash.xxh32_intdigest(raw[a:b], seed) for a, b in spans), dtype=np.uint32)
    return np.unique(hashes)


def _passthrough(value: int) -> int:
    """MinHash hashfunc: the value already is an xxhash of the shingle."""
    return value


def signatures(shingle_sets: Iterable[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """One MinHash row per shingle set, from one prototype copied per set (MinHash.generator)."""
    batches = (s.tolist() for s in shingle_sets)
    made = MinHash.generator(batches, num_perm=num_perm, seed=seed, hashfunc=_passthrough, scheme=SCHEME)
    rows = [m.hashvalues for m in made]
    return np.vstack(rows).astype(np.uint32) if rows else np.empty((0, num_perm), dtype=np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """True Jaccard of two sorted unique hash arrays: what verification trusts, not the estimate."""
    if a.size == 0 and b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def candidate_pairs(
    keys: Sequence[int], sigs: np.ndarray, threshold: float, seed: int
) -> set[tuple[int, int]]:
    """Pairs ``(a, b)`` with a < b whose signatures share an LSH band: candidates, not verdicts.

    The only place an LSH index is built and queried, so swapping the in-memory index for
    a persistent one (across batches) changes this function alone.
    """
    if len(keys) < 2:
        return set()
    lsh = MinHashLSH(threshold=threshold, num_perm=sigs.shape[1])
    sketches = [LeanMinHash(seed=seed, hashvalues=row, scheme=SCHEME) for row in sigs]
    with lsh.insertion_session() as session:
        for key, sketch in zip(keys, sketches, strict=True):
            session.insert(int(key), sketch, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for key, sketch in zip(keys, sketches, strict=True):
        pairs.update((min(key, o), max(key, o)) for o in lsh.query(sketch) if o != key)
    return {(int(a), int(b)) for a, b in pairs}


def site_of(metadata: dict[str, Any]) -> str:
    """The publisher templates are shared within: metadata site, else the URL's host sans www."""
    site = metadata.get("site")
    if not site and metadata.get("url"):
        site = urlsplit(str(metadata["url"])).hostname or ""
    site = str(site or "").strip().casefold()
    return site.removeprefix("www.")


@dataclass
class SignatureTable:
    """Fingerprints of one shard (or of several, merged), as flat numpy arrays.

    Documents ``d`` own paragraphs ``para_offsets[d]:para_offsets[d + 1]``; paragraph
    ``p`` owns shingles ``shingle_offsets[p]:shingle_offsets[p + 1]``. Empty site or date
    strings mean unknown. Paragraphs with no words are left out: they carry no evidence.
    """

    params: np.ndarray  # [format version, num_perm, seed, shingle_words]
    doc_ids: np.ndarray
    doc_sites: np.ndarray
    doc_dates: np.ndarray
    para_offsets: np.ndarray
    para_pos: np.ndarray
    para_words: np.ndarray
    para_exact: np.ndarray
    para_sig: np.ndarray
    shingle_offsets: np.ndarray
    shingles: np.ndarray

    def paragraph_shingles(self, p: int) -> np.ndarray:
        return self.shingles[self.shingle_offsets[p] : self.shingle_offsets[p + 1]]

    def doc_paragraphs(self, d: int) -> range:
        return range(int(self.para_offsets[d]), int(self.para_offsets[d + 1]))


def _params(cfg: dict[str, Any]) -> np.ndarray:
    return np.array([FORMAT_VERSION, cfg["num_perm"], cfg["seed"], cfg["shingle_words"]], dtype=np.int64)


def compute_signatures(docs: Iterable[Document], cfg: dict[str, Any]) -> SignatureTable:
    """Fingerprint every paragraph of every ok document; other documents take no part."""
    ids, sites, dates, offsets = [], [], [], [0]
    pos: list[int] = []
    words_n: list[int] = []
    exact: list[int] = []
    sets: list[np.ndarray] = []
    for doc in docs:
        if not doc.ok:
            continue
        ids.append(doc.id)
        sites.append(site_of(doc.metadata))
        dates.append(str(doc.metadata.get("date") or ""))
        for text, position in zip(doc.paragraphs, doc.positions, strict=True):
            norm = normalise(text)
            if not norm:
                continue
            pos.append(position)
            words_n.append(norm.count(" ") + 1)
            exact.append(exact_hash(norm))
            sets.append(shingle_hashes(norm, cfg["shingle_words"], cfg["seed"]))
        offsets.append(len(pos))
    return SignatureTable(
        params=_params(cfg),
        doc_ids=np.array(ids, dtype=str),
        doc_sites=np.array(sites, dtype=str),
        doc_dates=np.array(dates, dtype=str),
        para_offsets=np.array(offsets, dtype=np.int64),
        para_pos=np.array(pos, dtype=np.int32),
        para_words=np.array(words_n, dtype=np.int32),
        para_exact=np.array(exact, dtype=np.uint64),
        para_sig=signatures(sets, cfg["num_perm"], cfg["seed"]),
        shingle_offsets=np.concatenate([[0], np.cumsum([s.size for s in sets], dtype=np.int64)]),
        shingles=np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32),
    )


def save_signatures(table: SignatureTable, path: Path) -> None:
    """One uncompressed .npz per shard, written atomically (hash arrays do not compress)."""
    with atomic_path(Path(path)) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **{f.name: getattr(table, f.name) for f in fields(table)})


def load_signatures(path: Path) -> SignatureTable:
    with np.load(Path(path), allow_pickle=False) as data:
        table = SignatureTable(**{f.name: data[f.name] for f in fields(SignatureTable)})
    if int(table.params[0]) != FORMAT_VERSION:
        raise ValueError(f"{path}: signature format {int(table.params[0])}, expected {FORMAT_VERSION}")
    return table


def table_doc_ids(table: SignatureTable) -> list[str]:
    return [str(i) for i in table.doc_ids]


def _chain_offsets(tables: Sequence[SignatureTable], name: str) -> np.ndarray:
    """Offsets of concatenated tables: each table's offsets shifted by the rows before it."""
    parts, base = [np.zeros(1, dtype=np.int64)], 0
    for table in tables:
        offsets = getattr(table, name)
        parts.append(offsets[1:] + base)
        base += int(offsets[-1])
    return np.concatenate(parts)


def merge_tables(tables: Sequence[SignatureTable]) -> SignatureTable:
    """Concatenate shard tables into one; all must come from one configuration."""
    if not tables:
        raise ValueError("no signature tables to merge")
    for t in tables[1:]:
        if not np.array_equal(t.params, tables[0].params):
            raise ValueError(
                "signature tables disagree on [version, num_perm, seed, shingle_words]: "
                f"{tables[0].params.tolist()} vs {t.params.tolist()}"
            )
    merged: dict[str, np.ndarray] = {"params": tables[0].params}
    for f in fields(SignatureTable):
        if f.name.endswith("_offsets"):
            merged[f.name] = _chain_offsets(tables, f.name)
        elif f.name != "params":
            merged[f.name] = np.concatenate([getattr(t, f.name) for t in tables])
    return SignatureTable(**merged)
