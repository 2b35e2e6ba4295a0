"""One evidence database and one application per test session; clients over real HTTP semantics.

The database is built from the evidence fixtures with the evidence package's own ingest, in a
temporary folder; the app under test is created exactly as `critmin serve` creates it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'critmin[web]'")

from critmin.evidence.ingest import expand_paths, ingest_paths
from critmin.evidence.link import linker_for
from critmin.evidence.store import connect
from critmin.kb import KnowledgeBase

with warnings.catch_warnings():  # starlette prefers httpx2 but supports httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from critmin.web.app import create_app
from critmin.web.settings import Settings

EVIDENCE = Path(__file__).resolve().parents[1] / "fixtures" / "evidence"
DOCUMENTS = [EVIDENCE / n for n in ("article.html", "bilingual-post.md", "digest-mixed.txt",
                                     "chinese-gb18030.txt")]
TOKEN = "test-token-0123456789"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def build_db(path: Path, kb: KnowledgeBase) -> Path:
    with closing(connect(path)) as conn:
        report = ingest_paths(conn, linker_for(kb), expand_paths(DOCUMENTS))
    assert report.failed == [] and report.ingested >= 4
    return path


@pytest.fixture(scope="session")
def evidence_db(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Path:
    return build_db(tmp_path_factory.mktemp("web") / "evidence.db", kb)


@pytest.fixture(scope="session")
def client(evidence_db: Path) -> Iterator[TestClient]:
    """The dashboard with a loaded evidence database and writes enabled."""
    app = create_app(Settings(db=evidence_db, token=TOKEN, sensitivity_runs=0, default_runs=20))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def bare_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The dashboard with no evidence database and no token: the empty and read-only states."""
    missing = tmp_path_factory.mktemp("bare") / "none" / "evidence.db"
    with TestClient(create_app(Settings(db=missing))) as test_client:
        yield test_client
