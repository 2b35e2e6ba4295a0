"""Content hash and MinHash near-duplicate detection."""

from __future__ import annotations

from pathlib import Path

from critmin.evidence.dedupe import band_keys, content_hash, from_blob, minhash, similarity, to_blob

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def test_content_hash_ignores_whitespace_only() -> None:
    assert content_hash("T", "a  b\nc") == content_hash("T", "a b c")
    assert content_hash("T", "a b c") != content_hash("T", "a b d")


def test_republished_story_is_near_and_other_stories_are_not() -> None:
    lines = (CORPUS / "supply-chain-restructuring.txt").read_text("utf-8").splitlines()
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
