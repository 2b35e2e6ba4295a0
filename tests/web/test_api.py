"""Every /api/v1 endpoint: real data on good input, a 4xx JSON error on bad input, never a 500."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from critmin.kb import KnowledgeBase
from critmin.risk import chokepoints
from tests.web.conftest import EXAMPLES


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]
    return str(body["error"])


def test_health(client: TestClient, bare_client: TestClient) -> None:
    assert client.get("/api/v1/health").json() | {"version": ""} == {
        "status": "ok", "version": "", "evidence": True, "writes": True}
    assert bare_client.get("/api/v1/health").json()["evidence"] is False


def test_openapi_lists_every_api_route_and_no_page(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    assert {"/api/v1/chokepoints", "/api/v1/shares", "/api/v1/materials", "/api/v1/materials/{name}",
            "/api/v1/scenarios", "/api/v1/scenarios/runs", "/api/v1/scenarios/runs/{job_id}",
            "/api/v1/search", "/api/v1/facts", "/api/v1/digest", "/api/v1/check",
            "/api/v1/documents", "/api/v1/health"} == paths
    assert client.get("/docs").status_code == 404  # the CDN-loaded interactive docs are off


def test_chokepoints_match_the_risk_module(client: TestClient, kb: KnowledgeBase) -> None:
    rows = client.get("/api/v1/chokepoints", params={"top": 3}).json()
    expected = chokepoints(kb, top=3)
    assert [(r["material"], r["stage"], r["hhi"]) for r in rows] == [
        (c.material, c.stage.value, c.hhi) for c in expected]
    error_of(client.get("/api/v1/chokepoints", params={"top": 0}), 422)
    error_of(client.get("/api/v1/chokepoints", params={"top": "many"}), 422)


def test_shares_resolve_names_and_fall_back_to_the_aggregate(client: TestClient) -> None:
    body = client.get("/api/v1/shares", params={"material": "铽", "stage": "separation"}).json()
    assert body["material"] == "REE" and body["aggregate_for"] == "Tb" and body["stage"] == "refining"
    assert abs(sum(r["share"] for r in body["rows"]) - 1) < 0.02 and body["sources"]
    # Dy has a separation series of its own, so only its other stages fall back
    own = client.get("/api/v1/shares", params={"material": "镝", "stage": "separation"}).json()
    assert own["material"] == "Dy" and own["aggregate_for"] is None and own["stage"] == "refining"
    mining = client.get("/api/v1/shares", params={"material": "镝", "stage": "mining"}).json()
    assert mining["material"] == "REE" and mining["aggregate_for"] == "Dy"
    unknown = client.get("/api/v1/shares", params={"material": "unobtainium"})
    assert "unknown material" in error_of(unknown, 404)
    assert "it has: refining" in error_of(client.get("/api/v1/shares", params={"material": "gallium"}), 404)
    assert "unknown stage" in error_of(client.get("/api/v1/shares", params={"material": "Ga",
                                                                            "stage": "smelting"}), 400)


def test_materials(client: TestClient, kb: KnowledgeBase) -> None:
    listed = client.get("/api/v1/materials").json()
    assert len(listed) == len(kb.materials) and {"Dy", "NdFeB", "Ga"} <= {m["id"] for m in listed}
    ga = client.get("/api/v1/materials/gallium").json()
    assert ga["material"] == "Ga" and ga["chain"][0]["stage"] == "refining"
    assert any(m["id"].startswith("CN-MOFCOM") for m in ga["measures"])
    assert ga["evidence"]["available"] is True and ga["evidence"]["snippets"]
    assert all(sid in ga["sources"] for s in ga["chain"] for sid in s["sources"])
    error_of(client.get("/api/v1/materials/unobtainium"), 404)


def test_search_with_filters(client: TestClient) -> None:
    hits = client.get("/api/v1/search", params={"q": "gallium", "lang": "en"}).json()
    assert any(h["title"].startswith("Gallium export licences") for h in hits)
    assert all(h["language"] in ("en", "mixed") and "«" in h["snippet"] for h in hits)
    zh = client.get("/api/v1/search", params={"q": "稀土"}).json()
    assert zh and all(h["language"] in ("zh", "mixed") for h in zh)
    assert client.get("/api/v1/search", params={"q": "gallium", "until": "2000-01-01"}).json() == []
    unknown = client.get("/api/v1/search", params={"q": "x", "material": "zz9"})
    assert "unknown material" in error_of(unknown, 404)
    error_of(client.get("/api/v1/search", params={"q": "x", "lang": "fr"}), 422)
    error_of(client.get("/api/v1/search", params={"q": "x", "since": "yesterday"}), 422)
    error_of(client.get("/api/v1/search", params={"q": ""}), 422)
    error_of(client.get("/api/v1/search", params={"q": "x", "bogus": "1"}), 422)


@pytest.mark.parametrize("query", ['gallium" OR "x', "NEAR(a b)", "ga*", "title:gallium", "(((",
                                   "a AND OR NOT", '"', "-- DROP TABLE documents;", "^gallium"])
def test_fts_syntax_is_searched_as_text(client: TestClient, query: str) -> None:
    response = client.get("/api/v1/search", params={"q": query})
    assert response.status_code in (200, 400), response.text  # 400: nothing left to search for
    assert isinstance(response.json(), list) or "error" in response.json()
    assert client.get("/api/v1/search", params={"q": "gallium"}).json()  # the store is intact


def test_facts_and_digest(client: TestClient) -> None:
    facts = client.get("/api/v1/facts", params={"material": "gallium"}).json()
    assert facts and all(f["material"] == "Ga" for f in facts) and facts[0]["sentence"]
    assert "unknown figure kind 'weight'" in error_of(
        client.get("/api/v1/facts", params={"kind": "weight"}), 400)
    error_of(client.get("/api/v1/facts", params={"kind": "<script>"}), 422)
    digest = client.get("/api/v1/digest", params={"topic": "gallium price"}).json()
    assert digest["viewpoint"]["refs"] and digest["references"][0]["title"]
    assert "no stored document" in error_of(client.get("/api/v1/digest", params={"topic": "zzqx"}), 400)


def test_evidence_endpoints_without_a_database(bare_client: TestClient) -> None:
    for path, params in (("/api/v1/search", {"q": "gallium"}), ("/api/v1/facts", {}),
                         ("/api/v1/digest", {"topic": "gallium"})):
        assert "no evidence database yet" in error_of(bare_client.get(path, params=params), 404)


def test_check_a_bom(client: TestClient) -> None:
    bom = yaml.safe_load((EXAMPLES / "boms" / "magnet-0.1pct-over.yaml").read_text("utf-8"))
    body = {"bom": bom, "shipment": {"to": "DEU", "on": "2026-11-23", "end_user": "civil",
                                      "end_use": "industrial servo motors"}}
    decision = client.post("/api/v1/check", json=body).json()
    assert decision["outcome"] == "licence-required"
    flagged = {r["measure"]: r for r in decision["results"]}["CN-MOFCOM-2025-61"]
    assert flagged["outcome"] == "licence-required" and flagged["trace"] and decision["sources"]
    body["shipment"]["end_user"] = "friendly"
    error_of(client.post("/api/v1/check", json=body), 422)
    body["shipment"] = {"to": "Atlantis"}
    assert "unknown country 'Atlantis'" in error_of(client.post("/api/v1/check", json=body), 400)
    bad_bom = {"bom": {"product": "x", "currency": "USD", "lines": []}, "shipment": {"to": "DEU"}}
    assert "lines" in error_of(client.post("/api/v1/check", json=bad_bom), 400)
    error_of(client.post("/api/v1/check", content=b"{not json", headers={"content-type": "application/json"}),
             422)


def wait_for(client: TestClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/v1/scenarios/runs/{job_id}").json()
        if body["status"] != "running":
            return body
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def test_scenario_runs(client: TestClient) -> None:
    names = {s["name"] for s in client.get("/api/v1/scenarios").json()}
    assert "april-2025-seven-rare-earths" in names
    started = client.post("/api/v1/scenarios/runs", json={"scenario": "us-rare-earth-embargo-1y", "runs": 8,
                                                          "horizon": 60, "seed": 3})
    assert started.status_code == 202 and started.json()["status"] == "running"
    done = wait_for(client, started.json()["id"])
    assert done["status"] == "done" and done["result"]["runs"] == 8 and done["result"]["seed"] == 3
    result = done["result"]
    assert result["exposures"] and len(result["dates"]) == len(result["series"][0]["p50"])


def test_uploaded_scenario_runs_and_bad_ones_fail_by_field(client: TestClient) -> None:
    text = """
