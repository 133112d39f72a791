"""Normalised paragraph text, its exact hash, and its word-shingle hashes, for a whole shard at once.

Broder (1997) measures resemblance on the set of word n-grams ("shingles"); cc_net hashes
normalised paragraphs to find exact repeats. Both need one pass over every paragraph of a
shard, and a Python call per shingle dominated that pass (about 0.2 s/MB), so shingles are
hashed in two steps: each *distinct* word of the shard once with xxh64 (a few thousand
calls instead of a million), then the n-gram of word hashes combined with numpy over all
paragraphs together. Shingles never span two paragraphs; a paragraph shorter than ``size``
words is one shingle of all its words.

The definition of a shingle hash is part of the stored state across batches, so changing
it means bumping :data:`SHINGLE_VERSION` (checked when signature tables and state load).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import xxhash

SHINGLE_VERSION = 2  # 1: xxh32 of each shingle's bytes; 2: combined xxh64 word hashes

_APOSTROPHES = re.compile("['`\u00b4\u2018\u2019\u02bc]")
_NON_WORD = re.compile(r"[^\w\s]|_")
_STEP = np.uint64(0x9E3779B97F4A7C15)  # odd: the combining multiply is a bijection on 64 bits


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


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: avalanches the combined value (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _word_hashes(normalised: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """xxh64 of every word of every paragraph (hashing each distinct word once), and the
    number of words per paragraph."""
    counts = np.zeros(len(normalised), dtype=np.int64)
    words: list[str] = []
    for i, text in enumerate(normalised):
        if text:
            split = text.split(" ")
            counts[i] = len(split)
            words.extend(split)
    vocab = list(dict.fromkeys(words))
    index = {w: i for i, w in enumerate(vocab)}
    vocab_hash = np.fromiter((xxhash.xxh64_intdigest(w.encode("utf-8"), seed) for w in vocab),
                             dtype=np.uint64, count=len(vocab))
    ids = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
    return vocab_hash[ids], counts


def _window_hashes(word_hash: np.ndarray, counts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """One 32-bit hash per shingle start, and the paragraph each shingle belongs to."""
    ends = np.cumsum(counts)
    starts = ends - counts
    n_shingles = np.where(counts > 0, np.maximum(counts - size + 1, 1), 0)
    owner = np.repeat(np.arange(len(counts)), n_shingles)
    first = np.arange(owner.size) - np.repeat(np.cumsum(n_shingles) - n_shingles, n_shingles) + starts[owner]
    stop = ends[owner]
    h = word_hash[first].copy()
    for j in range(1, size):
        inside = first + j < stop
        nxt = word_hash[np.minimum(first + j, max(word_hash.size - 1, 0))]
        h = np.where(inside, (h * _STEP) ^ nxt, h)
    width = np.minimum(stop - first, size).astype(np.uint64)
    return _fmix64(h ^ width).astype(np.uint32), owner


def shingle_sets(normalised: Sequence[str], size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique shingle hashes of every paragraph, flat, with offsets (len + 1).

    Stored sorted and unique so the true Jaccard of two paragraphs is one intersect1d.
    """
    word_hash, counts = _word_hashes(normalised, seed)
    hashes, owner = _window_hashes(word_hash, counts, size)
    keyed = np.sort((owner.astype(np.uint64) << np.uint64(32)) | hashes.astype(np.uint64))
    keyed = keyed[np.concatenate([[True], keyed[1:] != keyed[:-1]])] if keyed.size else keyed
    per_para = np.bincount((keyed >> np.uint64(32)).astype(np.int64), minlength=len(normalised))
    offsets = np.concatenate([[0], np.cumsum(per_para)]).astype(np.int64)
    return (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets


def shingle_hashes(normalised: str, size: int, seed: int) -> np.ndarray:
    """The sorted unique shingle hashes of one normalised paragraph."""
    return shingle_sets([normalised], size, seed)[0]
