"""Exact and near-duplicate detection: a content hash, and MinHash with LSH bands.

The same story is republished with another headline, a byline or an editor's line. Its set of
features (Latin words and Chinese character bigrams) then overlaps the original's almost
entirely, so their Jaccard similarity stays near 1 while different stories on the same topic
stay far below. MinHash estimates that similarity from 100 numbers per document; the signature
is cut into 20 bands of 5 and each band's hash is indexed, so candidates are found by index
lookups (two documents with Jaccard 0.7 share a band with probability ~0.98) and then verified
on their signatures. SimHash was tried first and rejected: on 2 KB summaries a headline change
and a byline flipped 7 of 64 bits, past any threshold that keeps different stories apart.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
import numpy.typing as npt

from critmin.evidence.tokens import index_streams

PERMUTATIONS = 100
BANDS = 20
ROWS_PER_BAND = PERMUTATIONS // BANDS
NEAR_DUPLICATE_JACCARD = 0.7
_PRIME = np.uint64(4294967311)  # the smallest prime above 2^32
_rng = np.random.default_rng(20251009)  # fixed: signatures must be comparable across runs
_A = _rng.integers(1, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)
_SPACE = re.compile(r"\s+")

Signature = npt.NDArray[np.uint64]


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the whitespace-normalised title and body: identical content, identical hash."""
    normalised = _SPACE.sub(" ", f"{title}\n{body}").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def features(text: str) -> set[str]:
    words, _ = index_streams(text)
    return set(words.split())


def minhash(text: str) -> Signature:
    """The MinHash signature (PERMUTATIONS values) of a text's feature set."""
    return minhash_of(features(text))


def minhash_of(feature_set: set[str]) -> Signature:
    """The signature of an already tokenised feature set (ingest reuses its index tokens)."""
    if not feature_set:
        return np.full(PERMUTATIONS, _PRIME, dtype=np.uint64)
    hashes = np.fromiter((zlib.crc32(f.encode("utf-8")) for f in feature_set), dtype=np.uint64,
                         count=len(feature_set))
    permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return np.asarray(permuted.min(axis=0), dtype=np.uint64)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two feature sets."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def band_keys(signature: Signature) -> list[int]:
    """One 63-bit key per band, for the indexed candidate lookup."""
    rows = signature.reshape(BANDS, ROWS_PER_BAND)
    return [int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "big") >> 1
            for row in rows]


def to_blob(signature: Signature) -> bytes:
    return signature.astype("<u8").tobytes()


def from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)