name: Short gallium stop
start: 2026-01-01
horizon_days: 30
restrictions:
  - exporter: China
    materials: [gallium]
    start: 2026-01-01
    licensing: {approval_probability: 0.2}
"""
    started = client.post("/api/v1/scenarios/runs", json={"yaml": text, "runs": 4})
    assert started.status_code == 202
    assert wait_for(client, started.json()["id"])["result"]["scenario"]["name"] == "Short gallium stop"
    broken = text.replace("approval_probability: 0.2", "approval_probability: 2")
    message = error_of(client.post("/api/v1/scenarios/runs", json={"yaml": broken}), 400)
    assert "restrictions[0].licensing.approval_probability" in message
    assert "line" in error_of(client.post("/api/v1/scenarios/runs", json={"yaml": "name: [unclosed"}), 400)
    assert "mapping" in error_of(client.post("/api/v1/scenarios/runs", json={"yaml": "- a\n- b\n"}), 400)
    assert "materials[0]" in error_of(client.post("/api/v1/scenarios/runs", json={
        "yaml": text.replace("[gallium]", "[unobtainium]")}), 400)


def test_yaml_aliases_are_refused(client: TestClient) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nname: *b\n"
    assert "aliases" in error_of(client.post("/api/v1/scenarios/runs", json={"yaml": bomb}), 400)


def test_bad_scenario_requests(client: TestClient) -> None:
    assert "did you mean" in error_of(client.post("/api/v1/scenarios/runs",
                                                  json={"scenario": "april-2025"}), 404)
    # a name is never a path, even one that exists on this machine
    error_of(client.post("/api/v1/scenarios/runs", json={"scenario": "/etc/hostname"}), 404)
    error_of(client.post("/api/v1/scenarios/runs", json={"scenario": "../../../etc/passwd"}), 404)
    assert "exactly one of 'scenario'" in error_of(client.post("/api/v1/scenarios/runs", json={}), 422)
    both = {"scenario": "april-2025-seven-rare-earths", "yaml": "name: x"}
    assert "exactly one of 'scenario'" in error_of(client.post("/api/v1/scenarios/runs", json=both), 422)
    error_of(client.post("/api/v1/scenarios/runs", json={"scenario": "april-2025-seven-rare-earths",
                                                          "runs": 10**9}), 400)
    error_of(client.post("/api/v1/scenarios/runs", json={"scenario": "x", "surprise": 1}), 422)
    error_of(client.get("/api/v1/scenarios/runs/abcdefghijkl"), 404)
    traversal = client.get("/api/v1/scenarios/runs/..%2F..%2Fetc")
    assert traversal.status_code in (404, 422) and "error" in traversal.json()


# ---------------------------------------------------------------------------------------------
# hostile input through the API, and an OpenAPI document that says what the server answers


def test_hostile_scenario_yaml_is_a_4xx_never_a_500(client: TestClient) -> None:
    deep = "name: " + "[" * 5000 + "]" * 5000 + "\n"
    assert "nested deeper than 100 levels" in error_of(
        client.post("/api/v1/scenarios/runs", json={"yaml": deep}), 400)
    long_stop = ("name: x\nstart: 2026-01-01\nrestrictions:\n"
                 "  - {exporter: CHN, materials: [Ga], start: 2026-01-01, duration_days: 999999999}\n")
    assert "restrictions[0].duration_days: Input should be less than or equal to 7305" in error_of(
        client.post("/api/v1/scenarios/runs", json={"yaml": long_stop}), 400)
    early = long_stop.replace("start: 2026-01-01\nrestrictions", "start: 0001-01-01\nrestrictions")
    assert "start: 0001-01-01 is outside the supported range" in error_of(
        client.post("/api/v1/scenarios/runs", json={"yaml": early}), 400)
    digits = "name: x\nyear: " + "9" * 5000 + "\n"
    assert "more than 100 digits" in error_of(
        client.post("/api/v1/scenarios/runs", json={"yaml": digits}), 400)
    infinite = b'{"scenario": "gallium-germanium-2023", "runs": Infinity}'
    assert "runs" in error_of(client.post("/api/v1/scenarios/runs", content=infinite,
                                          headers={"content-type": "application/json"}), 422)


def test_uploaded_scenarios_in_other_encodings(client: TestClient) -> None:
    text = ("name: 镓出口管制\nstart: 2026-01-01\nhorizon_days: 20\nrestrictions:\n"
            "  - {exporter: 中国, materials: [镓], start: 2026-01-01}\n")
    for encoding in ("utf-16", "gb18030"):
        upload = {"upload": ("s.yaml", text.encode(encoding), "text/yaml")}
        started = client.post("/scenario/run", files=upload, data={"runs": "3"},
                              headers={"hx-request": "true"})
        assert started.status_code == 200 and "镓出口管制" in started.text


def test_non_finite_numbers_in_a_bom_are_refused(client: TestClient) -> None:
    bom = yaml.safe_load((EXAMPLES / "boms" / "magnet-0.1pct-over.yaml").read_text("utf-8"))
    body = {"bom": {**bom, "total_value": float("inf")}, "shipment": {"to": "DEU", "on": "2026-11-23"}}
    raw = json.dumps(body).encode()  # Python writes Infinity, which Python's parser accepts
    assert b"Infinity" in raw
    json_type = {"content-type": "application/json"}
    message = error_of(client.post("/api/v1/check", content=raw, headers=json_type), 422)
    assert "bom: field 'total_value': inf is not a finite number" in message
    line = {**bom["lines"][0], "unit_value": float("nan")}
    raw = json.dumps({**body, "bom": {**bom, "lines": [line]}}).encode()
    assert "'lines[0].unit_value': nan is not a finite number" in error_of(
        client.post("/api/v1/check", content=raw, headers=json_type), 422)
    nested = {"bom": {**bom, "notes": json.loads("[" * 200 + "]" * 200)}, "shipment": {"to": "DEU"}}
    assert "nested deeper than 100 levels" in error_of(client.post("/api/v1/check", json=nested), 422)
    upload = yaml.safe_dump({**bom, "total_value": float("inf")}).encode()
    page = client.post("/check", files={"bom": ("inf.yaml", upload, "text/yaml")}, data={"to": "DEU"})
    assert page.status_code == 400
    assert "inf.yaml: field &#39;total_value&#39;: inf is not a finite" in page.text


def _probes(bom: dict[str, Any]) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(method, path as in the OpenAPI document, status, request) for every status each route gives."""
    from tests.web.conftest import TOKEN

    run = "/api/v1/scenarios/runs"
    huge = {"content": b"{}", "headers": {"content-type": "application/json", "content-length": "999999999"}}
    auth = {"authorization": f"Bearer {TOKEN}"}
    note = {"files": {"files": ("a.txt", b"hello", "text/plain")}}
    return [
        ("get", "/api/v1/health", 200, {}),
        ("get", "/api/v1/chokepoints", 200, {"params": {"top": 2}}),
        ("get", "/api/v1/chokepoints", 422, {"params": {"top": 0}}),
        ("get", "/api/v1/shares", 200, {"params": {"material": "Ga", "stage": "refining"}}),
        ("get", "/api/v1/shares", 400, {"params": {"material": "Ga", "stage": "smelting"}}),
        ("get", "/api/v1/shares", 404, {"params": {"material": "unobtainium"}}),
        ("get", "/api/v1/shares", 422, {"params": {}}),
        ("get", "/api/v1/materials", 200, {}),
        ("get", "/api/v1/materials/{name}", 200, {"path": "/api/v1/materials/Dy"}),
        ("get", "/api/v1/materials/{name}", 404, {"path": "/api/v1/materials/unobtainium"}),
        ("get", "/api/v1/materials/{name}", 422, {"path": "/api/v1/materials/" + "x" * 101}),
        ("get", "/api/v1/scenarios", 200, {}),
        ("post", run, 202, {"json": {"scenario": "gallium-germanium-2023", "runs": 2, "horizon": 5}}),
        ("post", run, 400, {"json": {"yaml": "name: [unclosed"}}),
        ("post", run, 404, {"json": {"scenario": "april-2025"}}),
        ("post", run, 413, huge),
        ("post", run, 422, {"json": {}}),
        ("get", "/api/v1/scenarios/runs/{job_id}", 200, {"path": f"{run}/{{job}}"}),  # the run above
        ("get", "/api/v1/scenarios/runs/{job_id}", 404, {"path": f"{run}/abcdefghijkl"}),
        ("get", "/api/v1/scenarios/runs/{job_id}", 422, {"path": f"{run}/bad"}),
        ("get", "/api/v1/search", 200, {"params": {"q": "gallium"}}),
        ("get", "/api/v1/search", 404, {"params": {"q": "gallium", "material": "unobtainium"}}),
        ("get", "/api/v1/search", 422, {"params": {"q": ""}}),
        ("get", "/api/v1/facts", 200, {}),
        ("get", "/api/v1/facts", 404, {"params": {"country": "Atlantis"}}),
        ("get", "/api/v1/facts", 422, {"params": {"limit": 0}}),
        ("get", "/api/v1/digest", 200, {"params": {"topic": "gallium"}}),
        ("get", "/api/v1/digest", 400, {"params": {"topic": "unobtainium"}}),
        ("get", "/api/v1/digest", 404, {"bare": True, "params": {"topic": "gallium"}}),
        ("get", "/api/v1/digest", 422, {"params": {}}),
        ("post", "/api/v1/check", 200, {"json": {"bom": bom, "shipment": {"to": "DEU"}}}),
        ("post", "/api/v1/check", 400, {"json": {"bom": bom, "shipment": {"to": "Atlantis"}}}),
        ("post", "/api/v1/check", 413, huge),
        ("post", "/api/v1/check", 422, {"json": {"bom": bom}}),
        # a file that fails is still a 200 (listed under `failed`), and stores nothing
        ("post", "/api/v1/documents", 200, {"files": {"files": ("a.bin", b"\x00\x01", "text/plain")},
                                            "headers": auth}),
        ("post", "/api/v1/documents", 400, {"files": [("files", (f"{i}.txt", b"x", "text/plain"))
                                                      for i in range(51)], "headers": auth}),
        ("post", "/api/v1/documents", 401, note),
        ("post", "/api/v1/documents", 403, {**note, "bare": True}),
        ("post", "/api/v1/documents", 413, {**huge, "headers": {**huge["headers"], **auth,
                                                                "content-length": str(10**10)}}),
        ("post", "/api/v1/documents", 422, {"headers": auth, "data": {"x": "1"}}),
    ]


