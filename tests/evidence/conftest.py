"""A fresh evidence database per test, and one loaded with the shared research corpus (skipped where
../shared/corpus is missing; see tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from critmin.evidence.ingest import IngestReport, expand_paths, ingest_paths
from critmin.evidence.link import linker_for
from critmin.evidence.store import connect
from critmin.kb import KnowledgeBase
from tests.conftest import CORPUS

__all__ = ["CORPUS", "FIXTURES", "GOOD_FIXTURES", "ingest"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evidence"
GOOD_FIXTURES = [FIXTURES / n for n in ("article.html", "bilingual-post.md", "chinese-gb18030.txt",
                                         "chinese-big5.txt", "digest-mixed.txt")]


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "evidence.db")
    yield connection
    connection.close()


def ingest(conn: sqlite3.Connection, kb: KnowledgeBase, *paths: Path) -> IngestReport:
    return ingest_paths(conn, linker_for(kb), expand_paths(paths))


@pytest.fixture
def loaded(conn: sqlite3.Connection, kb: KnowledgeBase, corpus: Path) -> sqlite3.Connection:
    report = ingest(conn, kb, corpus, *GOOD_FIXTURES)
    assert report.failed == [] and report.ingested == 18
    return conn
