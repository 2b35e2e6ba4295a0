"""Readers keep working while an upload is being ingested (SQLite in WAL mode, one writer)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from critmin.kb import KnowledgeBase
from critmin.web.app import create_app
from critmin.web.settings import Settings
from tests.web.conftest import TOKEN, build_db


@pytest.fixture(scope="module")
def own_client(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[TestClient]:
    db = build_db(tmp_path_factory.mktemp("wal") / "evidence.db", kb)
    with TestClient(create_app(Settings(db=db, token=TOKEN))) as client:
        yield client


def test_reads_succeed_while_a_thread_ingests(own_client: TestClient, tmp_path: Path) -> None:
    documents = [(f"batch-{i}.txt", (f"Report {i}: antimony smelters in Hunan cut output by {i % 9 + 1}% "
                                     f"after inspections; tungsten concentrate rose {i % 7 + 1}%. "
                                     * 30).encode()) for i in range(50)]
    results: dict[str, object] = {}

    def ingest() -> None:
        response = own_client.post("/api/v1/documents", headers={"authorization": f"Bearer {TOKEN}"},
                                   files=[("files", (n, d, "text/plain")) for n, d in documents])
        results["status"] = response.status_code
        results["body"] = response.json()

    writer = threading.Thread(target=ingest)
    writer.start()
    statuses: list[int] = []
    while writer.is_alive() or len(statuses) < 5:
        statuses.append(own_client.get("/api/v1/search", params={"q": "gallium"}).status_code)
        statuses.append(own_client.get("/api/v1/facts", params={"limit": 5}).status_code)
    writer.join(60)
    assert results["status"] == 200 and results["body"]["ingested"] == 50  # type: ignore[index]
    assert statuses and set(statuses) == {200}
    assert len(own_client.get("/api/v1/search", params={"q": "antimony Hunan", "limit": 100}).json()) == 50