def test_openapi_declares_every_status_each_route_returns(client: TestClient,
                                                          bare_client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    bom = yaml.safe_load((EXAMPLES / "boms" / "magnet-0.1pct-over.yaml").read_text("utf-8"))
    seen: dict[tuple[str, str], set[str]] = {}
    job = ""
    for method, path, status, request in _probes(bom):
        request = dict(request)
        which = bare_client if request.pop("bare", False) else client
        url = request.pop("path", path).replace("{job}", job)
        response = which.request(method.upper(), url, **request)
        if status == 202:
            job = response.json()["id"]
        assert response.status_code == status, (method, url, response.text)
        if status >= 400:
            assert set(response.json()) == {"error"}
        seen.setdefault((method, path), set()).add(str(status))
    declared = {(method, path): set(operation["responses"])
                for path, operations in doc["paths"].items() for method, operation in operations.items()}
    assert set(seen) == set(declared)  # every route probed
    for route, statuses in seen.items():
        assert statuses == declared[route], route  # nothing missing, nothing claimed that is not sent
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for route, operation in ((r, doc["paths"][r[1]][r[0]]) for r in declared):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == error, (route, status)


def test_openapi_says_exactly_one_of_scenario_or_yaml(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["RunRequest"]
    assert [sorted(option["required"]) for option in schema["oneOf"]] == [["scenario"], ["yaml"]]
    assert [option["not"]["required"] for option in schema["oneOf"]] == [["yaml"], ["scenario"]]
    body = doc["paths"]["/api/v1/scenarios/runs"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/RunRequest"}


def test_tables_download_as_csv_with_the_json_columns(client: TestClient) -> None:
    import csv
    import io

    rows = client.get("/api/v1/chokepoints", params={"top": 5}).json()
    response = client.get("/api/v1/chokepoints", params={"top": 5, "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert list(table[0]) == list(rows[0]) and len(table) == len(rows)
    assert table[0]["material"] == rows[0]["material"]
    assert json.loads(table[0]["sources"]) == rows[0]["sources"]  # nested values as JSON text
    shares = client.get("/api/v1/shares", params={"material": "Ga", "stage": "refining",
                                                   "format": "csv"})
    assert shares.status_code == 200 and "country" in shares.text.splitlines()[0]
    facts = client.get("/api/v1/facts", params={"material": "gallium", "format": "csv"})
    assert facts.status_code == 200 and "sentence" in facts.text.splitlines()[0]
    assert 'href="/api/v1/chokepoints?format=csv"' in client.get("/").text
    error_of(client.get("/api/v1/chokepoints", params={"format": "xls"}), 422)


def test_pages_are_compressed(client: TestClient) -> None:
    page = client.get("/", headers={"accept-encoding": "gzip"})
    assert page.status_code == 200 and page.headers.get("content-encoding") == "gzip"


def test_evidence_feed_per_material(client: TestClient, bare_client: TestClient) -> None:
    from xml.etree import ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    response = client.get("/feeds/evidence/gallium.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall("a:entry", ns)
    assert entries and any("Gallium" in (e.findtext("a:title", "", ns)) for e in entries)
    assert feed.findtext("a:id", "", ns) == "urn:critmin:evidence:Ga"
    stamps = [e.findtext("a:updated", "", ns) for e in entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    empty = ET.fromstring(bare_client.get("/feeds/evidence/gallium.atom").content)
    assert empty.findall("a:entry", ns) == []  # no store yet: a valid, empty feed
    assert client.get("/feeds/evidence/unobtainium.atom").status_code == 404
