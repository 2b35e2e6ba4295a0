"""Writes need the token, bodies are bounded, uploaded names are labels, never paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

from tests.web.conftest import EVIDENCE, TOKEN


def upload(client: TestClient, files: list[tuple[str, bytes]], token: str | None = TOKEN) -> Response:
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/api/v1/documents", headers=headers,
                       files=[("files", (name, data, "text/plain")) for name, data in files])


def test_writes_are_refused_without_a_configured_token(bare_client: TestClient) -> None:
    response = bare_client.post("/api/v1/documents", headers={"authorization": "Bearer anything"},
                                files=[("files", ("a.txt", b"gallium", "text/plain"))])
    assert response.status_code == 403 and "CRITMIN_TOKEN" in response.json()["error"]


def test_missing_and_wrong_tokens_are_refused(client: TestClient) -> None:
    files = [("note.txt", b"Gallium prices rose 3% on Monday.")]
    missing = upload(client, files, token=None)
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]
    wrong = upload(client, files, token=TOKEN[:-1] + "x")
    assert wrong.status_code == 401 and wrong.json() == {"error": "wrong token"}
    basic = client.post("/api/v1/documents", headers={"authorization": f"Basic {TOKEN}"},
                        files=[("files", ("a.txt", b"x", "text/plain"))])
    assert basic.status_code == 401


def test_upload_ingests_and_search_finds_it(client: TestClient) -> None:
    text = b"Tantalum capacitor makers in Penang reported a 7% rise in orders for tantalum powder."
    response = upload(client, [("penang.txt", text)])
    body = response.json()
    assert response.status_code == 200 and body["ingested"] == 1 and body["failed"] == []
    hits = client.get("/api/v1/search", params={"q": "Penang tantalum"}).json()
    assert hits and hits[0]["id"] == body["document_ids"][0]
    assert hits[0]["source_file"] == "upload:penang.txt"
    again = upload(client, [("penang.txt", text)]).json()
    assert again["ingested"] == 0 and again["duplicates"] == 1


def test_traversal_names_never_reach_the_file_system(client: TestClient, tmp_path: Path) -> None:
    before = set(os.listdir(tmp_path.parent))
    names = ["../../../../tmp/critmin-owned.txt", "..\\..\\evil.txt", "/etc/passwd", "....//x.md"]
    response = upload(client, [(n, f"Cobalt note {i}: DR Congo output rose 4%.".encode())
                               for i, n in enumerate(names)])
    body = response.json()
    assert response.status_code == 200 and body["ingested"] == len(names), body
    assert not Path("/tmp/critmin-owned.txt").exists() and set(os.listdir(tmp_path.parent)) == before
    stored = {h["source_file"] for h in client.get("/api/v1/search", params={"q": "Cobalt note",
                                                                             "limit": 20}).json()}
    assert stored and all("/" not in s.removeprefix("upload:") and "\\" not in s for s in stored)
    assert "upload:critmin-owned.txt" in stored and "upload:passwd" in stored


def test_bad_documents_are_listed_not_fatal(client: TestClient) -> None:
    response = upload(client, [("image.txt", (EVIDENCE / "image.txt").read_bytes()),
                               ("empty.txt", b""), ("ok.txt", b"Germanium output fell 9% in 2024.")])
    body = response.json()
    assert response.status_code == 200 and body["ingested"] == 1
    assert [f.split(":")[0] for f in body["failed"]] == ["image.txt", "empty.txt"]


def test_huge_bodies_are_refused_before_reading(client: TestClient) -> None:
    big = b"x" * (2 * 1024 * 1024 + 1)
    response = client.post("/api/v1/check", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "2 MiB" in response.json()["error"]
    scenario = client.post("/scenario/run", files={"upload": ("s.yaml", big, "text/yaml")})
    assert scenario.status_code == 413
    documents = upload(client, [("big.txt", b"y" * (20 * 1024 * 1024 + 10))])
    assert documents.status_code == 413 and "20 MiB" in documents.json()["error"]


def test_streamed_bodies_are_counted(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"z" * 65536  # 2.5 MiB without a Content-Length

    response = client.post("/api/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and "error" in response.json()


def test_bad_content_length_is_a_400(client: TestClient) -> None:
    response = client.post("/api/v1/check", content=b"{}", headers={"content-length": "abc",
                                                                    "content-type": "application/json"})
    assert response.status_code in (400, 422)
