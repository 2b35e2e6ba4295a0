"""The MCP server, driven by the SDK's own client in-process: tools, schemas, answers, errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import anyio
import pytest
import yaml
from mcp.client.client import Client

from critmin.assistant import TOOL_NAMES, build_server
from critmin.evidence import collect_paths, connect, ingest_paths, linker_for
from critmin.kb import KnowledgeBase, Stage, load_kb

ROOT = Path(__file__).resolve().parents[2]
BOM = ROOT / "examples" / "boms" / "magnet-0.1pct-over.yaml"
DOCUMENTS = ROOT / "examples" / "documents"


def call(name: str, arguments: dict[str, Any]) -> Any:
    async def run() -> Any:
        async with Client(build_server()) as client:
            return await client.call_tool(name, arguments)
    return anyio.run(run)


def test_every_tool_is_listed_with_a_schema() -> None:
    async def run() -> Any:
        async with Client(build_server()) as client:
            return await client.list_tools()
    tools = {t.name: t for t in anyio.run(run).tools}
    assert set(tools) == set(TOOL_NAMES)
    shares = tools["shares"].input_schema
    assert shares["required"] == ["material"] and "stage" in shares["properties"]
    assert "runs" in tools["simulate"].input_schema["properties"]
    assert all(t.description for t in tools.values())


def test_shares_answer_with_their_sources(kb: KnowledgeBase) -> None:
    result = call("shares", {"material": "镓", "stage": "refining"})
    assert not result.is_error
    data = result.structured_content
    assert data["material"] == "Ga"
    expected = kb.shares(kb.material("Ga"), stage=Stage.REFINING)
    assert [s["year"] for s in data["series"]] == [s.year for s in expected]
    cited = {i for s in data["series"] for i in s["sources"]}
    assert cited and cited <= set(data["sources"])
    assert all(data["sources"][i] == kb.sources[i].citation() for i in cited)


def test_user_errors_are_readable_tool_errors() -> None:
    result = call("shares", {"material": "dysprosum"})
    assert result.is_error
    assert "unknown material 'dysprosum'; did you mean: dysprosium (Dy)?" in result.content[0].text
    runs = call("simulate", {"scenario": "gallium-germanium-2023", "runs": 100000})
    assert runs.is_error and "runs must be 1-500" in runs.content[0].text


def test_chokepoints_and_criticality() -> None:
    top = call("chokepoints", {"top": 3}).structured_content
    assert len(top["chokepoints"]) == 3
    assert top["chokepoints"][0]["hhi"] >= top["chokepoints"][-1]["hhi"]
    risk = call("criticality", {"shares": "latest"}).structured_content
    assert {r["material"] for r in risk["materials"]} == set(load_kb().criticality)


def test_check_a_bom_as_json() -> None:
    bom = yaml.safe_load(BOM.read_text("utf-8"))
    result = call("check", {"bom": bom, "to": "DEU", "on": "2026-11-23", "end_user": "civil"})
    assert not result.is_error, result.content
    decision = result.structured_content
    assert decision["outcome"]  # the same decision the CLI prints for this example
    from critmin.rules import check, make_shipment

    expected = check(BOM, make_shipment(load_kb(), to="DEU", on=dt.date(2026, 11, 23),
                                        end_user="civil"))
    assert decision["outcome"] == expected.outcome.value


def test_simulate_is_bounded_and_summarised() -> None:
    result = call("simulate", {"scenario": "gallium-germanium-2023", "runs": 8, "horizon_days": 60})
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["runs"] == 8 and "series" not in data
    assert data["prices"] and all("p50" not in p for p in data["prices"])


def test_evidence_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "evidence.db"
    monkeypatch.setenv("CRITMIN_DB", str(db))
    missing = call("search", {"query": "gallium"})
    assert missing.is_error and "no evidence store" in missing.content[0].text
    conn = connect(db)
    files, _ = collect_paths([DOCUMENTS])
    ingest_paths(conn, linker_for(load_kb()), files)
    conn.close()
    hits = call("search", {"query": "gallium", "limit": 3}).structured_content["hits"]
    assert hits and len(hits) <= 3
    facts = call("facts", {"material": "Ga", "limit": 5}).structured_content["facts"]
    assert facts and all(f["sentence"] for f in facts)
    digest = call("digest", {"topic": "gallium"})
    assert not digest.is_error and json.dumps(digest.structured_content)


def test_critmin_mcp_serves_over_stdio() -> None:
    """The command itself, as an assistant starts it: a subprocess speaking MCP on stdio."""
    import os
    import sys

    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "critmin.cli", "mcp"],
                                   env=dict(os.environ))

    async def run() -> Any:
        async with Client(params) as client:
            tools = await client.list_tools()
            answer = await client.call_tool("chokepoints", {"top": 1})
            return tools, answer
    tools, answer = anyio.run(run)
    assert {t.name for t in tools.tools} == set(TOOL_NAMES)
    assert len(answer.structured_content["chokepoints"]) == 1
