"""Digests: house style, every point cited, references resolve, deterministic."""

from __future__ import annotations

import re
import sqlite3

import pytest

from critmin.errors import CritminError
from critmin.evidence.digesting import digest, render_markdown
from critmin.kb import KnowledgeBase


def test_digest_shape_and_citations(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    result = digest(loaded, kb, "rare earth export controls")
    assert result.viewpoint.refs and result.groups
    numbers = {r.number for r in result.references}
    cited = {n for g in result.groups for p in g.points for n in p.refs} | set(result.viewpoint.refs)
    assert cited == numbers == set(range(1, len(numbers) + 1))
    for ref in result.references:
        row = loaded.execute("SELECT text FROM paragraphs WHERE document_id = ? AND position = ?",
                             (ref.document_id, ref.paragraph)).fetchone()
        assert row is not None
    texts = [p.text for g in result.groups for p in g.points]
    assert len(texts) == len(set(texts))


def test_points_come_from_their_cited_paragraph(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    result = digest(loaded, kb, "稀土")
    by_number = {r.number: r for r in result.references}
    for point in [result.viewpoint, *(p for g in result.groups for p in g.points)]:
        ref = by_number[point.refs[0]]
        row = loaded.execute("SELECT text, english FROM paragraphs WHERE document_id = ? AND position = ?",
                             (ref.document_id, ref.paragraph)).fetchone()
        source = f"{row['text']} {row['english'] or ''}"
        assert point.text[:20] in source


def test_markdown_house_style(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    text = render_markdown(digest(loaded, kb, "tungsten Kazakhstan"))
    assert re.search(r"^Core Viewpoint - .+ \[\d+\]$", text, re.MULTILINE)
    assert re.search(r"^Group 1: .+$", text, re.MULTILINE)
    assert re.search(r"^\[1\] .+, \d{4}-\d{2}-\d{2}, paragraph \d+$", text, re.MULTILINE)


def test_deterministic(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    assert digest(loaded, kb, "gallium") == digest(loaded, kb, "gallium")


def test_nothing_matches(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    with pytest.raises(CritminError, match="no stored document matches"):
        digest(loaded, kb, "zzzzqqq")
