"""Exact and near-duplicate detection: a content hash, and MinHash with LSH bands.

The same story is republished with another headline, a byline or an editor's line. Its set of
shingles (every run of three consecutive search tokens: Latin words and Chinese character
bigrams) then overlaps the original's almost entirely, so their Jaccard similarity stays near 1,
while different stories on the same topic share few runs even when they share most of their
vocabulary. (Single tokens were used at first: articles on one topic shared so many words that
every new article became a candidate of hundreds of stored ones, and ingest slowed as the store
grew.) MinHash estimates that similarity from 100 numbers per document; the signature is cut into
20 bands of 5 and each band's hash is indexed, so candidates are found by index lookups (two
documents with Jaccard 0.7 share a band with probability ~0.98) and then verified on their
signatures. SimHash was tried first and rejected: on 2 KB summaries a headline change and a
byline flipped 7 of 64 bits, past any threshold that keeps different stories apart.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np
import numpy.typing as npt

from critmin.evidence.tokens import index_streams

PERMUTATIONS = 100
BANDS = 20
ROWS_PER_BAND = PERMUTATIONS // BANDS
NEAR_DUPLICATE_JACCARD = 0.7
_EMPTY = np.uint64(2**32)  # above every 32-bit hash: the signature of an empty text
_rng = np.random.default_rng(20251009)  # fixed: signatures must be comparable across runs
# multiply-shift hashing (Dietzfelbinger): h(x) = (a*x + b) mod 2^64, top 32 bits; a odd.
# Wrapping uint64 arithmetic does the modulo for free, unlike a prime field's `%`.
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_SHIFT = np.uint64(32)
_BAND_MULTIPLIERS = (_rng.integers(1, 2**63, size=(BANDS, ROWS_PER_BAND), dtype=np.uint64) * np.uint64(2)
                     + np.uint64(1))
SHINGLE = 3
_MIX_1 = np.uint64(0x9E3779B97F4A7C15)
_MIX_2 = np.uint64(0xC2B2AE3D27D4EB4F)
_LOW_32 = np.uint64(0xFFFFFFFF)

Signature = npt.NDArray[np.uint64]


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the whitespace-normalised title and body: identical content, identical hash."""
    normalised = " ".join(f"{title}\n{body}".split())  # same as collapsing \s+ runs, at C speed
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def minhash(text: str) -> Signature:
    """The MinHash signature (PERMUTATIONS values) of a text's shingles."""
    words, _ = index_streams(text)
    return minhash_tokens(words)


def minhash_tokens(words: str) -> Signature:
    """The signature of a space-separated token stream (ingest reuses its search tokens).

    Tokens are hashed by CRC-32 in one pass over the encoded text and combined three at a time
    with array arithmetic: no Python-level loop per token or per shingle.
    """
    hashes = np.fromiter(map(zlib.crc32, words.encode("utf-8").split()), dtype=np.uint64)
    if not len(hashes):
        return np.full(PERMUTATIONS, _EMPTY, dtype=np.uint64)
    if len(hashes) >= SHINGLE:
        hashes = ((hashes[:-2] * _MIX_1) ^ (hashes[1:-1] * _MIX_2) ^ hashes[2:]) & _LOW_32
    shingles = np.unique(hashes)
    permuted = (shingles[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT
    return np.asarray(permuted.min(axis=0), dtype=np.uint64)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two feature sets."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def band_keys(signature: Signature) -> list[int]:
    """One 63-bit key per band, for the indexed lookup.

    Each band's values are combined by a random linear hash (wrapping uint64 arithmetic) with
    its own multipliers, so equal bands give equal keys and the band's number is built in; a
    rare collision only adds a candidate, which is then checked on the full signature.
    """
    rows = signature.reshape(BANDS, ROWS_PER_BAND)
    keys = (rows * _BAND_MULTIPLIERS).sum(axis=1, dtype=np.uint64) >> np.uint64(1)
    return [int(key) for key in keys]


def to_blob(signature: Signature) -> bytes:
    return signature.astype("<u8").tobytes()


def from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)
