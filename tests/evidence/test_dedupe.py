"""Content hash and MinHash near-duplicate detection."""

from __future__ import annotations

import hashlib
import re

from critmin.evidence.dedupe import band_keys, content_hash, from_blob, minhash, similarity, to_blob
from critmin.evidence.parse import read_document_file
from tests.conftest import EXAMPLE_DOCUMENTS

DIGEST = EXAMPLE_DOCUMENTS / "digest-export-controls.txt"


def test_content_hash_ignores_whitespace_only() -> None:
    assert content_hash("T", "a  b\nc") == content_hash("T", "a b c")
    assert content_hash("T", "a b c") != content_hash("T", "a b d")


def test_content_hash_is_stable_across_versions() -> None:
    """Stored hashes were computed by collapsing every \\s+ run; the hash must not drift."""
    text = "稀土\u3000出口 \t管制\u00a0 rare\u2028earths \n"
    collapsed = re.sub(r"\s+", " ", f"T\n{text}").strip()
    assert content_hash("T", text) == hashlib.sha256(collapsed.encode("utf-8")).hexdigest()


def test_stories_sharing_vocabulary_are_not_candidates() -> None:
    """Recombined sentences from one pool share words, not runs of words: no shared band."""
    text = "\n".join(read_document_file(path) for path in sorted(EXAMPLE_DOCUMENTS.iterdir())
                     if path.suffix in {".txt", ".md"})
    sentences = [s for s in re.split(r"(?<=[.。])\s*", text) if len(s) > 20]
    assert len(sentences) >= 40
    first = " ".join(sentences[0::2])
    second = " ".join(sentences[1::2])
    assert similarity(minhash(first), minhash(second)) < 0.3
    assert not set(band_keys(minhash(first))) & set(band_keys(minhash(second)))


def test_republished_story_is_near_and_other_stories_are_not() -> None:
    lines = DIGEST.read_text("utf-8").splitlines()  # two header lines, then title, byline, body
    original = f"{lines[2]}\n{lines[4]}"
    republished = f"{lines[2]}(转载)\n{lines[4]} Editor: Li."
    other = f"{lines[5]}\n{lines[7]}"
    assert similarity(minhash(original), minhash(republished)) >= 0.9
    assert similarity(minhash(original), minhash(other)) < 0.3
    shared = set(band_keys(minhash(original))) & set(band_keys(minhash(republished)))
    assert shared


def test_signature_round_trip_and_determinism() -> None:
    signature = minhash("gallium and germanium export controls")
    assert (from_blob(to_blob(signature)) == signature).all()
    assert (minhash("gallium and germanium export controls") == signature).all()
